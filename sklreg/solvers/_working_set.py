"""Working sets over features for the penalised quantile regression.

With an L1 penalty and many features, most coefficients are zero at the
optimum.  The interior point costs O(n k^2) per iteration on k features, so
it is run on a working set ``W``: the features most violating their dual
constraint ``|x_j . theta| <= lam_j``.  The restricted solution, padded with
zeros, is certified on the *full* problem (its dual point is rescaled to be
feasible for every feature); if the gap is too large, the violators are added
(the set doubles) and the restricted problem is solved again.
"""
import numpy as np

from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, check_penalty, gap_target
from sklreg.solvers._ipm import NEEDS, solve_ipm
from sklreg.utils._progress import report_progress, solver_progress

WS_START = 64
MAX_ROUNDS = 10


@solver_progress("interior point on working sets", "iterations")
def solve_working_set(problem, w0, *, tol=1e-6, max_iter=100):
    """Minimise a ``QuantileProblem`` whose features all carry an L1 penalty.

    Same parameters and result as ``solve_ipm``.
    """
    check_penalty("the interior point (solver='ipm-ws')", problem.penalty_terms, NEEDS,
                  remedy="; use solver='highs' for bounds")
    pb = problem
    p0 = pb.primal_at_zero()
    tol_abs = gap_target(tol, p0, FINISHED_GAP_FLOOR)
    w = np.array(w0, dtype=np.float64)
    b0 = pb.best_intercept(w)
    r = pb.y - pb.rows.matvec(w) - b0
    theta = pb.s * (pb.tau - (r < 0))
    size = max(WS_START, 2 * np.count_nonzero(w))
    ws = np.zeros(pb.p, dtype=bool)
    n_iter = 0
    for _ in range(MAX_ROUNDS):
        score = np.abs(pb.rows.rmatvec(theta)) / pb.lam
        score[ws | (w != 0)] = np.inf
        size = min(size, pb.p)
        ws[np.argpartition(-score, size - 1)[:size]] = True
        cols = np.flatnonzero(ws)
        duals = []
        res = solve_ipm(pb.columns(cols), w[cols], tol=tol, max_iter=max_iter,
                        p0=p0, dual_out=duals)
        n_iter += res.n_iter
        w = np.zeros(pb.p)
        w[cols] = res.coef
        theta = duals[0]
        gap, primal, b = pb.certificate(w, res.intercept, theta)
        report_progress(n_iter, gap, tol_abs, working_set=size, coef=w)
        if gap <= tol_abs or size == pb.p:
            break
        size *= 2
    return SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                        tol_abs=tol_abs, n_iter=n_iter)
