"""Coordinate-descent kernels, generic over the datafit.

Each kernel is compiled once per datafit of the fused type ``Datafit``
(``_datafits.pxd``): every datafit call is direct and runs without the GIL.
What a kernel asks of a datafit: ``lipschitz[j]``, ``grad(j)`` (minus the
partial derivative), ``step(j, delta)`` (move w_j, keep the residual in
step), ``intercept_step`` (once a pass), ``primal`` and ``gap``
(the certificate restricted to a working set).  The Gram kernel works on
the normal equations: least squares only.
"""
import numpy as np

from libc.math cimport INFINITY

from sklreg._core._anderson cimport Anderson
from sklreg._core._datafits cimport Datafit, LeastSquares, move_to
from sklreg._core._penalties cimport Penalty
from sklreg._core._signals cimport check_signals, handles_signals, remember_main_thread

remember_main_thread()

# passes over the working set's non-zero coordinates only, between two over
# all of it (glmnet's active-set cycling): the zeros of a working set at the
# rank bound cost a dot product each per pass and mostly stay zero
cdef int ACTIVE_PASSES = 2
# iterates an extrapolation combines, after one more pass: most inner solves
# stop at their check after 5 passes, and a memory of 5 never filled there
cdef int ANDERSON_MEMORY = 4
# float32 X: passes on a float32 residual (LeastSquares.enter_single) while
# the target is above this fraction of P(0), about what float32 gradients
# resolve (their error moved 1000 x 5000 lasso gaps by ~1e-8 P(0)), and the
# float32 gap keeps falling by this factor between two checks at least
cdef double SINGLE_FLOOR = 1e-7
cdef double SINGLE_STALL = 0.9


cdef inline unsigned int _rand(unsigned int* state) noexcept nogil:
    # xorshift32: enough to shuffle coordinates reproducibly
    state[0] ^= state[0] << 13
    state[0] ^= state[0] >> 17
    state[0] ^= state[0] << 5
    return state[0]


def cd_epochs(Datafit f, Penalty penalty, double[::1] w, int[::1] ws,
              int max_epochs, double tol, int check_every=10,
              unsigned int seed=0, bint extrapolate=True, int stable_epochs=0):
    """Run coordinate-descent passes over the working set ``ws``.

    Stops when the duality gap restricted to ``ws`` is at most ``tol``
    (checked after 2 and 5 passes, every ``check_every`` passes and after
    the last) or after ``max_epochs`` passes.  Of every
    ``ACTIVE_PASSES + 1`` passes, the first visits the whole working set
    and the others only its non-zero and unpenalised coordinates (single
    fits at alpha_max / 100, where a third of the set stays at zero, ran
    5-10% faster).  ``seed`` > 0 visits coordinates in a fresh random
    order each pass (scikit-learn's ``selection='random'``).  With
    ``extrapolate``, every few passes an Anderson-extrapolated point replaces
    the iterate when its objective is lower.  With ``stable_epochs`` > 0, also
    returns once no coefficient has changed sign or left/joined zero for that
    many passes in a row (the caller may then solve for the support exactly).
    w is updated in place.  Returns (passes done, restricted gap, primal
    value, extrapolations kept, whether it stopped on a stable support, the
    gradient): the gradient is v at the returned w on ``ws`` and NaN
    elsewhere (a full gap then reads only the other columns), or None when
    the last pass ended without a check.

    For float32 X (``LeastSquares.single_capable``) the passes run on a
    float32 residual while the target is within float32's reach; every gap
    that stops them or is handed back with the gradient is float64's, at
    the residual recomputed from w.
    """
    cdef Py_ssize_t k, j, m = ws.shape[0], tmp
    cdef int epoch = 0, accepted = 0, unchanged = 0, flips
    cdef bint stable = False, full, checked = False   # in the last pass
    cdef double lip, old, new, gap = INFINITY, primal = INFINITY, before
    # multiply-adds of a pass, at most: the signal check's clock
    cdef double work = 0.0, pass_work = m * f.column_length + f.n_samples
    cdef bint main = handles_signals()
    cdef unsigned int state = seed
    cdef int[::1] order = np.array(ws, dtype=np.intc, copy=True)
    gradient = np.full(w.shape[0], np.nan)
    cdef double[::1] v = gradient
    cdef double[::1] current = np.zeros(m)
    cdef Anderson anderson = Anderson(m, ANDERSON_MEMORY)
    cdef double estimate = INFINITY      # the last gap of float32 passes
    with nogil:
        if Datafit is LeastSquares:
            if f.single_capable and tol > SINGLE_FLOOR * f.primal_at_zero:
                f.enter_single()
        while epoch < max_epochs:
            if seed != 0:
                for k in range(m - 1, 0, -1):    # Fisher-Yates
                    tmp = _rand(&state) % (k + 1)
                    order[k], order[tmp] = order[tmp], order[k]
            flips = 0
            checked = False
            full = epoch % (ACTIVE_PASSES + 1) == 0
            for k in range(m):
                j = order[k]
                lip = f.lipschitz[j]
                if lip == 0.0 or (not full and w[j] == 0.0 and penalty.is_penalized(j)):
                    continue
                old = w[j]
                new = penalty.prox(j, old + f.grad(j) / lip, 1.0 / lip)
                if new != old:
                    f.step(j, new - old)
                    w[j] = new
                    flips += (new > 0) != (old > 0) or (new < 0) != (old < 0)
            f.intercept_step()
            epoch += 1
            if main:
                work += pass_work
                check_signals(&work)
            unchanged = unchanged + 1 if flips == 0 else 0
            if extrapolate and anderson.push(w, ws) and anderson.extrapolate():
                before = f.primal(penalty, w, ws)
                for k in range(m):
                    current[k] = w[ws[k]]
                move_to(f, w, ws, anderson.candidate)
                if f.primal(penalty, w, ws) < before:
                    accepted += 1
                else:
                    move_to(f, w, ws, current)
            # early checks catch inner problems that converge in a few passes
            if (epoch % check_every == 0 or epoch == max_epochs
                    or epoch == 2 or epoch == 5):
                gap = f.gap(penalty, w, ws, v, &primal)
                checked = True       # the last thing a pass does: v is at w
                if Datafit is LeastSquares:
                    if f.single and (gap <= tol or epoch == max_epochs
                                     or gap > SINGLE_STALL * estimate):
                        # a stop, or float32's floor: the gap that decides
                        # is float64's, at the float64 residual recomputed
                        # from w; the passes go on in float64
                        f.leave_single(w)
                        gap = f.gap(penalty, w, ws, v, &primal)
                    estimate = gap
                if gap <= tol:
                    break
            if stable_epochs > 0 and unchanged >= stable_epochs:
                stable = True
                break
        if Datafit is LeastSquares:
            if f.single:            # a stable support ended float32 passes
                f.leave_single(w)
                checked = False     # (v and gap were float32's estimates)
    return epoch, gap, primal, accepted, stable, gradient if checked else None


