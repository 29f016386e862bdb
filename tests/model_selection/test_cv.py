"""Cross-validated estimators: scikit-learn equivalence, GridSearchCV, the 1-SE rule."""
import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklreg import ElasticNet, ElasticNetCV, Lasso, LassoCV
from tests.conftest import make_problem


@pytest.fixture(scope="module")
def data():
    X, y, s = make_problem(120, 40, weights=True, shift=1.0)
    return X, y, s


@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_cv_equals_sklearn(data, weighted):
    X, y, s = data
    s = s if weighted else None
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    ours = LassoCV(cv=folds, alphas=30, tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=s)
    ref = sk.LassoCV(cv=folds, alphas=30, tol=1e-12, max_iter=1_000_000).fit(
        X, y, sample_weight=s)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)


def test_elastic_net_cv_equals_sklearn(data):
    X, y, _ = data
    folds = list(KFold(3).split(X))
    ours = ElasticNetCV(l1_ratio=[0.2, 0.7, 1.0], cv=folds, alphas=20, tol=1e-11,
                        max_iter=100_000).fit(X, y)
    ref = sk.ElasticNetCV(l1_ratio=[0.2, 0.7, 1.0], cv=folds, alphas=20, tol=1e-12,
                          max_iter=1_000_000).fit(X, y)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (3, 20, 3)
    assert ours.alphas_.shape == ref.alphas_.shape == (3, 20)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-5)
    assert (ours.alpha_, ours.l1_ratio_) == (pytest.approx(ref.alpha_), ref.l1_ratio_)


def test_grid_search_cv_agrees_with_the_cv_estimator(data):
    X, y, _ = data
    folds = list(KFold(5, shuffle=True, random_state=1).split(X))
    cv_model = LassoCV(cv=folds, alphas=15, tol=1e-10).fit(X, y)
    grid = GridSearchCV(Lasso(tol=1e-10), {"alpha": cv_model.alphas_}, cv=folds,
                        scoring="neg_mean_squared_error").fit(X, y)
    assert grid.best_params_["alpha"] == pytest.approx(cv_model.alpha_)
    np.testing.assert_allclose(-grid.cv_results_["mean_test_score"],
                               cv_model.cv_results_["mean_test_loss"], rtol=1e-7)


def test_scoring_and_fold_ids(data):
    X, y, _ = data
    fold_ids = np.arange(len(y)) % 4
    by_ids = LassoCV(alphas=10, scoring="r2", tol=1e-10).fit(X, y, fold_ids=fold_ids)
    folds = [(np.flatnonzero(fold_ids != k), np.flatnonzero(fold_ids == k)) for k in range(4)]
    grid = GridSearchCV(Lasso(tol=1e-10), {"alpha": by_ids.alphas_}, cv=folds,
                        scoring="r2").fit(X, y)
    np.testing.assert_allclose(-by_ids.cv_results_["mean_test_loss"],
                               grid.cv_results_["mean_test_score"], rtol=1e-6)
    assert by_ids.alpha_ == pytest.approx(grid.best_params_["alpha"])


