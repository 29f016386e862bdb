"""Data, loss and penalty of one Huber fit, and its certificate.

The problem (scikit-learn's ``HuberRegressor`` objective, not divided by n)::

    min_{w, b, sigma > 0}  sum_i s_i (sigma + sigma H(r_i / sigma)) + Omega(w),
    r = y - X w - b,   Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2

with ``H(z) = z**2`` (``|z| <= eps``), ``2 eps |z| - eps**2`` beyond.  The
datafit is the perspective of ``h(u) = sum_i s_i (1 + H(u_i))``, so it is
jointly convex in (w, b, sigma).

The certificate, computed from sums over the samples, is
``HuberCertificate``'s (``_certificate``).
"""
import copy

import numpy as np

from sklreg._core._design import Design
from sklreg.solvers.huber._certificate import (HuberCertificate, Scan, _inlier_epsilon,
                                              epsilon_excess)


class HuberProblem(HuberCertificate):
    """Data, loss and penalty of one Huber fit, and its certificate.

    Parameters
    ----------
    X : ndarray (Fortran) or CSC matrix of shape (n_samples, n_features)
    design : sklreg._core._design.Design
        The view of X the compiled kernels use.
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,) or None
    epsilon : float, >= 1
    l1, l2 : ndarray of shape (n_features,)
        ``Omega(w) = sum_j l1_j |w_j| + l2_j / 2 w_j**2``.
    positive : bool
    fit_intercept : bool
    y_scale : float, optional
        See below; chosen from y when not given.

    The solvers see ``y / y_scale``, ``y_scale`` a power of two near the
    spread of y (so exact), and coefficients, intercept, scale and
    objective in those units (the ridge part of the penalty, quadratic,
    becomes ``l2 * y_scale``): whatever y's magnitude (1e-20, 1e120), the
    scale floor, Newton's ridge and the rounding allowances are relative,
    and no square overflows.  ``solve_huber`` and ``huber_path`` take and
    return the caller's units.
    """

    def __init__(self, X, design, y, sample_weight, epsilon, l1, l2, positive,
                 fit_intercept, y_scale=None, bounds=None):
        self.X, self.design = X, design
        n, p = X.shape
        self.s = np.ones(n) if sample_weight is None else sample_weight
        n_w = float(self.s.sum())
        y_scale = _spread_scale(y, self.s, n_w) if y_scale is None else y_scale
        self._set_data(n_rows=n, n_w=n_w, y_scale=y_scale, epsilon=epsilon,
                       eps=_inlier_epsilon(float(epsilon), self.s, n_w), l1=l1, l2=l2,
                       positive=positive, bounds=bounds, fit_intercept=fit_intercept)
        self.y = y if self.y_scale == 1.0 else y / self.y_scale
        y = self.y
        # the dual box and energy divide theta by s: skip it when s = 1
        self._unit = bool(np.all(self.s == 1.0))
        self._pos = slice(None) if np.all(self.s > 0) else self.s > 0
        self.sqnorms = design.col_sqnorms(self.s) if p else np.zeros(0)
        self.xs = np.zeros(p)          # the columns' weighted sums (of X - 1 shift^T)
        # theta - shift * s dotted with y is theta dotted with the centred y
        # (no cancellation of two large terms when y has a large mean)
        self._y_dual = y - np.dot(self.s, y) / self.n_w if fit_intercept else y
        if p:
            design.rmatvec(self.s, self.xs)
        self.shift = None
        self.constant = self.sqnorms == 0
        if fit_intercept and p:
            self._shift_offset_columns()

    def _shift_offset_columns(self):
        """With an intercept, the problem is solved in ``X - 1 mu^T`` and the
        intercept ``b + mu . w`` (the same objective): ``mu_j`` is the mean
        of each column whose mean dominates its spread (``|mean| > 4 std``),
        zero for the others, so that no product, Gram entry or Newton step
        cancels two terms of the size of that mean (a timestamp-like column:
        the uncentred Gram has lost the column's spread below 1e8 std).  A
        second pass gives those columns' centred sums and whether they are
        constant (exactly: they then only duplicate the intercept)."""
        mean = self.xs / self.n_w
        offset = 17.0 * mean ** 2 * self.n_w > 16.0 * self.sqnorms
        if not offset.any():
            return
        cols = np.flatnonzero(offset)
        self.shift = np.where(offset, mean, 0.0)
        moments = self.design.centred_moments(cols, self.shift, self.s)
        self.xs[cols], self.sqnorms[cols] = moments[:, 0], moments[:, 1]
        self.constant[cols] = moments[:, 2] == 1.0

    def densified(self):
        """The same problem (shift, penalty, units) on a dense float64 copy
        of a sparse X."""
        X = np.asfortranarray(self.X.toarray(), dtype=np.float64)
        other = copy.copy(self)
        other.X, other.design = X, Design(X)
        return other

    def intercept(self, w, b):
        """The intercept of X for coefficients w and the solvers' intercept b
        (that of ``X - 1 shift^T``)."""
        return b if self.shift is None else b - np.dot(self.shift, w)

    def solver_intercept(self, w, intercept):
        """The inverse of ``intercept``."""
        return intercept if self.shift is None else intercept + np.dot(self.shift, w)

    def matvec(self, w, out):
        """out = (X - 1 shift^T) @ w."""
        if self.shift is None:
            self.design.matvec(w, out)
        else:
            self.design.centred_matvec(w, self.shift, out)
        return out

    def rmatvec(self, v, out):
        """out = (X - 1 shift^T).T @ v."""
        if self.shift is None:
            self.design.rmatvec(v, out)
        else:
            self.design.centred_rmatvec(v, self.shift, out)
        return out

    # -- pieces -------------------------------------------------------------
    def residual(self, w, b, out=None):
        out = np.empty(self.X.shape[0]) if out is None else out
        if w.shape[0]:
            self.matvec(w, out)
            np.subtract(self.y, out, out=out)
        else:
            out[:] = self.y
        out -= b
        return out

    def scan(self, r, sigma):
        """The Scan of residual r at scale sigma (reads r only)."""
        self.loss.scale = sigma
        return Scan(*self.loss.scan(r, None if self._unit else self.s))

    def excess(self, r, sigma):
        """See ``epsilon_excess``."""
        return epsilon_excess(self.eps, self.epsilon, r, self.s, sigma)

    # -- certificate --------------------------------------------------------
    def dual(self, r, sigma, theta=None):
        """The Dual at residual r and scale sigma, from ``theta_i = s_i
        psi(r_i / sigma)`` or from the ``theta`` given.  The shift to sum
        zero is applied to the sums, not to theta."""
        self.loss.scale = sigma
        s = None if self._unit else self.s
        weight = None
        if theta is None:            # the scan's sums (see Huber.scan)
            theta, weight = np.empty_like(r), np.empty_like(r)
            scan = Scan(*self.loss.scan(r, s, theta, weight))
            energy, top = self.loss.theta_energy, self.loss.theta_max
            bottom = self.loss.theta_min
        else:
            scan = Scan(*self.loss.scan(r, s))
            ratio = theta[self._pos] / self.s[self._pos]
            energy, top, bottom = np.dot(theta[self._pos], ratio), ratio.max(), ratio.min()
        total = theta.sum()        # pairwise: the intercept's gradient, accurately
        grad = np.empty(self.X.shape[1])
        if grad.size:
            self.rmatvec(theta, grad)
        return self.dual_of_sums(scan, total, grad, energy, top, bottom,
                                 np.dot(theta, self._y_dual), weight)

    def gap(self, w, r, sigma, theta=None):
        """The Certificate at (w, residual r, sigma), its dual point built
        from the residual unless ``theta`` is given."""
        return self.certify(w, self.dual(r, sigma, theta), sigma)


def _spread_scale(y, s, n_w):
    """A power of two near the weighted mean absolute deviation of y (near
    max |y| when y is constant up to 2**-60 of it), 1 for y = 0."""
    top = np.max(np.abs(y)) if y.size else 0.0
    if not 0 < top < np.inf:
        return 1.0
    scale = np.ldexp(1.0, int(np.frexp(top)[1]))       # y / scale within (-1, 1)
    z = y / scale
    spread = np.dot(s, np.abs(z - np.dot(s, z) / n_w)) / n_w
    if spread > 2.0 ** -60:
        scale = np.ldexp(scale, int(np.round(np.log2(spread))))
    return float(scale)
