"""Working-set coordinate descent.

Outer loop (here, in Python, a few numpy operations per iteration): compute
the gradient and the duality gap on all features, stop if certified, else pick
a working set -- every non-zero coefficient, every unpenalised feature, and
the features that violate their optimality condition the most -- and hand it
to the compiled kernel, which runs CD passes on it until its own gap is a
fraction of the full one.  Features outside the set stay at zero.

Exact finishing: once support and signs have not changed for a few passes,
the optimum restricted to that sign pattern solves a linear system
(the support's normal equations plus the penalty's fixed-sign terms).  One
Cholesky factorisation gives it; it is kept only if the signs agree and the
objective goes down, and the next full gap certifies it (or not).  Its
Gram block costs about n * |S|**2, so it is tried only once coordinate
descent has already spent that many column operations: at worst it doubles
the work, and where CD crawls (ill-conditioned supports) it ends the solve.
"""
import warnings

import numpy as np
from scipy import linalg

from sklreg._core._cd import cd_epochs
from sklreg.solvers._base import SolverResult

WS_START = 10          # first working-set size
INNER_FRACTION = 0.3   # the inner solve stops at this fraction of the outer gap
GAP_FLOOR = 1e-13      # a gap is a difference of two O(P(0)) terms: rounding
                       # leaves it uncertain to ~1e-14 * P(0); tol is floored here
STABLE_EPOCHS = 5      # passes without a sign change before an exact finish


def _exact_finish(datafit, penalty, w, support):
    """Try the exact solution on ``support`` with the current signs.

    Kept (returns True) only if its signs agree, and both the objective and
    the full duality gap go down: a lower objective alone can land on huge,
    nearly cancelling coefficients of an ill-conditioned support, from which
    coordinate descent crawls.
    """
    signs = np.sign(w[support])
    system = penalty.fixed_sign_system(support, signs)
    if system is None:
        return False
    curvature, slope = system
    G, b = datafit.normal_equations(support)
    G[np.diag_indices_from(G)] += curvature
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            candidate = linalg.solve(G, b - slope, assume_a="pos", check_finite=False)
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        return False
    penalized = penalty.penalized_mask()[support]
    if not np.all(np.isfinite(candidate)) or np.any(
            (np.sign(candidate) != signs) & penalized):
        return False
    coords = support.astype(np.intc)
    gap_before, primal_before, _ = datafit.full_gap(penalty, w)
    previous = w[support].copy()
    datafit.move(w, coords, candidate)
    gap, primal, _ = datafit.full_gap(penalty, w)
    if primal < primal_before and gap < gap_before:
        return True
    datafit.move(w, coords, previous)
    return False


def solve_cd(datafit, penalty, w, *, tol=1e-4, max_iter=1000, seed=0,
             check_every=10, extrapolate=True, exact_finish=True):
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
    exact_finish : bool
        Solve the support's linear system once support and signs settle.

    Returns
    -------
    SolverResult
    """
    p = w.shape[0]
    p0 = datafit.primal_at_zero
    tol_abs = max(tol, GAP_FLOOR) * p0
    movable = np.asarray(datafit.lipschitz) > 0
    always = movable & ~penalty.penalized_mask()
    n_iter, ws_size, last_gap, spent = 0, WS_START, np.inf, 0
    tried = set()          # sign patterns already solved for exactly
    watch = False          # stop inner solves on a stable support (exact finish)
    rank_bound = datafit.rank_bound
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
        epochs, _, _, _, stable = cd_epochs(
            datafit, penalty, w, np.sort(ws).astype(np.intc), max_iter - n_iter,
            max(INNER_FRACTION * gap, 0.5 * tol_abs), check_every, seed, extrapolate,
            STABLE_EPOCHS if watch else 0)
        n_iter += epochs
        spent += epochs * ws.size
        support = np.flatnonzero(w)
        repeated = False
        if stable:
            pattern = (support.tobytes(), np.sign(w[support]).tobytes())
            repeated = pattern in tried
            if not repeated:
                tried.add(pattern)
                _exact_finish(datafit, penalty, w, support)
        # after a pattern already tried, let the next inner solve run to its
        # tolerance; near interpolation (support ~ rank) the support's system is
        # degenerate-prone and CD crawls from its solution: leave it to CD
        watch = (exact_finish and support.size ** 2 <= spent and not repeated
                 and support.size < rank_bound - 1)
    return SolverResult(coef=w, intercept=datafit.intercept, gap=gap,
                        primal=primal, tol_abs=tol_abs, n_iter=n_iter)
