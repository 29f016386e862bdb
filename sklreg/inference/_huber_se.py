"""Covariances of an unpenalised Huber regression with its joint scale.

sklreg's (and scikit-learn's) HuberRegressor minimises, over the
coefficients ``beta`` and the scale ``sigma``,
``L = sum_i s_i (sigma + sigma H(r_i / sigma))`` with
``H(z) = z**2`` for ``|z| <= eps``, ``2 eps |z| - eps**2`` beyond.  With
``z_i = r_i / sigma``, ``psi(z) = clip(z, -eps, eps)`` and
``psi'(z) = [|z| <= eps]``, its gradient per sample is

    g_i = s_i (-2 psi(z_i) x_i,  1 - min(z_i**2, eps**2))

(``x_i`` the row of ``[1, X]``) and its Hessian
``A = 2 / sigma * sum_i s_i psi'(z_i) u_i u_i^T``, ``u_i = (x_i, z_i)``.

- ``'sandwich'``: the M-estimator sandwich ``A^-1 (sum_i g_i g_i^T) A^-1``
  of the pair (beta, sigma), its beta block (White's HC0 form: robust to
  heteroscedasticity, and to asymmetric errors, where the scale's
  estimation moves beta's variance).
- ``'H1'``, ``'H2'``, ``'H3'``: Huber's (1981, sec. 7.6) covariances for
  homoscedastic errors at the fitted scale, exactly the formulas of
  statsmodels' ``RLM(cov=...)`` with the norm ``HuberT(t=epsilon)``.
"""
import numpy as np

HUBER_SE = ("sandwich", "H1", "H2", "H3")


def _standardised(design, scale, epsilon):
    """z, psi(z) and psi'(z) of the unweighted residuals."""
    r = design.y - (design.Z @ design.beta if design.s is None
                    else (design.Z @ design.beta) / design.s)
    z = r / scale
    inlier = np.abs(z) <= epsilon
    return z, np.clip(z, -epsilon, epsilon), inlier.astype(np.float64)


def _raw_design(design):
    """``[1, X]`` without the weights that ``design.Z`` carries."""
    return design.Z if design.s is None else design.Z / design.s[:, None]


def sandwich_cov(design, scale, epsilon):
    """The joint (beta, sigma) sandwich; returns the beta block."""
    X = _raw_design(design)
    s = np.ones(design.n) if design.s is None else design.s
    z, psi, dpsi = _standardised(design, scale, epsilon)
    U = np.column_stack([X, z])
    A = 2.0 / scale * (U.T @ ((s * dpsi)[:, None] * U))
    G = np.column_stack([-2.0 * psi[:, None] * X, 1.0 - np.minimum(z ** 2, epsilon ** 2)])
    G *= s[:, None]
    try:
        A_inv_B = np.linalg.solve(A, G.T @ G)
        cov = np.linalg.solve(A, A_inv_B.T)
    except np.linalg.LinAlgError:
        raise ValueError("the Huber sandwich is singular: fewer inliers (%d) than "
                         "coefficients plus the scale (%d)"
                         % (int(dpsi.sum()), design.k + 1)) from None
    return cov[:-1, :-1]


def huber_cov(design, scale, epsilon, kind):
    """Huber's H1, H2 or H3 covariance (as statsmodels' RLM)."""
    X = design.Z
    n, k = X.shape
    z, psi, dpsi = _standardised(design, scale, epsilon)
    m = dpsi.mean()
    if m == 0:
        raise ValueError("every sample is an outlier of the fit: Huber's covariances "
                         "divide by the share of inliers")
    correction = 1 + k / n * dpsi.var() / m ** 2
    mean_psi2 = np.sum(psi ** 2) / (n - k) * scale ** 2
    xtx = X.T @ X
    if kind == "H1":
        return correction ** 2 * mean_psi2 / m ** 2 * np.linalg.inv(xtx)
    W = X.T @ (dpsi[:, None] * X)
    W_inv = np.linalg.inv(W)
    if kind == "H2":
        return correction * mean_psi2 / m * W_inv
    return mean_psi2 / correction * W_inv @ xtx @ W_inv
