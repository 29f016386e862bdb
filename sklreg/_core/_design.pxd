cdef class Design:
    cdef readonly Py_ssize_t n_samples, n_features
    cdef readonly bint is_sparse, is_float64
    cdef const float[::1] data32
    cdef const double[::1] data64
    cdef const int[::1] indices
    cdef const int[::1] indptr
    cdef object _owner   # keeps X (and any index conversion) alive

    cdef inline Py_ssize_t _span(self, Py_ssize_t j, Py_ssize_t* start,
                                 const int** rows) noexcept nogil
    cdef bint _gemv(self, bint transpose, const double* x, double* out) noexcept nogil
    cdef double col_dot(self, Py_ssize_t j, const double* v,
                        const double* s) noexcept nogil
    cdef void col_axpy(self, Py_ssize_t j, double a, double* v) noexcept nogil
    cdef void col_moments(self, Py_ssize_t j, const double* v, const double* s,
                          double* out) noexcept nogil
    cdef double col_centred_dot(self, Py_ssize_t j, double mu, const double* v,
                                const double* s) noexcept nogil
    cdef void col_centred_axpy(self, Py_ssize_t j, double a, double mu,
                               double* v) noexcept nogil
    cdef float col_dot32(self, Py_ssize_t j, const float* v) noexcept nogil
    cdef void col_axpy32(self, Py_ssize_t j, float a, float* v) noexcept nogil
    cdef void col_spread(self, Py_ssize_t j, double mu, const double* v, const double* s,
                         double* out) noexcept nogil


cdef class OnDesign:
    # the base of the datafits: the design they are bound to
    cdef Design X
