"""Preprocessing for large n (Portnoy & Koenker, 1997, "globbing").

At the optimum only the samples near the fitted quantile matter one by one;
those far above (below) it only contribute through their sums.  So:

1. fit a random subsample of ``m ~ ((p+1) n)^(2/3)`` samples (loosely), no
   more than ``Rows.take`` copies (1/32 of a large X);
2. keep the samples whose residual ranks within ``band / 2`` of ``tau n``,
   and replace all those above (below) by one pseudo-sample with their total
   weight (``QuantileProblem.restricted``);
3. solve that problem of ~``band`` samples with the interior point;
4. certify on the full data: the restricted dual point is feasible for the
   full problem, so ``gap = P_full(w) - D_restricted`` is a true duality gap.
   It is small exactly when every globbed sample kept the sign of its
   residual; otherwise those samples are kept individually, the band is
   doubled and step 3 repeats (after a few rounds, the full problem is
   solved instead).

The answer is exact, not an approximation: it stops only on the full gap.
Each round costs the small solve plus one pass over X for the residuals.
"""
import numpy as np

from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, check_penalty, gap_target
from sklreg.solvers._ipm import NEEDS, solve_ipm
from sklreg.utils._progress import report_progress, solver_progress

SUBSAMPLE = 0.6        # m = SUBSAMPLE * ((p + 1) n) ** (2/3); measured at n=1e6
FIRST_TOL = 1e-3       # the subsample fit only needs to locate the quantile
MAX_ROUNDS = 4


def subsample_size(n, p):
    return int(min(n, SUBSAMPLE * ((p + 1) * n) ** (2.0 / 3.0)))


@solver_progress("interior point on a band of samples", "iterations")
def solve_globbed(problem, w0, *, tol=1e-6, max_iter=100, seed=0):
    """Minimise a ``QuantileProblem`` with many samples; see the module doc.

    Same parameters and result as ``solve_ipm``.
    """
    check_penalty("the interior point (solver='ipm-glob')", problem.penalty_terms, NEEDS,
                  remedy="; use solver='highs' for bounds")
    pb = problem
    n, tau = pb.y.shape[0], pb.tau
    p0 = pb.primal_at_zero()
    tol_abs = gap_target(tol, p0, FINISHED_GAP_FLOOR)
    # no more than Rows.take copies (1/32 of a large X): the fit's memory
    # stays size(X) + a few percent
    m = min(subsample_size(n, pb.p), max(pb.rows.copyable_rows(), 2 * (pb.p + 1)))
    idx = np.sort(np.random.default_rng(seed).choice(n, m, replace=False))
    # the subsample's fit only predicts the residuals' signs: no exact finish
    first = solve_ipm(pb.restricted(idx, lam_scale=pb.s[idx].sum() / pb.n_w), w0,
                      tol=FIRST_TOL, max_iter=max_iter, exact=False)
    w, n_iter, band = first.coef, first.n_iter, m
    r = pb.y - pb.rows.matvec(w) - first.intercept
    forced = np.zeros(n, dtype=bool)
    for _ in range(MAX_ROUNDS):
        lo, hi = np.quantile(r, [max(tau - band / (2 * n), 0.0),
                                 min(tau + band / (2 * n), 1.0)])
        above, below = (r > hi) & ~forced, (r < lo) & ~forced
        keep = np.flatnonzero(~(above | below))
        res = solve_ipm(pb.restricted(keep, (above, below)), w, tol=tol,
                        max_iter=max_iter, p0=p0)
        n_iter += res.n_iter
        w, b = res.coef, res.intercept
        r = pb.y - pb.rows.matvec(w) - b
        primal = pb.loss.value_np(r, pb.s) + pb.penalty(w) / pb.n_w
        gap = max(primal - (res.primal - res.gap), 0.0)
        wrong = (above & (r < 0)) | (below & (r > 0))
        report_progress(n_iter, gap, tol_abs, coef=w)
        if gap <= tol_abs or not wrong.any():
            return SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                                tol_abs=tol_abs, n_iter=n_iter)
        forced |= wrong
        band *= 2
    res = solve_ipm(pb, w, tol=tol, max_iter=max_iter)
    res.n_iter += n_iter
    return res
