"""The face problem of a Huber fit (the sigma -> 0 limit, a penalised
least-absolute-deviation fit) and the system of one face: the data and
products of ``solve_face`` (``sklreg.solvers.huber._face``, whose docstring
states the problem and the method)."""
import numpy as np
from scipy import linalg

from sklreg.solvers.huber._kernel import RowKernel

CONSISTENT = 1e-8          # relative residual below which the face system holds
BOX_SLACK = 1e-10          # relative excess over a bound that counts as a violation
ROUNDED = 1e-11            # a residual this small relative to y and the fit is zero
EQUILIBRATION_STEPS = 30   # of the face system's scaling (each halves its spread's log)


class FaceProblem:
    """The least-absolute-deviation problem of one Huber problem.

    Parameters
    ----------
    design : sklreg._core._design.Design
    y, s : ndarray of shape (n,)
    c : float
        Weight of the absolute residuals (``2 eps``).
    l1, l2 : ndarray of shape (p,)
    positive, fit_intercept : bool
    frozen : ndarray of shape (p,), bool, optional
        Coordinates held at zero (columns the intercept duplicates).
    shift : ndarray of shape (p,), optional
        The problem is that of ``X - 1 shift^T`` (``HuberProblem.shift``:
        columns with a large mean, centred in every product).
    """

    def __init__(self, design, y, s, c, l1, l2, positive, fit_intercept, frozen=None,
                 shift=None):
        self.design, self.y, self.s, self.shift = design, y, s, shift
        self.box = c * s
        self.l1, self.l2 = l1, l2
        self.positive, self.fit_intercept = positive, fit_intercept
        self.freeze(np.zeros(l1.shape, dtype=bool) if frozen is None else frozen)
        self.ridged = l2 > 0
        n, p = design.n_samples, design.n_features
        self.n, self.p = n, p
        self.kernel = RowKernel(design, np.flatnonzero(s > 0), l2, shift)
        sqnorms = design.col_sqnorms(np.ones(n)) if p else np.zeros(0)
        if shift is not None:
            cols = np.flatnonzero(shift)
            sqnorms[cols] = design.centred_moments(cols, shift, np.ones(n))[:, 1]
        self.colnorm = np.sqrt(sqnorms)
        self.box_norm = np.linalg.norm(self.box)

    def freeze(self, frozen):
        """Hold the coordinates of the boolean mask ``frozen`` at zero."""
        self.frozen = frozen
        # coordinates that can sit at zero
        self.kinked = (self.l1 > 0) | self.positive | frozen

    def excess(self, corr):
        """How far each coordinate's correlation exceeds its L1 bound, and
        the rounding below which an excess is none."""
        excess = np.where(self.positive, corr, np.abs(corr)) - self.l1
        return excess, BOX_SLACK * (self.l1 + self.colnorm * self.box_norm)

    # -- products --------------------------------------------------------
    def predict(self, w, b):
        out = np.empty(self.n)
        if self.shift is None:
            self.design.matvec(w, out)
        else:
            self.design.centred_matvec(w, self.shift, out)
        return out + b

    def correlations(self, theta):
        out = np.empty(self.p)
        if self.shift is None:
            self.design.rmatvec(theta, out)
        else:
            self.design.centred_rmatvec(theta, self.shift, out)
        return out

    def objective(self, w, r):
        pen = np.dot(self.l1, np.abs(w)) + 0.5 * np.dot(self.l2, w * w)
        return np.dot(self.box, np.abs(r)) + pen

    # -- one face ---------------------------------------------------------
    def face_target(self, face, w, b):
        """Solve the face's system from the point (w, b) on the face.

        Returns the minimiser of its quadratic ``(w, b, theta, X^T theta)``
        (the nearest one when the face has a flat direction; the system's
        least-squares point when it is inconsistent) and None, or, when
        inconsistent, a descent direction ``(dw, db)`` along which the face
        is unbounded."""
        z, free = face.fitted_rows(), face.unridged()
        theta = face.outer_theta(self.box)
        corr = self.correlations(theta)
        # w_j = (x_j.theta - l1_j sign_j) / l2_j on the ridged coordinates:
        # X^T theta_out gives ``base``, the fitted rows add K theta_Z
        ridged = face.support & self.ridged
        slope = np.where(ridged, self.l1 * face.sign, 0.0)
        base = np.zeros(self.p)
        base[ridged] = (corr[ridged] - slope[ridged]) / self.l2[ridged]
        m_z, m_f = z.size, free.size
        A = self._columns(z, free)                      # [X_Z,free, 1]
        now = np.append(w[free], [b] if self.fit_intercept else [])
        M = np.zeros((m_z + A.shape[1],) * 2)
        M[:m_z, :m_z] = self.kernel.block(z, ridged)
        M[:m_z, m_z:] = A
        M[m_z:, :m_z] = A.T
        # unknowns: theta_Z and the step of the unridged coordinates (so
        # that a flat direction is not moved along)
        fitted = self.predict(base, 0.0)[z] + A @ now
        rhs = np.concatenate([self.y[z] - fitted, self.l1[free] * face.sign[free] - corr[free],
                              [-theta.sum()] if self.fit_intercept else []])
        # what each equation's terms weigh (a residual, a gradient entry:
        # at most the box's norm times the column's): rounding is no miss
        size = np.concatenate([np.abs(self.y[z]) + np.abs(fitted),
                               self.l1[free] + self.colnorm[free] * self.box_norm,
                               [self.box.sum()] if self.fit_intercept else []])
        sol, scaling = _solve(M, rhs)
        miss = rhs - M @ sol
        size += np.abs(M) @ np.abs(sol)
        theta[z] = sol[:m_z]
        corr = self.correlations(theta)
        target = np.zeros(self.p)
        target[ridged] = (corr[ridged] - slope[ridged]) / self.l2[ridged]
        target[free] = w[free] + sol[m_z:m_z + m_f]
        b_target = b + sol[-1] if self.fit_intercept else 0.0
        if np.all(np.abs(miss) <= CONSISTENT * np.maximum(size, 1e-300)):
            return (target, b_target, theta, corr), None
        # unbounded on the face: the residual lies in the system's null
        # space, a direction of the unridged coordinates that keeps r_Z = 0
        # and along which the face's objective is linear, decreasing (the
        # least-squares point is kept: when that slope is rounding, it is
        # the face's minimiser after all)
        null = scaling ** 2 * miss           # in the null space of M (see _solve)
        dw = np.zeros(self.p)
        dw[free] = -null[m_z:m_z + m_f]
        db = -null[-1] if self.fit_intercept else 0.0
        return (target, b_target, theta, corr), (dw, db)

    def block(self, rows, cols):
        """(X - 1 shift^T)[rows][:, cols] as a dense float64 array."""
        return self.kernel.dense(rows, cols)

    def _columns(self, z, free):
        """[X_Z,free, 1] (the ones with an intercept)."""
        out = np.empty((z.size, free.size + self.fit_intercept))
        out[:, :free.size] = self.block(z, free)
        if self.fit_intercept:
            out[:, -1] = 1.0
        return out


def _solve(M, rhs):
    """(x, d): a least-squares solution of the symmetric system M x = rhs
    after a symmetric equilibration ``D M D`` (Ruiz's: the kernel block
    scales as 1 / l2 and the constraints' block as X, so M alone is as
    ill-conditioned as their ratio squared), and the scaling d.  The
    residual ``e = D (rhs - M x)`` is orthogonal to the range of ``D M D``,
    so ``D e = d**2 (rhs - M x)`` lies in the null space of M."""
    if not rhs.size:
        return rhs, rhs
    d = np.ones(rhs.size)
    for _ in range(EQUILIBRATION_STEPS):
        top = np.max(np.abs(M * d[:, None] * d[None, :]), axis=1)
        if np.all((top > 0.5) & (top < 2.0) | (top == 0)):
            break
        d /= np.sqrt(np.where(top > 0, top, 1.0))
    u = linalg.lstsq(M * d[:, None] * d[None, :], rhs * d, cond=1e-13,
                     lapack_driver="gelsd", check_finite=False)[0]
    return u * d, d
