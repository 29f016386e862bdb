cimport cython


cdef class Penalty:
    cdef readonly Py_ssize_t n_features
    cdef double value(self, Py_ssize_t j, double w) noexcept nogil
    cdef double prox(self, Py_ssize_t j, double x, double step) noexcept nogil
    cdef double subdiff_distance(self, Py_ssize_t j, double w,
                                 double v) noexcept nogil
    cdef double nearest_subgradient(self, Py_ssize_t j, double w,
                                    double v) noexcept nogil
    cdef double conjugate(self, Py_ssize_t j, double v) noexcept nogil
    cdef double fenchel_young(self, Py_ssize_t j, double w, double v) noexcept nogil
    cdef double dual_scale(self, Py_ssize_t j, double v) noexcept nogil
    cdef bint is_penalized(self, Py_ssize_t j) noexcept nogil
    cdef bint kkt_only(self, Py_ssize_t j, double v) noexcept nogil
    cdef double dual_terms(self, const int[::1] coords, const double[::1] w,
                           const double[::1] v, double* kappa) noexcept nogil
    cdef double fenchel_young_sum(self, const int[::1] coords, const double[::1] w,
                                  const double[::1] v, double kappa,
                                  Py_ssize_t* unpenalized) noexcept nogil


@cython.final
cdef class L1L2(Penalty):
    cdef const double[::1] l1
    cdef const double[::1] l2
    cdef const double[::1] lower
    cdef const double[::1] upper
    cdef readonly bint positive
    cdef readonly bint bounded
    cdef object _owner
    cdef void _subdifferential(self, Py_ssize_t j, double w, double* low,
                               double* high) noexcept nogil
    cdef double _maximiser(self, Py_ssize_t j, double v) noexcept nogil
