"""Confidence intervals by inverting the regression rank-score test.

The test of ``beta_j = b`` (Gutenbrunner, Jureckova, Koenker & Portnoy
1993; Koenker 1994; Koenker 2005, sec. 3.5) fits the restricted model
``y - b z_j`` on the other columns and reads its dual solution ``a(b)``,
the regression rank scores (``a_i = 1`` above the fit, 0 below, in between
on it).  With ``q_j = 1 / [(Z^T Z)^-1]_jj`` (the squared norm of ``z_j``'s
residual on the other columns),

    T(b) = sum_i z_ij (a_i(b) - (1 - tau)) / sqrt(q_j tau (1 - tau))

is asymptotically standard normal under the null if the errors are iid.
``T`` is minus the slope of the restricted objective, which is convex and
piecewise linear in ``b``: ``T`` is a non-increasing step function whose
steps are where a residual of the restricted fit changes sign.  The
interval is ``{b : |T(b)| < t_{1 - alpha/2, n - k}}``.

It is found as quantreg's ``rq.fit.br(ci=TRUE)`` finds it, by parametric
programming: from the fit, ``b`` moves up (then down) from one step to
the next; at each step the one sample whose residual reaches zero enters
the restricted problem's basis and a simplex ratio test on the rank scores
picks the one that leaves (or the entering score just flips).  Between the
last accepted step and the first rejected one the bound is interpolated
linearly in ``T`` (quantreg's ``interp=TRUE``).  Each step costs one solve
with the basis and one pass over the data.
"""
import numpy as np
from scipy import stats
from scipy.optimize import linprog


def rank_intervals(Z, y, beta, tau, level):
    """Rank-inversion interval of every coefficient: an array (k, 2).

    ``Z, y`` are the (weighted) design and response, ``beta`` a solution of
    the quantile regression (refined here to an exact vertex).
    """
    n, k = Z.shape
    cutoff = stats.t.ppf(0.5 + level / 2, n - k)
    basis, scores, beta = optimal_vertex(Z, y, beta, tau)
    qn = 1.0 / np.diag(np.linalg.inv(Z.T @ Z))
    out = np.empty((k, 2))
    for j in range(k):
        scale = np.sqrt(qn[j] * tau * (1 - tau))
        for side, direction in ((0, -1.0), (1, 1.0)):
            walk = _Walk(Z, y, tau, j, basis, scores, beta, direction)
            out[j, side] = walk.bound(cutoff, scale)
    return out, beta


def optimal_vertex(Z, y, beta, tau):
    """A vertex solution near ``beta``: (basis, rank scores, coefficients).

    The k samples with the smallest residuals at ``beta`` are tried as the
    basis; if they do not give an optimal vertex (``beta`` far from one),
    the linear program is solved exactly (HiGHS dual simplex).
    """
    n, k = Z.shape
    r = y - Z @ beta
    basis = np.sort(np.argsort(np.abs(r), kind="stable")[:k])
    found = _vertex_at(Z, y, tau, basis)
    if found is not None:
        coef, scores = found
        loss = lambda c: np.sum((y - Z @ c) * (tau - (y - Z @ c < 0)))   # noqa: E731
        if loss(coef) <= loss(beta) + 1e-10 * max(loss(beta), 1e-300):
            return basis, scores, coef
    res = linprog(np.r_[np.zeros(k), np.full(n, tau), np.full(n, 1 - tau)],
                  A_eq=np.hstack([Z, np.eye(n), -np.eye(n)]), b_eq=y,
                  bounds=[(None, None)] * k + [(0, None)] * (2 * n), method="highs-ds")
    coef = res.x[:k]
    basis = np.sort(np.argsort(np.abs(y - Z @ coef), kind="stable")[:k])
    found = _vertex_at(Z, y, tau, basis)
    if found is None:
        raise ValueError("se='rank' needs a design of full column rank with a unique "
                         "quantile regression vertex; use se='nid' or se='boot'")
    return basis, found[1], found[0]


def _vertex_at(Z, y, tau, basis):
    """(coef, scores) of the vertex interpolating ``basis``, or None when it
    is singular or its scores leave [0, 1] (not optimal)."""
    n = Z.shape[0]
    try:
        coef = np.linalg.solve(Z[basis], y[basis])
    except np.linalg.LinAlgError:
        return None
    r = y - Z @ coef
    scores = (r > 0).astype(float)
    scores[basis] = 0.0
    rest = (1 - tau) * Z.sum(axis=0) - Z.T @ scores
    scores[basis] = np.linalg.solve(Z[basis].T, rest)
    tol = 1e-9 * np.sqrt(n)
    if np.any(scores[basis] < -tol) or np.any(scores[basis] > 1 + tol):
        return None
    return coef, np.clip(scores, 0.0, 1.0)


