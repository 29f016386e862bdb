"""The data a summary works on: the fitted model written as one design.

Every method sees the fitted coefficients as ``beta = (intercept, coef)``
(the intercept only when fitted) and the design ``Z = [1, X]`` in the same
order, on the samples of positive weight.  Weights are applied as R's
quantreg applies them: the rows of ``Z`` and ``y`` are multiplied by their
weight (for the pinball loss ``s rho(r) = rho(s r)``, so the fit is the
weighted fit); the standard errors then treat the weights as sampling
(precision) weights, not as counts of repeated rows.
"""
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted, validate_data

from sklreg.utils.validation import check_sample_weight


@dataclass
class FittedDesign:
    """A fitted linear model and its training data, ready for inference.

    Attributes
    ----------
    X : ndarray or sparse matrix of shape (n, p)
        The training features of positive weight, as the estimator takes them.
    y : ndarray of shape (n,)
    s : ndarray of shape (n,) or None
        The positive sample weights; None when there are none or all are equal
        (equal weights change no standard error).
    Z : ndarray of shape (n, k), float64
        ``[1, X]`` (or ``X`` without an intercept), rows multiplied by ``s``.
    ys : ndarray of shape (n,)
        ``y`` multiplied by ``s``.
    beta : ndarray of shape (k,)
        The fitted (intercept, coefficients).
    names : list of str
        One name per entry of ``beta``.
    fit_intercept : bool
    """

    X: object
    y: np.ndarray
    s: object
    Z: np.ndarray
    ys: np.ndarray
    beta: np.ndarray
    names: list
    fit_intercept: bool

    @property
    def n(self):
        return self.Z.shape[0]

    @property
    def k(self):
        return self.Z.shape[1]

    def residuals(self, beta=None):
        """Residuals of the weighted rows, ``s * (y - [1, X] beta)``."""
        return self.ys - self.Z @ (self.beta if beta is None else beta)


def fitted_design(estimator, X, y, sample_weight, names=None):
    """Validate ``X, y, sample_weight`` against the fitted estimator and
    return a ``FittedDesign``; ``names`` (one per feature) override the
    estimator's ``feature_names_in_``."""
    check_is_fitted(estimator, "coef_")
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    if coef.ndim != 1:
        raise ValueError("summary needs an estimator fitted to one target; coef_ has "
                         "shape %r" % (coef.shape,))
    X, y = validate_data(estimator, X, y, reset=False, accept_sparse=["csr", "csc"],
                         dtype=[np.float64, np.float32], y_numeric=True)
    y = np.asarray(y, dtype=np.float64)
    s = check_sample_weight(sample_weight, X.shape[0])
    if s is not None:
        keep = s > 0
        if not keep.all():
            X, y, s = X[keep], y[keep], s[keep]
        if np.all(s == s[0]):
            s = None
    fit_intercept = bool(estimator.fit_intercept)
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    Z = np.asarray(dense, dtype=np.float64)
    beta = coef
    if fit_intercept:
        Z = np.column_stack([np.ones(Z.shape[0]), Z])
        beta = np.r_[float(estimator.intercept_), coef]
    ys = y
    if s is not None:
        Z = Z * s[:, None]
        ys = y * s
    if names is None:
        names = list(getattr(estimator, "feature_names_in_",
                             ["x%d" % j for j in range(coef.shape[0])]))
    names = ["intercept"] * fit_intercept + [str(name) for name in names]
    return FittedDesign(X=X, y=y, s=s, Z=np.ascontiguousarray(Z), ys=ys, beta=beta,
                        names=names, fit_intercept=fit_intercept)


def warm_clone(estimator, beta, fit_intercept, **params):
    """An unfitted copy of ``estimator`` with ``params`` set that starts its
    next fit from the coefficients in ``beta`` (its ``warm_start``)."""
    twin = clone(estimator).set_params(warm_start=True, **params)
    twin.coef_ = np.array(beta[1:] if fit_intercept else beta)
    return twin


def as_beta(fitted, fit_intercept):
    """(intercept, coef) of a fitted estimator as one float64 vector."""
    coef = np.asarray(fitted.coef_, dtype=np.float64)
    return np.r_[float(fitted.intercept_), coef] if fit_intercept else coef
