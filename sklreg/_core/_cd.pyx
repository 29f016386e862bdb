"""Coordinate descent for penalised weighted least squares.

Problem (the intercept b is never penalised)::

    min_{w, b}  1/(2 n_w) sum_i s_i (y_i - x_i . w - b)**2 + sum_j Omega_j(w_j)

How the intercept is handled
----------------------------
At any w the best intercept is ``b = ybar - mu . w`` with ``mu`` the weighted
column means, so b is eliminated: every coordinate step moves along the
centred column ``x_j - mu_j``.  Centring X would cost a copy (dense) or an
O(n) loop per update (sparse), so the residual is stored as ``r + offset``:
a vector ``r`` updated only where column j is non-zero, and a scalar
``offset`` that carries the ``+ delta * mu_j`` part.  Because the weighted
residual sums to zero, the centred gradient needs no extra pass::

    (x_j - mu_j) . (s * (r + offset)) = x_j . (s * r) + offset * n_w * mu_j

That identity subtracts two terms of size ``mu_j * |x_j|``: harmless while
the mean is of the order of the column's spread, but a column whose mean
dominates it (a timestamp: mean 1e9, spread 1e6) would lose every digit.
Such a column (``|mean| > 4 std``; nearly dense when X is sparse) is centred
element by element instead, in its dot products and in its residual
updates (``Design.col_centred_dot/axpy``, O(n) -- no more than its stored
entries when nearly dense), and its spread is computed from a second,
centred pass.  Nothing cancels: the errors stay at the rounding of X's own
entries.

The offset is folded into r (one O(n) pass) only when the duality gap is
computed; r is then also re-centred, which removes the rounding drift of
its sum.  Before a gap certifies a fit, r is recomputed from w
(``refresh``): the certificate is then about w itself, not about a residual
that rounding moved away from it.
"""
import numpy as np

from libc.math cimport fabs, hypot, sqrt, isnan, isfinite, INFINITY

from sklreg._core._design cimport Design
from sklreg._core._losses cimport Quadratic
from sklreg._core._penalties cimport Penalty
from sklreg._core._signals cimport check_signals, handles_signals, remember_main_thread

remember_main_thread()

FEW_COLUMNS = 8   # cross products with up to this many columns: no gather
# a column whose squared mean exceeds this many times its variance (|mean| >
# 4 std) is centred element by element: through the offset, its products
# lose about this factor times the rounding of its mean's square
cdef double DOMINANT_MEAN = 16.0
# a gap's rounding error, in float64 epsilons of the magnitudes it is made of
cdef double GAP_ROUNDING = 8 * 2.220446049250313e-16
# passes over the working set's non-zero coordinates only, between two over
# all of it (glmnet's active-set cycling): the zeros of a working set at the
# rank bound cost a dot product each per pass and mostly stay zero
cdef int ACTIVE_PASSES = 2
# iterates an extrapolation combines, after one more pass: most inner solves
# stop at their check after 5 passes, and a memory of 5 never filled there
cdef int ANDERSON_MEMORY = 4


