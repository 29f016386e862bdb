# Column loops of Design (included in _design.pyx), one per operation,
# compiled for float32 and float64 X (the fused type ``floating``): a dense
# column's contiguous values go to the vectorised kernels of _blas.pxd and
# _vec.h; a sparse column's stored entries, at their rows, are looped here,
# and so is a column centred on the fly (over every row).


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


cdef inline double _centred_dot_sparse(const floating* col, const int* rows,
                                       Py_ssize_t nnz, Py_ssize_t n, double mu,
                                       const double* v, const double* s) noexcept nogil:
    # stored rows contribute (x - mu) v, the rows between them -mu v
    cdef Py_ssize_t k, i, start = 0, stop
    cdef double acc = 0.0, between = 0.0
    for k in range(nnz + 1):
        stop = rows[k] if k < nnz else n
        for i in range(start, stop):
            between += v[i] if s == NULL else s[i] * v[i]
        if k < nnz:
            acc += (col[k] - mu) * v[stop] * (1.0 if s == NULL else s[stop])
        start = stop + 1
    return acc - mu * between


cdef inline void _centred_axpy_sparse(const floating* col, const int* rows,
                                      Py_ssize_t nnz, Py_ssize_t n, double a, double mu,
                                      double* v) noexcept nogil:
    cdef Py_ssize_t k, i, start = 0, stop
    for k in range(nnz + 1):
        stop = rows[k] if k < nnz else n
        for i in range(start, stop):
            v[i] -= a * mu
        if k < nnz:
            v[stop] += a * (col[k] - mu)
        start = stop + 1


cdef inline void _spread(const floating* col, const int* rows, bint sparse,
                         Py_ssize_t nnz, Py_ssize_t n, double mu, const double* v,
                         const double* s, double* out) noexcept nogil:
    # over every row i (x_i = 0 between stored rows of a sparse column), with
    # d = x_i - mu: sum s d, sum s d**2, sum s d v, and whether x takes one
    # value on every positively weighted row (then the column is constant)
    cdef Py_ssize_t k = 0, i
    cdef double x, d, si, first = 0.0
    cdef bint seen = False, varies = False
    out[0] = out[1] = out[2] = 0.0
    for i in range(n):
        if not sparse:
            x = col[i]
        elif k < nnz and rows[k] == i:
            x = col[k]
            k += 1
        else:
            x = 0.0
        si = 1.0 if s == NULL else s[i]
        if si > 0.0:
            if not seen:
                first, seen = x, True
            elif x != first:
                varies = True
        d = x - mu
        out[0] += si * d
        out[1] += si * d * d
        out[2] += si * d * v[i]
    out[3] = 0.0 if varies else 1.0
