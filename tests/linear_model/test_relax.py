"""The relaxed lasso (glmnet's relax): against an explicit least-squares
refit on the support, and its cross-validation against a grid search."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold

from sklreg import ElasticNet, ElasticNetCV, Lasso, LassoCV, regularization_path


def problem(n=80, p=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    y = X[:, :6] @ rng.uniform(1, 3, 6) + 2.0 * rng.standard_normal(n) + 4.0
    return X, y, rng.uniform(0.2, 2.0, n)


def lstsq_refit(X, y, s, support, fit_intercept=True):
    """The weighted least-squares fit on ``support``, by numpy's lstsq."""
    A = X[:, support]
    if fit_intercept:
        A = np.column_stack([np.ones(len(y)), A])
    root = np.sqrt(s)
    solution = np.linalg.lstsq(root[:, None] * A, root * y, rcond=None)[0]
    coef = np.zeros(X.shape[1])
    if fit_intercept:
        coef[support] = solution[1:]
        return coef, solution[0]
    coef[support] = solution
    return coef, 0.0


@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.8])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_blend_of_the_fit_and_an_explicit_support_refit(gamma, sparse, fit_intercept, l1_ratio):
    X, y, s = problem()
    Xf = sp.csc_matrix(X) if sparse else X
    kwargs = dict(alpha=0.3, l1_ratio=l1_ratio, tol=1e-10, fit_intercept=fit_intercept)
    plain = ElasticNet(**kwargs).fit(Xf, y, sample_weight=s)
    relaxed = ElasticNet(relax=gamma, **kwargs).fit(Xf, y, sample_weight=s)
    support = np.flatnonzero(plain.coef_)
    assert 6 <= support.size < X.shape[1]
    coef, intercept = lstsq_refit(X, y, s, support, fit_intercept)
    np.testing.assert_allclose(relaxed.coef_, gamma * plain.coef_ + (1 - gamma) * coef,
                               atol=1e-9)
    assert relaxed.intercept_ == pytest.approx(
        gamma * plain.intercept_ + (1 - gamma) * intercept, abs=1e-9)
    # the penalised fit's certificate, and the refit's
    assert relaxed.dual_gap_ == plain.dual_gap_
    assert 0 <= relaxed.relax_residual_ <= 1e-12


def test_relax_one_is_the_plain_fit_and_none_adds_nothing():
    X, y, s = problem()
    plain = Lasso(alpha=0.2).fit(X, y, sample_weight=s)
    one = Lasso(alpha=0.2, relax=1.0).fit(X, y, sample_weight=s)
    np.testing.assert_array_equal(one.coef_, plain.coef_)
    assert one.intercept_ == plain.intercept_
    assert not hasattr(plain, "relax_residual_")


def test_empty_support_and_wide_data():
    X, y, s = problem()
    empty = Lasso(alpha=1e3, relax=0.0).fit(X, y, sample_weight=s)
    assert not empty.coef_.any()
    assert empty.intercept_ == pytest.approx(np.average(y, weights=s), rel=1e-12)
    # more features than samples: the support can have as many features as
    # the data's rank; the refit solves its normal equations all the same
    rng = np.random.default_rng(1)
    Xw = rng.standard_normal((25, 60))
    yw = Xw[:, :3] @ np.ones(3) + rng.standard_normal(25)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = Lasso(alpha=0.01, relax=0.0, tol=1e-8, max_iter=10**4).fit(Xw, yw)
    support = np.flatnonzero(fit.coef_)
    residual = yw - fit.predict(Xw)
    assert np.abs(Xw[:, support].T @ residual).max() <= 1e-8 * np.abs(Xw.T @ yw).max()
    assert abs(residual.sum()) <= 1e-8 * np.abs(yw).sum()