cdef class LeastSquares:
    """The residual of a weighted least-squares fit bound to X, y and s.

    Parameters
    ----------
    X : Design
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    w : ndarray of shape (n_features,), float64 -- the starting coefficients
    fit_intercept : bool
    """
    # attributes are declared in _cd.pxd (so other kernels can cimport it)

    def __init__(self, Design X, y, sample_weight, w, bint fit_intercept):
        cdef Py_ssize_t j, n = X.n_samples, p = X.n_features
        self.X = X
        self.loss = Quadratic()
        self.fit_intercept = fit_intercept
        y = np.asarray(y, dtype=np.float64)
        if sample_weight is None:
            self.s = np.empty(0)
            self.n_w = n
            y_mean = y.mean() if fit_intercept else 0.0
        else:
            self.s = np.ascontiguousarray(sample_weight, dtype=np.float64)
            self.n_w = self.s.base.sum()
            y_mean = np.dot(sample_weight, y) / self.n_w if fit_intercept else 0.0
        self.y_c = y - y_mean
        self.primal_at_zero = self.loss.value(&self.y_c[0], self._s(), n, self.n_w)
        # the objective of residuals of 4 eps max|y|, the noise level of y
        self.rounding_floor = 0.5 * (4 * np.finfo(np.float64).eps
                                     * np.max(np.abs(y), initial=0.0)) ** 2

        cdef const double* s = self._s()
        mu = np.zeros(p)
        lip = np.zeros(p)
        cdef const double[::1] w0 = np.ascontiguousarray(w, dtype=np.float64)
        cdef bint cold = not np.any(w0)     # warm starts (Huber's inner fits) skip it
        start_gradient = np.empty(p) if cold else None
        self.mu = mu
        self.mu_centred = np.zeros(p)
        self.mu_offset = np.zeros(p)
        self.lipschitz = lip
        cdef double[::1] v0 = start_gradient
        cdef double spread, mean
        cdef double[4] m      # the column's sum, squared norm and dot with y_c
        cdef bint finite = True
        with nogil:
            for j in range(p):
                # one read of the column for all three; the dot is the
                # gradient at w = 0, so the first gap of a cold start reads X
                # no more (the centring term vanishes, y_c sums to zero)
                self.X.col_moments(j, &self.y_c[0], s, m)
                # NaN or inf in the column makes it NaN or inf: X's values
                # are checked here instead of in a pass of their own
                if not isfinite(m[1]):
                    finite = False
                mean = m[0] / self.n_w if fit_intercept else 0.0
                spread = m[1] - self.n_w * mean * mean
                if mean != 0.0 and mean * mean * self.n_w > DOMINANT_MEAN * spread:
                    # sum x^2 - n mean^2 cancels (at a mean of 1e8 it is all
                    # rounding): a second, centred pass, with the mean
                    # corrected by the centred sum (Chan, Golub & LeVeque),
                    # and the column centred element by element from now on
                    self.X.col_spread(j, mean, &self.y_c[0], s, m)
                    spread = 0.0 if m[3] else m[1] - m[0] * m[0] / self.n_w
                    mean = mean + m[0] / self.n_w
                    self.mu_centred[j] = mean
                else:
                    self.mu_offset[j] = mean
                self.mu[j] = mean
                if cold:
                    v0[j] = m[2] / self.n_w
                self.lipschitz[j] = max(spread, 0.0) / self.n_w
        self.r = np.array(self.y_c, copy=True)
        self.offset = 0.0
        self.y_mean = y_mean
        self.intercept = y_mean
        with nogil:
            for j in range(p):
                if w0[j] != 0.0:
                    self.step(j, w0[j])
        self.start_gradient = start_gradient
        self.v_shifted = np.zeros(p)
        self.finite_norms = finite
        self.updates = 0

    # _s, grad and step are inline, defined in _cd.pxd

    cdef void fold(self) noexcept nogil:
        """Fold the offset into r and, with an intercept, re-centre r.

        In exact arithmetic the weighted residual sums to zero; the rounding
        of every update drifts its sum, and the gap then has a floor that
        coordinate descent cannot lower (1e-9 P(0) after 10^5 passes on a
        20 x 300 sparse problem: the solve stalled at its restricted
        optimum).  Removing the drift costs one more pass over n, when
        anything moved (the offset is then not zero).
        """
        cdef Py_ssize_t i, n = self.r.shape[0]
        cdef const double* s = self._s()
        cdef double shift = self.offset, total = 0.0
        if shift == 0.0:       # nothing moved since the last fold
            return
        if self.fit_intercept:
            # r + offset, centred, is r centred: the offset drops out
            for i in range(n):
                total += self.r[i] if s == NULL else s[i] * self.r[i]
            shift = -total / self.n_w
        if shift != 0.0:
            for i in range(n):
                self.r[i] += shift
        self.offset = 0.0

    def refresh(self, w):
        """Recompute the residual from w, ``y_c - sum_j w_j (x_j - mu_j)``,
        and the intercept, ``ybar - mu . w``: what the rounding of many
        updates moved them by is gone (one pass over w's columns)."""
        cdef const double[::1] w_ = np.ascontiguousarray(w, dtype=np.float64)
        cdef Py_ssize_t j
        cdef double b = self.y_mean
        with nogil:
            self.r[:] = self.y_c
            self.offset = 0.0
            for j in range(w_.shape[0]):
                if w_[j] != 0.0:
                    self.X.col_centred_axpy(j, -w_[j], self.mu_centred[j], &self.r[0])
                    self.offset += w_[j] * self.mu_offset[j]
                    b -= w_[j] * self.mu[j]
            self.fold()
            self.intercept = b
            self.updates = 0

    cdef double gap(self, Penalty penalty, const double[::1] w,
                    const int[::1] coords, double[::1] v,
                    double* primal) noexcept nogil:
        """Duality gap of the problem restricted to ``coords``.

        w must be zero outside ``coords``.  Fills v[j] = grad(j) for j in
        coords.  The dual point is the residual scaled by the largest kappa
        that keeps it feasible for every coordinate in ``coords``.
        """
        cdef Py_ssize_t k
        self.fold()
        for k in range(coords.shape[0]):
            v[coords[k]] = self.grad(coords[k])
        return self.gap_given(penalty, w, coords, v, primal)

    cdef double gap_given(self, Penalty penalty, const double[::1] w,
                          const int[::1] coords, const double[::1] v,
                          double* primal) noexcept nogil:
        """``gap`` with v[coords] already the gradient at w: O(n + |coords|).

        With the dual point theta = kappa * s * r / n_w, P(w) - D(theta) is
        written as a sum of non-negative terms, none of them a difference of
        two O(P(0)) quantities (``r . y_c = |r|^2 + n_w v . w`` since r = y_c
        - Xc w)::

            (1 - kappa)^2 |r|_s^2 / (2 n_w)
            + sum_j [Omega_j(w_j) + Omega_j^*(kappa v_j) - kappa v_j w_j]

        so its rounding is relative to the gap itself, not to P(0): a gap of
        1e-20 P(0) is as meaningful as one of 1e-4 P(0).
        """
        cdef Py_ssize_t k, j, n = self.r.shape[0]
        cdef double kappa = 1.0, penalty_value, datafit, gap, scale = 0.0
        self.fold()
        penalty_value = penalty.dual_terms(coords, w, v, &kappa)
        datafit = self.loss.value(&self.r[0], self._s(), n, self.n_w)
        primal[0] = datafit + penalty_value
        gap = self._gap_terms(penalty, w, coords, v, kappa, datafit)
        # what rounding can leave in it: each term's own (a few ulps of the
        # primal's parts) and each gradient entry's, a dot product over n of
        # |x_j - mu_j| |r| (errors growing as sqrt(n)) times |w_j|
        for k in range(coords.shape[0]):
            j = coords[k]
            if w[j] != 0.0:
                scale += fabs(w[j]) * sqrt(self.lipschitz[j])
        self.gap_resolution = GAP_ROUNDING * (
            datafit + penalty_value
            + sqrt(2.0 * datafit * n) * scale)
        self.last_datafit = datafit
        return gap

    cdef double rounded_gap(self, Penalty penalty, const double[::1] w,
                            const int[::1] coords, const double[::1] v,
                            double gap) noexcept nogil:
        """The last gap_given's ``gap`` (at this w and v), up to the
        rounding of v.

        Each v_j is known only to within its rounding delta_j: the dot
        product's, and that of r (recomputed from w, r carries ~eps of y_c
        and of every x_k w_k; a column centred element by element carries
        2 eps of x_k - mu_k, whatever its mean), independent errors whose
        sum over n rows grows as sqrt(n) (a worst-case bound, n times
        that, stopped scikit-learn's alpha = 0 test short of its residual
        of 1e-19).  Where a penalty weight is
        below delta_j (alpha = 1e-300, or X scaled by 1e150) the gap is
        that noise: an L1 part scales the dual point by alpha / |v| ~ 0,
        an L2 part adds (v / l2)**2 ~ 1e270, at the optimum as anywhere.
        Where the subgradient v_j must reach is itself below delta_j (the
        penalty is invisible to float64 there), the gap with v_j moved by
        at most delta_j towards it is as consistent with the data, and is
        returned when lower: it reads small only where every gradient
        entry is within its rounding of optimality, and is the gap itself
        wherever the penalty is above that noise (moving v there by its
        rounding stopped the Huber majoriser's inner solves short of the
        accuracy its certificate needs).
        O(|coords|): the solvers' certificates, not the kernels' checks.
        """
        cdef Py_ssize_t k, j, n = self.r.shape[0], shifted = 0
        cdef double kappa = 1.0, lowest, delta, near, reach = 0.0
        cdef double datafit = self.last_datafit
        if gap <= self.gap_resolution:
            return gap
        for k in range(coords.shape[0]):
            j = coords[k]
            if w[j] != 0.0:
                reach += fabs(w[j]) * hypot(sqrt(self.lipschitz[j]), self.mu_offset[j])
        # (square roots taken apart: X and y of 1e150 square to 1e300)
        reach = GAP_ROUNDING * (sqrt(2.0 * self.primal_at_zero) + reach) / sqrt(n)
        for k in range(coords.shape[0]):
            j = coords[k]
            self.v_shifted[j] = v[j]
            near = penalty.nearest_subgradient(j, w[j], v[j])
            if near == v[j]:       # a subgradient already (most zero features)
                continue
            delta = sqrt(self.lipschitz[j]) * reach + GAP_ROUNDING * sqrt(
                2.0 * datafit * n) * hypot(sqrt(self.lipschitz[j]), self.mu_offset[j])
            if fabs(near) <= delta:        # a penalty float64 cannot see here
                self.v_shifted[j] += max(-delta, min(delta, near - v[j]))
                shifted += 1
        if shifted == 0:
            return gap
        penalty.dual_terms(coords, w, self.v_shifted, &kappa)
        lowest = self._gap_terms(penalty, w, coords, self.v_shifted, kappa, datafit)
        return min(gap, lowest)

    cdef double _gap_terms(self, Penalty penalty, const double[::1] w,
                           const int[::1] coords, const double[::1] v, double kappa,
                           double datafit) noexcept nogil:
        """The gap's sum of non-negative terms (``gap_given``) at the dual
        point kappa * s * r / n_w, whose gradient is kappa * v."""
        cdef Py_ssize_t k, j, unpenalized
        cdef double terms, scale, kkt = 0.0
        terms = penalty.fenchel_young_sum(coords, w, v, kappa, &unpenalized)
        for k in range(coords.shape[0] if unpenalized else 0):
            j = coords[k]
            if penalty.kkt_only(j, kappa * v[j]) and self.lipschitz[j] > 0.0:
                # No dual point satisfies an unpenalised coordinate's
                # constraint (x_j - mu_j) . theta = 0 by scaling (where a
                # bound closes v's side the dual covers it: kkt_only is
                # False), so its part of the gap, -kappa v_j w_j, gets a KKT
                # term added that makes it non-negative and zero iff v[j] is
                # in its subdifferential: the Fenchel-Young term at the
                # point after an exact step.
                scale = penalty.subdiff_distance(j, w[j], v[j])
                kkt += (kappa * scale * (fabs(w[j]) + scale / self.lipschitz[j])
                        - kappa * v[j] * w[j])
        return (1.0 - kappa) * (1.0 - kappa) * datafit + terms + kkt

    cdef double primal(self, Penalty penalty, const double[::1] w,
                       const int[::1] coords) noexcept nogil:
        """Objective value; w must be zero outside ``coords``."""
        cdef Py_ssize_t k
        cdef double value = 0.0
        self.fold()
        for k in range(coords.shape[0]):
            value += penalty.value(coords[k], w[coords[k]])
        return value + self.loss.value(&self.r[0], self._s(), self.r.shape[0], self.n_w)

    def primal_value(self, Penalty penalty, w):
        """Objective at w (zero outside no set: all coordinates count)."""
        cdef const double[::1] w_ = w
        cdef const int[::1] coords = np.flatnonzero(w).astype(np.intc)
        return self.primal(penalty, w_, coords)

    def full_gap(self, Penalty penalty, w, coords=None, gradient=None):
        """Return (gap, primal, v), v the negative gradient.

        On all coordinates, or on ``coords`` only (w zero elsewhere, v NaN
        there): the gap of the problem restricted to them, which certifies
        the full problem when the others are known to be zero at its
        optimum (screened).  ``gradient``, if given, is v at this very w
        where it is not NaN (from an earlier call: v depends on w, not on
        the penalty); only its NaN entries are computed.  The gap is taken
        up to the rounding of v (``rounded_gap``).
        """
        cdef const double[::1] w_ = w
        every = coords is None
        if every:
            coords = np.arange(self.X.n_features, dtype=np.intc)
        cdef const int[::1] coords_ = coords
        cdef const int[::1] missing = coords
        if gradient is None:
            v = np.full(self.X.n_features, np.nan)
        else:
            v = np.array(gradient, dtype=np.float64)
            # (over every feature, without gathering v[coords]: 4x faster)
            missing = (np.flatnonzero(np.isnan(v)) if every
                       else coords[np.isnan(v[coords])]).astype(np.intc)
        cdef double[::1] v_ = v
        cdef double gap, primal
        cdef Py_ssize_t k
        with nogil:
            self.fold()
            for k in range(missing.shape[0]):
                v_[missing[k]] = self.grad(missing[k])
            gap = self.gap_given(penalty, w_, coords_, v_, &primal)
            gap = self.rounded_gap(penalty, w_, coords_, v_, gap)
        return gap, primal, v

    def gradient(self, coords):
        """Return v[coords], minus the datafit's gradient there."""
        cdef const int[::1] c = np.asarray(coords, dtype=np.intc)
        out = np.empty(c.shape[0])
        cdef double[::1] o = out
        cdef Py_ssize_t k
        with nogil:
            self.fold()
            for k in range(c.shape[0]):
                o[k] = self.grad(c[k])
        return out

    def cross_products(self, rows, cols):
        """Return Xc_rows' diag(s) Xc_cols / n_w, Xc the centred columns.

        Costs a dense n * len(cols) block and one matrix product: used on
        purpose, when a support is known, to solve for it exactly.  Pass the
        same object as ``rows`` and ``cols`` for a symmetric block (half the
        work on dense X).  The columns are centred before the product, so
        nothing cancels: ``x_r . s (x_c - mu_c)`` is the centred product
        because ``s (x_c - mu_c)`` sums to zero.
        """
        import scipy.sparse as sp
        symmetric = rows is cols
        rows, cols = np.asarray(rows), np.asarray(cols)
        s = None if self.s.shape[0] == 0 else self.s.base
        mu = np.asarray(self.mu)
        block = self.X.matrix[:, cols]
        if sp.issparse(block) and cols.size > FEW_COLUMNS:
            return self._sparse_products(rows, cols, block, s)
        B = np.array(block.toarray() if sp.issparse(block) else block, dtype=np.float64,
                     order="F")
        B -= mu[cols]
        if symmetric and not sp.issparse(block):
            # A' A of one array: NumPy calls syrk, half the multiply-adds
            if s is not None:
                B *= np.sqrt(s)[:, None]
            G = B.T @ B
        elif cols.size <= FEW_COLUMNS:
            # one pass over the rows' columns in place beats gathering them
            G = self._column_products(rows.astype(np.intc), B)
        else:
            if s is not None:
                B *= s[:, None]
            G = np.asarray(self.X.matrix[:, rows].T @ B)
        G /= self.n_w
        return G

    def _sparse_products(self, rows, cols, block, s):
        """``cross_products`` of sparse columns, as products of their stored
        entries less the means' outer product; the columns centred element
        by element (their mean dominates: nearly dense) are densified and
        centred first, where that difference would cancel."""
        mu = np.asarray(self.mu)
        scaled = block.astype(np.float64)
        if s is not None:
            scaled = scaled.multiply(s[:, None]).tocsc()
        left = self.X.matrix[:, rows].T
        G = np.asarray((left @ scaled).toarray()) - self.n_w * np.outer(mu[rows], mu[cols])
        centred = np.flatnonzero(np.asarray(self.mu_centred)[cols] != 0)
        if centred.size:
            dense = block[:, centred].toarray().astype(np.float64) - mu[cols[centred]]
            if s is not None:
                dense *= s[:, None]
            G[:, centred] = np.asarray(left @ dense)
        return G / self.n_w

    def _column_products(self, const int[::1] rows, const double[::1, :] block):
        """Return x_r' diag(s) block for r in rows: one pass over the rows'
        columns of X, in place (no gathered copy)."""
        cdef Py_ssize_t a, c, m = block.shape[1]
        out = np.empty((rows.shape[0], m))
        cdef double[:, ::1] o = out
        with nogil:
            for a in range(rows.shape[0]):
                for c in range(m):
                    o[a, c] = self.X.col_dot(rows[a], &block[0, c], self._s())
        return out

    def correlations(self, coords):
        """Return Xc_coords' diag(s) y_c / n_w."""
        s = None if self.s.shape[0] == 0 else self.s.base
        y = np.asarray(self.y_c) if s is None else np.asarray(self.y_c) * s
        return np.asarray(self.X.matrix[:, np.asarray(coords)].T @ y,
                          dtype=np.float64).ravel() / self.n_w

    def normal_equations(self, coords):
        """Return (G, b): the normal equations of the columns ``coords``,
        G = Xc_S' diag(s) Xc_S / n_w and b = Xc_S' diag(s) y_c / n_w."""
        return self.cross_products(coords, coords), self.correlations(coords)

    def residual_moved(self, double[::1] snapshot):
        """Return ||rho - snapshot||_s (rho the residual, s-weighted), and
        store rho in ``snapshot`` (length n_samples).  Bounds how far any
        gradient entry moved: |dv_j| <= sqrt(L_j / n_w) ||d rho||_s."""
        cdef Py_ssize_t i
        cdef const double* s = self._s()
        cdef double d, total = 0.0
        with nogil:
            for i in range(snapshot.shape[0]):
                d = self.r[i] + self.offset - snapshot[i]
                total += d * d if s == NULL else s[i] * d * d
                snapshot[i] += d
        return total ** 0.5

    def move(self, double[::1] w, const int[::1] coords, const double[::1] target):
        """Set w[coords] = target, keeping the residual in step."""
        with nogil:
            _move_to(self, w, coords, target)

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

    @property
    def rank_bound(self):
        """Upper bound on the rank of the centred design: positive-weight
        samples, minus one for the intercept."""
        n = self.r.shape[0] if self.s.shape[0] == 0 else np.count_nonzero(self.s.base)
        return n - int(self.fit_intercept)

    def residual(self):
        """Return y - X w - b as a new array."""
        return np.asarray(self.r) + self.offset


