"""Accelerated proximal gradient (FISTA) on a datafit.

Problem, as for coordinate descent (``_cd.pyx``; same datafits, same
penalties, same certificate)::

    min_w  F(w) + sum_j Omega_j(w_j)

with F a datafit of ``_datafits.pxd`` (its intercept handled inside it).  One iteration:

    v      = -grad F(y)                                 (one pass: X^T r)
    w_new  = prox_{Omega / L}(y + v / L)                (per coordinate)
    check  F(w_new) <= F(y) - v . d + L/2 |d|^2, d = w_new - y;
           else L *= 2 and retry                        (backtracking)
    y      = w_new + beta (w_new - w)                   (momentum)

Moving the residual from y to w_new is one pass of ``step(j, delta)`` over
the coordinates that changed (O(nnz) for sparse X).  The residual is affine
in w, so the residual at the extrapolated point is the same combination of
the residuals at w_new and w: two stored n-vectors, no pass over X.  The
momentum restarts (beta = 0) when it points against the last step
(O'Donoghue & Candes's gradient scheme).  Every ``check_every`` iterations
the duality gap at w_new is computed and the loop stops when it is below
``tol``.
"""
import numpy as np

from libc.math cimport sqrt, fabs, INFINITY

from sklreg._core._datafits cimport Datafit
from sklreg._core._penalties cimport Penalty
from sklreg._core._signals cimport check_signals, handles_signals, remember_main_thread

remember_main_thread()


cdef class _Residual:
    """A saved residual state (vector, offset, intercept) of a datafit."""
    cdef double[::1] r
    cdef double offset, intercept

    def __init__(self, r, double offset, double intercept):
        self.r = np.array(r, copy=True)
        self.offset = offset
        self.intercept = intercept


cdef inline void _save(_Residual saved, Datafit f) noexcept nogil:
    saved.r[:] = f.r
    saved.offset = f.offset
    saved.intercept = f.intercept


cdef inline void _restore(_Residual saved, Datafit f) noexcept nogil:
    f.r[:] = saved.r
    f.offset = saved.offset
    f.intercept = saved.intercept
    f.sync()


cdef void _advance(_Residual saved, Datafit f, double beta) noexcept nogil:
    """f holds the residual at w_new, ``saved`` the one at w.  Move f to
    w_new + beta (w_new - w) and ``saved`` to w_new (the residual is affine
    in the coefficients, so no pass over X is needed)."""
    cdef Py_ssize_t i
    cdef double now
    for i in range(saved.r.shape[0]):
        now = f.r[i]
        f.r[i] = now + beta * (now - saved.r[i])
        saved.r[i] = now
    now = f.offset
    f.offset = now + beta * (now - saved.offset)
    saved.offset = now
    now = f.intercept
    f.intercept = now + beta * (now - saved.intercept)
    saved.intercept = now
    f.sync()


cdef void _gradient(Datafit f, double[::1] v) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(v.shape[0]):
        v[j] = f.grad(j)                            # v = X_c^T S r / n_w


cdef double _prox_step(Datafit f, Penalty penalty, const double[::1] y,
                       const double[::1] v, double[::1] w_new,
                       double lip) noexcept nogil:
    """w_new = prox(y + v / lip), stepping f from y to w_new.  Returns the
    quadratic upper model's change ``-v . d + lip/2 |d|^2``, d = w_new - y."""
    cdef Py_ssize_t j
    cdef double d, model = 0.0
    for j in range(y.shape[0]):
        w_new[j] = penalty.prox(j, y[j] + v[j] / lip, 1.0 / lip)
        d = w_new[j] - y[j]
        if d != 0.0:
            f.step(j, d)                            # r -= d * (x_j - mu_j)
            model += -v[j] * d + 0.5 * lip * d * d
    return model


cdef double _momentum(const double[::1] w, const double[::1] y,
                      const double[::1] w_new, double lip) noexcept nogil:
    """Return (lip (y - w_new)) . (w_new - w), the gradient mapping against
    the last move: positive when the momentum fights the step (restart)."""
    cdef Py_ssize_t j
    cdef double acc = 0.0
    for j in range(w.shape[0]):
        acc += lip * (y[j] - w_new[j]) * (w_new[j] - w[j])
    return acc


cdef void _extrapolate(double[::1] w, double[::1] y, const double[::1] w_new,
                       double beta) noexcept nogil:
    """y = w_new + beta (w_new - w); w = w_new."""
    cdef Py_ssize_t j
    for j in range(w.shape[0]):
        y[j] = w_new[j] + beta * (w_new[j] - w[j])
        w[j] = w_new[j]


def pg_iterations(Datafit f, Penalty penalty, double[::1] w, int max_iter,
                  double tol, double lipschitz, int check_every=10, progress=None):
    """Run FISTA iterations from w (updated in place; f must match w).

    ``lipschitz`` is the starting estimate of the gradient's Lipschitz
    constant (backtracking only raises it).  Stops when the duality gap at
    the iterate is at most ``tol`` (checked every ``check_every`` iterations
    and at the last) or after ``max_iter`` iterations; on return f holds
    the residual at w.  ``progress``, when given, is called as
    ``progress(iterations, gap)`` after each gap check (a verbose fit).
    Returns (iterations, gap, primal, lipschitz, restarts).
    """
    cdef Py_ssize_t p = w.shape[0]
    cdef int it = 0, restarts = 0
    cdef double lip = lipschitz, t = 1.0, t_new, beta, f_y, model
    cdef double gap = INFINITY, primal = INFINITY
    cdef double[::1] y = np.array(w, copy=True)     # the momentum point
    cdef double[::1] w_new = np.zeros(p)
    cdef double[::1] v = np.zeros(p)
    cdef const int[::1] coords = np.arange(p, dtype=np.intc)
    cdef _Residual at_w = _Residual(f.r, f.offset, f.intercept)
    cdef _Residual at_y = _Residual(f.r, f.offset, f.intercept)
    # multiply-adds of an iteration without backtracking: the signal check's clock
    cdef double work = 0.0, step_work = 2 * p * f.column_length + 4 * f.n_samples
    cdef bint main = handles_signals(), reports = progress is not None
    with nogil:
        while it < max_iter:
            if main:
                work += step_work
                check_signals(&work)
            # f holds the residual at y
            f_y = f.value()
            _gradient(f, v)
            _save(at_y, f)
            while True:                             # backtracking on lip
                model = _prox_step(f, penalty, y, v, w_new, lip)
                if f.value() <= f_y + model + 1e-12 * fabs(f_y):
                    break
                lip *= 2.0
                _restore(at_y, f)
            it += 1
            t_new = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_new
            t = t_new
            if _momentum(w, y, w_new, lip) > 0.0:
                beta, t = 0.0, 1.0                  # adaptive restart
                restarts += 1
            if it % check_every == 0 or it == max_iter:
                gap = f.gap(penalty, w_new, coords, v, &primal)
                if reports:
                    with gil:
                        progress(it, gap)
                if gap <= tol:
                    w[:] = w_new
                    break
            _extrapolate(w, y, w_new, beta)
            _advance(at_w, f, beta)
        else:
            _restore(at_w, f)                          # f back at w
    return it, gap, primal, lip, restarts
