"""Coordinate descent for penalised weighted least squares.

Problem (the intercept b is never penalised)::

    min_{w, b}  1/(2 n_w) sum_i s_i (y_i - x_i . w - b)**2 + sum_j Omega_j(w_j)

How the intercept is handled
----------------------------
At any w the best intercept is ``b = ybar - mu . w`` with ``mu`` the weighted
column means, so b is eliminated: every coordinate step moves along the
centred column ``x_j - mu_j``.  Centring X would cost a copy (dense) or an
O(n) loop per update (sparse), so the residual is stored as ``r + offset``:
a vector ``r`` updated only where column j is non-zero, and a scalar
``offset`` that carries the ``+ delta * mu_j`` part.  Because the weighted
residual sums to zero, the centred gradient needs no extra pass::

    (x_j - mu_j) . (s * (r + offset)) = x_j . (s * r) + offset * n_w * mu_j

The offset is folded into r (one O(n) pass) only when the duality gap is
computed, which also bounds rounding drift.
"""
import numpy as np

from libc.math cimport fabs, INFINITY

from sklreg._core._design cimport Design
from sklreg._core._losses cimport Quadratic
from sklreg._core._penalties cimport Penalty


cdef class LeastSquares:
    """The residual of a weighted least-squares fit bound to X, y and s.

    Parameters
    ----------
    X : Design
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    w : ndarray of shape (n_features,), float64 -- the starting coefficients
    fit_intercept : bool
    """
    cdef Design X
    cdef Quadratic loss
    cdef double[::1] y_c          # y minus its weighted mean (if intercept)
    cdef double[::1] s            # sample weights; empty when unit
    cdef double[::1] r            # residual is r + offset
    cdef readonly double offset, intercept, n_w, primal_at_zero
    cdef readonly double[::1] mu          # weighted column means (0 if no intercept)
    cdef readonly double[::1] lipschitz   # |x_j - mu_j|^2_s / n_w
    cdef bint fit_intercept

    def __init__(self, Design X, y, sample_weight, w, bint fit_intercept):
        cdef Py_ssize_t j, n = X.n_samples, p = X.n_features
        self.X = X
        self.loss = Quadratic()
        self.fit_intercept = fit_intercept
        y = np.asarray(y, dtype=np.float64)
        if sample_weight is None:
            self.s = np.empty(0)
            self.n_w = n
            y_mean = y.mean() if fit_intercept else 0.0
        else:
            self.s = np.ascontiguousarray(sample_weight, dtype=np.float64)
            self.n_w = self.s.base.sum()
            y_mean = np.dot(sample_weight, y) / self.n_w if fit_intercept else 0.0
        self.y_c = y - y_mean
        self.primal_at_zero = self.loss.value(&self.y_c[0], self._s(), n, self.n_w)

        cdef const double* s = self._s()
        mu = np.zeros(p)
        lip = np.zeros(p)
        self.mu = mu
        self.lipschitz = lip
        cdef double sq
        with nogil:
            for j in range(p):
                if fit_intercept:
                    self.mu[j] = self.X.col_sum(j, s) / self.n_w
                sq = self.X.col_sqnorm(j, s)
                self.lipschitz[j] = (sq - self.n_w * self.mu[j] * self.mu[j]) / self.n_w
                # a constant column is all rounding error once centred
                if self.lipschitz[j] <= 1e-13 * sq / self.n_w:
                    self.lipschitz[j] = 0.0
        self.r = np.array(self.y_c, copy=True)
        self.offset = 0.0
        self.intercept = y_mean
        cdef const double[::1] w0 = np.ascontiguousarray(w, dtype=np.float64)
        with nogil:
            for j in range(p):
                if w0[j] != 0.0:
                    self.step(j, w0[j])

    cdef inline const double* _s(self) noexcept nogil:
        return NULL if self.s.shape[0] == 0 else &self.s[0]

    cdef inline double grad(self, Py_ssize_t j) noexcept nogil:
        """Minus the partial derivative of the datafit in w_j."""
        return (self.X.col_dot(j, &self.r[0], self._s())
                + self.offset * self.n_w * self.mu[j]) / self.n_w

    cdef inline void step(self, Py_ssize_t j, double delta) noexcept nogil:
        """Move w_j by delta: residual -= delta * (x_j - mu_j)."""
        self.X.col_axpy(j, -delta, &self.r[0])
        self.offset += delta * self.mu[j]
        self.intercept -= delta * self.mu[j]

    cdef void fold(self) noexcept nogil:
        cdef Py_ssize_t i
        if self.offset != 0.0:
            for i in range(self.r.shape[0]):
                self.r[i] += self.offset
            self.offset = 0.0

    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil:
        """Duality gap of the problem restricted to ``coords``.

        w must be zero outside ``coords``.  Fills v[j] = grad(j) for j in
        coords.  The dual point is the residual scaled by the largest kappa
        that keeps it feasible for every coordinate in ``coords``.
        """
        cdef Py_ssize_t k, j, n = self.r.shape[0]
        cdef double kappa = 1.0, penalty_value = 0.0, conj = 0.0, kkt = 0.0, scale
        self.fold()
        for k in range(coords.shape[0]):
            j = coords[k]
            v[j] = self.grad(j)
            penalty_value += penalty.value(j, w[j])
            scale = penalty.dual_scale(j, v[j])
            if scale < kappa:
                kappa = scale
        for k in range(coords.shape[0]):
            j = coords[k]
            if penalty.is_penalized(j):
                conj += penalty.conjugate(j, kappa * v[j])
            elif self.lipschitz[j] > 0.0:
                # No dual point satisfies an unpenalised coordinate's
                # constraint (x_j - mu_j) . theta = 0 by scaling, so its part
                # of the gap is replaced by a KKT term, zero iff v[j] = 0:
                # the Fenchel-Young term at the point after an exact step.
                kkt += fabs(kappa * v[j]) * (fabs(w[j]) + fabs(v[j]) / self.lipschitz[j])
        primal[0] = self.loss.value(&self.r[0], self._s(), n, self.n_w) + penalty_value
        return primal[0] - (self.loss.dual(&self.r[0], &self.y_c[0], self._s(),
                                           n, self.n_w, kappa) - conj) + kkt

    def full_gap(self, Penalty penalty, w):
        """Return (gap, primal, v) on all coordinates, v the negative gradient."""
        cdef const double[::1] w_ = w
        cdef const int[::1] coords = np.arange(self.X.n_features, dtype=np.intc)
        v = np.zeros(self.X.n_features)
        cdef double[::1] v_ = v
        cdef double gap, primal
        with nogil:
            gap = self.gap(penalty, w_, coords, v_, &primal)
        return gap, primal, v

    def residual(self):
        """Return y - X w - b as a new array."""
        return np.asarray(self.r) + self.offset


