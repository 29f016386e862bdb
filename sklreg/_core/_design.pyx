"""Column access to a design matrix X, dense or sparse, float32 or float64.

This is the only place that knows how X is stored.  A solver asks for a
column operation (a dot product with a vector, an axpy into a vector, a sum or
a squared norm, optionally weighted by per-sample weights ``s``) and never
branches on the storage itself.

* dense X must be Fortran-ordered, so column j is the contiguous slice
  ``data[j * n : (j + 1) * n]``;
* sparse X must be CSC, so column j is ``data[indptr[j]:indptr[j + 1]]`` at
  rows ``indices[indptr[j]:indptr[j + 1]]``, the indices sorted (canonical).

Centred access (``col_centred_dot``, ``col_centred_axpy``, ``col_spread``)
works on ``x_j - mu`` element by element, over every row: for sparse X the
rows between stored entries hold ``-mu``, so it costs O(n_samples).  It is
meant for the columns whose mean dominates their spread (nearly dense when
sparse), where ``x . v - mu sum(v)`` would cancel catastrophically.

Vectors handed to these methods are float64; results accumulate in float64
whatever the dtype of X.  A NULL weight pointer means unit weights.
"""
import numpy as np
import scipy.sparse as sp

from scipy.linalg.cython_blas cimport dgemv

from sklreg._core._blas cimport (floating, dot, dot3, axpy, moments, centred_dot,
                                 centred_axpy, sdot32, saxpy32)


# the column loops for each storage and dtype, in their own file
include "_design_loops.pxi"


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

    cdef double col_centred_dot(self, Py_ssize_t j, double mu, const double* v,
                                const double* s) noexcept nogil:
        """Return sum_i (X[i, j] - mu) * v[i] (* s[i]) over every row i."""
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        if mu == 0.0:
            return self.col_dot(j, v, s)
        nnz = self._span(j, &start, &rows)
        if rows == NULL and not self.is_sparse:
            if self.is_float64:
                return centred_dot(<int> nnz, &self.data64[start], mu, v, s)
            return centred_dot(<int> nnz, &self.data32[start], mu, v, s)
        if self.is_float64:
            return _centred_dot_sparse(&self.data64[start], rows, nnz, self.n_samples,
                                       mu, v, s)
        return _centred_dot_sparse(&self.data32[start], rows, nnz, self.n_samples,
                                   mu, v, s)

    cdef void col_centred_axpy(self, Py_ssize_t j, double a, double mu,
                               double* v) noexcept nogil:
        """v += a * (X[:, j] - mu), over every row."""
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        if mu == 0.0:
            self.col_axpy(j, a, v)
            return
        if a == 0.0:
            return
        nnz = self._span(j, &start, &rows)
        if rows == NULL and not self.is_sparse:
            if self.is_float64:
                centred_axpy(<int> nnz, a, &self.data64[start], mu, v)
            else:
                centred_axpy(<int> nnz, a, &self.data32[start], mu, v)
        elif self.is_float64:
            _centred_axpy_sparse(&self.data64[start], rows, nnz, self.n_samples, a, mu, v)
        else:
            _centred_axpy_sparse(&self.data32[start], rows, nnz, self.n_samples, a, mu, v)

    cdef float col_dot32(self, Py_ssize_t j, const float* v) noexcept nogil:
        """Return sum_i X[i, j] * v[i] in float32 arithmetic (float32 X
        only: a residual kept in float32, half the bytes and twice the
        lanes of a float64 one)."""
        cdef Py_ssize_t k, start, nnz
        cdef const int* rows
        cdef float acc = 0.0
        nnz = self._span(j, &start, &rows)
        if rows == NULL:
            return sdot32(<int> nnz, &self.data32[start], v) if nnz else 0.0
        for k in range(nnz):
            acc += self.data32[start + k] * v[rows[k]]
        return acc

    cdef void col_axpy32(self, Py_ssize_t j, float a, float* v) noexcept nogil:
        """v += a * X[:, j] in float32 (float32 X only)."""
        cdef Py_ssize_t k, start, nnz
        cdef const int* rows
        nnz = self._span(j, &start, &rows)
        if rows == NULL:
            if nnz:
                saxpy32(<int> nnz, a, &self.data32[start], v)
            return
        for k in range(nnz):
            v[rows[k]] += a * self.data32[start + k]

    cdef void col_spread(self, Py_ssize_t j, double mu, const double* v, const double* s,
                         double* out) noexcept nogil:
        """out = sum_i s_i d_i, sum_i s_i d_i**2, sum_i s_i d_i v_i with
        d = X[:, j] - mu over every row, and 1.0 if the column takes one value
        on the rows of positive weight (constant), else 0.0 (out has 4 entries)."""
        cdef Py_ssize_t start, nnz
        cdef const int* rows
        nnz = self._span(j, &start, &rows)
        if self.is_float64:
            _spread(&self.data64[start], rows, self.is_sparse, nnz, self.n_samples,
                    mu, v, s, out)
        else:
            _spread(&self.data32[start], rows, self.is_sparse, nnz, self.n_samples,
                    mu, v, s, out)

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

    # -- the same products on X - 1 mu^T: the columns with mu_j != 0 are
    # centred element by element, so a column whose mean dominates its
    # spread does not cancel (the others keep BLAS) --
    def centred_matvec(self, const double[::1] w, const double[::1] mu, double[::1] out):
        """out = (X - 1 mu^T) @ w (out is overwritten)."""
        cdef Py_ssize_t j
        self.matvec(np.where(np.asarray(mu) != 0.0, 0.0, w), out)
        with nogil:
            for j in range(self.n_features):
                if mu[j] != 0.0 and w[j] != 0.0:
                    self.col_centred_axpy(j, w[j], mu[j], &out[0])

    def centred_rmatvec(self, const double[::1] v, const double[::1] mu, double[::1] out):
        """out = (X - 1 mu^T).T @ v."""
        cdef Py_ssize_t j
        self.rmatvec(v, out)
        with nogil:
            for j in range(self.n_features):
                if mu[j] != 0.0:
                    out[j] = self.col_centred_dot(j, mu[j], &v[0], NULL)

    def centred_moments(self, const Py_ssize_t[::1] cols, const double[::1] mu,
                        const double[::1] s):
        """For each column j of ``cols``, with d = X[:, j] - mu_j over every
        row: ``(sum_i s_i d_i, sum_i s_i d_i**2, 1.0 if the column takes one
        value on the rows with s_i > 0 else 0.0)``, an array (len(cols), 3)."""
        out = np.empty((cols.shape[0], 3))
        cdef double[:, ::1] o = out
        cdef double[4] m
        cdef Py_ssize_t k
        with nogil:
            for k in range(cols.shape[0]):
                self.col_spread(cols[k], mu[cols[k]], &s[0], &s[0], m)
                o[k, 0], o[k, 1], o[k, 2] = m[0], m[1], m[3]
        return out


cdef class OnDesign:
    """Base of the datafits (``_datafits.pxd``): what they share of the
    design X they are bound to, the size of a pass over it."""

    @property
    def n_samples(self):
        return self.X.n_samples

    @property
    def column_length(self):
        """Mean stored entries per column: the work of one gradient entry."""
        if self.X.is_sparse:
            # in double: C division of the integers would floor (0 for a
            # column with less than one entry on average)
            return self.X.indices.shape[0] / <double> max(self.X.n_features, 1)
        return self.X.n_samples
