"""Penalties: the Python face of ``sklreg._core._penalties``.

Each penalty here states its formula once, builds the compiled object the
solvers use, and carries a NumPy reference implementation used by the tests.
"""
import numpy as np

from sklreg._core._penalties import L1L2


class ElasticNetPenalty:
    """``alpha * pf_j * (l1_ratio * |w_j| + (1 - l1_ratio) / 2 * w_j**2)``,
    with ``lower_j <= w_j <= upper_j``.

    ``l1_ratio=1`` is the lasso, ``l1_ratio=0`` ridge.  ``penalty_factor``
    (glmnet's ``penalty.factor``) scales the penalty of each feature; 0 leaves
    it unpenalised.  ``lower``/``upper`` (glmnet's ``lower.limits`` and
    ``upper.limits``: scalars or one per feature) bound the coefficients;
    ``positive`` is ``lower=0``.
    """

    def __init__(self, alpha, l1_ratio=1.0, penalty_factor=None, positive=False,
                 lower=None, upper=None):
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.penalty_factor = penalty_factor
        self.positive = bool(positive)
        self.lower, self.upper = lower, upper

    def _factors(self, n_features):
        pf = self.penalty_factor
        return np.ones(n_features) if pf is None else np.asarray(pf, dtype=float)

    def compile(self, n_features):
        """Return the compiled penalty for ``n_features`` coordinates."""
        pf = self._factors(n_features)
        return L1L2(self.alpha * self.l1_ratio * pf,
                    self.alpha * (1.0 - self.l1_ratio) * pf, self.positive,
                    self.lower, self.upper)

    def l1_weights(self, n_features):
        """Per-feature weight of the L1 part, ``alpha * l1_ratio * pf``."""
        return self.alpha * self.l1_ratio * self._factors(n_features)

    def with_alpha(self, alpha):
        """The same penalty at another ``alpha``."""
        return ElasticNetPenalty(alpha, self.l1_ratio, self.penalty_factor,
                                 self.positive, self.lower, self.upper)

    def compile_frozen(self, n_features):
        """Compiled penalty that pins every penalised feature at its
        ``null_point`` (0, or its bound nearest 0); the others keep their
        bounds.  At 0 the pin is an infinite L1 weight (the solvers then
        leave the feature out of their working sets); elsewhere a box of
        one point."""
        compiled = self.compile(n_features)
        lower, upper = compiled.bounds()
        null, pinned = compiled.null_point(), self._factors(n_features) > 0
        at_bound = pinned & (null != 0)
        return L1L2(np.where(pinned & (null == 0), np.inf, 0.0), np.zeros(n_features),
                    False, np.where(at_bound, null, lower), np.where(at_bound, null, upper))

    def value(self, w):
        """Reference value in NumPy (for tests)."""
        w = np.asarray(w, dtype=float)
        pf = self._factors(w.shape[0])
        lower, upper = self.compile(w.shape[0]).bounds()
        if np.any(w < lower) or np.any(w > upper):
            return np.inf
        return self.alpha * np.sum(pf * (self.l1_ratio * np.abs(w)
                                         + 0.5 * (1 - self.l1_ratio) * w ** 2))
