cdef class Loss:
    cdef double value(self, const double* r, const double* s, Py_ssize_t n,
                      double n_w) noexcept nogil
    cdef double dual(self, const double* r, const double* y_c, const double* s,
                     Py_ssize_t n, double n_w, double kappa) noexcept nogil


cdef class Quadratic(Loss):
    pass


cdef class Pinball(Loss):
    cdef readonly double tau
    cdef inline double _slope(self, double r) noexcept nogil

cdef class Huber(Loss):
    cdef readonly double epsilon
    cdef public double scale
    # of the theta the last filling scan wrote (see scan)
    cdef readonly double theta_energy, theta_max, theta_min
    cdef double f(self, double r) noexcept nogil
