"""Huber regression with Owen's joint scale, certified by a duality gap.

Problem (scikit-learn's ``HuberRegressor`` objective, not divided by n)::

    min_{w, b, sigma > 0}  sum_i s_i (sigma + sigma H(r_i / sigma)) + Omega(w),
    r = y - X w - b,   Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2

with ``H(z) = z**2`` (``|z| <= eps``), ``2 eps |z| - eps**2`` beyond.  The
datafit is the perspective of ``h(u) = sum_i s_i (1 + H(u_i))``, so it is
jointly convex in (w, b, sigma).

Certificate
-----------
Minimising over sigma leaves ``F(r) = min_sigma sum_i s_i sigma (1 + H(r_i /
sigma))``, whose conjugate is the indicator of ``{theta : |theta_i| <= 2 eps
s_i, sum_i theta_i**2 / s_i <= 4 n_w}`` (the conjugate of a perspective).  So
the problem has the Fenchel dual::

    max_theta  theta . y - sum_j Omega_j^*(x_j . theta)
    s.t. theta in that set, and sum_i theta_i = 0 when an intercept is fitted.

The dual point is built from the residual, ``theta_i = s_i psi(r_i / sigma)``
(minus the gradient of the datafit), shifted to sum to zero and scaled into
the feasible set.  ``P(w, b, sigma) - D(theta)`` bounds the suboptimality of
the joint objective and vanishes at the optimum.  An unpenalised feature (no
dual constraint can be met by scaling) contributes, as in the least-squares
solver, a KKT term that is zero iff its partial derivative is.  The floor
kept on the scale (``sigma >= sigma_f``, tiny) adds ``sigma_f (n_w - sum_i
theta_i**2 / (4 s_i)) >= 0`` to the dual, so a fit whose optimum sits on the
floor (an exact fit) is certified too.  Solvers stop
when this gap is at most ``tol * P(0)``, ``P(0)`` being the objective at
``w = 0`` with the best intercept and scale.

Two solvers share that certificate:

* ``newton``: Newton on (w, b, sigma) with (p + 2) x (p + 2) solves, from
  the least-squares fit on a cold start; each line-search trial takes the
  exact best scale of its residual -- the Huber datafit is piecewise
  quadratic, so once the inlier set settles it converges in a few steps.
  Dense X, smooth penalty (no L1, no sign constraint), p small.
* ``majorise``: alternate the exact scale for the current residual (the
  scale condition is piecewise explicit) with a weighted
  least-squares majoriser of the datafit in (w, b) (weights
  ``min(1, eps sigma / |r_i|)``, exact on inliers), solved by the working-set
  coordinate-descent kernel.  Any penalty, dense or sparse X, any p.

When the scale collapses to its floor without a ridge part, ``lad_face``
solves the limit (least-absolute-deviation) linear program once and maps its
dual into this certificate.

Paths (``huber_path``, used by ``regularization_path`` and so by every fold
of ``HuberRegressorCV``) solve one problem at a decreasing sequence of
penalties: each alpha starts from the previous solution (coefficients,
intercept, scale and residual), P(0) and the scale floor are computed once,
Newton's Hessian keeps its inlier Gram from one alpha to the next (only the
samples that change side are added or removed), and the first gap at a new
alpha reuses the penalty-free part of the last one.  Each alpha is certified
to ``tol * P(0)`` exactly as a single fit is.
"""
import warnings

import numpy as np
from scipy import linalg
from scipy.linalg import lapack
from sklearn.exceptions import ConvergenceWarning

from sklreg._core._cd import LeastSquares
from sklreg._core._losses import Huber
from sklreg._core._penalties import L1L2
from sklreg.solvers._base import SolverResult
from sklreg.solvers._cd import solve_cd
from sklreg.solvers._rows import Rows
from sklreg.utils._blas import single_threaded_blas

GAP_FLOOR = 1e-15
NEWTON_MAX_FEATURES = 500   # p above this: the p x p solves stop paying off
INNER_FRACTION = 1e-3      # majoriser solves stop at this fraction of the gap
INNER_MAX_EPOCHS = 500     # per majoriser solve (an exact fit makes them stiff)
LAD_TOL = 1e-10             # relative tol of the least-absolute-deviation solve
SIMPLEX_MAX_SIZE = 10**6     # n * p up to which the simplex may finish the LAD face
LAD_SCALE = 1e4             # sigma below LAD_SCALE * floor: the LAD face is tried
MAX_DAMPED = 30            # consecutive short Newton steps before the majoriser
ROUNDING = 8 * np.finfo(np.float64).eps
MAX_SCALE_STEPS = 8         # passes of the scale search before a sorted scan
SCALE_BRACKET = 1e-4        # relative bracket width that ends the scale search
SCALE_FLOOR = 1e-12         # sigma >= SCALE_FLOOR * (mean |y - ybar|), >= 10 eps


