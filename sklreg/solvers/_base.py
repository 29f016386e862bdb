from dataclasses import dataclass
import warnings

from sklearn.exceptions import ConvergenceWarning


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    coef : ndarray of shape (n_features,), float64
    intercept : float
    gap : float
        The certificate the solver stopped on (duality gap, absolute;
        rounding below zero is reported as zero).
    primal : float
        The objective at ``coef``.
    tol_abs : float
        The absolute target, ``tol * P(0)``.
    n_iter : int
        Passes over the data (coordinate-descent epochs).
    gradient : ndarray of shape (n_features,) or None
        Where a solver computed it at ``coef`` (NaN elsewhere), minus the
        datafit's gradient: a path hands it to the next alpha, at which
        the same coefficients are the starting point.
    """

    coef: object
    intercept: float
    gap: float
    primal: float
    tol_abs: float
    n_iter: int
    gradient: object = None

    def __post_init__(self):
        # a gap is a difference of two O(P(0)) terms: at the optimum rounding
        # can leave it a hair below zero, which means zero
        self.gap = max(self.gap, 0.0)

    @property
    def converged(self):
        return self.gap <= self.tol_abs

    def warn_if_not_converged(self, what="Objective"):
        if not self.converged:
            warnings.warn(
                f"{what} did not converge: duality gap {self.gap:.3e} is above "
                f"the target tol * P(0) = {self.tol_abs:.3e} after {self.n_iter} "
                "passes. Increase max_iter, loosen tol, or scale the features.",
                ConvergenceWarning, stacklevel=3)
