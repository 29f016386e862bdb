# The least-squares certificate and its rounding (included in _datafits.pyx):
# the duality gap at a given gradient, written as a sum of non-negative
# terms, and what the rounding of that gradient leaves in it.

# a gap's rounding error, in float64 epsilons of the magnitudes it is made of
cdef double GAP_ROUNDING = 8 * 2.220446049250313e-16
# float32's epsilon in float64's: the same bound for a gap of float32 passes
cdef double SINGLE_ROUNDING = 2.0 ** 29


cdef double gap_given(LeastSquares f, Penalty penalty, const double[::1] w,
                      const int[::1] coords, const double[::1] v,
                      double* primal) noexcept nogil:
    """``LeastSquares.gap`` with v[coords] already the gradient at w:
    O(n + |coords|).

    With the dual point theta = kappa * s * r / n_w, P(w) - D(theta) is
    written as a sum of non-negative terms, none of them a difference of
    two O(P(0)) quantities (``r . y_c = |r|^2 + n_w v . w`` since r = y_c
    - Xc w)::

        (1 - kappa)^2 |r|_s^2 / (2 n_w)
        + sum_j [Omega_j(w_j) + Omega_j^*(kappa v_j) - kappa v_j w_j]

    so its rounding is relative to the gap itself, not to P(0): a gap of
    1e-20 P(0) is as meaningful as one of 1e-4 P(0).
    """
    cdef Py_ssize_t k, j, n = f.r.shape[0]
    cdef double kappa = 1.0, penalty_value, datafit, gap, scale = 0.0
    f.fold()
    penalty_value = penalty.dual_terms(coords, w, v, &kappa)
    datafit = f.value()
    primal[0] = datafit + penalty_value
    gap = f._gap_terms(penalty, w, coords, v, kappa, datafit)
    # what rounding can leave in it: each term's own (a few ulps of the
    # primal's parts) and each gradient entry's, a dot product over n of
    # |x_j - mu_j| |r| (errors growing as sqrt(n)) times |w_j|
    for k in range(coords.shape[0]):
        j = coords[k]
        if w[j] != 0.0:
            scale += fabs(w[j]) * sqrt(f.lipschitz[j])
    f.gap_resolution = GAP_ROUNDING * (SINGLE_ROUNDING if f.single else 1.0) * (
        datafit + penalty_value
        + sqrt(2.0 * datafit * n) * scale)
    f.last_datafit = datafit
    return gap


cdef double rounded_gap(LeastSquares f, Penalty penalty, const double[::1] w,
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
    cdef Py_ssize_t k, j, n = f.r.shape[0], shifted = 0
    cdef double kappa = 1.0, lowest, delta, near, reach = 0.0
    cdef double datafit = f.last_datafit
    if gap <= f.gap_resolution:
        return gap
    for k in range(coords.shape[0]):
        j = coords[k]
        if w[j] != 0.0:
            reach += fabs(w[j]) * hypot(sqrt(f.lipschitz[j]), f.mu_offset[j])
    # (square roots taken apart: X and y of 1e150 square to 1e300)
    reach = GAP_ROUNDING * (sqrt(2.0 * f.primal_at_zero) + reach) / sqrt(n)
    for k in range(coords.shape[0]):
        j = coords[k]
        f.v_shifted[j] = v[j]
        near = penalty.nearest_subgradient(j, w[j], v[j])
        if near == v[j]:       # a subgradient already (most zero features)
            continue
        delta = sqrt(f.lipschitz[j]) * reach + GAP_ROUNDING * sqrt(
            2.0 * datafit * n) * hypot(sqrt(f.lipschitz[j]), f.mu_offset[j])
        if fabs(near) <= delta:        # a penalty float64 cannot see here
            f.v_shifted[j] += max(-delta, min(delta, near - v[j]))
            shifted += 1
    if shifted == 0:
        return gap
    penalty.dual_terms(coords, w, f.v_shifted, &kappa)
    lowest = f._gap_terms(penalty, w, coords, f.v_shifted, kappa, datafit)
    return min(gap, lowest)
