"""``fit``, ``regularization_path``, ``alpha_max`` and ``predict`` of
least-squares estimators on Dask data."""
import numpy as np

from sklreg._dask._data import DaskData
from sklreg._dask._moments import merge_all, one_pass
from sklreg._dask._passes import on_client
from sklreg._dask._reduced import Reduced, fit_reduced, inner_estimator, reduced_path
from sklreg.utils._progress import fit_progress
from sklreg.utils.validation import validate_params


def is_ridge(estimator):
    return hasattr(estimator, "_ridge_problem")


WHY_NOT = {
    "quantile": "a quantile fit's band of rows depends on its own solution, so every "
                "alpha (of every fold) would need a globbing of its own, two passes or "
                "more: a 5-fold x 100-alpha search would read the data about a thousand "
                "times. Choose alpha in memory on a sample of rows, then fit "
                "QuantileRegressor on the Dask data at that alpha",
    "huber": "its path on Dask data is not built (Newton passes at every alpha): use "
             "HuberRegressorCV, whose folds' paths share their passes, or "
             "HuberRegressor at each alpha",
}


def check_supported(estimator, name=None):
    """The Gram route covers least squares: Lasso, ElasticNet and Ridge
    (``name``: the estimator named in the error, a ``*CV``'s own); a robust
    loss's path or CV says why it is not available."""
    if getattr(estimator, "_dask_moments", False):
        return
    reason = WHY_NOT.get(getattr(estimator, "_dask_fit", None))
    raise TypeError(
        f"{name or type(estimator).__name__} does not fit Dask data" + (
            f": {reason}" if reason else
            " yet: on Dask arrays and DataFrames sklreg fits Lasso, ElasticNet, Ridge and "
            "the multi-task lasso and elastic net (and their CV, IC and paths), "
            "HuberRegressor(CV) and single QuantileRegressor fits; compute X and y into "
            "memory for this one"))


def check_target(estimator, data):
    """The estimator's own check of y's shape (a multi-task estimator's 2-D
    y), before any pass; y as the reduced problem's ``targets``."""
    y = np.empty((0,) if data.y_ndim == 1 else (0, data.n_targets))
    check = getattr(estimator, "_check_target", None)
    if check is not None:
        y = check(y)
    return None if y.ndim == 1 else y.shape[1]


def total_moments(estimator, X, y, sample_weight):
    """Checked data, the moments of all its rows (one pass) and y's
    ``targets`` (see ``Reduced``)."""
    validate_params(estimator)
    check_supported(estimator)
    data = DaskData(X, y, sample_weight, targets=True)
    targets = check_target(estimator, data)
    estimator._check_params(data.n_features)
    with fit_progress(getattr(estimator, "verbose", 0), type(estimator).__name__):
        moments = merge_all(list(one_pass(data).values()))
    _report_pass(estimator, data, moments)
    return data, moments, targets


def _report_pass(estimator, data, moments):
    if getattr(estimator, "verbose", 0):
        print(f"[{type(estimator).__name__}] one pass over {data.n_blocks} blocks of "
              f"Dask data: {moments.rows} rows, {data.n_features} features; solving "
              f"the {data.n_features} x {data.n_features} reduced problem", flush=True)


@on_client
def fit(estimator, X, y, sample_weight=None):
    """``estimator.fit(X, y, sample_weight)`` for Dask X: one pass, then the
    in-memory solver on the equivalent p x p problem (least squares), or
    Newton's passes (Huber, ``_huber``), or globbing (quantile, ``_quantile``)."""
    route = getattr(estimator, "_dask_fit", None)
    if route == "huber":
        from sklreg._dask._huber import fit_huber
        return fit_huber(estimator, X, y, sample_weight)
    if route == "quantile":
        from sklreg._dask._quantile import fit_quantile
        return fit_quantile(estimator, X, y, sample_weight)
    data, moments, targets = total_moments(estimator, X, y, sample_weight)
    reduced = Reduced(moments, estimator.fit_intercept, is_ridge(estimator), targets)
    fit_reduced(estimator, reduced, data.dtype, data.feature_names)
    estimator.n_features_in_ = data.n_features
    return estimator


@on_client
def path(estimator, X, y, *, sample_weight=None, **kwargs):
    """``regularization_path`` for Dask X: one pass, then the path of the
    equivalent p x p problem."""
    data, moments, targets = total_moments(estimator, X, y, sample_weight)
    reduced = Reduced(moments, estimator.fit_intercept, is_ridge(estimator), targets)
    return reduced_path(estimator, reduced, data.dtype, **kwargs)


@on_client
def alpha_max(estimator, X, y, sample_weight=None):
    """``sklreg.alpha_max`` for Dask X: the reduced problem's, which is the
    full one's (its ``R^T z`` is the full ``X_c^T S y_c`` times ``k^2``,
    the datafit's ``1/n`` scale the same)."""
    from sklreg.path import validated_alpha_max

    _, moments, targets = total_moments(estimator, X, y, sample_weight)
    reduced = Reduced(moments, estimator.fit_intercept, is_ridge(estimator), targets)
    return validated_alpha_max(inner_estimator(estimator), reduced.R, reduced.z, None)


def _predict_block(block, coef, intercept):
    import pandas as pd

    values = np.asarray(block, dtype=np.float64) @ coef.T + intercept
    return pd.Series(values, index=block.index) if hasattr(block, "index") else values


def predict(estimator, X):
    """``estimator.predict`` on Dask X: a lazy Dask array (a Series for a
    DataFrame), computed block by block on the workers."""
    p = X.shape[1] if not hasattr(X, "divisions") else len(X.columns)
    if p != estimator.n_features_in_:
        raise ValueError(f"X has {p} features, but {type(estimator).__name__} is "
                         f"expecting {estimator.n_features_in_} features as input.")
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    intercept = np.asarray(estimator.intercept_, dtype=np.float64)
    if hasattr(X, "divisions"):
        if coef.ndim != 1:
            raise ValueError("predict on a Dask DataFrame takes a single-target model")
        return X.map_partitions(_predict_block, coef, intercept, meta=(None, "f8"))
    if len(X.chunks[1]) != 1:
        X = X.rechunk({1: -1})
    return X.map_blocks(_predict_block, coef, intercept, dtype=np.float64,
                        drop_axis=1 if coef.ndim == 1 else None,
                        chunks=(X.chunks[0],) if coef.ndim == 1 else (X.chunks[0], (len(coef),)))
