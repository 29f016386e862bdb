/* Mixed-precision vector loops: float32 or float64 x against float64 vectors,
 * accumulated in float64.  BLAS has no such routines; written in C so the
 * reductions can be vectorised (`omp simd`, enabled by -fopenmp-simd, needs
 * no OpenMP runtime) and, on x86-64 with GCC, cloned for AVX2 and picked at
 * load time by the CPU. */
#ifndef SKLREG_VEC_H
#define SKLREG_VEC_H

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

#endif
