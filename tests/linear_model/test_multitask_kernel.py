"""The multi-task block kernel's products against NumPy, on every storage
of X, and its screening against the reference optimum."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk

from sklreg import MultiTaskElasticNet as sklreg_enet, MultiTaskLasso
from sklreg.linear_model._multitask_problem import MultiTaskProblem
from sklreg.utils.validation import validate_X_y


def data(offset_column, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 12))
    X[rng.random(X.shape) < 0.5] = 0.0
    X[:, 3] += offset_column      # a column whose mean dominates its spread
    Y = rng.standard_normal((60, 4)) + 5.0
    return X, Y, rng.uniform(0.1, 3.0, 60)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradients_and_residual_are_numpys(sparse, dtype, weights, fit_intercept):
    X, Y, s = data(offset_column=1e4)
    s = s if weights else None
    X = X.astype(dtype)
    model = MultiTaskLasso(fit_intercept=fit_intercept)
    Xv, Yv, sv = validate_X_y(model, sp.csc_matrix(X) if sparse else X, Y, s)
    problem = MultiTaskProblem(model, Xv, Yv, sv)
    w = np.ones(len(Y)) if s is None else s
    X64 = X.astype(np.float64)
    mu = w @ X64 / w.sum() if fit_intercept else np.zeros(X.shape[1])
    Xc = X64 - mu
    Yc = Y - (w @ Y / w.sum() if fit_intercept else 0.0)
    W = np.random.default_rng(1).standard_normal((X.shape[1], Y.shape[1]))
    R = problem.residual(W)
    np.testing.assert_allclose(R, Yc - Xc @ W, rtol=1e-9, atol=1e-9 * np.abs(Yc).max())
    assert R.flags.f_contiguous
    G = problem.gradients(np.asfortranarray(Yc - Xc @ W))
    expected = Xc.T @ (w[:, None] * (Yc - Xc @ W)) / w.sum()
    np.testing.assert_allclose(G, expected, rtol=1e-7, atol=1e-9 * np.abs(expected).max())


@pytest.mark.parametrize("sparse", [False, True])
def test_screened_fit_on_wide_data_is_at_the_optimum(sparse):
    # p >> n and a large alpha: most rows are screened out before the end
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 400))
    Y = X[:, :3] @ rng.standard_normal((3, 5)) + 0.1 * rng.standard_normal((40, 5))
    tight = sk.MultiTaskLasso(alpha=0.3, tol=1e-14, max_iter=10**5).fit(X, Y)
    fit = MultiTaskLasso(alpha=0.3, tol=1e-10).fit(sp.csc_matrix(X) if sparse else X, Y)
    assert fit.dual_gap_ <= fit.eps_
    np.testing.assert_allclose(fit.coef_, tight.coef_, atol=1e-6)
    assert 0 < np.count_nonzero(np.linalg.norm(fit.coef_, axis=0)) < 40


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_passes_in_chunks_and_on_sparse_rows_are_the_row_by_row_passes(dtype, weights,
                                                                       fit_intercept):
    # dense X: rows taken 16 at a time through the chunk's Gram matrix;
    # sparse X: row by row on a row-major copy of the residual.  Their
    # iterates are those of the plain row-by-row passes, on a screened
    # (uneven) order, a column whose mean dominates its spread, a constant
    # column, a warm start and a ridge part
    from sklreg._core._multitask import Sweep, block_epochs
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 45)).astype(dtype)
    X[rng.random(X.shape) < 0.6] = 0.0
    X[:, 3] += 1e4
    X[:, 7] = 2.0
    Y = rng.standard_normal((50, 12)) + 3.0
    s = rng.uniform(0.1, 3.0, 50) if weights else None
    order = np.flatnonzero(rng.random(45) < 0.8).astype(np.intc)
    order = np.concatenate([order, [3, 7]]).astype(np.intc)
    l1 = np.full(45, 0.02)
    l2 = np.full(45, 0.01)
    runs = []
    for kind in ("rows", "chunks", "sparse"):
        model = MultiTaskLasso(fit_intercept=fit_intercept)
        Xk = sp.csc_matrix(X) if kind == "sparse" else X
        problem = MultiTaskProblem(model, *validate_X_y(model, Xk, Y, s))
        W = np.zeros((45, 12))
        W[5] = 0.1                  # a warm start: row 5 may leave the order's support
        R = problem.residual(W)
        offset = np.zeros(12)
        if kind == "rows":
            steps = [block_epochs(problem.columns, R, offset, W, problem.lipschitz, l1, l2,
                                  order, 1) for _ in range(4)]
        else:
            sweep = Sweep(problem.columns, order, 16)
            steps = [sweep.run(R, offset, W, problem.lipschitz, l1, l2)[1] for _ in range(4)]
        R += offset
        runs.append((W, R - R.mean(axis=0) * fit_intercept, steps))
        # the residual kept by the passes is the residual of their coefficients
        np.testing.assert_allclose(R, problem.residual(W), rtol=1e-8, atol=1e-8)
    W0, R0, steps0 = runs[0]
    assert np.count_nonzero(np.linalg.norm(W0, axis=1)) > 10
    for W1, R1, steps1 in runs[1:]:
        np.testing.assert_allclose(W1, W0, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(R1, R0, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(steps1, steps0, rtol=1e-9)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_many_tasks_fit_at_scikit_learns_optimum(l1_ratio):
    # 20 tasks: the passes run in chunks
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 150))
    Y = X[:, :5] @ rng.standard_normal((5, 20)) + 0.5 * rng.standard_normal((80, 20))
    s = rng.uniform(0.2, 2.0, 80)
    tight = sk.MultiTaskElasticNet(alpha=0.05, l1_ratio=l1_ratio, tol=1e-14,
                                   max_iter=10**5).fit(X, Y, sample_weight=s)
    fit = sklreg_enet(alpha=0.05, l1_ratio=l1_ratio, tol=1e-10).fit(X, Y, sample_weight=s)
    assert fit.dual_gap_ <= fit.eps_
    np.testing.assert_allclose(fit.coef_, tight.coef_, atol=1e-6)
    np.testing.assert_allclose(fit.intercept_, tight.intercept_, atol=1e-6)


def test_gap_terms_are_the_fenchel_young_terms_in_numpy():
    # the compiled penalty part of the certificate against the formula
    # written out: kappa scales the rows without an L2 part into the L1
    # ball, Omega^*(kappa G_j) = |kappa G_j - C_j|^2 / (2 l2_j), C_j the
    # clip of kappa G_j into the ball of radius l1_j
    from sklreg._core._multitask import gap_terms
    rng = np.random.default_rng(6)
    G = rng.standard_normal((30, 7))
    W = rng.standard_normal((30, 7)) * (rng.random((30, 1)) < 0.6)
    l1 = rng.uniform(0.5, 3.0, 30)
    l2 = np.where(rng.random(30) < 0.5, rng.uniform(0.1, 2.0, 30), 0.0)
    kappa, penalty, young = gap_terms(G, W, l1, l2)
    norms = np.linalg.norm(G, axis=1)
    hard = (l2 == 0) & (norms > l1)
    assert hard.any() and 0 < kappa < 1
    assert kappa == pytest.approx(np.min(l1[hard] / norms[hard]))
    w_norms = np.linalg.norm(W, axis=1)
    assert penalty == pytest.approx(np.sum(l1 * w_norms + 0.5 * l2 * w_norms ** 2))
    V = kappa * G
    C = V * np.minimum(1.0, l1 / np.linalg.norm(V, axis=1))[:, None]
    conjugate = np.where(l2 > 0, np.sum((V - C) ** 2, axis=1) / (2 * np.where(l2 > 0, l2, 1)), 0)
    omega = l1 * w_norms + 0.5 * l2 * w_norms ** 2
    terms = omega + conjugate - np.sum(V * W, axis=1)
    assert np.all(terms >= -1e-12)
    assert young == pytest.approx(np.sum(np.maximum(terms, 0.0)), rel=1e-10)
