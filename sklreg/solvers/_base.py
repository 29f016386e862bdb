from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklreg.utils._warnings import Missed, record_missed, warn_at_caller

# A certificate's target is ``tol * P(0)`` with ``tol`` floored: no gap can be
# asked to go below its own rounding.
GAP_FLOOR = 1e-13           # gaps written as a difference of two O(P(0)) terms
                            # (least squares, Ridge) round to ~1e-14 * P(0)
FINISHED_GAP_FLOOR = 1e-15  # the quantile and Huber solvers end on an exact
                            # finish (a vertex of the linear program, Newton
                            # steps), whose gaps reach the rounding of P itself


def gap_target(tol, p0, floor=GAP_FLOOR):
    """The absolute target of a certificate: ``max(tol, floor) * P(0)``."""
    return max(tol, floor) * p0


def reachable_target(datafit, tol_abs):
    """The target a least-squares gap can certify: ``tol_abs``, or the
    rounding error of the datafit's last gap when that is larger (coordinate
    descent's floor, measured per gap rather than fixed as ``gap_target``'s:
    ``tol`` below the resolution of float64 asks for the solution to machine
    precision)."""
    return max(tol_abs, datafit.gap_resolution)


def check_penalty(solver, penalty, needs, remedy=""):
    """Raise a ValueError naming ``solver`` if ``penalty`` does not provide
    all of ``needs`` (see ``Penalty.provides``): called when a solve is set
    up, so that an unsupported combination fails before any work."""
    missing = set(needs) - penalty.provides
    if missing:
        raise ValueError(f"{solver} needs a penalty that provides "
                         f"{', '.join(sorted(missing))}; this {type(penalty).__name__} "
                         f"provides {', '.join(sorted(penalty.provides))}{remedy}")


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
    n_iter : int or None
        Iterations of the solver, or passes over the data for coordinate
        descent (``unit`` says which); None for a closed form.
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
    unit: str = "iterations"

    def __post_init__(self):
        # a gap is a difference of two O(P(0)) terms: at the optimum rounding
        # can leave it a hair below zero, which means zero
        self.gap = max(self.gap, 0.0)

    @property
    def converged(self):
        return self.gap <= self.tol_abs

    def warn_if_not_converged(self, alpha=None):
        """A ConvergenceWarning at the user's line if the gap missed its
        target, or a record of it for a caller summing fits up
        (``sklreg.utils._warnings.collect_missed``)."""
        if self.converged:
            return
        alpha = alpha if np.ndim(alpha) == 0 else None      # one alpha per target
        missed = Missed(alpha, self.gap, self.tol_abs, self.n_iter, self.unit)
        if record_missed(missed):
            return
        at = "" if alpha is None else f" at alpha={alpha:.4g}"
        steps = "" if self.n_iter is None else f" after {self.n_iter} {self.unit}"
        # scikit-learn's first sentence, which code may match on, then ours
        warn_at_caller(
            "Objective did not converge. You might want to increase the number of "
            f"iterations (max_iter), loosen tol, or scale the features{at}: duality gap "
            f"{self.gap:.3e} is above the target tol * P(0) = {self.tol_abs:.3e}{steps}.",
            ConvergenceWarning)


def zero_if_rounding(datafit, w, tol_abs, penalty=None):
    """The result w = 0 when y is constant up to rounding, else None.

    With an intercept and y constant (n = 1, say), ``y - mean(y)`` is not 0
    but the rounding of the weighted mean (~1e-16 |y|), so P(0) is ~1e-32
    |y|^2 and no certificate reaches ``tol * P(0)``: the gap's own rounding
    (amplified by a small L2 weight in the dual) is larger.  Every objective
    here is non-negative, so P(0) bounds how far w = 0 is from the optimum;
    when it is at most ``datafit.rounding_floor`` (the objective of
    residuals at y's noise level), w = 0 is returned, certified by P(0),
    with that floor as its target.  ``w`` is set to zero in place.  Not
    where ``penalty`` bounds w away from 0 (its ``null_point``): the answer
    is then not 0.
    """
    p0 = datafit.primal_at_zero
    if p0 > datafit.rounding_floor or (penalty is not None
                                       and np.any(penalty.null_point())):
        return None
    support = np.flatnonzero(w).astype(np.intc)
    datafit.move(w, support, np.zeros(support.size))
    return SolverResult(coef=w, intercept=datafit.intercept, gap=p0, primal=p0,
                        tol_abs=max(tol_abs, datafit.rounding_floor), n_iter=0)
