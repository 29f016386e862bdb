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
        if penalty.kkt_only(j, kappa * v[j]):
            unpenalized[0] += 1
        else:
            total += penalty.fenchel_young(j, w[j], kappa * v[j])
    return total


cdef enum Term:
    SUBDIFF_DISTANCE, CONJUGATE, FENCHEL_YOUNG, DUAL_SCALE


cdef _per_coordinate(Penalty penalty, Term term, const double[::1] w,
                     const double[::1] v):
    """The coordinate method ``term`` at (w_j, v_j) for every j, an array
    (the numpy-facing helpers of Penalty, for tests and Python solvers)."""
    out = np.empty(v.shape[0])
    cdef double[::1] o = out
    cdef Py_ssize_t j
    with nogil:
        for j in range(v.shape[0]):
            if term == SUBDIFF_DISTANCE:
                o[j] = penalty.subdiff_distance(j, w[j], v[j])
            elif term == CONJUGATE:
                o[j] = penalty.conjugate(j, v[j])
            elif term == FENCHEL_YOUNG:
                o[j] = penalty.fenchel_young(j, w[j], v[j])
            else:
                o[j] = penalty.dual_scale(j, v[j])
    return out


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

    cdef bint kkt_only(self, Py_ssize_t j, double v) noexcept nogil:
        return not self.is_penalized(j)

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

    @property
    def provides(self):
        """What solvers may ask of this penalty (see
        ``sklreg.solvers._base.check_penalty``): ``prox`` and ``conjugate``
        (the coordinate methods above) here."""
        return frozenset({"prox", "conjugate"})

    # -- numpy-facing helpers, for tests and for the Python solver loop ----
    def values(self, const double[::1] w):
        """Return Omega(w)."""
        cdef Py_ssize_t j
        cdef double acc = 0.0
        for j in range(w.shape[0]):
            acc += self.value(j, w[j])
        return acc

    def subdiff_distances(self, const double[::1] w, const double[::1] v):
        """Return, per coordinate, the distance from v_j to dOmega_j(w_j)."""
        return _per_coordinate(self, SUBDIFF_DISTANCE, w, v)

    def conjugates(self, const double[::1] v):
        """Return, per coordinate, Omega_j^*(v_j) (v inside the domain)."""
        return _per_coordinate(self, CONJUGATE, v, v)

    def fenchel_young_terms(self, const double[::1] w, const double[::1] v):
        """Return, per coordinate, Omega_j(w_j) + Omega_j^*(v_j) - v_j w_j."""
        return _per_coordinate(self, FENCHEL_YOUNG, w, v)

    def dual_scales(self, const double[::1] v):
        """Return, per coordinate, the largest kappa in (0, 1] with kappa v_j
        in the domain of Omega_j^*."""
        return _per_coordinate(self, DUAL_SCALE, v, v)

    def fixed_sign_system(self, coords, signs):
        """On coordinates ``coords`` with known non-zero ``signs``, return
        (curvature, slope) with Omega_j(w) = slope_j * w + curvature_j / 2 * w**2
        there, or None if the penalty is not of that form."""
        return None

    def null_point(self):
        """The minimiser of the penalty alone (0 here)."""
        return np.zeros(self.n_features)

    def bounds(self):
        """(lower, upper): the box of the coefficients (none here)."""
        return np.full(self.n_features, -np.inf), np.full(self.n_features, np.inf)

    def penalized_mask(self):
        """Return a boolean array, True where the coordinate is penalised."""
        out = np.empty(self.n_features, dtype=np.uint8)
        cdef unsigned char[::1] o = out
        cdef Py_ssize_t j
        with nogil:
            for j in range(self.n_features):
                o[j] = self.is_penalized(j)
        return out.view(bool)


# L1L2, the one concrete penalty, in its own file (one module: the fused
# sums above specialise for it)
include "_penalty_l1l2.pxi"
