"""Data, loss and penalty of one Huber fit, and its certificate.

The problem (scikit-learn's ``HuberRegressor`` objective, not divided by n)::

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
(minus the gradient of the datafit), or handed over (the exact solution of
the sigma -> 0 face gives its own), shifted to sum to zero and scaled into
the feasible set.  ``P(w, b, sigma) - D(theta)`` bounds the suboptimality of
the joint objective and vanishes at the optimum.  An unpenalised feature (no
dual constraint can be met by scaling) contributes, as in the least-squares
solver, a KKT term that is zero iff its partial derivative is.  The floor
kept on the scale (``sigma >= scale_floor``, tiny) adds ``scale_floor (n_w -
sum_i theta_i**2 / (4 s_i)) >= 0`` to the dual, so a fit whose optimum sits
on the floor (an exact fit) is certified too.

A huge epsilon (1e300: its square overflows) is replaced by one above which
no sample can be an outlier at the optimum (``_inlier_epsilon``): the same
optimum, and a dual set inside the original one; ``excess`` says what the
objective of a point with such outliers loses by it.
"""
import copy
from typing import NamedTuple

import numpy as np

from sklreg._core._design import Design
from sklreg._core._losses import Huber
from sklreg._core._penalties import L1L2

GAP_ROUNDING = 8 * np.finfo(np.float64).eps      # as the least-squares certificate's


class Scan(NamedTuple):
    """What one pass over a residual says about the scale (``Huber.scan``):
    the joint datafit, its first and second derivative in sigma, and the
    scales between which the inlier set stays the same."""
    fit: float
    d_scale: float
    dd_scale: float
    low: float
    high: float


class Dual(NamedTuple):
    """The penalty-free part of the certificate at one residual and scale:
    a path's next alpha starts from it.  ``grad = X.T @ theta`` (minus the
    datafit's gradient in w), ``v`` the same after theta's shift to sum
    zero, ``peak`` and ``energy`` of the shifted theta (its box and energy
    constraints), ``ty`` its dot with y; ``weight`` the majoriser's weights
    (None for a theta handed over)."""
    scan: Scan
    theta_sum: float
    grad: np.ndarray
    v: np.ndarray
    peak: float
    energy: float
    ty: float
    weight: object