class HuberProblem:
    """Data, loss and penalty of one Huber fit, and its certificate.

    Parameters
    ----------
    X : ndarray (Fortran) or CSC matrix of shape (n_samples, n_features)
    design : sklreg._core._design.Design
        The view of X the compiled kernels use.
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    epsilon : float, >= 1
    l1, l2 : ndarray of shape (n_features,)
        ``Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2``.
    positive : bool
    fit_intercept : bool
    """

    def __init__(self, X, design, y, sample_weight, epsilon, l1, l2, positive,
                 fit_intercept):
        self.X, self.design, self.y = X, design, y
        n, p = X.shape
        self.s = np.ones(n) if sample_weight is None else sample_weight
        self.n_w = float(self.s.sum())
        self.loss = Huber(epsilon)
        self.eps = float(epsilon)
        self.positive = positive
        self.set_penalty(l1, l2)
        self.fit_intercept = fit_intercept
        # the dual box and energy divide theta by s: skip it when s = 1
        self._unit = bool(np.all(self.s == 1.0))
        self._pos = slice(None) if np.all(self.s > 0) else self.s > 0
        self.sqnorms = design.col_sqnorms(self.s) if design is not None else np.zeros(p)
        self.xs = np.zeros(p)          # X.T @ s, the columns' weighted sums
        # theta - shift * s dotted with y is theta dotted with the centred y
        # (no cancellation of two large terms when y has a large mean)
        self._y_dual = y - np.dot(self.s, y) / self.n_w if fit_intercept else y
        if design is not None:
            design.rmatvec(self.s, self.xs)
        # with an intercept, a constant column only duplicates it
        centred = self.sqnorms - (self.xs ** 2 / self.n_w if fit_intercept else 0.0)
        self.constant = centred <= 1e-13 * self.sqnorms
        self._theta = np.empty(n)
        self._weight = np.empty(n)
        self._dual_at = None     # (r, sigma, pieces) of the last gap (see gap)
        self._scanned = None     # (r, sigma, values) of the last scan
        self.scale_floor = np.finfo(np.float64).tiny

    def set_penalty(self, l1, l2):
        """Change the penalty (a new alpha along a path); the data stay."""
        self.l1, self.l2 = l1, l2
        self.penalty = L1L2(l1, l2, self.positive)
        self.penalized = self.penalty.penalized_mask()
        # constant along a solve: what the gap would otherwise test each time
        self._all_penalized = self.penalized.all()
        # a pure-L1 coordinate bounds the dual point (dual_scales below 1)
        self._bounded = bool(np.any((l1 > 0) & (l2 == 0)))

    # -- pieces -------------------------------------------------------------
    def residual(self, w, b, out=None):
        if out is None:
            out = np.empty(self.X.shape[0])
        else:                              # that residual is being overwritten
            if self._dual_at is not None and self._dual_at[0] is out:
                self._dual_at = None
            if self._scanned is not None and self._scanned[0] is out:
                self._scanned = None
        self.design.matvec(w, out)
        np.subtract(self.y, out, out=out)
        out -= b
        return out

    def scan(self, r, sigma, fill=False):
        """(fit, d fit / d sigma, d2 fit / d sigma2, low, high) of the
        residual r at scale sigma (see ``Huber.scan``); with ``fill``, theta
        and weight are filled too (the gap, the majoriser need them; the
        scale search and the objective only read r).

        A repeated call with the same residual array and scale (the line
        search's exact scale, then the objective, then the gap there)
        returns the known values (see ``gap`` on residual arrays).
        """
        last = self._scanned
        if last is not None and last[0] is r and last[1] == sigma and (last[3] or not fill):
            return last[2]
        self.loss.scale = sigma
        s = None if self._unit else self.s
        out = (self.loss.scan(r, s, self._theta, self._weight) if fill
               else self.loss.scan(r, s))
        self._scanned = (r, sigma, out, fill)
        return out

    def objective(self, w, r, sigma):
        return self.scan(r, sigma)[0] + self.penalty.values(w)

    def best_scale(self, r, sigma=None):
        """The sigma minimising the datafit for the residual r (exact).

        For sigma between two consecutive thresholds ``a_i = |r_i| / eps``
        the inlier set is fixed and ``d fit / d sigma = 0`` reads
        ``sigma**2 = Q_in / (n_w - eps**2 S_out)`` (``Q_in`` the weighted sum
        of squared inlier residuals, ``S_out`` the outliers' weight).  That
        piece's derivative lies below the true one everywhere (a sample on
        the wrong side contributes less), so the root of the piece at any
        sigma bounds the optimum from above; a sigma with a negative
        derivative bounds it from below.  From ``sigma`` (e.g. the current
        scale; one O(n) pass per trial) a bracket is found, and only the
        thresholds inside it are sorted.
        """
        if not r.size:
            return self.scale_floor
        lo, hi, tight = 0.0, np.inf, False
        if sigma is None:
            hi = sigma = self._all_inliers_above(r)
        for _ in range(MAX_SCALE_STEPS):
            sigma = max(sigma, self.scale_floor)
            fit, d1, d2, low, high = self.scan(r, sigma)
            if not np.isfinite(fit):
                return self.scale_floor
            q_in, denom = 0.5 * d2 * sigma ** 3, d1 + 0.5 * d2 * sigma
            root = np.sqrt(q_in / denom) if denom > 0 else np.inf    # the piece's root
            if abs(root - sigma) <= ROUNDING * sigma:
                return sigma                  # the root of its own piece: exact
            if low <= root <= high and root >= self.scale_floor:
                # no threshold between: exact too, and the piece gives the
                # values there without a pass
                self._scanned = (r, root, _on_piece(sigma, root, fit, d1, d2, low, high),
                                 False)
                return root
            hi = min(hi, root)
            if d1 < 0:
                lo = max(lo, sigma)
            else:
                hi = min(hi, sigma)
            if hi == np.inf:                  # no root (no inliers, eps > 1)
                hi = self._all_inliers_above(r)
            if hi <= self.scale_floor or (d1 >= 0 and sigma <= self.scale_floor):
                return self.scale_floor       # the optimum is the floor
            if hi - lo <= SCALE_BRACKET * hi:
                if tight or not lo <= root <= hi:
                    break
                tight, sigma = True, root     # exact if no threshold lies between
                continue
            # a Newton step on the derivative, kept inside the bracket (the
            # piece's root when it leaves it)
            step = sigma - d1 / d2 if d2 > 0 else -1.0
            sigma = step if lo < step < hi else hi if lo == 0 else np.sqrt(lo * hi)
        return max(self._sorted_best_scale(r, lo, hi), self.scale_floor)

    def _all_inliers_above(self, r):
        """A scale above which every sample is an inlier and the optimum
        lies below (the rms is the root there; the margin beats the
        rounding of eps * max |r|)."""
        top = np.max(np.abs(r)) / self.eps * (1.0 + ROUNDING)
        return max(top, np.sqrt(np.dot(self.s, r * r) / self.n_w))

    def _sorted_best_scale(self, r, lo=0.0, hi=np.inf):
        """best_scale knowing the optimum lies in [lo, hi]: samples with a
        threshold below lo are inliers there, above hi outliers; the others
        are sorted and the first piece whose root lies inside it wins."""
        a = np.abs(r) / self.eps
        inside = (a > lo) & (a < hi)
        below = a <= lo
        q0 = np.dot(self.s[below], r[below] ** 2)
        s0 = np.sum(self.s[below])
        a, s, r2 = a[inside], self.s[inside], r[inside] ** 2
        order = np.argsort(a)
        a, s, r2 = a[order], s[order], r2[order]
        q_in = q0 + np.concatenate(([0.0], np.cumsum(s * r2)))   # + first k inside
        s_in = s0 + np.concatenate(([0.0], np.cumsum(s)))
        denom = self.n_w - self.eps ** 2 * (self.n_w - s_in)
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = np.sqrt(np.where(denom > 0, q_in / denom, np.inf))
        left = np.concatenate(([lo], a))
        right = np.concatenate((a, [hi]))
        ok = (denom > 0) & (cand >= left) & (cand <= right)
        if not ok.any():          # rounding at a bracket end
            return hi if np.isfinite(hi) else lo
        return cand[np.argmax(ok)]

    # -- certificate --------------------------------------------------------
    def gap(self, w, r, sigma, theta=None):
        """Return (gap, primal, v) at (w, b, sigma) with residual r.

        v = X.T @ theta is minus the gradient of the datafit in w (theta
        before its shift to sum zero).  The dual point is built from the
        residual unless ``theta`` is given.  What does not depend on the
        penalty is kept for the next call with the same residual array and
        scale (a path's next alpha starts where the last one stopped); the
        solvers never write into a residual array once it is scanned, except
        through ``residual(out=r)``, which drops it.
        """
        at = self._dual_at
        known = theta is None and at is not None and at[0] is r and at[1] == sigma
        fit, self.d_scale, self.dd_scale = self.scan(r, sigma, fill=not known)[:3]
        primal = fit + self.penalty.values(w)
        if known:
            pieces = at[2]
        else:
            pieces = self._dual_pieces(theta)
            self._dual_at = (r, sigma, pieces) if theta is None else None
        self.theta_sum, grad, v, peak, energy, ty = pieces
        kappa = 1.0
        if peak > 2 * self.eps:
            kappa = 2 * self.eps / peak
        if energy > 4 * self.n_w:
            kappa = min(kappa, np.sqrt(4 * self.n_w / energy))
        pen = self.penalized
        if self._bounded:
            kappa = min(kappa, np.min(self.penalty.dual_scales(v)[pen]))
        conjugates = self.penalty.conjugates(kappa * v)
        dual = kappa * ty - (conjugates.sum() if self._all_penalized else conjugates[pen].sum())
        # sigma >= scale_floor adds -scale_floor * h^*(theta) >= 0 to the dual
        dual += self.scale_floor * max(self.n_w - 0.25 * kappa ** 2 * energy, 0.0)
        kkt = 0.0
        if not self._all_penalized:
            free = ~pen & (self.sqnorms > 0)
            lip = 2.0 / sigma * self.sqnorms[free]
            vf = v[free]
            kkt = np.sum(np.abs(kappa * vf) * (np.abs(w[free]) + np.abs(vf) / lip))
        return primal - dual + kkt, primal, grad.copy()

    def _dual_pieces(self, theta=None):
        """The penalty-free parts of the gap for the theta of the last filling
        scan (or ``theta``): sum(theta), X.T @ theta, the same after the
        shift to sum zero, the box peak and energy of the shifted theta, its
        dot with y.  The shift is applied to these sums, not to theta."""
        if theta is None:          # the scan's sums (see Huber.scan)
            theta, loss = self._theta, self.loss
            energy, top, bottom = loss.theta_energy, loss.theta_max, loss.theta_min
        else:
            ratio = theta[self._pos] / self.s[self._pos]
            energy, top, bottom = np.dot(theta[self._pos], ratio), ratio.max(), ratio.min()
        total = theta.sum()        # pairwise: the intercept's gradient, accurately
        v = np.empty(self.X.shape[1])
        self.design.rmatvec(theta, v)
        grad = v.copy()
        ty = np.dot(theta, self._y_dual)
        if self.fit_intercept:
            shift = total / self.n_w        # theta - shift * s sums to zero
            v -= self.xs * shift
            energy -= shift * total
            top, bottom = top - shift, bottom - shift
        return total, grad, v, max(top, -bottom), energy, ty