cdef inline unsigned int _rand(unsigned int* state) noexcept nogil:
    # xorshift32: enough to shuffle coordinates reproducibly
    state[0] ^= state[0] << 13
    state[0] ^= state[0] >> 17
    state[0] ^= state[0] << 5
    return state[0]


cdef void _move_to(LeastSquares f, double[::1] w, const int[::1] ws,
                   const double[::1] target) noexcept nogil:
    """Set w[ws] = target, keeping the residual in step."""
    cdef Py_ssize_t k, j
    for k in range(ws.shape[0]):
        j = ws[k]
        if target[k] != w[j]:
            f.step(j, target[k] - w[j])
            w[j] = target[k]


cdef bint _solve_small(double[:, ::1] a, double[::1] b) noexcept nogil:
    """Solve a x = b in place (x in b) by Gaussian elimination with partial
    pivoting; a is tiny (the Anderson memory).  False if a is singular."""
    cdef Py_ssize_t n = b.shape[0], i, k, piv
    cdef double factor, scale = 0.0
    for i in range(n):
        scale = max(scale, fabs(a[i, i]))
    for k in range(n):
        piv = k
        for i in range(k + 1, n):
            if fabs(a[i, k]) > fabs(a[piv, k]):
                piv = i
        if fabs(a[piv, k]) <= 1e-14 * scale:
            return False
        if piv != k:
            for i in range(n):
                a[k, i], a[piv, i] = a[piv, i], a[k, i]
            b[k], b[piv] = b[piv], b[k]
        for i in range(k + 1, n):
            factor = a[i, k] / a[k, k]
            for piv in range(k, n):
                a[i, piv] -= factor * a[k, piv]
            b[i] -= factor * b[k]
    for k in range(n - 1, -1, -1):
        for i in range(k + 1, n):
            b[k] -= a[k, i] * b[i]
        b[k] /= a[k, k]
    return True


