"""The certificate of a Huber fit (the problem of ``_problem``), from sums
over its samples.

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
objective of a point with such outliers loses by it (``epsilon_excess``).
"""
from typing import NamedTuple

import numpy as np

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


class HuberCertificate:
    """The penalty, objective and certificate of a Huber fit, from sums over
    its samples: nothing here reads a sample.

    ``HuberProblem`` (samples in memory) computes the sums itself;
    ``sklreg._dask`` (samples on the workers) gets them from passes over
    row blocks.  Both set, through ``_set_data``, what the methods here
    and Newton's pieces (``newton_matrix``, ``newton_gradient``) read:
    ``n_rows``, ``n_w``, ``y_scale``, ``epsilon`` and ``eps`` (see
    ``_inlier_epsilon``), ``loss``, ``positive``, ``bounds``, the penalty
    (``set_penalty``), ``fit_intercept``, ``scale_floor`` and ``linear``;
    and, per column of X (as the solvers see it, ``X - 1 shift^T``),
    ``xs`` (weighted sums), ``sqnorms`` (weighted squared norms),
    ``constant`` and ``shift`` (None or the offsets).
    """

    def _set_data(self, *, n_rows, n_w, y_scale, epsilon, eps, l1, l2, positive, bounds,
                  fit_intercept):
        self.n_rows, self.n_w, self.y_scale = n_rows, n_w, y_scale
        self.epsilon, self.eps = float(epsilon), eps
        self.loss = Huber(self.eps)
        self.positive = positive
        # the coefficients' box, in the solvers' units (those of y / y_scale)
        self.bounds = None if bounds is None else tuple(
            np.asarray(bound, dtype=np.float64) / self.y_scale for bound in bounds)
        self.set_penalty(l1, l2)
        self.fit_intercept = fit_intercept
        self.scale_floor = np.finfo(np.float64).tiny
        # None, or the gradient of the L1 part on a face, signs held (Newton)
        self.linear = None

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

    def objective(self, w, scan):
        return scan.fit + self.penalty.values(w)

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
        delta = GAP_ROUNDING * np.sqrt(self.sqnorms * self.n_rows * max(dual.energy, 0.0))
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


def epsilon_excess(eps, epsilon, r, s, sigma):
    """The objective with the caller's ``epsilon`` minus that with ``eps``
    (``_inlier_epsilon``) at the residual r, weights s and scale sigma:
    zero unless epsilon was reduced and a sample lies beyond it, where H
    grows as z**2 instead of linearly."""
    if eps == epsilon:
        return 0.0
    # d = |z| - eps beyond it: d**2 up to the caller's epsilon, then
    # linear: m (2 d - m) with m = min(d, epsilon - eps)
    beyond = np.maximum(np.abs(r) / sigma - eps, 0.0)
    m = np.minimum(beyond, epsilon - eps)
    return sigma * float(np.dot(s, m * (2.0 * beyond - m)))


def _inlier_epsilon(epsilon, s, n_w):
    """epsilon, or, when it is beyond 1e6, one still beyond every ``|z_i|``
    at the optimum.  At the least-squares-with-scale optimum (every sample an
    inlier) ``sigma**2 = sum_i s_i r_i**2 / n_w``, so ``z_i**2 <= n_w /
    s_i``: with epsilon above that bound it is also the Huber optimum."""
    if epsilon <= 1e6:
        return epsilon
    bound = 2.0 * np.sqrt(n_w / np.min(s[s > 0]))
    return float(min(epsilon, max(bound, 1e6)))
