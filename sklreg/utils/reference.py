"""Objectives in plain NumPy, for tests and benchmarks to judge solutions by."""
import numpy as np


def enet_objective(X, y, coef, intercept, alpha, l1_ratio=1.0,
                   sample_weight=None, penalty_factor=None):
    """The ElasticNet / Lasso objective of DESIGN section 1, in float64."""
    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - intercept
    s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight, float)
    pf = np.ones_like(coef) if penalty_factor is None else np.asarray(penalty_factor)
    datafit = 0.5 * np.dot(s, r * r) / s.sum()
    return datafit + alpha * np.sum(pf * (l1_ratio * np.abs(coef)
                                          + 0.5 * (1 - l1_ratio) * coef ** 2))


def enet_objective_at_zero(y, sample_weight=None, fit_intercept=True):
    """P(0): the datafit at w = 0 with the best intercept."""
    y = np.asarray(y, dtype=np.float64)
    s = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, float)
    c = np.dot(s, y) / s.sum() if fit_intercept else 0.0
    return 0.5 * np.dot(s, (y - c) ** 2) / s.sum()


def ridge_objective(X, y, coef, intercept, alpha, sample_weight=None):
    """scikit-learn's Ridge objective, ``sum s r**2 + alpha ||w||^2``, in float64."""
    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - intercept
    s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight, float)
    return float(np.dot(s, r * r) + alpha * np.dot(coef, coef))


def ridge_objective_at_zero(y, sample_weight=None, fit_intercept=True):
    """P(0) of the ridge objective: ``sum s (y - c)**2`` with the best c."""
    y = np.asarray(y, dtype=np.float64)
    s = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, float)
    c = np.dot(s, y) / s.sum() if fit_intercept else 0.0
    return float(np.dot(s, (y - c) ** 2))

def huber_objective(X, y, coef, intercept, scale, epsilon, alpha, l1_ratio=0.0,
                    sample_weight=None):
    """HuberRegressor's objective of DESIGN section 1, in float64::

        sum_i s_i (sigma + sigma H(r_i / sigma))
        + alpha (l1_ratio ||w||_1 + (1 - l1_ratio) ||w||**2)
    """
    from sklreg.losses import HuberLoss

    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - intercept
    s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight, float)
    datafit = HuberLoss(epsilon, scale).value(r, s) * s.sum() + scale * s.sum()
    return datafit + alpha * (l1_ratio * np.abs(coef).sum()
                              + (1 - l1_ratio) * np.dot(coef, coef))
