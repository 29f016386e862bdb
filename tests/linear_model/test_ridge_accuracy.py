"""Ridge at equal tol is never less accurate than scikit-learn's (issue 22,
item 11): coefficient errors against an exact lstsq solve."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import make_regression

from sklreg import Ridge, RidgeCV


def exact_ridge(X, y, alpha):
    X = X.toarray() if sp.issparse(X) else X
    mu, ybar = X.mean(axis=0), y.mean()
    A = np.vstack([X - mu, np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([y - ybar, np.zeros(X.shape[1])])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def problems():
    rng = np.random.RandomState(0)
    yield "tall", make_regression(200, 50, noise=5, random_state=0)
    yield "wide", make_regression(60, 300, noise=5, random_state=1)
    X = rng.randn(300, 20) * np.logspace(0, 2, 20) + 3
    X[rng.rand(*X.shape) < 0.7] = 0
    yield "sparse", (sp.csr_matrix(X), X @ rng.randn(20) + rng.randn(300) + 10)
    X = rng.randn(100, 30) @ np.diag(np.logspace(0, 4, 30))
    yield "ill-conditioned", (X, X @ rng.randn(30) + rng.randn(100))


PROBLEMS = dict(problems())


def coef_error(est, w):
    return np.max(np.abs(est.coef_ - w)) / np.max(np.abs(w))


@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg"])
@pytest.mark.parametrize("name", PROBLEMS)
def test_krylov_at_least_as_accurate_as_scikit_learn(name, solver, tol):
    if name == "ill-conditioned" and solver == "lsqr":
        pytest.skip("both stop at LSQR's iteration limit (2 n_features), unconverged")
    X, y = PROBLEMS[name]
    w = exact_ridge(X, y, 1.0)
    ours = coef_error(Ridge(alpha=1.0, solver=solver, tol=tol).fit(X, y), w)
    theirs = coef_error(sk.Ridge(alpha=1.0, solver=solver, tol=tol).fit(X, y), w)
    assert ours <= max(theirs, 1e-13)


@pytest.mark.parametrize("shape", [(320, 2000), (2000, 320)])
def test_auto_is_exact_whatever_tol(shape):
    """Large enough for 'auto' to try CG first: it answers as Cholesky does."""
    X, y = make_regression(*shape, noise=5, random_state=0)
    w = exact_ridge(X, y, 1.0)
    est = Ridge(alpha=1.0, tol=1e-2).fit(X, y)
    theirs = coef_error(sk.Ridge(alpha=1.0, tol=1e-2).fit(X, y), w)
    assert coef_error(est, w) <= max(10 * theirs, 1e-12)


@pytest.mark.parametrize("shape", [(200, 30), (60, 300)])
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_ridge_cv_at_least_as_accurate_as_scikit_learn(shape, sparse):
    """issue 22, item 11: float32 RidgeCV was 2.2e-4 off where scikit-learn's
    is 4e-6; both against the float64 optimum on the same float32 data, at
    the alpha both choose (up to float32's own rounding of coef_)."""
    X, y = make_regression(*shape, noise=5, random_state=0)
    X32 = X.astype(np.float32)
    alphas = np.logspace(-3, 2, 11)
    Xf = sp.csr_matrix(X32) if sparse else X32
    ours = RidgeCV(alphas=alphas).fit(Xf, y)
    theirs = sk.RidgeCV(alphas=alphas).fit(Xf, y)
    assert ours.alpha_ == theirs.alpha_
    w = exact_ridge(X32.astype(np.float64), y, ours.alpha_)
    floor = 2 * np.finfo(np.float32).eps
    assert coef_error(ours, w) <= max(coef_error(theirs, w), floor)
