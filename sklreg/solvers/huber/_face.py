"""The limit sigma -> 0 of the Huber problem, solved exactly.

As the scale goes to zero the joint datafit tends to ``2 eps sum_i s_i
|r_i|``, so on that face the problem is the penalised least-absolute-
deviation fit::

    min_{w, b}  c sum_i s_i |y_i - x_i.w - b| + sum_j l1_j |w_j| + l2_j / 2 w_j**2

(``c = 2 eps``; ``w >= 0`` with ``positive``), whose dual is
``max theta.y - sum_j Omega_j^*(x_j.theta)`` over ``|theta_i| <= c s_i``
(and ``sum theta = 0`` with an intercept).  Its optimum is the Huber
optimum exactly when that dual point also meets the Huber dual's energy
constraint ``sum_i theta_i**2 / s_i <= 4 n_w``; the Huber certificate,
given this theta, says so.

The objective is convex and piecewise quadratic: it is quadratic on every
*face*, a set of samples ``Z`` fitted exactly (``r_Z = 0``) and of
kinked coordinates held at zero, the other residuals and coordinates
keeping their signs.  ``solve_face`` is an active-set method over faces
(finite, as the simplex method for the linear case ``l2 = 0``):

1. the minimiser of the face's quadratic -- one symmetric system in the
   multipliers ``theta_Z`` of the fitted samples, the intercept and the
   coordinates without a ridge part (``FaceSystem``) -- is the target;
   when that quadratic is unbounded on the face (a direction with no
   curvature, as in a linear program) the system is inconsistent and its
   residual gives a descent direction instead;
2. an exact line search on the true objective along the step: it is
   piecewise quadratic along a line, with kinks where a residual or a
   coordinate crosses zero; the first kink where the slope turns
   non-negative joins the face (a sample to Z, a coordinate to zero);
3. at the minimiser of a face the multipliers are checked: a fitted sample
   whose ``|theta_i|`` exceeds its box, or a zero coordinate whose
   correlation exceeds its ``l1_j``, leaves the face.  None: optimal.

Each step costs products with X (O(nnz)) and a system of the size of the
face (fitted samples + unridged coordinates), whose kernel block
``X_Z diag(1 / l2) X_Z^T`` is kept for the rows of a small n.
"""
import numpy as np

from sklreg.solvers.huber._face_problem import BOX_SLACK, ROUNDED

MAX_STEPS_PER_SIZE = 4     # active-set steps per sample and coordinate, at most
FLAT = 1e-6                # a direction moving the fitted samples more is no face's


class FaceResult:
    """An exact solution of the face problem, or the last point reached.

    Attributes: ``coef``, ``intercept``, ``theta`` (the dual point, length
    n, zero where ``s = 0``), ``objective`` (of the face problem),
    ``optimal`` (no multiplier violated its bound) and ``n_iter``.
    """

    def __init__(self, coef, intercept, theta, objective, optimal, n_iter):
        self.coef, self.intercept, self.theta = coef, intercept, theta
        self.objective, self.optimal, self.n_iter = objective, optimal, n_iter


class Face:
    """The current face: fitted samples, signs of the others, support and
    signs of the coordinates."""

    def __init__(self, problem, w, r):
        kept = problem.s > 0
        # the samples the start fits exactly (a warm start from the last
        # alpha's solution): its face, found again in one step
        self.fitted = kept & (np.abs(r) <= ROUNDED * (np.abs(problem.y) + np.abs(problem.y - r)))
        self.rsign = np.where(r >= 0, 1.0, -1.0) * kept      # 0 where s = 0
        self.support = ((w != 0) & ~problem.frozen) | ~problem.kinked
        self.sign = np.where(w >= 0, 1.0, -1.0)
        self.problem = problem

    def copy(self):
        other = Face.__new__(Face)
        other.fitted, other.rsign = self.fitted.copy(), self.rsign.copy()
        other.support, other.sign = self.support.copy(), self.sign.copy()
        other.problem = self.problem
        return other

    def fitted_rows(self):
        return np.flatnonzero(self.fitted)

    def unridged(self):
        return np.flatnonzero(self.support & ~self.problem.ridged)

    def outer_theta(self, box):
        return np.where(self.fitted, 0.0, box * self.rsign)


def solve_face(problem, w, b, *, max_steps=None):
    """Minimise the face problem from (w, b) by the active-set method of the
    module docstring.  Returns a FaceResult."""
    pb = problem
    w = np.array(w, dtype=np.float64)
    r = pb.y - pb.predict(w, b)
    face = Face(pb, w, r)
    w[~face.support] = 0.0
    limit = max_steps or MAX_STEPS_PER_SIZE * (pb.n + pb.p) + 20
    batch = True
    for step in range(limit):
        target, direction = pb.face_target(face, w, b)
        w_t, b_t, theta, corr = target
        if direction is None:
            dw, db, t_end = w_t - w, b_t - b, 1.0
        else:
            (dw, db), t_end = direction, np.inf
        before = pb.objective(w, r)
        saved = face.copy()
        moved = _line_search(pb, face, w, r, dw, db, t_end)
        if moved is not None:
            t, reached = moved
            w_new, b_new = w + t * dw, b + t * db
            w_new[~face.support] = 0.0
            r_new = pb.y - pb.predict(w_new, b_new)
            if pb.objective(w_new, r_new) > before + ROUNDED * max(before, 1e-300):
                # the exact line search relies on the fitted samples staying
                # fitted: a step so long that their rounding shows is undone
                face, moved = saved, None
            else:
                w, b, r = w_new, b_new, r_new
                if not reached:
                    continue
        # the minimiser of this face: check its multipliers
        released = _release(pb, face, theta, corr, batch)
        if not released:
            # where we are (the target itself when reached; else a minimiser
            # of the face as good, the target having crossed a kink)
            return FaceResult(w, b, theta, pb.objective(w, r), True, step + 1)
        batch = moved is not None and moved[0] > 0    # stalled: one at a time
    return FaceResult(w, b, theta, pb.objective(w, r), False, limit)