def _on_piece(sigma, to, fit, d1, d2, low, high):
    """``scan``'s values at scale ``to`` from those at ``sigma``, both
    between ``low`` and ``high`` (the same inliers): on such a piece the
    datafit is ``sigma C + Q / sigma + A`` (C the inliers' weight plus
    ``1 - eps**2`` times the outliers', Q the inliers' weighted squared
    residuals, A twice eps times the outliers' weighted |r|)."""
    q = 0.5 * d2 * sigma            # sum_in s z**2 at sigma
    c, quad = d1 + q, q * sigma ** 2
    rest = fit - sigma * c - quad / sigma
    return to * c + quad / to + rest, c - quad / to ** 2, 2.0 * quad / to ** 3, low, high


def _start(problem, w, start=None):
    """(b, r, sigma) to begin from: ``start`` = (b, sigma, r or None) of a
    warm start (e.g. the previous alpha's solution, whose coefficients w
    are), else the weighted mean residual and its best scale."""
    w[problem.constant] = 0.0      # the intercept takes their part
    if start is not None:
        b, sigma, r = start
        return b, (problem.residual(w, b) if r is None else r), sigma
    r = problem.residual(w, 0.0)
    b = np.dot(problem.s, r) / problem.n_w if problem.fit_intercept else 0.0
    r -= b
    return b, r, problem.best_scale(r)