def test_relaxed_path_is_a_loop_of_relaxed_fits():
    X, y, s = problem()
    est = Lasso(relax=0.25, tol=1e-10)
    path = regularization_path(est, X, y, alphas=8, sample_weight=s)
    for k in (2, 6):
        fit = Lasso(alpha=path.alphas[k], relax=0.25, tol=1e-10).fit(X, y, sample_weight=s)
        np.testing.assert_allclose(path.coefs[k], fit.coef_, atol=1e-8)
        assert path.intercepts[k] == pytest.approx(fit.intercept_, abs=1e-8)


def test_relax_needs_an_unconstrained_refit():
    X, y, _ = problem()
    with pytest.raises(ValueError, match="relax"):
        Lasso(relax=0.5, positive=True).fit(X, y)
    with pytest.raises(ValueError, match="relax"):
        Lasso(relax=1.5).fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        LassoCV(relax=True, gammas=[0.5, 2.0]).fit(X, y)


@pytest.mark.parametrize("weighted", [False, True])
def test_cv_chooses_the_pair_a_grid_search_chooses(weighted):
    X, y, s = problem(n=100, p=40)
    s = s if weighted else None
    folds = KFold(4, shuffle=True, random_state=0)
    gammas = [0.0, 0.5, 1.0]
    cv = LassoCV(relax=True, gammas=gammas, alphas=15, cv=folds, tol=1e-10).fit(
        X, y, sample_weight=s)
    search = GridSearchCV(Lasso(tol=1e-10), {"relax": gammas, "alpha": cv.alphas_}, cv=folds,
                          scoring="neg_mean_squared_error").fit(X, y, sample_weight=s)
    assert (cv.alpha_, cv.gamma_) == (search.best_params_["alpha"],
                                      search.best_params_["relax"])
    assert cv.mse_path_.shape == (3, 15, 4)
    results = cv.cv_results_
    assert results["alpha"].shape == results["gamma"].shape == (45,)
    # every (alpha, gamma) pair scored as the grid search scores it
    theirs = {(p["relax"], p["alpha"]): -m for p, m in zip(search.cv_results_["params"],
                                                          search.cv_results_["mean_test_score"])}
    for gamma, alpha, mean in zip(results["gamma"], results["alpha"], results["mean_test_loss"]):
        assert mean == pytest.approx(theirs[(gamma, alpha)], rel=1e-6)
    assert cv.estimator_.relax == cv.gamma_
    fit = Lasso(alpha=cv.alpha_, relax=cv.gamma_, tol=1e-10).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(cv.coef_, fit.coef_, atol=1e-8)


def test_elastic_net_cv_searches_l1_ratio_and_gamma_together():
    X, y, _ = problem()
    cv = ElasticNetCV(l1_ratio=[0.5, 1.0], relax=True, gammas=[0.0, 1.0], alphas=10,
                      cv=3).fit(X, y)
    assert cv.mse_path_.shape == (2, 2, 10, 3) and cv.alphas_.shape == (2, 10)
    best = np.unravel_index(np.argmin(cv.mse_path_.mean(axis=-1)), cv.mse_path_.shape[:-1])
    assert cv.l1_ratio_ == [0.5, 1.0][best[0]] and cv.gamma_ == [0.0, 1.0][best[1]]
    assert cv.alpha_ == cv.alphas_[best[0], best[2]]


def test_plot_cv_draws_the_chosen_gamma_and_dask_is_refused():
    X, y, _ = problem()
    cv = LassoCV(relax=True, gammas=[0.0, 1.0], alphas=10, cv=3).fit(X, y)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklreg import plot_cv
    display = plot_cv(cv)
    np.testing.assert_allclose(np.sort(display.alphas), np.sort(cv.alphas_))
    chosen = cv.cv_results_["gamma"] == cv.gamma_
    np.testing.assert_allclose(display.mean[::-1], cv.cv_results_["mean_test_loss"][chosen])
    plt.close("all")
    da = pytest.importorskip("dask.array")
    with pytest.raises(TypeError, match="Dask"):
        Lasso(relax=0.5).fit(da.from_array(X, chunks=40), da.from_array(y, chunks=40))
