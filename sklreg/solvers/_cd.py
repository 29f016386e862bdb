"""Working-set coordinate descent.

Outer loop (here, in Python, a few numpy operations per iteration): compute
the gradient and the duality gap on all features, stop if certified, else pick
a working set -- every non-zero coefficient, every unpenalised feature, and
the features that violate their optimality condition the most -- and hand it
to the compiled kernel, which runs CD passes on it until its own gap is a
fraction of the full one.  Features outside the set stay at zero.

Exact finishing: once coordinate descent has spent as much work as it
costs, the optimum restricted to the current support and signs is solved
for directly (the support's normal equations plus the penalty's fixed-sign
terms, one Cholesky factorisation).  Where that solution has a wrong sign,
a feature-sign search (Lee, Battle, Raina & Ng, 2007) steps towards it
only as far as the first coefficient reaching zero, drops it, and solves
again from the same factor.  The result always lowers the objective; the
next full gap certifies it or hands back to coordinate descent, which adds
the features that still violate their optimality condition.  Gram entries
are cached across finishes and along a path, so a support that grows by a
few features costs only their columns.  This turns the ill-conditioned
regime near interpolation, where CD needs hundreds of passes, into a few.
"""
import warnings

import numpy as np
from scipy import linalg
from threadpoolctl import ThreadpoolController

from sklreg._core._cd import cd_epochs
from sklreg.solvers._base import SolverResult

WS_START = 10          # first working-set size
INNER_FRACTION = 0.3   # the inner solve stops at this fraction of the outer gap
GAP_FLOOR = 1e-13      # a gap is a difference of two O(P(0)) terms: rounding
                       # leaves it uncertain to ~1e-14 * P(0); tol is floored here
STABLE_EPOCHS = 5      # passes without a sign change before an exact finish
MAX_ROUNDS = 50        # feature-sign rounds per exact finish
FINISH_EPOCHS = 20     # CD passes before the first exact finish
GRAM_SPEEDUP = 10      # a Gram block (BLAS-3) costs ~1/10 of CD per flop
_BLAS = None           # a ThreadpoolController, made on first use


class GramCache:
    """Gram entries of the centred, weighted columns, kept across exact
    finishes (and across the alphas of a path): a support that grows by a
    few features costs only their new columns.

    At most ``capacity`` features are kept; beyond, the cache starts afresh.
    """

    def __init__(self, datafit, capacity):
        self.datafit = datafit
        self.capacity = capacity
        self.position = np.full(datafit.lipschitz.shape[0], -1, dtype=np.intp)
        self.features = np.empty(0, dtype=np.intp)
        self.gram = np.empty((0, 0))
        self.rhs = np.empty(0)

    def system(self, coords):
        """Return (G, b), the normal equations of ``coords``."""
        missing = coords[self.position[coords] < 0]
        if self.features.size + missing.size > self.capacity:
            self.__init__(self.datafit, self.capacity)
            missing = coords
        if missing.size:
            self._add(missing)
        at = self.position[coords]
        return self.gram.take(at, axis=0).take(at, axis=1), self.rhs[at]

    def _add(self, missing):
        m, k = self.features.size, missing.size
        features = np.concatenate([self.features, missing])
        new_columns = self.datafit.cross_products(features, missing)
        gram = np.empty((m + k, m + k))
        gram[:m, :m] = self.gram
        gram[:, m:] = new_columns
        gram[m:, :m] = new_columns[:m].T
        self.gram, self.features = gram, features
        self.rhs = np.concatenate([self.rhs, self.datafit.correlations(missing)])
        self.position[missing] = np.arange(m, m + k)


class _FixedSignSystem:
    """The support's optimality system with the signs fixed, factorised once.

    ``solve(dropped)`` returns the minimiser with the coordinates at
    positions ``dropped`` held at zero: from the one Cholesky factor, by
    eliminating a multiplier per dropped coordinate, so each feature-sign
    round costs O(|S|**2) rather than a new factorisation.
    """

    def __init__(self, gram, penalty, coords, signs):
        self.factor = None
        system = penalty.fixed_sign_system(coords, signs)
        if system is None:
            return
        curvature, slope = system
        G, b = gram.system(coords)
        G[np.diag_indices_from(G)] += curvature
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                self.factor = linalg.cho_factor(G, check_finite=False)
        except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            return
        self.free = linalg.cho_solve(self.factor, b - slope, check_finite=False)
        self.columns = {}          # position -> G^{-1} e_position

    def solve(self, dropped):
        if not dropped:
            solution = self.free.copy()
        else:
            for k in dropped:
                if k not in self.columns:
                    unit = np.zeros(self.free.size)
                    unit[k] = 1.0
                    self.columns[k] = linalg.cho_solve(self.factor, unit,
                                                       check_finite=False)
            Z = np.column_stack([self.columns[k] for k in dropped])
            try:
                multipliers = linalg.solve(Z[dropped], -self.free[dropped])
            except (linalg.LinAlgError, ValueError):
                return None
            solution = self.free + Z @ multipliers
            solution[dropped] = 0.0
        return solution if np.all(np.isfinite(solution)) else None


def _finish_cost(gram, support, n_samples):
    """Cost of an exact finish in CD column operations (n multiply-adds
    each): the Gram columns not cached and a few Cholesky factorisations,
    discounted because BLAS-3 runs faster per flop than CD's vector loops."""
    missing = np.count_nonzero(gram.position[support] < 0)
    size = support.size
    return (size * missing + size ** 3 / (3 * n_samples)) / GRAM_SPEEDUP


def _exact_finish(datafit, penalty, w, support, gram):
    """Feature-sign search on ``support``; True if it lowered the objective.

    BLAS runs on one thread here: these factorisations are small, and
    threaded BLAS on a busy machine (or under CV folds run in parallel)
    spins instead of working -- 20x slower, measured on 2 loaded cores.

    """
    with _single_threaded_blas():
        return _feature_sign_search(datafit, penalty, w, support, gram)