cdef class GradientBounds:
    """Upper bounds on |v_j| for the gradient entries a gap need not read.

    Between two gaps v_j moves by at most sqrt(L_j / n_w) ||d rho||_s
    (Cauchy-Schwarz; rho the residual).  A zero feature whose last computed
    |v_j|, plus that drift, stays below its L1 weight neither violates its
    optimality condition nor changes the gap (its dual constraint holds
    with room, whatever v_j is below it), so its column is not read.  A
    path passes one object to every alpha: the residual is where the last
    alpha left it.  (Compiled: its elementwise work, a few passes over p,
    runs at every gap.)
    """
    cdef double[::1] step, value, drift_at, residual, bound
    cdef double drift                    # sum of ||d rho||_s so far
    cdef readonly object skipped         # the columns the last gap did not read

    def __init__(self, LeastSquares datafit):
        p = datafit.lipschitz.shape[0]
        self.step = np.sqrt(np.asarray(datafit.lipschitz) / datafit.n_w)
        self.value = np.full(p, np.inf)  # |v_j| when last read (inf: never)
        self.drift_at = np.zeros(p)      # the drift then
        self.drift = 0.0
        self.bound = np.empty(p)
        self.skipped = np.zeros(p, dtype=bool)
        self.residual = np.zeros(datafit.n_samples)
        datafit.residual_moved(self.residual)

    def skip(self, LeastSquares datafit, const double[::1] w, const double[::1] l1,
             movable, gradient, double loose=1.0):
        """Skip the movable zero features whose bound is below ``l1``.

        Returns the gradient to hand the gap: ``gradient`` (NaN where None)
        with 0 where skipped -- any value below l1 gives the same gap.  With
        ``loose`` < 1, also those whose bound is below ``l1`` with the drift
        scaled by ``loose``: the gap is then an estimate, not a certificate
        (a feature skipped so may violate its condition).
        """
        self.drift += datafit.residual_moved(self.residual)
        out = np.full(w.shape[0], np.nan) if gradient is None else np.array(gradient)
        cdef double[::1] g = out
        cdef const unsigned char[::1] move = movable.view(np.uint8)
        cdef unsigned char[::1] skipped = self.skipped.view(np.uint8)
        cdef Py_ssize_t j, count = 0
        with nogil:
            for j in range(w.shape[0]):
                self.bound[j] = self.value[j] + self.step[j] * (self.drift - self.drift_at[j])
                skipped[j] = move[j] and w[j] == 0.0 and (
                    self.value[j] + loose * (self.bound[j] - self.value[j]) < l1[j])
                if skipped[j]:
                    g[j] = 0.0
                    count += 1
        return out if count else gradient

    def record(self, const double[::1] v):
        """Record the entries the gap read; return an upper bound on |v|:
        |v_j| where read, the bound elsewhere."""
        magnitude = np.empty(v.shape[0])
        cdef double[::1] m = magnitude
        cdef const unsigned char[::1] skipped = self.skipped.view(np.uint8)
        cdef Py_ssize_t j
        with nogil:
            for j in range(v.shape[0]):
                if skipped[j] or isnan(v[j]):
                    m[j] = self.bound[j]
                else:
                    m[j] = fabs(v[j])
                    self.value[j] = m[j]
                    self.drift_at[j] = self.drift
        return magnitude