class _Walk:
    """The restricted problem of coefficient ``j`` followed as ``b`` moves
    in ``direction`` (+1 up, -1 down) from the fitted value."""

    def __init__(self, Z, y, tau, j, basis, scores, beta, direction):
        self.others = np.delete(Z, j, axis=1)
        self.zj, self.y, self.tau = Z[:, j], y, tau
        self.direction = direction
        self.b = beta[j]
        self.scores = scores.copy()
        # tolerance on residuals: rounding of y - b z_j - Z_-j gamma
        self.tol = 1e-10 * (np.max(np.abs(y)) + np.max(np.abs(Z)) * np.max(np.abs(beta)))
        self.basis = self._leave_full_basis(list(basis), j, beta)

    def _leave_full_basis(self, basis, j, beta):
        """From the full vertex (k basic samples) to the restricted one
        (k - 1): move the basic scores along the one direction keeping
        ``Z_-j^T a`` fixed that raises the restricted objective for ``b``
        past ``beta_j``, until one reaches 0 or 1; that sample leaves."""
        B = self.others[basis].T                      # (k - 1, k)
        d = np.linalg.svd(B)[2][-1] if B.shape[0] else np.ones(1)   # its null direction
        # objective change along d: (beta_j - b) * sum_h z_hj d_h
        if self.direction * (self.zj[basis] @ d) > 0:
            d = -d
        leave, t = _ratio_test(self.scores[basis], d)
        self.scores[basis] += t * d
        self.scores[basis[leave]] = np.round(self.scores[basis[leave]])
        del basis[leave]
        return basis

    def statistic(self, scale):
        return self.zj @ (self.scores - (1 - self.tau)) / scale

    def _residual_lines(self):
        """Residuals of the restricted fit as lines in b: r = c - b d."""
        B = self.others[self.basis]
        if len(self.basis):
            g0 = np.linalg.solve(B, self.y[self.basis])
            g1 = np.linalg.solve(B, self.zj[self.basis])
            return self.y - self.others @ g0, self.zj - self.others @ g1
        return self.y.copy(), self.zj.copy()

    def _next_crossing(self, c, d):
        """The sample whose residual next changes sign the wrong way for
        its score, and where; (None, inf) when none ever does."""
        nonbasic = np.ones(len(c), dtype=bool)
        nonbasic[self.basis] = False
        slope = -self.direction * d                   # dr/dt as b moves
        wrong = np.where(self.scores >= 0.5, slope < 0, slope > 0) & nonbasic
        wrong &= d != 0
        if not wrong.any():
            return None, np.inf
        r_now = c - self.b * d
        # distance to the sign change, in units of b (0 for one already there)
        reach = np.full(len(c), np.inf)
        reach[wrong] = np.maximum(np.abs(r_now[wrong]) * (np.sign(r_now[wrong])
                                  == np.sign(-slope[wrong])) / np.abs(d[wrong]), 0.0)
        at_zero = wrong & (np.abs(r_now) <= self.tol)
        reach[at_zero] = 0.0
        i = int(np.argmin(reach))
        return i, reach[i]

    def _pivot(self, i):
        """Sample i's residual changes sign: its score leaves its bound."""
        step = 1.0 if self.scores[i] < 0.5 else -1.0
        if self.basis:
            w = -step * np.linalg.solve(self.others[self.basis].T, self.others[i])
            leave, t = _ratio_test(self.scores[self.basis], w)
        else:
            w, t = np.empty(0), np.inf
        if t >= 1.0:                                  # the score just flips
            self.scores[self.basis] += w
            self.scores[i] = 1.0 - self.scores[i]
            return
        self.scores[self.basis] += t * w
        self.scores[i] += step * t
        out = self.basis[leave]
        self.scores[out] = np.round(self.scores[out])
        self.basis[leave] = i

    def bound(self, cutoff, scale):
        """The interpolated end of the interval on this side."""
        steps, stats_ = [self.b], []
        while True:
            c, d = self._residual_lines()
            i, reach = self._next_crossing(c, d)
            for _ in range(len(c)):
                if i is None or reach > 0.0:
                    break
                self._pivot(i)                        # several signs change at b
                c, d = self._residual_lines()
                i, reach = self._next_crossing(c, d)
            stats_.append(self.statistic(scale))
            if abs(stats_[-1]) >= cutoff:
                break
            if i is None:
                return self.direction * np.inf
            self.b += self.direction * reach
            steps.append(self.b)
            self._pivot(i)
        if len(stats_) == 1:                          # rejected right away
            return steps[0]
        b_in, b_out = steps[-2], steps[-1]
        t_in, t_out = stats_[-2], stats_[-1]
        return b_in + self.direction * abs(b_out - b_in) * (cutoff - abs(t_in)) / abs(t_out - t_in)


def _ratio_test(values, w):
    """Index and step ``t >= 0`` at which ``values + t w`` first leaves [0, 1]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(w > 1e-14, (1 - values) / w,
                     np.where(w < -1e-14, -values / w, np.inf))
    t = np.maximum(t, 0.0)
    i = int(np.argmin(t))
    return i, float(t[i])