def cd_gram_epochs(LeastSquares f, Penalty penalty, const double[:, ::1] gram,
                   const double[::1] correlations, double[::1] w, int max_epochs,
                   double tol, int check_every=5):
    """Coordinate-descent passes on the normal equations (glmnet's covariance
    updates): the gradient ``v = correlations - gram @ w`` is kept instead of
    the residual, so a step costs p multiply-adds instead of n, and a
    feature that does not move costs nothing.  For n >> p.

    ``gram`` and ``correlations`` are ``Xc' diag(s) Xc / n_w`` and
    ``Xc' diag(s) y_c / n_w`` (``SupportSolver.normal_equations``).  Stops
    once the gap estimated from them is at most ``tol`` or stops going down
    (checked every ``check_every`` passes), or after ``max_epochs`` passes.  The estimate's datafit,
    ``P(0) - w . (correlations + v) / 2``, is a difference of large terms:
    it steers, it does not certify.  The residual of ``f`` is not
    touched: recompute it from w (``refresh``) before certifying.  w is
    updated in place.  Returns (passes done, estimated gap).
    """
    cdef Py_ssize_t i, j, k, p = w.shape[0]
    cdef int epoch = 0
    cdef double lip, old, new, delta, kappa, datafit, previous, gap = INFINITY
    cdef const int[::1] coords = np.arange(p, dtype=np.intc)
    cdef double[::1] v = np.array(correlations, dtype=np.float64)
    cdef bint main = handles_signals()
    cdef double work = 0.0
    with nogil:
        for j in range(p):
            if w[j] != 0.0:
                for i in range(p):
                    v[i] -= gram[j, i] * w[j]        # v -= G[:, j] w_j (G symmetric)
        while epoch < max_epochs:
            for j in range(p):
                lip = gram[j, j]
                if lip <= 0.0:
                    continue
                old = w[j]
                new = penalty.prox(j, old + v[j] / lip, 1.0 / lip)
                if new != old:
                    delta = new - old
                    w[j] = new
                    for i in range(p):
                        v[i] -= gram[j, i] * delta
            epoch += 1
            if main:
                work += p * p
                check_signals(&work)
            if epoch % check_every == 0 or epoch == max_epochs:
                kappa = 1.0
                penalty.dual_terms(coords, w, v, &kappa)
                datafit = f.primal_at_zero
                for k in range(p):
                    datafit -= 0.5 * w[k] * (correlations[k] + v[k])
                previous, gap = gap, f._gap_terms(penalty, w, coords, v, kappa,
                                                  max(datafit, 0.0))
                if gap <= tol or gap >= previous:     # done, or at its rounding
                    break
    return epoch, gap
