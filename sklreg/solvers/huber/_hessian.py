"""Newton's linear algebra: the Hessian in (w, [b,] sigma), kept up to date
cheaply, and the solve of its system."""
import numpy as np

from sklreg.solvers._rows import Rows
from sklreg.utils.linalg import psd_solver

EPS = np.finfo(np.float64).eps


class Hessian:
    """Hessian of the datafit in (w, [b,] sigma), kept up to date cheaply.

    Inlier i contributes ``2 s_i / sigma * u_i u_i^T`` with
    ``u_i = (x_i, 1, r_i / sigma)``; outliers contribute nothing.  With
    ``B = [X, 1]`` (the ones with an intercept) the block
    ``G = sum_inliers s_i B_i B_i^T`` depends on the inlier set only, and
    the last column ``sum_inliers s_i z_i B_i`` is, since ``theta_i = 2 s_i
    z_i`` on inliers and ``2 eps s_i sign(r_i)`` on outliers, ``B^T theta / 2
    - eps S`` with ``S = sum_outliers s_i sign(r_i) B_i`` -- ``B^T theta``
    being the gradient the gap has just computed.  G starts as the Gram of
    every row (one BLAS-3 pass); G and S are then corrected by the rows that
    changed side since the last call (the outliers at first, few once the
    fit settles, and few from one alpha to the next along a path), so a
    call costs O(n) plus O(k p**2) for k changed rows, with no pass over X.
    Rows are gathered one block at a time (``Rows``): no copy of X.
    """

    def __init__(self, problem):
        self.problem = problem
        self.G = self._part(None).gram(problem.s, ones=problem.fit_intercept)
        n, k = problem.X.shape[0], self.G.shape[0]
        self.side = np.zeros(n, dtype=np.int8)   # -1, 0 (inlier), +1 at the last call
        self.S = np.zeros(k)
        self.full = True          # G is still the Gram of every row

    @property
    def outlier(self):
        return self.side != 0

    def _part(self, rows):
        """``Rows`` of ``X[rows]`` (None: all): products one row block at a
        time, so neither a float64 copy of X nor of the gathered rows is
        made."""
        X, shift = self.problem.X, self.problem.shift
        return Rows(X, rows, col_shift=shift)

    def _update(self, side):
        """Bring G and S to the sides ``side`` of the samples."""
        s = self.problem.s
        changed = np.flatnonzero(side != self.side)
        inliers = side.size - np.count_nonzero(side)
        if changed.size > inliers:
            # more changes than inliers: one pass over all rows (no gather)
            self.G, self.S = self._part(None).gram(s * (side == 0), self.problem.fit_intercept,
                                                   s * side)
        elif changed.size:
            # one pass over the changed rows: +s_i in G for those that
            # joined the inliers, -s_i for those that left
            new, old = side[changed], self.side[changed]
            joined = (new == 0).astype(np.float64) - (old == 0)
            dG, dS = self._part(changed).gram(s[changed] * joined, self.problem.fit_intercept,
                                              s[changed] * (new - old))
            self.G += dG
            self.S += dS
        self.side = side
        self.full = False

    def __call__(self, r, sigma, certificate):
        """The Hessian at residual r and scale sigma, from the Certificate
        just computed there (its gradient ``X.T @ theta``, ``sum(theta)``
        and the scale's second derivative)."""
        problem = self.problem
        t = problem.eps * sigma               # the scan's threshold
        side = (r > t).view(np.int8) - (r < -t).view(np.int8)   # n bytes, not 8 n
        self._update(side)
        return newton_matrix(problem, self.G, self.S, sigma, certificate.dual)


def newton_matrix(problem, G, S, sigma, dual):
    """The Hessian in (w, [b,] sigma) from the inliers' Gram ``G`` of ``[X,
    1]``, the outliers' ``S`` (see ``Hessian``) and the Dual at scale sigma."""
    p = dual.grad.shape[0]
    k = G.shape[0] + 1
    A = np.empty((k, k))
    A[:-1, :-1] = G
    A[:p, -1] = 0.5 * dual.grad - problem.eps * S[:p]    # X_in^T (s z)
    if problem.fit_intercept:
        A[p, -1] = 0.5 * dual.theta_sum - problem.eps * S[p]
    A[-1, :-1] = A[:-1, -1]
    A[-1, -1] = 0.5 * sigma * dual.scan.dd_scale            # sum_in s z**2
    A *= 2.0 / sigma
    A.flat[:p * (k + 1):k + 1] += problem.l2
    return A


def newton_direction(A, g):
    """Solve A d = -g; A is positive semi-definite (singular when there are
    fewer inliers than unknowns).  The system is solved in Jacobi-scaled
    form (``D A D``, D = diag(A)**-1/2), with a ridge of 1e-12 on that
    unit diagonal: relative per coordinate, so a huge ridge part of the
    penalty (alpha = 1e300, or y scaled by 1e150) or huge columns (X scaled
    by 1e150) do not swamp the intercept's and the scale's curvature, as a
    ridge relative to the mean diagonal did (no step: max_iter burnt).  If
    the Cholesky factorisation fails or its condition estimate is below
    machine precision (what ``scipy.linalg.solve(assume_a='pos')`` warns
    about), the minimum-norm least-squares solution (``psd_solver``).  An
    overflowing direction (sigma at its floor) is rejected by the line
    search, no need to warn."""
    k = A.shape[0]
    diag = np.diagonal(A)
    # an infinite curvature (a ridge weight beyond float64: alpha = 1e308)
    # holds its coordinate where it is
    held = ~np.isfinite(diag)
    with np.errstate(divide="ignore"):
        d = np.where(held, 0.0, np.where(diag > 0, 1.0 / np.sqrt(diag), 1.0))
    A = np.where(held[:, None] | held[None, :], 0.0, A)   # (a copy: the caller's is used again)
    A = d[:, None] * A * d[None, :]
    A.flat[::k + 1] += 1e-12
    g = np.where(held, 0.0, d * g)
    with np.errstate(all="ignore"):
        # the least-squares fallback keeps what lstsq's default cutoff keeps
        return -d * psd_solver(A, min_rcond=EPS, cutoff=EPS)(g)


def least_squares(problem, G):
    """argmin_w min_b sum_i s_i r_i**2 + ridge; ``G`` is the weighted Gram of
    ``[X, 1]`` (the ones with an intercept)."""
    p = problem.X.shape[1]
    rhs = np.empty(G.shape[0])
    problem.rmatvec(problem.s * problem.y, rhs[:p])
    if problem.fit_intercept:
        rhs[p] = np.dot(problem.s, problem.y)
    A = G.copy()
    A[np.arange(p), np.arange(p)] += problem.l2 + 1e-10 * max(np.trace(G) / max(p, 1), 1e-300)
    w = -newton_direction(A, rhs)[:p]
    return w if np.all(np.isfinite(w)) else np.zeros(p)
