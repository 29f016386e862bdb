"""The Rows operator (sklreg.solvers._rows) against NumPy."""
import numpy as np
import scipy.sparse as sp


def test_rows_operator_subsets_scaling_and_sparse_gram(monkeypatch):
    """Rows: a copied and a gathered row subset with float64 rows appended,
    a column scaling, and the sparse Gram with its column of ones."""
    from sklreg.solvers import _rows
    monkeypatch.setattr(_rows, "COPY_MIN_BYTES", 0)      # the 1/32 rule at this size
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((200, 5)).astype(np.float32))
    extra = rng.standard_normal((2, 5))
    d, v, w = rng.uniform(0.5, 2.0, 202), rng.standard_normal(202), rng.standard_normal(5)
    scale = rng.uniform(0.1, 10.0, 5)
    for rows in (np.arange(0, 200, 40), np.arange(0, 200, 2)):     # copied, gathered
        dense = np.vstack([X[rows].astype(np.float64), extra])
        op = _rows.Rows(X).take(rows, extra)
        assert (op.X is X) == (rows.size > _rows.Rows(X).copyable_rows())
        k = dense.shape[0]
        np.testing.assert_allclose(op.matvec(w), dense @ w)
        np.testing.assert_allclose(op.rmatvec(v[:k]), dense.T @ v[:k])
        B = np.c_[dense / scale, np.ones(k)]
        np.testing.assert_allclose(op.scaled(scale).gram(d[:k], ones=True),
                                   B.T @ (d[:k, None] * B))
        # signed weights (a difference of Grams) and a product in the same pass
        G, Bc = op.scaled(scale).gram(d[:k] - 1.2, ones=True, c=v[:k])
        np.testing.assert_allclose(G, B.T @ ((d[:k] - 1.2)[:, None] * B), atol=1e-12)
        np.testing.assert_allclose(Bc, B.T @ v[:k])
        np.testing.assert_allclose(op.scaled(scale).col_norms(d[:k]),
                                   np.sqrt(d[:k] @ (dense / scale) ** 2))
    Xs = sp.csc_matrix(np.where(np.abs(X) > 1, X, 0).astype(np.float64))
    B = np.c_[Xs.toarray() / scale, np.ones(200)]
    np.testing.assert_allclose(_rows.Rows(Xs).scaled(scale).gram(d[:200], ones=True),
                               B.T @ (d[:200, None] * B))
    G, Bc = _rows.Rows(Xs).scaled(scale).gram(d[:200] - 1.2, ones=True, c=v[:200])
    np.testing.assert_allclose(G, B.T @ ((d[:200] - 1.2)[:, None] * B), atol=1e-12)
    np.testing.assert_allclose(Bc, B.T @ v[:200])


def test_rows_gram_equal_weights_and_signed_gathered_rows():
    """The Gram's two fast paths against NumPy: equal weights on a whole
    Fortran X (one syrk on X itself), and signed weights on gathered rows
    (positive and negative rows gathered apart, two symmetric products)."""
    from sklreg.solvers._rows import Rows
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.standard_normal((300, 7)))
    c = rng.standard_normal(300)
    B = np.c_[X, np.ones(300)]
    for weight in (1.0, 2.5):
        d = np.full(300, weight)
        G, Bc = Rows(X).gram(d, ones=True, c=c)
        np.testing.assert_allclose(G, weight * B.T @ B, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(Bc, B.T @ c, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(Rows(X).gram(d), weight * X.T @ X, rtol=1e-12, atol=1e-10)
    rows = np.sort(rng.choice(300, 120, replace=False))
    d = rng.uniform(0.5, 2.0, 120) * rng.choice([-1.0, 1.0], 120)
    G, Bc = Rows(X, rows).gram(d, ones=True, c=c[:120])
    np.testing.assert_allclose(G, B[rows].T @ (d[:, None] * B[rows]), atol=1e-12)
    np.testing.assert_allclose(Bc, B[rows].T @ c[:120], atol=1e-12)
