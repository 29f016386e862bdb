"""Coordinate descent for penalised weighted least squares.

Problem (the intercept b is never penalised)::

    min_{w, b}  1/(2 n_w) sum_i s_i (y_i - x_i . w - b)**2 + sum_j Omega_j(w_j)

How the intercept is handled
----------------------------
At any w the best intercept is ``b = ybar - mu . w`` with ``mu`` the weighted
column means, so b is eliminated: every coordinate step moves along the
centred column ``x_j - mu_j``.  Centring X would cost a copy (dense) or an
O(n) loop per update (sparse), so the residual is stored as ``r + offset``:
a vector ``r`` updated only where column j is non-zero, and a scalar
``offset`` that carries the ``+ delta * mu_j`` part.  Because the weighted
residual sums to zero, the centred gradient needs no extra pass::

    (x_j - mu_j) . (s * (r + offset)) = x_j . (s * r) + offset * n_w * mu_j

That identity subtracts two terms of size ``mu_j * |x_j|``: harmless while
the mean is of the order of the column's spread, but a column whose mean
dominates it (a timestamp: mean 1e9, spread 1e6) would lose every digit.
Such a column (``|mean| > 4 std``; nearly dense when X is sparse) is centred
element by element instead, in its dot products and in its residual
updates (``Design.col_centred_dot/axpy``, O(n) -- no more than its stored
entries when nearly dense), and its spread is computed from a second,
centred pass.  Nothing cancels: the errors stay at the rounding of X's own
entries.

The offset is folded into r (one O(n) pass) only when the duality gap is
computed; r is then also re-centred, which removes the rounding drift of
its sum.  Before a gap certifies a fit, r is recomputed from w
(``refresh``): the certificate is then about w itself, not about a residual
that rounding moved away from it.
"""
import numpy as np

from libc.math cimport fabs, hypot, sqrt, isnan, isfinite, INFINITY

from sklreg._core._design cimport Design
from sklreg._core._penalties cimport Penalty

# float32 residuals for values up to this (float32 reaches 3.4e38)
cdef double SINGLE_LARGEST = 1e15
# a column whose squared mean exceeds this many times its variance (|mean| >
# 4 std) is centred element by element: through the offset, its products
# lose about this factor times the rounding of its mean's square
cdef double DOMINANT_MEAN = 16.0


