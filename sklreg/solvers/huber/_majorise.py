"""Exact scale steps alternating with weighted least-squares majorisers.

The datafit at a fixed scale is majorised in (w, b) by a weighted least
squares with weights ``min(1, eps sigma / |r_i|)`` (exact on inliers),
solved by the working-set coordinate-descent kernel; the exact best scale
of the new residual follows.  Any penalty, dense or sparse X, any p.
"""
import numpy as np

from sklreg._core._anderson import Anderson
from sklreg._core._datafits import LeastSquares
from sklreg.solvers._cd import solve_cd
from sklreg.solvers.huber._result import HuberResult, Progress, begin, on_floor
from sklreg.solvers.huber._scale import best_scale
from sklreg.utils._progress import report_progress

INNER_FRACTION = 1e-3      # majoriser solves stop at this fraction of the gap
INNER_MAX_EPOCHS = 500     # per majoriser solve (an exact fit makes them stiff)
MEMORY = 4                 # iterates an Anderson extrapolation combines


def majorise(problem, w, *, tol_abs, max_iter, check_every=10, floor_exit=False,
             start=None):
    """Minimise from w by scale steps and majoriser solves.

    Both steps lower the objective; every ``MEMORY`` iterations an Anderson
    extrapolation of (w, b, sigma) replaces the iterate when both its
    objective and its gap are lower (the alternation converges linearly,
    extrapolation removes the slow mode).  ``start`` and ``floor_exit`` as
    in ``newton``.  Returns a HuberResult.

    It also stops once the gap has not gone down for ``STALL`` iterations
    or at once when an iteration leaves (w, b, sigma) where they were: the
    majoriser's least-squares gap is then at its rounding floor, which
    leaves w ~sqrt(eps) off (the Huber gap, first order in that error, is
    still above a tight target).  The caller finishes it another way or
    reports the gap reached; max_iter is not burnt on it.
    """
    p = w.shape[0]
    b, r, sigma, dual = begin(problem, w, start)
    first = sigma
    n_iter = 0
    history = []
    progress, moved = Progress(), True
    while True:
        cert = problem.certify(w, problem.dual(r, sigma) if dual is None else dual, sigma)
        dual = None
        report_progress(n_iter, cert.gap, tol_abs, coef=w, gap_name="certificate")
        if cert.gap <= tol_abs or n_iter >= max_iter:
            break
        progress.record(cert.gap)
        if not moved or progress.stalled:
            break
        if floor_exit and on_floor(problem, sigma, first):
            break
        history.append(np.concatenate((w, [b, sigma])))
        if len(history) == MEMORY + 1:
            z = _extrapolate(history)
            history = []
            if z is not None and z[-1] > problem.scale_floor and np.isfinite(
                    problem.penalty.values(z[:p])):
                r_new = problem.residual(z[:p], z[p])
                s_new = best_scale(problem, r_new, sigma)[0]
                other = problem.gap(z[:p], r_new, s_new)
                if other.gap < cert.gap and other.primal <= cert.primal:
                    w, b, r, sigma, cert = z[:p].copy(), z[p], r_new, s_new, other
                    history = [np.concatenate((w, [b, sigma]))]
                    if cert.gap <= tol_abs:
                        break
        weight = cert.dual.weight
        if weight is None:              # the certificate came with a theta
            weight = problem.dual(r, sigma).weight
        before = (w.copy(), b, sigma)
        w = _majoriser_step(problem, w, b, weight, sigma, cert, check_every)
        # the majoriser's best intercept for w, that of X - 1 shift^T
        # (the kernel's, X's, would round at the size of a large column mean)
        r = problem.residual(w, 0.0)
        b = np.dot(weight, r) / weight.sum() if problem.fit_intercept else 0.0
        r -= b
        sigma = best_scale(problem, r, sigma)[0]
        moved = not (b == before[1] and sigma == before[2] and np.array_equal(w, before[0]))
        n_iter += 1
    return HuberResult(coef=w, intercept=b, gap=cert.gap, primal=cert.primal,
                       tol_abs=tol_abs, n_iter=n_iter, scale=sigma, residual=r,
                       dual=cert.dual, stalled=n_iter < max_iter and cert.gap > tol_abs
                       and (not moved or progress.stalled))


def _majoriser_step(problem, w, b, weight, sigma, cert, check_every):
    """The w minimising the weighted least-squares majoriser at ``weight``
    (with its best intercept), from (w, b), where ``cert`` was taken."""
    p = w.shape[0]
    total = weight.sum()
    # datafit majoriser sum_i c_i r_i**2 / sigma, rescaled by sigma / (2 C)
    # to the least-squares kernel's 1 / (2 C) sum_i c_i r_i**2
    factor = sigma / (2.0 * total)
    datafit = LeastSquares(problem.design, problem.y, weight, w, problem.fit_intercept)
    if datafit.primal_at_zero > 0:
        penalty = problem.penalty.scaled(factor)
        # the least-squares gap is second order in the optimality violation
        # delta, the Huber gap (a scaled dual point, linear objective) first
        # order, ~ delta * P: ask the inner solve for delta**2
        inner_tol = INNER_FRACTION * min(cert.gap * factor / datafit.primal_at_zero,
                                         (cert.gap / max(cert.primal, 1e-300)) ** 2)
        w = solve_cd(datafit, penalty, w, tol=inner_tol, max_iter=INNER_MAX_EPOCHS,
                     check_every=check_every,
                     gradient=_majoriser_gradient(problem, datafit, w, b, sigma, cert)).coef
    else:
        # y is constant where the weights are positive (zero without an
        # intercept): w = 0 with the intercept fits the majoriser exactly (a
        # relative inner tol would be 0)
        w = np.zeros(p)
    return w


def _majoriser_gradient(problem, datafit, w, b, sigma, cert):
    """Minus the majoriser's gradient at w, from the certificate's ``X^T
    theta``: the pass over X its first gap would take, saved.

    The majoriser's weights times the residual are ``sigma / 2`` times
    theta (``c_i r_i = s_i r_i`` on inliers, ``s_i eps sigma sign(r_i)``
    beyond), so with the majoriser's own best intercept ``b*`` its
    gradient is ``X^T (c (r + b - b*)) / C = (sigma / 2 X^T theta + (b -
    b*) C mu) / C``, mu the columns' means under c.  None (computed from X)
    when the problem shifts columns or the datafit centres some column
    element by element (a mean dominating its spread: that sum would
    cancel)."""
    if problem.shift is not None or np.any(np.asarray(datafit.mu_centred)):
        return None
    v = (0.5 * sigma / datafit.n_w) * cert.dual.grad
    if problem.fit_intercept:
        mu = np.asarray(datafit.mu)
        v += (b - (datafit.y_mean - np.dot(mu, w))) * mu
    return v


def _extrapolate(history):
    """Anderson extrapolation of the outer iterates (rows of ``history``).

    The kernel's extrapolation with a relative ridge and no orthant: the
    outer iterates converge along one slow mode (a nearly singular system
    of differences, as a rule) and carry the intercept and the scale.
    """
    Z = np.asarray(history)
    return Anderson(Z.shape[1], Z.shape[0] - 1, ridge=1e-12, orthant=False).extrapolated(Z)
