"""A dual point of the sigma -> 0 face that the Huber dual also accepts.

The face's dual optimum need not be unique: samples fitted exactly (``r_i =
0``) may share their multipliers in many ways (repeated or integer-valued
data, an exact fit of more samples than unknowns).  All of them certify the
face problem, but the Huber dual also bounds the energy ``sum_i theta_i**2
/ s_i <= 4 n_w``, and the active set's vertex may break it where another
optimal point does not.  ``least_energy`` moves the multipliers of the exactly
fitted samples to the optimal point of least energy: the move keeps
``X_S^T theta`` and ``sum theta`` (so optimality for the support and the
intercept) and the boxes, and stops short where an inactive coordinate's
bound would break.
"""
import numpy as np
from scipy import linalg

from sklreg.solvers.huber._face_problem import ROUNDED

MAX_ELEMENTS = 1 << 24  # no move when the fitted rows' block is larger
MAX_NEWTON = 50


def least_energy(problem, w, b, theta):
    """Return a dual point optimal with (w, b), of least energy among those
    (up to the inactive coordinates' bounds, kept by stopping short)."""
    pb = problem
    fit = pb.predict(w, b)
    r = pb.y - fit
    free = np.flatnonzero((pb.s > 0) & (np.abs(r) <= ROUNDED * (np.abs(pb.y) + np.abs(fit))))
    support = np.flatnonzero((w != 0) | ~pb.kinked)
    k = support.size + pb.fit_intercept
    if free.size < 2 or free.size * k > MAX_ELEMENTS:
        return theta
    B = np.empty((free.size, k))
    B[:, :support.size] = pb.block(free, support)
    if pb.fit_intercept:
        B[:, -1] = 1.0
    # B^T theta = c says as much as U^T theta = U^T theta_0, U a basis of
    # B's range: at most |F| constraints, independent (repeated rows, an
    # exact fit of more samples than unknowns leave room)
    U, sv, _ = linalg.svd(B, full_matrices=False, check_finite=False)
    U = U[:, sv > 1e-12 * sv[0]] if sv.size and sv[0] > 0 else U[:, :0]
    if U.shape[1] == free.size:
        return theta           # theta_F is determined: nothing to choose
    best = _projection(U, U.T @ theta[free], pb.s[free], pb.box[free])
    step = np.zeros_like(theta)
    step[free] = best - theta[free]
    lam = 1.0
    idle = ~np.isin(np.arange(pb.p), support) & ~pb.frozen
    if np.any(idle & (pb.l1 > 0)) or (pb.positive and np.any(idle)):
        corr, dcorr = pb.correlations(theta)[idle], pb.correlations(step)[idle]
        upper = pb.l1[idle]
        lower = np.full(upper.shape, np.inf) if pb.positive else upper
        lam = min(lam, _room(corr, dcorr, lower, upper))
    return theta + lam * step


def _projection(B, c, s, box):
    """argmin sum theta**2 / (2 s) over |theta| <= box, B^T theta = c, by
    semismooth Newton on the dual: theta(lam) = clip(s B lam, box), and
    lam maximises ``lam.c - sum_i h_i((B lam)_i)``, h_i the conjugate of
    the box-constrained quadratic (piecewise quadratic, so Newton ends)."""
    lam = np.zeros(B.shape[1])
    scale = np.abs(c).sum() + np.abs(B).T @ box

    def dual(lam):
        z = B @ lam
        quad = np.abs(s * z) <= box
        h = np.where(quad, 0.5 * s * z * z, box * np.abs(z) - 0.5 * box ** 2 / s)
        return lam @ c - h.sum(), np.clip(s * z, -box, box), quad

    value, theta, quad = dual(lam)
    for _ in range(MAX_NEWTON):
        g = c - B.T @ theta
        if np.all(np.abs(g) <= 1e-13 * scale):
            break
        J = (B * (s * quad)[:, None]).T @ B
        J[np.diag_indices_from(J)] += 1e-12 * max(np.trace(J), 1e-300) / J.shape[0]
        step = linalg.lstsq(J, g, check_finite=False)[0]
        t = 1.0
        while t > 1e-12:
            new = dual(lam + t * step)
            if new[0] >= value:
                break
            t *= 0.5
        else:
            break
        lam = lam + t * step
        value, theta, quad = new
    return theta


def _room(x, dx, lower, upper):
    """The largest t >= 0 with -lower <= x + t dx <= upper (inf if none binds)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(dx > 0, (upper - x) / dx, np.inf)
        down = np.where(dx < 0, (-lower - x) / dx, np.inf)
    return max(float(np.min(np.minimum(up, down), initial=np.inf)), 0.0)
