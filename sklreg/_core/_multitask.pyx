"""Block coordinate descent for the multi-task elastic net.

Problem (T tasks, W of shape (p, T), rows W_j; intercepts eliminated by
centring X and Y with the weighted means)::

    min_W  1/(2 n_w) sum_i s_i |Y_i - (X_i - mu) W|^2
           + sum_j l1_j |W_j|_2 + l2_j / 2 |W_j|_2^2

One step updates a whole row W_j: with the residual R = Yc - Xc W and
L_j = sum_i s_i (x_ij - mu_j)^2 / n_w, u = Xc_j^T S R / n_w + L_j W_j and

    W_j <- u * max(0, 1 - l1_j / |u|) / (L_j + l2_j),

then R moves by the change of W_j.  R is Fortran-ordered (n, T).  The
passes (``Sweep``, in ``_multitask_sweep.pxi``) take dense rows a chunk at
a time in level-3 BLAS, and sparse rows one at a time on a row-major copy
of R; ``block_epochs`` goes row by row here: a dense column reads R in T
dot products (u = R^T x_j) and writes it in T axpys (R -= x_j delta^T), a
sparse column touches only its stored rows.

The intercept, as in the single-task kernel (``_cd.pyx``): X is never
centred; the residual is stored as ``R + 1 offset^T``, the T-vector
``offset`` carrying the ``+ mu_j delta`` part of every update.  Since the
weighted true residual sums to zero, the centred product needs no extra
pass: ``Xc_j^T S (R + 1 o^T) = x_j^T S R + n_w mu_j o``.  That subtracts
terms of size ``mu_j |x_j|``: a column whose mean dominates its spread
(``dominated``) is centred element by element instead (into a buffer, then
the same gemv/ger), so no digit is lost.  ``fold`` moves the offset into R.
"""
import numpy as np

from libc.math cimport fabs, sqrt
from scipy.linalg.cython_blas cimport daxpy, ddot, dgemm

from sklreg._core._design cimport Design
from sklreg._core._signals cimport check_signals, handles_signals, remember_main_thread

remember_main_thread()

# |mean| > 4 std: the offset identity would lose that factor squared in digits
cdef double DOMINANT_MEAN = 16.0


cdef inline const double* _weights(object s, const double[::1] view):
    return NULL if s is None else &view[0]


def column_spreads(Design X, double[::1] mu, s, bint centred):
    """Return (L_j * n_w, dominated): L_j * n_w = sum_i s_i (x_ij - mu_j)^2;
    when ``centred``, about the corrected mean, correcting ``mu`` in place
    by the mean of x_j - mu_j (one read of each column: a column whose mean
    dwarfs its spread keeps its digits), and ``dominated[j]`` says the
    column's mean dominates its spread (it is then centred element by
    element); otherwise (no intercept, mu = 0) the plain weighted sum of
    squares, constant columns included, and nothing is dominated."""
    cdef Py_ssize_t j, p = X.n_features
    cdef const double[::1] sv = np.ones(1) if s is None else s
    cdef const double* sp = _weights(s, sv)
    cdef double[::1] zeros = np.zeros(X.n_samples)
    cdef double[::1] out = np.empty(p)
    cdef unsigned char[::1] dominated = np.zeros(p, dtype=np.uint8)
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
                dominated[j] = mu[j] * mu[j] * n_w > DOMINANT_MEAN * out[j]
    return np.asarray(out), np.asarray(dominated).astype(bool)


