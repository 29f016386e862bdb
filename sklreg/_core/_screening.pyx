"""Screening for the least-squares datafit: which zero features a gap need
not read, and which are proven zero at the optimum.

Both rest on the quadratic datafit: its gradient moves with the residual by
Cauchy-Schwarz, and its dual is strongly concave (Gap Safe).  A datafit
without these does not use them.
"""
import numpy as np

from libc.math cimport fabs, sqrt, isnan

from sklreg._core._datafits cimport LeastSquares
from sklreg._core._penalties cimport Penalty


cdef class GradientBounds:
    """Upper bounds on |v_j| for the gradient entries a gap need not read.

    Between two gaps v_j moves by at most sqrt(L_j / n_w) ||d rho||_s
    (Cauchy-Schwarz; rho the residual).  A zero feature whose last computed
    |v_j|, plus that drift, stays below its L1 weight neither violates its
    optimality condition nor changes the gap (its dual constraint holds
    with room, whatever v_j is below it), so its column is not read.  A
    path passes one object to every alpha: the residual is where the last
    alpha left it.  (Compiled: its elementwise work, a few passes over p,
    runs at every gap.)
    """
    cdef double[::1] step, value, drift_at, residual, bound
    cdef double drift                    # sum of ||d rho||_s so far
    cdef readonly object skipped         # the columns the last gap did not read

    def __init__(self, LeastSquares datafit):
        p = datafit.lipschitz.shape[0]
        self.step = np.sqrt(np.asarray(datafit.lipschitz) / datafit.n_w)
        self.value = np.full(p, np.inf)  # |v_j| when last read (inf: never)
        self.drift_at = np.zeros(p)      # the drift then
        self.drift = 0.0
        self.bound = np.empty(p)
        self.skipped = np.zeros(p, dtype=bool)
        self.residual = np.zeros(datafit.n_samples)
        _residual_moved(datafit, self.residual)

    def skip(self, LeastSquares datafit, const double[::1] w, const double[::1] l1,
             movable, gradient, double loose=1.0):
        """Skip the movable zero features whose bound is below ``l1``.

        Returns the gradient to hand the gap: ``gradient`` (NaN where None)
        with 0 where skipped -- any value below l1 gives the same gap.  With
        ``loose`` < 1, also those whose bound is below ``l1`` with the drift
        scaled by ``loose``: the gap is then an estimate, not a certificate
        (a feature skipped so may violate its condition).
        """
        self.drift += _residual_moved(datafit, self.residual)
        out = np.full(w.shape[0], np.nan) if gradient is None else np.array(gradient)
        cdef double[::1] g = out
        cdef const unsigned char[::1] move = movable.view(np.uint8)
        cdef unsigned char[::1] skipped = self.skipped.view(np.uint8)
        cdef Py_ssize_t j, count = 0
        with nogil:
            for j in range(w.shape[0]):
                self.bound[j] = self.value[j] + self.step[j] * (self.drift - self.drift_at[j])
                skipped[j] = move[j] and w[j] == 0.0 and (
                    self.value[j] + loose * (self.bound[j] - self.value[j]) < l1[j])
                if skipped[j]:
                    g[j] = 0.0
                    count += 1
        return out if count else gradient

    def record(self, const double[::1] v):
        """Record the entries the gap read; return an upper bound on |v|:
        |v_j| where read, the bound elsewhere."""
        magnitude = np.empty(v.shape[0])
        cdef double[::1] m = magnitude
        cdef const unsigned char[::1] skipped = self.skipped.view(np.uint8)
        cdef Py_ssize_t j
        with nogil:
            for j in range(v.shape[0]):
                if skipped[j] or isnan(v[j]):
                    m[j] = self.bound[j]
                else:
                    m[j] = fabs(v[j])
                    self.value[j] = m[j]
                    self.drift_at[j] = self.drift
        return magnitude


def gap_safe(Penalty penalty, const double[::1] v, double gap, const double[::1] l1,
             const double[::1] lipschitz, movable, const double[::1] magnitude):
    """Movable features proven zero at the optimum by the Gap Safe sphere
    test (Fercoq, Gramfort & Salmon, 2015; Ndiaye et al., 2017).

    The dual of the quadratic datafit is (1 / n_w)-strongly concave in the
    residual, so the optimal residual lies within sqrt(2 n_w gap) of the
    dual point kappa * r (s-weighted norm), and the optimal gradient of
    feature j within sqrt(2 L_j gap) of kappa * v_j.  If even that bound
    stays below l1_j, w_j = 0 at the optimum (whatever l2_j).  Valid only
    without unpenalised features (their constraint is not met by scaling).
    ``magnitude`` is |v|, or an upper bound on it where v was not read
    (there v holds any value below l1).
    """
    cdef const unsigned char[::1] move = movable.view(np.uint8)
    cdef Py_ssize_t j, count = 0, p = v.shape[0]
    cdef double kappa = 1.0, radius = 2.0 * max(gap, 0.0)
    screened = np.empty(p, dtype=np.intp)
    cdef Py_ssize_t[::1] out = screened
    with nogil:
        for j in range(p):
            if move[j]:
                kappa = min(kappa, penalty.dual_scale(j, v[j]))
        for j in range(p):
            if move[j] and kappa * magnitude[j] + sqrt(radius * lipschitz[j]) < l1[j]:
                out[count] = j
                count += 1
    return screened[:count]



cdef double _residual_moved(LeastSquares f, double[::1] snapshot):
    """Return ||rho - snapshot||_s (rho the residual, s-weighted), and store
    rho in ``snapshot`` (length n_samples).  Bounds how far any gradient
    entry moved: |dv_j| <= sqrt(L_j / n_w) ||d rho||_s."""
    cdef Py_ssize_t i
    cdef const double* s = f._s()
    cdef double d, total = 0.0
    with nogil:
        for i in range(snapshot.shape[0]):
            d = f.r[i] + f.offset - snapshot[i]
            total += d * d if s == NULL else s[i] * d * d
            snapshot[i] += d
    return total ** 0.5
