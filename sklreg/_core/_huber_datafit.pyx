"""Huber's loss at a fixed scale, as a datafit of the generic kernels.

Problem (scikit-learn's Huber function, twice the textbook one; sigma fixed)::

    min_{w, b}  1/n_w sum_i s_i f(y_i - x_i . w - b) + sum_j Omega_j(w_j)
    f(r) = sigma H(r / sigma),  H(z) = z**2 (|z| <= eps), eps (2 |z| - eps) beyond

``f'(r) = psi(r / sigma)`` (2 z inside, 2 eps sign(z) beyond) is
(2 / sigma)-Lipschitz, so a coordinate step of 1 / L_j, ``L_j = (2 / sigma)
|x_j|^2_s / n_w``, majorises the datafit (exact on inliers).  The kernels
keep ``theta_i = s_i psi(r_i / sigma)`` in step with r: a gradient entry is
one dot product, as for least squares.  The intercept is not eliminated
(its best value has no closed form): ``intercept_step`` moves it once per
pass.

The gap's dual point: theta shifted to sum to zero (the intercept's
constraint), ``u_i = psi_i - g_b`` with ``g_b = sum_i s_i psi_i / n_w``,
scaled by the largest kappa <= 1 that keeps ``kappa |u_i| <= 2 eps`` (the
domain of ``f^*(u) = sigma u**2 / 4``) and ``kappa v'`` in the penalty's
dual domain, ``v'_j = v_j - g_b mu_j``.  P - D is then a sum of Fenchel-Young
terms, each non-negative::

    1/n_w sum_i s_i [f(r_i) + f^*(kappa u_i) - kappa u_i r_i]
    + sum_j [Omega_j(w_j) + Omega_j^*(kappa v'_j) - kappa v'_j w_j]

An unpenalised feature (no dual point meets its constraint by scaling)
makes the gap infinite: the datafit does not certify such problems.
"""
import numpy as np

from libc.math cimport fabs, INFINITY

from sklreg._core._design cimport Design
from sklreg._core._penalties cimport Penalty


cdef class HuberFixedScale:
    """The residual of a Huber fit at scale ``scale``, bound to X, y and s.

    Parameters
    ----------
    X : Design
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
    scale, epsilon : float
        sigma > 0 and eps >= 1.
    fit_intercept : bool

    Starts at w = 0 and the intercept at 0.
    """

    def __init__(self, Design X, y, sample_weight, double scale, double epsilon,
                 bint fit_intercept):
        cdef Py_ssize_t j, n = X.n_samples, p = X.n_features
        cdef double[4] m
        self.X = X
        self.y = np.array(y, dtype=np.float64)
        self.s = (np.empty(0) if sample_weight is None
                  else np.ascontiguousarray(sample_weight, dtype=np.float64))
        self.n_w = n if sample_weight is None else float(np.sum(self.s))
        self.scale, self.epsilon = scale, epsilon
        self.fit_intercept = fit_intercept
        self.r = np.array(self.y, copy=True)
        self.theta = np.empty(n)
        self.offset = 0.0
        self.intercept = 0.0
        self.mu = np.zeros(p)
        self.lipschitz = np.zeros(p)
        self.v_shifted = np.zeros(p)
        cdef const double* s = NULL if self.s.shape[0] == 0 else &self.s[0]
        with nogil:
            for j in range(p):
                X.col_moments(j, &self.r[0], s, m)
                self.mu[j] = m[0] / self.n_w
                self.lipschitz[j] = 2.0 / scale * m[1] / self.n_w
            self.sync()
        self.primal_at_zero = self.value()
        self.updates = 0

    cdef void sync(self) noexcept nogil:
        """Recompute theta from r (after r was written directly)."""
        cdef Py_ssize_t i
        for i in range(self.r.shape[0]):
            self._theta_at(i)

    cdef void intercept_step(self) noexcept nogil:
        """b += g_b / L_b (L_b = 2 / sigma): one majorised step."""
        cdef Py_ssize_t i
        cdef double g = 0.0, delta
        if not self.fit_intercept:
            return
        for i in range(self.r.shape[0]):
            g += self.theta[i]
        delta = 0.5 * self.scale * g / self.n_w
        if delta == 0.0:
            return
        self.intercept += delta
        for i in range(self.r.shape[0]):
            self.r[i] -= delta
        self.sync()

    cdef double value(self) noexcept nogil:
        cdef Py_ssize_t i
        cdef double a, acc = 0.0
        for i in range(self.r.shape[0]):
            a = self._f(self.r[i])
            acc += a if self.s.shape[0] == 0 else self.s[i] * a
        return acc / self.n_w

    cdef double primal(self, Penalty penalty, const double[::1] w,
                       const int[::1] coords) noexcept nogil:
        cdef Py_ssize_t k
        cdef double total = self.value()
        for k in range(coords.shape[0]):
            total += penalty.value(coords[k], w[coords[k]])
        return total

    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil:
        """Duality gap restricted to ``coords`` (w zero elsewhere); fills
        v[coords] with the gradient (see the module docstring)."""
        cdef Py_ssize_t i, k, j, unpenalized, n = self.r.shape[0]
        cdef double g_b = 0.0, u, most = 0.0, kappa = 1.0, penalty_value, terms
        cdef double data = 0.0, weight
        for k in range(coords.shape[0]):
            v[coords[k]] = self.grad(coords[k])
        if self.fit_intercept:
            for i in range(n):
                g_b += self.theta[i]
            g_b /= self.n_w
        for i in range(n):
            if self.s.shape[0] == 0 or self.s[i] > 0.0:
                most = max(most, fabs(self._psi(self.r[i]) - g_b))
        for k in range(coords.shape[0]):
            j = coords[k]
            self.v_shifted[j] = v[j] - g_b * self.mu[j]
        penalty_value = penalty.dual_terms(coords, w, self.v_shifted, &kappa)
        if most * kappa > 2.0 * self.epsilon:
            kappa = 2.0 * self.epsilon / most
        terms = penalty.fenchel_young_sum(coords, w, self.v_shifted, kappa, &unpenalized)
        for i in range(n):
            u = kappa * (self._psi(self.r[i]) - g_b)
            weight = 1.0 if self.s.shape[0] == 0 else self.s[i]
            data += weight * (self._f(self.r[i]) + 0.25 * self.scale * u * u - u * self.r[i])
        primal[0] = self.value() + penalty_value
        if unpenalized:
            return INFINITY
        return data / self.n_w + terms

    def full_gap(self, Penalty penalty, w):
        """Return (gap, primal, v) over every coordinate."""
        cdef const double[::1] w_ = np.ascontiguousarray(w, dtype=np.float64)
        cdef const int[::1] coords = np.arange(w_.shape[0], dtype=np.intc)
        v = np.empty(w_.shape[0])
        cdef double[::1] v_ = v
        cdef double gap, primal
        with nogil:
            gap = self.gap(penalty, w_, coords, v_, &primal)
        return gap, primal, v

    def residual(self):
        """Return y - X w - b as a new array."""
        return np.array(self.r)
