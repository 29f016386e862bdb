"""Cholesky factorisation and solves that release the GIL.

SciPy's Python LAPACK wrappers (``scipy.linalg.cho_factor``, ``cholesky``,
``eigh``, ...) hold the GIL for the whole call: a 3000 x 3000 ``dpotrf``
stopped every other Python thread for 230 ms, so fits run in threads
serialised on their factorisations.  These call the same LAPACK through
``scipy.linalg.cython_lapack`` with the GIL released.  NumPy's ``cholesky``
releases it too but ran 1.5x slower at that size.
"""
from scipy.linalg.cython_lapack cimport dpotrf, dpotrs


def potrf_lower(double[::1, :] a):
    """Overwrite the lower triangle of the symmetric positive definite,
    Fortran-ordered ``a`` with its Cholesky factor L (``a = L L^T``; the
    strict upper triangle is left as it was).  Returns LAPACK's info: 0 on
    success, k > 0 when the leading minor of order k is not positive."""
    cdef int n = a.shape[0], info = 0
    cdef char uplo = b'L'
    if n == 0:
        return 0
    with nogil:
        dpotrf(&uplo, &n, &a[0, 0], &n, &info)
    return info


def potrs_lower(const double[::1, :] factor, double[::1, :] b):
    """Overwrite the Fortran-ordered ``b`` (shape (n, k)) with the solution of
    ``L L^T x = b``, L the lower triangle of ``factor`` (from ``potrf_lower``)."""
    cdef int n = factor.shape[0], k = b.shape[1], info = 0
    cdef char uplo = b'L'
    if n == 0 or k == 0:
        return 0
    with nogil:
        dpotrs(&uplo, &n, &k, <double*> &factor[0, 0], &n, &b[0, 0], &n, &info)
    return info
