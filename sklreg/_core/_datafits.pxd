# Datafits: the state of a fit's residual and what the kernels ask of it.
# The kernels (_cd.pyx, _prox_grad.pyx) are typed on the fused type Datafit,
# compiled once per datafit: a datafit is a final cdef class, its calls
# direct and nogil.  A datafit provides
#   lipschitz[j]                the coordinate's Lipschitz constant (its step)
#   grad(j)                     minus the datafit's partial derivative in w_j
#   step(j, delta)              move w_j, keeping the residual in step
#                               (move_to, below, moves several)
#   value()                     the datafit at the current residual
#   primal, gap                 the objective and the duality gap (its dual
#                               point and conjugate) restricted to coordinates
#   intercept_step()            move an intercept that is not eliminated (once a pass)
#   sync()                      after the residual r was written directly
# The normal-equation kernel (cd_gram_epochs) and screening are least
# squares' only.
cimport cython

from sklreg._core._design cimport OnDesign
from sklreg._core._huber_datafit cimport HuberFixedScale
from sklreg._core._penalties cimport Penalty


@cython.final
cdef class LeastSquares(OnDesign):
    cdef double[::1] y_c          # y minus its weighted mean (if intercept)
    cdef double[::1] s            # sample weights; empty when unit
    cdef double[::1] r            # residual is r + offset
    cdef readonly double offset, intercept, n_w, primal_at_zero, y_mean
    cdef readonly Py_ssize_t updates      # steps since r was last computed from w
    cdef readonly double gap_resolution   # rounding error bound of the last gap
    cdef double last_datafit              # the datafit's value at that gap
    cdef readonly double rounding_floor   # P(0) of residuals at y's rounding level
    cdef readonly double[::1] mu          # weighted column means (0 if no intercept)
    # mu split by how each column is centred: element by element, in every
    # product (mu_centred: the columns whose mean dominates their spread), or
    # through the residual's scalar offset (mu_offset: all others); each is
    # mu where its way applies and 0 elsewhere
    cdef readonly double[::1] mu_centred
    cdef double[::1] mu_offset
    cdef readonly double[::1] lipschitz   # |x_j - mu_j|^2_s / n_w
    cdef double[::1] v_shifted            # the gap's gradient moved within its rounding
    cdef readonly bint finite_norms       # every column's squared norm is finite
    cdef readonly object start_gradient   # v at w = 0, when w started there
    cdef bint fit_intercept
    # float32 passes (``enter_single``): the residual r32 + offset, in float32
    cdef float[::1] r32
    cdef readonly bint single            # the kernels' passes use r32 now
    cdef readonly bint single_capable    # float32 X, unit weights, none centred

    cdef void fold(self) noexcept nogil
    cdef void enter_single(self) noexcept nogil
    cdef void leave_single(self, const double[::1] w) noexcept nogil
    cdef void _recompute(self, const double[::1] w) noexcept nogil
    cdef double value(self) noexcept nogil
    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil
    cdef double _gap_terms(self, Penalty penalty, const double[::1] w,
                           const int[::1] coords, const double[::1] v, double kappa,
                           double datafit) noexcept nogil
    cdef double primal(self, Penalty penalty, const double[::1] w,
                       const int[::1] coords) noexcept nogil

    cdef inline const double* _s(self) noexcept nogil:
        return NULL if self.s.shape[0] == 0 else &self.s[0]

    cdef inline double grad(self, Py_ssize_t j) noexcept nogil:
        """Minus the partial derivative of the datafit in w_j."""
        if self.single:
            return (self.X.col_dot32(j, &self.r32[0]) / self.n_w
                    + self.offset * self.mu_offset[j])
        return (self.X.col_centred_dot(j, self.mu_centred[j], &self.r[0], self._s())
                + self.offset * self.n_w * self.mu_offset[j]) / self.n_w

    cdef inline void step(self, Py_ssize_t j, double delta) noexcept nogil:
        """Move w_j by delta: residual -= delta * (x_j - mu_j)."""
        if self.single:
            self.X.col_axpy32(j, <float> -delta, &self.r32[0])
        else:
            self.X.col_centred_axpy(j, -delta, self.mu_centred[j], &self.r[0])
        self.offset += delta * self.mu_offset[j]
        self.intercept -= delta * self.mu[j]
        self.updates += 1

    cdef inline void intercept_step(self) noexcept nogil:
        pass        # the intercept is eliminated: ybar - mu . w

    cdef inline void sync(self) noexcept nogil:
        pass        # nothing is derived from r


ctypedef fused Datafit:
    LeastSquares
    HuberFixedScale


cdef inline void move_to(Datafit f, double[::1] w, const int[::1] ws,
                         const double[::1] target) noexcept nogil:
    """Set w[ws] = target, keeping f's residual in step."""
    cdef Py_ssize_t k, j
    for k in range(ws.shape[0]):
        j = ws[k]
        if target[k] != w[j]:
            f.step(j, target[k] - w[j])
            w[j] = target[k]
