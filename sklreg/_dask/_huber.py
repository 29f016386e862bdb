"""HuberRegressor on Dask data: damped Newton, one pass over the blocks a step.

The in-memory solver's Newton method (``sklreg.solvers.huber``) needs, at a
point (w, b, sigma), only sums over the samples: the scale's scan, the dual
point's sums (``HuberProblem.dual_of_sums``), the inliers' Gram and the
outliers' signed sums (``newton_matrix``).  Each pass computes them per
block and merges them on the workers, at the Newton step's full point and,
in the same pass, the scans along the step that the line search may need:

* the full step is taken when it decreases the objective enough (Armijo):
  the next step's sums are then already there, one pass a step;
* otherwise the longest shorter step that does, at the best scale on its
  piece (``on_piece``: exact while no sample changes side), and the next
  pass computes the sums there.

The certificate is the in-memory problem's (``SummedHuberProblem`` is a
``HuberProblem`` whose samples stay on the workers), computed at the final
point from that pass's sums.  ``P(0)``, the scale of ``tol``, is bounded
from below by the same Newton method on the problem without features, run
in the same passes (the objective of any point minus its gap bounds it
too): the target ``tol * P(0)`` is never looser than in memory.  A first
pass gives the moments of ``[X, y]``: the least-squares start, the columns'
means (X is centred by them on the workers, which changes the intercept,
not the optimum) and the scale of y.
"""
from types import SimpleNamespace

import numpy as np

from sklreg._core._losses import Huber
from sklreg._dask._data import DaskData, refuse_bounds
from sklreg._dask._moments import UNSPLIT, _block_moments, _dense, block_arrays, merge_all
from sklreg._dask._passes import Passes
from sklreg.solvers._base import FINISHED_GAP_FLOOR, gap_target
from sklreg.solvers.huber._hessian import newton_direction, newton_matrix
from sklreg.solvers.huber._newton import newton_gradient
from sklreg.solvers.huber._problem import HuberProblem, Scan, _inlier_epsilon
from sklreg.solvers.huber._result import HuberResult
from sklreg.solvers.huber._scale import ROUNDING, on_piece
from sklreg.solvers.huber._session import SCALE_FLOOR

STEPS = tuple(0.5 ** k for k in range(8))    # line-search trials, one pass for all
NULL_REL_TOL = 1e-12                          # the P(0) solve's relative target


class _Shape:
    """Stands for X where the problem only asks its shape."""

    def __init__(self, shape):
        self.shape = shape


class SummedHuberProblem(HuberProblem):
    """The ``HuberProblem`` of centred columns ``cols`` of X, whose samples
    stay on the workers: its certificate, objective and penalty are the
    in-memory problem's, fed with sums a pass returns (``xs`` is set from
    the first one)."""

    def __init__(self, moments, min_weight, cols, epsilon, l1, l2, fit_intercept, y_scale):
        p = moments.mean.shape[0] - 1
        self.n_w, self.y_scale, self.fit_intercept = moments.weight, y_scale, fit_intercept
        self.epsilon = float(epsilon)
        self.eps = _inlier_epsilon(self.epsilon, np.array([min_weight]), self.n_w)
        self.loss = Huber(self.eps)
        self.positive, self.bounds = False, None
        self.set_penalty(l1, l2)
        self.cols = cols
        self.X = _Shape((moments.rows, cols.size))
        scatter = moments.scatter[np.ix_(cols, cols)].diagonal()
        self.centre = moments.mean[cols] if fit_intercept else np.zeros(cols.size)
        self.sqnorms = scatter + (0.0 if fit_intercept else moments.weight * self.centre ** 2)
        self.xs = np.zeros(cols.size)
        self.y_centre = moments.mean[p] / y_scale if fit_intercept else 0.0
        self.constant = np.zeros(cols.size, dtype=bool)
        self.shift = None
        spread = np.sqrt(moments.scatter[p, p] / moments.weight) / y_scale
        self.scale_floor = max(SCALE_FLOOR * spread, 10 * np.finfo(np.float64).eps)

    def consts(self):
        """What the workers need to compute this problem's sums."""
        return SimpleNamespace(cols=self.cols, centre=self.centre, y_scale=self.y_scale,
                               y_centre=self.y_centre, eps=self.eps, epsilon=self.epsilon,
                               fit_intercept=self.fit_intercept)


