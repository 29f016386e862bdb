cdef class Anderson:
    cdef double[:, ::1] iterates, gram
    cdef double[::1] weights
    cdef readonly double[::1] candidate
    cdef Py_ssize_t filled
    cdef double ridge
    cdef bint orthant

    cdef bint push(self, const double[::1] w, const int[::1] ws) noexcept nogil
    cdef bint extrapolate(self) noexcept nogil
