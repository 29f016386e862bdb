/* Mixed-precision vector loops: float32 or float64 x against float64 vectors,
 * accumulated in float64.  BLAS has no such routines; written in C so the
 * reductions can be vectorised (`omp simd`, enabled by -fopenmp-simd, needs
 * no OpenMP runtime) and, on x86-64 with GCC, cloned for AVX2 and picked at
 * load time by the CPU. */
#ifndef SKLREG_VEC_H
#define SKLREG_VEC_H

#include <math.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SKLREG_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SKLREG_CLONES
#endif

SKLREG_CLONES static double sklreg_dot_f32(int n, const float* x,
                                          const double* y) {
    double acc = 0.0;
    _Pragma("omp simd reduction(+:acc)")
    for (int i = 0; i < n; i++) acc += (double)x[i] * y[i];
    return acc;
}

SKLREG_CLONES static void sklreg_axpy_f32(int n, double a, const float* x,
                                        double* y) {
    _Pragma("omp simd")
    for (int i = 0; i < n; i++) y[i] += a * (double)x[i];
}

/* the weighted dot, for both dtypes (BLAS has no three-vector product) */
#define SKLREG_DOT3(T, SUFFIX)                                                \
SKLREG_CLONES static double sklreg_dot3_##SUFFIX(int n, const T* x,           \
                                                 const double* y,             \
                                                 const double* z) {           \
    double acc = 0.0;                                                         \
    _Pragma("omp simd reduction(+:acc)")                                      \
    for (int i = 0; i < n; i++) acc += (double)x[i] * y[i] * z[i];            \
    return acc;                                                               \
}

SKLREG_DOT3(float, f32)
SKLREG_DOT3(double, f64)

/* sum_i s_i x_i, sum_i s_i x_i**2 and sum_i s_i x_i y_i in one pass; s may
 * be NULL (unit weights).  Three independent sums also run about three times
 * faster than one: a single sum waits on its own additions. */
#define SKLREG_MOMENTS(T, SUFFIX)                                             \
SKLREG_CLONES static void sklreg_moments_##SUFFIX(int n, const T* x,          \
                                                  const double* y,            \
                                                  const double* s,            \
                                                  double* out) {              \
    double sum = 0.0, sq = 0.0, xy = 0.0;                                     \
    if (s == NULL) {                                                          \
        _Pragma("omp simd reduction(+:sum,sq,xy)")                            \
        for (int i = 0; i < n; i++) {                                         \
            double xi = (double)x[i];                                         \
            sum += xi; sq += xi * xi; xy += xi * y[i];                        \
        }                                                                     \
    } else {                                                                  \
        _Pragma("omp simd reduction(+:sum,sq,xy)")                            \
        for (int i = 0; i < n; i++) {                                         \
            double xi = (double)x[i], sxi = s[i] * xi;                        \
            sum += sxi; sq += sxi * xi; xy += sxi * y[i];                     \
        }                                                                     \
    }                                                                         \
    out[0] = sum; out[1] = sq; out[2] = xy;                                   \
}

SKLREG_MOMENTS(float, f32)
SKLREG_MOMENTS(double, f64)

/* A column centred on the fly, x - mu element by element: for a column whose
 * mean dominates its spread, x . v - mu sum(v) (and the residual update
 * r += a x, offset += a mu) cancel catastrophically -- at a mean of 1e8 the
 * result is all rounding error -- while each x_i - mu is exact. */
#define SKLREG_CENTRED(T, SUFFIX)                                             \
SKLREG_CLONES static double sklreg_cdot_##SUFFIX(int n, const T* x, double mu, \
                                                 const double* v,             \
                                                 const double* s) {           \
    double acc = 0.0;                                                         \
    if (s == NULL) {                                                          \
        _Pragma("omp simd reduction(+:acc)")                                  \
        for (int i = 0; i < n; i++) acc += ((double)x[i] - mu) * v[i];        \
    } else {                                                                  \
        _Pragma("omp simd reduction(+:acc)")                                  \
        for (int i = 0; i < n; i++) acc += ((double)x[i] - mu) * v[i] * s[i]; \
    }                                                                         \
    return acc;                                                               \
}                                                                             \
SKLREG_CLONES static void sklreg_caxpy_##SUFFIX(int n, double a, const T* x,  \
                                                double mu, double* v) {       \
    _Pragma("omp simd")                                                       \
    for (int i = 0; i < n; i++) v[i] += a * ((double)x[i] - mu);              \
}

SKLREG_CENTRED(float, f32)
SKLREG_CENTRED(double, f64)

