"""Separable penalties, one coordinate at a time.

A penalty is ``Omega(w) = sum_j Omega_j(w_j)``.  Solvers only ever ask for one
coordinate ``j`` at a time:

``value(j, w)``               Omega_j(w)
``prox(j, x, step)``          argmin_u (u - x)**2 / (2 step) + Omega_j(u)
``subdiff_distance(j, w, v)`` distance from v to the subdifferential of Omega_j
                              at w; zero for all j is the optimality condition
                              when v is the negative gradient of the datafit
``nearest_subgradient(j, w, v)`` the point of that subdifferential closest to v
``conjugate(j, v)``           Omega_j^*(v), for v inside its domain
``fenchel_young(j, w, v)``    Omega_j(w) + Omega_j^*(v) - v w >= 0, zero iff v is
                              a subgradient at w: the coordinate's part of a
                              duality gap, written without cancellation
``dual_scale(j, v)``          the largest kappa in (0, 1] with kappa * v inside
                              the domain of Omega_j^* (1 when unconstrained);
                              solvers rescale the dual point by the minimum
                              over j, which keeps the dual feasible
``is_penalized(j)``           False for a coordinate with no penalty at all

The conjugate of an unpenalised coordinate is the indicator of {0}; solvers
treat such coordinates exactly at every pass instead of through the dual.
"""
import numpy as np

from libc.math cimport fabs, INFINITY

# The gap's sums over every coordinate are written once, for both classes:
# specialised for the final L1L2, the per-coordinate calls are direct, and
# inlinable (virtual, they cost 0.3 ms of a 1.5 ms gap at p = 50,000)
ctypedef fused AnyPenalty:
    Penalty
    L1L2


cdef inline double _dual_terms(AnyPenalty penalty, const int[::1] coords,
                               const double[::1] w, const double[::1] v,
                               double* kappa) noexcept nogil:
    cdef Py_ssize_t k, j
    cdef double total = 0.0, scale
    for k in range(coords.shape[0]):
        j = coords[k]
        total += penalty.value(j, w[j])
        scale = penalty.dual_scale(j, v[j])
        if scale < kappa[0]:
            kappa[0] = scale
    return total


cdef inline double _fenchel_young_sum(AnyPenalty penalty, const int[::1] coords,
                                      const double[::1] w, const double[::1] v,
                                      double kappa, Py_ssize_t* unpenalized) noexcept nogil:
    cdef Py_ssize_t k, j
    cdef double total = 0.0
    unpenalized[0] = 0
    for k in range(coords.shape[0]):
        j = coords[k]
        if penalty.is_penalized(j):
            total += penalty.fenchel_young(j, w[j], kappa * v[j])
        else:
            unpenalized[0] += 1
    return total


cdef inline double _soft(double x, double t) noexcept nogil:
    if x > t:
        return x - t
    if x < -t:
        return x + t
    return 0.0


