"""The centred, weighted design of ridge regression, applied without cancellation.

With an intercept, ridge works on ``Xt = S^(1/2) (X - 1 mu^T)`` (``mu`` the
weighted column means, ``S`` the sample weights).  ``Xt`` is never formed:
its products, Gram ``Xt^T Xt`` and kernel ``Xt Xt^T`` take the mean as a
rank-one correction, so sparse X stays sparse and dense X is not copied.

That correction subtracts two large numbers when a column's mean dwarfs its
spread (a time stamp: mean 1e9, spread 1e3): ``x^T x - n mu^2`` keeps
``log10(x^T x / (x^T x - n mu^2))`` fewer digits.  Such *offset columns*
(ratio above ``OFFSET_RATIO``) are held explicitly centred, ``D = X[:, F] -
mu_F`` (a dense copy of those columns only; on sparse X they are nearly
dense anyway, as a mostly-zero column cannot have a mean that dwarfs its
spread), and every product takes them from D.  Columns below the ratio lose
at most ``log10(OFFSET_RATIO)`` digits to the correction.
"""
import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import get_blas_funcs
from scipy.sparse.linalg import LinearOperator

from sklreg._core._design import Design
from sklreg.utils._blas import blas_state, blas_threads

ROW_BLOCK = 4096      # rows per block when a weighted Gram is accumulated
COL_BLOCK = 512       # columns per block of a kernel that leaves offset columns out
OFFSET_RATIO = 1e3    # x^T x above this times the centred sum: held centred
BLOCK_ENTRIES = 2 ** 20   # entries of a float64 block of float32 X in a product
SAMPLE_ROWS = 16      # rows that clear most columns of that suspicion


def gram_threads():
    """BLAS threads for a Gram product: the configured count, reduced to the
    cores left idle by the 1-minute load average (this process counted as
    one), as libgomp's dynamic mode does.  OpenBLAS threads synchronise by
    spinning; on a busy machine they are descheduled mid-product, and syrk
    with 2 threads ran 2.5x slower than with 1 (2 cores, load average 10)."""
    import os
    configured = blas_state()[1]
    try:
        load = os.getloadavg()[0]
    except OSError:
        return configured
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return int(max(1, min(configured, round((cpus or 1) + 1 - load))))


def _symmetrize(upper):
    """Fill the lower triangle of a matrix whose upper triangle is set."""
    return np.triu(upper) + np.triu(upper, 1).T


def syrk(A, trans):
    """``A^T A`` (trans=1) or ``A A^T`` (trans=0) in float64, by BLAS syrk.

    float32 A is taken in float64 blocks along the summed axis: a Gram
    accumulated in float32 loses 7 digits, which an alpha near 0 turns
    into coefficient errors of ~1e-5 (scikit-learn's float32 tests)."""
    if A.flags.c_contiguous and not A.flags.f_contiguous:
        A, trans = A.T, 1 - trans          # the same matrix, Fortran-ordered
    product = get_blas_funcs("syrk", (np.empty(0),))
    with blas_threads(gram_threads()):
        if A.dtype == np.float64:
            upper = product(1.0, A, trans=trans)
        else:
            summed = 0 if trans else 1          # the axis the product sums over
            size = A.shape[1 - summed]
            upper = np.zeros((size, size), order="F")
            step = ROW_BLOCK if trans else COL_BLOCK
            for start in range(0, A.shape[summed], step):
                block = A[start:start + step] if trans else A[:, start:start + step]
                upper = product(1.0, np.asfortranarray(block, dtype=np.float64),
                                trans=trans, beta=1.0, c=upper, overwrite_c=True)
    return _symmetrize(upper)


def sparse64(X, row_scale=None):
    """Sparse X with float64 values, its rows scaled by ``row_scale``: a new
    values array sharing X's index arrays (CSC), or X itself when it is
    float64 and unscaled."""
    if row_scale is None and X.dtype == np.float64:
        return X
    if X.format != "csc":
        X = X.astype(np.float64)
        return X if row_scale is None else sp.diags(row_scale) @ X
    data = X.data.astype(np.float64)
    if row_scale is not None:
        data *= row_scale[X.indices]
    return sp.csc_matrix((data, X.indices, X.indptr), shape=X.shape)


def weighted_sqnorms(X, s):
    """``sum_i s_i X[i, j]**2`` for every column (s None: unit weights), one
    pass, no copy of X."""
    if not sp.issparse(X):
        if s is None:
            return np.einsum("ij,ij->j", X, X, dtype=np.float64)
        return np.einsum("ij,ij,i->j", X, X, s, dtype=np.float64)
    weights = np.ones(X.shape[0]) if s is None else s
    if X.format == "csc":
        return Design(X).col_sqnorms(np.ascontiguousarray(weights, dtype=np.float64))
    return np.asarray(X.multiply(X).T @ weights, dtype=np.float64).ravel()


