# Included by _multitask.pyx: the passes of block coordinate descent.

cdef extern from "_multitask_rows.h" nogil:
    void sklreg_mt_times_f64(int nnz, const double* x, const int* rows, const double* s,
                             const double* Rc, int T, double* u)
    void sklreg_mt_times_f32(int nnz, const float* x, const int* rows, const double* s,
                             const double* Rc, int T, double* u)
    void sklreg_mt_update_f64(int nnz, const double* x, const int* rows,
                              const double* delta, double* Rc, int T)
    void sklreg_mt_update_f32(int nnz, const float* x, const int* rows,
                              const double* delta, double* Rc, int T)


cdef class Sweep:
    """Passes of block coordinate descent over the rows in one ``order``,
    on dense X in level-3 BLAS.

    The rows are taken ``chunk`` at a time, in order: their centred
    columns Z (and S Z) are gathered, P = (S Z)^T R is one product, and
    within the chunk each row's update corrects the products of the rows
    after it through the chunk's Gram matrix Z^T S Z (computed once per
    order: ``chunk / (4 T)`` of a pass); R then moves once, R -= Z D^T.
    The iterates are those of the row-by-row passes (``block_epochs``), in
    the same order, but R is read twice and written once per chunk instead
    of per row.  Sparse X (or chunk 0) runs the row-by-row passes."""
    cdef _Columns cols
    cdef const int[::1] order
    cdef Py_ssize_t chunk
    cdef double[::1, :] Z, ZS
    cdef double[:, ::1] P, D      # (chunk, T): a row's products and change, contiguous
    cdef double[:, :, ::1] gram
    cdef double[:, ::1] Rc        # sparse X: the residual row-major, a row's tasks contiguous
    cdef double[::1] u, delta

    def __init__(self, _Columns cols, order, Py_ssize_t chunk):
        cdef Py_ssize_t c, b, n_chunks
        cdef int bi, n = <int> cols.n, ld = <int> chunk
        cdef double unit = 1.0, zero = 0.0
        self.cols = cols
        self.order = np.ascontiguousarray(order, dtype=np.intc)
        self.chunk = 0 if cols.X.is_sparse or cols.n == 0 or cols.T == 0 else chunk
        if cols.X.is_sparse:
            self.Rc = np.empty((cols.n, cols.T))
            self.u = np.empty(cols.T)
            self.delta = np.empty(cols.T)
        if self.chunk == 0:
            return
        n_chunks = (self.order.shape[0] + chunk - 1) // chunk
        self.Z = np.empty((cols.n, chunk), order="F")
        self.ZS = self.Z if cols.s == NULL else np.empty((cols.n, chunk), order="F")
        self.P = np.empty((chunk, cols.T))
        self.D = np.empty((chunk, cols.T))
        self.gram = np.empty((n_chunks, chunk, chunk))
        with nogil:
            for c in range(n_chunks):
                b = self._gather(c)
                bi = <int> b
                dgemm(b"T", b"N", &bi, &bi, &n, &unit, &self.ZS[0, 0], &n,
                      &self.Z[0, 0], &n, &zero, &self.gram[c, 0, 0], &ld)

    cdef Py_ssize_t _gather(self, Py_ssize_t c) noexcept nogil:
        """Z[:, k] = Xc_j and ZS[:, k] = S Xc_j for the rows j of chunk c;
        returns the number of rows."""
        cdef const double* s = self.cols.s
        cdef Py_ssize_t i, k, j, start, n = self.cols.n, first = c * self.chunk
        cdef Py_ssize_t b = min(self.chunk, self.order.shape[0] - first)
        cdef const int* rows
        cdef double mu
        for k in range(b):
            j = self.order[first + k]
            self.cols.X._span(j, &start, &rows)
            mu = self.cols.mu[j]
            if self.cols.X.is_float64:
                for i in range(n):
                    self.Z[i, k] = self.cols.X.data64[start + i] - mu
            else:
                for i in range(n):
                    self.Z[i, k] = self.cols.X.data32[start + i] - mu
            if s != NULL:
                for i in range(n):
                    self.ZS[i, k] = s[i] * self.Z[i, k]
        return b

    def _sparse_pass(self, double[::1, :] R, double[::1] offset, double[:, ::1] W,
                     const double[::1] lipschitz, const double[::1] l1, const double[::1] l2):
        """A pass on sparse X: row by row, on the residual copied row-major
        (a stored entry then reads and writes its row's tasks contiguously,
        not one cache line per task)."""
        cdef Py_ssize_t k, j, t, i, T = W.shape[1], n = self.cols.n
        cdef double biggest = 0.0, work = 0.0, column_work = 2.0 * T * n
        cdef bint main = handles_signals()
        with nogil:
            for i in range(n):
                for t in range(T):
                    self.Rc[i, t] = R[i, t]
            for k in range(self.order.shape[0]):
                j = self.order[k]
                if main:
                    work += column_work
                    check_signals(&work)
                if lipschitz[j] == 0.0:       # Xc_j = 0: W_j does not move R
                    for t in range(T):
                        W[j, t] = 0.0
                    continue
                self._times(j, &offset[0])
                if _row_step(&self.u[0], self.cols.n_w, &W[j, 0], lipschitz[j], l1[j], l2[j],
                             &self.delta[0], T, &biggest):
                    self._update(j, &offset[0])
            for t in range(T):
                for i in range(n):
                    R[i, t] = self.Rc[i, t]
        return biggest

    cdef void _times(self, Py_ssize_t j, const double* offset) noexcept nogil:
        """u = Xc_j^T S (Rc + 1 offset^T), sparse X."""
        cdef Py_ssize_t t, i, start, nnz, T = self.cols.T
        cdef const int* rows
        cdef const double* s = self.cols.s
        cdef double a, total = 0.0
        cdef double* r
        cdef double* u = &self.u[0]
        for t in range(T):
            u[t] = 0.0
        if self.cols.dominated[j]:        # centred element by element
            self.cols.load(j)
            for i in range(self.cols.n):
                a = self.cols.vs[i]
                total += a
                r = &self.Rc[i, 0]
                for t in range(T):
                    u[t] += a * r[t]
        else:
            nnz = self.cols.X._span(j, &start, &rows)
            if self.cols.X.is_float64:
                sklreg_mt_times_f64(<int> nnz, &self.cols.X.data64[start], rows, s,
                                    &self.Rc[0, 0], <int> T, u)
            else:
                sklreg_mt_times_f32(<int> nnz, &self.cols.X.data32[start], rows, s,
                                    &self.Rc[0, 0], <int> T, u)
            total = self.cols.n_w * self.cols.mu[j]
        if total != 0.0:
            for t in range(T):
                u[t] += total * offset[t]

    cdef void _update(self, Py_ssize_t j, double* offset) noexcept nogil:
        """Rc + 1 offset^T -= Xc_j delta^T, sparse X (after ``_times(j)``)."""
        cdef Py_ssize_t t, i, start, nnz, T = self.cols.T
        cdef const int* rows
        cdef double a
        cdef double* r
        cdef double* delta = &self.delta[0]
        if self.cols.dominated[j]:
            for i in range(self.cols.n):
                a = self.cols.v[i]
                r = &self.Rc[i, 0]
                for t in range(T):
                    r[t] -= a * delta[t]
            return
        nnz = self.cols.X._span(j, &start, &rows)
        if self.cols.X.is_float64:
            sklreg_mt_update_f64(<int> nnz, &self.cols.X.data64[start], rows, delta,
                                 &self.Rc[0, 0], <int> T)
        else:
            sklreg_mt_update_f32(<int> nnz, &self.cols.X.data32[start], rows, delta,
                                 &self.Rc[0, 0], <int> T)
        for t in range(T):
            offset[t] += self.cols.mu[j] * delta[t]

    def run(self, double[::1, :] R, double[::1] offset, double[:, ::1] W,
            const double[::1] lipschitz, const double[::1] l1, const double[::1] l2,
            int n_epochs=1, int patience=1, double tol=0.0):
        """Up to ``n_epochs`` passes, W, R and offset updated in place;
        from the ``patience``-th pass on, stop after one in which no
        coefficient moved by more than ``tol`` times the largest.  Returns
        (passes run, the largest change of a coefficient in the last)."""
        cdef int e
        cdef double step = 0.0
        for e in range(1, n_epochs + 1):
            if self.cols.X.is_sparse:
                step = self._sparse_pass(R, offset, W, lipschitz, l1, l2)
            elif self.chunk == 0:
                step = block_epochs(self.cols, R, offset, W, lipschitz, l1, l2, self.order, 1)
            else:
                step = self._chunk_pass(R, offset, W, lipschitz, l1, l2)
            if e >= patience and step <= tol * self._largest(W):
                break
        return e, step

    cdef double _largest(self, const double[:, ::1] W) noexcept nogil:
        """max |W| (the rows outside the order are zero)."""
        cdef Py_ssize_t k, t
        cdef double largest = 0.0
        for k in range(self.order.shape[0]):
            for t in range(W.shape[1]):
                largest = max(largest, fabs(W[self.order[k], t]))
        return largest

    def _chunk_pass(self, double[::1, :] R, double[::1] offset, double[:, ::1] W,
                    const double[::1] lipschitz, const double[::1] l1, const double[::1] l2):
        """A pass on dense X, a chunk of rows at a time (the offset is
        folded into R first)."""
        cdef Py_ssize_t c, b, k, m, j, t, i, T = W.shape[1], n = self.cols.n
        cdef Py_ssize_t n_chunks = self.gram.shape[0]
        cdef int bi, ni = <int> n, Ti = <int> T, ld = <int> self.chunk
        cdef double unit = 1.0, zero = 0.0, minus = -1.0, n_w = self.cols.n_w
        cdef double g, biggest = 0.0
        cdef double work = 0.0, chunk_work = 4.0 * T * n * self.chunk
        cdef bint main = handles_signals(), any_moved
        with nogil:
            for t in range(T):
                if offset[t] != 0.0:
                    for i in range(n):
                        R[i, t] += offset[t]
                    offset[t] = 0.0
            for c in range(n_chunks):
                if main:
                    work += chunk_work
                    check_signals(&work)
                b = self._gather(c)
                bi = <int> b
                # P^T = R^T (S Z): P's rows are the chunk's rows, contiguous
                dgemm(b"T", b"N", &Ti, &bi, &ni, &unit, &R[0, 0], &ni,
                      &self.ZS[0, 0], &ni, &zero, &self.P[0, 0], &Ti)
                any_moved = False
                for k in range(b):
                    j = self.order[c * self.chunk + k]
                    if lipschitz[j] == 0.0:       # Xc_j = 0: W_j does not move R
                        for t in range(T):
                            W[j, t] = 0.0
                            self.D[k, t] = 0.0
                        continue
                    if not _row_step(&self.P[k, 0], n_w, &W[j, 0], lipschitz[j], l1[j], l2[j],
                                     &self.D[k, 0], T, &biggest):
                        continue
                    any_moved = True
                    for m in range(k + 1, b):
                        g = self.gram[c, k, m]
                        for t in range(T):
                            self.P[m, t] -= g * self.D[k, t]
                if any_moved:       # R -= Z D^T
                    dgemm(b"N", b"T", &ni, &Ti, &bi, &minus, &self.Z[0, 0], &ni,
                          &self.D[0, 0], &Ti, &unit, &R[0, 0], &ni)
        return biggest