# -- on the workers ----------------------------------------------------------
def _block_arrays(X, y, s, c):
    """The block's centred columns, scaled y and weights, in float64."""
    X, y, s = block_arrays(X, y, s, "", check=False)
    return X[:, c.cols] - c.centre, y / c.y_scale, np.ascontiguousarray(s)


def _residual(Xc, yv, w, b):
    return yv - b if w is None else yv - Xc @ w - b


def _point_sums(Xc, yv, s, c, w, b, sigma):
    """The sums at (w, b, sigma) of one block (w None: no features)."""
    r = _residual(Xc, yv, w, b)
    loss = Huber(c.eps, sigma)
    theta, weight = np.empty_like(r), np.empty_like(r)
    scan = loss.scan(r, s, theta, weight)
    X = Xc if w is not None else Xc[:, :0]
    B = np.column_stack([X, np.ones(r.size)]) if c.fit_intercept else X
    threshold = c.eps * sigma
    side = (r > threshold).astype(np.float64) - (r < -threshold)
    inlier = side == 0
    Bi = B[inlier]
    problem = SimpleNamespace(eps=c.eps, epsilon=c.epsilon, s=s)
    return {"scan": scan, "energy": loss.theta_energy, "top": loss.theta_max,
            "bottom": loss.theta_min, "total": theta.sum(), "grad": X.T @ theta,
            "ty": np.dot(theta, yv - c.y_centre), "G": Bi.T @ (Bi * s[inlier, None]),
            "S": B.T @ (s * side), "xs": X.T @ s,
            "excess": HuberProblem.excess(problem, r, sigma)}


def _trial_scans(Xc, yv, s, c, w, b, dw, db, trials):
    """The scans at (w + t dw, b + t db, sigma_t) for each (t, sigma_t)."""
    r = _residual(Xc, yv, w, b)
    dr = -(db if w is None else Xc @ dw + db)
    return [Huber(c.eps, sigma).scan(r + t * dr, s) for t, sigma in trials]


def _block_requests(X, y, s, consts, requests):
    """Each request of the pass on one block: ('sums', problem index, w,
    b, sigma) or ('trials', problem index, w, b, dw, db, trials)."""
    arrays = _block_arrays(X, y, s, consts[0])
    out = []
    for kind, k, *args in requests:
        fn = _point_sums if kind == "sums" else _trial_scans
        out.append(fn(*arrays, consts[k], *args))
    return out


def _merge_scan(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], max(a[3], b[3]), min(a[4], b[4]))


def _merge_sums(a, b):
    out = {key: a[key] + b[key] for key in a if key not in ("scan", "top", "bottom")}
    out.update(scan=_merge_scan(a["scan"], b["scan"]), top=max(a["top"], b["top"]),
               bottom=min(a["bottom"], b["bottom"]))
    return out


def _merge_results(parts):
    total = parts[0]
    for part in parts[1:]:
        total = [_merge_sums(x, y) if isinstance(x, dict) else
                 [_merge_scan(u, v) for u, v in zip(x, y)] for x, y in zip(total, part)]
    return total


def _first_block(X, y, s, index, where):
    """The block's moments of [X, y] (the input checked) and its smallest
    positive weight."""
    moments = _block_moments(X, y, s, None, index, where, None)[UNSPLIT]
    if s is None or np.ndim(s) == 0:
        return moments, 1.0 if s is None else float(s)
    s = _dense(s, "sample_weight", where).reshape(-1)
    return moments, float(s[s > 0].min(initial=np.inf))


def _merge_first(parts):
    return merge_all([m for m, _ in parts]), min(low for _, low in parts)


