/* A sparse column against the row-major residual Rc (n, T) of the multi-task
 * kernel: each stored entry reads or writes its row's T tasks, contiguous,
 * as one vector loop (cloned for AVX2 as in _vec.h). */
#ifndef SKLREG_MULTITASK_ROWS_H
#define SKLREG_MULTITASK_ROWS_H

#include "_vec.h"

/* u += sum_k s[rows_k] x_k Rc[rows_k, :] (s may be NULL) */
#define SKLREG_MT_TIMES(T_, SUFFIX)                                           \
SKLREG_CLONES static void sklreg_mt_times_##SUFFIX(                           \
        int nnz, const T_* x, const int* rows, const double* s,               \
        const double* Rc, int T, double* u) {                                 \
    for (int k = 0; k < nnz; k++) {                                           \
        const double a = s == NULL ? (double)x[k] : s[rows[k]] * x[k];        \
        const double* r = Rc + (long)rows[k] * T;                             \
        _Pragma("omp simd")                                                   \
        for (int t = 0; t < T; t++) u[t] += a * r[t];                         \
    }                                                                         \
}

/* Rc[rows_k, :] -= x_k delta */
#define SKLREG_MT_UPDATE(T_, SUFFIX)                                          \
SKLREG_CLONES static void sklreg_mt_update_##SUFFIX(                          \
        int nnz, const T_* x, const int* rows, const double* delta,           \
        double* Rc, int T) {                                                  \
    for (int k = 0; k < nnz; k++) {                                           \
        const double a = (double)x[k];                                        \
        double* r = Rc + (long)rows[k] * T;                                   \
        _Pragma("omp simd")                                                   \
        for (int t = 0; t < T; t++) r[t] -= a * delta[t];                     \
    }                                                                         \
}

SKLREG_MT_TIMES(float, f32)
SKLREG_MT_TIMES(double, f64)
SKLREG_MT_UPDATE(float, f32)
SKLREG_MT_UPDATE(double, f64)

#endif