class Certificate(NamedTuple):
    """The duality gap at one point, the objective there, and what the
    solvers read next to it."""
    gap: float
    primal: float
    grad: np.ndarray
    dual: Dual


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
    y_scale : float, optional
        See below; chosen from y when not given.

    The solvers see ``y / y_scale``, ``y_scale`` a power of two near the
    spread of y (so exact), and coefficients, intercept, scale and
    objective in those units (the ridge part of the penalty, quadratic,
    becomes ``l2 * y_scale``): whatever y's magnitude (1e-20, 1e120), the
    scale floor, Newton's ridge and the rounding allowances are relative,
    and no square overflows.  ``solve_huber`` and ``huber_path`` take and
    return the caller's units.
    """

    def __init__(self, X, design, y, sample_weight, epsilon, l1, l2, positive,
                 fit_intercept, y_scale=None, bounds=None):
        self.X, self.design = X, design
        n, p = X.shape
        self.s = np.ones(n) if sample_weight is None else sample_weight
        self.n_w = float(self.s.sum())
        self.y_scale = _spread_scale(y, self.s, self.n_w) if y_scale is None else y_scale
        self.y = y if self.y_scale == 1.0 else y / self.y_scale
        y = self.y
        self.epsilon = float(epsilon)
        self.eps = _inlier_epsilon(self.epsilon, self.s, self.n_w)
        self.loss = Huber(self.eps)
        self.positive = positive
        # the coefficients' box, in the solvers' units (those of y / y_scale)
        self.bounds = None if bounds is None else tuple(
            np.asarray(bound, dtype=np.float64) / self.y_scale for bound in bounds)
        self.set_penalty(l1, l2)
        self.fit_intercept = fit_intercept
        # the dual box and energy divide theta by s: skip it when s = 1
        self._unit = bool(np.all(self.s == 1.0))
        self._pos = slice(None) if np.all(self.s > 0) else self.s > 0
        self.sqnorms = design.col_sqnorms(self.s) if p else np.zeros(0)
        self.xs = np.zeros(p)          # the columns' weighted sums (of X - 1 shift^T)
        # theta - shift * s dotted with y is theta dotted with the centred y
        # (no cancellation of two large terms when y has a large mean)
        self._y_dual = y - np.dot(self.s, y) / self.n_w if fit_intercept else y
        if p:
            design.rmatvec(self.s, self.xs)
        self.shift = None
        self.constant = self.sqnorms == 0
        if fit_intercept and p:
            self._shift_offset_columns()
        self.scale_floor = np.finfo(np.float64).tiny
        # None, or the gradient of the L1 part on a face, signs held (Newton)
        self.linear = None

    def _shift_offset_columns(self):
        """With an intercept, the problem is solved in ``X - 1 mu^T`` and the
        intercept ``b + mu . w`` (the same objective): ``mu_j`` is the mean
        of each column whose mean dominates its spread (``|mean| > 4 std``),
        zero for the others, so that no product, Gram entry or Newton step
        cancels two terms of the size of that mean (a timestamp-like column:
        the uncentred Gram has lost the column's spread below 1e8 std).  A
        second pass gives those columns' centred sums and whether they are
        constant (exactly: they then only duplicate the intercept)."""
        mean = self.xs / self.n_w
        offset = 17.0 * mean ** 2 * self.n_w > 16.0 * self.sqnorms
        if not offset.any():
            return
        cols = np.flatnonzero(offset)
        self.shift = np.where(offset, mean, 0.0)
        moments = self.design.centred_moments(cols, self.shift, self.s)
        self.xs[cols], self.sqnorms[cols] = moments[:, 0], moments[:, 1]
        self.constant[cols] = moments[:, 2] == 1.0

    def densified(self):
        """The same problem (shift, penalty, units) on a dense float64 copy
        of a sparse X."""
        X = np.asfortranarray(self.X.toarray(), dtype=np.float64)
        other = copy.copy(self)
        other.X, other.design = X, Design(X)
        return other

    def intercept(self, w, b):
        """The intercept of X for coefficients w and the solvers' intercept b
        (that of ``X - 1 shift^T``)."""
        return b if self.shift is None else b - np.dot(self.shift, w)

    def solver_intercept(self, w, intercept):
        """The inverse of ``intercept``."""
        return intercept if self.shift is None else intercept + np.dot(self.shift, w)

    def matvec(self, w, out):
        """out = (X - 1 shift^T) @ w."""
        if self.shift is None:
            self.design.matvec(w, out)
        else:
            self.design.centred_matvec(w, self.shift, out)
        return out

    def rmatvec(self, v, out):
        """out = (X - 1 shift^T).T @ v."""
        if self.shift is None:
            self.design.rmatvec(v, out)
        else:
            self.design.centred_rmatvec(v, self.shift, out)
        return out

        self.scale_floor = np.finfo(np.float64).tiny

    def set_penalty(self, l1, l2):
        """Change the penalty (a new alpha along a path; in the caller's
        units); the data stay."""
        with np.errstate(over="ignore"):     # beyond float64: an infinite ridge, w = 0
            self.l1, self.l2 = l1, l2 * self.y_scale
        self.penalty = L1L2(self.l1, self.l2, self.positive,
                            *(self.bounds if self.bounds is not None else ()))
        self.penalized = self.penalty.penalized_mask()
        # constant along a solve: what the gap would otherwise test each time
        self._all_penalized = self.penalized.all()
        # a pure-L1 coordinate bounds the dual point (dual_scales below 1)
        self._bounded = bool(np.any((l1 > 0) & (l2 == 0)))

    @property
    def smooth(self):
        """No kink in the penalty: Newton's method applies."""
        return not self.positive and self.bounds is None and not np.any(self.l1 > 0)

    # -- pieces -------------------------------------------------------------
    def residual(self, w, b, out=None):
        out = np.empty(self.X.shape[0]) if out is None else out
        if w.shape[0]:
            self.matvec(w, out)
            np.subtract(self.y, out, out=out)
        else:
            out[:] = self.y
        out -= b
        return out

    def scan(self, r, sigma):
        """The Scan of residual r at scale sigma (reads r only)."""
        self.loss.scale = sigma
        return Scan(*self.loss.scan(r, None if self._unit else self.s))

    def objective(self, w, scan):
        return scan.fit + self.penalty.values(w)

    def excess(self, r, sigma):
        """The objective with the caller's epsilon minus this one's at the
        residual r and scale sigma: zero unless epsilon was reduced and a
        sample lies beyond it, where H grows as z**2 instead of linearly."""
        if self.eps == self.epsilon:
            return 0.0
        # d = |z| - eps beyond it: d**2 up to the caller's epsilon, then
        # linear: m (2 d - m) with m = min(d, epsilon - eps)
        beyond = np.maximum(np.abs(r) / sigma - self.eps, 0.0)
        m = np.minimum(beyond, self.epsilon - self.eps)
        return sigma * float(np.dot(self.s, m * (2.0 * beyond - m)))

    # -- certificate --------------------------------------------------------
    def dual(self, r, sigma, theta=None):
        """The Dual at residual r and scale sigma, from ``theta_i = s_i
        psi(r_i / sigma)`` or from the ``theta`` given.  The shift to sum
        zero is applied to the sums, not to theta."""
        self.loss.scale = sigma
        s = None if self._unit else self.s
        weight = None
        if theta is None:            # the scan's sums (see Huber.scan)
            theta, weight = np.empty_like(r), np.empty_like(r)
            scan = Scan(*self.loss.scan(r, s, theta, weight))
            energy, top = self.loss.theta_energy, self.loss.theta_max
            bottom = self.loss.theta_min
        else:
            scan = Scan(*self.loss.scan(r, s))
            ratio = theta[self._pos] / self.s[self._pos]
            energy, top, bottom = np.dot(theta[self._pos], ratio), ratio.max(), ratio.min()
        total = theta.sum()        # pairwise: the intercept's gradient, accurately
        grad = np.empty(self.X.shape[1])
        if grad.size:
            self.rmatvec(theta, grad)
        return self.dual_of_sums(scan, total, grad, energy, top, bottom,
                                 np.dot(theta, self._y_dual), weight)

    def dual_of_sums(self, scan, total, grad, energy, top, bottom, ty, weight=None):
        """The Dual from the sums over samples of theta: ``total`` (its sum),
        ``grad`` (``X.T @ theta``), ``energy``, ``top`` and ``bottom`` (see
        ``Huber.scan``), ``ty`` (its dot with the centred y); the data may
        live elsewhere (``sklreg._dask`` sums them block by block)."""
        v = np.array(grad, dtype=np.float64)
        if self.fit_intercept:
            shift = total / self.n_w        # theta - shift * s sums to zero
            v -= self.xs * shift
            energy -= shift * total
            top, bottom = top - shift, bottom - shift
        return Dual(scan, total, grad, v, max(top, -bottom), energy, ty, weight)

    def certify(self, w, dual, sigma):
        """The Certificate at coefficients w and the Dual of their residual
        at scale sigma, under the current penalty, taken up to the rounding
        of ``v = X^T theta`` (``_rounded``)."""
        primal = self.objective(w, dual.scan)
        gap = primal - self._dual_value(w, dual, dual.v, sigma)
        v = self._rounded(w, dual, sigma)
        if v is not None:
            gap = min(gap, primal - self._dual_value(w, dual, v, sigma))
        return Certificate(gap, primal, dual.grad.copy(), dual)

    def _dual_value(self, w, dual, v, sigma):
        """The dual objective at the Dual's theta, its product with X taken
        as v, less the KKT term of the unpenalised coordinates."""
        energy = dual.energy
        kappa = 1.0
        if dual.peak > 2 * self.eps:
            kappa = 2 * self.eps / dual.peak
        if energy > 4 * self.n_w:
            kappa = min(kappa, np.sqrt(4 * self.n_w / energy))
        pen = self.penalized
        if self._bounded:
            kappa = min(kappa, np.min(self.penalty.dual_scales(v)[pen]))
        conjugates = self.penalty.conjugates(kappa * v)
        value = kappa * dual.ty - (conjugates.sum() if self._all_penalized
                                   else conjugates[pen].sum())
        # sigma >= scale_floor adds -scale_floor * h^*(theta) >= 0 to the dual
        value += self.scale_floor * max(self.n_w - 0.25 * kappa ** 2 * energy, 0.0)
        if not self._all_penalized:
            free = ~pen & (self.sqnorms > 0)
            lip = 2.0 / sigma * self.sqnorms[free]
            vf = v[free]
            lower, upper = (bound[free] for bound in self.penalty.bounds())
            # a bound on v_j's side (w_j >= 0 with positive, for v_j <= 0)
            # makes its conjugate the box's support function, finite: such
            # a v_j is feasible, its term -w_j v_j already in the gap
            closed = np.where(vf > 0, upper < np.inf, lower > -np.inf)
            if np.any(closed):
                edge = np.where(vf > 0, upper, lower)[closed]
                value -= np.dot(edge[edge != 0], kappa * vf[closed][edge != 0])
                vf = np.where(closed, 0.0, vf)
            value -= np.sum(np.abs(kappa * vf) * (np.abs(w[free]) + np.abs(vf) / lip))
        return value

    def _rounded(self, w, dual, sigma):
        """v moved, where the subgradient it must reach is itself below v's
        rounding (a penalty float64 cannot see there: X scaled by 1e150
        against alpha = 1e-4, whose L2 part then added (v / l2)**2 ~ 1e270
        at the optimum), by at most that rounding towards it; None where no
        coordinate is so.  The rounding of ``v_j`` is its dot product's,
        over n terms ``|x_ij theta_i|`` (errors growing as sqrt(n); their
        sum at most ``|x_j|_s |theta / sqrt(s)|``, the columns as centred,
        element by element).  Not that of theta through r: where sigma is
        below r's rounding that is all of theta's box, and would excuse
        anything.  The least-squares certificate makes the same allowance.
        O(p): no pass over X."""
        if w.size == 0:
            return None
        v = dual.v
        delta = GAP_ROUNDING * np.sqrt(self.sqnorms * self.X.shape[0] * max(dual.energy, 0.0))
        l1 = self.l1 if np.ndim(self.l1) else np.full(w.size, self.l1)
        l2 = self.l2 if np.ndim(self.l2) else np.full(w.size, self.l2)
        lower, upper = self.penalty.bounds()
        with np.errstate(invalid="ignore"):          # (an infinite l2 times w = 0)
            # at 0, the subdifferential [-l1, l1], open on a side a bound closes
            near = np.where(w != 0, l1 * np.sign(w) + l2 * w,
                            np.clip(v, np.where(lower < 0, -l1, -np.inf),
                                    np.where(upper > 0, l1, np.inf)))
        # (at a non-zero bound the subdifferential is a half-line: not moved)
        move = (np.abs(near) <= delta) & ((w == 0) | ((w != lower) & (w != upper)))
        if not move.any():
            return None
        v = v.copy()
        v[move] += np.clip(near[move] - v[move], -delta[move], delta[move])
        return v

    def gap(self, w, r, sigma, theta=None):
        """The Certificate at (w, residual r, sigma), its dual point built
        from the residual unless ``theta`` is given."""
        return self.certify(w, self.dual(r, sigma, theta), sigma)


def _spread_scale(y, s, n_w):
    """A power of two near the weighted mean absolute deviation of y (near
    max |y| when y is constant up to 2**-60 of it), 1 for y = 0."""
    top = np.max(np.abs(y)) if y.size else 0.0
    if not 0 < top < np.inf:
        return 1.0
    scale = np.ldexp(1.0, int(np.frexp(top)[1]))       # y / scale within (-1, 1)
    z = y / scale
    spread = np.dot(s, np.abs(z - np.dot(s, z) / n_w)) / n_w
    if spread > 2.0 ** -60:
        scale = np.ldexp(scale, int(np.round(np.log2(spread))))
    return float(scale)


def _inlier_epsilon(epsilon, s, n_w):
    """epsilon, or, when it is beyond 1e6, one still beyond every ``|z_i|``
    at the optimum.  At the least-squares-with-scale optimum (every sample an
    inlier) ``sigma**2 = sum_i s_i r_i**2 / n_w``, so ``z_i**2 <= n_w /
    s_i``: with epsilon above that bound it is also the Huber optimum."""
    if epsilon <= 1e6:
        return epsilon
    bound = 2.0 * np.sqrt(n_w / np.min(s[s > 0]))
    return float(min(epsilon, max(bound, 1e6)))