cdef class LeastSquares:
    """The residual of a weighted least-squares fit bound to X, y and s.

    Parameters
    ----------
    X : Design
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    w : ndarray of shape (n_features,), float64 -- the starting coefficients
    fit_intercept : bool
    """
    # attributes are declared in _datafits.pxd (so kernels can cimport it)

    def __init__(self, Design X, y, sample_weight, w, bint fit_intercept):
        cdef Py_ssize_t j, n = X.n_samples, p = X.n_features
        self.X = X
        self.fit_intercept = fit_intercept
        y = np.asarray(y, dtype=np.float64)
        # the mean as a sample's y plus the mean of y minus it: exact for a
        # constant y (one sample, say), where the plain weighted mean rounds
        # and left P(0) ~1e-32 y**2 instead of 0, an intercept one ulp off
        if sample_weight is None:
            self.s = np.empty(0)
            self.n_w = n
            y0 = y[0]
            y_mean = y0 + (y - y0).mean() if fit_intercept else 0.0
        else:
            self.s = np.ascontiguousarray(sample_weight, dtype=np.float64)
            self.n_w = self.s.base.sum()
            y0 = y[np.argmax(self.s.base > 0)]          # one of positive weight
            y_mean = y0 + np.dot(sample_weight, y - y0) / self.n_w if fit_intercept else 0.0
        self.y_c = y - y_mean
        self.primal_at_zero = _half_mean_square(&self.y_c[0], self._s(), n, self.n_w)
        # the objective of residuals of 4 eps max|y|, the noise level of y
        self.rounding_floor = 0.5 * (4 * np.finfo(np.float64).eps
                                     * np.max(np.abs(y), initial=0.0)) ** 2

        cdef const double* s = self._s()
        mu = np.zeros(p)
        lip = np.zeros(p)
        cdef const double[::1] w0 = np.ascontiguousarray(w, dtype=np.float64)
        cdef bint cold = not np.any(w0)     # warm starts (Huber's inner fits) skip it
        start_gradient = np.empty(p) if cold else None
        self.mu = mu
        self.mu_centred = np.zeros(p)
        self.mu_offset = np.zeros(p)
        self.lipschitz = lip
        cdef double[::1] v0 = start_gradient
        cdef double spread, mean
        cdef double[4] m      # the column's sum, squared norm and dot with y_c
        cdef bint finite = True
        with nogil:
            for j in range(p):
                # one read of the column for all three; the dot is the
                # gradient at w = 0, so the first gap of a cold start reads X
                # no more (the centring term vanishes, y_c sums to zero)
                self.X.col_moments(j, &self.y_c[0], s, m)
                # NaN or inf in the column makes it NaN or inf: X's values
                # are checked here instead of in a pass of their own
                if not isfinite(m[1]):
                    finite = False
                mean = m[0] / self.n_w if fit_intercept else 0.0
                spread = m[1] - self.n_w * mean * mean
                if mean != 0.0 and mean * mean * self.n_w > DOMINANT_MEAN * spread:
                    # sum x^2 - n mean^2 cancels (at a mean of 1e8 it is all
                    # rounding): a second, centred pass, with the mean
                    # corrected by the centred sum (Chan, Golub & LeVeque),
                    # and the column centred element by element from now on
                    self.X.col_spread(j, mean, &self.y_c[0], s, m)
                    spread = 0.0 if m[3] else m[1] - m[0] * m[0] / self.n_w
                    mean = mean + m[0] / self.n_w
                    self.mu_centred[j] = mean
                else:
                    self.mu_offset[j] = mean
                self.mu[j] = mean
                if cold:
                    v0[j] = m[2] / self.n_w
                self.lipschitz[j] = max(spread, 0.0) / self.n_w
        self.r = np.array(self.y_c, copy=True)
        self.offset = 0.0
        self.y_mean = y_mean
        self.intercept = y_mean
        with nogil:
            for j in range(p):
                if w0[j] != 0.0:
                    self.step(j, w0[j])
        self.start_gradient = start_gradient
        self.v_shifted = np.zeros(p)
        self.finite_norms = finite
        self.updates = 0
        # float32 passes where float32 holds every number they make: y_c and
        # so the residual below 1e15, a step (at most ~ |y_c| / sqrt(L_j))
        # below 1e30 -- else the float64 residual throughout
        self.single_capable = (
            not X.is_float64 and sample_weight is None and finite
            and not np.any(self.mu_centred.base)
            and np.max(np.abs(self.y_c.base), initial=0.0) <= SINGLE_LARGEST
            and not np.any((lip > 0) & (lip < SINGLE_LARGEST ** -2)))
        self.r32 = np.empty(n if self.single_capable else 0, dtype=np.float32)

    # _s, grad and step are inline, defined in _datafits.pxd

    cdef double value(self) noexcept nogil:
        """The datafit at the residual, 1/(2 n_w) sum_i s_i (r_i + offset)**2
        (the offset folded first)."""
        cdef Py_ssize_t i
        cdef double acc = 0.0
        self.fold()
        if self.single:
            for i in range(self.r32.shape[0]):
                acc += <double> self.r32[i] * self.r32[i]
            return 0.5 * acc / self.n_w
        return _half_mean_square(&self.r[0], self._s(), self.r.shape[0], self.n_w)

    cdef void enter_single(self) noexcept nogil:
        """From here on the kernels' passes keep the residual in float32
        (``single_capable`` only): half the bytes of a float64 residual and
        twice the lanes per instruction, what float32 X is for.  The gaps
        computed meanwhile are float32's estimates; ``leave_single``
        recomputes the float64 residual from w, for a gap that certifies."""
        cdef Py_ssize_t i
        self.fold()
        for i in range(self.r.shape[0]):
            self.r32[i] = <float> self.r[i]
        self.single = True

    cdef void leave_single(self, const double[::1] w) noexcept nogil:
        """Back to the float64 residual, recomputed from w (what the float32
        passes' rounding moved r32 by plays no part in it)."""
        self.single = False
        self._recompute(w)

    cdef void fold(self) noexcept nogil:
        """Fold the offset into r and, with an intercept, re-centre r.

        In exact arithmetic the weighted residual sums to zero; the rounding
        of every update drifts its sum, and the gap then has a floor that
        coordinate descent cannot lower (1e-9 P(0) after 10^5 passes on a
        20 x 300 sparse problem: the solve stalled at its restricted
        optimum).  Removing the drift costs one more pass over n, when
        anything moved (the offset is then not zero).
        """
        cdef Py_ssize_t i, n = self.r.shape[0]
        cdef const double* s = self._s()
        cdef double shift = self.offset, total = 0.0
        if shift == 0.0:       # nothing moved since the last fold
            return
        if self.single:        # (unit weights)
            if self.fit_intercept:
                for i in range(n):
                    total += self.r32[i]
                shift = -total / self.n_w
            for i in range(n):
                self.r32[i] += <float> shift
            self.offset = 0.0
            return
        if self.fit_intercept:
            # r + offset, centred, is r centred: the offset drops out
            for i in range(n):
                total += self.r[i] if s == NULL else s[i] * self.r[i]
            shift = -total / self.n_w
        if shift != 0.0:
            for i in range(n):
                self.r[i] += shift
        self.offset = 0.0

    def refresh(self, w):
        """Recompute the residual from w, ``y_c - sum_j w_j (x_j - mu_j)``,
        and the intercept, ``ybar - mu . w``: what the rounding of many
        updates moved them by is gone (one pass over w's columns)."""
        cdef const double[::1] w_ = np.ascontiguousarray(w, dtype=np.float64)
        with nogil:
            self.single = False
            self._recompute(w_)

    cdef void _recompute(self, const double[::1] w) noexcept nogil:
        """``refresh`` (in float64)."""
        cdef Py_ssize_t j
        cdef double b = self.y_mean
        self.r[:] = self.y_c
        self.offset = 0.0
        for j in range(w.shape[0]):
            if w[j] != 0.0:
                self.X.col_centred_axpy(j, -w[j], self.mu_centred[j], &self.r[0])
                self.offset += w[j] * self.mu_offset[j]
                b -= w[j] * self.mu[j]
        self.fold()
        self.intercept = b
        self.updates = 0

    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil:
        """Duality gap of the problem restricted to ``coords``.

        w must be zero outside ``coords``.  Fills v[j] = grad(j) for j in
        coords.  The dual point is the residual scaled by the largest kappa
        that keeps it feasible for every coordinate in ``coords``.
        """
        cdef Py_ssize_t k
        self.fold()
        for k in range(coords.shape[0]):
            v[coords[k]] = self.grad(coords[k])
        return gap_given(self, penalty, w, coords, v, primal)

    cdef double _gap_terms(self, Penalty penalty, const double[::1] w,
                           const int[::1] coords, const double[::1] v, double kappa,
                           double datafit) noexcept nogil:
        """The gap's sum of non-negative terms (``gap_given``, in
        _least_squares_gap.pxi) at the dual
        point kappa * s * r / n_w, whose gradient is kappa * v."""
        cdef Py_ssize_t k, j, unpenalized
        cdef double terms, scale, kkt = 0.0
        terms = penalty.fenchel_young_sum(coords, w, v, kappa, &unpenalized)
        for k in range(coords.shape[0] if unpenalized else 0):
            j = coords[k]
            if penalty.kkt_only(j, kappa * v[j]) and self.lipschitz[j] > 0.0:
                # No dual point satisfies an unpenalised coordinate's
                # constraint (x_j - mu_j) . theta = 0 by scaling (where a
                # bound closes v's side the dual covers it: kkt_only is
                # False), so its part of the gap, -kappa v_j w_j, gets a KKT
                # term added that makes it non-negative and zero iff v[j] is
                # in its subdifferential: the Fenchel-Young term at the
                # point after an exact step.
                scale = penalty.subdiff_distance(j, w[j], v[j])
                kkt += (kappa * scale * (fabs(w[j]) + scale / self.lipschitz[j])
                        - kappa * v[j] * w[j])
        return (1.0 - kappa) * (1.0 - kappa) * datafit + terms + kkt

    cdef double primal(self, Penalty penalty, const double[::1] w,
                       const int[::1] coords) noexcept nogil:
        """Objective value; w must be zero outside ``coords``."""
        cdef Py_ssize_t k
        cdef double value = 0.0
        self.fold()
        for k in range(coords.shape[0]):
            value += penalty.value(coords[k], w[coords[k]])
        return value + self.value()

    def primal_value(self, Penalty penalty, w):
        """Objective at w (zero outside no set: all coordinates count)."""
        cdef const double[::1] w_ = w
        cdef const int[::1] coords = np.flatnonzero(w).astype(np.intc)
        return self.primal(penalty, w_, coords)

    def full_gap(self, Penalty penalty, w, coords=None, gradient=None):
        """Return (gap, primal, v), v the negative gradient.

        On all coordinates, or on ``coords`` only (w zero elsewhere, v NaN
        there): the gap of the problem restricted to them, which certifies
        the full problem when the others are known to be zero at its
        optimum (screened).  ``gradient``, if given, is v at this very w
        where it is not NaN (from an earlier call: v depends on w, not on
        the penalty); only its NaN entries are computed.  The gap is taken
        up to the rounding of v (``rounded_gap``).
        """
        cdef const double[::1] w_ = w
        every = coords is None
        if every:
            coords = np.arange(self.X.n_features, dtype=np.intc)
        cdef const int[::1] coords_ = coords
        cdef const int[::1] missing = coords
        if gradient is None:
            v = np.full(self.X.n_features, np.nan)
        else:
            v = np.array(gradient, dtype=np.float64)
            # (over every feature, without gathering v[coords]: 4x faster)
            missing = (np.flatnonzero(np.isnan(v)) if every
                       else coords[np.isnan(v[coords])]).astype(np.intc)
        cdef double[::1] v_ = v
        cdef double gap, primal
        cdef Py_ssize_t k
        with nogil:
            self.fold()
            for k in range(missing.shape[0]):
                v_[missing[k]] = self.grad(missing[k])
            gap = gap_given(self, penalty, w_, coords_, v_, &primal)
            gap = rounded_gap(self, penalty, w_, coords_, v_, gap)
        return gap, primal, v

    def gradient(self, coords):
        """Return v[coords], minus the datafit's gradient there."""
        cdef const int[::1] c = np.asarray(coords, dtype=np.intc)
        out = np.empty(c.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t k
        with nogil:
            self.fold()
            for k in range(c.shape[0]):
                o[k] = self.grad(c[k])
        return out


    def move(self, double[::1] w, const int[::1] coords, const double[::1] target):
        """Set w[coords] = target, keeping the residual in step."""
        with nogil:
            move_to(self, w, coords, target)

    @property
    def rank_bound(self):
        """Upper bound on the rank of the centred design: positive-weight
        samples, minus one for the intercept."""
        n = self.r.shape[0] if self.s.shape[0] == 0 else np.count_nonzero(self.s.base)
        return n - int(self.fit_intercept)

    def residual(self):
        """Return y - X w - b as a new array."""
        return np.asarray(self.r) + self.offset



cdef inline double _half_mean_square(const double* r, const double* s, Py_ssize_t n,
                                     double n_w) noexcept nogil:
    """1/(2 n_w) sum_i s_i r_i**2 (s NULL: unit weights)."""
    cdef Py_ssize_t i
    cdef double acc = 0.0
    for i in range(n):
        acc += r[i] * r[i] * (1.0 if s == NULL else s[i])
    return 0.5 * acc / n_w


# the certificate's rounding (gap_given, rounded_gap), in its own file
include "_least_squares_gap.pxi"
