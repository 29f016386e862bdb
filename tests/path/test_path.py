"""Paths equal a loop of single fits; scikit-learn's path API is kept."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk

from sklreg import (ElasticNet, Lasso, Ridge, alpha_max, enet_path, lasso_path,
                    regularization_path)
from sklreg.utils.reference import enet_objective, enet_objective_at_zero
from tests.conftest import make_problem


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("Estimator, params", [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.3}),
                                               (Lasso, {"positive": True})])
def test_path_equals_loop_of_single_fits(Estimator, params, sparse):
    X, y, s = make_problem(60, 40, sparse=sparse, weights=True, shift=1.0)
    est = Estimator(tol=1e-10, **params)
    path = regularization_path(est, X, y, alphas=15, eps=1e-2, sample_weight=s)
    assert path.coefs.shape == (15, 40) and np.all(np.diff(path.alphas) < 0)
    np.testing.assert_allclose(path.alphas[0], alpha_max(est, X, y, sample_weight=s))
    assert np.all(path.coefs[0] == 0)
    l1_ratio = params.get("l1_ratio", 1.0)
    for k, alpha in enumerate(path.alphas):
        single = Estimator(alpha=alpha, tol=1e-10, **params).fit(X, y, sample_weight=s)
        on_path = enet_objective(X, y, path.coefs[k], path.intercepts[k], alpha, l1_ratio, s)
        alone = enet_objective(X, y, single.coef_, single.intercept_, alpha, l1_ratio, s)
        assert abs(on_path - alone) <= 2e-10 * enet_objective_at_zero(y, s)
    assert path.n_nonzero[-1] > 0 and np.all(path.dual_gaps >= -1e-12)


def test_lasso_and_enet_path_match_sklearn():
    X, y, _ = make_problem(50, 30)
    X = X - X.mean(0)
    y = y - y.mean()
    for ours, theirs, kw in [(lasso_path, sk.lasso_path, {}),
                             (enet_path, sk.enet_path, {"l1_ratio": 0.6})]:
        alphas, coefs, gaps, n_iters = ours(X, y, alphas=8, tol=1e-12, return_n_iter=True, **kw)
        ref_alphas, ref_coefs, _ = theirs(X, y, alphas=8, tol=1e-14, max_iter=100_000, **kw)
        np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
        assert coefs.shape == ref_coefs.shape == (30, 8)
        np.testing.assert_allclose(coefs, ref_coefs, atol=1e-5)
        assert len(n_iters) == 8 and gaps.shape == (8,)


def test_explicit_alphas_and_deprecated_n_alphas():
    X, y, _ = make_problem(30, 10)
    alphas, coefs, _ = lasso_path(X, y, alphas=[0.01, 0.1, 0.05])
    np.testing.assert_array_equal(alphas, [0.1, 0.05, 0.01])
    with pytest.warns(FutureWarning, match="n_alphas"):
        alphas, _, _ = lasso_path(X, y, n_alphas=4)
    assert alphas.shape == (4,)


def test_multi_target_path_is_the_multi_task_problem_as_in_scikit_learn():
    from sklreg import MultiTaskElasticNet
    X, y, _ = make_problem(30, 10)
    Y = np.column_stack([y, 2 * y + np.random.default_rng(0).standard_normal(30)])
    alphas, coefs, gaps = enet_path(X, Y, alphas=[0.5, 0.1], tol=1e-10)
    assert coefs.shape == (2, 10, 2) and gaps.shape == (2,)
    for k, alpha in enumerate(alphas):
        fit = MultiTaskElasticNet(alpha=alpha, fit_intercept=False, tol=1e-10).fit(X, Y)
        np.testing.assert_allclose(coefs[..., k], fit.coef_, atol=1e-7)


@pytest.mark.parametrize("est", [Lasso(), Ridge(), Ridge(positive=True)],
                         ids=["Lasso", "Ridge", "Ridge-positive"])
@pytest.mark.parametrize("sparse", [False, True])
def test_path_intercepts_follow_float32_X(est, sparse):
    # issue 28, item 11 (Ridge's spectral path returned float64 intercepts)
    X, Y, _ = make_problem(30, 4, seed=3)
    X32 = X.astype(np.float32)
    res = regularization_path(est, sp.csc_matrix(X32) if sparse else X32,
                              Y.astype(np.float32), alphas=5)
    assert res.coefs.dtype == np.float32 and res.intercepts.dtype == np.float32
    res64 = regularization_path(est, X, Y, alphas=5)
    assert res64.intercepts.dtype == np.float64


def test_ridge_path_at_tol_zero_is_held_to_the_floored_target_not_zero():
    """A certificate cannot go below its rounding: at ``tol=0`` Ridge's
    spectral path is checked against ``gap_target``'s floor (1e-13 * P(0)),
    as Ridge's own fits are, not against a target of 0 that every gap
    misses (a ConvergenceWarning at each alpha of an exact solution)."""
    X, y, _ = make_problem(50, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = regularization_path(Ridge(tol=0), X, y, alphas=5)
    p0 = np.sum((y - y.mean()) ** 2)            # Ridge's P(0): no 1/n
    assert np.all(path.dual_gaps <= 1e-13 * p0)
    # the exact solution at each alpha (normal equations, centred data)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    for alpha, coef in zip(path.alphas, path.coefs):
        exact = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(4), Xc.T @ yc)
        np.testing.assert_allclose(coef, exact, rtol=1e-9, atol=1e-12)


def test_path_near_interpolation_is_finished_not_crawled():
    """Issue 26: near interpolation (supports up to rank(X) = n - 1) the
    path's last alphas took 400-1000 passes each (3909 in all, max_iter
    reached at the last): coordinate descent crawled from the previous
    alpha's exact solution, past the rank bound, and supports of rank - 1
    were never finished exactly.  Each alpha now starts with a finish on
    the support the factor already holds, and supports up to the rank are
    finished.  Certified at every alpha; the last one against cvxpy."""
    cp = pytest.importorskip("cvxpy")
    from sklreg.datasets import make_correlated_data
    X, y, _ = make_correlated_data(240, 1000, rho=0.5, random_state=0)
    path = regularization_path(Lasso(), X, y, alphas=100, eps=1e-3)
    p0 = enet_objective_at_zero(y)
    assert np.all(path.dual_gaps <= 1e-4 * p0)
    assert max(path.n_iters) < 1000 and sum(path.n_iters) < 1500
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    alpha = path.alphas[-1]
    objective = (cp.sum_squares(y - X @ w - b) / (2 * len(y)) + alpha * cp.norm1(w))
    best = cp.Problem(cp.Minimize(objective)).solve(solver="CLARABEL", tol_gap_abs=1e-12,
                                                    tol_gap_rel=1e-12, tol_feas=1e-12)
    ours = enet_objective(X, y, path.coefs[-1], path.intercepts[-1], alpha)
    assert ours - best <= path.dual_gaps[-1] + 1e-9 * p0
