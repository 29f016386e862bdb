"""summary and QuantileInterval used as scikit-learn users use them:
pipelines, cross-validation, data frames."""
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from sklreg import (HuberRegressor, QuantileInterval, QuantileRegressor,
                    QuantileRegressorCV, summary)


def data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    X = rng.normal([1.0, -2.0], [2.0, 0.5], (n, 2))
    return X, 1 + X @ [1.0, 2.0] + (1 + np.abs(X[:, 0])) * rng.standard_t(3, n)


@pytest.mark.parametrize("se", ["nid", "ker", "iid"])
def test_pipeline_summary_is_the_raw_fit_reparametrised(se):
    # With x' = (x - m) / s the model b0 + x b is (b0 + m b) + x' (s b): the
    # scaled fit's covariance must be A cov_raw A^T for that linear map A,
    # A computed from the raw summary, not from the pipeline.
    X, y = data()
    exact = dict(alpha=0.0, quantile=0.4, solver="highs-ds")
    pipe = make_pipeline(StandardScaler(), QuantileRegressor(**exact)).fit(X, y)
    raw = summary(QuantileRegressor(**exact).fit(X, y), X, y, se=se)
    m, s = X.mean(axis=0), X.std(axis=0)
    A = np.zeros((3, 3))
    A[0, 0], A[0, 1:] = 1.0, m
    A[1:, 1:] = np.diag(s)
    result = summary(pipe, X, y, se=se)
    assert_allclose(result.params, A @ raw.params, rtol=1e-9)
    expected = A @ raw.cov_params @ A.T
    assert_allclose(result.cov_params, expected, rtol=1e-7, atol=1e-12 * np.abs(expected).max())
    assert result.names == ["intercept", "x0", "x1"]
    assert "transformers are held fixed" in str(result)


def test_pipeline_names_bootstrap_and_huber():
    X, y = data(1)
    pipe = make_pipeline(PolynomialFeatures(2, include_bias=False),
                         QuantileRegressor(alpha=0.0)).fit(X, y)
    result = summary(pipe, X, y, se="boot", n_boot=20, random_state=0)
    assert result.names == ["intercept", "x0", "x1", "x0^2", "x0 x1", "x1^2"]
    assert result.bootstrap_params.shape == (20, 6)
    huber = make_pipeline(StandardScaler(), HuberRegressor(alpha=0.0)).fit(X, y)
    direct = summary(huber[-1], huber[0].transform(X), y)
    assert_allclose(summary(huber, X, y).bse, direct.bse)


def test_pipeline_errors():
    X, y = data(2)
    with pytest.raises(TypeError, match="Pipeline ending in one; got Ridge"):
        summary(make_pipeline(StandardScaler(), Ridge()).fit(X, y), X, y)
    with pytest.raises(ValueError, match="alpha=1.0 > 0"):
        summary(make_pipeline(StandardScaler(), QuantileRegressor()).fit(X, y), X, y)
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        summary(make_pipeline(StandardScaler(), QuantileRegressor(alpha=0.0)), X, y)


def test_cv_estimator_points_to_its_estimator():
    X, y = data(4, 120)
    cv = QuantileRegressorCV(alphas=4, cv=3).fit(X, y)
    with pytest.raises(TypeError, match="estimator_ is one.*se='boot'.*alpha=0"):
        summary(cv, X, y)
    result = summary(cv.estimator_, X, y, se="boot", n_boot=10, random_state=0)
    assert "penalised estimator" in result.notes[0]


@pytest.mark.parametrize("method", ["split", "cv+"])
def test_interval_in_cross_val_score_is_the_fold_coverage(method):
    X, y = data(3, 240)
    model = make_pipeline(StandardScaler(),
                          QuantileInterval(alpha=0.2, method=method, cv=3, random_state=0))
    folds = KFold(4, shuffle=True, random_state=1)
    scores = cross_val_score(model, X, y, cv=folds)
    for score, (train, test) in zip(scores, folds.split(X)):
        bounds = model.fit(X[train], y[train]).predict(X[test])
        inside = (bounds[:, 0] <= y[test]) & (y[test] <= bounds[:, 1])
        assert score == np.mean(inside)
