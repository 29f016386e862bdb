"""Exact solves on a support, for the exact finish of coordinate descent.

With the support S and the signs of a penalised least-squares iterate fixed,
the optimum solves one linear system: the support's normal equations plus
the penalty's fixed-sign terms, ``(G_SS + diag(curvature)) w_S = b_S - slope``.
``SupportSolver`` keeps what makes that cheap to repeat -- the Gram entries
already computed, and a Cholesky factor that is extended by the few
features a support gains instead of being refactorised -- across the
finishes of one solve and along a path.  Coordinates that leave the support
stay in the factor and are held at zero by one multiplier each; those at a
non-zero bound of the penalty's box are held at it (their part of the fit
moved to the right-hand side).

``finish`` runs a feature-sign search (Lee, Battle, Raina & Ng, 2007) on it.
"""
import numpy as np

from sklreg._core._gram import correlations, cross_products
from sklreg._core._linalg import gather
from sklreg.solvers._held_system import HeldSystem
from sklreg.utils._blas import CholeskyFactor

MAX_ROUNDS = 50       # feature-sign rounds per finish
EPS = np.finfo(np.float64).eps
REFINE_STEPS = 2      # iterative refinement steps of a polish: each gains
                      # cond(G) * eps, two reach the residual's own accuracy
HELD_MAX = 32         # coordinates held at zero before the factor is rebuilt
HELD_FRACTION = 12    # ... or 1/12 of the support, when more: each one widens
                      # every finish's multiplier system; 64 and 1/4 ran the
                      # path slower, 16 and 1/24 the LassoCV folds
GRAM_SPEEDUP = 10     # BLAS-3 (Gram, Cholesky) runs ~10x faster per flop than CD
FINISH_OVERHEAD = 4e5  # a finish's fixed Python cost (~0.2 ms), in multiply-adds