def gap_safe(Penalty penalty, const double[::1] v, double gap, const double[::1] l1,
             const double[::1] lipschitz, movable, const double[::1] magnitude):
    """Movable features proven zero at the optimum by the Gap Safe sphere
    test (Fercoq, Gramfort & Salmon, 2015; Ndiaye et al., 2017).

    The dual of the quadratic datafit is (1 / n_w)-strongly concave in the
    residual, so the optimal residual lies within sqrt(2 n_w gap) of the
    dual point kappa * r (s-weighted norm), and the optimal gradient of
    feature j within sqrt(2 L_j gap) of kappa * v_j.  If even that bound
    stays below l1_j, w_j = 0 at the optimum (whatever l2_j).  Valid only
    without unpenalised features (their constraint is not met by scaling).
    ``magnitude`` is |v|, or an upper bound on it where v was not read
    (there v holds any value below l1).
    """
    cdef const unsigned char[::1] move = movable.view(np.uint8)
    cdef Py_ssize_t j, count = 0, p = v.shape[0]
    cdef double kappa = 1.0, radius = 2.0 * max(gap, 0.0)
    screened = np.empty(p, dtype=np.intp)
    cdef Py_ssize_t[::1] out = screened
    with nogil:
        for j in range(p):
            if move[j]:
                kappa = min(kappa, penalty.dual_scale(j, v[j]))
        for j in range(p):
            if move[j] and kappa * magnitude[j] + sqrt(radius * lipschitz[j]) < l1[j]:
                out[count] = j
                count += 1
    return screened[:count]


