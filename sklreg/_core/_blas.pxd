# Level-1 vector kernels used by the solvers, picked by the dtype of X.
#
# Everything the solvers accumulate (residuals, coefficients, dot products)
# is float64; X may be float32 or float64.  For float64 X, dot and axpy call
# BLAS through scipy.linalg.cython_blas.  Mixed float32 x float64 products and
# the weighted dot have no BLAS routine: they are the vectorised C loops of
# _vec.h.

from scipy.linalg.cython_blas cimport ddot, daxpy, sdot, saxpy

ctypedef fused floating:
    float
    double

cdef extern from "_vec.h" nogil:
    double sklreg_dot_f32(int n, const float* x, const double* y)
    double sklreg_dot3_f32(int n, const float* x, const double* y, const double* z)
    void sklreg_axpy_f32(int n, double a, const float* x, double* y)
    double sklreg_dot3_f64(int n, const double* x, const double* y, const double* z)
    void sklreg_moments_f32(int n, const float* x, const double* y, const double* s,
                            double* out)
    void sklreg_moments_f64(int n, const double* x, const double* y, const double* s,
                            double* out)
    double sklreg_cdot_f32(int n, const float* x, double mu, const double* v,
                           const double* s)
    double sklreg_cdot_f64(int n, const double* x, double mu, const double* v,
                           const double* s)
    void sklreg_caxpy_f32(int n, double a, const float* x, double mu, double* v)
    void sklreg_caxpy_f64(int n, double a, const double* x, double mu, double* v)


cdef inline double dot(int n, const floating* x, const double* y) noexcept nogil:
    """Return sum_i x[i] * y[i], accumulated in float64."""
    cdef int one = 1
    if floating is double:
        return ddot(&n, <double*> x, &one, <double*> y, &one)
    else:
        return sklreg_dot_f32(n, x, y)


cdef inline double dot3(int n, const floating* x, const double* y,
                        const double* z) noexcept nogil:
    """Return sum_i x[i] * y[i] * z[i] (a weighted dot product)."""
    if floating is double:
        return sklreg_dot3_f64(n, x, y, z)
    else:
        return sklreg_dot3_f32(n, x, y, z)


cdef inline void axpy(int n, double a, const floating* x, double* y) noexcept nogil:
    """y += a * x."""
    cdef int one = 1
    if floating is double:
        daxpy(&n, &a, <double*> x, &one, y, &one)
    else:
        sklreg_axpy_f32(n, a, x, y)


cdef inline void moments(int n, const floating* x, const double* y,
                         const double* s, double* out) noexcept nogil:
    """out = sum_i s[i] x[i], sum_i s[i] x[i]**2, sum_i s[i] x[i] y[i] (s NULL: 1)."""
    if floating is double:
        sklreg_moments_f64(n, x, y, s, out)
    else:
        sklreg_moments_f32(n, x, y, s, out)


cdef inline double centred_dot(int n, const floating* x, double mu, const double* v,
                               const double* s) noexcept nogil:
    """Return sum_i s[i] (x[i] - mu) v[i] (s NULL: 1), centred element by element."""
    if floating is double:
        return sklreg_cdot_f64(n, x, mu, v, s)
    else:
        return sklreg_cdot_f32(n, x, mu, v, s)


cdef inline void centred_axpy(int n, double a, const floating* x, double mu,
                              double* v) noexcept nogil:
    """v += a * (x - mu), centred element by element."""
    if floating is double:
        sklreg_caxpy_f64(n, a, x, mu, v)
    else:
        sklreg_caxpy_f32(n, a, x, mu, v)


# float32 throughout (products and sums): float32 X against a float32
# residual, in passes whose stopping gap the caller recomputes in float64
cdef inline float sdot32(int n, const float* x, const float* y) noexcept nogil:
    """Return sum_i x[i] * y[i] in float32."""
    cdef int one = 1
    return sdot(&n, <float*> x, &one, <float*> y, &one)


cdef inline void saxpy32(int n, float a, const float* x, float* y) noexcept nogil:
    """y += a * x in float32."""
    cdef int one = 1
    saxpy(&n, &a, <float*> x, &one, y, &one)