cdef class Penalty:
    """Base class; see the module docstring for the contract."""

    cdef double value(self, Py_ssize_t j, double w) noexcept nogil:
        return 0.0

    cdef double prox(self, Py_ssize_t j, double x, double step) noexcept nogil:
        return x

    cdef double subdiff_distance(self, Py_ssize_t j, double w,
                                 double v) noexcept nogil:
        return fabs(v)

    cdef double nearest_subgradient(self, Py_ssize_t j, double w,
                                    double v) noexcept nogil:
        return 0.0

    cdef double conjugate(self, Py_ssize_t j, double v) noexcept nogil:
        return 0.0

    cdef double dual_scale(self, Py_ssize_t j, double v) noexcept nogil:
        return 1.0

    cdef double fenchel_young(self, Py_ssize_t j, double w, double v) noexcept nogil:
        return self.value(j, w) + self.conjugate(j, v) - v * w

    cdef bint is_penalized(self, Py_ssize_t j) noexcept nogil:
        return False

    cdef double dual_terms(self, const int[::1] coords, const double[::1] w,
                           const double[::1] v, double* kappa) noexcept nogil:
        """Return the sum of value(j, w_j) over ``coords``; lower ``kappa``
        to the smallest dual_scale(j, v_j) among them."""
        return _dual_terms(self, coords, w, v, kappa)

    cdef double fenchel_young_sum(self, const int[::1] coords, const double[::1] w,
                                  const double[::1] v, double kappa,
                                  Py_ssize_t* unpenalized) noexcept nogil:
        """Return the sum of fenchel_young(j, w_j, kappa v_j) over the
        penalised ``coords``; count the others in ``unpenalized``."""
        return _fenchel_young_sum(self, coords, w, v, kappa, unpenalized)

    # -- numpy-facing helpers, for tests and for the Python solver loop ----
    def values(self, const double[::1] w):
        """Return Omega(w)."""
        cdef Py_ssize_t j
        cdef double acc = 0.0
        for j in range(w.shape[0]):
            acc += self.value(j, w[j])
        return acc

    def prox_vector(self, const double[::1] x, double step):
        """Return the coordinate-wise prox of ``step * Omega`` at x."""
        out = np.empty(x.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t j
        for j in range(x.shape[0]):
            o[j] = self.prox(j, x[j], step)
        return out

    def subdiff_distances(self, const double[::1] w, const double[::1] v):
        """Return, per coordinate, the distance from v_j to dOmega_j(w_j)."""
        out = np.empty(w.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(w.shape[0]):
                o[j] = self.subdiff_distance(j, w[j], v[j])
        return out

    def conjugates(self, const double[::1] v):
        """Return, per coordinate, Omega_j^*(v_j) (v inside the domain)."""
        out = np.empty(v.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(v.shape[0]):
                o[j] = self.conjugate(j, v[j])
        return out

    def fenchel_young_terms(self, const double[::1] w, const double[::1] v):
        """Return, per coordinate, Omega_j(w_j) + Omega_j^*(v_j) - v_j w_j."""
        out = np.empty(w.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(w.shape[0]):
                o[j] = self.fenchel_young(j, w[j], v[j])
        return out

    def dual_scales(self, const double[::1] v):
        """Return, per coordinate, the largest kappa in (0, 1] with kappa v_j
        in the domain of Omega_j^*."""
        out = np.empty(v.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(v.shape[0]):
                o[j] = self.dual_scale(j, v[j])
        return out

    def fixed_sign_system(self, coords, signs):
        """On coordinates ``coords`` with known non-zero ``signs``, return
        (curvature, slope) with Omega_j(w) = slope_j * w + curvature_j / 2 * w**2
        there, or None if the penalty is not of that form."""
        return None

    def penalized_mask(self):
        """Return a boolean array, True where the coordinate is penalised."""
        out = np.empty(self.n_features, dtype=np.uint8)
        cdef unsigned char[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(self.n_features):
                o[j] = self.is_penalized(j)
        return out.view(bool)


cdef class L1L2(Penalty):
    """Omega_j(w) = l1[j] * |w| + l2[j] / 2 * w**2, optionally with w >= 0.

    This one class is L1 (l2 = 0), L2 (l1 = 0) and the elastic net: they are
    one formula, so one set of methods serves all three.

    Parameters
    ----------
    l1, l2 : ndarray of shape (n_features,), non-negative float64
    positive : bool
        Constrain every coefficient to be non-negative.
    """

    def __init__(self, l1, l2, bint positive=False):
        l1 = np.ascontiguousarray(l1, dtype=np.float64)
        l2 = np.ascontiguousarray(l2, dtype=np.float64)
        if l1.shape != l2.shape or l1.ndim != 1:
            raise ValueError("l1 and l2 must be 1-D arrays of one length")
        self.l1 = l1
        self.l2 = l2
        self._owner = (l1, l2)
        self.positive = positive
        self.n_features = l1.shape[0]

    def fixed_sign_system(self, coords, signs):
        coords = np.asarray(coords)
        return (np.asarray(self.l2)[coords],
                np.asarray(self.l1)[coords] * np.asarray(signs, dtype=np.float64))

    cdef double value(self, Py_ssize_t j, double w) noexcept nogil:
        if w == 0.0:        # also when l1 is infinite (a pinned coordinate)
            return 0.0
        if self.positive and w < 0:
            return INFINITY
        return self.l1[j] * fabs(w) + 0.5 * self.l2[j] * w * w

    cdef double prox(self, Py_ssize_t j, double x, double step) noexcept nogil:
        cdef double u
        if self.positive:
            u = x - step * self.l1[j]
            u = u if u > 0.0 else 0.0
        else:
            u = _soft(x, step * self.l1[j])
        return u / (1.0 + step * self.l2[j])

    cdef double subdiff_distance(self, Py_ssize_t j, double w,
                                 double v) noexcept nogil:
        cdef double g = v - self.l2[j] * w   # what the l1 part must absorb
        cdef double l1 = self.l1[j]
        if w > 0.0:
            return fabs(g - l1)
        if w < 0.0:
            return fabs(g + l1)
        if self.positive:                     # subdifferential is (-inf, l1]
            return g - l1 if g > l1 else 0.0
        return fabs(g) - l1 if fabs(g) > l1 else 0.0

    cdef double nearest_subgradient(self, Py_ssize_t j, double w,
                                    double v) noexcept nogil:
        # the point subdiff_distance measures to
        cdef double l1 = self.l1[j]
        if w > 0.0:
            return l1 + self.l2[j] * w
        if w < 0.0:
            return -l1 + self.l2[j] * w
        if v > l1:                            # at 0: [-l1, l1], or (-inf, l1]
            return l1
        if v < -l1 and not self.positive:
            return -l1
        return v

    cdef double conjugate(self, Py_ssize_t j, double v) noexcept nogil:
        cdef double excess = v if self.positive else fabs(v)
        excess -= self.l1[j]
        if excess <= 0.0 or self.l2[j] == 0.0:
            return 0.0
        # excess / l2 first: a coefficient's scale, where excess**2 alone
        # underflows (or overflows) with X and y scaled by 1e-90 (or 1e90)
        return 0.5 * excess * (excess / self.l2[j])

    cdef double fenchel_young(self, Py_ssize_t j, double w, double v) noexcept nogil:
        # (l2 / 2) (w - z)**2 + (l1 |w| - w c): z is the coefficient whose
        # gradient v is (the prox), c the part of v the l1 term absorbs
        # (v clipped to its subdifferential).  Both terms are >= 0 and small
        # near the optimum: no difference of large terms, unlike value +
        # conjugate - v w
        cdef double l1 = self.l1[j], l2 = self.l2[j], z = 0.0, c
        if w == 0.0:            # also a pinned coordinate (l1 infinite)
            return self.conjugate(j, v)
        if self.positive:
            c = v if v < l1 else l1
            if l2 > 0.0 and v > l1:
                z = (v - l1) / l2
        else:
            c = v if fabs(v) <= l1 else (l1 if v > 0 else -l1)
            if l2 > 0.0:
                z = _soft(v, l1) / l2
        return 0.5 * (l2 * (w - z)) * (w - z) + (l1 * fabs(w) - w * c)

    cdef double dual_scale(self, Py_ssize_t j, double v) noexcept nogil:
        cdef double a = v if self.positive else fabs(v)
        if self.l2[j] > 0.0 or not self.is_penalized(j) or a <= self.l1[j]:
            return 1.0
        return self.l1[j] / a

    cdef bint is_penalized(self, Py_ssize_t j) noexcept nogil:
        return self.l1[j] > 0.0 or self.l2[j] > 0.0

    cdef double dual_terms(self, const int[::1] coords, const double[::1] w,
                           const double[::1] v, double* kappa) noexcept nogil:
        return _dual_terms(self, coords, w, v, kappa)

    cdef double fenchel_young_sum(self, const int[::1] coords, const double[::1] w,
                                  const double[::1] v, double kappa,
                                  Py_ssize_t* unpenalized) noexcept nogil:
        return _fenchel_young_sum(self, coords, w, v, kappa, unpenalized)