def _least_squares(problem, G):
    """argmin_w min_b sum_i s_i r_i**2 + ridge; ``G`` is the weighted Gram of
    ``[X, 1]`` (the ones with an intercept)."""
    p = problem.X.shape[1]
    rhs = np.empty(G.shape[0])
    problem.design.rmatvec(problem.s * problem.y, rhs[:p])
    if problem.fit_intercept:
        rhs[p] = np.dot(problem.s, problem.y)
    A = G.copy()
    A[np.arange(p), np.arange(p)] += problem.l2 + 1e-10 * max(np.trace(G) / max(p, 1), 1e-300)
    w = -_newton_direction(A, rhs)[:p]
    return w if np.all(np.isfinite(w)) else np.zeros(p)


def objective_at_zero(problem):
    """P(0): the objective at w = 0 with the best intercept and scale."""
    zero = HuberProblem(np.empty((problem.X.shape[0], 0), order="F"), None,
                        problem.y, problem.s, problem.eps, np.zeros(0), np.zeros(0),
                        False, problem.fit_intercept)
    zero.design = _NoColumns()
    zero.scale_floor = problem.scale_floor
    result = newton(zero, np.zeros(0), tol_abs=0.0, max_iter=100, quiet=True,
                    rel_tol=1e-13)
    return result.primal, result.scale