def times64(X, V, transpose=False):
    """``X @ V`` (``X.T @ V`` with ``transpose``) accumulated in float64.

    float32 X (dense) is taken in float64 column blocks of at most
    ``BLOCK_ENTRIES`` and sparse X through a float64 copy of its values
    only: products accumulated in float32 lose 7 digits (coefficient errors
    of 2e-5 at alpha -> 0 in scikit-learn's float32 tests), and NumPy would
    cast all of dense X to a float64 copy at every call."""
    V = np.asarray(V, dtype=np.float64)
    if sp.issparse(X):
        X = sparse64(X)
        return np.asarray(X.T @ V if transpose else X @ V)
    if X.dtype == np.float64:
        return X.T @ V if transpose else X @ V
    n, p = X.shape
    out = np.zeros((p if transpose else n,) + V.shape[1:])
    step = max(1, BLOCK_ENTRIES // max(n, 1))
    for j in range(0, p, step):
        block = np.asarray(X[:, j:j + step], dtype=np.float64)
        if transpose:
            out[j:j + step] = block.T @ V
        else:
            out += block @ V[j:j + step]
    return out


class CentredDesign:
    """``Xt = S^(1/2) (X - 1 mu^T)`` applied implicitly, offset columns explicitly.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    fit_intercept : bool
        Without an intercept, mu = 0 (no centring).
    """

    def __init__(self, X, sample_weight, fit_intercept):
        n, p = X.shape
        self.X = X
        self.shape = (n, p)
        self.is_sparse = sp.issparse(X)
        self.s = None if sample_weight is None else np.asarray(sample_weight, np.float64)
        self.weights = np.ones(n) if self.s is None else self.s
        self.sqrt_s = np.ones(n) if self.s is None else np.sqrt(self.s)
        self.n_w = float(self.weights.sum())
        self.fit_intercept = fit_intercept
        if fit_intercept:
            self.mu = np.asarray(X.T @ self.weights, dtype=np.float64).ravel() / self.n_w
        else:
            self.mu = np.zeros(p)
        self._raw_sq = self._offset = self._D = None

    # -- offset columns ----------------------------------------------------
    def raw_sqnorms(self):
        """``sum_i s_i X[i, j]**2`` (uncentred), one pass over X, cached."""
        if self._raw_sq is None:
            self._raw_sq = weighted_sqnorms(self.X, self.s)
        return self._raw_sq

    @property
    def offset(self):
        """Indices of the offset columns (held centred in ``D``)."""
        if self._offset is None:
            if not self.fit_intercept:
                self._offset = np.array([], dtype=np.intp)
            elif self._raw_sq is None and not self.is_sparse:
                self._offset = self._offset_by_sample()
            else:
                raw = self.raw_sqnorms()
                centred = raw - self.n_w * self.mu ** 2
                self._offset = np.flatnonzero((raw > 0) & (raw > OFFSET_RATIO * centred))
        return self._offset

    def _offset_by_sample(self):
        """The offset columns of dense X without a pass over it: the centred
        sum over a few rows is at most the full one, so a column whose
        ``n_w mu^2`` is small against it is not offset; only the others are
        centred in full to decide."""
        rows = slice(0, min(self.shape[0], SAMPLE_ROWS))
        head = np.asarray(self.X[rows], dtype=np.float64) - self.mu
        lower = np.einsum("ij,ij,i->j", head, head, self.weights[rows])
        bound = self.n_w * self.mu ** 2
        suspects = np.flatnonzero(bound > (OFFSET_RATIO - 1) * lower)
        if suspects.size == 0:
            return suspects
        cols = np.asarray(self.X[:, suspects], dtype=np.float64) - self.mu[suspects]
        centred = np.einsum("ij,ij,i->j", cols, cols, self.weights)
        return suspects[bound[suspects] > (OFFSET_RATIO - 1) * centred]

    @property
    def D(self):
        """The offset columns centred, float64 of shape (n, len(offset))."""
        if self._D is None:
            cols = self.X[:, self.offset]
            cols = cols.toarray() if sp.issparse(cols) else np.asarray(cols)
            self._D = cols.astype(np.float64) - self.mu[self.offset]
        return self._D

    def _plain_mu(self):
        """mu with the offset columns' entries zeroed."""
        mu = self.mu.copy()
        mu[self.offset] = 0.0
        return mu

    # -- targets -----------------------------------------------------------
    def y_mean(self, Y):
        """Weighted means of the columns of Y (zeros without an intercept)."""
        if not self.fit_intercept:
            return np.zeros(Y.shape[1])
        return (Y.T @ self.weights) / self.n_w

    def centre_y(self, Y):
        """Return (yt of shape (n, k), ybar of shape (k,)) for Y of shape (n, k)."""
        ybar = self.y_mean(Y)
        return self.sqrt_s[:, None] * (Y - ybar), ybar

    def coef_to_intercept(self, W, ybar):
        """Intercepts ``ybar - mu . w`` for W of shape (k, p)."""
        return ybar - W @ self.mu if self.fit_intercept else np.zeros(W.shape[0])

    def _weigh(self, V):
        """``S^(1/2) V`` along the first axis (no work without weights)."""
        if self.s is None:
            return V
        return self.sqrt_s.reshape((-1,) + (1,) * (V.ndim - 1)) * V

    # -- products ----------------------------------------------------------
    def matvec(self, W):
        """``Xt @ W`` for W of shape (p,) or (p, k), accumulated in float64."""
        F = self.offset
        if F.size:
            W0 = np.array(W, dtype=np.float64)
            W0[F] = 0.0
        else:
            W0 = W
        XW = times64(self.X, W0)
        if self.fit_intercept:
            XW -= self.mu @ W0
        if F.size:
            XW = XW + self.D @ np.asarray(W, dtype=np.float64)[F]
        return self._weigh(XW)

    def rmatvec(self, R):
        """``Xt^T @ R`` for R of shape (n,) or (n, k)."""
        SR = self._weigh(R)
        XtR = times64(self.X, SR, transpose=True)
        if self.fit_intercept:
            XtR = XtR - np.multiply.outer(self.mu, SR.sum(axis=0))
            F = self.offset
            if F.size:
                XtR[F] = self.D.T @ SR
        return XtR

    def col_sqnorms(self):
        """The diagonal of ``Xt^T Xt`` (one pass over X, cached)."""
        sq = self.raw_sqnorms() - self.n_w * self.mu ** 2
        F = self.offset
        if F.size:
            sq[F] = np.einsum("ij,ij,i->j", self.D, self.D, self.weights)
        return sq

    def gram(self):
        """``Xt^T Xt``, shape (p, p): BLAS syrk on row blocks, no copy of X."""
        X = self.X
        if self.is_sparse:
            Xs = sparse64(X, None if self.s is None else self.sqrt_s)
            G = np.asarray((Xs.T @ Xs).toarray(), dtype=np.float64)
        elif self.s is None:
            G = syrk(X, trans=1)
        else:
            G = np.zeros((X.shape[1], X.shape[1]))
            for start in range(0, X.shape[0], ROW_BLOCK):
                block = slice(start, start + ROW_BLOCK)
                G += syrk(np.asfortranarray(X[block] * self.sqrt_s[block, None]), 1)
        if self._raw_sq is None:
            self._raw_sq = np.diag(G).copy()
        G -= self.n_w * np.outer(self.mu, self.mu)
        F = self.offset
        if F.size:      # Xt^T (S^(1/2) D): no cancellation in these columns
            cross = self.rmatvec(self.sqrt_s[:, None] * self.D)
            G[:, F] = cross
            G[F, :] = cross.T
        return G

    def kernel(self):
        """``Xt Xt^T``, shape (n, n), with the centring as a rank-2 correction."""
        X, F = self.X, self.offset
        if F.size == 0:
            K = self._raw_kernel(X)
        else:       # the others by column blocks, the offset columns from D
            plain = np.setdiff1d(np.arange(X.shape[1]), F)
            K = self.D @ self.D.T
            for start in range(0, plain.size, COL_BLOCK):
                K += self._raw_kernel(X[:, plain[start:start + COL_BLOCK]])
        if self.fit_intercept:
            mu = self._plain_mu()
            m = times64(X, mu)
            K -= m[:, None] + m[None, :]
            K += mu @ mu
        return K * np.outer(self.sqrt_s, self.sqrt_s)

    @staticmethod
    def _raw_kernel(X):
        if sp.issparse(X):
            X = sparse64(X)
            return np.asarray((X @ X.T).toarray(), dtype=np.float64)
        return syrk(X, trans=0)

    def dense(self):
        """``Xt`` itself, a new dense array (dense X only)."""
        return self.sqrt_s[:, None] * (self.X - self.mu)

    def operator(self):
        """``Xt`` as a scipy LinearOperator (for LSQR)."""
        return LinearOperator(self.shape, matvec=self.matvec, rmatvec=self.rmatvec,
                              dtype=np.float64)
