"""Losses: the Python face of ``sklreg._core._losses``.

Each class states its formula once and carries a NumPy reference of the
datafit ``1/n_w sum_i s_i f(r_i)`` (for tests, benchmarks and CV scoring).
"""
import numpy as np

from sklreg._core._losses import Pinball


class SquaredLoss:
    """``f(r) = r**2 / 2``: the datafit ``1/(2 n_w) sum_i s_i r_i**2``."""

    def value(self, residual, sample_weight=None):
        r = np.asarray(residual, dtype=float)
        s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight)
        return 0.5 * np.dot(s, r ** 2) / s.sum()


class PinballLoss:
    """``f(r) = rho_tau(r) = r * (tau - [r < 0])``: the datafit
    ``1/n_w sum_i s_i rho_tau(r_i)`` of quantile regression at ``tau``.

    Its subgradient is ``tau`` above the fit, ``tau - 1`` below; its dual
    points ``theta_i`` (in n_w units) lie in the box
    ``[s_i (tau - 1), s_i tau]``.
    """

    def __init__(self, quantile=0.5):
        self.quantile = float(quantile)

    def compile(self):
        """Return the compiled loss (``sklreg._core._losses.Pinball``)."""
        return Pinball(self.quantile)

    def total(self, residual, sample_weight=None):
        """``sum_i s_i rho_tau(r_i)``, not divided by the weight."""
        r = np.asarray(residual, dtype=float)
        s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight)
        return float(np.dot(s, r * (self.quantile - (r < 0))))

    def value(self, residual, sample_weight=None):
        """The datafit ``1/n_w sum_i s_i rho_tau(r_i)``."""
        s = np.ones(np.shape(residual)) if sample_weight is None else np.asarray(sample_weight)
        return self.total(residual, s) / s.sum()

    def subgradient(self, residual):
        """``tau`` where r > 0, ``tau - 1`` where r < 0, 0 (inside
        ``[tau - 1, tau]``) where r = 0."""
        r = np.asarray(residual)
        tau = self.quantile
        return np.where(r > 0, tau, np.where(r < 0, tau - 1.0, 0.0))

    def dual_box(self, sample_weight):
        """``(s (tau - 1), s tau)``: the box of the dual points (n_w units)."""
        s = np.asarray(sample_weight)
        return s * (self.quantile - 1.0), s * self.quantile


class HuberLoss:
    """scikit-learn's Huber loss at scale ``sigma``: ``f(r) = sigma H(r / sigma)``,
    ``H(z) = z**2`` for ``|z| <= epsilon``, ``2 epsilon |z| - epsilon**2`` beyond;
    the datafit ``1/n_w sum_i s_i f(r_i)``.

    ``HuberRegressor`` adds ``sum_i s_i sigma`` and minimises over sigma as
    well (Owen's joint scale); that is the solver's part, not the loss's.
    """

    def __init__(self, epsilon=1.35, scale=1.0):
        self.epsilon = float(epsilon)
        self.scale = float(scale)

    def value(self, residual, sample_weight=None):
        r = np.asarray(residual, dtype=float)
        s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight)
        z = np.abs(r) / self.scale
        # epsilon (2 z - epsilon), not 2 epsilon z - epsilon**2: epsilon**2
        # overflows from epsilon ~ 1e154 although the inliers' values are finite
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.where(z <= self.epsilon, z ** 2, self.epsilon * (2 * z - self.epsilon))
        return self.scale * np.dot(s, h) / s.sum()

    def derivative(self, residual):
        """``H'(r / sigma)``: ``2 z`` for ``|z| <= epsilon``, ``2 epsilon sign(z)``
        beyond (the datafit's gradient in w is ``-1/n_w X^T (s H'(r / sigma))``)."""
        z = np.asarray(residual, dtype=float) / self.scale
        return 2.0 * np.clip(z, -self.epsilon, self.epsilon)

