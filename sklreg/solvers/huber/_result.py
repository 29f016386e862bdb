"""What a Huber solve returns, and where one begins."""
from dataclasses import dataclass

import numpy as np

from sklreg.solvers._base import SolverResult
from sklreg.solvers.huber._scale import best_scale

FACE_SCALE = 1e4    # sigma below FACE_SCALE * floor: the sigma -> 0 face is solved instead
COLLAPSE = 1e-3     # or below this fraction of the scale a solve began with
STALL = 10          # iterations without a lower gap: the solver is at the rounding
                    # floor of its steps (two Anderson cycles of the majoriser)


@dataclass
class HuberResult(SolverResult):
    """A SolverResult with the fitted ``scale``, the ``residual`` at the
    solution and the certificate's ``dual`` (penalty-free) part there: the
    next alpha of a path starts from them.  ``stalled``: the solver stopped
    making progress before its target and its budget."""

    scale: float = 1.0
    residual: object = None
    dual: object = None
    stalled: bool = False


def begin(problem, w, start=None):
    """(b, r, sigma, dual) to begin from: those of ``start`` (a HuberResult
    whose coefficients w are; ``dual`` is None when unknown), else the
    weighted mean residual and its best scale.  Sets the coefficients of
    constant columns to zero in place (the intercept takes their part)."""
    w[problem.constant] = 0.0
    if start is not None:
        r = start.residual
        if r is None:
            return start.intercept, problem.residual(w, start.intercept), start.scale, None
        return start.intercept, r, start.scale, start.dual
    r = problem.residual(w, 0.0)
    b = np.dot(problem.s, r) / problem.n_w if problem.fit_intercept else 0.0
    r -= b
    return b, r, best_scale(problem, r)[0], None


def on_floor(problem, sigma, first=np.inf):
    """Whether the scale heads for zero: near its floor, or shrunk by
    COLLAPSE since ``first`` (the solvers' rate there is linear, ~0.9 an
    iteration with many features: the face is tried once from there)."""
    return sigma <= max(FACE_SCALE * problem.scale_floor, COLLAPSE * first)


class Progress:
    """The lowest gap seen and the iterations since: ``stalled`` once a
    solver has not lowered its gap for ``STALL`` iterations (its steps are
    at their rounding floor, above a target set tighter than that)."""

    def __init__(self):
        self.best, self.since = np.inf, 0

    def record(self, gap):
        self.best, self.since = (gap, 0) if gap < self.best else (self.best, self.since + 1)

    @property
    def stalled(self):
        return self.since >= STALL