# -- on the client -----------------------------------------------------------
class _Newton:
    """Damped Newton on (w, [b,] sigma) of a ``SummedHuberProblem``; its
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

    def _arrive(self, w, b, sigma, sums):
        """Take (w, b, sigma) with its sums; the next step from there."""
        problem = self.problem
        problem.xs = sums["xs"]
        dual = problem.dual_of_sums(Scan(*sums["scan"]), sums["total"], sums["grad"],
                                    sums["energy"], sums["top"], sums["bottom"], sums["ty"])
        self.w, self.b, self.sigma = w, b, sigma
        self.cert, self.excess = problem.certify(w, dual, sigma), sums["excess"]
        self.grad = newton_gradient(problem, w, self.cert)
        A = newton_matrix(problem, sums["G"], sums["S"], sigma, dual)
        self.step = newton_direction(A, self.grad)
        if not (np.dot(self.grad, self.step) < 0 and np.all(np.isfinite(self.step))):
            self.step = None
            self.failed = True

    def _descends(self, value, t):
        primal = self.cert.primal
        slope = t * np.dot(self.grad, self.step)
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


def _start(moments, problem):
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
    rss = max(syy - 2 * np.dot(w, c) + w @ G @ w, 0.0)
    sigma = max(np.sqrt(rss / moments.weight), problem.scale_floor)
    return w, problem.y_centre, sigma


def fit_huber(estimator, X, y, sample_weight=None):
    """``HuberRegressor.fit`` on Dask data (smooth penalty: ``l1_ratio=0``
    or ``alpha=0``, ``positive=False``)."""
    from sklreg.utils.validation import validate_params

    validate_params(estimator)
    refuse_bounds(estimator)
    l1, l2 = estimator._penalty_at(estimator.alpha, 1)
    if estimator.positive or l1[0] > 0:
        raise ValueError(
            f"HuberRegressor on Dask data fits a smooth penalty (Newton's method, one "
            f"pass a step): l1_ratio=0 (or alpha=0) and positive=False; got l1_ratio="
            f"{estimator.l1_ratio!r}, positive={estimator.positive!r}. Fit in memory "
            f"for an L1 part or signs")
    data = DaskData(X, y, sample_weight)
    passes = _Passes(data, estimator)
    moments, min_weight = passes.first()
    if moments.weight <= 0:
        raise ValueError("sample_weight is zero on every row: nothing to fit")
    p = data.n_features
    scatter = moments.scatter.diagonal()[:p]
    # a constant column only duplicates the intercept: its coefficient is 0
    cols = np.flatnonzero(~(estimator.fit_intercept & (
        scatter <= moments.weight * (16 * np.finfo(float).eps * moments.mean[:p]) ** 2)))
    y_scale = _y_scale(moments)
    l1, l2 = estimator._penalty_at(estimator.alpha, cols.size)
    main = SummedHuberProblem(moments, min_weight, cols, estimator.epsilon, l1, l2,
                              estimator.fit_intercept, y_scale)
    null = SummedHuberProblem(moments, min_weight, np.zeros(0, dtype=np.intp),
                              estimator.epsilon, np.zeros(0), np.zeros(0),
                              estimator.fit_intercept, y_scale)
    start = _start(moments, main)
    if estimator.warm_start and np.size(getattr(estimator, "coef_", ())) == p:
        # the previous fit's coefficients, intercept and scale
        w = np.asarray(estimator.coef_, dtype=np.float64)[cols] / y_scale
        b = float(estimator.intercept_) / y_scale + np.dot(main.centre, w)
        start = (w, b, max(estimator.scale_ / y_scale, main.scale_floor))
    result = passes.newton([main.consts(), null.consts()],
                           _Newton(main, 0, *start, moments.rows),
                           _Newton(null, 1, *_start(moments, null), moments.rows))
    result.warn_if_not_converged(alpha=estimator.alpha)
    coef = np.zeros(p)
    coef[cols] = result.coef
    estimator.coef_ = coef.astype(data.dtype)
    estimator.intercept_ = data.dtype.type(result.intercept)
    estimator.scale_ = float(result.scale)
    estimator.dual_gap_, estimator.n_iter_ = result.gap, result.n_iter
    estimator.n_features_in_ = p
    if data.feature_names is not None:
        estimator.feature_names_in_ = data.feature_names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    estimator.outliers_ = _outliers(data, coef, result.intercept,
                                    result.scale * estimator.epsilon)
    return estimator


def _y_scale(moments):
    """A power of two near y's spread (its weighted standard deviation, or
    its mean when y is constant), 1 for y = 0: as in memory, the solver's
    rounding allowances are then relative whatever y's magnitude."""
    spread = np.sqrt(moments.scatter[-1, -1] / moments.weight)
    mean = abs(moments.mean[-1])
    top = spread if spread > 2.0 ** -60 * mean else mean
    return float(np.ldexp(1.0, int(np.frexp(top)[1]))) if 0 < top < np.inf else 1.0