def _line_search(pb, face, w, r, dw, db, t_end):
    """Exact minimisation of the face objective along (dw, db) on [0, t_end].

    Returns (t, reached) -- reached: t is t_end with no kink on the way,
    so the target is where we are -- or None when no step lowers it.  The
    face is updated: passed kinks flip their sign, the kink stopped at
    joins it.
    """
    a = pb.predict(dw, db)                # r(t) = r - t a
    if not np.isfinite(t_end) and (np.max(np.abs(a[face.fitted]), initial=0.0)
                                   > FLAT * (np.dot(pb.colnorm, np.abs(dw)) + abs(db))):
        return None        # moves the fitted samples: a rounding artefact, no direction
    if np.max(np.abs(a), initial=0.0) <= ROUNDED * np.max(np.abs(pb.y) + np.abs(pb.y - r)):
        # the fit does not move beyond rounding: the samples' kinks met on
        # the way would be noise (the coefficients' are not: along a null
        # direction of X they move)
        a[:] = 0.0
    out = ~face.fitted & (pb.s > 0)
    # each sample leaves its side where r - t a crosses zero
    moving = out & (face.rsign * a > 0)
    rows = np.flatnonzero(moving)
    t_rows = np.maximum(r[rows] / a[rows], 0.0)
    jump_rows = 2.0 * pb.box[rows] * np.abs(a[rows])
    cols = np.flatnonzero(face.support & pb.kinked & (face.sign * dw < 0))
    t_cols = np.maximum(-w[cols] / dw[cols], 0.0)
    jump_cols = np.where(pb.positive, np.inf, 2.0 * pb.l1[cols] * np.abs(dw[cols]))
    kinked = face.support & pb.kinked
    slope = (-np.dot(pb.box[out] * face.rsign[out], a[out])
             + np.dot(pb.l1[kinked] * face.sign[kinked], dw[kinked])
             + np.dot(pb.l2 * w, dw))
    curv = np.dot(pb.l2, dw * dw)
    if slope >= 0:
        return None
    t_all = np.concatenate([t_rows, t_cols])
    jumps = np.concatenate([jump_rows, jump_cols])
    order = np.argsort(t_all, kind="stable")
    order = order[t_all[order] < t_end]
    t_prev, passed, stop = 0.0, [], None
    for k in order:
        t_k = t_all[k]
        before = slope + curv * (t_k - t_prev)
        if before >= 0:                       # the minimum lies before this kink
            stop = t_prev - slope / curv
            break
        slope, t_prev = before + jumps[k], t_k
        if slope >= 0:
            stop = t_k
            ties = order[t_all[order] == t_k]
            _join(face, ties, rows, cols)
            passed = [j for j in passed if t_all[j] < t_k]
            break
        passed.append(k)
    if stop is None:
        if np.isfinite(t_end) and slope + curv * (t_end - t_prev) <= 0:
            stop = t_end
        elif curv > 0:
            stop = t_prev - slope / curv
        else:
            return None                       # unbounded: cannot happen (f >= 0)
    _flip(face, [k for k in passed if t_all[k] < stop], rows, cols)
    reached = stop == t_end and not passed
    return stop, reached


def _join(face, ties, rows, cols):
    for k in ties:
        if k < rows.size:
            face.fitted[rows[k]] = True
        else:
            face.support[cols[k - rows.size]] = False


def _flip(face, passed, rows, cols):
    for k in passed:
        if k < rows.size:
            face.rsign[rows[k]] *= -1.0
        else:
            face.sign[cols[k - rows.size]] *= -1.0


def _release(pb, face, theta, corr, batch):
    """Let the violated bounds at a face's minimiser leave it (all of them,
    or the largest violation when ``batch`` is off).  False: optimal."""
    z = face.fitted
    over_rows = z & (np.abs(theta) > pb.box * (1 + BOX_SLACK))
    excess, slack = pb.excess(corr)
    over_cols = ~face.support & pb.kinked & ~pb.frozen & (excess > slack)
    if not over_rows.any() and not over_cols.any():
        return False
    if not batch:
        score_rows = np.where(over_rows, (np.abs(theta) - pb.box) / np.maximum(pb.box, 1e-300), 0)
        score_cols = np.where(over_cols, excess / np.maximum(pb.l1 + pb.colnorm, 1e-300), 0)
        if score_rows.max(initial=0) >= score_cols.max(initial=0):
            keep = np.argmax(score_rows)
            over_rows = np.zeros_like(over_rows)
            over_rows[keep] = True
            over_cols = np.zeros_like(over_cols)
        else:
            keep = np.argmax(score_cols)
            over_cols = np.zeros_like(over_cols)
            over_cols[keep] = True
            over_rows = np.zeros_like(over_rows)
    face.fitted[over_rows] = False
    face.rsign[over_rows] = np.sign(theta[over_rows])
    face.support[over_cols] = True
    face.sign[over_cols] = np.where(corr[over_cols] >= 0, 1.0, -1.0)
    return True
