"""The multi-task problem: data prepared once, solved at any alpha by block
coordinate descent (``sklreg._core._multitask``) with Gap Safe screening,
certified by a duality gap.

Anderson extrapolation (of W, or of the residual as a dual point) was tried
and left out: it cut about 9% of the passes on a 1000 x 5000, 20-task
problem, but its accept/reject decisions follow rounding, so fits of the
same problem on dense and sparse X (or weights and repeated rows) parted
by more than scikit-learn's own tests allow.
"""
import numpy as np
from sklearn.utils import check_random_state

from sklreg._core._design import Design
from sklreg._core._multitask import (Sweep, _Columns, block_epochs, column_spreads, gap_terms,
                                     gradients, residual)
from sklreg.solvers._base import SolverResult, gap_target
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils.validation import check_penalty_factor

CHECK_EVERY = 5     # epochs between two gap checks, unless the iterates settle sooner
MOST_EPOCHS = 20    # ... or the gap's rate says it needs more (at most these)
# rows per level-3 block of a dense pass (``Sweep``); below CHUNK_TASKS
# tasks the gathering of the columns and the chunk's Gram matrix eat what
# the blocks save, and the passes go row by row (a pass on 1000 x 2000, one
# thread: even at 2 tasks, 1.1x faster at 5, 2.3x at 8 and 20)
CHUNK, CHUNK_TASKS = 16, 8


def multitask_gap(R, G, W, s, n_w, l1, l2):
    """Duality gap, primal objective and dual scaling kappa at W, residual
    R = Yc - Xc W and G = Xc^T S R / n_w, at the dual point kappa S R / n_w.

    Written as non-negative terms (no difference of two O(P(0)) numbers)::

        (1 - kappa)^2 |R|_s^2 / (2 n_w)
        + sum_j [Omega_j(W_j) + Omega_j^*(kappa G_j) - kappa G_j . W_j]

    kappa in (0, 1] keeps kappa G_j in the domain of Omega_j^* (|.| <= l1_j)
    for the rows without an L2 part.
    """
    kappa, penalty, fenchel_young = gap_terms(G, W, l1, l2)
    datafit = _datafit(R, s, n_w)
    gap = (1 - kappa) ** 2 * datafit + fenchel_young
    return gap, datafit + penalty, kappa


def dual_value(Yc, Rd, Gd, s, n_w, l1, l2):
    """The dual objective D and kappa at the dual point kappa S Rd / n_w,
    Gd = Xc^T S Rd / n_w, for any Rd (an extrapolated residual)::

        D = (|Yc|_s^2 - |Yc - kappa Rd|_s^2) / (2 n_w) - sum_j Omega_j^*(kappa Gd_j)

    A difference of two O(P(0)) terms: exact to about eps P(0)."""
    rows = np.sqrt(np.einsum("jt,jt->j", Gd, Gd))
    hard = (l2 == 0) & (rows > l1)
    kappa = float(np.min(l1[hard] / rows[hard], initial=1.0))
    excess = np.where(l2 > 0, np.maximum(kappa * rows - l1, 0.0), 0.0)
    conjugate = float(np.sum(excess ** 2 / (2 * np.where(l2 > 0, l2, 1.0))))
    value = (_datafit(Yc, s, n_w) - _datafit(Yc - kappa * Rd, s, n_w)) - conjugate
    return value, kappa


def _datafit(R, s, n_w):
    weighted = R if s is None else R * np.sqrt(s)[:, None]
    return float(np.einsum("it,it->", weighted, weighted)) / (2 * n_w)


def _primal(R, W, s, n_w, l1, l2):
    norms = np.sqrt(np.einsum("jt,jt->j", W, W))
    return _datafit(R, s, n_w) + float(np.sum(l1 * norms + 0.5 * l2 * norms ** 2))


