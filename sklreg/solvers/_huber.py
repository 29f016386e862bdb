"""Huber regression with Owen's joint scale, certified by a duality gap.

Problem (scikit-learn's ``HuberRegressor`` objective, not divided by n)::

    min_{w, b, sigma > 0}  sum_i s_i (sigma + sigma H(r_i / sigma)) + Omega(w),
    r = y - X w - b,   Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2

with ``H(z) = z**2`` (``|z| <= eps``), ``2 eps |z| - eps**2`` beyond.  The
datafit is the perspective of ``h(u) = sum_i s_i (1 + H(u_i))``, so it is
jointly convex in (w, b, sigma).

Certificate
-----------
Minimising over sigma leaves ``F(r) = min_sigma sum_i s_i sigma (1 + H(r_i /
sigma))``, whose conjugate is the indicator of ``{theta : |theta_i| <= 2 eps
s_i, sum_i theta_i**2 / s_i <= 4 n_w}`` (the conjugate of a perspective).  So
the problem has the Fenchel dual::

    max_theta  theta . y - sum_j Omega_j^*(x_j . theta)
    s.t. theta in that set, and sum_i theta_i = 0 when an intercept is fitted.

The dual point is built from the residual, ``theta_i = s_i psi(r_i / sigma)``
(minus the gradient of the datafit), shifted to sum to zero and scaled into
the feasible set.  ``P(w, b, sigma) - D(theta)`` bounds the suboptimality of
the joint objective and vanishes at the optimum.  An unpenalised feature (no
dual constraint can be met by scaling) contributes, as in the least-squares
solver, a KKT term that is zero iff its partial derivative is.  The floor
kept on the scale (``sigma >= sigma_f``, tiny) adds ``sigma_f (n_w - sum_i
theta_i**2 / (4 s_i)) >= 0`` to the dual, so a fit whose optimum sits on the
floor (an exact fit) is certified too.  Solvers stop
when this gap is at most ``tol * P(0)``, ``P(0)`` being the objective at
``w = 0`` with the best intercept and scale.

Two solvers share that certificate:

* ``newton``: damped Newton on (w, b, sigma) with (p + 2) x (p + 2) solves --
  the Huber datafit is piecewise quadratic, so once the inlier set settles it
  converges in a few steps.  Dense X, smooth penalty (no L1, no sign
  constraint), p small.
* ``majorise``: alternate the exact scale for the current residual (a sorted
  scan: the scale condition is piecewise explicit) with a weighted
  least-squares majoriser of the datafit in (w, b) (weights
  ``min(1, eps sigma / |r_i|)``, exact on inliers), solved by the working-set
  coordinate-descent kernel.  Any penalty, dense or sparse X, any p.
"""
import warnings

import numpy as np
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from sklreg._core._cd import LeastSquares
from sklreg._core._losses import Huber
from sklreg._core._penalties import L1L2
from sklreg.solvers._base import SolverResult
from sklreg.solvers._cd import solve_cd

GAP_FLOOR = 1e-15
NEWTON_MAX_FEATURES = 500   # p above this: the p x p solves stop paying off
BLOCK_ROWS = 8192           # rows per block when forming the Newton Hessian
INNER_FRACTION = 1e-3      # majoriser solves stop at this fraction of the gap
INNER_MAX_EPOCHS = 500     # per majoriser solve (an exact fit makes them stiff)
MAX_DAMPED = 30            # consecutive short Newton steps before the majoriser
ROUNDING = 8 * np.finfo(np.float64).eps
SCALE_FLOOR = 1e-10         # sigma >= SCALE_FLOOR * (mean |y - ybar|), >= 10 eps


