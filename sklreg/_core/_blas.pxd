# Level-1 vector kernels used by the solvers, picked by the dtype of X.
#
# Everything the solvers accumulate (residuals, coefficients, dot products)
# is float64; X may be float32 or float64.  For float64 X we call BLAS through
# scipy.linalg.cython_blas; for float32 X there is no mixed-precision BLAS, so
# we use short loops with four accumulators (independent chains let the CPU
# pipeline the adds, which a single running sum cannot).

from scipy.linalg.cython_blas cimport ddot, daxpy

ctypedef fused floating:
    float
    double


cdef inline double dot(int n, const floating* x, const double* y) noexcept nogil:
    """Return sum_i x[i] * y[i], accumulated in float64."""
    cdef int i, one = 1
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    if floating is double:
        return ddot(&n, <double*> x, &one, <double*> y, &one)
    for i in range(0, n - 3, 4):
        s0 += x[i] * y[i]
        s1 += x[i + 1] * y[i + 1]
        s2 += x[i + 2] * y[i + 2]
        s3 += x[i + 3] * y[i + 3]
    for i in range(n - n % 4, n):
        s0 += x[i] * y[i]
    return (s0 + s1) + (s2 + s3)


cdef inline double dot3(int n, const floating* x, const double* y,
                        const double* z) noexcept nogil:
    """Return sum_i x[i] * y[i] * z[i] (a weighted dot product)."""
    cdef int i
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    for i in range(0, n - 3, 4):
        s0 += x[i] * y[i] * z[i]
        s1 += x[i + 1] * y[i + 1] * z[i + 1]
        s2 += x[i + 2] * y[i + 2] * z[i + 2]
        s3 += x[i + 3] * y[i + 3] * z[i + 3]
    for i in range(n - n % 4, n):
        s0 += x[i] * y[i] * z[i]
    return (s0 + s1) + (s2 + s3)


cdef inline void axpy(int n, double a, const floating* x, double* y) noexcept nogil:
    """y += a * x."""
    cdef int i, one = 1
    if floating is double:
        daxpy(&n, &a, <double*> x, &one, y, &one)
        return
    for i in range(n):
        y[i] += a * x[i]
