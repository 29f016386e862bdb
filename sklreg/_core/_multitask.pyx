"""Block coordinate descent for the multi-task elastic net.

Problem (T tasks, W of shape (p, T), rows W_j; intercepts eliminated by
centring X and Y with the weighted means)::

    min_W  1/(2 n_w) sum_i s_i |Y_i - (X_i - mu) W|^2
           + sum_j l1_j |W_j|_2 + l2_j / 2 |W_j|_2^2

One step updates a whole row W_j: with the residual R = Yc - Xc W and
L_j = sum_i s_i (x_ij - mu_j)^2 / n_w, u = Xc_j^T S R / n_w + L_j W_j and

    W_j <- u * max(0, 1 - l1_j / |u|) / (L_j + l2_j),

then R moves by the change of W_j (T axpys over column j).  The same Design
serves dense and sparse X, float32 and float64, with the centring applied
implicitly.
"""
import numpy as np

from libc.math cimport sqrt

from sklreg._core._design cimport Design
from sklreg._core._signals cimport check_signals, handles_signals, remember_main_thread

remember_main_thread()


cdef inline const double* _weights(object s, const double[::1] view):
    return NULL if s is None else &view[0]


def column_spreads(Design X, double[::1] mu, s, bint centred):
    """Return L_j * n_w = sum_i s_i (x_ij - mu_j)^2: when ``centred``, about
    the corrected mean, correcting ``mu`` in place by the mean of
    x_j - mu_j (one read of each column: a column whose mean dwarfs its
    spread keeps its digits); otherwise (no intercept, mu = 0) the plain
    weighted sum of squares, constant columns included."""
    cdef Py_ssize_t j, p = X.n_features
    cdef const double[::1] sv = np.ones(1) if s is None else s
    cdef const double* sp = _weights(s, sv)
    cdef double[::1] zeros = np.zeros(X.n_samples)
    cdef double[::1] out = np.empty(p)
    cdef double[4] m
    cdef double n_w = X.n_samples if s is None else float(np.sum(s))
    with nogil:
        for j in range(p):
            X.col_spread(j, mu[j], &zeros[0], sp, m)
            if not centred:
                out[j] = m[1]
                continue
            out[j] = 0.0 if m[3] != 0.0 else max(m[1] - m[0] * m[0] / n_w, 0.0)
            if mu[j] != 0.0:
                mu[j] += m[0] / n_w
    return np.asarray(out)


def block_epochs(Design X, double[::1, :] R, double[:, ::1] W, const double[::1] mu, s,
                 double n_w, const double[::1] lipschitz, const double[::1] l1,
                 const double[::1] l2, const int[::1] order, int n_epochs):
    """Run ``n_epochs`` passes of block coordinate descent over the rows in
    ``order``; W and R are updated in place.  Returns the largest change of
    a coefficient in the last pass."""
    cdef Py_ssize_t e, k, j, t, n_tasks = W.shape[1]
    cdef const double[::1] sv = np.ones(1) if s is None else s
    cdef const double* sp = _weights(s, sv)
    cdef double[::1] u = np.empty(n_tasks)
    cdef double norm, shrink, denom, delta, biggest = 0.0
    cdef double work = 0.0, column_work = 2.0 * n_tasks * X.n_samples
    cdef bint main = handles_signals()
    with nogil:
        for e in range(n_epochs):
            biggest = 0.0
            for k in range(order.shape[0]):
                j = order[k]
                if main:
                    work += column_work
                    check_signals(&work)
                denom = lipschitz[j] + l2[j]
                if lipschitz[j] == 0.0:
                    for t in range(n_tasks):
                        W[j, t] = 0.0
                    continue
                norm = 0.0
                for t in range(n_tasks):
                    u[t] = X.col_centred_dot(j, mu[j], &R[0, t], sp) / n_w \
                        + lipschitz[j] * W[j, t]
                    norm += u[t] * u[t]
                norm = sqrt(norm)
                shrink = 0.0 if norm <= l1[j] else (1.0 - l1[j] / norm) / denom
                for t in range(n_tasks):
                    delta = u[t] * shrink - W[j, t]
                    if delta != 0.0:
                        X.col_centred_axpy(j, -delta, mu[j], &R[0, t])
                        W[j, t] += delta
                        if abs(delta) > biggest:
                            biggest = abs(delta)
    return biggest


def gradients(Design X, double[::1, :] R, const double[::1] mu, s, double n_w):
    """G[j, t] = Xc_j^T S R_t / n_w: minus the datafit's gradient, (p, T)."""
    cdef Py_ssize_t j, t, p = X.n_features, n_tasks = R.shape[1]
    cdef const double[::1] sv = np.ones(1) if s is None else s
    cdef const double* sp = _weights(s, sv)
    cdef double[:, ::1] G = np.empty((p, n_tasks))
    with nogil:
        for j in range(p):
            for t in range(n_tasks):
                G[j, t] = X.col_centred_dot(j, mu[j], &R[0, t], sp) / n_w
    return np.asarray(G)
