"""Objectives in plain NumPy, for tests and benchmarks to judge solutions by."""
import numpy as np

from sklreg.losses import HuberLoss, SquaredLoss
from sklreg.penalties import ElasticNetPenalty


def enet_objective(X, y, coef, intercept, alpha, l1_ratio=1.0,
                   sample_weight=None, penalty_factor=None):
    """The ElasticNet / Lasso objective of DESIGN section 1, in float64."""
    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - intercept
    s = None if sample_weight is None else np.asarray(sample_weight, float)
    return (SquaredLoss().value(r, s)
            + ElasticNetPenalty(alpha, l1_ratio, penalty_factor).value(coef))


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
    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - intercept
    s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight, float)
    datafit = HuberLoss(epsilon, scale).value(r, s) * s.sum() + scale * s.sum()
    return datafit + ElasticNetPenalty(alpha, l1_ratio, ridge=1.0).value(coef)



def huber_optimum(X, y, sample_weight, epsilon, alpha, l1_ratio=0.0, fit_intercept=True,
                  positive=False, lower=None, upper=None):
    """The optimal value of ``huber_objective`` by cvxpy's conic solver
    Clarabel (cvxpy must be installed): ``sigma H(r / sigma)`` is the
    perspective ``min_u u**2 / sigma + 2 epsilon |r - u|``."""
    import cvxpy as cp

    n, p = X.shape
    s = np.ones(n) if sample_weight is None else sample_weight
    w = cp.Variable(p, nonneg=positive)
    b = cp.Variable() if fit_intercept else 0.0
    sigma, u = cp.Variable(), cp.Variable(n)
    r = y - X @ w - b
    fit = (cp.sum(s) * sigma + cp.quad_over_lin(cp.multiply(np.sqrt(s), u), sigma)
           + 2 * epsilon * cp.sum(cp.multiply(s, cp.abs(r - u))))
    pen = alpha * (l1_ratio * cp.norm1(w) + (1 - l1_ratio) * cp.sum_squares(w))
    constraints = [sigma >= 1e-8]
    for bound, side in ((lower, 1.0), (upper, -1.0)):      # w >= lower, w <= upper
        if bound is not None:
            bound = np.broadcast_to(np.asarray(bound, dtype=float), (p,))
            finite = np.isfinite(bound)
            if finite.any():
                constraints.append(side * w[finite] >= side * bound[finite])
    problem = cp.Problem(cp.Minimize(fit + pen), constraints)
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12,
                  tol_feas=1e-12, max_iter=500)
    return problem.value

def enet_exact(X, y, alpha, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
               support=None):
    """The ElasticNet / Lasso optimum to machine precision, by NumPy alone.

    With the support and signs of the optimum known, the optimum solves the
    support's normal equations with the penalty's fixed-sign terms; here
    they are solved through a QR factorisation of the centred, weighted
    columns (no Gram matrix, so the condition number is not squared), then
    refined twice on the residual.  The support is taken from ``support``
    (a coefficient vector, e.g. scikit-learn's at a tight tol; default: a
    scikit-learn fit at tol=1e-14) and the result is checked against every
    optimality condition: a RuntimeError if the support was not optimal.

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
    """
    import scipy.sparse as sp

    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X = X.astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    mu = s @ X / s.sum() if fit_intercept else np.zeros(p)
    ybar = s @ y / s.sum() if fit_intercept else 0.0
    A = np.sqrt(s / s.sum())[:, None] * (X - mu)
    b = np.sqrt(s / s.sum()) * (y - ybar)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    if support is None:
        from sklearn.linear_model import ElasticNet
        support = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                             tol=1e-14, max_iter=10**6).fit(X, y, sample_weight=s).coef_
    S = np.flatnonzero(support)
    signs = np.sign(np.asarray(support)[S])
    M = np.vstack([A[:, S], np.sqrt(l2) * np.eye(S.size)]) if l2 > 0 else A[:, S]
    Q, R = np.linalg.qr(M)
    rhs = np.concatenate([b, np.zeros(S.size)]) if l2 > 0 else b
    normal_solve = lambda g: np.linalg.solve(R, np.linalg.solve(R.T, g))  # noqa: E731
    w = np.zeros(p)
    w[S] = np.linalg.solve(R, Q.T @ rhs) - normal_solve(l1 * signs)
    for _ in range(2):
        g = A[:, S].T @ (b - A @ w) - l2 * w[S] - l1 * signs
        w[S] += normal_solve(g)
    v = A.T @ (b - A @ w)
    zero = np.setdiff1d(np.arange(p), S)
    if (np.any(np.sign(w[S]) != signs)
            or np.any(np.abs(v[zero]) > l1 * (1 + 1e-9) + 1e-14 * np.abs(v).max())):
        raise RuntimeError("enet_exact: the given support is not the optimum's")
    return w, ybar - mu @ w
