"""Damped Newton on (w, b, sigma) for a smooth penalty.

Newton with (p + 2) x (p + 2) solves, from the least-squares fit on a cold
start; each line-search trial takes the exact best scale of its residual --
the Huber datafit is piecewise quadratic, so once the inlier set settles it
converges in a few steps.  Dense X, no L1 part, no sign constraint, p small.
"""
import numpy as np

from sklreg.solvers.huber._hessian import Hessian, least_squares, newton_direction
from sklreg.solvers.huber._result import HuberResult, Progress, begin, on_floor
from sklreg.solvers.huber._scale import ROUNDING, best_scale
from sklreg.utils._progress import report_progress

MAX_DAMPED = 30            # consecutive short Newton steps before the majoriser


def newton(problem, w, *, tol_abs, max_iter, fallback=None, rel_tol=0.0, floor_exit=False,
           start=None, hessian=None):
    """Minimise from w by damped Newton; the penalty must be smooth.

    When a line search finds no decrease, ``fallback`` (the majoriser)
    continues from there; without one the solver stops (it never raises).
    ``start`` (a HuberResult whose coefficients w are) warm-starts the
    intercept, scale, residual and dual point; ``hessian`` (a ``Hessian``
    of this problem) carries its inlier Gram over from an earlier solve
    (along a path only a few samples change side between alphas).  Stops
    at ``tol_abs + rel_tol * |P|``, on the scale floor with ``floor_exit``,
    or stalled (``Progress``: its steps at their rounding floor, above a
    target tighter than that).  Returns a HuberResult.
    """
    p = w.shape[0]
    hessian = Hessian(problem) if hessian is None else hessian
    if p and start is None and not np.any(w) and hessian.full:
        # a cold start begins at the (lightly ridged) least-squares fit, one
        # p x p solve with the Gram the Hessian already holds: far fewer
        # samples then change side than from w = 0
        w = least_squares(problem, hessian.G)
    b, r, sigma, dual = begin(problem, w, start)
    first = sigma
    n_iter = damped = 0
    updated = False           # r was updated by steps, not computed from (w, b)
    progress = Progress()
    while True:
        cert = problem.certify(w, problem.dual(r, sigma) if dual is None else dual, sigma)
        dual = None
        if p:               # not the scale-only solve inside P(0)
            report_progress(n_iter, cert.gap, tol_abs, coef=w, gap_name="certificate")
        if cert.gap <= tol_abs + rel_tol * abs(cert.primal) or n_iter >= max_iter:
            if updated:
                # the steps' rounding drifts r from the residual of (w, b):
                # the certificate is that of the residual itself (a pass
                # over X, against the Gram's p of them)
                r = problem.residual(w, b)
                sigma = best_scale(problem, r, sigma)[0]
                updated = False
                continue
            break
        progress.record(cert.gap)
        if progress.stalled or floor_exit and on_floor(problem, sigma, first):
            break
        grad = newton_gradient(problem, w, cert)
        A = hessian(r, sigma, cert)
        # the datafit is a perspective, flat along (r, sigma) jointly: far
        # from the optimum the joint step can overshoot along that ray, and
        # the step in (w, b) at fixed sigma (then the exact scale) is tried
        step = newton_direction(A, grad)
        moved = _line_search(problem, w, b, r, sigma, cert.primal, grad, step,
                             lambda: np.append(newton_direction(A[:-1, :-1], grad[:-1]), 0.0))
        damped = damped + 1 if moved is not None and moved[-1] < 1.0 else 0
        if moved is None or damped > MAX_DAMPED:
            # no decrease along the Newton direction, or only short steps for
            # a while: a nearly singular Hessian (epsilon close to 1 makes the
            # problem a least-absolute-deviation fit with sigma -> 0); the
            # majoriser always descends
            if fallback is None:
                break
            rest = fallback(problem, w, tol_abs=tol_abs, max_iter=max_iter - n_iter,
                            floor_exit=floor_exit)
            rest.n_iter += n_iter
            return rest
        w, b, r, sigma, _ = moved
        updated = True
        n_iter += 1
    return HuberResult(coef=w, intercept=b, gap=cert.gap, primal=cert.primal,
                       tol_abs=tol_abs, n_iter=n_iter, scale=sigma, residual=r,
                       dual=cert.dual, stalled=progress.stalled)


def newton_gradient(problem, w, cert):
    """The objective's gradient in (w, [b,] sigma) from its Certificate."""
    with np.errstate(invalid="ignore"):     # an infinite l2 at w_j = 0: zero
        ridge = np.where(w != 0, problem.l2 * w, 0.0)
    if getattr(problem, "linear", None) is not None:   # the L1 part on a face (_face_newton)
        ridge += problem.linear
    return np.concatenate((ridge - cert.grad,
                           [-cert.dual.theta_sum] if problem.fit_intercept else [],
                           [cert.dual.scan.d_scale]))


def _line_search(problem, w, b, r, sigma, primal, grad, step, other, max_halvings=40):
    """Backtracking (Armijo) along ``step``; the full ``other()`` step (a
    function: computed only when needed) is tried when the full ``step``
    fails.  Each trial point takes the exact best scale for its residual
    (started from the one the step proposes), which lowers the objective at
    least as much as the step's own scale and keeps sigma positive without
    damping.

    Returns the new (w, b, r, sigma, step length), or None when no step
    decreases the objective (the caller warns instead of raising).
    """
    p = w.shape[0]

    def descends(direction):
        return np.dot(grad, direction) < 0 and np.all(np.isfinite(direction))

    def trials():
        main = descends(step)
        if main:
            yield "main", step, 1.0
        fixed = other()
        yield "fixed", fixed, 1.0
        for k in range(1, max_halvings):
            yield ("main", step, 0.5 ** k) if main else ("fixed", fixed, 0.5 ** k)

    noise = ROUNDING * np.sqrt(r.size) * abs(primal)
    directions = {}
    for name, direction, t in trials():
        if name not in directions:
            if not descends(direction):
                continue
            db = direction[p] if problem.fit_intercept else 0.0
            dr = np.empty(r.size)          # -(X dw + db), not through y
            if p:
                problem.matvec(direction[:p], dr)
            else:
                dr[:] = 0.0
            dr += db
            np.negative(dr, out=dr)
            directions[name] = dr, db, np.dot(grad, direction)
        dr, db, slope = directions[name]
        w_new = w + t * direction[:p]
        r_new = r + dr if t == 1.0 else r + t * dr
        guess = sigma + t * direction[-1]
        s_new, scan = best_scale(problem, r_new, guess if guess > 0 else sigma)
        value = problem.objective(w_new, scan)
        # the allowance lets the final steps through when the predicted
        # decrease is below the rounding of the objective, a sum of n terms
        # (the gap then decides)
        if value <= primal + 1e-4 * t * slope + (noise if -slope <= noise else 0.0):
            return w_new, b + t * db, r_new, s_new, t
    return None