cdef inline unsigned int _rand(unsigned int* state) noexcept nogil:
    # xorshift32: enough to shuffle coordinates reproducibly
    state[0] ^= state[0] << 13
    state[0] ^= state[0] >> 17
    state[0] ^= state[0] << 5
    return state[0]


def cd_epochs(LeastSquares f, Penalty penalty, double[::1] w, int[::1] ws,
              int max_epochs, double tol, int check_every=10,
              unsigned int seed=0):
    """Run coordinate-descent passes over the working set ``ws``.

    Stops when the duality gap restricted to ``ws`` is at most ``tol``
    (checked every ``check_every`` passes and after the last) or after
    ``max_epochs`` passes.  ``seed`` > 0 visits coordinates in a fresh random
    order each pass (scikit-learn's ``selection='random'``).  w is updated in
    place.  Returns (passes done, restricted gap, primal value).
    """
    cdef Py_ssize_t k, j, m = ws.shape[0], tmp
    cdef int epoch = 0
    cdef double lip, old, new, gap = INFINITY, primal = INFINITY
    cdef unsigned int state = seed
    cdef int[::1] order = np.array(ws, dtype=np.intc, copy=True)
    cdef double[::1] v = np.zeros(w.shape[0])
    with nogil:
        while epoch < max_epochs:
            if seed != 0:
                for k in range(m - 1, 0, -1):    # Fisher-Yates
                    tmp = _rand(&state) % (k + 1)
                    order[k], order[tmp] = order[tmp], order[k]
            for k in range(m):
                j = order[k]
                lip = f.lipschitz[j]
                if lip == 0.0:
                    continue
                old = w[j]
                new = penalty.prox(j, old + f.grad(j) / lip, 1.0 / lip)
                if new != old:
                    f.step(j, new - old)
                    w[j] = new
            epoch += 1
            if epoch % check_every == 0 or epoch == max_epochs:
                gap = f.gap(penalty, w, ws, v, &primal)
                if gap <= tol:
                    break
    return epoch, gap, primal
