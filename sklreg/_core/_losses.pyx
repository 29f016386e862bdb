"""Datafits, one sample at a time.

A datafit is ``F(r) = 1/n_w * sum_i s_i * f(r_i)`` of the residuals
``r = y - X w - b`` with sample weights ``s`` (``n_w = sum_i s_i``).  A loss
never sees X; the solver hands it residuals.

``value(r, s)``           F(r)
``dual(r, y_c, s, kappa)`` the dual objective at the dual point built from the
                          residual, ``theta = kappa * s * f'(r) / n_w``
                          (``y_c`` is y centred when an intercept is fitted;
                          the dual point then sums to zero, as the intercept
                          requires).  Together with the penalty's conjugate
                          this gives the duality gap solvers stop on.

A NULL weight pointer means unit weights.
"""


cdef class Loss:
    """Base class; see the module docstring for the contract."""

    cdef double value(self, const double* r, const double* s, Py_ssize_t n,
                      double n_w) noexcept nogil:
        return 0.0

    cdef double dual(self, const double* r, const double* y_c, const double* s,
                     Py_ssize_t n, double n_w, double kappa) noexcept nogil:
        return 0.0


cdef class Quadratic(Loss):
    """f(r) = r**2 / 2, so F(r) = 1/(2 n_w) sum_i s_i r_i**2.

    Its conjugate gives the dual objective
    ``D(theta) = theta . y_c - n_w/2 * sum_i theta_i**2 / s_i``, which at
    ``theta = kappa * s * r / n_w`` is
    ``kappa * sum(s r y_c) / n_w - kappa**2 * sum(s r**2) / (2 n_w)``.
    """

    cdef double value(self, const double* r, const double* s, Py_ssize_t n,
                      double n_w) noexcept nogil:
        cdef Py_ssize_t i
        cdef double acc = 0.0
        for i in range(n):
            acc += r[i] * r[i] * (1.0 if s == NULL else s[i])
        return 0.5 * acc / n_w

    cdef double dual(self, const double* r, const double* y_c, const double* s,
                     Py_ssize_t n, double n_w, double kappa) noexcept nogil:
        cdef Py_ssize_t i
        cdef double ry = 0.0, rr = 0.0, si
        for i in range(n):
            si = 1.0 if s == NULL else s[i]
            ry += si * r[i] * y_c[i]
            rr += si * r[i] * r[i]
        return (kappa * ry - 0.5 * kappa * kappa * rr) / n_w