class _NoColumns:
    """The Design interface for a problem with no features."""

    def matvec(self, w, out):
        out[:] = 0.0

    def rmatvec(self, v, out):
        pass




class _Hessian:
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
        made (a float32 X was copied whole, then the outliers' rows)."""
        X = self.problem.X
        return Rows(X) if rows is None else Rows(X, rows)

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

    def __call__(self, r, sigma, v, theta_sum):
        """The Hessian at residual r and scale sigma, right after ``gap``
        there: ``v = X.T @ theta`` (the gradient it returns) and
        ``theta_sum = sum(theta)``; the problem's scan holds r's sides and
        ``dd_scale``."""
        problem, p = self.problem, self.problem.X.shape[1]
        t = problem.eps * sigma               # the scan's threshold
        side = (r > t).view(np.int8) - (r < -t).view(np.int8)   # n bytes, not 8 n
        self._update(side)
        k = self.G.shape[0] + 1
        A = np.empty((k, k))
        A[:-1, :-1] = self.G
        A[:p, -1] = 0.5 * v - problem.eps * self.S[:p]            # X_in^T (s z)
        if problem.fit_intercept:
            A[p, -1] = 0.5 * theta_sum - problem.eps * self.S[p]
        A[-1, :-1] = A[:-1, -1]
        A[-1, -1] = 0.5 * sigma * problem.dd_scale                # sum_in s z**2
        A *= 2.0 / sigma
        A.flat[:p * (k + 1):k + 1] += problem.l2
        return A


def _newton_direction(A, g):
    """Solve A d = -g; A is positive semi-definite (singular when there are
    fewer inliers than unknowns), so a relative ridge of 1e-12 is added and,
    if the Cholesky factorisation fails or its condition estimate is below
    machine precision (what ``scipy.linalg.solve(assume_a='pos')`` warns
    about; LAPACK is called directly, the solve is small and frequent), a
    least-squares solve is used.  An overflowing direction (sigma at its
    floor) is rejected by the line search, no need to warn."""
    k = A.shape[0]
    A = np.array(A)                    # the caller's A is used again
    A.flat[::k + 1] += 1e-12 * max(np.trace(A) / max(k, 1), 1e-300)
    factor, info = lapack.dpotrf(A)
    if info == 0:
        rcond, info = lapack.dpocon(factor, lapack.dlange("1", A))
        if info == 0 and rcond >= np.finfo(np.float64).eps:
            d, info = lapack.dpotrs(factor, g)
            if info == 0:
                return -d
    with np.errstate(all="ignore"):
        return -linalg.lstsq(A, g, check_finite=False)[0]


def newton(problem, w, *, tol_abs, max_iter, quiet=False, fallback=None,
           rel_tol=0.0, floor_exit=False, start=None, hessian=None):
    """Damped Newton on (w, b, sigma); the penalty must be smooth (no l1).

    When a line search finds no decrease, ``fallback`` (the majoriser)
    continues from there; without one the solver stops (it never raises).
    ``start`` = (b, sigma, r or None) warm-starts the intercept, scale
    (and residual) that go with w;
    ``hessian`` (a ``_Hessian`` of this problem) carries its inlier Gram
    over from an earlier solve (along a path only a few samples change side
    between alphas).  Returns a SolverResult with an extra ``scale``
    attribute.
    """
    p = w.shape[0]
    hessian = _Hessian(problem) if hessian is None else hessian
    if p and start is None and not np.any(w) and hessian.full:
        # a cold start begins at the (lightly ridged) least-squares fit, one
        # p x p solve with the Gram the Hessian already holds: far fewer
        # samples then change side than from w = 0
        w = _least_squares(problem, hessian.G)
    b, r, sigma = _start(problem, w, start)
    n_iter = damped = 0
    while True:
        gap, primal, v = problem.gap(w, r, sigma)
        if gap <= tol_abs + rel_tol * abs(primal) or n_iter >= max_iter:
            break
        if floor_exit and _on_floor(problem, sigma):
            break
        grad = np.concatenate((problem.l2 * w - v,
                               [-problem.theta_sum] if problem.fit_intercept else [],
                               [problem.d_scale]))
        A = hessian(r, sigma, v, problem.theta_sum)
        # the datafit is a perspective, flat along (r, sigma) jointly: far
        # from the optimum the joint step can overshoot along that ray, and
        # the step in (w, b) at fixed sigma (then the exact scale) is tried
        step = _newton_direction(A, grad)
        moved = _line_search(problem, w, b, r, sigma, primal, grad, step,
                             lambda: np.append(_newton_direction(A[:-1, :-1], grad[:-1]), 0.0))
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
        n_iter += 1
    result = SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                          tol_abs=tol_abs, n_iter=n_iter)
    result.scale, result.residual = sigma, r
    return result


