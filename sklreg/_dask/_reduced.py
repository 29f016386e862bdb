"""The p x p least-squares problem equivalent to a tall one, from its moments.

With the intercept profiled out, the least-squares term of Lasso, ElasticNet
and Ridge depends on the data only through ``G = Xc^T S Xc``, ``c = Xc^T S yc``
and ``yc^T S yc`` (``Xc``, ``yc`` centred by the weighted means).  From
``G = V diag(lam) V^T`` take the p x p design ``R = k diag(sqrt(lam)) V^T``
and target ``z = k diag(1/sqrt(lam)) V^T c`` with no intercept and unit
weights (and a zero row appended to both): then ``R^T R = k^2 G`` and
``R^T z = k^2 c``, and with ``k^2 = (p + 1) / n_w`` (``k = 1`` for Ridge, whose objective has no ``1/n_w``) the reduced
objective equals the full one at every ``w`` minus a constant (the residual
of the least-squares fit, ``yc^T S yc - c^T G^+ c``, scaled).  So the same
solvers run on it, and its duality gap bounds the full problem's
suboptimality: a gap is a bound on ``P(w) - P*``, which the constant does
not change.  The reported gaps add the rounding of the moments, ``(p + 1)
eps P(0)``, below which no gap of the full problem can certify.
"""
import numpy as np
from sklearn.base import clone

from sklreg.path import PathData, regularization_path

EPS = np.finfo(np.float64).eps


class Reduced:
    """``R``, ``z`` and the means that give back the intercept; ``targets``:
    None for a 1-D y, else the number of columns of a 2-D y (``z`` then has
    as many, and the reduction is the same for each: ``G`` is shared)."""

    def __init__(self, moments, fit_intercept, ridge, targets=None):
        t = 1 if targets is None else targets
        p = moments.mean.shape[0] - t
        if moments.weight <= 0:
            raise ValueError("sample_weight is zero on every row: nothing to fit")
        scatter, mean = moments.scatter, moments.mean
        if not fit_intercept:           # uncentred moments: add the mean back
            scatter = scatter + moments.weight * np.outer(mean, mean)
            mean = np.zeros_like(mean)
        lam, V = np.linalg.eigh(scatter[:p, :p])
        lam = np.maximum(lam, 0.0)
        # directions below the Gram's rounding carry only rounding of c too
        kept = lam > max(lam.max(initial=0.0), np.finfo(float).tiny) * p * EPS
        root = np.sqrt(lam)
        proj = V.T @ scatter[:p, p:]
        # p + 1 rows (the last zero): a support of all p features is still
        # smaller than the number of samples, so lasso's exact finish applies
        rows = p + 1
        k = 1.0 if ridge else np.sqrt(rows / moments.weight)
        self.R = np.zeros((rows, p), order="F")
        self.R[:p] = k * root[:, None] * V.T
        z = np.zeros((rows, t))
        z[:p] = k * np.divide(proj, root[:, None], out=np.zeros((p, t)), where=kept[:, None])
        self.z = z[:, 0] if targets is None else np.asfortranarray(z)
        self.x_mean = mean[:p]
        self.y_mean = mean[p] if targets is None else mean[p:]
        # the moments carry rounding of relative size ~(p + 1) eps, and so
        # does the reduced objective: a gap cannot certify below that times
        # P(0), which the gaps reported for the full problem include
        spread = np.trace(scatter[p:, p:])
        p0 = spread if ridge else spread / (2 * moments.weight)
        self.rounding = (p + 1) * EPS * p0
        self.moments = moments

    def intercepts(self, coefs):
        """The best intercept for each row of ``coefs`` (one per target for
        coefficients of shape (..., n_targets, p))."""
        return self.y_mean - np.asarray(coefs, dtype=np.float64) @ self.x_mean


def inner_estimator(estimator):
    """``estimator`` for the reduced problem: no intercept (it is profiled out)."""
    return clone(estimator).set_params(fit_intercept=False)


def fit_reduced(estimator, reduced, dtype, feature_names=None):
    """Fit ``estimator`` (in place) on the reduced problem; its attributes
    as an in-memory fit sets them."""
    inner = inner_estimator(estimator)
    if getattr(estimator, "warm_start", False) and hasattr(estimator, "coef_"):
        inner.set_params(warm_start=True)
        inner.coef_ = np.array(estimator.coef_, dtype=np.float64)
    inner.fit(reduced.R, reduced.z)
    for name, value in vars(inner).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(estimator, name, value)
    estimator.dual_gap_ = inner.dual_gap_ + reduced.rounding
    coef = np.asarray(inner.coef_, dtype=np.float64)
    estimator.coef_ = coef.astype(dtype)
    # the shape the in-memory fit gives (a scalar, or one per target)
    intercept = reduced.intercepts(coef) if estimator.fit_intercept else 0.0
    estimator.intercept_ = (np.broadcast_to(intercept, np.shape(inner.intercept_))
                            .astype(dtype) if np.ndim(inner.intercept_) else dtype.type(intercept))
    if feature_names is not None:
        estimator.feature_names_in_ = feature_names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return estimator


def reduced_path(estimator, reduced, dtype, **kwargs):
    """``regularization_path`` of ``estimator`` on the reduced problem, with
    the intercepts and dtype of the full one."""
    result = regularization_path(inner_estimator(estimator), reduced.R, reduced.z, **kwargs)
    coefs = np.asarray(result.coefs, dtype=np.float64)
    result.intercepts = (reduced.intercepts(coefs) if estimator.fit_intercept
                         else np.zeros(coefs.shape[:-1])).astype(dtype)
    result.coefs = coefs.astype(dtype)
    result.dual_gaps = result.dual_gaps + reduced.rounding
    result.data = ReducedPathData(estimator, reduced, dtype)
    return result


class ReducedPathData(PathData):
    """``PathData`` of a path fitted from moments: new alphas are solved on
    the reduced problem, without another pass over the data (and the
    moments, p x p, are kept through pickling)."""

    def __init__(self, estimator, reduced, dtype):
        super().__init__(estimator, reduced.R, reduced.z)
        self.reduced, self.dtype = reduced, dtype

    def __getstate__(self):
        return dict(vars(self))

    def path(self, alphas):
        return reduced_path(self.estimator, self.reduced, self.dtype, alphas=alphas)

    def solve_at(self, alpha, coef_init):
        est = clone(self.estimator).set_params(alpha=alpha)
        if "warm_start" in est.get_params():
            est.set_params(warm_start=True)
            est.coef_ = np.array(coef_init, dtype=np.float64)
        fit_reduced(est, self.reduced, self.dtype)
        return est.coef_, est.intercept_
