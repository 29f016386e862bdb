"""Lasso and ElasticNet: columns with a large mean, honest certificates, and
coefficients at least as accurate as scikit-learn's at the same tol."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from sklreg import ElasticNet, ElasticNetCV, Lasso, LassoCV
from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import enet_exact, enet_objective


def offset_problem(offset, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((200, 5)) + offset
    y = (X - offset) @ [1, -2, .5, 0, 3] + .1 * rng.standard_normal(200)
    return X, y


def sklearn_tight(est_cls, X, y, s=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est_cls(tol=1e-12, max_iter=10**6, **params).fit(X, y, sample_weight=s)


@pytest.mark.parametrize("offset", [1e4, 1e7, 1e8, 1e10])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_with_large_mean_is_fitted(offset, sparse, weighted):
    # issue 28, item 3: such a column was treated as constant (all zeros,
    # "increase max_iter") or mis-scaled, with a gap of zero
    X, y = offset_problem(offset)
    s = np.random.default_rng(1).uniform(0.5, 2, len(y)) if weighted else None
    Xf = sp.csc_matrix(X) if sparse else X
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Lasso(alpha=0.01).fit(Xf, y, sample_weight=s)
    ref = sklearn_tight(sk.Lasso, X - offset, y, s, alpha=0.01)
    # X itself is rounded to ~1e-16 * offset
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6 + 1e-15 * offset)
    # the certificate is honest: the objective is within the gap of the
    # optimum, computed on the exactly shifted data (where nothing cancels)
    # with the intercept eliminated, as in the certificate (intercept_
    # itself is ~offset * coef in size, rounded to ~1e-16 of that)
    Xc = X - offset

    def objective(coef):
        b = np.average(y - Xc @ coef, weights=s)
        return enet_objective(Xc, y, coef, b, 0.01, 1.0, s)
    ours, best = objective(est.coef_), objective(ref.coef_)
    assert ours - best <= est.dual_gap_ + 1e-12 * best


def test_lasso_cv_keeps_a_column_with_large_mean():
    X, y = offset_problem(1e7)
    est = LassoCV(cv=5).fit(X, y)
    ref = sk.LassoCV(cv=5, tol=1e-10).fit(X - 1e7, y)
    assert np.count_nonzero(est.coef_) >= 4
    np.testing.assert_allclose(est.alpha_, ref.alpha_, rtol=1e-6)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-3)


def test_large_mean_float32():
    X, y = offset_problem(1e4)
    X32 = X.astype(np.float32)
    est = Lasso(alpha=0.01).fit(X32, y)
    ref = sklearn_tight(sk.Lasso, X32.astype(np.float64) - 1e4, y, alpha=0.01)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-4)


def accuracy_cases():
    X, y = make_regression(100, 30, noise=1, random_state=0)
    yield "wide-support enet", X, y, 0.1, 0.5
    X, y, _ = make_correlated_data(200, 500, rho=0.5, random_state=0)
    yield "p > n lasso", X, y, 0.05, 1.0
    yield "p > n enet", X, y, 0.05, 0.5
    X, y, _ = make_correlated_data(500, 50, rho=0.9, random_state=1)
    yield "correlated lasso", X, y, 0.01, 1.0
    yield "correlated enet", X, y, 0.01, 0.1
    # scikit-learn's last pass overshoots its rule most where passes converge
    # fast: a gap of tol**2 P(0) left coefficients 100x less accurate
    X = np.array([[1, 2, 4, 5, 8], [3, 5, 7, 7, 8]], dtype=float).T
    yield "5 x 2 small l1", X, np.array([12, 10, 11, 21, 5.0]), 10.0, 1e-5
    X, y = make_regression(200, 10, noise=1, random_state=2)
    yield "well-conditioned small l1", X, y, 0.1, 0.01


@pytest.mark.parametrize("case", list(accuracy_cases()), ids=lambda c: c[0])
@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
def test_never_less_accurate_than_sklearn(case, tol):
    # issue 22, item 11: at equal tol, coefficients and objective at least as
    # close to the exact optimum (QR on the optimum's support, refined) as
    # scikit-learn's
    _, X, y, alpha, l1_ratio = case
    w, b = enet_exact(X, y, alpha, l1_ratio)
    best = enet_objective(X, y, w, b, alpha, l1_ratio)
    fits = []
    for cls in (sk.ElasticNet, ElasticNet):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m = cls(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=10**6).fit(X, y)
        fits.append((np.abs(m.coef_ - w).max(),
                     enet_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio) - best))
    (sk_err, sk_sub), (err, sub) = fits
    floor = 1e-13 * max(1.0, np.abs(w).max())
    assert err <= max(sk_err, floor)
    assert sub <= max(sk_sub, 0.0) + 1e-14 * best


def test_cv_picks_sklearn_alpha_on_a_near_tie():
    # issue 22, item 11, in paths: at the default tol the folds' test losses
    # were ~1e-3 off (scikit-learn's ~1e-6), enough to pick another alpha
    # than GridSearchCV over scikit-learn's ElasticNet (its test
    # test_enet_cv_grid_search)
    from sklearn.model_selection import GridSearchCV
    X, y = make_regression(n_samples=200, n_features=10, effective_rank=10,
                           n_informative=6, noise=10, random_state=0)
    alphas, l1_ratios = np.logspace(-5, 0, 10), [0.1, 0.5, 0.9]
    est = ElasticNetCV(cv=5, alphas=alphas, l1_ratio=l1_ratios).fit(X, y)
    gs = GridSearchCV(sk.ElasticNet(), {"alpha": alphas, "l1_ratio": l1_ratios}, cv=5,
                      scoring="neg_mean_squared_error").fit(X, y)
    assert est.alpha_ == gs.best_params_["alpha"]
    assert est.l1_ratio_ == gs.best_params_["l1_ratio"]
    # cv_results_: alphas increasing, l1_ratio fastest; mse_path_: l1_ratio
    # first, alphas decreasing
    grid_mse = -gs.cv_results_["mean_test_score"].reshape(10, 3).T[:, ::-1]
    np.testing.assert_allclose(est.mse_path_.mean(axis=-1), grid_mse, rtol=1e-4)


@pytest.mark.parametrize("path_l1_ratio", [1.0, 0.5])
def test_tight_tol_path_as_accurate_as_sklearn(path_l1_ratio):
    # scikit-learn's test_sparse_dense_descent_paths: at tol=1e-10 dense and
    # sparse paths agree to 1e-7, and each agrees with the exact optimum
    X, y, _ = make_correlated_data(50, 20, random_state=0)
    from sklreg import enet_path
    alphas, coefs, _ = enet_path(X, y, l1_ratio=path_l1_ratio, tol=1e-10)
    _, sparse_coefs, _ = enet_path(sp.csr_matrix(X), y, l1_ratio=path_l1_ratio, tol=1e-10)
    np.testing.assert_allclose(coefs, sparse_coefs, rtol=1e-7, atol=1e-12)
    for k in (10, 50, 99):
        # enet_path does not centre: compare without an intercept
        w, _ = enet_exact(X, y, alphas[k], path_l1_ratio, fit_intercept=False)
        np.testing.assert_allclose(coefs[:, k], w, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
def test_positive_least_squares_at_alpha_zero_is_certified(sparse):
    """alpha=0 with positive=True is non-negative least squares: a zero
    coefficient with a negative gradient is optimal, and the certificate
    must say so (it once read the full gradient and burned max_iter)."""
    from scipy.optimize import nnls
    rng = np.random.default_rng(1)
    X = rng.standard_normal((100, 20))
    y = X @ rng.standard_normal(20) + rng.standard_normal(100)
    Xc = X - X.mean(axis=0)
    reference = nnls(Xc, y - y.mean())[0]
    assert (reference == 0).sum() >= 3            # the constraint is active
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)          # alpha=0 advice
        warnings.simplefilter("error", ConvergenceWarning)
        est = Lasso(alpha=0, positive=True, tol=1e-12).fit(
            sp.csc_matrix(X) if sparse else X, y)
    assert est.n_iter_ < 100
    np.testing.assert_allclose(est.coef_, reference, atol=1e-10)
    assert est.dual_gap_ <= 1e-12 * 0.5 * np.mean((y - y.mean()) ** 2)


def ridge_exact(X, y, alpha, s=None):
    """The ridge optimum by an lstsq on the stacked, centred, weighted system."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    s = np.ones(len(y)) if s is None else s
    mu, ybar = s @ X / s.sum(), s @ y / s.sum()
    root = np.sqrt(s)[:, None]
    A = np.vstack([root * (X - mu), np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([root[:, 0] * (y - ybar), np.zeros(X.shape[1])])
    return np.linalg.lstsq(A, b, rcond=None)[0]


@pytest.mark.parametrize("shape", [(100, 30), (50, 200)])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-11])
def test_l1_ratio_zero_is_solved_as_a_ridge(shape, sparse, weighted, tol):
    # issue 22, item 11: ElasticNet(l1_ratio=0) is Ridge(alpha * n_w); at
    # tol=1e-11 its coefficients were 2.3e-5 off where scikit-learn's are
    # 1.6e-9 (p > n: the support's Gram did not fit the finish's cache)
    X, y = make_regression(*shape, noise=1, random_state=1)
    s = np.random.default_rng(0).uniform(0.5, 2, len(y)) if weighted else None
    w = ridge_exact(X, y, 0.1 * (len(y) if s is None else s.sum()), s)
    est = ElasticNet(alpha=0.1, l1_ratio=0, tol=tol).fit(
        sp.csr_matrix(X) if sparse else X, y, sample_weight=s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.ElasticNet(alpha=0.1, l1_ratio=0, tol=tol, max_iter=10**5).fit(
            X, y, sample_weight=s)
    err = np.abs(est.coef_ - w).max() / np.abs(w).max()
    assert err <= max(np.abs(ref.coef_ - w).max() / np.abs(w).max(), 1e-12)
    assert err <= 1e-10
    p0 = 0.5 * np.average((y - np.average(y, weights=s)) ** 2, weights=s)
    assert est.dual_gap_ <= tol * p0
    assert est.n_iter_ >= 1
