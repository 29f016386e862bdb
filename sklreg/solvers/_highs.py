"""scikit-learn's solver: the quantile regression LP handed to SciPy's HiGHS.

Kept so that code written for :class:`sklearn.linear_model.QuantileRegressor`
(``solver='highs'``, ``'highs-ds'``, ``'highs-ipm'``, ``solver_options``)
keeps running.  The LP is scikit-learn's -- variables ``(w+, w-, b+, b-, u, v)``,
``2n + 2p (+2)`` of them -- so it costs that memory.  The equality
multipliers HiGHS returns are the dual point ``theta``; the gap reported is
the same certificate as sklreg's own solver.
"""
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, gap_target

def solve_highs(problem, method="highs", options=None, *, tol=1e-6, dual_out=None):
    """Solve a ``QuantileProblem`` with ``scipy.optimize.linprog(method=...)``.

    Only the L1 penalty (``mu = 0``) is a linear program; a box for the
    coefficients (``problem.bounds``) bounds its variables.  Returns a
    SolverResult whose ``tol_abs`` is met exactly when linprog succeeded.
    ``dual_out``, when given, receives the dual point (as ``solve_ipm``'s).
    """
    pb = problem
    X = pb.rows.X
    if X.shape != pb.rows.shape:
        raise ValueError("solve_highs needs the whole problem, not a row subset")
    n, p = X.shape
    cols = [sp.csc_array(X)]
    cost = [pb.lam]
    if pb.fit_intercept:
        cols.append(sp.csc_array(np.ones((n, 1))))
        cost.append(np.zeros(1))
    plus = sp.hstack(cols, format="csc")
    eye = sp.eye_array(n, format="csc")
    A_eq = sp.hstack([plus, -plus, eye, -eye], format="csc")
    c_half = np.concatenate(cost)
    c = np.concatenate([c_half, c_half, pb.s * pb.tau, pb.s * (1 - pb.tau)])
    res = linprog(c, A_eq=A_eq, b_eq=pb.y, bounds=_bounds(pb, c.size), method=method,
                  options=options)
    k = p + pb.fit_intercept
    p0 = pb.primal_at_zero()
    if res.x is None:
        w, b = np.zeros(p), pb.best_intercept(np.zeros(p))
        gap, primal = np.inf, p0
    else:
        beta = res.x[:k] - res.x[k:2 * k]
        w, b = beta[:p], (beta[p] if pb.fit_intercept else 0.0)
        gap, primal, b = pb.certificate(w, b, res.eqlin.marginals)
        if dual_out is not None:
            dual_out.append(res.eqlin.marginals)
    tol_abs = gap_target(tol, p0, FINISHED_GAP_FLOOR)
    if res.success:           # a vertex: optimal to HiGHS's own tolerances
        tol_abs = max(tol_abs, gap)
    return SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                        tol_abs=tol_abs, n_iter=int(res.nit))


def _bounds(problem, size):
    """linprog's bounds: every variable >= 0, and with a box for w, ``w+``
    in ``[max(lower, 0), max(upper, 0)]`` and ``w-`` in ``[max(-upper, 0),
    max(-lower, 0)]`` (so a box that excludes 0 fixes one of the two at 0)."""
    bounds = np.zeros((size, 2))
    bounds[:, 1] = np.inf
    if problem.bounds is not None:
        lower, upper = problem.bounds
        p, k = problem.p, problem.p + problem.fit_intercept
        bounds[:p] = np.column_stack([np.maximum(lower, 0.0), np.maximum(upper, 0.0)])
        bounds[k:k + p] = np.column_stack([np.maximum(-upper, 0.0), np.maximum(-lower, 0.0)])
    return bounds