class MultiTaskProblem:
    """The data of one multi-task fit, prepared once for any number of
    solves (a path): the weighted means (X is never centred: ``mu`` is
    applied inside the kernel), the centred targets, the column spreads
    and ``P(0)``.  ``estimator`` supplies every parameter but alpha."""

    def __init__(self, estimator, X, Y, s):
        self.estimator, self.X, self.s = estimator, X, s
        self.shape = (X.shape[1], Y.shape[1])
        self.n_w = float(X.shape[0] if s is None else s.sum())
        self.mu, y_mean = _means(X, Y, s, self.n_w, estimator.fit_intercept)
        self.Yc = np.asfortranarray(Y - y_mean, dtype=np.float64)
        self.y_mean = y_mean
        design = Design(X)
        spreads, dominated = column_spreads(design, self.mu, s, estimator.fit_intercept)
        self.lipschitz = spreads / self.n_w
        self.columns = _Columns(design, self.mu, dominated, s, self.n_w, Y.shape[1])
        self.p0 = _datafit(self.Yc, s, self.n_w)
        self.passes = 0         # products of X with the residual, for benchmarks
        self.factor = check_penalty_factor(estimator.penalty_factor, X.shape[1])
        self.free = np.flatnonzero(self.factor == 0)       # unpenalised rows
        if self.free.size:
            self._unpenalised_fit()
        self.W, self.R = None, None
        self._last_sweep = None         # (order, Sweep over it)
        self._G = None                  # the gradients at self.R

    def gradients(self, R):
        """Minus the datafit's gradient at residual R, (p, n_tasks)."""
        self.passes += 1
        return gradients(self.columns, R)

    def residual(self, W):
        """Yc - Xc W, computed afresh."""
        self.passes += 1
        return residual(self.columns, self.Yc, W)

    def _unpenalised_fit(self):
        """Prepare the projection out of the unpenalised columns' span: a
        dual point must be orthogonal to them (Xc_U^T Theta = 0), which no
        scaling of a residual gives.  Keeps Xc_U, the pseudo-inverse of
        S^1/2 Xc_U and H = Xc^T S Xc_U / n_w (one product with X)."""
        X, s = self.X, self.s
        block = X[:, self.free]
        block = block.toarray() if hasattr(block, "toarray") else np.asarray(block)
        self.Xu = block.astype(np.float64) - self.mu[self.free]
        root = np.ones(len(block)) if s is None else np.sqrt(s)
        self.Xu_pinv = np.linalg.pinv(root[:, None] * self.Xu) * root
        weighted = self.Xu if s is None else self.Xu * s[:, None]
        self.H = (np.asarray(X.T @ weighted) - np.outer(self.mu, weighted.sum(axis=0))) / self.n_w
        self.passes += 1

    def _feasible(self, R, G):
        """(R_d, G_d): the residual R with its least-squares fit on the
        unpenalised columns removed, and its correlations; R and G when
        every row is penalised."""
        if not self.free.size:
            return R, G
        beta = self.Xu_pinv @ R
        G_d = G - self.H @ beta
        G_d[self.free] = 0.0          # orthogonal by construction: rounding removed
        return R - self.Xu @ beta, G_d

    def alpha_max(self):
        """Smallest alpha at which every penalised row of W is zero, the
        unpenalised ones fitted (``inf`` without an L1 part)."""
        l1_ratio = self.estimator.l1_ratio
        _, G = self._feasible(self.Yc, self.gradients(self.Yc))
        penalised = self.factor > 0
        rows = np.linalg.norm(G[penalised], axis=1) / self.factor[penalised]
        top = float(rows.max(initial=0.0))
        if not penalised.any():
            return np.inf
        return top / l1_ratio if l1_ratio > 0 else (np.inf if top > 0 else 0.0)

    def _fold(self, R, offset):
        """R + 1 offset^T into R; with an intercept, re-centred (the
        rounding of many updates drifts its weighted sum from zero)."""
        R += offset
        offset[:] = 0.0
        if self.estimator.fit_intercept:
            w = np.ones(len(R)) if self.s is None else self.s
            R -= (w @ R) / self.n_w

    def solve(self, alpha, W=None):
        """Minimise at ``alpha`` from ``W`` (p, n_tasks), or, if None, from
        where the last solve ended; a SolverResult with coef W (p, n_tasks)
        and one intercept per task."""
        # One BLAS thread: the kernel's calls are vector-sized, and OpenBLAS
        # threads left spinning after the gap's product stole the core the
        # passes ran on (2.7x slower on 300 x 1000, 20 tasks, 2 cores)
        with single_threaded_blas():
            return self._solve(alpha, W)

    def _solve(self, alpha, W):
        est = self.estimator
        p = self.shape[0]
        if W is None:
            W, R = self.W, self.R
        else:
            W = np.array(W, dtype=np.float64, order="C")
            R = self.residual(W) if W.any() else self.Yc.copy(order="F")
        offset = np.zeros(self.shape[1])
        l1 = alpha * est.l1_ratio * self.factor
        l2 = alpha * (1 - est.l1_ratio) * self.factor
        tol_abs = gap_target(est.tol, self.p0)
        rng = check_random_state(est.random_state)
        order = np.arange(p, dtype=np.intc)
        n_iter, step, fresh = 0, np.inf, True
        dual = None         # (R_d, G_d): a dual point other than W's own residual
        kept = self._G if W is self.W else None     # G at R, from the last solve's end
        failed = None       # (n_iter, gap) at the last check that did not stop
        while True:
            if kept is None:
                self._fold(R, offset)
            if dual is None and not self.free.size:
                G, kept = self.gradients(R) if kept is None else kept, None
                gap, primal, kappa = multitask_gap(R, G, W, self.s, self.n_w, l1, l2)
                used = (R, G)
            else:
                if dual is None:
                    dual = self._feasible(R, self.gradients(R))
                primal = _primal(R, W, self.s, self.n_w, l1, l2)
                value, kappa = dual_value(self.Yc, *dual, self.s, self.n_w, l1, l2)
                gap, G, used = max(primal - value, 0.0), dual[1], dual
            # certified, and (scikit-learn's own stop) no coefficient moved by
            # more than tol times the largest in the last pass: without the
            # second rule the coefficients would be less accurate than
            # scikit-learn's at the same tol
            settled = step <= est.tol * np.max(np.abs(W), initial=0.0)
            if gap <= tol_abs and settled:
                if fresh:
                    break
                # certify W itself, not a residual rounding moved away from
                # it (with unpenalised rows: its objective from a fresh
                # residual against the same dual point, which bounds the
                # optimum whatever residual it came from)
                R, fresh = self.residual(W), True
                dual = used if self.free.size else None
                continue
            if n_iter >= est.max_iter:
                break
            order = self._screen(order, G, kappa, gap, W, R, offset, l1, l2)
            if est.selection == "random":
                order = rng.permutation(order).astype(np.intc)
            patience = _epochs_to_target(failed, n_iter, gap, tol_abs)
            epochs = min(max(CHECK_EVERY, patience), est.max_iter - n_iter)
            failed = (n_iter, gap)
            # until settled (then a gap check may end the solve)
            done, step = self._sweep(order).run(R, offset, W, self.lipschitz, l1, l2,
                                                epochs, patience, est.tol)
            self.passes += 2 * done * len(order) / max(p, 1)
            n_iter += done
            fresh, dual = False, None
        self.W, self.R = W, R
        self._G = None if self.free.size else G
        intercept = (self.y_mean - self.mu @ W if est.fit_intercept
                     else np.zeros(self.shape[1]))
        return SolverResult(coef=W.copy(), intercept=intercept, gap=gap, primal=primal,
                            tol_abs=tol_abs, n_iter=n_iter, unit="passes")

    def _sweep(self, order):
        """The passes over ``order``: the last ones again while the order
        stays (their chunks' Gram matrices are made once, for a whole path)."""
        if self._last_sweep is None or not np.array_equal(self._last_sweep[0], order):
            chunk = CHUNK if self.shape[1] >= CHUNK_TASKS else 0
            self._last_sweep = (order.copy(), Sweep(self.columns, order, chunk))
        return self._last_sweep[1]

    def _screen(self, order, G, kappa, gap, W, R, offset, l1, l2):
        """Gap Safe screening (Ndiaye et al., 2017): the dual is n_w-strongly
        concave, so the dual optimum lies within sqrt(2 gap / n_w) of the
        dual point kappa S R / n_w (in the S^-1 norm), and a row with
        kappa |G_j| + sqrt(2 L_j gap) < l1_j is zero at the optimum.  Those
        rows are set to zero and left out of ``order``."""
        rows = order
        norms = kappa * np.sqrt(np.einsum("jt,jt->j", G[rows], G[rows]))
        out = norms + np.sqrt(2.0 * self.lipschitz[rows] * max(gap, 0.0)) < l1[rows]
        if not out.any():
            return order
        gone = rows[out]
        moving = gone[np.any(W[gone] != 0, axis=1)].astype(np.intc)
        if len(moving):        # an infinite l1 sets those rows to zero, R moving with them
            block_epochs(self.columns, R, offset, W, self.lipschitz, np.full(len(l1), np.inf),
                         l2, moving, 1)
        return np.ascontiguousarray(rows[~out], dtype=np.intc)


def _epochs_to_target(failed, n_iter, gap, tol_abs):
    """Passes to run before the next gap check (at least one, at most
    MOST_EPOCHS): the gap taken to keep falling at its rate since the last
    failed check, rounded down, so that the check comes no later than the
    target.  A check costs about half a pass: at a settled pass the gap
    falls some 15% a pass, so a check after each was mostly in vain
    (300 x 1000, 20 tasks, alpha_max / 100: 19 checks for 79 passes, now
    7 for the same 79)."""
    if failed is None or not 0 < gap < failed[1] or n_iter <= failed[0]:
        return 1
    rate = np.log(gap / failed[1]) / (n_iter - failed[0])
    return int(np.clip(np.floor(np.log(tol_abs / gap) / rate), 1, MOST_EPOCHS))


def _means(X, Y, s, n_w, fit_intercept):
    """Weighted column means of X (``column_spreads`` corrects them) and
    of Y, corrected once; zeros without an intercept."""
    if not fit_intercept:
        return np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    w = np.ones(X.shape[0]) if s is None else s
    mu = np.asarray(w @ X, dtype=np.float64).ravel() / n_w
    y_mean = w @ Y / n_w
    y_mean += w @ (Y - y_mean) / n_w
    return mu, y_mean