cdef class Anderson:
    """Anderson extrapolation of the coordinate-descent fixed point.

    Keeps the last ``memory + 1`` iterates on the working set; from them,
    the affine combination whose successive differences are smallest
    (``min ||U c||, sum c = 1``) extrapolates where the iterates are heading.
    The candidate stays in the orthant of the last iterate (coefficients it
    would carry across zero are put at zero): while signs are fixed the CD
    map is affine and the extrapolation is good, but a coefficient that is
    leaving the support would be extrapolated to the wrong sign -- without
    this, at alpha_max / 100 every candidate was worse than the iterate.
    The solver keeps the extrapolated point only if it lowers the objective.
    """
    cdef double[:, ::1] iterates, gram
    cdef double[::1] weights, candidate
    cdef Py_ssize_t filled

    def __init__(self, Py_ssize_t size, Py_ssize_t memory):
        self.iterates = np.zeros((memory + 1, size))
        self.gram = np.zeros((memory, memory))
        self.weights = np.zeros(memory)
        self.candidate = np.zeros(size)
        self.filled = 0

    cdef bint push(self, const double[::1] w, const int[::1] ws) noexcept nogil:
        """Record an iterate; True once a full memory is ready."""
        cdef Py_ssize_t k
        for k in range(ws.shape[0]):
            self.iterates[self.filled, k] = w[ws[k]]
        self.filled += 1
        return self.filled == self.iterates.shape[0]

    cdef bint extrapolate(self) noexcept nogil:
        """Fill ``candidate``; False if the differences are degenerate."""
        cdef Py_ssize_t a, b, k, mem = self.gram.shape[0], m = self.candidate.shape[0]
        cdef double acc, total = 0.0
        self.filled = 0
        for a in range(mem):
            for b in range(a, mem):
                acc = 0.0
                for k in range(m):
                    acc += ((self.iterates[a + 1, k] - self.iterates[a, k])
                            * (self.iterates[b + 1, k] - self.iterates[b, k]))
                self.gram[a, b] = acc
                self.gram[b, a] = acc
            self.weights[a] = 1.0
        if not _solve_small(self.gram, self.weights):
            return False
        for a in range(mem):
            total += self.weights[a]
        if total == 0.0:
            return False
        for k in range(m):
            acc = 0.0
            for a in range(mem):
                acc += self.weights[a] * self.iterates[a + 1, k]
            if acc / total * self.iterates[mem, k] > 0.0:
                self.candidate[k] = acc / total
            else:
                self.candidate[k] = 0.0
        return True

    def extrapolated(self, iterates):
        """The candidate from ``iterates`` (memory + 1 rows, oldest first),
        None if degenerate: what the solver gets, for tests."""
        cdef const double[:, ::1] rows = np.ascontiguousarray(iterates, dtype=np.float64)
        cdef const int[::1] ws = np.arange(rows.shape[1], dtype=np.intc)
        cdef Py_ssize_t a
        for a in range(rows.shape[0]):
            self.push(rows[a], ws)
        return np.array(self.candidate) if self.extrapolate() else None


