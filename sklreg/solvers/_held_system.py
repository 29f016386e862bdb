"""Solves of ``L L' x = rhs`` with some coordinates held at zero, from one
Cholesky factor ``L``: the linear algebra of ``SupportSolver``'s finishes
(``sklreg.solvers._support``)."""
import numpy as np

from sklreg.utils._blas import CholeskyFactor


class HeldSystem:
    """``L L' x = rhs`` with some coordinates held at zero.

    Holding x_K = 0 adds one multiplier per held coordinate,
    ``L L' x = rhs + E_K mu``.  With ``f = L^{-1} rhs`` and
    ``Y = L^{-1} E_K``, the conditions x_K = 0 read ``(Y'Y) mu = -Y'f`` and
    the solution is ``x = L^{-T} (f + Y mu)``.  So a held coordinate costs
    one forward solve, kept in ``units`` across finishes (extending the
    factor by rows extends it cheaply), and a solution one backward solve,
    where solving for ``(L L')^{-1} E_K`` took two triangular solves per
    held coordinate and finish.  (Each triangular solve reads the whole
    factor, several MB near interpolation.)
    """

    def __init__(self, lower, rhs, units):
        self.factor = CholeskyFactor.from_lower(lower)
        self.columns = units                     # held k -> L^{-1} e_k
        self.forward = self.factor.solve_lower(rhs)
        # Y, Y'Y and Y'f of the last call's held coordinates, in that order
        self._held = []
        self._Y = np.empty((self.forward.size, 0), order="F")
        self._YtY = np.empty((0, 0))
        self._Ytf = np.empty(0)

    def _solved(self, k):
        return k in self.columns and self.columns[k].size == self.forward.size

    def _solve_units(self, coords):
        """Forward-solve the unit columns of ``coords`` not solved yet, in
        one call (a call reads the whole factor, so the columns a later
        round may need are best solved together), and extend those solved
        before the factor gained rows."""
        L, n = self.factor.factor, self.forward.shape[0]
        coords = list(dict.fromkeys(coords))
        for size in {self.columns[k].size for k in coords if k in self.columns} - {n}:
            # [[L11, 0], [L21, L22]]: the new rows are L22^{-1} (-L21 y)
            stale = [k for k in coords if k in self.columns and self.columns[k].size == size]
            old = np.column_stack([self.columns[k] for k in stale])
            rows = CholeskyFactor.from_lower(L[size:, size:]).solve_lower(-(L[size:, :size] @ old))
            self.columns.update(zip(stale, np.vstack([old, rows]).T))
        todo = np.array([k for k in coords if k not in self.columns], dtype=np.intp)
        if not todo.size:
            return
        # L^{-1} e_k is zero above row k: solve from the first such row
        start = todo.min()
        block = np.zeros((n - start, todo.size), order="F")
        block[todo - start, np.arange(todo.size)] = 1.0
        solved = np.zeros((n, todo.size))
        solved[start:] = CholeskyFactor.from_lower(L[start:, start:]).solve_lower(block)
        self.columns.update(zip(todo.tolist(), solved.T))

    def _products(self, held):
        """Y, Y'Y and Y'f for ``held``: only the new columns' products when
        ``held`` extends the last call's (each round of a feature-sign
        search holds a few more coordinates)."""
        known = len(self._held)
        if self._held != held[:known]:
            known = 0
        total = len(held)
        if total > self._Y.shape[1]:
            room = max(total, 2 * self._Y.shape[1], 16)
            Y = np.empty((self.forward.size, room), order="F")
            YtY, Ytf = np.empty((room, room)), np.empty(room)
            Y[:, :known] = self._Y[:, :known]
            YtY[:known, :known] = self._YtY[:known, :known]
            Ytf[:known] = self._Ytf[:known]
            self._Y, self._YtY, self._Ytf = Y, YtY, Ytf
        for i in range(known, total):
            self._Y[:, i] = self.columns[held[i]]
        new = self._Y[:, known:total]
        block = new.T @ self._Y[:, :total]
        self._YtY[known:total, :total] = block
        self._YtY[:known, known:total] = block[:, :known].T
        self._Ytf[known:total] = new.T @ self.forward
        self._held = list(held)
        return self._Y[:, :total], self._YtY[:total, :total], self._Ytf[:total]

    def solve(self, held, likely=()):
        """Solution with ``held`` at zero; the unit columns of ``likely``
        (coordinates that may be held next) are solved in the same call."""
        shifted = self.forward
        if held:
            if not all(self._solved(k) for k in held):
                self._solve_units(list(held) + list(likely))
            Y, YtY, Ytf = self._products(held)
            try:    # small: NumPy's solve costs a tenth of SciPy's per call
                multipliers = np.linalg.solve(YtY, -Ytf)
            except np.linalg.LinAlgError:
                return None
            shifted = self.forward + Y @ multipliers
        solution = self.factor.solve_lower(shifted, transpose=True)
        solution[held] = 0.0
        return solution if np.all(np.isfinite(solution)) else None
