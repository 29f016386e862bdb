"""MultiTaskLassoCV and MultiTaskElasticNetCV against scikit-learn's, and the
path machinery (regularization_path, plot_path) on multi-task estimators."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit

from sklreg import (MultiTaskElasticNet, MultiTaskElasticNetCV, MultiTaskLasso,
                    MultiTaskLassoCV, alpha_max, regularization_path)


def problem(n=90, p=25, tasks=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 1.0
    Y = X[:, :4] @ rng.standard_normal((4, tasks)) + 1.5 * rng.standard_normal((n, tasks))
    return X, Y + 3.0, rng.uniform(0.3, 2.0, n)


def objective(coef, intercept, X, Y, alpha, l1_ratio, s):
    R = Y - X @ coef.T - intercept
    return (float(np.sum(s[:, None] * R * R)) / (2 * s.sum())
            + alpha * l1_ratio * np.linalg.norm(coef, axis=0).sum()
            + alpha * (1 - l1_ratio) / 2 * np.sum(coef * coef))


def quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)      # a choice at a grid's end
        return fit()


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("kind", ["lasso", "enet"])
def test_same_choice_as_scikit_learn_and_certified_refit(kind, weights, sparse):
    X, Y, s = problem()
    s = s if weights else None
    folds = KFold(4, shuffle=True, random_state=0)
    if kind == "lasso":
        ours = MultiTaskLassoCV(cv=folds, alphas=30, tol=1e-10)
        theirs = sk.MultiTaskLassoCV(cv=folds, alphas=30, tol=1e-12, max_iter=10**5)
    else:
        ours = MultiTaskElasticNetCV(l1_ratio=[0.3, 0.8], cv=folds, alphas=30, tol=1e-10)
        theirs = sk.MultiTaskElasticNetCV(l1_ratio=[0.3, 0.8], cv=folds, alphas=30,
                                          tol=1e-12, max_iter=10**5)
    Xf = sp.csc_matrix(X) if sparse else X
    quiet(lambda: ours.fit(Xf, Y, sample_weight=s))
    quiet(lambda: theirs.fit(X, Y, sample_weight=s))
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-7)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    l1_ratio = getattr(theirs, "l1_ratio_", 1.0)
    assert getattr(ours, "l1_ratio_", 1.0) == l1_ratio
    assert ours.coef_.shape == (Y.shape[1], X.shape[1]) and ours.intercept_.shape == (3,)
    # the refit is certified: no point, scikit-learn's included, is lower by
    # more than its duality gap
    w = np.ones(len(Y)) if s is None else s
    mine = objective(ours.coef_, ours.intercept_, X, Y, ours.alpha_, l1_ratio, w)
    ref = objective(theirs.coef_, theirs.intercept_, X, Y, ours.alpha_, l1_ratio, w)
    assert mine - ref <= ours.dual_gap_ + 1e-12 * abs(ref)
    assert 0 <= ours.dual_gap_ <= ours.eps_ and ours.n_iter_ > 0
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)


def test_one_standard_error_rule_and_fold_ids():
    X, Y, _ = problem()
    fold_ids = np.arange(len(Y)) % 5
    by_ids = MultiTaskLassoCV(alphas=25, alpha_selection="1se").fit(X, Y, fold_ids=fold_ids)
    by_cv = MultiTaskLassoCV(alphas=25, cv=PredefinedSplit(fold_ids)).fit(X, Y)
    np.testing.assert_array_equal(by_ids.mse_path_, by_cv.mse_path_)
    losses = by_ids.mse_path_
    mean = losses.mean(axis=1)
    sem = losses.std(axis=1, ddof=1) / np.sqrt(losses.shape[1])
    best = np.argmin(mean)
    expected = by_ids.alphas_[np.flatnonzero(mean <= mean[best] + sem[best])[0]]
    assert by_ids.alpha_ == by_ids.alpha_1se_ == expected
    assert by_cv.alpha_ == by_cv.alpha_min_ == by_ids.alphas_[best]
    assert by_ids.alpha_1se_ >= by_ids.alpha_min_
    # the refit is the fit at the chosen alpha
    fit = MultiTaskLasso(alpha=by_ids.alpha_).fit(X, Y)
    np.testing.assert_allclose(by_ids.coef_, fit.coef_, atol=1e-7)


def test_scoring_picks_what_a_grid_search_picks():
    X, Y, _ = problem()
    folds = KFold(4)
    cv = MultiTaskElasticNetCV(l1_ratio=0.6, alphas=12, cv=folds, tol=1e-10,
                               scoring="neg_mean_absolute_error").fit(X, Y)
    search = GridSearchCV(MultiTaskElasticNet(l1_ratio=0.6, tol=1e-10),
                          {"alpha": cv.alphas_}, cv=folds,
                          scoring="neg_mean_absolute_error").fit(X, Y)
    assert cv.alpha_ == search.best_params_["alpha"]
    np.testing.assert_allclose(-cv.mse_path_.mean(axis=1),
                               search.cv_results_["mean_test_score"], rtol=1e-7)


def test_parallel_folds_and_stored_coefs():
    X, Y, _ = problem()
    one = MultiTaskLassoCV(alphas=10, cv=3, store_cv_coefs=True).fit(X, Y)
    two = MultiTaskLassoCV(alphas=10, cv=3, n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    assert len(one.cv_coefs_) == 3 and one.cv_coefs_[0].shape == (10, 3, X.shape[1])


def test_wrong_input():
    X, Y, _ = problem()
    with pytest.raises(ValueError, match="mono-task.*LassoCV"):
        MultiTaskLassoCV().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="mono-task.*ElasticNetCV"):
        MultiTaskElasticNetCV().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="l1_ratio=0"):
        MultiTaskElasticNetCV(l1_ratio=0).fit(X, Y)
    with pytest.raises(ValueError, match="l1_ratio"):
        MultiTaskElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, Y)
    # a single column is one task: scikit-learn's answer for a 1-D y
    cv = MultiTaskLassoCV(alphas=8, cv=3).fit(X, Y[:, :1])
    ref = sk.LassoCV(alphas=8, cv=3, tol=1e-12).fit(X, Y[:, 0])
    assert cv.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)


def test_dask_input_fits_as_in_memory():
    """Dask data: every fold's moments from one pass (tests/_dask/ has the rest)."""
    da = pytest.importorskip("dask.array")
    X, Y, _ = problem()
    folds = np.arange(X.shape[0]) % 3
    on_dask = MultiTaskLassoCV(alphas=8).fit(da.from_array(X, chunks=30),
                                             da.from_array(Y, chunks=30),
                                             fold_ids=da.from_array(folds, chunks=30))
    ref = MultiTaskLassoCV(alphas=8).fit(X, Y, fold_ids=folds)
    assert on_dask.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-6, atol=1e-9)


