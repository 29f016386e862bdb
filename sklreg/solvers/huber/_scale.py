"""The exact best scale of a residual.

For sigma between two consecutive thresholds ``a_i = |r_i| / eps`` the
inlier set is fixed and ``d fit / d sigma = 0`` reads ``sigma**2 = Q_in /
(n_w - eps**2 S_out)`` (``Q_in`` the weighted sum of squared inlier
residuals, ``S_out`` the outliers' weight).  That piece's derivative lies
below the true one everywhere (a sample on the wrong side contributes
less), so the root of the piece at any sigma bounds the optimum from above;
a sigma with a negative derivative bounds it from below.  From a starting
sigma (e.g. the current scale; one O(n) pass per trial) a bracket is found,
and only the thresholds inside it are sorted.
"""
import numpy as np

from sklreg.solvers.huber._certificate import Scan

ROUNDING = 8 * np.finfo(np.float64).eps
MAX_SCALE_STEPS = 8         # passes of the scale search before a sorted scan
SCALE_BRACKET = 1e-4        # relative bracket width that ends the scale search


def best_scale(problem, r, sigma=None):
    """Return ``(sigma, scan)``: the sigma minimising the datafit of the
    residual r (exact, at least ``problem.scale_floor``) and the Scan
    there.  ``sigma`` is where the search starts."""
    floor = problem.scale_floor
    if not r.size:
        return floor, problem.scan(r, floor)
    lo, hi, tight = 0.0, np.inf, False
    if sigma is None:
        hi = sigma = _all_inliers_above(problem, r)
    for _ in range(MAX_SCALE_STEPS):
        sigma = max(sigma, floor)
        scan = problem.scan(r, sigma)
        fit, d1, d2, low, high = scan
        if not np.isfinite(fit):
            return floor, problem.scan(r, floor)
        q_in, denom = 0.5 * d2 * sigma ** 3, d1 + 0.5 * d2 * sigma
        root = np.sqrt(q_in / denom) if denom > 0 else np.inf    # the piece's root
        if abs(root - sigma) <= ROUNDING * sigma:
            return sigma, scan                # the root of its own piece: exact
        if low <= root <= high and root >= floor:
            # no threshold between: exact too, and the piece gives the
            # values there without a pass
            return root, on_piece(sigma, root, scan)
        hi = min(hi, root)
        if d1 < 0:
            lo = max(lo, sigma)
        else:
            hi = min(hi, sigma)
        if hi == np.inf:                  # no root (no inliers, eps > 1)
            hi = _all_inliers_above(problem, r)
        if hi <= floor or (d1 >= 0 and sigma <= floor):
            return floor, scan if sigma == floor else problem.scan(r, floor)
        if hi - lo <= SCALE_BRACKET * hi:
            if tight or not lo <= root <= hi:
                break
            tight, sigma = True, root     # exact if no threshold lies between
            continue
        # a Newton step on the derivative, kept inside the bracket (the
        # piece's root when it leaves it)
        step = sigma - d1 / d2 if d2 > 0 else -1.0
        sigma = step if lo < step < hi else hi if lo == 0 else np.sqrt(lo * hi)
    sigma = max(_sorted_best_scale(problem, r, lo, hi), floor)
    return sigma, problem.scan(r, sigma)


def _all_inliers_above(problem, r):
    """A scale above which every sample is an inlier and the optimum lies
    below (the rms is the root there; the margin beats the rounding of
    eps * max |r|)."""
    top = np.max(np.abs(r)) / problem.eps * (1.0 + ROUNDING)
    return max(top, np.sqrt(np.dot(problem.s, r * r) / problem.n_w))


def _sorted_best_scale(problem, r, lo=0.0, hi=np.inf):
    """best_scale knowing the optimum lies in [lo, hi]: samples with a
    threshold below lo are inliers there, above hi outliers; the others are
    sorted and the first piece whose root lies inside it wins."""
    eps, weight = problem.eps, problem.s
    a = np.abs(r) / eps
    inside = (a > lo) & (a < hi)
    below = a <= lo
    q0 = np.dot(weight[below], r[below] ** 2)
    s0 = np.sum(weight[below])
    a, s, r2 = a[inside], weight[inside], r[inside] ** 2
    order = np.argsort(a)
    a, s, r2 = a[order], s[order], r2[order]
    q_in = q0 + np.concatenate(([0.0], np.cumsum(s * r2)))   # + first k inside
    s_in = s0 + np.concatenate(([0.0], np.cumsum(s)))
    denom = problem.n_w - eps ** 2 * (problem.n_w - s_in)
    with np.errstate(divide="ignore", invalid="ignore"):
        cand = np.sqrt(np.where(denom > 0, q_in / denom, np.inf))
    left = np.concatenate(([lo], a))
    right = np.concatenate((a, [hi]))
    ok = (denom > 0) & (cand >= left) & (cand <= right)
    if not ok.any():          # rounding at a bracket end
        return hi if np.isfinite(hi) else lo
    return cand[np.argmax(ok)]


def on_piece(sigma, to, scan):
    """The Scan at scale ``to`` from the one at ``sigma``, both between its
    ``low`` and ``high`` (the same inliers): on such a piece the datafit is
    ``sigma C + Q / sigma + A`` (C the inliers' weight plus ``1 - eps**2``
    times the outliers', Q the inliers' weighted squared residuals, A twice
    eps times the outliers' weighted |r|)."""
    fit, d1, d2, low, high = scan
    q = 0.5 * d2 * sigma            # sum_in s z**2 at sigma
    c, quad = d1 + q, q * sigma ** 2
    rest = fit - sigma * c - quad / sigma
    return Scan(to * c + quad / to + rest, c - quad / to ** 2, 2.0 * quad / to ** 3,
                low, high)
