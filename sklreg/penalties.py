"""Penalties: the Python face of ``sklreg._core._penalties``.

Each penalty here states its formula once, builds the compiled object the
solvers use, and carries a NumPy reference implementation used by the tests.
"""
import numpy as np

from sklreg._core._penalties import L1L2


class ElasticNetPenalty:
    """``alpha * pf_j * (l1_ratio * |w_j| + ridge * (1 - l1_ratio) * w_j**2)``,
    with ``lower_j <= w_j <= upper_j``.

    ``l1_ratio=1`` is the lasso, ``l1_ratio=0`` ridge.  ``ridge`` is 1/2 in
    scikit-learn's ElasticNet (the default) and 1 in its HuberRegressor.
    ``penalty_factor`` (glmnet's ``penalty.factor``) scales the penalty of
    each feature; 0 leaves it unpenalised.  ``lower``/``upper`` (glmnet's
    ``lower.limits`` and ``upper.limits``: scalars or one per feature) bound
    the coefficients; ``positive`` is ``lower=0``.

    This is the one place where alpha and l1_ratio become per-coordinate
    weights: ``compile`` gives the solvers' ``L1L2``, which scales by a
    factor (``scaled``) and knows its own ``alpha_max``.
    """

    def __init__(self, alpha, l1_ratio=1.0, penalty_factor=None, positive=False,
                 lower=None, upper=None, ridge=0.5):
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.penalty_factor = penalty_factor
        self.positive = bool(positive)
        self.lower, self.upper = lower, upper
        self.ridge = float(ridge)

    def _factors(self, n_features):
        pf = self.penalty_factor
        return np.ones(n_features) if pf is None else np.asarray(pf, dtype=float)

    def compile(self, n_features):
        """Return the compiled penalty for ``n_features`` coordinates."""
        pf = self._factors(n_features)
        return L1L2(self.alpha * self.l1_ratio * pf,
                    2.0 * self.ridge * self.alpha * (1.0 - self.l1_ratio) * pf,
                    self.positive, self.lower, self.upper)

    def value(self, w):
        """Reference value in NumPy (for tests)."""
        w = np.asarray(w, dtype=float)
        pf = self._factors(w.shape[0])
        lower, upper = self.compile(w.shape[0]).bounds()
        if np.any(w < lower) or np.any(w > upper):
            return np.inf
        return self.alpha * np.sum(pf * (self.l1_ratio * np.abs(w)
                                         + self.ridge * (1 - self.l1_ratio) * w ** 2))
