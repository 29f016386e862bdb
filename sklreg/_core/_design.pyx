"""Column access to a design matrix X, dense or sparse, float32 or float64.

This is the only place that knows how X is stored.  A solver asks for a
column operation (a dot product with a vector, an axpy into a vector, a sum or
a squared norm, optionally weighted by per-sample weights ``s``) and never
branches on the storage itself.

* dense X must be Fortran-ordered, so column j is the contiguous slice
  ``data[j * n : (j + 1) * n]``;
* sparse X must be CSC, so column j is ``data[indptr[j]:indptr[j + 1]]`` at
  rows ``indices[indptr[j]:indptr[j + 1]]``.

Vectors handed to these methods are float64; results accumulate in float64
whatever the dtype of X.  A NULL weight pointer means unit weights.
"""
import numpy as np
import scipy.sparse as sp

from scipy.linalg.cython_blas cimport dgemv

from sklreg._core._blas cimport floating, dot, dot3, axpy, moments


cdef inline double _dot(const floating* col, const int* rows, Py_ssize_t nnz,
                        const double* v, const double* s) noexcept nogil:
    cdef Py_ssize_t k
    cdef double acc = 0.0
    if rows == NULL:
        if s == NULL:
            return dot(<int> nnz, col, v)
        return dot3(<int> nnz, col, v, s)
    if s == NULL:
        for k in range(nnz):
            acc += col[k] * v[rows[k]]
    else:
        for k in range(nnz):
            acc += col[k] * v[rows[k]] * s[rows[k]]
    return acc


cdef inline void _axpy(const floating* col, const int* rows, Py_ssize_t nnz,
                       double a, double* v) noexcept nogil:
    cdef Py_ssize_t k
    if rows == NULL:
        axpy(<int> nnz, a, col, v)
        return
    for k in range(nnz):
        v[rows[k]] += a * col[k]


cdef inline void _moments(const floating* col, const int* rows, Py_ssize_t nnz,
                         const double* v, const double* s, double* out) noexcept nogil:
    # sum_i s_i x_ij, sum_i s_i x_ij ** 2 and sum_i s_i x_ij v_i
    cdef Py_ssize_t k
    cdef double x, sx
    if rows == NULL:     # contiguous values: vectorised
        moments(<int> nnz, col, v, s, out)
        return
    out[0] = out[1] = out[2] = 0.0
    for k in range(nnz):
        x = col[k]
        sx = x if s == NULL else s[rows[k]] * x
        out[0] += sx
        out[1] += sx * x
        out[2] += sx * v[rows[k]]


