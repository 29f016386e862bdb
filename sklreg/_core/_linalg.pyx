"""Cholesky factorisation and solves that release the GIL.

SciPy's Python LAPACK wrappers (``scipy.linalg.cho_factor``, ``cholesky``,
``eigh``, ...) hold the GIL for the whole call: a 3000 x 3000 ``dpotrf``
stopped every other Python thread for 230 ms, so fits run in threads
serialised on their factorisations.  These call the same LAPACK through
``scipy.linalg.cython_lapack`` with the GIL released.  NumPy's ``cholesky``
releases it too but ran 1.5x slower at that size.
"""
from scipy.linalg.cython_blas cimport dtrsm, dtrsv
from scipy.linalg.cython_lapack cimport dpotrf, dpotrs


cdef int _leading(const double[:, :] a, str name) except -1:
    # LAPACK's leading dimension of a column-major view (a block of a
    # larger Fortran array is fine: only its columns must be contiguous)
    cdef Py_ssize_t lda = a.strides[1] // sizeof(double) if a.shape[1] > 1 else a.shape[0]
    if (a.shape[0] > 1 and a.strides[0] != sizeof(double)) or lda < a.shape[0]:
        raise ValueError("%s must be column-major (Fortran-ordered)" % name)
    return max(1, lda)


def potrf_lower(double[:, :] a):
    """Overwrite the lower triangle of the symmetric positive definite ``a``
    (a Fortran-ordered array, or a block of one) with its Cholesky factor L
    (``a = L L^T``; the strict upper triangle is left as it was).  Returns
    LAPACK's info: 0 on success, k > 0 when the leading minor of order k is
    not positive."""
    cdef int n = a.shape[0], info = 0
    cdef char uplo = b'L'
    if n == 0:
        return 0
    cdef int lda = _leading(a, "a")
    with nogil:
        dpotrf(&uplo, &n, &a[0, 0], &lda, &info)
    return info


def potrs_lower(const double[:, :] factor, double[:, :] b):
    """Overwrite ``b`` (shape (n, k)) with the solution of ``L L^T x = b``,
    L the lower triangle of ``factor`` (from ``potrf_lower``).  Both may be
    blocks of larger Fortran-ordered arrays."""
    cdef int n = factor.shape[0], k = b.shape[1], info = 0
    cdef char uplo = b'L'
    if n == 0 or k == 0:
        return 0
    cdef int lda = _leading(factor, "factor"), ldb = _leading(b, "b")
    if k == 1:      # two trsv: OpenBLAS' potrs on one column ran 3x slower
        _trsv(factor, b, False, lda)
        _trsv(factor, b, True, lda)
        return 0
    with nogil:
        dpotrs(&uplo, &n, &k, <double*> &factor[0, 0], &lda, &b[0, 0], &ldb, &info)
    return info


cdef void _trsv(const double[:, :] factor, double[:, :] b, bint transpose, int lda):
    cdef int n = factor.shape[0], one = 1
    cdef char uplo = b'L', diag = b'N'
    cdef char trans = b'T' if transpose else b'N'
    with nogil:
        dtrsv(&uplo, &trans, &diag, &n, <double*> &factor[0, 0], &lda, &b[0, 0], &one)


def trsm_lower(const double[:, :] factor, double[:, :] b, bint transpose=False):
    """Overwrite ``b`` (shape (n, k)) with ``L^{-1} b`` (``L^{-T} b`` if
    ``transpose``), L the lower triangle of ``factor``: half of a Cholesky
    solve.  Both may be blocks of larger Fortran-ordered arrays."""
    cdef int n = factor.shape[0], k = b.shape[1]
    cdef char side = b'L', uplo = b'L', diag = b'N'
    cdef char trans = b'T' if transpose else b'N'
    cdef double one = 1.0
    if n == 0 or k == 0:
        return
    cdef int lda = _leading(factor, "factor"), ldb = _leading(b, "b")
    if k == 1:      # OpenBLAS' trsm on one column ran 3x slower than trsv
        _trsv(factor, b, transpose, lda)
        return
    with nogil:
        dtrsm(&side, &uplo, &trans, &diag, &n, &k, &one, <double*> &factor[0, 0], &lda,
              &b[0, 0], &ldb)


def gather(const double[:, ::1] source, const Py_ssize_t[::1] rows,
           const Py_ssize_t[::1] cols, double[:, :] out):
    """Write ``source[rows[a], cols[b]]`` into ``out[a, b]``.

    NumPy's ``source[np.ix_(rows, cols)]`` took 9 ms for a 750 x 750 block
    of a Gram cache in random order (3 ms sorted); row by row, each row
    read once, this takes about as long as copying the block.
    """
    cdef Py_ssize_t a, b
    if out.shape[0] != rows.shape[0] or out.shape[1] != cols.shape[0]:
        raise ValueError("out must have shape (len(rows), len(cols))")
    with nogil:
        for a in range(rows.shape[0]):
            for b in range(cols.shape[0]):
                out[a, b] = source[rows[a], cols[b]]
