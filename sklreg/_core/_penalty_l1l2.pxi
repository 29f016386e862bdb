# L1L2: included by _penalties.pyx (part of that module; see its docstring)


cdef class L1L2(Penalty):
    """Omega_j(w) = l1[j] * |w| + l2[j] / 2 * w**2, with lower[j] <= w <= upper[j].

    This one class is L1 (l2 = 0), L2 (l1 = 0) and the elastic net, with
    glmnet's per-coefficient bounds (``positive`` is lower = 0): they are one
    formula, so one set of methods serves all of them.  On the box the
    coordinate's function is ``f + I_[lower, upper]``: its prox is f's
    clipped to the box, its conjugate ``sup_{u in box} v u - f(u)`` is
    attained at f's maximiser clipped to the box (finite wherever the box is
    bounded in the direction of v), and its subdifferential adds the normal
    cone of the box.

    Parameters
    ----------
    l1, l2 : ndarray of shape (n_features,), non-negative float64
    positive : bool
        Constrain every coefficient to be non-negative (lower = 0).
    lower, upper : ndarray of shape (n_features,), default=None
        Bounds, -inf and +inf by default; lower <= upper.
    """

    def __init__(self, l1, l2, bint positive=False, lower=None, upper=None):
        l1 = np.ascontiguousarray(l1, dtype=np.float64)
        l2 = np.ascontiguousarray(l2, dtype=np.float64)
        if l1.shape != l2.shape or l1.ndim != 1:
            raise ValueError("l1 and l2 must be 1-D arrays of one length")
        lower = np.full(l1.shape, -np.inf) if lower is None else np.array(
            np.broadcast_to(lower, l1.shape), dtype=np.float64)
        upper = np.full(l1.shape, np.inf) if upper is None else np.array(
            np.broadcast_to(upper, l1.shape), dtype=np.float64)
        if positive:
            lower = np.maximum(lower, 0.0)
        if not np.all(lower <= upper):
            raise ValueError("every lower bound must be at most its upper bound")
        self.l1, self.l2, self.lower, self.upper = l1, l2, lower, upper
        self._owner = (l1, l2, lower, upper)
        self.positive = positive or bool(np.all(lower == 0.0) and np.all(upper == np.inf))
        self.bounded = bool(np.any(lower > -np.inf) or np.any(upper < np.inf))
        self.n_features = l1.shape[0]

    def __reduce__(self):
        return (L1L2, (np.asarray(self.l1), np.asarray(self.l2), False,
                       np.asarray(self.lower), np.asarray(self.upper)))

    @property
    def provides(self):
        """``prox``, ``conjugate``, ``fixed_sign_system`` (exact finishing);
        ``l1_l2_weights`` when ``weights()`` describes it entirely (no
        bounds), what solvers taking raw weights need."""
        provides = {"prox", "conjugate", "fixed_sign_system"}
        if not self.bounded:
            provides.add("l1_l2_weights")
        return frozenset(provides)

    def weights(self):
        """(l1, l2): copies of the per-coordinate weights."""
        return np.array(self.l1), np.array(self.l2)

    def scaled(self, double factor):
        """The penalty times ``factor`` (the bounds unchanged)."""
        return L1L2(factor * np.asarray(self.l1), factor * np.asarray(self.l2), False,
                    self.lower, self.upper)

    def pinned(self):
        """The penalty with every penalised coordinate pinned at its
        ``null_point``, the others as they are (no penalty, their bounds):
        the problem at alpha_max.  At 0 the pin is an infinite L1 weight
        (the solvers then leave the coordinate out of their working sets);
        elsewhere a box of one point."""
        lower, upper = self.bounds()
        null, pinned = self.null_point(), self.penalized_mask()
        at_bound = pinned & (null != 0)
        return L1L2(np.where(pinned & (null == 0), np.inf, 0.0), np.zeros(self.n_features),
                    False, np.where(at_bound, null, lower), np.where(at_bound, null, upper))

    def bounds(self):
        """(lower, upper): the box of the coefficients."""
        return np.asarray(self.lower), np.asarray(self.upper)

    def project(self, w):
        """w moved into the box (a copy, float64)."""
        return np.clip(np.asarray(w, dtype=np.float64), self.lower, self.upper)

    def null_point(self):
        """The minimiser of the penalty alone: each coefficient at the point
        of its box nearest 0, where every penalised coefficient sits once
        alpha is at least ``alpha_max``."""
        return self.project(np.zeros(self.n_features))

    def alpha_max(self, v):
        """The smallest factor t >= 0 for which ``null_point()`` is optimal
        on the penalised coordinates under ``t * penalty``, given ``v``, the
        negative gradient of the datafit there (inf if no factor is: a
        coordinate with no L1 weight at 0 whose gradient is not 0).

        At w0 = null_point(), ``v_j`` must lie in ``t * dOmega_j(w0_j)``
        plus the box's normal cone: a coordinate that can move up (w0 <
        upper) needs v_j <= t (l1 + l2 |w0|), one that can move down needs
        -v_j <= t (l1 + l2 |w0|); a pinned one (lower = upper) needs nothing.
        """
        v = np.asarray(v, dtype=np.float64)
        w0 = self.null_point()
        lower, upper = self.bounds()
        weight = np.asarray(self.l1) + np.asarray(self.l2) * np.abs(w0)
        push = np.maximum(np.where(w0 < upper, v, 0.0), np.where(w0 > lower, -v, 0.0))
        penalised = self.penalized_mask()
        if not np.any(np.asarray(self.l1)[penalised] > 0):
            return np.inf
        push, weight = push[penalised], weight[penalised]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(push > 0, push / weight, 0.0)
        return float(np.max(ratio, initial=0.0))

    def screening_weights(self):
        """Per coordinate, the level that the optimal |v_j| stays below only
        if w_j = 0 at the optimum (Gap Safe screening): l1 where the box
        holds 0; 0 where it does not (such a coefficient is never 0)."""
        lower, upper = self.bounds()
        return np.where((lower <= 0) & (upper >= 0), np.asarray(self.l1), 0.0)

    def fixed_sign_system(self, coords, signs):
        coords = np.asarray(coords)
        return (np.asarray(self.l2)[coords],
                np.asarray(self.l1)[coords] * np.asarray(signs, dtype=np.float64))

    cdef double value(self, Py_ssize_t j, double w) noexcept nogil:
        if w < self.lower[j] or w > self.upper[j]:
            return INFINITY
        if w == 0.0:        # also when l1 is infinite (a pinned coordinate)
            return 0.0
        return self.l1[j] * fabs(w) + 0.5 * self.l2[j] * w * w

    cdef double prox(self, Py_ssize_t j, double x, double step) noexcept nogil:
        # the prox of f plus a box, in one dimension: f's prox clipped
        cdef double u = _soft(x, step * self.l1[j]) / (1.0 + step * self.l2[j])
        if self.bounded:
            if u < self.lower[j]:
                return self.lower[j]
            if u > self.upper[j]:
                return self.upper[j]
        return u

    cdef inline void _subdifferential(self, Py_ssize_t j, double w, double* low,
                                      double* high) noexcept nogil:
        """The interval dOmega_j(w), the box's normal cone included."""
        cdef double l1 = self.l1[j]
        if w > 0.0:
            low[0] = high[0] = l1 + self.l2[j] * w
        elif w < 0.0:
            low[0] = high[0] = -l1 + self.l2[j] * w
        else:
            low[0], high[0] = -l1, l1
        if w <= self.lower[j]:
            low[0] = -INFINITY
        if w >= self.upper[j]:
            high[0] = INFINITY

    cdef double subdiff_distance(self, Py_ssize_t j, double w,
                                 double v) noexcept nogil:
        cdef double low, high
        if w < self.lower[j] or w > self.upper[j]:
            return INFINITY
        self._subdifferential(j, w, &low, &high)
        if v < low:
            return low - v
        if v > high:
            return v - high
        return 0.0

    cdef double nearest_subgradient(self, Py_ssize_t j, double w,
                                    double v) noexcept nogil:
        # the point subdiff_distance measures to
        cdef double low, high
        self._subdifferential(j, w, &low, &high)
        return low if v < low else (high if v > high else v)

    cdef inline double _maximiser(self, Py_ssize_t j, double v) noexcept nogil:
        """argmax over the box of v u - f(u): f's maximiser, clipped.  Where
        it is infinite (no L2 part, |v| > l1, the box open on v's side) the
        conjugate is too: the caller scales v into its domain
        (``dual_scale``), and what rounding leaves beyond it is read as
        |v| = l1, whose maximiser is 0 (clipped)."""
        cdef double l1 = self.l1[j], l2 = self.l2[j], u = 0.0
        if l2 > 0.0:
            u = _soft(v, l1) / l2
        elif v > l1 and self.upper[j] < INFINITY:
            u = self.upper[j]
        elif v < -l1 and self.lower[j] > -INFINITY:
            u = self.lower[j]
        return self.lower[j] if u < self.lower[j] else (
            self.upper[j] if u > self.upper[j] else u)

    cdef double conjugate(self, Py_ssize_t j, double v) noexcept nogil:
        cdef double excess, u
        if self.bounded:
            u = self._maximiser(j, v)
            if u == 0.0:
                return 0.0
            # v u - l1 |u| - l2 u**2 / 2, with u's sign taken apart
            excess = v - (self.l1[j] if u > 0 else -self.l1[j])
            return u * (excess - 0.5 * self.l2[j] * u)
        excess = fabs(v) - self.l1[j]
        if excess <= 0.0 or self.l2[j] == 0.0:
            return 0.0
        # excess / l2 first: a coefficient's scale, where excess**2 alone
        # underflows (or overflows) with X and y scaled by 1e-90 (or 1e90)
        return 0.5 * excess * (excess / self.l2[j])

    cdef double fenchel_young(self, Py_ssize_t j, double w, double v) noexcept nogil:
        # (l2 / 2) (w - z)**2 + (l1 |w| - w c) [+ d (z - w)]: z is the
        # coefficient whose gradient v is (the prox, clipped to the box), c
        # the part of v the l1 term absorbs at z, d = v - c - l2 z what the
        # box's normal cone absorbs there.  Every term is >= 0 (d > 0 only
        # at the upper bound, d < 0 only at the lower one) and small near
        # the optimum: no difference of large terms, unlike value +
        # conjugate - v w
        cdef double l1 = self.l1[j], l2 = self.l2[j], z = 0.0, c, d
        if not self.bounded:
            if w == 0.0:            # also a pinned coordinate (l1 infinite)
                return self.conjugate(j, v)
            c = v if fabs(v) <= l1 else (l1 if v > 0 else -l1)
            if l2 > 0.0:
                z = _soft(v, l1) / l2
            return 0.5 * (l2 * (w - z)) * (w - z) + (l1 * fabs(w) - w * c)
        z = self._maximiser(j, v)
        if z > 0.0:
            c = l1
        elif z < 0.0:
            c = -l1
        else:
            c = v if fabs(v) <= l1 else (l1 if v > 0 else -l1)
        d = v - c - l2 * z
        if not ((d > 0.0 and z == self.upper[j]) or (d < 0.0 and z == self.lower[j])):
            d = 0.0                 # rounding beyond the scaled dual's domain
        return (0.5 * (l2 * (w - z)) * (w - z)
                + ((l1 * fabs(w) - w * c) if w != 0.0 else 0.0)   # l1 may be inf
                + (d * (z - w) if d != 0.0 else 0.0))

    cdef double dual_scale(self, Py_ssize_t j, double v) noexcept nogil:
        # the domain of the conjugate: all of R with an L2 part; else
        # v <= l1 unless bounded above, v >= -l1 unless bounded below
        cdef double l1 = self.l1[j]
        if self.l2[j] > 0.0 or not self.is_penalized(j):
            return 1.0
        if v > l1 and self.upper[j] == INFINITY:
            return l1 / v
        if v < -l1 and self.lower[j] == -INFINITY:
            return -l1 / v
        return 1.0

    cdef bint is_penalized(self, Py_ssize_t j) noexcept nogil:
        return self.l1[j] > 0.0 or self.l2[j] > 0.0

    cdef bint kkt_only(self, Py_ssize_t j, double v) noexcept nogil:
        # an unpenalised coordinate's conjugate is the support function of
        # its box: finite where the box is bounded in the direction of v
        if self.is_penalized(j):
            return False
        if v > 0.0:
            return self.upper[j] == INFINITY
        if v < 0.0:
            return self.lower[j] == -INFINITY
        return self.lower[j] == -INFINITY and self.upper[j] == INFINITY

    cdef double dual_terms(self, const int[::1] coords, const double[::1] w,
                           const double[::1] v, double* kappa) noexcept nogil:
        return _dual_terms(self, coords, w, v, kappa)

    cdef double fenchel_young_sum(self, const int[::1] coords, const double[::1] w,
                                  const double[::1] v, double kappa,
                                  Py_ssize_t* unpenalized) noexcept nogil:
        return _fenchel_young_sum(self, coords, w, v, kappa, unpenalized)