cdef class Design:
    """Read-only view of X for the compiled solvers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran-ordered, or
        scipy.sparse CSC matrix/array; dtype float32 or float64.
    """

    def __init__(self, X):
        if sp.issparse(X):
            if X.format != "csc":
                raise TypeError("Design needs a CSC matrix, got %s" % X.format)
            self.is_sparse = True
            data = X.data
            # int32 indices are what scipy produces for all but huge matrices;
            # converting int64 ones costs O(nnz) memory, said here explicitly.
            indices = np.asarray(X.indices, dtype=np.intc)
            indptr = np.asarray(X.indptr, dtype=np.intc)
            if X.nnz > np.iinfo(np.intc).max:
                raise ValueError("X has more than 2**31 non-zeros")
            self.indices = indices
            self.indptr = indptr
            self._owner = (X, data, indices, indptr)
        else:
            X = np.asarray(X)
            if X.ndim != 2 or not X.flags.f_contiguous:
                raise TypeError("Design needs a 2-D Fortran-ordered array")
            self.is_sparse = False
            data = X.ravel(order="F")  # a view, not a copy
            self._owner = (X, data)
        self.n_samples, self.n_features = X.shape
        if data.dtype == np.float64:
            self.is_float64 = True
            self.data64 = data
        elif data.dtype == np.float32:
            self.is_float64 = False
            self.data32 = data
        else:
            raise TypeError("Design needs float32 or float64 data, got %s"
                            % data.dtype)

    @property
    def matrix(self):
        """The X this design reads (no copy)."""
        return self._owner[0]

    @property
    def dtype(self):
        return np.dtype(np.float64 if self.is_float64 else np.float32)

    cdef inline Py_ssize_t _span(self, Py_ssize_t j, Py_ssize_t* start,
                                 const int** rows) noexcept nogil:
        # column j lives at data[start : start + nnz], rows given by *rows
        if self.is_sparse:
            start[0] = self.indptr[j]
            rows[0] = &self.indices[start[0]] if self.indptr[j + 1] > start[0] else NULL
            return self.indptr[j + 1] - start[0]
        start[0] = j * self.n_samples
        rows[0] = NULL
        return self.n_samples

    cdef double col_dot(self, Py_ssize_t j, const double* v,
                        const double* s) noexcept nogil:
        """Return sum_i X[i, j] * v[i] (* s[i] when s is not NULL)."""
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        nnz = self._span(j, &start, &rows)
        if nnz == 0:
            return 0.0
        if self.is_float64:
            return _dot(&self.data64[start], rows, nnz, v, s)
        return _dot(&self.data32[start], rows, nnz, v, s)

    cdef void col_axpy(self, Py_ssize_t j, double a, double* v) noexcept nogil:
        """v += a * X[:, j]."""
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        nnz = self._span(j, &start, &rows)
        if nnz == 0 or a == 0.0:
            return
        if self.is_float64:
            _axpy(&self.data64[start], rows, nnz, a, v)
        else:
            _axpy(&self.data32[start], rows, nnz, a, v)

    cdef void col_moments(self, Py_ssize_t j, const double* v, const double* s,
                          double* out) noexcept nogil:
        """out = sum_i s[i] X[i, j], sum_i s[i] X[i, j]**2, sum_i s[i] X[i, j] v[i].

        One read of the column for the three (s NULL: unit weights).
        """
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        nnz = self._span(j, &start, &rows)
        if nnz == 0:
            out[0] = out[1] = out[2] = 0.0
        elif self.is_float64:
            _moments(&self.data64[start], rows, nnz, v, s, out)
        else:
            _moments(&self.data32[start], rows, nnz, v, s, out)

    # -- numpy-facing products, for solvers whose outer loop is in Python --
    cdef bint _gemv(self, bint transpose, const double* x, double* out) noexcept nogil:
        # dense float64: one BLAS pass over X (column by column, axpys
        # rewrite ``out`` and dots reread ``x`` once per column: ~1.5x slower)
        cdef int m = <int> self.n_samples, k = <int> self.n_features, one = 1
        cdef double alpha = 1.0, beta = 0.0
        cdef char trans = b"T" if transpose else b"N"
        if self.is_sparse or not self.is_float64 or m == 0 or k == 0:
            return False
        dgemv(&trans, &m, &k, &alpha, <double*> &self.data64[0], &m, <double*> x, &one,
              &beta, out, &one)
        return True

    def matvec(self, const double[::1] w, double[::1] out):
        """out = X @ w (out is overwritten)."""
        cdef Py_ssize_t j, used = 0
        with nogil:
            for j in range(self.n_features):
                used += w[j] != 0.0
            # a sparse w (a lasso's) only reads its columns
            if not (2 * used > self.n_features and self._gemv(False, &w[0], &out[0])):
                out[:] = 0.0
                for j in range(self.n_features):
                    if w[j] != 0.0:
                        self.col_axpy(j, w[j], &out[0])

    def rmatvec(self, const double[::1] v, double[::1] out):
        """out = X.T @ v."""
        cdef Py_ssize_t j
        with nogil:
            if not self._gemv(True, &v[0], &out[0]):
                for j in range(self.n_features):
                    out[j] = self.col_dot(j, &v[0], NULL)

    def col_sqnorms(self, const double[::1] s):
        """Return sum_i s_i X[i, j]**2 for every column j."""
        out = np.empty(self.n_features)
        cdef double[::1] o = out
        cdef double[3] m
        cdef Py_ssize_t j
        with nogil:
            for j in range(self.n_features):
                # the dot with s is not needed: s is read anyway, no other
                # vector is (an n-sized zero vector doubled the reads)
                self.col_moments(j, &s[0], &s[0], m)
                o[j] = m[1]
        return out
