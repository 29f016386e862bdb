"""Losses: the Python face of ``sklreg._core._losses``.

``LOSSES`` maps a name to its class; each class states its formula once and
carries a NumPy reference of the datafit ``1/n_w sum_i s_i f(r_i)``.
"""
import numpy as np


class SquaredLoss:
    """``f(r) = r**2 / 2``: the datafit ``1/(2 n_w) sum_i s_i r_i**2``."""

    name = "squared"

    def value(self, residual, sample_weight=None):
        r = np.asarray(residual, dtype=float)
        s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight)
        return 0.5 * np.dot(s, r ** 2) / s.sum()


LOSSES = {"squared": SquaredLoss}
