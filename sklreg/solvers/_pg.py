"""Accelerated proximal gradient (FISTA with adaptive restart).

The compiled loop (``sklreg._core._prox_grad.pg_iterations``) works on the
same ``LeastSquares`` datafit and ``Penalty`` objects as coordinate descent
and stops on the same certificate, duality gap <= tol * P(0).  Each
iteration costs about two passes over X (the gradient, and the residual
update of the coordinates that moved), plus one every ``check_every``
iterations for the gap.
"""
import numpy as np

from sklreg._core._prox_grad import pg_iterations
from sklreg.solvers._base import SolverResult, check_penalty, gap_target, zero_if_rounding
from sklreg.utils._progress import progress_reporter, solver_progress


@solver_progress("proximal gradient", "iterations")
def solve_pg(datafit, penalty, w, *, tol=1e-4, max_iter=1000, check_every=10,
             lipschitz=None):
    """Minimise ``datafit + penalty`` by FISTA with backtracking and restart.

    Parameters
    ----------
    datafit, penalty, w, tol :
        As in :func:`sklreg.solvers.solve_cd` (``w`` is updated in place).
    max_iter : int
        Budget of iterations (each about two passes over X).
    check_every : int
        Iterations between two duality-gap checks.
    lipschitz : float, default=None
        Starting estimate of the gradient's Lipschitz constant; by default
        the largest per-coordinate one, a lower bound that backtracking
        raises as needed.

    Returns
    -------
    SolverResult
    """
    check_penalty("proximal gradient", penalty, {"prox", "conjugate"})
    tol_abs = gap_target(tol, datafit.primal_at_zero)
    constant = zero_if_rounding(datafit, w, tol_abs, penalty)
    if constant is not None:
        return constant
    gap, primal, _ = datafit.full_gap(penalty, w)
    n_iter = 0
    if gap > tol_abs:
        lip = lipschitz or float(np.max(datafit.lipschitz, initial=0.0))
        if lip > 0:
            n_iter, _, _, _, _ = pg_iterations(datafit, penalty, w, max_iter,
                                               tol_abs, lip, check_every,
                                               progress_reporter(tol_abs))
            gap, primal, _ = datafit.full_gap(penalty, w)
    return SolverResult(coef=w, intercept=datafit.intercept, gap=gap,
                        primal=primal, tol_abs=tol_abs, n_iter=n_iter)