class SupportSolver:
    """Gram cache and Cholesky factor bound to one datafit.

    Parameters
    ----------
    datafit : sklreg._core._datafits.LeastSquares
    capacity : int
        Most features whose Gram entries are kept; beyond, start afresh.
    """

    def __init__(self, datafit, capacity):
        self.datafit = datafit
        self.capacity = capacity
        n_features = datafit.lipschitz.shape[0]
        self.position = np.full(n_features, -1, dtype=np.intp)  # in the Gram cache
        self.features = np.empty(0, dtype=np.intp)
        self._buffer = np.empty((0, 0))
        self.rhs = np.empty(0)
        self.slot = np.full(n_features, -1, dtype=np.intp)      # in the factor
        self.order = np.empty(0, dtype=np.intp)
        self.lower = None      # the factor: top-left block of _factor_buffer
        self._factor_buffer = np.empty((0, 0), order="F")
        # L^{-1} e_k of coordinates held at zero (by slot k), kept while the
        # factor is only extended: a coordinate that left the support stays
        # held over many finishes along a path
        self.units = {}
        self.diagonal = np.empty(0)
        # CD work (column operations) since the last finish that went down,
        # across the solves sharing this solver: along a path a finish's Gram
        # entries serve every later alpha, so the CD passes of all of them
        # count towards paying for it
        self.spent = 0
        self._normal = None    # (G, b) in feature order, once asked for

    # ---- Gram cache -----------------------------------------------------
    # Entries live in the top-left corner of ``_buffer``, which grows by
    # doubling: adding a few features costs their columns, not a copy of
    # every entry already computed.
    def _cache(self, coords):
        missing = coords[self.position[coords] < 0]
        if self.features.size + missing.size > self.capacity:
            self.__init__(self.datafit, self.capacity)
            missing = coords
        if missing.size == 0:
            return
        m, k = self.features.size, missing.size
        if m + k > self._buffer.shape[0]:
            old, size = self._buffer, min(max(2 * self._buffer.shape[0], m + k), self.capacity)
            self._buffer = np.empty((size, size))
            self._buffer[:m, :m] = old[:m, :m]
        self._buffer[m:m + k, m:m + k] = cross_products(self.datafit, missing, missing)
        if m:
            self._buffer[:m, m:m + k] = cross_products(self.datafit, self.features, missing)
            self._buffer[m:m + k, :m] = self._buffer[:m, m:m + k].T
        self.features = np.concatenate([self.features, missing])
        self.rhs = np.concatenate([self.rhs, correlations(self.datafit, missing)])
        self.position[missing] = np.arange(m, m + k)

    def normal_equations(self):
        """(G, b) of every feature, in their order: the Gram matrix of the
        centred columns and their correlations with y (cached)."""
        if self._normal is None:
            every = np.arange(self.position.size)
            self._cache(every)
            self._normal = self._block(every, every), self.rhs[self.position]
        return self._normal

    def _block(self, rows, cols, out=None):
        """The Gram entries of ``rows`` x ``cols`` (written into ``out``)."""
        out = np.empty((rows.size, cols.size)) if out is None else out
        gather(self._buffer, self.position[rows], self.position[cols], out)
        return out

    # ---- factor -----------------------------------------------------------
    def _plan(self, support, curvature):
        """Return the features to add to the factor, or None to rebuild it."""
        if self.lower is None:
            return None
        slots = self.slot[support]
        known = slots >= 0
        new = support[~known]
        held = self.order.size - np.count_nonzero(known)
        if (held > max(HELD_MAX, support.size // HELD_FRACTION) or 3 * new.size > support.size
                or np.any(self.diagonal[slots[known]] != curvature[known])):
            return None
        return new

    def covers(self, penalty, support):
        """Whether the factor holds ``support`` as it is: a finish then
        costs two triangular solves (a warm start along a path, from the
        previous alpha's finish)."""
        if self.lower is None or support.size == 0:
            return False
        curvature, _ = penalty.fixed_sign_system(support, np.ones(support.size))
        new = self._plan(support, curvature)
        return new is not None and new.size == 0

    def cost(self, penalty, support):
        """Cost of a finish, in CD column operations (a column's stored
        entries in multiply-adds: n when dense, far fewer when sparse)."""
        size, n = support.size, self.datafit.column_length
        missing = np.count_nonzero(self.position[support] < 0)
        curvature, _ = penalty.fixed_sign_system(support, np.ones(size))
        new = self._plan(support, curvature)
        # extending: a triangular solve per new column, then per finish a
        # forward and a backward solve (held coordinates add little: their
        # unit solves are kept from one finish to the next)
        factor = size ** 3 / 3 if new is None else size ** 2 * (new.size + 2)
        gram = missing * (size - missing) + missing ** 2 / 2   # new block: symmetric
        return (gram + factor / n) / GRAM_SPEEDUP + FINISH_OVERHEAD / n

    def _factorise(self, support, curvature):
        """Make the factor cover ``support``; False if not positive definite."""
        try:
            self._cache(support)          # may start afresh, factor too
            new = self._plan(support, curvature)
            if new is None:
                m = support.size
                lower = self._factor_room(m, keep=0)[:m, :m]
                self._block(support, support, out=lower.T)   # symmetric
                lower[np.diag_indices_from(lower)] += curvature
                self._set_factor(support, CholeskyFactor(lower, copy=False).factor, curvature)
                self.units = {}
            elif new.size:
                self._extend(new, curvature[self.slot[support] < 0])
        except (np.linalg.LinAlgError, ValueError):
            self.lower = None
            return False
        return True

    def _set_factor(self, order, lower, diagonal):
        self.slot[self.order] = -1
        self.order, self.lower, self.diagonal = order, lower, diagonal
        self.slot[order] = np.arange(order.size)

    def _factor_room(self, size, keep):
        """The factor buffer, with room for ``size`` coordinates and the
        factor's first ``keep`` kept.  It grows by a quarter beyond what is
        asked, so that extending the factor writes its new rows in place
        instead of copying the whole factor."""
        if self._factor_buffer.shape[0] < size:
            room = max(size, min(self.capacity, size + size // 4 + 16))
            buffer = np.empty((room, room), order="F")
            buffer[:keep, :keep] = self._factor_buffer[:keep, :keep]
            self._factor_buffer = buffer
        return self._factor_buffer

    def _extend(self, new, curvature):
        # [[L, 0], [W', L22]] with L W = G_on and L22 L22' = G_nn - W'W
        m, k = self.order.size, new.size
        cross = CholeskyFactor.from_lower(self.lower).solve_lower(self._block(self.order, new))
        buffer = self._factor_room(m + k, keep=m)
        buffer[m:m + k, :m] = cross.T
        corner = buffer[m:m + k, m:m + k]
        corner[...] = self._block(new, new) - cross.T @ cross
        corner[np.diag_indices_from(corner)] += curvature
        CholeskyFactor(corner, copy=False)
        self._set_factor(np.concatenate([self.order, new]), buffer[:m + k, :m + k],
                         np.concatenate([self.diagonal, curvature]))

    # ---- feature-sign search -----------------------------------------------
    def finish(self, penalty, w, support, signs=None):
        """Feature-sign search on ``support``; True if it lowered the objective.

        ``signs`` are the support's signs, by default those of ``w``; a
        coordinate at zero with a non-zero sign enters in that direction.

        Solve for the support with the current signs.  If some coefficient
        of that solution has the wrong sign, move towards it only as far as
        the first coefficient reaching zero (on that segment the objective
        is the fixed-sign quadratic, so it decreases), hold that coefficient
        at zero and solve again from the same factor, at most MAX_ROUNDS
        times.  Kept if the objective went down (rounding aside, it always
        does), else w is restored.

        First, a greedy try holds every wrong-signed coefficient at zero at
        once and solves again (no line search): that is where the careful
        search usually ends (38 of 41 finishes on a LassoCV fold), in one or
        two solves instead of one per coefficient leaving the support.  It
        is kept only if the objective went down, else the careful search
        runs.
        """
        done = (self._finish(penalty, w, support, signs, greedy=True)
                or self._finish(penalty, w, support, signs))
        if not done and self.lower is not None and self.order.size != support.size:
            # a factor extended many times, or holding many coordinates, can
            # lose the accuracy a nearly singular support needs: once afresh
            self.lower = None
            done = self._finish(penalty, w, support, signs)
        if done:
            self.spent = 0
        return done

    def polish(self, penalty, w, support=None, signs=None):
        """Solve exactly on ``support`` and ``signs`` (default: w's), then
        refine: True if w moved to a lower objective.

        The feature-sign search of ``finish`` solves the support's normal
        equations through a Cholesky factor of the Gram block, which squares
        its condition number.  Each refinement step computes the fixed-sign
        system's residual from the residual of the data (recomputed from w,
        so it has no drift) and solves for the correction with the same
        factor: the error shrinks by about cond(G) * eps per step, to the
        accuracy of the residual itself, as iterative refinement does.
        """
        datafit = self.datafit
        support = np.flatnonzero(w) if support is None else support
        moved = support.size > 0 and self.finish(penalty, w, support, signs)
        for _ in range(REFINE_STEPS):
            datafit.refresh(w)
            support = np.flatnonzero(w)
            support, signs, _ = _at_bounds(penalty, w, support, np.sign(w[support]))
            if support.size == 0:
                break
            curvature, slope = penalty.fixed_sign_system(support, signs)
            if not self._factorise(support, curvature):
                break
            order = self.order
            residual = np.zeros(order.size)
            at = self.slot[support]
            residual[at] = datafit.gradient(support) - curvature * w[support] - slope
            held = list(np.flatnonzero(~np.isin(order, support)))
            delta = HeldSystem(self.lower, residual, self.units).solve(held)
            if delta is None or not np.any(delta[at]):
                break
            step = w[support] + delta[at]
            if np.any(np.sign(step) != signs):
                break                       # a sign would change: not a refinement
            before = datafit.primal_value(penalty, w)
            previous = w[support].copy()
            datafit.move(w, support.astype(np.intc), step)
            # a Newton step of a quadratic, signs kept: it cannot go up,
            # beyond the rounding of the objective itself
            if not datafit.primal_value(penalty, w) <= before * (1 + 8 * EPS):
                datafit.move(w, support.astype(np.intc), previous)
                break
            moved = True
        return moved

    def _finish(self, penalty, w, support, signs, greedy=False):
        datafit = self.datafit
        signs = np.sign(w[support]) if signs is None else signs
        support, signs, pinned = _at_bounds(penalty, w, support, signs)
        curvature, slope = penalty.fixed_sign_system(support, signs)
        if pinned.size:
            self._cache(np.concatenate([support, pinned]))
        if not self._factorise(support, curvature):
            return False
        order = self.order
        rhs = self.rhs[self.position[order]].copy()
        rhs[self.slot[support]] -= slope
        if pinned.size:           # their part of the fit moves to the right side
            rhs -= self._block(order, pinned) @ w[pinned]
        previous = w[order].copy()
        support_signs = signs
        signs = np.zeros(order.size)
        signs[self.slot[support]] = support_signs
        held = list(np.flatnonzero(signs == 0))       # in the factor, not the support
        system = HeldSystem(self.lower, rhs, self.units)
        likely = []
        penalized = penalty.penalized_mask()[order]
        primal_before = datafit.primal_value(penalty, w)
        current = previous.copy()
        for _ in range(MAX_ROUNDS):
            candidate = system.solve(held, likely)
            if candidate is None:
                break
            wrong = (np.sign(candidate) != signs) & penalized
            wrong[held] = False
            if not wrong.any():
                current = candidate
                break
            if greedy:
                held.extend(np.flatnonzero(wrong).tolist())
                continue
            # (a coordinate at zero at both ends stays there: reach 0)
            step = current[wrong] - candidate[wrong]
            reach = np.divide(current[wrong], step, out=np.zeros(step.size), where=step != 0)
            current = current + reach.min() * (candidate - current)
            held.extend(np.flatnonzero(wrong)[reach <= reach.min()].tolist())
            likely = np.flatnonzero(wrong).tolist()
            current[held] = 0.0
        in_factor = pinned[self.slot[pinned] >= 0]
        current[self.slot[in_factor]] = w[in_factor]      # held at their bound
        if not np.all(np.isfinite(current)):
            return False         # moved into the residual, NaN would stay there
        coords = order.astype(np.intc)
        datafit.move(w, coords, current)
        if datafit.primal_value(penalty, w) < primal_before:
            return True
        datafit.move(w, coords, previous)
        return False


def _at_bounds(penalty, w, support, signs):
    """(support, signs) without the coordinates at a bound of the penalty's
    box, and those coordinates: a finish holds them there (at a non-zero
    bound the fixed-sign system does not apply; at 0 they are not in the
    support)."""
    lower, upper = penalty.bounds()
    at = (w[support] == lower[support]) | (w[support] == upper[support])
    if not at.any():
        return support, signs, support[:0]
    return support[~at], np.asarray(signs)[~at], support[at]
