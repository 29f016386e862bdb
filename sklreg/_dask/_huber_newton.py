"""HuberRegressor on Dask data, on the client: damped Newton on (w, [b,]
sigma), one pass over the blocks a step (the sums come from
``_huber_blocks``).

Each pass computes the sums at the Newton step's full point and, in the
same pass, the scans along the step that the line search may need:

* the full step is taken when it decreases the objective enough (Armijo):
  the next step's sums are then already there, one pass a step;
* otherwise the longest shorter step that does, at the best scale on its
  piece (``on_piece``: exact while no sample changes side), and the next
  pass computes the sums there.

The certificate is the in-memory problem's (``SummedHuberProblem`` is a
``HuberCertificate`` whose samples stay on the workers), computed at the
final point from that pass's sums.  ``P(0)``, the scale of ``tol``, is
bounded from below by the same Newton method on the problem without
features, run in the same passes (the objective of any point minus its
gap bounds it too): the target ``tol * P(0)`` is never looser than in
memory.
"""
from types import SimpleNamespace

import numpy as np

from sklreg._dask._huber_blocks import block_requests, merge_results
from sklreg.solvers._base import FINISHED_GAP_FLOOR, gap_target
from sklreg.solvers.huber._certificate import HuberCertificate, Scan, _inlier_epsilon
from sklreg.solvers.huber._hessian import newton_direction, newton_matrix
from sklreg.solvers.huber._newton import newton_gradient
from sklreg.solvers.huber._result import HuberResult
from sklreg.solvers.huber._scale import ROUNDING, on_piece
from sklreg.solvers.huber._session import SCALE_FLOOR

EPS = np.finfo(np.float64).eps
STEPS = tuple(0.5 ** k for k in range(8))    # line-search trials, one pass for all
NULL_REL_TOL = 1e-12                          # the P(0) solve's relative target


class SummedHuberProblem(HuberCertificate):
    """The Huber problem of columns ``cols`` of X (centred by ``centre``, of
    every column: the means in ``moments`` by default) on the rows whose
    ``moments`` these are (all but fold ``held_out``), whose samples stay on
    the workers: the in-memory certificate, objective and penalty
    (``HuberCertificate``), fed with sums a pass returns (``xs`` is set
    from the first one)."""

    def __init__(self, moments, min_weight, cols, epsilon, l1, l2, fit_intercept, y_scale,
                 positive=False, centre=None, held_out=None):
        p = moments.mean.shape[0] - 1
        n_w = moments.weight
        self._set_data(n_rows=moments.rows, n_w=n_w, y_scale=y_scale, epsilon=epsilon,
                       eps=_inlier_epsilon(float(epsilon), np.array([min_weight]), n_w),
                       l1=l1, l2=l2, positive=positive, bounds=None,
                       fit_intercept=fit_intercept)
        self.cols, self.held_out = cols, held_out
        mean = moments.mean[cols]
        if not fit_intercept:
            centre = np.zeros(p)
        self.centre = mean if centre is None else centre[cols]
        # the weighted squared norms of the columns as centred
        self.sqnorms = (moments.scatter[np.ix_(cols, cols)].diagonal()
                        + n_w * (mean - self.centre) ** 2)
        self.xs = np.zeros(cols.size)
        self.y_centre = moments.mean[p] / y_scale if fit_intercept else 0.0
        self.constant = np.zeros(cols.size, dtype=bool)
        self.shift = None
        spread = np.sqrt(moments.scatter[p, p] / n_w) / y_scale
        self.scale_floor = max(SCALE_FLOOR * spread, 10 * np.finfo(np.float64).eps)

    def consts(self):
        """What the workers need to compute this problem's sums."""
        return SimpleNamespace(cols=self.cols, y_centre=self.y_centre, eps=self.eps,
                               epsilon=self.epsilon, fit_intercept=self.fit_intercept,
                               held_out=self.held_out)


