"""What the issue asks of every estimator: Pipeline + GridSearchCV, GridSearchCV
equal to the ``*CV`` estimator on the same folds and grid, and exact alpha_max."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import make_scorer, mean_pinball_loss
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklreg import (ElasticNet, ElasticNetCV, HuberRegressor, HuberRegressorCV, Lasso, LassoCV,
                    QuantileRegressor, QuantileRegressorCV, Ridge, RidgeCV, alpha_max)
from tests.conftest import make_problem

PINBALL = make_scorer(mean_pinball_loss, alpha=0.7, greater_is_better=False)

# (single-alpha estimator, its CV estimator, the CV estimator's scoring, the
# grid search's scoring computing the same loss)
CASES = {
    "lasso": (Lasso(tol=1e-12), LassoCV(tol=1e-12), None, "neg_mean_squared_error"),
    "enet": (ElasticNet(l1_ratio=0.4, tol=1e-12), ElasticNetCV(l1_ratio=0.4, tol=1e-12),
             None, "neg_mean_squared_error"),
    "ridge": (Ridge(), RidgeCV(), None, None),                      # R^2 in both
    "huber": (HuberRegressor(l1_ratio=1.0, tol=1e-9, max_iter=1000),
              HuberRegressorCV(l1_ratio=1.0, tol=1e-9, max_iter=1000),
              "neg_mean_absolute_error", "neg_mean_absolute_error"),
    "quantile": (QuantileRegressor(quantile=0.7, tol=1e-8),
                 QuantileRegressorCV(quantile=0.7, tol=1e-8), None, PINBALL),
}


@pytest.fixture(scope="module")
def data():
    X, y, _ = make_problem(100, 8, shift=1.0)
    X = X * np.linspace(0.5, 20, X.shape[1])            # scales for the scaler to undo
    return X, y, list(KFold(3, shuffle=True, random_state=0).split(X))


def grid_of(cv_est, X, y, folds):
    if isinstance(cv_est, RidgeCV):
        return np.geomspace(1e4, 1e-2, 5)
    return cv_est.set_params(alphas=5, eps=1e-2, cv=folds).fit(X, y).alphas_


@pytest.mark.parametrize("name", CASES)
def test_grid_search_in_a_pipeline_equals_the_cv_estimator(data, name):
    base, cv_est, cv_scoring, grid_scoring = CASES[name]
    X, y, folds = data
    Xs = StandardScaler().fit_transform(X)
    grid = grid_of(cv_est, Xs, y, folds)
    # in a Pipeline with a StandardScaler, inside GridSearchCV over alpha
    search = GridSearchCV(Pipeline([("scale", StandardScaler()), ("model", base)]),
                          {"model__alpha": grid}, cv=folds, scoring=grid_scoring).fit(X, y)
    assert search.best_params_["model__alpha"] in grid
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert np.isfinite(search.predict(X)).all()
    # the same search on the scaled data equals the CV estimator there
    plain = GridSearchCV(base, {"alpha": grid}, cv=folds, scoring=grid_scoring).fit(Xs, y)
    model = cv_est.set_params(alphas=grid, cv=folds, scoring=cv_scoring).fit(Xs, y)
    assert model.alpha_ == pytest.approx(plain.best_params_["alpha"], rel=1e-12)
    if isinstance(model, RidgeCV):                      # scores, as scikit-learn's
        assert model.best_score_ == pytest.approx(plain.best_score_, rel=1e-8)
    else:                                               # losses
        np.testing.assert_allclose(-model.cv_results_["mean_test_loss"],
                                   plain.cv_results_["mean_test_score"], rtol=1e-6)
    np.testing.assert_allclose(model.coef_, plain.best_estimator_.coef_, rtol=1e-5, atol=1e-6)
    # and the CV estimator itself works in the Pipeline
    pipe = Pipeline([("scale", StandardScaler()), ("model", cv_est)]).fit(X, y)
    assert pipe.named_steps["model"].alpha_ in grid


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("est", [Lasso(tol=1e-12, max_iter=10_000),
                                 ElasticNet(l1_ratio=0.3, tol=1e-12, max_iter=10_000),
                                 Lasso(positive=True, tol=1e-12, max_iter=10_000),
                                 Lasso(fit_intercept=False, tol=1e-12, max_iter=10_000)],
                         ids=repr)
def test_squared_loss_alpha_max_is_exact(est, sparse):
    X, y, s = make_problem(60, 25, sparse=sparse, weights=True, shift=1.0)
    amax = alpha_max(est, X, y, sample_weight=s)
    at = est.set_params(alpha=amax).fit(X, y, sample_weight=s)
    assert np.all(at.coef_ == 0)
    below = est.set_params(alpha=amax * (1 - 1e-3)).fit(X, y, sample_weight=s)
    assert np.count_nonzero(below.coef_) >= 1


def test_alpha_max_without_an_l1_part():
    X, y, _ = make_problem(40, 5)
    assert alpha_max(HuberRegressor(l1_ratio=0.0), X, y) == np.inf
    assert alpha_max(ElasticNet(l1_ratio=0.0), X, y) == np.inf
    with pytest.raises(TypeError, match="Ridge"):
        alpha_max(Ridge(), sp.csc_matrix(X), y)


def test_huber_fold_loss_with_weights_as_repetitions():
    # integer weights count as repeated samples: the loss of the repeated data
    rng = np.random.default_rng(1)
    y, pred = rng.standard_normal(30), rng.standard_normal(30)
    s = rng.integers(1, 4, 30).astype(float)
    r = np.repeat(y - pred, s.astype(int))
    med = np.sort(r)[(r.size - 1) // 2]
    scale = 1.4826 * np.sort(np.abs(r - med))[(r.size - 1) // 2]
    z = np.abs(r) / scale
    expected = scale * np.mean(np.where(z <= 1.35, z ** 2, 2 * 1.35 * z - 1.35 ** 2))
    np.testing.assert_allclose(HuberRegressorCV(epsilon=1.35)._loss(y, pred, s), expected,
                               rtol=1e-13)