cdef class _Columns:
    """Products of one column of X with the residual matrix R (n, T)."""
    cdef Design X
    cdef const double[::1] mu
    cdef const unsigned char[::1] dominated
    cdef const double* s
    cdef double n_w
    cdef Py_ssize_t n, T
    cdef double[::1] z, zs, _s
    cdef double* v        # column j as float64 (dense, or centred): for updates
    cdef double* vs       # the same times s: for products
    cdef bint dense       # v is set (else: sparse, through its stored rows)

    def __init__(self, Design X, mu, dominated, s, double n_w, Py_ssize_t T):
        self.X, self.mu, self.n_w, self.T = X, mu, n_w, T
        self.dominated = np.ascontiguousarray(dominated, dtype=np.uint8)
        self.n = X.n_samples
        self._s = np.ones(1) if s is None else np.ascontiguousarray(s, dtype=np.float64)
        self.s = NULL if s is None else &self._s[0]
        self.z = np.empty(max(self.n, 1))
        self.zs = np.empty(max(self.n, 1))

    cdef void load(self, Py_ssize_t j) noexcept nogil:
        """Make column j available: v and vs when dense (or centred)."""
        cdef Py_ssize_t i, k, start, nnz
        cdef const int* rows
        cdef double mu = self.mu[j]
        cdef bint centre = self.dominated[j]
        self.dense = centre or not self.X.is_sparse
        if not self.dense:
            return
        nnz = self.X._span(j, &start, &rows)
        if self.X.is_float64 and not centre and not self.X.is_sparse:
            self.v = <double*> &self.X.data64[start]
        else:
            self.v = &self.z[0]
            if self.X.is_sparse:
                for i in range(self.n):
                    self.z[i] = -mu
                for k in range(nnz):
                    self.z[rows[k]] += (self.X.data64[start + k] if self.X.is_float64
                                        else self.X.data32[start + k])
            else:
                for i in range(self.n):
                    self.z[i] = (self.X.data64[start + i] if self.X.is_float64
                                 else self.X.data32[start + i]) - (mu if centre else 0.0)
        if self.s == NULL:
            self.vs = self.v
        else:
            self.vs = &self.zs[0]
            for i in range(self.n):
                self.zs[i] = self.s[i] * self.v[i]

    cdef void times(self, Py_ssize_t j, const double* R, const double* offset,
                    double* u) noexcept nogil:
        """u = Xc_j^T S (R + 1 offset^T) (column j loaded)."""
        cdef Py_ssize_t k, t, i, start, nnz
        cdef const int* rows
        cdef int T = <int> self.T, n = <int> self.n, one = 1
        cdef double a, total = 0.0, zero = 0.0, unit = 1.0
        if self.dense:
            for t in range(T):
                u[t] = ddot(&n, self.vs, &one, <double*> &R[t * n], &one)
            if self.dominated[j]:
                for i in range(n):
                    total += self.vs[i]
            else:
                total = self.n_w * self.mu[j]
        else:
            for t in range(T):
                u[t] = 0.0
            nnz = self.X._span(j, &start, &rows)
            for k in range(nnz):
                i = rows[k]
                a = self.X.data64[start + k] if self.X.is_float64 else self.X.data32[start + k]
                if self.s != NULL:
                    a *= self.s[i]
                for t in range(T):
                    u[t] += a * R[i + t * n]
            total = self.n_w * self.mu[j]
        if total != 0.0:
            for t in range(T):
                u[t] += total * offset[t]

    cdef void update(self, Py_ssize_t j, double* R, double* offset,
                     double* delta) noexcept nogil:
        """R + 1 offset^T -= Xc_j delta^T (column j loaded)."""
        cdef Py_ssize_t k, t, i, start, nnz
        cdef const int* rows
        cdef int T = <int> self.T, n = <int> self.n, one = 1
        cdef double a, minus = -1.0
        if self.dense:
            for t in range(T):
                if delta[t] != 0.0:
                    a = -delta[t]
                    daxpy(&n, &a, self.v, &one, &R[t * n], &one)
            if self.dominated[j]:
                return
        else:
            nnz = self.X._span(j, &start, &rows)
            for k in range(nnz):
                i = rows[k]
                a = self.X.data64[start + k] if self.X.is_float64 else self.X.data32[start + k]
                for t in range(T):
                    R[i + t * n] -= a * delta[t]
        for t in range(T):
            offset[t] += self.mu[j] * delta[t]


