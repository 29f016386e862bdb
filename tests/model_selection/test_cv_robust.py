"""Paths and cross-validation for the robust losses (Huber, quantile)."""
import numpy as np
import pytest
from sklearn.metrics import make_scorer, mean_pinball_loss
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklreg import (HuberRegressor, HuberRegressorCV, QuantileRegressor, QuantileRegressorCV,
                    alpha_max, regularization_path)
from tests.conftest import make_problem


@pytest.fixture(scope="module")
def data():
    X, y, s = make_problem(150, 8, weights=True, shift=0.5)
    y = y + np.random.default_rng(5).standard_t(2, size=y.shape)   # heavy tails
    return X, y, s


ESTIMATORS = [HuberRegressor(l1_ratio=1.0, tol=1e-9, max_iter=1000),
              HuberRegressor(l1_ratio=0.5, tol=1e-9, max_iter=1000),
              QuantileRegressor(quantile=0.3, tol=1e-8),
              QuantileRegressor(quantile=0.8, l1_ratio=0.6, tol=1e-8)]


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_max_is_exact(data, est, weighted):
    X, y, s = data
    s = s if weighted else None
    amax = alpha_max(est, X, y, sample_weight=s)
    # 1% above: the interior-point solver returns interior points, so exact
    # zeros are approached only as fast as its certificate allows
    at = est.set_params(alpha=amax * 1.01).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(at.coef_, 0, atol=1e-6)
    below = est.set_params(alpha=amax * 0.97).fit(X, y, sample_weight=s)
    assert np.max(np.abs(below.coef_)) > 1e-4


def objective(est, X, y, coef, intercept, scale=None):
    r = y - X @ coef - intercept
    penalty = est.alpha * (est.l1_ratio * np.abs(coef).sum()
                           + (1 - est.l1_ratio) * coef @ coef
                           * (1.0 if isinstance(est, HuberRegressor) else 0.5))
    if isinstance(est, HuberRegressor):
        z = np.abs(r) / scale
        h = np.where(z <= est.epsilon, z ** 2, 2 * est.epsilon * z - est.epsilon ** 2)
        return np.sum(scale + scale * h) + penalty
    return np.mean(r * (est.quantile - (r < 0))) + penalty


@pytest.mark.parametrize("est", ESTIMATORS[2:], ids=repr)
def test_path_equals_single_fits(data, est):
    # at alpha_max itself the pinball LP can have a segment of optima, so the
    # path is compared with single fits by objective, each within its gap
    X, y, _ = data
    path = regularization_path(est, X, y, alphas=6, eps=0.05)
    for k in (0, 2, 5):
        single = est.set_params(alpha=path.alphas[k]).fit(X, y)
        on_path = objective(single, X, y, path.coefs[k], path.intercepts[k])
        alone = objective(single, X, y, single.coef_, single.intercept_)
        assert abs(on_path - alone) <= path.dual_gaps[k] + single.dual_gap_ + 1e-12


def test_huber_path_equals_single_fits(data):
    X, y, _ = data
    est = ESTIMATORS[0]
    path = regularization_path(est, X, y, alphas=5, eps=0.05)
    assert np.allclose(path.coefs[0], 0, atol=1e-8)
    for k in (2, 4):
        single = est.set_params(alpha=path.alphas[k]).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], single.coef_, atol=1e-5)


def test_huber_cv_equals_grid_search(data):
    X, y, _ = data
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    cv = HuberRegressorCV(l1_ratio=1.0, cv=folds, alphas=8, tol=1e-9, max_iter=1000,
                          scoring="neg_mean_absolute_error").fit(X, y)
    grid = GridSearchCV(HuberRegressor(l1_ratio=1.0, tol=1e-9, max_iter=1000),
                        {"alpha": cv.alphas_}, cv=folds,
                        scoring="neg_mean_absolute_error").fit(X, y)
    np.testing.assert_allclose(-cv.cv_results_["mean_test_loss"],
                               grid.cv_results_["mean_test_score"], rtol=1e-5)
    assert cv.alpha_ == pytest.approx(grid.best_params_["alpha"])
    np.testing.assert_allclose(cv.coef_, grid.best_estimator_.coef_, atol=1e-6)
    assert cv.scale_ == pytest.approx(grid.best_estimator_.scale_)


@pytest.mark.parametrize("quantile", [0.2, 0.9])
def test_quantile_cv_equals_grid_search_with_its_own_loss(data, quantile):
    X, y, s = data
    folds = list(KFold(3, shuffle=True, random_state=1).split(X))
    cv = QuantileRegressorCV(quantile=quantile, cv=folds, alphas=8, tol=1e-7).fit(
        X, y, sample_weight=s)
    pinball = make_scorer(mean_pinball_loss, alpha=quantile, greater_is_better=False)
    grid = GridSearchCV(QuantileRegressor(quantile=quantile, tol=1e-7),
                        {"alpha": cv.alphas_}, cv=folds, scoring=pinball).fit(
        X, y, sample_weight=s)
    # the default CV loss is the (test-weighted) pinball loss
    np.testing.assert_allclose(cv.cv_results_["mean_test_loss"],
                               -grid.cv_results_["mean_test_score"], rtol=1e-6)
    assert cv.alpha_ == pytest.approx(grid.best_params_["alpha"])
    assert cv.loss_path_.shape == (8, 3)


def test_robust_cv_in_a_pipeline_and_one_se(data):
    X, y, _ = data
    pipe = Pipeline([("scale", StandardScaler()),
                     ("model", QuantileRegressorCV(quantile=0.5, cv=3, alphas=6,
                                                   alpha_selection="1se"))]).fit(X, y)
    model = pipe.named_steps["model"]
    assert model.alpha_ == model.alpha_1se_ >= model.alpha_min_
    huber = HuberRegressorCV(cv=3, alphas=6).fit(X, y)     # l1_ratio=0: a pure L2 grid
    assert np.isfinite(huber.alphas_).all() and huber.alphas_[0] > huber.alphas_[-1]
    assert huber.outliers_.shape == (X.shape[0],)
