"""The relaxed lasso (glmnet's ``relax``): a penalised fit blended with the
unpenalised least-squares refit on its support.

With the support S of a penalised least-squares solution beta, the refit
solves the support's normal equations ``G_SS w_S = b_S`` (the Gram entries
exact finishing uses, ``sklreg._core._gram.normal_equations``: centred, weighted,
divided by n_w) with the intercept eliminated, and the relaxed fit at
``gamma`` is ``gamma * beta + (1 - gamma) * refit`` (intercepts alike).
gamma = 1 is the penalised fit, gamma = 0 the refit.

The refit is certified by its normal-equation residual, entry by entry on
the scale of a gradient entry: ``|b_j - G_j w| <= sqrt(2 P(0) G_jj)`` for
any w whose objective is at most P(0) (Cauchy-Schwarz), and the ratio must
be at most ``tol``; iterative refinement reaches rounding on all but nearly
singular supports (where the minimum-norm solution is taken).
"""
import numpy as np
import scipy.linalg

from sklreg._core._gram import normal_equations
from sklreg.solvers._base import SolverResult
from sklreg.utils._warnings import warn_at_caller

REFINE_STEPS = 3      # iterative refinement steps; each gains about cond(G) * eps


def support_refit(datafit, coef):
    """The unpenalised least-squares refit on ``coef``'s support.

    Returns (coefficients, intercept, certificate): the certificate is the
    largest normal-equation residual relative to its scale (see above).
    """
    support = np.flatnonzero(coef)
    w = np.zeros(coef.shape[0])
    if support.size == 0:
        return w, datafit.y_mean, 0.0
    G, b = normal_equations(datafit, support)
    solve = _solver(G)
    w_s = solve(b)
    scale = np.sqrt(2 * datafit.primal_at_zero * np.maximum(np.diag(G), 0.0))
    residual = _relative(b - G @ w_s, scale)
    for _ in range(REFINE_STEPS):
        if residual <= np.finfo(np.float64).eps:
            break
        step = w_s + solve(b - G @ w_s)
        moved = _relative(b - G @ step, scale)
        if not moved < residual:
            break
        w_s, residual = step, moved
    w[support] = w_s
    intercept = datafit.y_mean - float(np.asarray(datafit.mu)[support] @ w_s)
    return w, intercept, residual


def _solver(G):
    """Solve with G: Cholesky, or the minimum-norm least-squares solution
    when G is singular (more features on the support than the data's rank)."""
    try:
        factor = scipy.linalg.cho_factor(G, lower=True, check_finite=False)
        if np.all(np.diag(factor[0]) > np.sqrt(np.finfo(np.float64).eps)
                  * np.sqrt(np.max(np.diag(G)))):
            return lambda rhs: scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        pass
    return lambda rhs: np.linalg.lstsq(G, rhs, rcond=None)[0]


def _relative(residual, scale):
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(scale > 0, np.abs(residual) / scale, 0.0)
    return float(np.max(ratio, initial=0.0))


def relaxed(datafit, result, gamma, tol):
    """``result`` (a penalised fit whose residual ``datafit`` holds, in the
    estimator's units) relaxed at ``gamma``: a new SolverResult with the
    blended coefficients and intercept, the penalised fit's certificate
    (gap, objective) and the refit's in ``refit_residual``.  A refit whose
    residual is above ``tol`` gives a ConvergenceWarning."""
    refit, intercept, residual = support_refit(datafit, result.coef)
    if residual > max(tol, np.finfo(np.float64).eps):
        from sklearn.exceptions import ConvergenceWarning
        warn_at_caller(
            f"The relaxed fit's least-squares refit on its support of "
            f"{np.count_nonzero(refit)} features is not certified: its normal-equation "
            f"residual is {residual:.3e} (relative) above tol = {tol:.3e}; the support's "
            "columns are nearly collinear.", ConvergenceWarning)
    blended = SolverResult(
        coef=gamma * np.asarray(result.coef) + (1 - gamma) * refit,
        intercept=gamma * result.intercept + (1 - gamma) * intercept,
        gap=result.gap, primal=result.primal, tol_abs=result.tol_abs, n_iter=result.n_iter,
        unit=result.unit)
    blended.refit_residual = residual
    return blended