cdef inline bint _row_step(double* u, double n_w, double* w, double lipschitz, double l1,
                           double l2, double* delta, Py_ssize_t T,
                           double* biggest) noexcept nogil:
    """One row's update from u = Xc_j^T S R (overwritten): W_j (``w``)
    moves by ``delta``; returns whether it moved, ``biggest`` the largest
    change so far."""
    cdef Py_ssize_t t
    cdef double norm = 0.0, shrink, change
    cdef bint moved = False
    for t in range(T):
        u[t] = u[t] / n_w + lipschitz * w[t]
        norm += u[t] * u[t]
    norm = sqrt(norm)
    shrink = 0.0 if norm <= l1 else (1.0 - l1 / norm) / (lipschitz + l2)
    for t in range(T):
        change = u[t] * shrink - w[t]
        delta[t] = change
        if change != 0.0:
            moved = True
            w[t] += change
            biggest[0] = max(biggest[0], fabs(change))
    return moved


def block_epochs(_Columns cols, double[::1, :] R, double[::1] offset, double[:, ::1] W,
                 const double[::1] lipschitz, const double[::1] l1, const double[::1] l2,
                 const int[::1] order, int n_epochs):
    """Run ``n_epochs`` passes of block coordinate descent over the rows in
    ``order``; W, R and offset are updated in place.  Returns the largest
    change of a coefficient in the last pass."""
    cdef Py_ssize_t e, k, j, t, n_tasks = W.shape[1]
    cdef double[::1] u = np.empty(n_tasks)
    cdef double[::1] delta = np.empty(n_tasks)
    cdef double biggest = 0.0
    cdef double work = 0.0, column_work = 2.0 * n_tasks * cols.n
    cdef bint main = handles_signals()
    with nogil:
        for e in range(n_epochs):
            biggest = 0.0
            for k in range(order.shape[0]):
                j = order[k]
                if main:
                    work += column_work
                    check_signals(&work)
                if lipschitz[j] == 0.0:       # Xc_j = 0: W_j does not move R
                    for t in range(n_tasks):
                        W[j, t] = 0.0
                    continue
                cols.load(j)
                cols.times(j, &R[0, 0], &offset[0], &u[0])
                if _row_step(&u[0], cols.n_w, &W[j, 0], lipschitz[j], l1[j], l2[j], &delta[0],
                             n_tasks, &biggest):
                    cols.update(j, &R[0, 0], &offset[0], &delta[0])
    return biggest


def gap_terms(const double[:, ::1] G, const double[:, ::1] W, const double[::1] l1,
              const double[::1] l2):
    """The penalty's part of ``multitask_gap`` (see there), in two passes
    over G and W: (kappa, sum_j Omega_j(W_j), sum_j max(0, Fenchel-Young_j))."""
    cdef Py_ssize_t j, t, p = G.shape[0], T = G.shape[1]
    cdef double[::1] rows = np.empty(p)
    cdef double kappa = 1.0, penalty = 0.0, young = 0.0
    cdef double r, w_norm, clip, ridge, scale, q, wc, d, term
    with nogil:
        for j in range(p):
            r = 0.0
            for t in range(T):
                r += G[j, t] * G[j, t]
            rows[j] = sqrt(r)
            if l2[j] == 0.0 and rows[j] > l1[j]:
                kappa = min(kappa, l1[j] / rows[j])
        for j in range(p):
            w_norm = 0.0
            for t in range(T):
                w_norm += W[j, t] * W[j, t]
            w_norm = sqrt(w_norm)
            penalty += l1[j] * w_norm + 0.5 * l2[j] * w_norm * w_norm
            # kappa G_j clipped into the L1 ball: C_j = scale G_j; the rest,
            # over l2, is Z_j = ridge G_j (0 without an L2 part)
            clip = l1[j] / (kappa * rows[j]) if kappa * rows[j] > l1[j] else 1.0
            ridge = kappa * (1.0 - clip) / l2[j] if l2[j] > 0.0 else 0.0
            scale = kappa * clip
            q = 0.0
            wc = 0.0
            for t in range(T):
                d = W[j, t] - ridge * G[j, t]
                q += d * d
                wc += W[j, t] * (scale * G[j, t])
            term = 0.5 * l2[j] * q + l1[j] * w_norm - wc
            if term > 0.0:
                young += term
    return kappa, penalty, young


