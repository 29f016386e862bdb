"""Newton on the active face of a Huber fit with an L1 part: the finish
that ``Session.finish`` gives smooth penalties, for ``l1_ratio > 0``.

On the face of the current support S, signs held, the penalty
``l1_j |w_j| + l2_j / 2 w_j**2`` is the smooth ``l1_j sign_j w_j + l2_j / 2
w_j**2``: Newton applies there, on the columns S only (a (|S| + 2)-square
system).  The result is certified on the whole problem and kept only
where it is no worse than the fit it started from, in objective and gap
(a coordinate that should leave the support, or one that should join it,
leaves the gap where it was).
"""
import numpy as np

from sklreg._core._design import Design
from sklreg.solvers.huber._newton import newton
from sklreg.solvers.huber._problem import HuberProblem
from sklreg.solvers.huber._result import HuberResult
from sklreg.solvers.huber._scale import ROUNDING


def face_newton(problem, result, tol_abs, max_iter):
    """The fit ``result`` (solver units) carried on by Newton on its face
    towards ``tol_abs``; ``result`` itself when that does not improve it."""
    support = np.flatnonzero(result.coef)
    n = problem.X.shape[0]
    if support.size == 0 or 2 * support.size > n:
        return result
    X = problem.X[:, support]
    X = np.asfortranarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    l1 = problem.l1[support] if np.ndim(problem.l1) else np.full(support.size, problem.l1)
    l2 = problem.l2[support] if np.ndim(problem.l2) else np.full(support.size, problem.l2)
    # y already in the solvers' units, l2 too (y_scale 1)
    face = HuberProblem(X, Design(X), problem.y, problem.s, problem.epsilon, l1, l2,
                        problem.positive, problem.fit_intercept, y_scale=1.0)
    face.scale_floor = problem.scale_floor
    face.linear = l1 * np.sign(result.coef[support])
    w = np.array(result.coef[support], dtype=np.float64)
    start = HuberResult(coef=w, intercept=face.solver_intercept(
        w, problem.intercept(result.coef, result.intercept)), gap=result.gap,
        primal=result.primal, tol_abs=tol_abs, n_iter=0, scale=result.scale,
        residual=result.residual, dual=None)
    on_face = newton(face, w.copy(), tol_abs=tol_abs, max_iter=max_iter, start=start)
    coef = np.zeros_like(result.coef)
    coef[support] = on_face.coef
    b = problem.solver_intercept(coef, face.intercept(on_face.coef, on_face.intercept))
    r = problem.residual(coef, b)
    cert = problem.gap(coef, r, on_face.scale)
    # (an objective up by its rounding is no worse: the final Newton steps
    # move it by less than that)
    if cert.primal > result.primal + ROUNDING * abs(result.primal) or cert.gap > result.gap:
        return result
    return HuberResult(coef=coef, intercept=b, gap=cert.gap, primal=cert.primal,
                       tol_abs=result.tol_abs, n_iter=result.n_iter + on_face.n_iter,
                       scale=on_face.scale, residual=r, dual=cert.dual)
