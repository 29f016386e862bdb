cdef class Loss:
    cdef double value(self, const double* r, const double* s, Py_ssize_t n,
                      double n_w) noexcept nogil


cdef class Pinball(Loss):
    cdef readonly double tau

cdef class Huber(Loss):
    cdef readonly double epsilon
    cdef public double scale
    # of the theta the last filling scan wrote (see scan)
    cdef readonly double theta_energy, theta_max, theta_min