class HuberProblem:
    """Data, loss and penalty of one Huber fit, and its certificate.

    Parameters
    ----------
    X : ndarray (Fortran) or CSC matrix of shape (n_samples, n_features)
    design : sklreg._core._design.Design
        The view of X the compiled kernels use.
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    epsilon : float, >= 1
    l1, l2 : ndarray of shape (n_features,)
        ``Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2``.
    positive : bool
    fit_intercept : bool
    """

    def __init__(self, X, design, y, sample_weight, epsilon, l1, l2, positive,
                 fit_intercept):
        self.X, self.design, self.y = X, design, y
        n, p = X.shape
        self.s = np.ones(n) if sample_weight is None else sample_weight
        self.n_w = float(self.s.sum())
        self.loss = Huber(epsilon)
        self.eps = float(epsilon)
        self.l1, self.l2, self.positive = l1, l2, positive
        self.penalty = L1L2(l1, l2, positive)
        self.penalized = self.penalty.penalized_mask()
        self.fit_intercept = fit_intercept
        self.sqnorms = design.col_sqnorms(self.s) if design is not None else np.zeros(p)
        self.xs = np.zeros(p)          # X.T @ s, the columns' weighted sums
        if design is not None:
            design.rmatvec(self.s, self.xs)
        # with an intercept, a constant column only duplicates it
        centred = self.sqnorms - (self.xs ** 2 / self.n_w if fit_intercept else 0.0)
        self.constant = centred <= 1e-13 * self.sqnorms
        self._theta = np.empty(n)
        self._weight = np.empty(n)
        self._v = np.empty(p)
        self.scale_floor = np.finfo(np.float64).tiny

    # -- pieces -------------------------------------------------------------
    def residual(self, w, b, out=None):
        out = np.empty(self.X.shape[0]) if out is None else out
        self.design.matvec(w, out)
        np.subtract(self.y, out, out=out)
        out -= b
        return out

    def scan(self, r, sigma):
        """(fit, d fit / d sigma, d2 fit / d sigma2); fills theta and weight."""
        self.loss.scale = sigma
        return self.loss.scan(r, self.s, self._theta, self._weight)

    def objective(self, w, r, sigma):
        return self.scan(r, sigma)[0] + self.penalty.values(w)

    def best_scale(self, r):
        """The sigma minimising the datafit for the residual r (exact).

        For sigma between two consecutive thresholds ``|r_i| / eps`` the
        inlier set is fixed and the condition ``d fit / d sigma = 0`` reads
        ``sigma**2 = Q_in / (n_w - eps**2 S_out)`` (``Q_in`` the weighted sum
        of squared inlier residuals, ``S_out`` the outliers' weight); the
        derivative increases with sigma, so the first consistent interval
        holds the root.
        """
        a = np.abs(r) / self.eps
        order = np.argsort(a)
        a, s, r2 = a[order], self.s[order], (r * r)[order]
        q_in = np.concatenate(([0.0], np.cumsum(s * r2)))     # inliers = first k
        s_in = np.concatenate(([0.0], np.cumsum(s)))
        denom = self.n_w - self.eps ** 2 * (self.n_w - s_in)
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = np.sqrt(np.where(denom > 0, q_in / denom, np.inf))
        lo = np.concatenate(([0.0], a))
        hi = np.concatenate((a, [np.inf]))
        ok = (denom > 0) & (cand >= lo) & (cand <= hi)
        sigma = cand[np.argmax(ok)] if ok.any() else 0.0
        return max(sigma, self.scale_floor)

    # -- certificate --------------------------------------------------------
    def gap(self, w, r, sigma):
        """Return (gap, primal, v) at (w, b, sigma) with residual r.

        v = X.T @ theta is minus the gradient of the datafit in w (theta
        before its shift to sum zero).
        """
        fit, _, _ = self.scan(r, sigma)
        primal = fit + self.penalty.values(w)
        theta = self._theta
        v = self._v
        self.design.rmatvec(theta, v)
        grad = v.copy()
        if self.fit_intercept:
            shift = theta.sum() / self.n_w
            theta -= self.s * shift
            v -= self.xs * shift
        pos = self.s > 0
        kappa = 1.0
        peak = np.max(np.abs(theta[pos]) / self.s[pos])
        if peak > 2 * self.eps:
            kappa = 2 * self.eps / peak
        energy = np.dot(theta[pos], theta[pos] / self.s[pos])
        if energy > 4 * self.n_w:
            kappa = min(kappa, np.sqrt(4 * self.n_w / energy))
        pen = self.penalized
        if pen.any():
            kappa = min(kappa, np.min(self.penalty.dual_scales(v)[pen]))
        dual = kappa * np.dot(theta, self.y) - np.sum(self.penalty.conjugates(kappa * v)[pen])
        # sigma >= scale_floor adds -scale_floor * h^*(theta) >= 0 to the dual
        dual += self.scale_floor * max(self.n_w - 0.25 * kappa ** 2 * energy, 0.0)
        kkt = 0.0
        if not pen.all():
            free = ~pen & (self.sqnorms > 0)
            lip = 2.0 / sigma * self.sqnorms[free]
            vf = v[free]
            kkt = np.sum(np.abs(kappa * vf) * (np.abs(w[free]) + np.abs(vf) / lip))
        return primal - dual + kkt, primal, grad


