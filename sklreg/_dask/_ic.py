"""LassoIC and ElasticNetIC on Dask data: the path and its criterion from the
moments of one pass.

The Gaussian criterion needs, at each alpha, the weighted residual sum of
squares (a quadratic form in the moments of ``[X, y]``: ``squared_errors``),
the degrees of freedom (the number of non-zeros, or the elastic net's
smoother trace, whose singular values are the square roots of the
eigenvalues of the active columns' scatter) and the noise variance (the
least-squares fit's residual, from the same moments).  So one pass gives
all of it; the path itself runs on the reduced problem (``_reduced``).

QuantileRegressorIC is not fitted here: its path on Dask data would be one
globbing (two passes or more) per alpha, since a quantile fit's band depends
on its own solution, and its criterion is a per-row loss, not a moment.
"""
import numpy as np
from scipy.optimize import nnls

from sklreg._dask._cv import squared_errors
from sklreg._dask._data import DaskData
from sklreg._dask._moments import merge_all, one_pass
from sklreg._dask._passes import on_client
from sklreg._dask._reduced import Reduced, reduced_path
from sklreg.utils._progress import fit_progress
from sklreg.utils.validation import validate_params

TIGHT_TOL = 1e-10


@on_client
def fit_ic(ic, X, y, sample_weight=None):
    """``ic.fit`` (LassoIC, ElasticNetIC) on Dask data: one pass."""
    validate_params(ic)
    if not hasattr(ic, "_gaussian"):
        raise TypeError(
            f"{type(ic).__name__} does not fit Dask data: its path would need a globbing "
            "(two passes or more over the data) at every alpha, since a quantile fit's "
            "band of rows depends on its own solution, and its criterion is a per-row "
            "pinball loss rather than a moment. Choose alpha by QuantileRegressorCV or "
            "LassoIC in memory on a sample of rows, then fit QuantileRegressor on the "
            "Dask data at that alpha")
    estimator = ic._estimator()
    validate_params(estimator)
    data = DaskData(X, y, sample_weight)
    p = data.n_features
    estimator._check_params(p)
    with fit_progress(getattr(ic, "verbose", 0), type(ic).__name__):
        moments = merge_all(list(one_pass(data).values()))
    reduced = Reduced(moments, ic.fit_intercept, ridge=False)
    # The criterion compares residual sums across alphas, which differ by
    # ~1e-6 relative at the flat end of the path: at a gap of tol * P(0)
    # the choice would be left to rounding of the solves.  The reduced
    # problem's gap is also sharper than the full one's (no noise part in
    # its residual), so it stops sooner than in memory.  Its path costs no
    # pass: it is solved to tol**2 (not below TIGHT_TOL, near rounding).
    tol = min(ic.tol, max(ic.tol ** 2, TIGHT_TOL))
    path = reduced_path(estimator.set_params(tol=tol), reduced, data.dtype,
                        alphas=ic.alphas, eps=ic.eps)
    n = moments.weight
    rss = n * squared_errors(moments, path.coefs, path.intercepts)
    noise = None
    if ic.noise_variance is None:
        dof = ic._noise_dof(n, p)
        # the reduced problem's least squares are the full one's (R^T R = k^2 G)
        coef = (nnls(reduced.R, reduced.z)[0] if ic.positive
                else np.linalg.lstsq(reduced.R, reduced.z, rcond=None)[0])
        intercept = reduced.intercepts(coef) if ic.fit_intercept else 0.0
        noise = n * float(squared_errors(moments, coef, intercept)[0]) / dof
    scatter = moments.scatter
    if not ic.fit_intercept:            # uncentred, as the columns the fit sees
        scatter = scatter + n * np.outer(moments.mean, moments.mean)

    def squared_singular_values(columns):
        return np.maximum(np.linalg.eigvalsh(scatter[np.ix_(columns, columns)]), 0.0)
    df = ic._smoother_df(n, path, squared_singular_values)
    ic._choose(path, ic._gaussian(n, rss, noise, df), data.dtype)
    ic.n_features_in_ = p
    if data.feature_names is not None:
        ic.feature_names_in_ = data.feature_names
    elif hasattr(ic, "feature_names_in_"):
        del ic.feature_names_in_
    return ic