class _Passes(Passes):
    """The passes of a Huber fit: the moments, then Newton's."""

    def __init__(self, data, estimator):
        super().__init__(data, estimator)
        self.tol, self.max_iter = estimator.tol, estimator.max_iter

    def first(self):
        out = self.run(_first_block, _merge_first, indexed=True)
        self.say(f"moments of {out[0].rows} rows, {self.data.n_features} features")
        return out

    def newton(self, consts, main, null):
        """Run ``main`` and ``null`` (the problem without features, whose
        objective bounds P(0)) in the same passes, until ``main``'s
        certificate reaches ``tol * P(0)`` and then, within as many steps
        again, ``tol**2 * P(0)`` (as in memory)."""
        converged, tol_abs = None, np.inf
        while True:
            solvers = [main] + ([null] if not _done(null) else [])
            requests = [r for solver in solvers for r in solver.requests()]
            results = self.run(_block_requests, _merge_results, consts, requests)
            for solver in solvers:
                mine = [res for req, res in zip(requests, results) if req[1] == solver.index]
                solver.receive(mine)
            if main.cert is None:
                if main.failed:
                    break
                continue
            p0 = max([main.cert.primal - main.cert.gap]
                     + ([null.cert.primal - null.cert.gap] if null.cert else []))
            tol_abs = gap_target(self.tol, max(p0, 0.0), FINISHED_GAP_FLOOR)
            finish_abs = gap_target(self.tol ** 2, max(p0, 0.0), FINISHED_GAP_FLOOR)
            gap = main.cert.gap
            c = main.problem.y_scale
            self.say(f"Newton step {main.n_iter}, certificate {c * gap:.3e} (target "
                     f"{c * tol_abs:.3e})")
            if converged is None and gap <= tol_abs:
                converged = self._result(main, tol_abs)
                stop_at = main.n_iter + min(main.n_iter, self.max_iter - main.n_iter)
            if converged is not None and (gap <= finish_abs or main.n_iter >= stop_at):
                break
            if main.failed or main.n_iter >= self.max_iter:
                break
        last = self._result(main, tol_abs)
        # the finish's point, unless its certificate is worse (its objective
        # is then within its smaller gap of the optimum, below the other's)
        if converged is not None and last.gap > converged.gap:
            last = converged
        self.say(f"done after {last.n_iter} Newton steps: certificate {last.gap:.3e}")
        return last

    def _result(self, solver, tol_abs):
        """The HuberResult at the solver's point, in the caller's units."""
        problem, c = solver.problem, solver.problem.y_scale
        cert = solver.cert
        return HuberResult(coef=c * solver.w, intercept=c * (solver.b - np.dot(
            problem.centre, solver.w)), gap=c * (cert.gap + solver.excess),
            primal=c * (cert.primal + solver.excess), tol_abs=c * tol_abs,
            n_iter=solver.n_iter, scale=c * solver.sigma)


def _done(null):
    cert = null.cert
    return null.failed or null.n_iter >= 100 or (
        cert is not None and cert.gap <= NULL_REL_TOL * abs(cert.primal))


def _outlier_block(X, y, coef, intercept, threshold):
    X, y, _ = block_arrays(X, y, None, "", check=False)
    return np.abs(y - X @ coef - intercept) > threshold


def _outliers(data, coef, intercept, threshold):
    """``outliers_`` as a lazy Dask array, block by block."""
    import dask
    import dask.array as da

    lengths = data.row_chunks if not data.frame else [np.nan] * data.n_blocks
    return da.concatenate([
        da.from_delayed(dask.delayed(_outlier_block, pure=True)(x, y, coef, intercept,
                                                                threshold),
                        (n,), dtype=bool)
        for (x, y, _), n in zip(data.blocks(), lengths)])
