"""The penalised quantile regression problem: data, slopes, penalty and its
certificate.

::

    min_{w, b}  sum_i s_i rho_tau(y_i - x_i.w - b)
                + sum_j lam_j |w_j| + sum_j mu_j / 2 w_j**2

scaled by ``n_w`` (which changes nothing but the numbers).  The certificate
is the duality gap at a feasible dual point built from the solver's
multipliers (``QuantileProblem.dual``).  Its solvers: the interior point
(``sklreg.solvers._ipm``), globbing and a working set on top of it, HiGHS.
"""
import numpy as np

from sklreg._core._penalties import L1L2
from sklreg.losses import PinballLoss
from sklreg.solvers._quantile_dual import repaired, rounding
from sklreg.solvers._rows import Rows
from sklreg.utils.linalg import psd_solver
from sklreg.utils.stats import weighted_quantile

EPS = np.finfo(np.float64).eps
JITTER = 1e-13            # relative diagonal shift keeping the normal matrix PD
DIAG_FLOOR = 1e-8         # ... of at least this fraction of the largest entry


class _Normal:
    """Builds and solves ``B^T diag(q) B + diag(extra)`` with B = [X, 1]
    (the column of ones only when an intercept is fitted)."""

    def __init__(self, rows, fit_intercept):
        self.rows = rows
        self.fit_intercept = fit_intercept

    def factor(self, q, extra):
        p = self.rows.shape[1]
        k = p + self.fit_intercept
        H = self.rows.gram(q, ones=self.fit_intercept)
        H[np.arange(p), np.arange(p)] += extra
        # a shift relative to each diagonal entry (not to the largest, which
        # swamps the small ones when rows' slopes or columns' scales differ)
        diag = np.abs(np.diag(H))
        H[np.diag_indices(k)] += JITTER * np.maximum(diag, DIAG_FLOOR * max(diag.max(), 1e-300))
        self._solve = psd_solver(H)

    def solve(self, rhs):
        return self._solve(rhs)

    def B(self, beta):
        """Return B @ beta."""
        p = self.rows.shape[1]
        out = self.rows.matvec(beta[:p])
        return out + beta[p] if self.fit_intercept else out

    def BT(self, v):
        """Return B^T @ v."""
        out = self.rows.rmatvec(v)
        return np.append(out, v.sum()) if self.fit_intercept else out