def _start(problem, w):
    w[problem.constant] = 0.0      # the intercept takes their part
    r = problem.residual(w, 0.0)
    b = np.dot(problem.s, r) / problem.n_w if problem.fit_intercept else 0.0
    r -= b
    return b, r, problem.best_scale(r)


def objective_at_zero(problem):
    """P(0): the objective at w = 0 with the best intercept and scale."""
    zero = HuberProblem(np.empty((problem.X.shape[0], 0), order="F"), None,
                        problem.y, problem.s, problem.eps, np.zeros(0), np.zeros(0),
                        False, problem.fit_intercept)
    zero.design = _NoColumns()
    zero.scale_floor = problem.scale_floor
    result = newton(zero, np.zeros(0), tol_abs=0.0, max_iter=100, quiet=True,
                    rel_tol=1e-13)
    return result.primal, result.scale


class _NoColumns:
    """The Design interface for a problem with no features."""

    def matvec(self, w, out):
        out[:] = 0.0

    def rmatvec(self, v, out):
        pass


_CONTROLLER = []


def one_blas_thread():
    """Context with BLAS on one thread: the level-1 calls of the column
    products and the small Hessian blocks are what the solvers use, and BLAS
    threads only slow them down (by 10-100x on a loaded machine).
    The controller is built once: building it scans the loaded libraries."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


class _Hessian:
    """Hessian of the datafit in (w, [b,] sigma), kept up to date cheaply.

    Inlier i contributes ``2 s_i / sigma * u_i u_i^T`` with
    ``u_i = (x_i, 1, r_i / sigma)``; outliers contribute nothing.  The
    block ``G = sum_inliers s_i (x_i, 1)(x_i, 1)^T`` depends on the inlier
    set only, so between Newton steps it is corrected by the rows that
    changed side (few, once the fit settles) instead of being rebuilt;
    the last row and column are O(n p) products.
    """

    def __init__(self, problem):
        self.problem = problem
        self.inlier = np.zeros(problem.X.shape[0], dtype=bool)
        k = problem.X.shape[1] + problem.fit_intercept
        self.G = np.zeros((k, k))

    def _add_rows(self, rows, sign):
        problem, p = self.problem, self.problem.X.shape[1]
        for start in range(0, rows.size, BLOCK_ROWS):
            keep = rows[start:start + BLOCK_ROWS]
            U = np.empty((keep.size, self.G.shape[0]))
            U[:, :p] = problem.X[keep]
            if problem.fit_intercept:
                U[:, p] = 1.0
            self.G += U.T @ ((sign * problem.s[keep])[:, None] * U)

    def __call__(self, r, sigma):
        """The Hessian at residual r and scale sigma (after ``scan``)."""
        problem, p = self.problem, self.problem.X.shape[1]
        inlier = problem._weight == problem.s
        changed = np.flatnonzero(inlier != self.inlier)
        if changed.size > inlier.sum() // 2:      # cheaper to rebuild
            self.G[:] = 0.0
            self._add_rows(np.flatnonzero(inlier), 1.0)
        else:
            self._add_rows(changed[inlier[changed]], 1.0)
            self._add_rows(changed[~inlier[changed]], -1.0)
        self.inlier = inlier
        k = self.G.shape[0] + 1
        sz = np.where(inlier, problem.s * r / sigma, 0.0)       # s_i z_i on inliers
        A = np.empty((k, k))
        A[:-1, :-1] = self.G
        cross = np.empty(p)
        problem.design.rmatvec(sz, cross)
        A[:p, -1] = cross
        if problem.fit_intercept:
            A[p, -1] = sz.sum()
        A[-1, :-1] = A[:-1, -1]
        A[-1, -1] = np.dot(sz, r) / sigma
        A *= 2.0 / sigma
        A[np.arange(p), np.arange(p)] += problem.l2
        return A


def _newton_direction(A, g):
    """Solve A d = -g; A is positive semi-definite (singular when there are
    fewer inliers than unknowns), so a relative ridge of 1e-12 is added and,
    if the factorisation still fails, a least-squares solve is used."""
    k = A.shape[0]
    A = A + 1e-12 * max(np.trace(A) / max(k, 1), 1e-300) * np.eye(k)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            return -linalg.solve(A, g, assume_a="pos", check_finite=False)
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        return -linalg.lstsq(A, g, check_finite=False)[0]


def newton(problem, w, *, tol_abs, max_iter, quiet=False, fallback=None,
           rel_tol=0.0):
    """Damped Newton on (w, b, sigma); the penalty must be smooth (no l1).

    When a line search finds no decrease, ``fallback`` (the majoriser)
    continues from there; without one the solver stops (it never raises).
    Returns a SolverResult with an extra ``scale`` attribute.
    """
    p = w.shape[0]
    b, r, sigma = _start(problem, w)
    n_iter = damped = 0
    hessian = _Hessian(problem)
    while True:
        gap, primal, v = problem.gap(w, r, sigma)
        if gap <= tol_abs + rel_tol * abs(primal) or n_iter >= max_iter:
            break
        fit, d_sigma, _ = problem.scan(r, sigma)
        grad = np.concatenate((problem.l2 * w - v,
                               [-problem._theta.sum()] if problem.fit_intercept else [],
                               [d_sigma]))
        step = _newton_direction(hessian(r, sigma), grad)
        moved = _line_search(problem, w, b, r, sigma, primal, grad, step)
        damped = damped + 1 if moved is not None and moved[-1] < 1.0 else 0
        if moved is None or damped > MAX_DAMPED:
            # no decrease along the Newton direction, or only short steps for
            # a while: a nearly singular Hessian (epsilon close to 1 makes the
            # problem a least-absolute-deviation fit with sigma -> 0); the
            # majoriser always descends
            if fallback is None:
                break
            rest = fallback(problem, w, tol_abs=tol_abs, max_iter=max_iter - n_iter)
            rest.n_iter += n_iter
            return rest
        w, b, r, sigma, _ = moved
        n_iter += 1
    result = SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                          tol_abs=tol_abs, n_iter=n_iter)
    result.scale = sigma
    return result


def _line_search(problem, w, b, r, sigma, primal, grad, step, max_halvings=40):
    """Backtracking (Armijo) along ``step``, keeping sigma above half its value.

    Returns the new (w, b, r, sigma, step length), or None when no step decreases the
    objective (the caller warns instead of raising).
    """
    p = w.shape[0]
    dw, ds = step[:p], step[-1]
    db = step[p] if problem.fit_intercept else 0.0
    dr = problem.residual(dw, 0.0)
    dr -= problem.y          # dr = -X dw
    dr -= db
    slope = np.dot(grad, step)
    if not slope < 0:
        return None
    t = 1.0 if sigma + ds >= 0.5 * sigma else 0.5 * sigma / -ds
    for _ in range(max_halvings):
        s_new = max(sigma + t * ds, problem.scale_floor)
        w_new = w + t * dw
        r_new = r + t * dr
        value = problem.objective(w_new, r_new, s_new)
        # the allowance lets the final steps through when the decrease is
        # below the rounding of the objective (the gap then decides)
        if value <= primal + 1e-4 * t * slope + ROUNDING * abs(primal):
            return w_new, b + t * db, r_new, s_new, t
        t *= 0.5
    return None


def _extrapolate(history):
    """Anderson extrapolation of the outer iterates (rows of ``history``):
    the affine combination whose successive differences are smallest."""
    Z = np.asarray(history)
    U = np.diff(Z, axis=0)
    gram = U @ U.T
    gram += 1e-12 * max(np.trace(gram), 1e-300) * np.eye(gram.shape[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            c = linalg.solve(gram, np.ones(gram.shape[0]), assume_a="pos")
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        return None
    if not np.isfinite(c).all() or c.sum() == 0:
        return None
    return (c / c.sum()) @ Z[1:]


def majorise(problem, w, *, tol_abs, max_iter, check_every=10, memory=4):
    """Exact scale steps alternating with coordinate-descent majoriser solves.

    Both steps lower the objective; every ``memory`` iterations an Anderson
    extrapolation of (w, b, sigma) replaces the iterate when it is lower
    still (the alternation converges linearly, extrapolation removes the
    slow mode).  The extrapolated point is kept when both its objective and
    its gap are lower.
    """
    p = w.shape[0]
    b, r, sigma = _start(problem, w)
    n_iter = 0
    history = []
    while True:
        gap, primal, _ = problem.gap(w, r, sigma)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        history.append(np.concatenate((w, [b, sigma])))
        if len(history) == memory + 1:
            z = _extrapolate(history)
            history = []
            if z is not None and z[-1] > problem.scale_floor and not (
                    problem.positive and np.any(z[:p] < 0)):
                r_new = problem.residual(z[:p], z[p])
                s_new = problem.best_scale(r_new)
                gap_new, primal_new, _ = problem.gap(z[:p], r_new, s_new)
                if gap_new < gap and primal_new <= primal:
                    w, b, r, sigma = z[:p].copy(), z[p], r_new, s_new
                    gap, primal = gap_new, primal_new
                    history = [np.concatenate((w, [b, sigma]))]
                    if gap <= tol_abs:
                        break
        problem.scan(r, sigma)
        c = problem._weight.copy()
        total = c.sum()
        # datafit majoriser sum_i c_i r_i**2 / sigma, rescaled by sigma / (2 C)
        # to the least-squares kernel's 1 / (2 C) sum_i c_i r_i**2
        factor = sigma / (2.0 * total)
        datafit = LeastSquares(problem.design, problem.y, c, w, problem.fit_intercept)
        penalty = L1L2(factor * problem.l1, factor * problem.l2, problem.positive)
        # the least-squares gap is second order in the optimality violation
        # delta, the Huber gap (a scaled dual point, linear objective) first
        # order, ~ delta * P: ask the inner solve for delta**2
        inner_tol = INNER_FRACTION * min(gap * factor / max(datafit.primal_at_zero, 1e-300),
                                         (gap / max(primal, 1e-300)) ** 2)
        res = solve_cd(datafit, penalty, w, tol=inner_tol, max_iter=INNER_MAX_EPOCHS,
                       check_every=check_every)
        w = res.coef
        b = datafit.intercept if problem.fit_intercept else 0.0
        r = problem.residual(w, b, out=r)
        sigma = problem.best_scale(r)
        n_iter += 1
    result = SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                          tol_abs=tol_abs, n_iter=n_iter)
    result.scale = sigma
    return result


def solve_huber(problem, w, *, tol=1e-5, max_iter=100, solver="auto"):
    """Minimise the Huber objective of ``problem`` from coefficients ``w``.

    ``solver='auto'`` takes Newton for dense X, a smooth penalty,
    p <= NEWTON_MAX_FEATURES and n >= 2 p, else the majoriser with
    coordinate descent.
    Returns a SolverResult with an extra ``scale`` attribute.
    """
    with one_blas_thread():
        return _solve(problem, w, tol, max_iter, solver)


def _solve(problem, w, tol, max_iter, solver):
    s, y = problem.s, problem.y
    spread = np.dot(s, np.abs(y - np.dot(s, y) / problem.n_w)) / problem.n_w
    problem.scale_floor = max(SCALE_FLOOR * spread, 10 * np.finfo(np.float64).eps)
    p0, _ = objective_at_zero(problem)
    tol_abs = max(tol, GAP_FLOOR) * p0
    if solver == "auto":
        smooth = not problem.positive and not np.any(problem.l1 > 0)
        dense = isinstance(problem.X, np.ndarray)
        n, p = problem.X.shape
        small = p <= NEWTON_MAX_FEATURES and 2 * p <= n
        solver = "newton" if smooth and dense and small else "majorise"
    w = np.array(w, dtype=np.float64)
    if solver == "newton":
        return newton(problem, w, tol_abs=tol_abs, max_iter=max_iter, fallback=majorise)
    return majorise(problem, w, tol_abs=tol_abs, max_iter=max_iter)