class Newton:
    """Damped Newton on (w, [b,] sigma) of a ``SummedHuberProblem`` (whose
    index in the pass's ``consts`` is ``index``); its
    sums come from the passes it asks for (``requests``, ``receive``)."""

    def __init__(self, problem, index, w, b, sigma, n_rows):
        self.problem, self.index = problem, index
        self.w, self.b, self.sigma = w, b, sigma
        self.noise = ROUNDING * np.sqrt(n_rows)
        self.cert = self.step = None
        self.excess = 0.0
        self.n_iter, self.failed = 0, False

    def _at(self, t):
        p = self.w.shape[0]
        d = self.step
        db = d[p] if self.problem.fit_intercept else 0.0
        sigma = self.sigma + t * d[-1]
        return self.w + t * d[:p], self.b + t * db, sigma if sigma > 0 else self.sigma

    def _x(self, w):
        return w if w.shape[0] else None       # the problem without features

    def requests(self):
        k = self.index
        if self.step is None:
            return [("sums", k, self._x(self.w), self.b, self.sigma)]
        p = self.w.shape[0]
        w, b, sigma = self._at(1.0)
        db = self.step[p] if self.problem.fit_intercept else 0.0
        trials = [(t, self._at(t)[2]) for t in STEPS]
        return [("sums", k, self._x(w), b, sigma),
                ("trials", k, self._x(self.w), self.b, self._x(self.step[:p]), db, trials)]

    def retarget(self):
        """The certificate and the step at the current point under the
        problem's current penalty (a new alpha), from its kept sums."""
        self.failed = False
        self._arrive(self.w, self.b, self.sigma, self.sums)

    def _arrive(self, w, b, sigma, sums):
        """Take (w, b, sigma) with its sums; the next step from there."""
        self.sums = sums
        problem = self.problem
        problem.xs = sums["xs"]
        dual = problem.dual_of_sums(Scan(*sums["scan"]), sums["total"], sums["grad"],
                                    sums["energy"], sums["top"], sums["bottom"], sums["ty"])
        self.w, self.b, self.sigma = w, b, sigma
        self.cert, self.excess = problem.certify(w, dual, sigma), sums["excess"]
        self.grad = newton_gradient(problem, w, self.cert)
        A = newton_matrix(problem, sums["G"], sums["S"], sigma, dual)
        if problem.smooth:
            self.step = newton_direction(A, self.grad)
            self.slope = np.dot(self.grad, self.step)
        else:
            self.step, self.slope = proximal_newton_step(problem, w, A, self.grad)
        if not (self.slope < 0 and np.all(np.isfinite(self.step))):
            self.step = None
            self.failed = True

    def _descends(self, value, t):
        primal = self.cert.primal
        slope = t * self.slope
        noise = self.noise * abs(primal)
        return value <= primal + 1e-4 * slope + (noise if -slope <= noise else 0.0)

    def receive(self, results):
        if self.step is None:
            self._arrive(self.w, self.b, self.sigma, results[0])
            return
        sums, scans = results
        w, b, sigma = self._at(1.0)
        self.n_iter += 1
        if self._descends(sums["scan"][0] + self.problem.penalty.values(w), 1.0):
            self._arrive(w, b, sigma, sums)
            return
        for t, scan in zip(STEPS, scans):
            w, b, sigma = self._at(t)
            sigma, scan = _best_on_piece(self.problem, sigma, scan)
            if self._descends(self.problem.objective(w, scan), t):
                self.w, self.b, self.sigma = w, b, sigma
                self.cert = self.step = None
                return
        self.n_iter -= 1
        self.step, self.failed = None, True


def proximal_newton_step(problem, w, A, grad, max_sweeps=500):
    """The proximal Newton step of a penalty with an L1 part (or signs):
    ``d`` minimising the model ``grad . d + d^T A d / 2 + l1 . |w + d|``
    (``w + d >= 0`` with ``positive``), by coordinate descent on the
    (p + 2)-square model, on the client: no pass.  Returns ``d`` and the
    model's decrease ``grad . d + l1 . (|w + d| - |w|)``, negative unless
    w is optimal, which the line search's Armijo rule takes as its slope
    (Lee, Sun and Saunders, 2014, "Proximal Newton-type methods").  Once
    the signs settle, this is Newton's step on their face."""
    p, k = w.shape[0], A.shape[0]
    l1 = np.broadcast_to(problem.l1, (p,))
    z = np.concatenate([w, np.zeros(k - p)])     # the point w + d, and d past p
    x0 = z.copy()
    curvature = np.diagonal(A).copy()
    # a coordinate without curvature (no inlier sees it) cannot move in the model
    movable = curvature > EPS * np.max(curvature, initial=0.0)
    Ad = np.zeros(k)                             # A (z - x0)
    scale = np.max(np.abs(w), initial=0.0) + 1.0
    for _ in range(max_sweeps):
        largest = 0.0
        for j in np.flatnonzero(movable):
            partial = grad[j] + Ad[j]
            target = z[j] - partial / curvature[j]
            if j < p:
                threshold = l1[j] / curvature[j]
                new = np.sign(target) * max(abs(target) - threshold, 0.0)
                if problem.positive:
                    new = max(new, 0.0)
            else:
                new = target
            change = new - z[j]
            if change:
                Ad += change * A[:, j]
                z[j] = new
                largest = max(largest, abs(change))
        if largest <= 1e-13 * scale:
            break
    d = z - x0
    slope = np.dot(grad, d) + np.dot(l1, np.abs(z[:p]) - np.abs(w))
    return d, slope


def _best_on_piece(problem, sigma, scan):
    """The best scale between the scan's ``low`` and ``high`` (where no
    sample changes side), and the Scan there."""
    scan = Scan(*scan)
    q_in, denom = 0.5 * scan.dd_scale * sigma ** 3, scan.d_scale + 0.5 * scan.dd_scale * sigma
    root = np.sqrt(q_in / denom) if denom > 0 else np.inf
    to = max(min(max(root, scan.low), scan.high), problem.scale_floor)
    if not np.isfinite(to) or to == sigma:
        return sigma, scan
    moved = on_piece(sigma, to, scan)
    return (to, moved) if moved.fit <= scan.fit else (sigma, scan)