def cd_epochs(LeastSquares f, Penalty penalty, double[::1] w, int[::1] ws,
              int max_epochs, double tol, int check_every=10,
              unsigned int seed=0, bint extrapolate=True, int stable_epochs=0):
    """Run coordinate-descent passes over the working set ``ws``.

    Stops when the duality gap restricted to ``ws`` is at most ``tol``
    (checked after 2 and 5 passes, every ``check_every`` passes and after
    the last) or after ``max_epochs`` passes.  Of every
    ``ACTIVE_PASSES + 1`` passes, the first visits the whole working set
    and the others only its non-zero and unpenalised coordinates (single
    fits at alpha_max / 100, where a third of the set stays at zero, ran
    5-10% faster).  ``seed`` > 0 visits coordinates in a fresh random
    order each pass (scikit-learn's ``selection='random'``).  With
    ``extrapolate``, every few passes an Anderson-extrapolated point replaces
    the iterate when its objective is lower.  With ``stable_epochs`` > 0, also
    returns once no coefficient has changed sign or left/joined zero for that
    many passes in a row (the caller may then solve for the support exactly).
    w is updated in place.  Returns (passes done, restricted gap, primal
    value, extrapolations kept, whether it stopped on a stable support, the
    gradient): the gradient is v at the returned w on ``ws`` and NaN
    elsewhere (a full gap then reads only the other columns), or None when
    the last pass ended without a check.
    """
    cdef Py_ssize_t k, j, m = ws.shape[0], tmp
    cdef int epoch = 0, accepted = 0, unchanged = 0, flips
    cdef bint stable = False, full, checked = False   # in the last pass
    cdef double lip, old, new, gap = INFINITY, primal = INFINITY, before
    # multiply-adds of a pass, at most: the signal check's clock
    cdef double work = 0.0, pass_work = m * f.column_length + f.n_samples
    cdef bint main = handles_signals()
    cdef unsigned int state = seed
    cdef int[::1] order = np.array(ws, dtype=np.intc, copy=True)
    gradient = np.full(w.shape[0], np.nan)
    cdef double[::1] v = gradient
    cdef double[::1] current = np.zeros(m)
    cdef Anderson anderson = Anderson(m, ANDERSON_MEMORY)
    with nogil:
        while epoch < max_epochs:
            if seed != 0:
                for k in range(m - 1, 0, -1):    # Fisher-Yates
                    tmp = _rand(&state) % (k + 1)
                    order[k], order[tmp] = order[tmp], order[k]
            flips = 0
            checked = False
            full = epoch % (ACTIVE_PASSES + 1) == 0
            for k in range(m):
                j = order[k]
                lip = f.lipschitz[j]
                if lip == 0.0 or (not full and w[j] == 0.0 and penalty.is_penalized(j)):
                    continue
                old = w[j]
                new = penalty.prox(j, old + f.grad(j) / lip, 1.0 / lip)
                if new != old:
                    f.step(j, new - old)
                    w[j] = new
                    flips += (new > 0) != (old > 0) or (new < 0) != (old < 0)
            epoch += 1
            if main:
                work += pass_work
                check_signals(&work)
            unchanged = unchanged + 1 if flips == 0 else 0
            if extrapolate and anderson.push(w, ws) and anderson.extrapolate():
                before = f.primal(penalty, w, ws)
                for k in range(m):
                    current[k] = w[ws[k]]
                _move_to(f, w, ws, anderson.candidate)
                if f.primal(penalty, w, ws) < before:
                    accepted += 1
                else:
                    _move_to(f, w, ws, current)
            # early checks catch inner problems that converge in a few passes
            if (epoch % check_every == 0 or epoch == max_epochs
                    or epoch == 2 or epoch == 5):
                gap = f.gap(penalty, w, ws, v, &primal)
                checked = True       # the last thing a pass does: v is at w
                if gap <= tol:
                    break
            if stable_epochs > 0 and unchanged >= stable_epochs:
                stable = True
                break
    return epoch, gap, primal, accepted, stable, gradient if checked else None


