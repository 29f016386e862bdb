"""Per-row work of the interior-point method for piecewise-linear losses.

A *row* is a sample (or a pseudo-row of an L1 penalty) whose loss has slopes
``c_pos`` above zero and ``-c_neg`` below.  Its residual is split as
``u - v`` (u, v >= 0) and its dual variable ``theta`` lives in
``[-c_neg, c_pos]`` with slacks ``z_u = c_pos - theta``, ``z_v = c_neg + theta``.
``RowState`` holds these vectors and does, in single fused passes, everything a
Mehrotra predictor-corrector iteration needs per row; the solver only adds
the products with X and the small linear solve (``sklreg/solvers/_ipm.py``).

Newton step with complementarity targets ``r5 = target - u z_u + k5``,
``r6 = target - v z_v + k6`` (``k`` the corrector terms, zero for the
predictor) and primal residual ``r1``::

    q = 1 / (u / z_u + v / z_v)
    t = r1 - r5 / z_u + r6 / z_v              (then d_beta from A^T q t)
    d_theta = q (t - A d_beta)
    du = (r5 + u d_theta) / z_u,  dv = (r6 - v d_theta) / z_v
"""
import numpy as np

from libc.math cimport INFINITY


cdef inline double _limit(double x, double dx, double a) noexcept nogil:
    # largest step in [0, a] keeping x + step * dx >= 0
    if dx < 0.0 and -x / dx < a:
        return -x / dx
    return a


cdef class RowState:
    """IPM state of n rows; see the module docstring."""

    cdef readonly double[::1] u, v, theta, q, t, du, dv, dtheta
    cdef double[::1] c_pos, c_neg, du_a, dv_a, dtheta_a
    cdef readonly Py_ssize_t n

    def __init__(self, double[::1] u, double[::1] v, double[::1] theta,
                 double[::1] c_pos, double[::1] c_neg):
        self.n = u.shape[0]
        self.u, self.v, self.theta = u, v, theta
        self.c_pos, self.c_neg = c_pos, c_neg
        self.q, self.t = np.empty(self.n), np.empty(self.n)
        self.du, self.dv, self.dtheta = np.empty(self.n), np.empty(self.n), np.empty(self.n)
        self.du_a, self.dv_a, self.dtheta_a = (np.zeros(self.n), np.zeros(self.n),
                                               np.zeros(self.n))

    def scale(self):
        """Fill q; return the complementarity u.z_u + v.z_v."""
        cdef Py_ssize_t i
        cdef double zu, zv, comp = 0.0
        with nogil:
            for i in range(self.n):
                zu = self.c_pos[i] - self.theta[i]
                zv = self.c_neg[i] + self.theta[i]
                comp += self.u[i] * zu + self.v[i] * zv
                self.q[i] = 1.0 / (self.u[i] / zu + self.v[i] / zv)
        return comp

    cdef inline void _targets(self, Py_ssize_t i, double target, bint corrector,
                              double* r5, double* r6) noexcept nogil:
        r5[0] = target - self.u[i] * (self.c_pos[i] - self.theta[i])
        r6[0] = target - self.v[i] * (self.c_neg[i] + self.theta[i])
        if corrector:
            r5[0] += self.du_a[i] * self.dtheta_a[i]
            r6[0] -= self.dv_a[i] * self.dtheta_a[i]

    def rhs(self, const double[::1] r1, double target, bint corrector):
        """Fill t; return q * t (whose A^T gives the Newton right-hand side)."""
        out = np.empty(self.n)
        cdef double[::1] qt = out
        cdef Py_ssize_t i
        cdef double r5, r6
        with nogil:
            for i in range(self.n):
                self._targets(i, target, corrector, &r5, &r6)
                self.t[i] = (r1[i] - r5 / (self.c_pos[i] - self.theta[i])
                             + r6 / (self.c_neg[i] + self.theta[i]))
                qt[i] = self.q[i] * self.t[i]
        return out

    def finish(self, const double[::1] a_dbeta, double target, bint corrector,
               double fraction):
        """Fill d_theta, du, dv from A d_beta; return the largest primal and
        dual steps (at most 1) that keep u, v, z_u, z_v at least ``1 -
        fraction`` of the way from zero."""
        cdef Py_ssize_t i
        cdef double r5, r6, zu, zv, a_p = INFINITY, a_d = INFINITY
        with nogil:
            for i in range(self.n):
                self._targets(i, target, corrector, &r5, &r6)
                zu = self.c_pos[i] - self.theta[i]
                zv = self.c_neg[i] + self.theta[i]
                self.dtheta[i] = self.q[i] * (self.t[i] - a_dbeta[i])
                self.du[i] = (r5 + self.u[i] * self.dtheta[i]) / zu
                self.dv[i] = (r6 - self.v[i] * self.dtheta[i]) / zv
                a_p = _limit(self.u[i], self.du[i], a_p)
                a_p = _limit(self.v[i], self.dv[i], a_p)
                a_d = _limit(zu, -self.dtheta[i], a_d)
                a_d = _limit(zv, self.dtheta[i], a_d)
        return min(1.0, fraction * a_p), min(1.0, fraction * a_d)

    def keep_as_predictor(self, double a_p, double a_d):
        """Store the current direction as the predictor; return the mean
        complementarity after taking it with steps (a_p, a_d)."""
        cdef Py_ssize_t i
        cdef double acc = 0.0
        with nogil:
            for i in range(self.n):
                self.du_a[i] = self.du[i]
                self.dv_a[i] = self.dv[i]
                self.dtheta_a[i] = self.dtheta[i]
                acc += ((self.u[i] + a_p * self.du[i])
                        * (self.c_pos[i] - self.theta[i] - a_d * self.dtheta[i])
                        + (self.v[i] + a_p * self.dv[i])
                        * (self.c_neg[i] + self.theta[i] + a_d * self.dtheta[i]))
        return acc / (2 * self.n)

    def step(self, double a_p, double a_d):
        """u += a_p du, v += a_p dv, theta += a_d d_theta."""
        cdef Py_ssize_t i
        with nogil:
            for i in range(self.n):
                self.u[i] += a_p * self.du[i]
                self.v[i] += a_p * self.dv[i]
                self.theta[i] += a_d * self.dtheta[i]