def _single_threaded_blas():
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _feature_sign_search(datafit, penalty, w, support, gram):
    """Lee, Battle, Raina & Ng (2007), restricted to dropping coefficients.

    Solve for the support with the current signs.  If some coefficient of
    that solution has the wrong sign, move towards it only as far as the
    first coefficient reaching zero (on that segment the objective is the
    fixed-sign quadratic, so it decreases), hold that coefficient at zero
    and solve again, at most MAX_ROUNDS times.  Kept if the objective went
    down (rounding aside, it always does), else w is restored.
    """
    penalized = penalty.penalized_mask()[support]
    primal_before = datafit.primal_value(penalty, w)
    previous = w[support].copy()
    coords = support.astype(np.intc)
    signs = np.sign(previous)
    system = _FixedSignSystem(gram, penalty, support, signs)
    if system.factor is None:
        return False
    dropped, current = [], previous.copy()
    for _ in range(MAX_ROUNDS):
        candidate = system.solve(dropped)
        if candidate is None:
            break
        wrong = (np.sign(candidate) != signs) & penalized
        wrong[dropped] = False
        if not wrong.any():
            current = candidate
            break
        reach = current[wrong] / (current[wrong] - candidate[wrong])
        current = current + reach.min() * (candidate - current)
        dropped.extend(np.flatnonzero(wrong)[reach <= reach.min()].tolist())
        current[dropped] = 0.0
    datafit.move(w, coords, current)
    if datafit.primal_value(penalty, w) < primal_before:
        return True
    datafit.move(w, coords, previous)
    return False


def solve_cd(datafit, penalty, w, *, tol=1e-4, max_iter=1000, seed=0,
             check_every=10, extrapolate=True, exact_finish=True, gram=None):
    """Minimise ``datafit + penalty`` by working-set coordinate descent.

    Parameters
    ----------
    datafit : sklreg._core._cd.LeastSquares
        Bound to X, y and weights; its residual must match ``w``.
    penalty : sklreg._core._penalties.Penalty
    w : ndarray of shape (n_features,), float64
        Starting point, updated in place.
    tol : float
        Stop when the duality gap is at most ``tol * P(0)``.
    max_iter : int
        Budget of passes over the working set.
    seed : int
        0 for cyclic order, else the seed of a random order per pass.
    check_every : int
        Passes between two gap checks of an inner solve.
    extrapolate : bool
        Try Anderson extrapolation every few passes (kept only when it
        lowers the objective).
    exact_finish : bool
        Solve the support's linear system once support and signs settle.
    gram : GramCache, optional
        Gram entries to reuse (a path passes one cache to every alpha).

    Returns
    -------
    SolverResult
    """
    p = w.shape[0]
    p0 = datafit.primal_at_zero
    tol_abs = max(tol, GAP_FLOOR) * p0
    movable = np.asarray(datafit.lipschitz) > 0
    always = movable & ~penalty.penalized_mask()
    n_iter, ws_size, last_gap, spent = 0, WS_START, np.inf, 0
    tried = set()          # sign patterns already solved for exactly
    budget = FINISH_EPOCHS  # CD passes before an exact finish is tried
    rank_bound = datafit.rank_bound
    if gram is None and exact_finish:
        gram = GramCache(datafit, capacity=2 * min(rank_bound, p) + 100)
    while True:
        gap, primal, v = datafit.full_gap(penalty, w)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        score = penalty.subdiff_distances(w, v)
        score[(w != 0) | always] = np.inf
        score[~movable] = -np.inf
        if gap > 0.5 * last_gap:      # too little progress: widen the set
            ws_size *= 2
        last_gap = gap
        ws_size = min(max(ws_size, 2 * np.count_nonzero(w), np.count_nonzero(always)),
                      int(movable.sum()))
        if ws_size == 0:
            break
        if ws_size < p:
            ws = np.argpartition(-score, ws_size - 1)[:ws_size]
        else:
            ws = np.arange(p)
        # Exact finishes are tried once their cost is at most the CD work
        # already spent, so CD runs in slices up to that point.  Near
        # interpolation (support ~ rank) the support's system is
        # degenerate-prone and CD crawls from its solution: leave it to CD.
        support = np.flatnonzero(w)
        finishing = exact_finish and support.size < rank_bound - 1
        epochs_left = max_iter - n_iter
        affordable = False
        if finishing:
            cost = _finish_cost(gram, support, datafit.n_samples)
            affordable = cost <= spent + budget * ws.size
            wait = budget if affordable else int(np.ceil((cost - spent) / ws.size))
            epochs_left = min(epochs_left, wait)
        inner_tol = max(INNER_FRACTION * gap, 0.5 * tol_abs)
        epochs, inner_gap, _, _, _ = cd_epochs(
            datafit, penalty, w, np.sort(ws).astype(np.intc), epochs_left,
            inner_tol, check_every, seed, extrapolate, STABLE_EPOCHS if affordable else 0)
        n_iter += epochs
        spent += epochs * ws.size
        support = np.flatnonzero(w)
        if (finishing and inner_gap > inner_tol and support.size < rank_bound - 1
                and _finish_cost(gram, support, datafit.n_samples) <= spent):
            pattern = (support.tobytes(), np.sign(w[support]).tobytes())
            if pattern in tried or not _exact_finish(datafit, penalty, w, support, gram):
                budget *= 2           # CD was not done: give it longer
            tried.add(pattern)
    return SolverResult(coef=w, intercept=datafit.intercept, gap=gap,
                        primal=primal, tol_abs=tol_abs, n_iter=n_iter)
