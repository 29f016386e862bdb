"""Blocks of the ridge kernel ``K = X_S diag(1 / l2_S) X_S^T`` between rows.

The face solver (``_face``) needs ``K`` on its fitted rows for a support S
that changes by a few coordinates at a time.  With few rows (at most
``FULL_ROWS`` with a positive weight) the whole kernel of those rows is kept
and corrected by the coordinates that enter or leave S (O(n**2) each); with
more, the block is computed from the rows asked for.
"""
import numpy as np
import scipy.sparse as sp

FULL_ROWS = 2000
BLOCK = 1 << 20          # elements of X converted at a time
REBUILD = 0.5            # corrections (as a fraction of |S|) before a rebuild


class RowKernel:
    """``block(rows, support)``: K restricted to ``rows`` (indices into X's
    rows, all among ``kept``) for the boolean mask ``support`` of ridged
    coordinates; X is ``X - 1 shift^T`` when a ``shift`` is given."""

    def __init__(self, design, kept, l2, shift=None):
        self.X, self.shift = design.matrix, shift
        self.kept = kept
        self.inv = np.divide(1.0, l2, out=np.zeros(l2.shape), where=l2 > 0)
        self.full = kept.size <= FULL_ROWS
        self.position = np.full(design.n_samples, -1, dtype=np.intp)
        self.position[kept] = np.arange(kept.size)
        self.support = None
        self.K = None
        self.changes = 0

    def _product(self, rows, cols, sign=1.0):
        """``sign * X[rows, cols] diag(inv) X[rows, cols]^T`` (float64)."""
        out = np.zeros((rows.size, rows.size))
        if rows.size == 0 or cols.size == 0:
            return out
        step = max(1, BLOCK // max(rows.size, 1))
        for k in range(0, cols.size, step):
            part = cols[k:k + step]
            block = self.dense(rows, part)
            out += (block * (sign * self.inv[part])) @ block.T
        return out

    def dense(self, rows, cols):
        """X[rows][:, cols] as a dense float64 array (shifted)."""
        if sp.issparse(self.X):
            block = self.X[:, cols][rows].toarray().astype(np.float64, copy=False)
        else:
            block = np.asarray(self.X[np.ix_(rows, cols)], dtype=np.float64)
        if self.shift is not None:
            block -= self.shift[cols]
        return block

    def block(self, rows, support):
        if not self.full:
            return self._product(rows, np.flatnonzero(support))
        if self.K is None or self.changes > REBUILD * max(support.sum(), 1):
            self.K = self._product(self.kept, np.flatnonzero(support))
            self.support, self.changes = support.copy(), 0
        elif not np.array_equal(support, self.support):
            added = np.flatnonzero(support & ~self.support)
            removed = np.flatnonzero(self.support & ~support)
            self.K += self._product(self.kept, added)
            self.K += self._product(self.kept, removed, -1.0)
            self.support = support.copy()
            self.changes += added.size + removed.size
        at = self.position[rows]
        return self.K[np.ix_(at, at)]
