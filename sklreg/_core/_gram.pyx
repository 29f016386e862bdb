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
    product because ``s (x_c - mu_c)`` sums to zero.
    """
    symmetric = rows is cols
    rows, cols = np.asarray(rows), np.asarray(cols)
    s = _weights(f)
    mu = np.asarray(f.mu)
    block = f.X.matrix[:, cols]
    if sp.issparse(block) and cols.size > FEW_COLUMNS:
        return _sparse_products(f, rows, cols, block, s)
    B = np.array(block.toarray() if sp.issparse(block) else block, dtype=np.float64,
                 order="F")
    B -= mu[cols]
    if symmetric and not sp.issparse(block):
        # A' A of one array: NumPy calls syrk, half the multiply-adds
        if s is not None:
            B *= np.sqrt(s)[:, None]
        G = B.T @ B
    elif cols.size <= FEW_COLUMNS:
        # one pass over the rows' columns in place beats gathering them
        G = _column_products(f, rows.astype(np.intc), B)
    else:
        if s is not None:
            B *= s[:, None]
        G = np.asarray(f.X.matrix[:, rows].T @ B)
    G /= f.n_w
    return G


def correlations(LeastSquares f, coords):
    """Return Xc_coords' diag(s) y_c / n_w."""
    s = _weights(f)
    y = np.asarray(f.y_c) if s is None else np.asarray(f.y_c) * s
    return np.asarray(f.X.matrix[:, np.asarray(coords)].T @ y,
                      dtype=np.float64).ravel() / f.n_w


def normal_equations(LeastSquares f, coords):
    """Return (G, b): the normal equations of the columns ``coords``,
    G = Xc_S' diag(s) Xc_S / n_w and b = Xc_S' diag(s) y_c / n_w."""
    return cross_products(f, coords, coords), correlations(f, coords)


def _weights(LeastSquares f):
    return None if f.s.shape[0] == 0 else f.s.base


def _sparse_products(LeastSquares f, rows, cols, block, s):
    """``cross_products`` of sparse columns, as products of their stored
    entries less the means' outer product; the columns centred element by
    element (their mean dominates: nearly dense) are densified and centred
    first, where that difference would cancel."""
    mu = np.asarray(f.mu)
    scaled = block.astype(np.float64)
    if s is not None:
        scaled = scaled.multiply(s[:, None]).tocsc()
    left = f.X.matrix[:, rows].T
    G = np.asarray((left @ scaled).toarray()) - f.n_w * np.outer(mu[rows], mu[cols])
    centred = np.flatnonzero(np.asarray(f.mu_centred)[cols] != 0)
    if centred.size:
        dense = block[:, centred].toarray().astype(np.float64) - mu[cols[centred]]
        if s is not None:
            dense *= s[:, None]
        G[:, centred] = np.asarray(left @ dense)
    return G / f.n_w


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