def cd_gram_epochs(LeastSquares f, Penalty penalty, const double[:, ::1] gram,
                   const double[::1] correlations, double[::1] w, int max_epochs,
                   double tol, int check_every=5):
    """Coordinate-descent passes on the normal equations (glmnet's covariance
    updates): the gradient ``v = correlations - gram @ w`` is kept instead of
    the residual, so a step costs p multiply-adds instead of n, and a
    feature that does not move costs nothing.  For n >> p.

    ``gram`` and ``correlations`` are ``Xc' diag(s) Xc / n_w`` and
    ``Xc' diag(s) y_c / n_w`` (``SupportSolver.normal_equations``).  Stops
    once the gap estimated from them is at most ``tol`` or stops going down
    (checked every ``check_every`` passes), or after ``max_epochs`` passes.  The estimate's datafit,
    ``P(0) - w . (correlations + v) / 2``, is a difference of large terms:
    it steers, it does not certify.  The residual of ``f`` is not
    touched: recompute it from w (``refresh``) before certifying.  w is
    updated in place.  Returns (passes done, estimated gap).
    """
    cdef Py_ssize_t i, j, k, p = w.shape[0]
    cdef int epoch = 0
    cdef double lip, old, new, delta, kappa, datafit, previous, gap = INFINITY
    cdef const int[::1] coords = np.arange(p, dtype=np.intc)
    cdef double[::1] v = np.array(correlations, dtype=np.float64)
    cdef bint main = handles_signals()
    cdef double work = 0.0
    with nogil:
        for j in range(p):
            if w[j] != 0.0:
                for i in range(p):
                    v[i] -= gram[j, i] * w[j]        # v -= G[:, j] w_j (G symmetric)
        while epoch < max_epochs:
            for j in range(p):
                lip = gram[j, j]
                if lip <= 0.0:
                    continue
                old = w[j]
                new = penalty.prox(j, old + v[j] / lip, 1.0 / lip)
                if new != old:
                    delta = new - old
                    w[j] = new
                    for i in range(p):
                        v[i] -= gram[j, i] * delta
            epoch += 1
            if main:
                work += p * p
                check_signals(&work)
            if epoch % check_every == 0 or epoch == max_epochs:
                kappa = 1.0
                penalty.dual_terms(coords, w, v, &kappa)
                datafit = f.primal_at_zero
                for k in range(p):
                    datafit -= 0.5 * w[k] * (correlations[k] + v[k])
                previous, gap = gap, f._gap_terms(penalty, w, coords, v, kappa,
                                                  max(datafit, 0.0))
                if gap <= tol or gap >= previous:     # done, or at its rounding
                    break
    return epoch, gap
