"""X as a linear operator for solvers that work with whole products.

``Rows(X)`` gives ``X @ w``, ``X.T @ v`` and the weighted Gram matrix
``X.T @ diag(d) @ X`` in float64, for dense (any order) or sparse X of
float32 or float64.  Dense float32 X is processed in row blocks converted to
float64 one at a time, so no float64 copy of X is ever made; sparse X is
multiplied by scipy.  Peak extra memory is one block (dense) or one copy of
the non-zeros (sparse Gram).

``Rows.scaled(d)`` is ``X diag(1 / d)`` (column scaling, applied to the
products, not to X).  ``Rows.shifted(m)`` is ``X - 1 m^T``: columns with a
large mean, centred without copying X and without the cancellation of
``X^T D X - n m m^T``: each dense block is centred before its products
(exact where a column's values are within a factor 2 of its mean).  On
sparse X the shift is applied to the products (a correction term, which
cancels as ``X^T D X - n m m^T`` does: ``conditioned`` does not use it).
``conditioned(X, s, fit_intercept)`` picks the columns to scale (extreme
magnitudes) and to shift (a large mean) for the quantile interior point.

``Rows.take(rows, extra)`` is the operator of ``X[rows]`` with float64 rows
appended (kept apart, so float32 rows are not upcast).  A dense subset of
at most 1/32 of X (or 32 MB) is copied in X's dtype; a larger one is not
copied at all: its products gather one row block at a time.  Sparse X is
sliced (a copy of those rows' non-zeros).
"""
import numpy as np
import scipy.sparse as sp

from sklreg.solvers._centred import syrk

BLOCK_ELEMENTS = 1 << 20     # ~8 MB of float64 per row block
COPY_FRACTION = 32           # take() copies rows up to 1/32 of X (or up to
COPY_MIN_BYTES = 32 << 20    # 32 MB on a small X), gathers beyond
OFFSET_RATIO = 0.99          # a column whose mean**2 is this much of its second moment
EXTREME = 2.0 ** 100         # columns with entries beyond this (or within 1 / this) are scaled


