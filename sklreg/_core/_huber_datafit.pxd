# Huber's loss at a fixed scale as a datafit of the kernels (see _datafits.pxd
# for the interface).  The intercept is its own unpenalised coordinate.
cimport cython

from sklreg._core._design cimport OnDesign
from sklreg._core._penalties cimport Penalty


cdef extern from "_vec.h" nogil:
    # scikit-learn's Huber function H and its derivative psi (one home: _vec.h)
    double sklreg_huber(double z, double eps)
    double sklreg_huber_psi(double z, double eps)


@cython.final
cdef class HuberFixedScale(OnDesign):
    cdef double[::1] y, s, r, theta, mu, v_shifted
    cdef double offset                    # always 0: the residual is r itself
    cdef readonly double intercept, n_w, scale, epsilon, primal_at_zero
    cdef readonly double[::1] lipschitz   # (2 / scale) |x_j|^2_s / n_w
    cdef readonly Py_ssize_t updates
    cdef bint fit_intercept

    cdef double value(self) noexcept nogil
    cdef double primal(self, Penalty penalty, const double[::1] w,
                       const int[::1] coords) noexcept nogil
    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil
    cdef void intercept_step(self) noexcept nogil
    cdef void sync(self) noexcept nogil

    cdef inline double _psi(self, double r) noexcept nogil:
        """f'(r) = psi(r / scale)."""
        return sklreg_huber_psi(r / self.scale, self.epsilon)

    cdef inline double _f(self, double r) noexcept nogil:
        """f(r) = scale H(r / scale)."""
        return self.scale * sklreg_huber(r / self.scale, self.epsilon)

    cdef inline void _theta_at(self, Py_ssize_t i) noexcept nogil:
        self.theta[i] = self._psi(self.r[i]) * (1.0 if self.s.shape[0] == 0 else self.s[i])

    cdef inline double grad(self, Py_ssize_t j) noexcept nogil:
        """Minus the partial derivative of the datafit in w_j."""
        return self.X.col_dot(j, &self.theta[0], NULL) / self.n_w

    cdef inline void step(self, Py_ssize_t j, double delta) noexcept nogil:
        """Move w_j by delta: r -= delta x_j, theta kept in step on x_j's rows."""
        cdef Py_ssize_t k, start, nnz
        cdef const int* rows
        self.X.col_axpy(j, -delta, &self.r[0])
        nnz = self.X._span(j, &start, &rows)
        if self.X.is_sparse:
            for k in range(nnz):
                self._theta_at(rows[k])
        else:
            for k in range(nnz):
                self._theta_at(k)
        self.updates += 1