def start(moments, problem):
    """(w, b, sigma) to begin from: the lightly ridged least-squares fit,
    the best intercept, and the scale where all samples are inliers."""
    p, ys = moments.mean.shape[0] - 1, problem.y_scale
    cols = problem.cols
    S = moments.scatter
    if not problem.fit_intercept:
        S = S + moments.weight * np.outer(moments.mean, moments.mean)
    G, c, syy = S[np.ix_(cols, cols)], S[cols, p] / ys, S[p, p] / ys ** 2
    A = G.copy()
    A.flat[::cols.size + 1] += problem.l2 + 1e-10 * max(np.trace(G) / max(cols.size, 1),
                                                       1e-300)
    w = -newton_direction(A, c) if cols.size else np.zeros(0)
    w = w if np.all(np.isfinite(w)) else np.zeros(cols.size)
    if problem.positive:            # a start inside the constraint
        w = np.maximum(w, 0.0)
    rss = max(syy - 2 * np.dot(w, c) + w @ G @ w, 0.0)
    sigma = max(np.sqrt(rss / moments.weight), problem.scale_floor)
    return w, problem.y_centre, sigma


class Track:
    """The solve of one problem inside passes shared with others: Newton
    steps (``main``) until its certificate reaches ``tol * P(0)``, then
    towards ``tol**2 * P(0)`` within as many steps again (as in memory).
    ``null``, the problem without features, run in the same passes while
    it is not done, bounds P(0) from below.  Along a path, ``restart``
    takes the next penalty from where the last one ended."""

    def __init__(self, main, null, tol, max_iter, say=None):
        self.main, self.null, self.tol, self.max_iter, self.say = main, null, tol, max_iter, say
        self.restart()

    def restart(self):
        """Start over at the problem's current penalty (the point, and its
        sums, kept: no pass to certify it there)."""
        if self.main.cert is not None:
            self.main.retarget()
        self.converged, self.tol_abs, self.done = None, np.inf, False
        self.first = self.main.n_iter
        self.update()

    def solvers(self):
        if self.done:
            return []
        return [self.main] + ([] if null_settled(self.null) else [self.null])

    def update(self):
        """After a pass: the target (from P(0)'s bound) and whether done."""
        main, null = self.main, self.null
        if main.cert is None:
            self.done = main.failed
            return
        p0 = max([main.cert.primal - main.cert.gap]
                 + ([null.cert.primal - null.cert.gap] if null.cert else []))
        self.tol_abs = gap_target(self.tol, max(p0, 0.0), FINISHED_GAP_FLOOR)
        finish_abs = gap_target(self.tol ** 2, max(p0, 0.0), FINISHED_GAP_FLOOR)
        gap, steps = main.cert.gap, main.n_iter - self.first
        if self.say is not None:
            c = main.problem.y_scale
            self.say(f"Newton step {steps}, certificate {c * gap:.3e} (target "
                     f"{c * self.tol_abs:.3e})")
        if self.converged is None and gap <= self.tol_abs:
            self.converged = self._result()
            self.stop_at = steps + min(steps, self.max_iter - steps)
        self.done = ((self.converged is not None and (gap <= finish_abs or steps >= self.stop_at))
                     or main.failed or steps >= self.max_iter)

    def _result(self):
        return _result(self.main, self.tol_abs, self.main.n_iter - self.first)

    def result(self):
        """The HuberResult (caller's units): the finish's point, unless its
        certificate is worse (its objective is then within its smaller gap
        of the optimum, below the other's)."""
        last = self._result()
        if self.converged is not None and last.gap > self.converged.gap:
            last = self.converged
        return last


def drive(passes, shared, consts, tracks, per_block):
    """Run the ``tracks`` in shared passes until each is done (see
    ``block_requests`` for ``shared`` and ``consts``, ``Passes.run`` for
    ``per_block``)."""
    while True:
        solvers = [solver for track in tracks for solver in track.solvers()]
        if not solvers:
            return
        requests = [r for solver in solvers for r in solver.requests()]
        results = passes.run(block_requests, merge_results, shared, consts, requests,
                             indexed=True, per_block=per_block)
        for solver in solvers:
            solver.receive([res for req, res in zip(requests, results)
                            if req[1] == solver.index])
        for track in tracks:
            if not track.done:
                track.update()


def _result(solver, tol_abs, n_iter):
    """The HuberResult at the solver's point, in the caller's units."""
    problem, c = solver.problem, solver.problem.y_scale
    cert = solver.cert
    return HuberResult(coef=c * solver.w, intercept=c * (solver.b - np.dot(
        problem.centre, solver.w)), gap=c * (cert.gap + solver.excess),
        primal=c * (cert.primal + solver.excess), tol_abs=c * tol_abs,
        n_iter=n_iter, scale=c * solver.sigma)


def null_settled(null):
    """Whether the solve of a problem without features (P(0)'s bound) is
    as close as it needs to be, or can go no further."""
    cert = null.cert
    return null.failed or null.n_iter >= 100 or (
        cert is not None and cert.gap <= NULL_REL_TOL * abs(cert.primal))
