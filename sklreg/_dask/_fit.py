"""``fit`` and ``regularization_path`` of least-squares estimators on Dask data."""
from sklreg._dask._data import DaskData
from sklreg._dask._moments import merge_all, one_pass
from sklreg._dask._reduced import Reduced, fit_reduced, reduced_path
from sklreg.utils._progress import fit_progress
from sklreg.utils.validation import validate_params


def is_ridge(estimator):
    return getattr(estimator, "_spectral_path", False)


def check_supported(estimator):
    """The Gram route covers least squares: Lasso, ElasticNet and Ridge."""
    if getattr(estimator, "_loss", None) == "squared" or is_ridge(estimator):
        return
    raise TypeError(
        f"{type(estimator).__name__} does not fit Dask data yet: on Dask arrays and "
        "DataFrames sklreg fits Lasso, ElasticNet and Ridge (and their CV and paths); "
        "compute X and y into memory to fit this estimator")


def total_moments(estimator, X, y, sample_weight):
    """Checked data and the moments of all its rows (one pass)."""
    validate_params(estimator)
    check_supported(estimator)
    data = DaskData(X, y, sample_weight)
    estimator._check_params(data.n_features)
    with fit_progress(getattr(estimator, "verbose", 0), type(estimator).__name__):
        moments = merge_all(list(one_pass(data).values()))
    _report_pass(estimator, data, moments)
    return data, moments


def _report_pass(estimator, data, moments):
    if getattr(estimator, "verbose", 0):
        print(f"[{type(estimator).__name__}] one pass over {data.n_blocks} blocks of "
              f"Dask data: {moments.rows} rows, {data.n_features} features; solving "
              f"the {data.n_features} x {data.n_features} reduced problem", flush=True)


def fit(estimator, X, y, sample_weight=None):
    """``estimator.fit(X, y, sample_weight)`` for Dask X: one pass, then the
    in-memory solver on the equivalent p x p problem."""
    data, moments = total_moments(estimator, X, y, sample_weight)
    reduced = Reduced(moments, estimator.fit_intercept, is_ridge(estimator))
    fit_reduced(estimator, reduced, data.dtype, data.feature_names)
    estimator.n_features_in_ = data.n_features
    return estimator


def path(estimator, X, y, *, sample_weight=None, **kwargs):
    """``regularization_path`` for Dask X: one pass, then the path of the
    equivalent p x p problem."""
    data, moments = total_moments(estimator, X, y, sample_weight)
    reduced = Reduced(moments, estimator.fit_intercept, is_ridge(estimator))
    return reduced_path(estimator, reduced, data.dtype, **kwargs)