def gradients(_Columns cols, double[::1, :] R):
    """G[j, t] = Xc_j^T S R_t / n_w, (p, T): minus the datafit's gradient at
    the residual R (offset folded in).  Dense float64 X: one gemm."""
    cdef Design X = cols.X
    cdef Py_ssize_t j, t, i, p = X.n_features, T = R.shape[1]
    cdef double[:, ::1] G = np.empty((p, T))
    cdef double[::1, :] SR = R if cols.s == NULL else np.asfortranarray(np.asarray(R) * np.asarray(cols._s)[:, None])
    cdef double[::1] sums = np.asarray(SR).sum(axis=0) if p else np.zeros(T)
    cdef double[::1] none = np.zeros(T)
    cdef int Ti = <int> T, n = <int> X.n_samples, pi = <int> p
    cdef double unit = 1.0, zero = 0.0
    cdef bint gemm = X.is_float64 and not X.is_sparse and n > 0 and p > 0 and T > 0
    with nogil:
        if gemm:
            dgemm(b"T", b"N", &Ti, &pi, &n, &unit, &SR[0, 0], &n,
                  <double*> &X.data64[0], &n, &zero, &G[0, 0], &Ti)
        for j in range(p):
            if gemm and not cols.dominated[j]:
                # exactly Xc_j^T S R: the sums are ~0 once R is re-centred
                for t in range(T):
                    G[j, t] -= cols.mu[j] * sums[t]
            else:
                cols.load(j)
                cols.times(j, &R[0, 0], &none[0], &G[j, 0])
                if not cols.dominated[j]:
                    for t in range(T):
                        G[j, t] -= cols.mu[j] * sums[t]
            for t in range(T):
                G[j, t] /= cols.n_w
    return np.asarray(G)


def residual(_Columns cols, const double[::1, :] Yc, const double[:, ::1] W):
    """R = Yc - Xc W, (n, T), from scratch (offset folded in, not centred)."""
    cdef Design X = cols.X
    cdef Py_ssize_t j, t, i, p = X.n_features, T = W.shape[1]
    cdef double[::1, :] R = np.array(Yc, order="F")
    cdef double[:, ::1] Wp = np.array(W, order="C")
    cdef double[::1] offset = np.zeros(T)
    cdef int Ti = <int> T, n = <int> X.n_samples, pi = <int> p
    cdef double unit = 1.0, minus = -1.0
    cdef bint gemm = X.is_float64 and not X.is_sparse and n > 0 and p > 0 and T > 0
    with nogil:
        for j in range(p):
            if gemm and not cols.dominated[j]:
                for t in range(T):
                    offset[t] += cols.mu[j] * Wp[j, t]
                continue
            for t in range(T):
                if Wp[j, t] != 0.0:
                    cols.load(j)
                    cols.update(j, &R[0, 0], &offset[0], &Wp[j, 0])
                    break
            for t in range(T):
                Wp[j, t] = 0.0
        if gemm:
            # R -= X W: the dominated rows zeroed above
            dgemm(b"N", b"T", &n, &Ti, &pi, &minus, <double*> &X.data64[0], &n,
                  &Wp[0, 0], &Ti, &unit, &R[0, 0], &n)
        for i in range(n):
            for t in range(T):
                R[i, t] += offset[t]
    return np.asarray(R)


include "_multitask_sweep.pxi"
