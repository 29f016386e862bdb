"""Ridge and RidgeCV on ill-posed and badly offset data (issues 22 and 28).

References are independent: numpy's lstsq / pinv on the explicitly centred
problem, and exact leave-one-out refits.
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from sklreg import Ridge, RidgeCV, regularization_path
from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import ridge_objective

SOLVERS = ["auto", "cholesky", "svd", "lsqr", "sparse_cg"]


def reference_ridge(X, y, alpha, fit_intercept=True, sample_weight=None):
    """Minimum-norm ridge solution by lstsq on ``[Xc; sqrt(alpha) I]``."""
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    mu = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    ybar = s @ y / s.sum() if fit_intercept else 0.0
    A = np.sqrt(s)[:, None] * (X - mu)
    b = np.sqrt(s) * (y - ybar)
    if alpha > 0:
        A = np.vstack([A, np.sqrt(alpha) * np.eye(X.shape[1])])
        b = np.concatenate([b, np.zeros(X.shape[1])])
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    return w, ybar - mu @ w


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("n", [12, 20])
def test_alpha_zero_dependent_columns_is_min_norm(solver, n):
    """Issue 22.1: alpha=0 on duplicated columns: the minimum-norm least
    squares solution (as scikit-learn's lstsq), certified, no error."""
    rng = np.random.RandomState(0)
    A = rng.randn(n, 3)
    X, y = np.hstack([A, A]) / 2, rng.randn(n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Ridge(alpha=0, solver=solver).fit(X, y)
    w, b = reference_ridge(X, y, 0.0)
    np.testing.assert_allclose(est.coef_, w, atol=1e-10)
    np.testing.assert_allclose(est.intercept_, b, atol=1e-10)
    # the certificate bounds the true suboptimality
    best = ridge_objective(X, y, w, b, 0.0)
    assert ridge_objective(X, y, est.coef_, est.intercept_, 0.0) - best <= est.dual_gap_ + 1e-9


def test_sparse_cg_breakdown_falls_back():
    """pcg meets zero curvature on a singular system: no ZeroDivisionError."""
    rng = np.random.RandomState(1)
    A = rng.randn(12, 3)
    X, y = np.hstack([A, A]), rng.randn(12)
    for Xc in (X, sp.csc_matrix(X)):
        est = Ridge(alpha=0, solver="sparse_cg").fit(Xc, y)
        np.testing.assert_allclose(est.coef_, reference_ridge(X, y, 0.0)[0], atol=1e-10)


def test_ridgecv_one_sample_fold_and_leverage_one():
    """Issue 22.2: a one-sample fold (R^2 undefined) and a leverage of 1."""
    from sklearn.linear_model import RidgeCV as SkRidgeCV
    rng = np.random.RandomState(0)
    X, y = rng.randn(5, 5), rng.randn(5)
    for selection in ("min", "1se"):
        est = RidgeCV(alphas=(0.1, 1, 10), cv=3, alpha_selection=selection).fit(X, y)
        assert np.isfinite(est.coef_).all()
    assert est.alpha_min_ == SkRidgeCV(alphas=(0.1, 1, 10), cv=3).fit(X, y).alpha_
    X, y = make_regression(50, 50, noise=0, bias=10, random_state=0)
    est = RidgeCV(alphas=[1e-16], fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(est.coef_, np.linalg.solve(X, y), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(10, 50), (10, 9), (30, 5)])
def test_leave_one_out_matches_exact_refits(weighted, shape):
    """Issue 22.3: closed-form LOO equals n exact refits (wide X included)."""
    rng = np.random.RandomState(0)
    n, p = shape
    X, y = rng.randn(n, p), rng.randn(n)
    s = rng.uniform(0.5, 2, n) if weighted else None
    alphas = [1e-5, 1e-2, 1.0]
    est = RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y, sample_weight=s)
    weights = np.ones(n) if s is None else s
    for k, alpha in enumerate(alphas):
        exact = []
        for i in range(n):
            keep = np.arange(n) != i
            w, b = reference_ridge(X[keep], y[keep], alpha, sample_weight=weights[keep])
            exact.append(weights[i] * (y[i] - X[i] @ w - b) ** 2)
        np.testing.assert_allclose(est.cv_results_[:, k], exact, rtol=1e-7, atol=1e-9)


def offset_problem(offset, sparse=False):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5))
    X[:, 0] += offset
    y = X @ [1, -2, 0.5, 0, 3] + 0.1 * rng.standard_normal(200)
    return (sp.csc_matrix(X) if sparse else X), y


