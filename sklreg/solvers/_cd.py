"""Working-set coordinate descent.

Outer loop (here, in Python, a few numpy operations per iteration): compute
the gradient and the duality gap on all features, stop if certified, else pick
a working set -- every non-zero coefficient, every unpenalised feature, and
the features that violate their optimality condition the most -- and hand it
to the compiled kernel, which runs CD passes on it until its own gap is a
fraction of the full one.  Features outside the set stay at zero.
"""
import numpy as np

from sklreg._core._cd import cd_epochs
from sklreg.solvers._base import SolverResult

WS_START = 10          # first working-set size
INNER_FRACTION = 0.3   # the inner solve stops at this fraction of the outer gap
GAP_FLOOR = 1e-15      # a gap is a difference of two O(P(0)) terms


def solve_cd(datafit, penalty, w, *, tol=1e-4, max_iter=1000, seed=0,
             check_every=10, extrapolate=True):
    """Minimise ``datafit + penalty`` by working-set coordinate descent.

    Parameters
    ----------
    datafit : sklreg._core._cd.LeastSquares
        Bound to X, y and weights; its residual must match ``w``.
    penalty : sklreg._core._penalties.Penalty
    w : ndarray of shape (n_features,), float64
        Starting point, updated in place.
    tol : float
        Stop when the duality gap is at most ``tol * P(0)``.
    max_iter : int
        Budget of passes over the working set.
    seed : int
        0 for cyclic order, else the seed of a random order per pass.
    check_every : int
        Passes between two gap checks of an inner solve.
    extrapolate : bool
        Try Anderson extrapolation every few passes (kept only when it
        lowers the objective).

    Returns
    -------
    SolverResult
    """
    p = w.shape[0]
    p0 = datafit.primal_at_zero
    tol_abs = max(tol, GAP_FLOOR) * p0
    movable = np.asarray(datafit.lipschitz) > 0
    always = movable & ~penalty.penalized_mask()
    n_iter, ws_size, last_gap = 0, WS_START, np.inf
    while True:
        gap, primal, v = datafit.full_gap(penalty, w)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        score = penalty.subdiff_distances(w, v)
        score[(w != 0) | always] = np.inf
        score[~movable] = -np.inf
        if gap > 0.5 * last_gap:      # too little progress: widen the set
            ws_size *= 2
        last_gap = gap
        ws_size = min(max(ws_size, 2 * np.count_nonzero(w), np.count_nonzero(always)),
                      int(movable.sum()))
        if ws_size == 0:
            break
        if ws_size < p:
            ws = np.argpartition(-score, ws_size - 1)[:ws_size]
        else:
            ws = np.arange(p)
        epochs, _, _, _ = cd_epochs(
            datafit, penalty, w, np.sort(ws).astype(np.intc), max_iter - n_iter,
            max(INNER_FRACTION * gap, 0.5 * tol_abs), check_every, seed, extrapolate)
        n_iter += epochs
    return SolverResult(coef=w, intercept=datafit.intercept, gap=gap,
                        primal=primal, tol_abs=tol_abs, n_iter=n_iter)
