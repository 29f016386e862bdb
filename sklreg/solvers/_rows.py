"""X as a linear operator for solvers that work with whole products.

``Rows(X)`` gives ``X @ w``, ``X.T @ v`` and the weighted Gram matrix
``X.T @ diag(d) @ X`` in float64, for dense (any order) or sparse X of
float32 or float64.  Dense float32 X is processed in row blocks converted to
float64 one at a time, so no float64 copy of X is ever made; sparse X is
multiplied by scipy.  Peak extra memory is one block (dense) or one copy of
the non-zeros (sparse Gram).
"""
import numpy as np
import scipy.sparse as sp

BLOCK_ELEMENTS = 1 << 20     # ~8 MB of float64 per row block


class Rows:
    """Products with X; see the module docstring."""

    def __init__(self, X):
        self.X = X
        self.shape = X.shape
        self._sparse = sp.issparse(X)
        self._direct = self._sparse or X.dtype == np.float64
        n, p = X.shape
        self._block = max(1, BLOCK_ELEMENTS // max(p, 1))

    def _blocks(self):
        n = self.shape[0]
        for i0 in range(0, n, self._block):
            i1 = min(n, i0 + self._block)
            yield i0, i1, np.asarray(self.X[i0:i1], dtype=np.float64)

    def matvec(self, w):
        """Return X @ w (float64, shape (n,))."""
        if self._direct:
            return np.asarray(self.X @ w, dtype=np.float64).ravel()
        out = np.empty(self.shape[0])
        for i0, i1, Xb in self._blocks():
            out[i0:i1] = Xb @ w
        return out

    def rmatvec(self, v):
        """Return X.T @ v (float64, shape (p,))."""
        if self._direct:
            return np.asarray(self.X.T @ v, dtype=np.float64).ravel()
        out = np.zeros(self.shape[1])
        for i0, i1, Xb in self._blocks():
            out += Xb.T @ v[i0:i1]
        return out

    def gram(self, d, ones=False):
        """Return B.T @ diag(d) @ B (dense float64), d >= 0, where B is X or,
        with ``ones``, X with a column of ones appended (one pass either way)."""
        p = self.shape[1]
        if self._sparse:
            G = np.empty((p + ones, p + ones))
            G[:p, :p] = (self.X.T @ self.X.multiply(d[:, None]).tocsc()).toarray()
            if ones:
                G[:p, p] = G[p, :p] = self.rmatvec(d)
                G[p, p] = d.sum()
            return G
        G = np.zeros((p + ones, p + ones))
        root = np.sqrt(d)
        buf = np.empty((self._block, p + ones))
        for i0, i1, Xb in self._blocks():
            Xs = buf[:i1 - i0]
            np.multiply(Xb, root[i0:i1, None], out=Xs[:, :p])
            if ones:
                Xs[:, p] = root[i0:i1]
            G += Xs.T @ Xs
        return G

    def take(self, rows, extra=None):
        """Return a new matrix: X[rows] with the rows of the float64 array
        ``extra`` (shape (k, p)) appended (then float64, so that appended
        rows are not rounded); sparse stays sparse (CSC)."""
        part = self.X[rows]
        if extra is None or len(extra) == 0:
            return part
        if self._sparse:
            return sp.vstack([part, sp.csc_array(extra)], format="csc")
        return np.vstack([part, np.asarray(extra, dtype=np.float64)])
