"""Gram blocks of the least-squares datafit's centred, weighted design:
``Xc_rows' diag(s) Xc_cols / n_w`` and ``Xc' diag(s) y_c / n_w``, for the
solves that use a known support exactly (normal equations, Gram passes).

Each costs a dense n * len(cols) block and one matrix product: used on
purpose, never inside coordinate descent.
"""
import numpy as np
import scipy.sparse as sp

from sklreg._core._datafits cimport LeastSquares

FEW_COLUMNS = 8   # cross products with up to this many columns: no gather


def cross_products(LeastSquares f, rows, cols):
    """Return Xc_rows' diag(s) Xc_cols / n_w, Xc the centred columns.

    Pass the same object as ``rows`` and ``cols`` for a symmetric block
    (half the work on dense X).  The columns are centred before the
    product, so nothing cancels: ``x_r . s (x_c - mu_c)`` is the centred
    product because ``s (x_c - mu_c)`` sums to zero -- up to its rounding
    and that of mu_c, which a feature whose mean dominates its spread
    multiplies by that mean: its entries are centred on both sides
    (``_centre_dominant``).
    """
    symmetric = rows is cols
    rows, cols = np.asarray(rows), np.asarray(cols)
    s = _weights(f)
    mu = np.asarray(f.mu)
    block = f.X.matrix[:, cols]
    if sp.issparse(block) and cols.size > FEW_COLUMNS:
        G = _sparse_products(f, rows, cols, block, s)
    else:
        B = _dense(block)
        B -= mu[cols]
        if symmetric and not sp.issparse(block):
            # A' A of one array: NumPy calls syrk, half the multiply-adds
            # (both sides centred: nothing to correct)
            if s is not None:
                B *= np.sqrt(s)[:, None]
            return (B.T @ B) / f.n_w
        elif cols.size <= FEW_COLUMNS:
            # one pass over the rows' columns in place beats gathering them
            G = _column_products(f, rows.astype(np.intc), B)
        else:
            if s is not None:
                B *= s[:, None]
            G = np.asarray(f.X.matrix[:, rows].T @ B)
    _centre_dominant(f, rows, cols, block, s, G)
    G /= f.n_w
    return G


def correlations(LeastSquares f, coords):
    """Return Xc_coords' diag(s) y_c / n_w (a feature whose mean dominates
    its spread centred first: y_c sums to zero only up to its rounding)."""
    coords = np.asarray(coords)
    s = _weights(f)
    y = np.asarray(f.y_c) if s is None else np.asarray(f.y_c) * s
    out = np.asarray(f.X.matrix[:, coords].T @ y, dtype=np.float64).ravel()
    cc = np.flatnonzero(np.asarray(f.mu_centred)[coords] != 0)
    if cc.size:
        out[cc] = (_dense(f.X.matrix[:, coords[cc]]) - np.asarray(f.mu)[coords[cc]]).T @ y
    return out / f.n_w


def normal_equations(LeastSquares f, coords):
    """Return (G, b): the normal equations of the columns ``coords``,
    G = Xc_S' diag(s) Xc_S / n_w and b = Xc_S' diag(s) y_c / n_w."""
    return cross_products(f, coords, coords), correlations(f, coords)


def _weights(LeastSquares f):
    return None if f.s.shape[0] == 0 else f.s.base


def _dense(block):
    return np.array(block.toarray() if sp.issparse(block) else block, dtype=np.float64,
                    order="F")


def _sparse_products(LeastSquares f, rows, cols, block, s):
    """``cross_products`` of sparse columns times n_w, as products of their
    stored entries less the means' outer product (``_centre_dominant``
    corrects the features whose mean dominates, where that cancels)."""
    mu = np.asarray(f.mu)
    scaled = block.astype(np.float64)
    if s is not None:
        scaled = scaled.multiply(s[:, None]).tocsc()
    left = f.X.matrix[:, rows].T
    return np.asarray((left @ scaled).toarray()) - f.n_w * np.outer(mu[rows], mu[cols])


def _centre_dominant(LeastSquares f, rows, cols, block, s, G):
    """Recompute, in G (times n_w), the entries of the features centred
    element by element (their mean dominates their spread) from their
    centred entries, where any other product would lose their mean times
    a rounding: with c_j = x_j - mu_j,

        columns:  x_r . s c_c - mu_r sum s c_c   (mu_r of the order of x_r's spread)
        rows:     s c_r . x_c - mu_c sum s c_r   (likewise for mu_c)
        both:     s c_r . c_c
    """
    mu = np.asarray(f.mu)
    centred = np.asarray(f.mu_centred) != 0
    cc, at = np.flatnonzero(centred[cols]), np.flatnonzero(centred[rows])
    if cc.size:
        C = _dense(block[:, cc]) - mu[cols[cc]]
        sC = C if s is None else C * s[:, None]
        G[:, cc] = (np.asarray(f.X.matrix[:, rows].T @ sC)
                    - np.outer(mu[rows], sC.sum(axis=0)))
    if at.size:
        D = _dense(f.X.matrix[:, rows[at]]) - mu[rows[at]]
        if s is not None:
            D *= s[:, None]
        G[at, :] = np.asarray(block.T @ D).T - np.outer(D.sum(axis=0), mu[cols])
        if cc.size:
            G[np.ix_(at, cc)] = D.T @ C


def _column_products(LeastSquares f, const int[::1] rows, const double[::1, :] block):
    """Return x_r' diag(s) block for r in rows: one pass over the rows'
    columns of X, in place (no gathered copy)."""
    cdef Py_ssize_t a, c, m = block.shape[1]
    out = np.empty((rows.shape[0], m))
    cdef double[:, ::1] o = out
    with nogil:
        for a in range(rows.shape[0]):
            for c in range(m):
                o[a, c] = f.X.col_dot(rows[a], &block[0, c], f._s())
    return out
