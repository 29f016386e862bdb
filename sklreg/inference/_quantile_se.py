"""Covariances of an unpenalised quantile regression (Koenker 2005, sec. 3.4).

The estimate is asymptotically normal with covariance
``tau (1 - tau) H^-1 J H^-1``, ``J = Z^T Z`` and ``H = Z^T diag(f) Z``, where
``f_i`` is the density of the response at its conditional tau-quantile.
The methods differ in how they estimate ``f`` (all as R's ``summary.rq``):

- ``iid``: one density for all samples (errors independent of x); its
  reciprocal, the sparsity ``s = 1 / f``, is the slope of the ordered
  residuals near the quantile (Koenker & Bassett 1978), and the covariance
  is ``tau (1 - tau) s**2 (Z^T Z)^-1``;
- ``nid``: a density per sample from the difference quotient of the fits at
  ``tau +- h``: ``f_i = 2 h / (z_i (beta(tau + h) - beta(tau - h)))``
  (Hendricks & Koenker 1992);
- ``ker``: a Gaussian kernel on the residuals, ``f_i = phi(r_i / c) / c``
  (Powell 1991), its width ``c`` the bandwidth mapped to the residuals'
  scale.

``h`` is Hall & Sheather's (1988) bandwidth, rate ``n^(-1/3)``, or
Bofinger's (1975), rate ``n^(-1/5)``, both for the normal density as in
quantreg's ``bandwidth.rq``.
"""
import numpy as np
from scipy import stats
from scipy.optimize import linprog

BANDWIDTHS = ("hall-sheather", "bofinger")
BANDWIDTH_ALPHA = 0.05        # Hall-Sheather's own level, quantreg's default


def bandwidth(tau, n, rule="hall-sheather"):
    """The sparsity bandwidth ``h`` (in quantile units) for n samples."""
    x0 = stats.norm.ppf(tau)
    f0 = stats.norm.pdf(x0)
    if rule == "hall-sheather":
        z = stats.norm.ppf(1 - BANDWIDTH_ALPHA / 2)
        return n ** (-1 / 3) * z ** (2 / 3) * (1.5 * f0 ** 2 / (2 * x0 ** 2 + 1)) ** (1 / 3)
    return n ** (-0.2) * (4.5 * f0 ** 4 / (2 * x0 ** 2 + 1) ** 2) ** 0.2


def inside_bandwidth(tau, n, rule):
    """The bandwidth, halved until ``tau +- h`` lies in [0, 1] (as quantreg)."""
    h = bandwidth(tau, n, rule)
    while tau - h < 0 or tau + h > 1:
        h /= 2
    return h


def sandwich(Z, f, tau):
    """``tau (1 - tau) H^-1 J H^-1`` with ``H = Z^T diag(f) Z``, ``J = Z^T Z``."""
    H = Z.T @ (f[:, None] * Z)
    J = Z.T @ Z
    positive = int(np.sum(f > 0))
    if positive >= Z.shape[1]:
        try:
            H_inv_J = np.linalg.solve(H, J)
            return tau * (1 - tau) * np.linalg.solve(H, H_inv_J.T)
        except np.linalg.LinAlgError:
            pass
    raise ValueError("the estimated densities leave Z^T diag(f) Z singular: too few "
                     "samples with a positive density estimate (%d of %d); use "
                     "se='boot' or se='rank'" % (positive, len(f)))


def iid_cov(Z, r, tau, rule, y_scale):
    """Koenker-Bassett covariance; returns (cov, sparsity).

    The sparsity is the slope of a median regression of the ordered
    residuals on their ranks ``i / (n - k)``, over the window of
    ``max(k + 1, ceil(n h))`` + 1 residuals nearest zero, after those that
    are zero (the fit's interpolated samples).
    """
    n, k = Z.shape
    zero = np.abs(r) <= np.sqrt(np.finfo(float).eps) * max(1.0, y_scale)
    n_zero = int(zero.sum())
    width = max(k + 1, int(np.ceil(n * bandwidth(tau, n, rule))))
    if n_zero + width + 1 > n:
        raise ValueError("se='iid' needs more samples: its window of %d residuals next "
                         "to the %d zero ones exceeds n_samples=%d" % (width + 1, n_zero, n))
    ranks = np.arange(n_zero + 1, n_zero + width + 2)          # 1-based, as quantreg
    nearest = np.sort(r[np.argsort(np.abs(r), kind="stable")[ranks - 1]])
    sparsity = _median_slope(ranks / (n - k), nearest)
    xtx_inv = np.linalg.inv(Z.T @ Z)
    return tau * (1 - tau) * sparsity ** 2 * xtx_inv, sparsity


def _median_slope(x, y):
    """Slope of the least-absolute-deviation line through (x, y), an exact
    vertex of its linear program (HiGHS dual simplex)."""
    m = len(x)
    # variables: intercept, slope (free), then u, v >= 0 with y = a + b x + u - v
    A = np.column_stack([np.ones(m), x, np.eye(m), -np.eye(m)])
    cost = np.r_[0.0, 0.0, np.ones(2 * m)]
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * m)
    res = linprog(cost, A_eq=A, b_eq=y, bounds=bounds, method="highs-ds")
    return float(res.x[1])


def nid_density(Z, beta_hi, beta_lo, h):
    """Hendricks-Koenker densities ``2 h / dyhat`` and the number of samples
    whose fits at ``tau +- h`` cross (their density is set to 0)."""
    fit_hi, fit_lo = Z @ beta_hi, Z @ beta_lo
    dyhat = fit_hi - fit_lo
    # differences below the rounding of the fitted values are zero: two
    # identical fits must not give densities of 2 h / 1e-17
    scale = max(np.max(np.abs(fit_hi), initial=0.0), np.max(np.abs(fit_lo), initial=0.0))
    tiny = np.sqrt(np.finfo(float).eps) * scale
    positive = dyhat > tiny
    f = np.zeros_like(dyhat)
    f[positive] = 2 * h / dyhat[positive]
    return f, int(np.sum(~positive))


def ker_density(r, tau, h):
    """Powell's Gaussian-kernel densities at the residuals; returns (f, c).

    ``c = (Phi^-1(tau + h) - Phi^-1(tau - h)) * min(sd(r), IQR(r) / 1.34)``.
    """
    q25, q75 = np.quantile(r, [0.25, 0.75])
    spread = min(np.std(r, ddof=1), (q75 - q25) / 1.34)
    c = (stats.norm.ppf(tau + h) - stats.norm.ppf(tau - h)) * spread
    if not c > 0:
        raise ValueError("se='ker' needs residuals with a positive spread; most "
                         "residuals are zero (the model interpolates the data)")
    return stats.norm.pdf(r / c) / c, c
