"""HuberRegressor on Dask data: damped Newton, one pass over the blocks a step.

The in-memory solver's Newton method (``sklreg.solvers.huber``) needs, at a
point (w, b, sigma), only sums over the samples: the scale's scan, the dual
point's sums (``HuberCertificate.dual_of_sums``), the inliers' Gram and the
outliers' signed sums (``newton_matrix``).  The workers compute them block
by block (``_huber_blocks``); the client runs Newton's steps and the
certificate on them (``_huber_newton``).  A first pass gives the moments
of ``[X, y]``: the least-squares start, the columns' means (X is centred by
them on the workers, which changes the intercept, not the optimum) and the
scale of y.
"""
import numpy as np

from sklreg._dask._data import DaskData, refuse_bounds
from sklreg._dask._huber_blocks import first_block, merge_first, outlier_block
from sklreg._dask._huber_newton import Newton, SummedHuberProblem, run_newton, start
from sklreg._dask._passes import Passes


def fit_huber(estimator, X, y, sample_weight=None):
    """``HuberRegressor.fit`` on Dask data: Newton's method (proximal
    Newton with an L1 part or ``positive``), one pass a step."""
    from sklreg.utils.validation import validate_params

    validate_params(estimator)
    refuse_bounds(estimator)
    data = DaskData(X, y, sample_weight)
    passes = Passes(data, estimator)
    moments, min_weight = _first(passes)
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
                              estimator.fit_intercept, y_scale, estimator.positive)
    null = SummedHuberProblem(moments, min_weight, np.zeros(0, dtype=np.intp),
                              estimator.epsilon, np.zeros(0), np.zeros(0),
                              estimator.fit_intercept, y_scale)
    begin = start(moments, main)
    if estimator.warm_start and np.size(getattr(estimator, "coef_", ())) == p:
        # the previous fit's coefficients, intercept and scale
        w = np.asarray(estimator.coef_, dtype=np.float64)[cols] / y_scale
        b = float(estimator.intercept_) / y_scale + np.dot(main.centre, w)
        begin = (w, b, max(estimator.scale_ / y_scale, main.scale_floor))
    result = run_newton(passes, [main.consts(), null.consts()],
                        Newton(main, 0, *begin, moments.rows),
                        Newton(null, 1, *start(moments, null), moments.rows),
                        estimator.tol, estimator.max_iter)
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


def _first(passes):
    """The first pass: the moments of [X, y] and the smallest positive weight."""
    out = passes.run(first_block, merge_first, indexed=True)
    passes.say(f"moments of {out[0].rows} rows, {passes.data.n_features} features")
    return out


def _outliers(data, coef, intercept, threshold):
    """``outliers_`` as a lazy Dask array, block by block."""
    import dask
    import dask.array as da

    lengths = data.row_chunks if not data.frame else [np.nan] * data.n_blocks
    return da.concatenate([
        da.from_delayed(dask.delayed(outlier_block, pure=True)(x, y, coef, intercept,
                                                               threshold),
                        (n,), dtype=bool)
        for (x, y, _), n in zip(data.blocks(), lengths)])
