"""The pieces of the information criteria along a regularization path, for
the ``*IC`` estimators: the noise variance of the Gaussian AIC/BIC, the
active set (degrees of freedom), and the pinball criterion of a quantile
path.

For Gaussian noise of variance sigma**2, at each alpha of the path (Zou,
Hastie & Tibshirani, 2007)::

    n log(2 pi sigma**2) + RSS / sigma**2 + K df

and for quantile regression (Koenker, 2005, section 4.9), with the mean
pinball loss in place of the noise scale::

    log(mean pinball loss) + K df / (2 n)

K = 2 (AIC) or log(n) (BIC), n the sum of the sample weights.
"""
from math import log

import numpy as np
import scipy.sparse as sp
from scipy.optimize import nnls
from sklearn.metrics import mean_pinball_loss

from sklreg._core._datafits import LeastSquares
from sklreg._core._design import Design
from sklreg.solvers._refit import support_refit


def criterion_factor(criterion, n):
    """K: 2 for AIC, log(n) for BIC."""
    return 2.0 if criterion == "aic" else log(n)


def fitted_values(X, path):
    """Predictions at every alpha: shape (n_samples, n_alphas)."""
    return X @ path.coefs.T + path.intercepts


def active(coefs):
    """Coefficients that are not zero to rounding: at a knot of the path the
    entering coefficient is exactly 0, and an iterative solve leaves it at
    rounding level, far below sqrt(eps) times the largest coefficient."""
    scale = np.max(np.abs(coefs), axis=-1, keepdims=True)
    return np.abs(coefs) > np.sqrt(np.finfo(np.float64).eps) * scale


def n_nonzero(path):
    """Non-zero coefficients at each alpha: the lasso's degrees of freedom."""
    return np.count_nonzero(active(path.coefs), axis=1)


def pinball(X, y, s, path, quantile, criterion):
    """The quantile criterion at each alpha of ``path`` (s may be None)."""
    n = X.shape[0] if s is None else s.sum()
    fitted = fitted_values(X, path)
    loss = np.array([mean_pinball_loss(y, fitted[:, k], alpha=quantile, sample_weight=s)
                     for k in range(fitted.shape[1])])
    with np.errstate(divide="ignore"):
        return np.log(loss) + criterion_factor(criterion, n) * n_nonzero(path) / (2 * n)


def noise_variance(X, y, s, fit_intercept, positive, dof):
    """Residual variance of the unpenalised (least-squares) fit, per degree
    of freedom left: ``sum_i s_i r_i**2 / dof``.

    Unconstrained: the normal equations of every column, the refit the
    relaxed lasso certifies (Cholesky with iterative refinement, the
    minimum-norm solution when X is rank deficient); one Gram product, not
    the SVD of a least-squares driver (numpy's lstsq took 85% of a
    1000 x 100 BIC fit, seconds when BLAS threads contend).  ``positive``:
    non-negative least squares.
    """
    p = X.shape[1]
    if positive:
        root = np.sqrt(s)
        Xc, yc = centred(X, y, s, fit_intercept)
        A, b = root[:, None] * Xc, root * yc
        residual = b - A @ nnls(A, b)[0]
        return float(residual @ residual) / dof
    design = Design(X.tocsc() if sp.issparse(X) else np.asfortranarray(X))
    datafit = LeastSquares(design, y, s, np.zeros(p), fit_intercept)
    coef, intercept, _ = support_refit(datafit, np.ones(p))
    residual = y - X @ coef - intercept
    return float(s @ residual ** 2) / dof


def centred(X, y, s, fit_intercept):
    """Weighted-centred dense X and y (X, y unchanged when no intercept)."""
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if not fit_intercept:
        return Xd, y
    return Xd - s @ Xd / s.sum(), y - s @ y / s.sum()