/* GCC keeps a comparison that may raise an FP exception (NaN) as a branch
 * unless told no trap is observed: the loops below then stay scalar (20x
 * slower).  No result changes: only speculation is allowed. */
#if defined(__GNUC__) && !defined(__clang__)
#define SKLREG_NO_TRAPS __attribute__((optimize("no-trapping-math")))
#else
#define SKLREG_NO_TRAPS
#endif

/* scikit-learn's Huber function (twice the textbook one), the one home of
 * its formula: H(z) = z**2 for |z| <= eps, eps (2 |z| - eps) beyond, both
 * c (2 |z| - c) with c = min(|z|, eps) (no eps**2 to overflow from eps ~
 * 1e154, no branch: inlined into the scan below, they vectorise), and its
 * derivative psi(z) = 2 c sign(z).  At scale sigma the loss of a residual r
 * is sigma H(r / sigma), its derivative psi(r / sigma). */
SKLREG_NO_TRAPS static inline double sklreg_huber(double z, double eps) {
    double a = fabs(z), c = a < eps ? a : eps;
    return c * (2.0 * a - c);
}

SKLREG_NO_TRAPS static inline double sklreg_huber_psi(double z, double eps) {
    double a = fabs(z), c = a < eps ? a : eps;
    return 2.0 * copysign(c, z);
}

/* One pass of the Huber datafit over the residuals r at scale sigma (see
 * Huber.scan in _losses.pyx), branch-free so that it vectorises: which side
 * a residual falls on is random, a branching loop mispredicts it (the old
 * Cython loop took 75-85 us on 16000 fresh residuals, this one 8-11).
 * out = weight inside, sum of s z**2 inside, weight outside, sum of s H(z),
 * largest |r| inside, smallest outside; with FILL also theta and
 * weight, and sum theta**2 / s, max and min of theta / s (s > 0) in
 * out[6:9]. */
#define SKLREG_HUBER_SCAN(SUFFIX, WEIGHTED, FILL)                             \
SKLREG_CLONES SKLREG_NO_TRAPS static void sklreg_huber_scan_##SUFFIX(          \
        int n, const double* r, const double* s, double sigma, double eps,   \
        double* theta, double* weight, double* out) {                        \
    double t = eps * sigma, inv = 1.0 / sigma, inf = INFINITY;                \
    double s_in = 0.0, q_in = 0.0, s_out = 0.0, h = 0.0;                      \
    double top_in = 0.0, low_out = inf, t_max = -inf, t_min = inf;            \
    _Pragma("omp simd reduction(+:s_in,q_in,s_out,h) reduction(max:top_in,t_max) reduction(min:low_out,t_min)") \
    for (int i = 0; i < n; i++) {                                             \
        double ri = r[i], a = fabs(ri), z = ri * inv, az = a * inv;           \
        double si = WEIGHTED ? s[i] : 1.0;                                    \
        int in = a <= t;                                                      \
        double w_in = in ? si : 0.0, w_out = si - w_in;                       \
        double a_in = in ? a : 0.0, a_outside = in ? inf : a;                 \
        s_in += w_in;                                                         \
        q_in += w_in * z * z;                                                 \
        s_out += w_out;                                                       \
        h += si * sklreg_huber(az, eps);                                      \
        top_in = top_in > a_in ? top_in : a_in;                               \
        low_out = low_out < a_outside ? low_out : a_outside;                  \
        if (FILL) {                                                           \
            double ratio = sklreg_huber_psi(z, eps);                          \
            double hi = si > 0.0 ? ratio : -inf, lo = si > 0.0 ? ratio : inf; \
            theta[i] = si * ratio;                                            \
            weight[i] = in ? si : si * t / a;                                 \
            t_max = t_max > hi ? t_max : hi;                                  \
            t_min = t_min < lo ? t_min : lo;                                  \
        }                                                                     \
    }                                                                         \
    out[0] = s_in; out[1] = q_in; out[2] = s_out; out[3] = h;                 \
    out[4] = top_in; out[5] = low_out;                                        \
    /* (no outliers: eps**2 may overflow, 0 * inf would be NaN) */          \
    out[6] = 4.0 * (q_in + (s_out > 0.0 ? eps * eps * s_out : 0.0));          \
    out[7] = t_max; out[8] = t_min;                                           \
}

SKLREG_HUBER_SCAN(unit, 0, 0)
SKLREG_HUBER_SCAN(weighted, 1, 0)
SKLREG_HUBER_SCAN(unit_fill, 0, 1)
SKLREG_HUBER_SCAN(weighted_fill, 1, 1)

#endif
