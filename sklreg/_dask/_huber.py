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
from types import SimpleNamespace

import numpy as np

from sklreg._dask._data import DaskData, refuse_bounds
from sklreg._dask._huber_blocks import first_block, merge_first, outlier_block
from sklreg._dask._huber_newton import Newton, SummedHuberProblem, Track, drive, start
from sklreg._dask._moments import UNSPLIT
from sklreg._dask._passes import Passes


def fit_huber(estimator, X, y, sample_weight=None):
    """``HuberRegressor.fit`` on Dask data: Newton's method (proximal
    Newton with an L1 part or ``positive``), one pass a step."""
    from sklreg.utils.validation import validate_params

    validate_params(estimator)
    refuse_bounds(estimator)
    data = DaskData(X, y, sample_weight)
    passes = Passes(data, estimator)
    labelled, min_weight = first_pass(passes, [None] * data.n_blocks)
    moments = labelled[UNSPLIT]
    if moments.weight <= 0:
        raise ValueError("sample_weight is zero on every row: nothing to fit")
    p = data.n_features
    cols = varying_columns(moments, estimator.fit_intercept, p)
    y_scale = y_scale_of(moments)
    l1, l2 = estimator._penalty_at(estimator.alpha, cols.size)
    centre = moments.mean[:p] if estimator.fit_intercept else np.zeros(p)
    main = SummedHuberProblem(moments, min_weight, cols, estimator.epsilon, l1, l2,
                              estimator.fit_intercept, y_scale, estimator.positive, centre)
    null = SummedHuberProblem(moments, min_weight, np.zeros(0, dtype=np.intp),
                              estimator.epsilon, np.zeros(0), np.zeros(0),
                              estimator.fit_intercept, y_scale)
    begin = start(moments, main)
    if estimator.warm_start and np.size(getattr(estimator, "coef_", ())) == p:
        # the previous fit's coefficients, intercept and scale
        w = np.asarray(estimator.coef_, dtype=np.float64)[cols] / y_scale
        b = float(estimator.intercept_) / y_scale + np.dot(main.centre, w)
        begin = (w, b, max(estimator.scale_ / y_scale, main.scale_floor))
    shared = SimpleNamespace(centre=centre, y_scale=y_scale, hashed=None)
    track = Track(Newton(main, 0, *begin, moments.rows),
                  Newton(null, 1, *start(moments, null), moments.rows),
                  estimator.tol, estimator.max_iter, say=passes.say)
    drive(passes, shared, [main.consts(), null.consts()], [track], [None] * data.n_blocks)
    result = track.result()
    passes.say(f"done after {result.n_iter} Newton steps: certificate {result.gap:.3e}")
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


def varying_columns(moments, fit_intercept, p):
    """The columns fitted: with an intercept, a constant column only
    duplicates it (its coefficient is 0)."""
    scatter = moments.scatter.diagonal()[:p]
    return np.flatnonzero(~(fit_intercept & (
        scatter <= moments.weight * (16 * np.finfo(float).eps * moments.mean[:p]) ** 2)))


def y_scale_of(moments):
    """A power of two near y's spread (its weighted standard deviation, or
    its mean when y is constant), 1 for y = 0: as in memory, the solver's
    rounding allowances are then relative whatever y's magnitude."""
    spread = np.sqrt(moments.scatter[-1, -1] / moments.weight)
    mean = abs(moments.mean[-1])
    top = spread if spread > 2.0 ** -60 * mean else mean
    return float(np.ldexp(1.0, int(np.frexp(top)[1]))) if 0 < top < np.inf else 1.0


def first_pass(passes, per_block, hashed=None):
    """The first pass: the moments of [X, y] per fold label (UNSPLIT
    without folds) and the smallest positive weight."""
    labelled, min_weight = passes.run(first_block, merge_first, hashed, indexed=True,
                                      per_block=per_block)
    rows = sum(m.rows for m in labelled.values())
    passes.say(f"moments of {rows} rows, {passes.data.n_features} features")
    return labelled, min_weight


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