@pytest.mark.parametrize("offset", [1e6, 1e8])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("solver", SOLVERS)
def test_offset_column_exact_and_certified(offset, sparse, solver):
    """Issue 28.2: a column with a large mean: the right answer, no false
    warning, and a certificate at least the true suboptimality."""
    if sparse and solver == "svd":
        pytest.skip("svd needs dense X")
    X, y = offset_problem(offset, sparse)
    w, b = reference_ridge(X, y, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Ridge(alpha=1.0, solver=solver, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-5, atol=1e-6)
    Xd = X.toarray() if sparse else X
    best = ridge_objective(Xd, y, w, b, 1.0)
    ours = ridge_objective(Xd, y, est.coef_, est.intercept_, 1.0)
    assert ours - best <= est.dual_gap_ + 1e-9 * best


@pytest.mark.parametrize("cv", [None, 5])
def test_offset_column_ridgecv_and_path(cv):
    X, y = offset_problem(1e8)
    est = RidgeCV(alphas=[0.1, 1.0, 10.0], cv=cv).fit(X, y)
    w, _ = reference_ridge(X, y, est.alpha_)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-6, atol=1e-7)
    path = regularization_path(Ridge(), X, y, alphas=[10.0, 1.0, 0.1])
    assert np.all(path.dual_gaps >= 0)
    for coef, alpha in zip(path.coefs, path.alphas):
        np.testing.assert_allclose(np.ravel(coef), reference_ridge(X, y, alpha)[0],
                                   rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shape", [(100, 50), (50, 50), (50, 100)])
def test_float32_near_zero_alpha_accumulates_in_float64(shape, sparse):
    """Gram, kernel and products of float32 X accumulate in float64: at
    alpha -> 0 the answer is least squares on the float32 data to ~1e-6
    (a float32 Gram left errors of 2e-5, scikit-learn's float32 tests)."""
    X, y = make_regression(*shape, noise=0, bias=10, random_state=42)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    w, b = reference_ridge(X32.astype(np.float64), y32.astype(np.float64), 0.0)
    Xf = sp.csr_matrix(X32) if sparse else X32
    for est in (Ridge(alpha=1e-16), RidgeCV(alphas=[1e-16])):
        est.fit(Xf, y32)
        np.testing.assert_allclose(est.coef_, w, atol=2e-6 * np.abs(w).max())
        np.testing.assert_allclose(est.intercept_, b, atol=2e-6 * np.abs(b) + 1e-5)


@pytest.mark.parametrize("shape", [(20000, 800), (800, 20000)])
def test_sparse_x_never_densified(shape):
    """Issue 28.10: leave-one-out, k-fold and Ridge on sparse X hold no
    array of X's dense size (the smaller Gram and its eigenvectors only)."""
    import tracemalloc
    n, p = shape
    X = sp.random(n, p, density=0.002, format="csc", random_state=0)
    y = X @ np.random.default_rng(0).standard_normal(p)
    dense_size = n * p * 8
    for fit in (lambda: RidgeCV(alphas=[0.1, 1.0, 10.0]).fit(X, y),
                lambda: RidgeCV(alphas=[0.1, 1.0], cv=3).fit(X, y),
                lambda: Ridge(alpha=1.0, solver="cholesky").fit(X, y)):
        tracemalloc.start()
        fit()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 0.5 * dense_size


def test_leave_one_out_holds_less_than_x():
    """Issue 26: RidgeCV's leave-one-out on dense 4000 x 300 held 1.4x
    size(X) beyond X itself: the hat diagonal's blocks of X V were as large
    as X (2**20 entries), and the squared residuals of every alpha were kept
    without store_cv_results.  Blocks are now at most an eighth of X."""
    import tracemalloc
    X, y, _ = make_correlated_data(4000, 300, rho=0.5, random_state=0)
    alphas = np.geomspace(1e-3, 1e4, 30)
    tracemalloc.start()
    est = RidgeCV(alphas=alphas).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.nbytes
    # the same choice as scikit-learn's leave-one-out
    from sklearn.linear_model import RidgeCV as SkRidgeCV
    assert est.alpha_ == SkRidgeCV(alphas=alphas).fit(X, y).alpha_
