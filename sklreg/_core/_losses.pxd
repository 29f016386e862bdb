cimport cython


@cython.final
cdef class Pinball:
    cdef readonly double tau
    cdef double value(self, const double* r, const double* s, Py_ssize_t n,
                      double n_w) noexcept nogil


@cython.final
cdef class Huber:
    cdef readonly double epsilon
    cdef public double scale
    # of the theta the last filling scan wrote (see scan)
    cdef readonly double theta_energy, theta_max, theta_min