def _line_search(problem, w, b, r, sigma, primal, grad, step, other,
                 max_halvings=40):
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
        main = step if descends(step) else None
        if main is not None:
            yield main, 1.0
        fixed = other()
        yield fixed, 1.0
        for k in range(1, max_halvings):
            yield (fixed if main is None else main), 0.5 ** k

    noise = ROUNDING * np.sqrt(r.size) * abs(primal)
    directions = {}
    for direction, t in trials():
        if id(direction) not in directions:
            if not descends(direction):
                continue
            db = direction[p] if problem.fit_intercept else 0.0
            dr = problem.residual(direction[:p], 0.0)
            dr -= problem.y          # dr = -X dw
            dr -= db
            directions[id(direction)] = dr, db, np.dot(grad, direction)
        dr, db, slope = directions[id(direction)]
        w_new = w + t * direction[:p]
        r_new = r + dr if t == 1.0 else r + t * dr
        guess = sigma + t * direction[-1]
        s_new = problem.best_scale(r_new, guess if guess > 0 else sigma)
        value = problem.objective(w_new, r_new, s_new)
        # the allowance lets the final steps through when the predicted
        # decrease is below the rounding of the objective, a sum of n terms
        # (the gap then decides)
        if value <= primal + 1e-4 * t * slope + (noise if -slope <= noise else 0.0):
            return w_new, b + t * db, r_new, s_new, t
    return None


