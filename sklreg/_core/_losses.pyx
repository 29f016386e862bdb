"""The robust losses' per-sample passes: ``F(r) = 1/n_w * sum_i s_i * f(r_i)``
of the residuals ``r = y - X w - b`` with sample weights ``s`` (``n_w =
sum_i s_i``).  A loss never sees X; the solver hands it residuals.

The least-squares datafit, which keeps its residual in step with the
coefficients, is ``_datafits.LeastSquares``; the dual point and the
duality gap of these two are their problems' (``solvers/_ipm.py``,
``solvers/huber``): here only the per-sample pieces they share.
"""
cimport cython
from libc.math cimport INFINITY


cdef extern from "_vec.h" nogil:
    # one branch-free pass per case (see _vec.h)
    void sklreg_huber_scan_unit(int n, const double* r, const double* s, double sigma,
                                double eps, double* theta, double* weight, double* out)
    void sklreg_huber_scan_weighted(int n, const double* r, const double* s, double sigma,
                                    double eps, double* theta, double* weight, double* out)
    void sklreg_huber_scan_unit_fill(int n, const double* r, const double* s, double sigma,
                                     double eps, double* theta, double* weight, double* out)
    void sklreg_huber_scan_weighted_fill(int n, const double* r, const double* s,
                                         double sigma, double eps, double* theta,
                                         double* weight, double* out)


@cython.final
cdef class Pinball:
    """f(r) = rho_tau(r) = r * (tau - [r < 0]), the quantile (check) loss.

    F(r) = 1/n_w sum_i s_i rho_tau(r_i).  Its conjugate is the indicator of
    the box ``theta_i in [s_i (tau - 1), s_i tau] / n_w``: the dual objective
    is ``theta . y`` over that box (intersected with ``sum theta = 0`` when
    an intercept is fitted and with the penalty's dual constraint on
    ``X^T theta``).

    The ``*_np`` methods are the per-sample pieces the interior-point solver
    needs, one pass each over vectors of length n.
    """
    cdef readonly double tau

    def __init__(self, double quantile):
        self.tau = quantile

    def value_np(self, const double[::1] r, const double[::1] s):
        """Return F(r) = sum_i s_i rho_tau(r_i) / sum_i s_i."""
        cdef double acc = 0.0, n_w = 0.0
        cdef Py_ssize_t i
        with nogil:
            for i in range(r.shape[0]):
                n_w += s[i]
                acc += s[i] * r[i] * (self.tau if r[i] >= 0.0 else self.tau - 1.0)
        return acc / n_w

    def box_np(self, double[::1] theta, const double[::1] s, double[::1] slack):
        """Clip theta (scaled by n_w: box [s (tau-1), s tau]) into its box in
        place and write each entry's distance to the nearest box edge into
        ``slack``.  Returns the number of entries that were clipped."""
        cdef Py_ssize_t i, clipped = 0
        cdef double lo, hi, t
        with nogil:
            for i in range(theta.shape[0]):
                lo = s[i] * (self.tau - 1.0)
                hi = s[i] * self.tau
                t = theta[i]
                if t < lo or t > hi:
                    clipped += 1
                    t = lo if t < lo else hi
                    theta[i] = t
                slack[i] = min(t - lo, hi - t)
        return clipped


@cython.final
cdef class Huber:
    """scikit-learn's Huber loss at a given scale ``sigma`` (``scale``).

    ``f(r) = sigma * H(r / sigma)`` with ``H(z) = z**2`` for ``|z| <= epsilon``
    and ``2 epsilon |z| - epsilon**2`` beyond (twice the textbook Huber
    function, as in ``sklearn.linear_model.HuberRegressor``); its derivative
    is ``f'(r) = psi(r / sigma)``, ``psi(z) = 2 z`` inside, ``2 epsilon
    sign(z)`` outside.  (H and psi are written once, in ``_vec.h``; the
    fixed-scale datafit, ``_huber_datafit``, uses them too.)

    The joint scale is the solver's business; ``scan`` gives it, in one pass,
    the datafit and everything it needs about ``sigma`` as well (``value``
    is not defined: the joint objective is ``scan``'s).
    """

    cdef readonly double epsilon
    cdef public double scale
    # of the theta the last filling scan wrote (see scan)
    cdef readonly double theta_energy, theta_max, theta_min

    def __init__(self, double epsilon, double scale=1.0):
        self.epsilon = epsilon
        self.scale = scale

    def scan(self, const double[::1] r, const double[::1] s=None, double[::1] theta=None,
             double[::1] weight=None):
        """One pass over the residuals at the current scale.

        Fills, when given, ``theta[i] = s_i f'(r_i)`` (minus the gradient of
        the datafit in the residual, the dual point) and ``weight[i] = s_i
        min(1, eps sigma / |r_i|)`` (the weights of the quadratic majoriser
        ``f(r) <= f(r0) + weight / (s sigma) (r**2 - r0**2)``; ``weight == s``
        marks inliers).  ``s`` None means unit weights.  Without them, the
        pass reads r only.  A filling pass also sets ``theta_energy``
        (``sum_i theta_i**2 / s_i``) and ``theta_max``, ``theta_min`` (of
        ``theta_i / s_i`` over s_i > 0), what the dual point's scaling
        needs, without another pass.

        The pass is compiled C (``_vec.h``), branch-free so that it
        vectorises.  Returns ``(fit, d_scale, dd_scale, low, high)``: the
        joint datafit
        ``sum_i s_i (sigma + f(r_i))`` and its first and second derivative in
        sigma, ``sum_i s_i (1 - z_i**2)`` over inliers plus
        ``(1 - eps**2) s_i`` over outliers, and ``2 sum_inliers s_i r_i**2 /
        sigma**3``; and the scales ``[low, high]`` between which the inliers
        stay the same (``|r_i| / eps`` of the largest inlier, of the
        smallest outlier; 0 and inf when there are none).
        """
        cdef int n = <int> r.shape[0]
        cdef double sigma = self.scale, eps = self.epsilon
        cdef double[9] out
        cdef bint fill = theta is not None
        if fill and weight is None:
            raise ValueError("theta and weight are filled together")
        if n == 0:
            if fill:
                self.theta_energy, self.theta_max, self.theta_min = 0.0, -INFINITY, INFINITY
            return (0.0, 0.0, 0.0, 0.0, INFINITY)
        cdef const double* w = NULL
        if s is not None:
            w = &s[0]
        cdef double* th = &theta[0] if fill else NULL
        cdef double* wt = &weight[0] if fill else NULL
        with nogil:
            if fill and w == NULL:
                sklreg_huber_scan_unit_fill(n, &r[0], w, sigma, eps, th, wt, out)
            elif fill:
                sklreg_huber_scan_weighted_fill(n, &r[0], w, sigma, eps, th, wt, out)
            elif w == NULL:
                sklreg_huber_scan_unit(n, &r[0], w, sigma, eps, th, wt, out)
            else:
                sklreg_huber_scan_weighted(n, &r[0], w, sigma, eps, th, wt, out)
        s_in, q_in, s_out = out[0], out[1], out[2]
        if fill:
            self.theta_energy, self.theta_max, self.theta_min = out[6], out[7], out[8]
        fit = sigma * (s_in + s_out + out[3])
        # (without outliers eps**2 may overflow: 0 * inf would be NaN)
        outer = (1.0 - eps * eps) * s_out if s_out > 0.0 else 0.0
        return (fit, s_in - q_in + outer, 2.0 * q_in / sigma,
                out[4] / eps, out[5] / eps)