class Rows:
    """Products with X, or with ``X[rows]`` followed by the float64 rows
    ``extra``; see the module docstring.  ``X`` is the whole matrix and
    ``shape`` the operator's."""

    def __init__(self, X, rows=None, extra=None, col_scale=None, col_shift=None):
        self.X = X
        self._scale = col_scale     # None, or the operator is X diag(1 / col_scale)
        # None, or the base rows are X - col_shift (the extra rows are not shifted)
        self._shift = col_shift
        self._sparse = sp.issparse(X)
        if self._sparse and (rows is not None or extra is not None):
            raise ValueError("sparse X: slice it instead (Rows.take)")
        self._rows = rows
        n_base = X.shape[0] if rows is None else len(rows)
        self._extra = (None if extra is None or len(extra) == 0
                       else np.asarray(extra, dtype=np.float64))
        n_extra = 0 if self._extra is None else self._extra.shape[0]
        self._n_base = n_base
        self.shape = (n_base + n_extra, X.shape[1])
        self._direct = ((self._sparse or X.dtype == np.float64) and self.shape == X.shape
                        and (col_shift is None or self._sparse))
        self._block = max(1, BLOCK_ELEMENTS // max(X.shape[1], 1))

    def _blocks(self):
        """Yield (i0, i1, float64 rows i0:i1 of the operator)."""
        for i0 in range(0, self._n_base, self._block):
            i1 = min(self._n_base, i0 + self._block)
            if self._rows is None:
                part = self.X[i0:i1]
            else:        # gather the block's rows (not X.take: it copies all of X)
                part = self.X[self._rows[i0:i1]]
            part = np.asarray(part, dtype=np.float64)
            yield i0, i1, part if self._shift is None else part - self._shift
        if self._extra is not None:
            yield self._n_base, self.shape[0], self._extra

    def matvec(self, w):
        """Return X @ w (float64, shape (n,))."""
        if self._scale is not None:
            w = w / self._scale
        if self._direct:
            out = np.asarray(self.X @ w, dtype=np.float64).ravel()
            return out if self._shift is None else out - np.dot(self._shift, w)
        out = np.empty(self.shape[0])
        for i0, i1, Xb in self._blocks():
            out[i0:i1] = Xb @ w
        return out

    def rmatvec(self, v):
        """Return X.T @ v (float64, shape (p,))."""
        if self._direct:
            out = np.asarray(self.X.T @ v, dtype=np.float64).ravel()
            if self._shift is not None:
                out -= self._shift * v.sum()
        else:
            out = np.zeros(self.shape[1])
            for i0, i1, Xb in self._blocks():
                out += Xb.T @ v[i0:i1]
        return out if self._scale is None else out / self._scale

    def abs_rmatvec(self, v, cols=None):
        """Return ``|B|.T @ v`` (float64), B the operator (its columns ``cols``
        only, a boolean mask, when given) and v >= 0: a bound on the terms of
        ``B.T @ v``, hence on its rounding.  A shift on sparse X is bounded
        by ``|x - m| <= |x| + |m|``."""
        cols = np.ones(self.shape[1], dtype=bool) if cols is None else cols
        if self._sparse:
            # abs() copies the index arrays too: scipy may sort them in place
            absX = abs(sp.csc_matrix(self.X)[:, np.flatnonzero(cols)])
            out = np.asarray(absX.T @ v, dtype=np.float64).ravel()
            if self._shift is not None:
                out += np.abs(self._shift[cols]) * v.sum()
        else:
            out = np.zeros(np.count_nonzero(cols))
            for i0, i1, Xb in self._blocks():
                out += np.abs(Xb[:, cols]).T @ v[i0:i1]
        return out if self._scale is None else out / self._scale[cols]

    def col_peaks(self):
        """``(rows, values)``: for every column of the operator, the row of its
        largest entry in magnitude and that entry (one pass); None on sparse
        X shifted through its products."""
        if self._sparse:
            if self._shift is not None:
                return None
            X = sp.csc_matrix(self.X, copy=True)      # argmax may sort X's indices in place
            rows = np.asarray(abs(X).argmax(axis=0)).ravel()
            values = np.asarray(X[rows, np.arange(X.shape[1])], dtype=np.float64).ravel()
        else:
            rows, values = np.zeros(self.shape[1], dtype=np.intp), np.zeros(self.shape[1])
            for i0, _, Xb in self._blocks():
                at = np.argmax(np.abs(Xb), axis=0)
                top = Xb[at, np.arange(Xb.shape[1])]
                better = np.abs(top) > np.abs(values)
                rows[better], values[better] = at[better] + i0, top[better]
        return rows, values if self._scale is None else values / self._scale

    def gram(self, d, ones=False, c=None):
        """Return B.T @ diag(d) @ B (dense float64), where B is X or, with
        ``ones``, X with a column of ones appended (one pass either way).
        With ``c`` (shape (n,)), return ``(that, B.T @ c)`` from the same
        pass.  ``d`` may have negative entries (a difference of Grams)."""
        G, Bc = self._gram(d, ones, c)
        if self._scale is not None:
            inv = np.append(1.0 / self._scale, [1.0] * ones)
            G *= inv[:, None]
            G *= inv[None, :]
            Bc = None if Bc is None else Bc * inv
        return G if c is None else (G, Bc)

    def dense_rows(self, idx):
        """Return the rows ``idx`` of the operator, dense float64 (len(idx), p)."""
        idx = np.asarray(idx, dtype=np.intp)
        out = np.empty((idx.size, self.shape[1]))
        base = idx < self._n_base
        if base.any():
            src = idx[base] if self._rows is None else self._rows[idx[base]]
            part = self.X[src]
            out[base] = part.toarray() if self._sparse else part
            if self._shift is not None:
                out[base] -= self._shift
        if not base.all():
            out[~base] = self._extra[idx[~base] - self._n_base]
        return out if self._scale is None else out / self._scale

    def col_norms(self, s):
        """``sqrt(sum_i s_i B_ij**2)`` for every column j of the operator B
        (one pass; ``s`` of shape (n,), non-negative)."""
        if self._sparse:
            sq = np.asarray(self.X.multiply(self.X).T @ s, dtype=np.float64).ravel()
            if self._shift is not None:
                sq += self._shift * (self._shift * s.sum()
                                     - 2 * np.asarray(self.X.T @ s).ravel())
                sq = np.maximum(sq, 0.0)
        else:
            sq = np.zeros(self.shape[1])
            for i0, i1, Xb in self._blocks():
                sq += np.einsum("ij,ij,i->j", Xb, Xb, s[i0:i1])
        norms = np.sqrt(sq)
        return norms if self._scale is None else norms / self._scale

    def scaled(self, d):
        """Return the operator ``B diag(1 / d)``, B this one (d > 0, shape (p,))."""
        scale = d if self._scale is None else self._scale * d
        return Rows(self.X, self._rows, self._extra, scale, self._shift)

    def shifted(self, m):
        """Return the operator ``X - 1 m^T`` (m of shape (p,)), X this one's
        matrix (unscaled, all rows)."""
        self._unscaled("shifted")
        if self._rows is not None or self._extra is not None:
            raise ValueError("Rows.shifted of a part of X")
        return Rows(self.X, col_shift=np.asarray(m, dtype=np.float64))

    def _gram(self, d, ones, c, by_sign=False):
        p = self.shape[1]
        Bc = None
        if self._sparse:
            G = np.empty((p + ones, p + ones))
            G[:p, :p] = (self.X.T @ self.X.multiply(d[:, None]).tocsc()).toarray()
            if ones:
                G[:p, p] = G[p, :p] = np.asarray(self.X.T @ d, dtype=np.float64).ravel()
                G[p, p] = d.sum()
            if c is not None:
                Bc = np.asarray(self.X.T @ c, dtype=np.float64).ravel()
                Bc = np.append(Bc, c.sum()) if ones else Bc
            if self._shift is not None:       # (X - 1 m^T)^T D (X - 1 m^T), expanded
                m = self._shift
                Xd = np.asarray(self.X.T @ d, dtype=np.float64).ravel()
                G[:p, :p] += np.outer(m, m) * d.sum() - np.outer(Xd, m) - np.outer(m, Xd)
                if ones:
                    G[:p, p] = G[p, :p] = Xd - m * d.sum()
                if c is not None:
                    Bc[:p] -= m * c.sum()
            return G, Bc
        if p and self._direct and self.X.flags.f_contiguous and np.all(d == d[0]) \
                and d[0] > 0:
            # equal weights on all of X: one syrk on X itself, no scaled
            # copy of its blocks (half the time of the blocked product)
            G = np.empty((p + ones, p + ones))
            G[:p, :p] = d[0] * syrk(self.X, trans=1)
            if ones:
                G[:p, p] = G[p, :p] = self.X.T @ d
                G[p, p] = d.sum()
            Bc = None if c is None else np.append(self.X.T @ c, [c.sum()] * ones)
            return G, Bc
        if self._rows is not None and not by_sign and np.any(d < 0):
            # gathered rows: gather those of positive d first (a block then
            # holds one sign, or two runs of the signs)
            first = np.argsort(d[:self._n_base] < 0, kind="stable")
            return Rows(self.X, self._rows[first], self._extra, col_shift=self._shift)._gram(
                np.append(d[:self._n_base][first], d[self._n_base:]), ones,
                None if c is None else np.append(c[:self._n_base][first], c[self._n_base:]),
                by_sign=True)
        G = np.zeros((p + ones, p + ones))
        Bc = None if c is None else np.zeros(p + ones)
        # the buffer takes the order of the blocks, so the scaling below
        # streams both (a transposing copy cost as much as the product):
        # Fortran for slices of Fortran X, C for gathered rows
        order = "F" if self._rows is None and self.X.flags.f_contiguous else "C"
        buf = np.empty((min(self._block, self.shape[0]), p + ones), order=order)
        for i0, i1, Xb in self._blocks():
            db, Xs = d[i0:i1], buf[:i1 - i0]
            if c is not None:
                Bc[:p] += Xb.T @ c[i0:i1]
                Bc[p:] += c[i0:i1].sum()
            # S.T S - N.T N, S = diag(sqrt(d)) B on the rows of positive d, N
            # on the others: two symmetric products (syrk), half the flops of B.T (d B)
            negative = db < 0
            split = db.size - np.count_nonzero(negative)
            if 0 < split < db.size and negative[:split].any():   # positive rows first
                sorted_rows = np.argsort(negative, kind="stable")
                Xb, db = Xb[sorted_rows], db[sorted_rows]
            root = np.sqrt(np.abs(db))              # per block: no n-vector
            np.multiply(Xb, root[:, None], out=Xs[:, :p])
            if ones:
                Xs[:, p] = root
            del Xb                      # before the next block is made
            if split:
                G += Xs[:split].T @ Xs[:split]
            if split < db.size:
                G -= Xs[split:].T @ Xs[split:]
        return G, Bc

    def take(self, rows, extra=None):
        """Return the Rows of X[rows] (``rows`` sorted indices) with the rows
        of the float64 array ``extra`` (shape (k, p)) appended, unrounded.

        ``X[rows]`` is copied, in X's dtype, up to ``copyable_rows()``;
        beyond, its products gather one block of rows at a time (a strided
        gather: ~10x slower per element than a copy's reads, but no copy).
        """
        self._unscaled("take")
        rows = np.asarray(rows, dtype=np.intp)
        if self._rows is not None or self._extra is not None:
            raise ValueError("Rows.take of a part of X")
        if self._sparse:
            part = self.X[rows]
            if extra is not None and len(extra):
                # stacked with X's rows, so shifted back: the shift applies to all
                extra = np.asarray(extra, dtype=np.float64)
                extra = extra if self._shift is None else extra + self._shift
                part = sp.vstack([part, sp.csc_array(extra)], format="csc")
            return Rows(sp.csc_array(part), col_shift=self._shift)
        if rows.size <= self.copyable_rows():
            return Rows(self.X[rows], None, extra, col_shift=self._shift)
        return Rows(self.X, rows, extra, col_shift=self._shift)

    def copyable_rows(self):
        """How many rows ``take`` copies (beyond, it gathers): at most 1/32 of
        X's bytes, or 32 MB when that is more (small X); all for sparse X."""
        X = self.X
        if self._sparse:                # sliced: a copy of those rows' non-zeros
            return X.shape[0]
        budget = max(X.nbytes // COPY_FRACTION, COPY_MIN_BYTES)
        return int(budget // max(X.shape[1] * X.dtype.itemsize, 1))

    def columns(self, cols):
        """Return the Rows of the same rows restricted to the features ``cols``."""
        self._unscaled("columns")
        extra = None if self._extra is None else self._extra[:, cols]
        shift = None if self._shift is None else self._shift[cols]
        return Rows(self.X[:, cols], self._rows, extra, col_shift=shift)

    def _unscaled(self, what):
        if self._scale is not None:
            raise ValueError(f"Rows.{what} of a scaled operator")


def conditioned(X, s, fit_intercept):
    """X as the interior point wants it: ``(rows, scale, shift, norms)``.

    Columns whose entries reach beyond ``2**100`` (or stay below ``2**-100``)
    would overflow (underflow) the solver's products: they are divided by a
    power of two near their largest entry, in a copy of X (``scale``; None
    when no column is).  With an intercept, the columns whose spread is small
    against their mean (``mean**2 > 0.99 * mean(x**2)``, whose Gram entries
    would cancel) are centred by ``Rows.shifted`` (``shift``, in the scaled
    columns' units; None when no column is).  The problem's coefficients are
    then ``scale * w`` and its intercept ``b + shift . (scale * w)``.
    ``norms`` is ``rows.col_norms(s)`` when already computed (X unchanged),
    else None.
    """
    scale = None
    mean, norms = _column_moments(X, s)
    rms = norms / np.sqrt(s.sum())
    if not np.all((rms <= EXTREME) & ((rms >= 1 / EXTREME) | (mean == 0))):
        big = np.maximum(np.abs(X.max(axis=0).toarray().ravel() if sp.issparse(X)
                                else X.max(axis=0)),
                         np.abs(X.min(axis=0).toarray().ravel() if sp.issparse(X)
                                else X.min(axis=0)))
        extreme = (big > EXTREME) | ((big < 1 / EXTREME) & (big > 0))
        if extreme.any():
            scale = np.where(extreme, 2.0 ** np.floor(np.log2(np.where(extreme, big, 1.0))), 1.0)
            X = ((X @ sp.diags(1 / scale)).tocsc() if sp.issparse(X)
                 else np.asfortranarray(X / scale))
            mean, norms = _column_moments(X, s)
            rms = norms / np.sqrt(s.sum())
    offset = fit_intercept & (mean ** 2 > OFFSET_RATIO * rms ** 2)
    shift = np.where(offset, mean, 0.0) if offset.any() else None
    if shift is None:
        return Rows(X), scale, None, norms
    if sp.issparse(X):
        return Rows(_centred_copy(X, np.flatnonzero(offset), mean)), scale, shift, None
    return Rows(X).shifted(shift), scale, shift, None


def _centred_copy(X, cols, mean):
    """Sparse X (float64 CSC) with the columns ``cols`` centred by ``mean``,
    element by element.  Through ``Rows.shifted`` their products would be
    those of X less the mean's, which cancel: a column of mean 1e8 would
    lose every digit of its spread, read as zero, and its coefficient would
    be set to zero with a certificate of 0.  Such a column is at least 99% stored (a
    mean dominating the spread leaves few zeros), so its centred copy, all
    n entries, costs about what its own entries do; the other columns are
    copied as they are."""
    X = sp.csc_matrix(X, dtype=np.float64)
    n, p = X.shape
    counts = np.diff(X.indptr)
    centred = np.zeros(p, dtype=bool)
    centred[cols] = True
    new_counts = np.where(centred, n, counts)
    indptr = np.concatenate([[0], np.cumsum(new_counts)])
    data = np.empty(indptr[-1])
    indices = np.empty(indptr[-1], dtype=np.int64 if indptr[-1] >= 2**31 else np.int32)
    # the kept columns' entries, moved to their new offsets
    col_of = np.repeat(np.arange(p), counts)
    keep = ~centred[col_of]
    at = indptr[col_of[keep]] + (np.arange(X.nnz)[keep] - X.indptr[col_of[keep]])
    data[at], indices[at] = X.data[keep], X.indices[keep]
    dense = X[:, cols].toarray() - mean[cols]
    for k, j in enumerate(cols):          # (a few columns)
        data[indptr[j]:indptr[j + 1]] = dense[:, k]
        indices[indptr[j]:indptr[j + 1]] = np.arange(n)
    return sp.csc_matrix((data, indices, indptr), shape=(n, p))


def _column_moments(X, s):
    """Weighted mean and norm ``sqrt(sum_i s_i x_ij**2)`` of every column."""
    rows = Rows(X)
    with np.errstate(over="ignore", invalid="ignore"):
        return rows.rmatvec(s) / s.sum(), rows.col_norms(s)