def _extrapolate(history):
    """Anderson extrapolation of the outer iterates (rows of ``history``):
    the affine combination whose successive differences are smallest."""
    Z = np.asarray(history)
    U = np.diff(Z, axis=0)
    gram = U @ U.T
    gram += 1e-12 * max(np.trace(gram), 1e-300) * np.eye(gram.shape[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            c = linalg.solve(gram, np.ones(gram.shape[0]), assume_a="pos")
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        return None
    if not np.isfinite(c).all() or c.sum() == 0:
        return None
    return (c / c.sum()) @ Z[1:]


def majorise(problem, w, *, tol_abs, max_iter, check_every=10, memory=4,
             floor_exit=False, start=None):
    """Exact scale steps alternating with coordinate-descent majoriser solves.

    Both steps lower the objective; every ``memory`` iterations an Anderson
    extrapolation of (w, b, sigma) replaces the iterate when it is lower
    still (the alternation converges linearly, extrapolation removes the
    slow mode).  The extrapolated point is kept when both its objective and
    its gap are lower.  ``start`` warm-starts as in ``newton``.
    """
    p = w.shape[0]
    b, r, sigma = _start(problem, w, start)
    n_iter = 0
    history = []
    while True:
        gap, primal, _ = problem.gap(w, r, sigma)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        if floor_exit and _on_floor(problem, sigma):
            break
        history.append(np.concatenate((w, [b, sigma])))
        if len(history) == memory + 1:
            z = _extrapolate(history)
            history = []
            if z is not None and z[-1] > problem.scale_floor and not (
                    problem.positive and np.any(z[:p] < 0)):
                r_new = problem.residual(z[:p], z[p])
                s_new = problem.best_scale(r_new, sigma)
                gap_new, primal_new, _ = problem.gap(z[:p], r_new, s_new)
                if gap_new < gap and primal_new <= primal:
                    w, b, r, sigma = z[:p].copy(), z[p], r_new, s_new
                    gap, primal = gap_new, primal_new
                    history = [np.concatenate((w, [b, sigma]))]
                    if gap <= tol_abs:
                        break
        problem.scan(r, sigma, fill=True)
        c = problem._weight.copy()
        total = c.sum()
        # datafit majoriser sum_i c_i r_i**2 / sigma, rescaled by sigma / (2 C)
        # to the least-squares kernel's 1 / (2 C) sum_i c_i r_i**2
        factor = sigma / (2.0 * total)
        datafit = LeastSquares(problem.design, problem.y, c, w, problem.fit_intercept)
        if datafit.primal_at_zero > 0:
            penalty = L1L2(factor * problem.l1, factor * problem.l2, problem.positive)
            # the least-squares gap is second order in the optimality
            # violation delta, the Huber gap (a scaled dual point, linear
            # objective) first order, ~ delta * P: ask the inner solve for
            # delta**2
            inner_tol = INNER_FRACTION * min(gap * factor / datafit.primal_at_zero,
                                             (gap / max(primal, 1e-300)) ** 2)
            w = solve_cd(datafit, penalty, w, tol=inner_tol, max_iter=INNER_MAX_EPOCHS,
                         check_every=check_every).coef
        else:
            # y is constant where c > 0 (zero without an intercept): w = 0 with
            # the intercept fits the majoriser exactly (a relative inner tol
            # would be 0)
            w = np.zeros(p)
            datafit = LeastSquares(problem.design, problem.y, c, w, problem.fit_intercept)
        b = datafit.intercept if problem.fit_intercept else 0.0
        r = problem.residual(w, b, out=r)
        sigma = problem.best_scale(r, sigma)
        n_iter += 1
    result = SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                          tol_abs=tol_abs, n_iter=n_iter)
    result.scale, result.residual = sigma, r
    return result


def solve_huber(problem, w, *, tol=1e-5, max_iter=100, solver="auto"):
    """Minimise the Huber objective of ``problem`` from coefficients ``w``.

    ``solver='auto'`` takes Newton for dense X, a smooth penalty,
    p <= NEWTON_MAX_FEATURES and n >= 2 p, else the majoriser with
    coordinate descent.
    Returns a SolverResult with extra ``scale`` and ``residual`` attributes.
    """
    with single_threaded_blas():
        return _Session(problem, tol, max_iter, solver).solve(w)


def huber_path(problem, penalties, w, *, tol=1e-5, max_iter=100, solver="auto"):
    """Solve ``problem`` at each ``(l1, l2)`` of ``penalties`` in turn.

    Each solve starts from the previous solution's coefficients, intercept
    and scale, and all share what does not depend on the penalty (see
    ``_Session``); each is certified to ``tol * P(0)`` as ``solve_huber``'s.
    Returns one SolverResult (with ``scale``) per penalty.
    """
    results, start = [], None
    with single_threaded_blas():
        session = _Session(problem, tol, max_iter, solver)
        for l1, l2 in penalties:
            problem.set_penalty(l1, l2)
            result = session.solve(w, start)
            results.append(result)
            w = np.array(result.coef, dtype=np.float64)
            start = (result.intercept if problem.fit_intercept else 0.0, result.scale,
                     result.residual)
            del result.residual
    return results


class _Session:
    """The solves of one problem at one or several penalties.

    They share what the penalty does not change: the scale floor, ``P(0)``
    (so the absolute tolerance) and Newton's Hessian, whose inlier Gram is
    corrected by the samples that change side from one solve to the next
    rather than rebuilt.
    """

    def __init__(self, problem, tol, max_iter, solver):
        s, y = problem.s, problem.y
        spread = np.dot(s, np.abs(y - np.dot(s, y) / problem.n_w)) / problem.n_w
        problem.scale_floor = max(SCALE_FLOOR * spread, 10 * np.finfo(np.float64).eps)
        self.problem, self.max_iter, self.solver = problem, max_iter, solver
        self.tol_abs = max(tol, GAP_FLOOR) * objective_at_zero(problem)[0]
        self.hessian = None

    def _method(self):
        problem = self.problem
        if self.solver != "auto":
            return self.solver
        smooth = not problem.positive and not np.any(problem.l1 > 0)
        dense = isinstance(problem.X, np.ndarray)
        n, p = problem.X.shape
        small = p <= NEWTON_MAX_FEATURES and 2 * p <= n
        return "newton" if smooth and dense and small else "majorise"

    def _run(self, w, max_iter, floor_exit, start=None):
        problem, tol_abs = self.problem, self.tol_abs
        if self._method() == "newton":
            if self.hessian is None:
                self.hessian = _Hessian(problem)
            return newton(problem, w, tol_abs=tol_abs, max_iter=max_iter,
                          fallback=majorise, floor_exit=floor_exit, start=start,
                          hessian=self.hessian)
        return majorise(problem, w, tol_abs=tol_abs, max_iter=max_iter,
                        floor_exit=floor_exit, start=start)

    def solve(self, w, start=None):
        """Solve from w (and ``start`` = (b, sigma, r) that go with it)."""
        problem, tol_abs, max_iter = self.problem, self.tol_abs, self.max_iter
        w = np.array(w, dtype=np.float64)
        # both solvers degrade when the scale collapses towards its floor (an
        # exact fit of many samples: epsilon close to 1, rank-deficient data):
        # the problem is then the least-absolute-deviation one, a linear
        # program without a ridge part, solved once by the simplex, whose dual
        # certifies it; if it does not, the solver carries on from its
        # solution.  (With a ridge part it is a QP; the interior point stalls
        # near 1e-7 on such flat, exact-fit faces, so it is not used there.)
        face = not problem.positive and problem.X.shape[1] > 0 and not np.any(problem.l2 > 0)
        if face and problem.eps == 1.0:
            # d fit / d sigma = sum over inliers of s_i (1 - z_i**2) >= 0: the
            # optimal scale is the floor whatever w, the face is the problem
            result = lad_face(problem, w, tol_abs)
            if result.gap <= tol_abs:
                return result
            w, start = result.coef, None
        result = self._run(w, max_iter, face, start)
        if result.gap <= tol_abs or not face:
            return result
        lad = lad_face(problem, result.coef, tol_abs)
        if lad.gap <= min(tol_abs, result.gap) or result.n_iter >= max_iter:
            return lad if lad.gap < result.gap else result
        rest = self._run(lad.coef, max_iter - result.n_iter, False)
        rest.n_iter += result.n_iter + lad.n_iter
        return rest if rest.gap <= lad.gap else lad


def _on_floor(problem, sigma):
    return sigma <= LAD_SCALE * problem.scale_floor


def lad_face(problem, w, tol_abs):
    """The fit with the scale at its floor: as sigma -> 0 the datafit tends
    to ``2 eps sum_i s_i |r_i|``, a quantile (tau = 1/2) regression with the
    penalty divided by ``4 eps`` -- a linear program without a ridge part,
    solved by the interior point, then by the simplex (HiGHS) when that is
    not certified and the problem is small.  Its dual
    point, times ``4 eps``, lies in the Huber dual's box, and certifies the
    joint problem when it also meets the dual's energy constraint (the scale
    optimum is then the floor)."""
    from sklreg._core._losses import Pinball
    from sklreg.solvers._highs import solve_highs
    from sklreg.solvers._ipm import QuantileProblem, solve_ipm
    k = 4.0 * problem.eps
    keep = problem.s > 0                      # the quantile solvers want s > 0
    rows = slice(None) if keep.all() else np.flatnonzero(keep)
    quantile = QuantileProblem(problem.X[rows], problem.y[rows], problem.s[rows],
                               Pinball(0.5), problem.l1 / k, problem.l2 / k,
                               problem.fit_intercept)
    p0 = quantile.primal_at_zero()          # that problem is divided by n_w
    # at most a tenth of the target (the joint gap adds the floor's share),
    # and tight whatever the target: this face is flat (an exact fit), and a
    # loose solve leaves the predictions far from the optimum's
    tol = max(min(0.1 * tol_abs / (k * quantile.n_w * max(p0, 1e-300)), LAD_TOL), GAP_FLOOR)
    dual = []
    res = solve_ipm(quantile, w, tol=tol, max_iter=200, p0=p0, dual_out=dual)
    best = _certified(problem, quantile, rows, res, dual[0], tol_abs)
    if best.gap > tol_abs and problem.X.shape[0] * problem.X.shape[1] <= SIMPLEX_MAX_SIZE:
        # the interior point stalls near 1e-11; the simplex's vertex is exact
        dual = []
        res = solve_highs(quantile, tol=tol, dual_out=dual)
        if dual:
            vertex = _certified(problem, quantile, rows, res, dual[0], tol_abs)
            best = vertex if vertex.gap < best.gap else best
    return best


def _certified(problem, quantile, rows, res, dual, tol_abs):
    """The joint problem's result at a quantile solution and its dual point."""
    k = 4.0 * problem.eps
    w = np.asarray(res.coef, dtype=np.float64)
    b = res.intercept if problem.fit_intercept else 0.0
    r = problem.residual(w, b)
    sigma = problem.best_scale(r)
    theta = np.zeros(problem.y.shape[0])
    theta[rows] = k * quantile.dual(dual)[1]     # made feasible there
    gap, primal, _ = min(problem.gap(w, r, sigma, theta), problem.gap(w, r, sigma),
                         key=lambda g: g[0])
    result = SolverResult(coef=w, intercept=b, gap=gap, primal=primal, tol_abs=tol_abs,
                          n_iter=res.n_iter)
    result.scale, result.residual = sigma, r
    return result