class QuantileProblem:
    """Data, slopes and penalty of one quantile regression, scaled by n_w.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, p), float32 or float64, or Rows
        The design, or a ``Rows`` operator of it (e.g. a row subset, or X
        with some columns scaled and shifted by ``sklreg.solvers._rows.conditioned``).
    y : ndarray of shape (n,), float64
    s : ndarray of shape (n,), float64, positive
    loss : sklreg._core._losses.Pinball
    lam, mu : ndarray of shape (p,)
        L1 and L2 weights per feature, already multiplied by n_w.
    fit_intercept : bool
    bounds : (lower, upper) of ndarray of shape (p,), optional
        A box for the coefficients.  The interior point takes none (it
        needs the penalty's weights alone: ``sklreg.solvers._ipm.NEEDS``);
        HiGHS does, and the certificate accounts for it.
    """

    def __init__(self, X, y, s, loss, lam, mu, fit_intercept, norms=None, bounds=None):
        self.rows = X if isinstance(X, Rows) else Rows(X)
        self.normal = _Normal(self.rows, fit_intercept)
        self.y, self.s, self.loss = y, s, loss
        self.tau = loss.tau
        self.lam, self.mu = lam, mu
        self.fit_intercept = fit_intercept
        self.n_w = s.sum()
        self.l1 = np.flatnonzero(lam > 0)          # features with a pseudo-row
        self.p = self.rows.shape[1]
        self._norms = norms
        self.bounds = bounds
        self.penalty_terms = L1L2(lam, mu, False, *(bounds if bounds is not None else ()))

    def restricted(self, keep, globs=(), lam_scale=1.0):
        """The same problem on the rows ``keep`` (indices), plus one pseudo-row
        per boolean mask in ``globs`` that sums those samples (Portnoy and
        Koenker's "globbing"): weight ``S = sum s_i``, x and y the weighted
        means.  While every globbed sample keeps the sign of its residual,
        the pseudo-row's loss equals theirs; otherwise it is smaller (rho is
        convex), so the restricted dual is a lower bound for the full
        problem.  ``lam_scale`` scales the penalty (for a subsample)."""
        extra, ys, ss = [], [], []
        for mask in globs:
            weight = self.s * mask
            S = weight.sum()
            if S > 0:
                extra.append(self.rows.rmatvec(weight) / S)
                ys.append(np.dot(weight, self.y) / S)
                ss.append(S)
        return QuantileProblem(
            self.rows.take(keep, np.array(extra).reshape(len(extra), self.p)),
            np.concatenate([self.y[keep], ys]), np.concatenate([self.s[keep], ss]),
            self.loss, self.lam * lam_scale, self.mu * lam_scale, self.fit_intercept)

    def rescaled(self, d):
        """The same problem in the variables ``d * w`` (column j of X divided
        by ``d_j``, its penalty weights by ``d_j`` and ``d_j**2``): the same
        objective values; the data are not copied."""
        return QuantileProblem(self.rows.scaled(d), self.y, self.s, self.loss,
                               self.lam / d, self.mu / d ** 2, self.fit_intercept,
                               norms=None if self._norms is None else self._norms / d)

    def col_peaks(self):
        """``Rows.col_peaks`` of the operator (one pass, once)."""
        if not hasattr(self, "_peaks"):
            self._peaks = self.rows.col_peaks()
        return self._peaks

    def col_norms(self):
        """``sqrt(sum_i s_i x_ij**2)`` per column (one pass, once)."""
        if self._norms is None:
            self._norms = self.rows.col_norms(self.s)
        return self._norms

    def surely_zero(self):
        """Features whose penalty is beyond the largest ``|x_j . theta|`` a
        dual point can reach, ``max(tau, 1 - tau) sqrt(n_w) |x_j|_s``: their
        coefficient is zero at the optimum (and an absurd alpha, 1e305, no
        longer overflows the solver)."""
        reach = max(self.tau, 1 - self.tau) * np.sqrt(self.n_w) * self.col_norms()
        return self.lam > reach

    def columns(self, cols):
        """The same problem on the features ``cols`` only."""
        return QuantileProblem(self.rows.columns(cols), self.y, self.s, self.loss,
                               self.lam[cols], self.mu[cols], self.fit_intercept,
                               norms=None if self._norms is None else self._norms[cols])

    # -- objective, P(0) and the certificate -------------------------------
    def primal(self, w, b):
        """The objective of the estimator (not scaled by n_w)."""
        r = self.y - self.rows.matvec(w) - b
        return self.loss.value_np(r, self.s) + self.penalty(w) / self.n_w

    def penalty(self, w):
        if self.bounds is not None and (np.any(w < self.bounds[0])
                                        or np.any(w > self.bounds[1])):
            return np.inf
        return np.dot(self.lam, np.abs(w)) + 0.5 * np.dot(self.mu, w * w)

    def best_intercept(self, w):
        if not self.fit_intercept:
            return 0.0
        return weighted_quantile(self.y - self.rows.matvec(w), self.s, self.tau)

    def primal_at_zero(self):
        return self.primal(np.zeros(self.p), self.best_intercept(np.zeros(self.p)))

    def dual(self, theta):
        """Dual objective at a feasible point built from ``theta`` (length n,
        in n_w units): clip to the box; restore ``sum theta = 0`` (or, with
        no penalty at all, ``B^T theta = 0`` by a projection weighted by each
        entry's room in the box, exact up to rounding); scale into the L1
        constraint.  Returns (D, theta_feasible), D in the objective's units;
        D is -inf when no feasible point was reached (a dual point that
        misses a constraint would bound nothing)."""
        theta = np.array(theta, dtype=np.float64)
        slack = np.empty_like(theta)
        self.loss.box_np(theta, self.s, slack)
        free = not np.any(self.lam > 0) and not np.any(self.mu > 0) and self.bounds is None
        for _ in range(3):
            if free:                 # every coefficient unpenalised: B^T theta = 0
                e = self.normal.BT(theta)
                self.normal.factor(slack, np.zeros(self.p))
                theta -= slack * self.normal.B(self.normal.solve(e))
            elif self.fit_intercept:  # only the intercept: sum theta = 0
                theta -= slack * (theta.sum() / max(slack.sum(), 1e-300))
            if self.loss.box_np(theta, self.s, slack) == 0:
                break
        if self.fit_intercept and not free:
            theta = self._centred(theta)
        v = self.rows.rmatvec(theta)
        found = self._bound(theta, v, free)
        moved, rows = repaired(self, theta, v)     # (None but for dominated columns)
        if moved is not None:
            if self.fit_intercept and not free:
                moved = self._centred(moved, keep=rows)
            other = self._bound(moved, self.rows.rmatvec(moved), free)
            found = other if other[0] > found[0] else found
        return found

    def _bound(self, theta, v, free):
        """``dual``'s last step, from ``v = X^T theta``."""
        # |X^T theta| below the rounding of the product counts as zero (as
        # for unpenalised features): a penalty weight below that rounding
        # (a column of entries 1e150 against alpha = 0.01) must not scale the
        # whole dual point to zero
        v = np.sign(v) * np.maximum(np.abs(v) - rounding(self, theta, v), 0.0)
        if self.fit_intercept and abs(theta.sum()) > 4 * EPS * theta.size * np.abs(theta).sum():
            return -np.inf, theta
        if free and np.any(v != 0):
            return -np.inf, theta
        if self.bounds is not None:
            return self._boxed_dual(theta, v)
        conj = 0.0
        smooth = self.mu > 0
        if np.any(smooth):
            conj = np.sum(np.maximum(np.abs(v[smooth]) - self.lam[smooth], 0.0) ** 2
                          / (2 * self.mu[smooth]))
        over = ~smooth & (self.lam > 0) & (np.abs(v) > self.lam)
        if np.any(over):
            theta = theta * np.min(self.lam[over] / np.abs(v[over]))
        return (np.dot(theta, self.y) - conj) / self.n_w, theta

    def _boxed_dual(self, theta, v):
        """``dual``'s end with a box: theta scaled into the conjugate's
        domain (where the box leaves a side open above the L1 weight), the
        conjugate that of the penalty plus the box's indicator; -inf where
        an unpenalised coordinate's v points to an open side."""
        penalty = self.penalty_terms
        lower, upper = self.bounds
        open_side = np.where(v > 0, upper == np.inf, np.where(v < 0, lower == -np.inf, False))
        if np.any(open_side & ~penalty.penalized_mask()):
            return -np.inf, theta
        kappa = min(float(np.min(penalty.dual_scales(v), initial=1.0)), 1.0)
        theta, v = kappa * theta, kappa * v
        return (np.dot(theta, self.y) - penalty.conjugates(v).sum()) / self.n_w, theta

    def _centred(self, theta, keep=None):
        """theta (inside its box) moved to ``sum theta = 0`` where the steps
        above, weighted by each entry's room to its *nearest* edge, could
        not (every entry on an edge: the sum stayed at 3, and the dual
        bounded nothing): in one step, each entry by its share of the room
        towards the edge the sum needs.  Exact whenever the box allows it,
        which it always does (``s (tau - 1) < 0 < s tau``).  The entries
        ``keep`` (indices) are not moved."""
        excess = theta.sum()
        if abs(excess) <= EPS * np.abs(theta).sum():
            return theta
        lower, upper = PinballLoss(self.tau).dual_box(self.s)
        room = theta - (lower if excess > 0 else upper)
        if keep is not None:
            room[keep] = 0.0
        if room.sum() == 0:          # no room left (but on the entries kept)
            return theta
        theta = theta - room * min(excess / room.sum(), 1.0)
        return np.clip(theta, lower, upper)

    def certified_at(self, w):
        """(gap, primal, b, theta) at ``w`` with its best intercept ``b``,
        certified by the dual point of the residuals' signs (the pinball
        subgradient; ``dual`` makes it feasible)."""
        b = self.best_intercept(w)
        theta = self.s * PinballLoss(self.tau).subgradient(self.y - self.rows.matvec(w) - b)
        gap, primal, b = self.certificate(w, b, theta, refit=False)
        return gap, primal, b, theta

    def certificate(self, w, b, theta, refit=True):
        """(gap, primal, b): the intercept is re-fitted exactly first
        (unless ``refit`` is False)."""
        b = self.best_intercept(w) if self.fit_intercept and refit else b
        primal = self.primal(w, b)
        dual, _ = self.dual(theta)
        return max(primal - dual, 0.0), primal, b