def test_regularization_path_is_a_loop_of_fits_and_keeps_one_gap_per_alpha():
    X, Y, s = problem()
    est = MultiTaskElasticNet(l1_ratio=0.7, tol=1e-10)
    path = regularization_path(est, X, Y, alphas=6, sample_weight=s)
    assert path.coefs.shape == (6, 3, X.shape[1]) and path.intercepts.shape == (6, 3)
    assert path.dual_gaps.shape == (6,) and path.n_iters.shape == (6,)
    assert path.alphas[0] == pytest.approx(alpha_max(est, X, Y, sample_weight=s), rel=1e-12)
    assert not path.coefs[0].any() and path.coefs[-1].any()
    for k in (1, 4):
        fit = MultiTaskElasticNet(alpha=path.alphas[k], l1_ratio=0.7, tol=1e-10).fit(
            X, Y, sample_weight=s)
        np.testing.assert_allclose(path.coefs[k], fit.coef_, atol=1e-7)
        np.testing.assert_allclose(path.intercepts[k], fit.intercept_, atol=1e-7)
    # a point between grid alphas is solved, not interpolated
    middle = np.sqrt(path.alphas[2] * path.alphas[3])
    coef, intercept = path.coef_at(middle)
    fit = MultiTaskElasticNet(alpha=middle, l1_ratio=0.7, tol=1e-10).fit(X, Y, sample_weight=s)
    np.testing.assert_allclose(coef, fit.coef_, atol=1e-7)


def test_fitted_cv_keeps_its_path_and_predicts_at_any_alpha():
    X, Y, _ = problem()
    cv = MultiTaskLassoCV(alphas=10, cv=3, tol=1e-10).fit(X, Y)
    k = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    np.testing.assert_allclose(cv.path_.coefs[k], cv.coef_, atol=1e-7)
    np.testing.assert_allclose(cv.predict(X, alpha=cv.alpha_), cv.predict(X), atol=1e-6)


def test_plot_path_draws_the_row_norm_of_each_feature():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklreg import plot_path

    X, Y, _ = problem()
    cv = MultiTaskLassoCV(alphas=10, cv=3).fit(X, Y)
    display = plot_path(cv)
    assert len(display.lines_) == X.shape[1]
    np.testing.assert_allclose(display.lines_[2].get_ydata(),
                               np.linalg.norm(cv.path_.coefs[:, :, 2], axis=1))
    assert "norm" in display.ax_.get_ylabel()
    one = plot_path(MultiTaskLasso(), X, Y, target=1)
    path = regularization_path(MultiTaskLasso(), X, Y)
    np.testing.assert_allclose(one.lines_[0].get_ydata(), path.coefs[:, 1, 0])
    with pytest.raises(ValueError, match="target"):
        plot_path(path, target=3)
    plt.close("all")