def test_a_scoring_and_the_own_loss_score_the_same_predictions(data):
    """One scoring of predictions for every *CV: a path's test fold scored by
    'neg_mean_squared_error' gives exactly the default loss (the weighted
    mean squared error), per fold and alpha, with sample weights; and a
    callable scorer sees each alpha's predictions, as RidgeCV's does."""
    X, y, s = data
    folds = list(KFold(4, shuffle=True, random_state=2).split(X))
    own = LassoCV(cv=folds, alphas=12, tol=1e-10).fit(X, y, sample_weight=s)
    scored = LassoCV(cv=folds, alphas=12, tol=1e-10,
                     scoring="neg_mean_squared_error").fit(X, y, sample_weight=s)
    np.testing.assert_allclose(scored.mse_path_, own.mse_path_, rtol=1e-12)
    assert scored.alpha_ == own.alpha_
    # the same test losses from the fold paths' coefficients, by hand
    kept = LassoCV(cv=folds, alphas=12, tol=1e-10, store_cv_coefs=True).fit(
        X, y, sample_weight=s)
    for k, (train, test) in enumerate(folds):
        for a, alpha in enumerate(kept.alphas_):
            fold = Lasso(alpha=alpha, tol=1e-10).fit(X[train], y[train], sample_weight=s[train])
            np.testing.assert_allclose(fold.coef_, kept.cv_coefs_[k][a], atol=1e-6)
            error = y[test] - fold.predict(X[test])
            expected = np.average(error ** 2, weights=s[test])
            assert own.mse_path_[a, k] == pytest.approx(expected, rel=1e-5, abs=1e-10)

    seen = []

    def spy(estimator, predictions, y_true, sample_weight=None):
        seen.append(predictions.shape)
        return -np.average((y_true - predictions) ** 2, weights=sample_weight)

    spied = LassoCV(cv=folds, alphas=12, tol=1e-10, scoring=spy).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(spied.mse_path_, own.mse_path_, rtol=1e-12)
    assert set(seen) == {(len(test),) for _, test in folds}


def test_one_standard_error_rule(data):
    X, y, _ = data
    model = LassoCV(cv=5, alphas=40, alpha_selection="1se").fit(X, y)
    res = model.cv_results_
    best = np.argmin(res["mean_test_loss"])
    limit = res["mean_test_loss"][best] + res["sem_test_loss"][best]
    chosen = np.flatnonzero(res["alpha"] == model.alpha_1se_)[0]
    assert model.alpha_ == model.alpha_1se_ >= model.alpha_min_
    assert res["mean_test_loss"][chosen] <= limit
    assert np.all(res["mean_test_loss"][:chosen] > limit)   # larger alphas fail
    refit = Lasso(alpha=model.alpha_1se_).fit(X, y)
    np.testing.assert_allclose(model.coef_, refit.coef_, atol=1e-8)
    assert np.count_nonzero(model.coef_) <= np.count_nonzero(
        Lasso(alpha=model.alpha_min_).fit(X, y).coef_)


def test_stored_fold_coefficients_and_pipeline(data):
    X, y, _ = data
    model = ElasticNetCV(cv=3, alphas=8, store_cv_coefs=True).fit(X, y)
    assert len(model.cv_coefs_) == 3 and model.cv_coefs_[0].shape == (8, X.shape[1])
    pipe = Pipeline([("scale", StandardScaler()), ("model", LassoCV(cv=3, alphas=8))])
    assert pipe.fit(X, y).score(X, y) > 0.5
    search = GridSearchCV(Pipeline([("scale", StandardScaler()), ("model", ElasticNet())]),
                          {"model__alpha": [0.01, 0.1, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_["model__alpha"] in (0.01, 0.1, 1.0)


def test_cv_on_a_dask_cluster_equals_local(data):
    distributed = pytest.importorskip("dask.distributed")
    from joblib import parallel_backend
    X, y, _ = data
    local = LassoCV(cv=3, alphas=10, tol=1e-10).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        with parallel_backend("dask"):
            remote = LassoCV(cv=3, alphas=10, tol=1e-10, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(remote.mse_path_, local.mse_path_)
    assert remote.alpha_ == local.alpha_


def test_verbose_reports_each_fold(data, capsys, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):      # the plain-lines fallback
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, y, _ = data
    LassoCV(cv=3, alphas=5, verbose=1).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if "fold" in line]
    assert len(lines) == 3 and lines[-1].startswith("[sklreg] fold 3/3")


def test_refitted_estimator_keeps_the_feature_names(data):
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    cv = LassoCV(cv=3, alphas=5).fit(frame, y)
    np.testing.assert_array_equal(cv.estimator_.feature_names_in_, frame.columns)
    np.testing.assert_array_equal(cv.feature_names_in_, frame.columns)
    np.testing.assert_allclose(cv.estimator_.predict(frame), cv.predict(frame))
