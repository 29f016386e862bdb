"""Fitted paths answer at any alpha of their range: ``PathResult.coef_at``,
``*CV.coef_at`` and ``*CV.predict(X, alpha=)`` solve exactly there (checked
against independent solvers), not by interpolating the grid."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from sklreg import (ElasticNet, ElasticNetCV, HuberRegressorCV, Lasso,
                    LassoCV, QuantileRegressorCV, RidgeCV,
                    regularization_path)
from sklreg.utils.reference import enet_objective, enet_objective_at_zero
from tests.conftest import make_problem


@pytest.fixture(scope="module")
def data():
    X, y, s = make_problem(90, 12, weights=True, shift=1.0)
    return X, y, s


def between(grid, k):
    """The geometric midpoint of grid points k and k + 1."""
    return float(np.sqrt(grid[k] * grid[k + 1]))


def ridge_reference(X, y, alpha, s):
    """Exact weighted ridge with an unpenalised intercept, by lstsq."""
    sw = np.sqrt(s)
    Xc = X - np.average(X, axis=0, weights=s)
    yc = y - np.average(y, weights=s)
    A = np.vstack([Xc * sw[:, None], np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([yc * sw, np.zeros(X.shape[1])])
    coef = np.linalg.lstsq(A, b, rcond=None)[0]
    return coef, np.average(y, weights=s) - np.average(X, axis=0, weights=s) @ coef


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_path_coef_at_is_the_exact_enet_solution(sparse, l1_ratio):
    X, y, s = make_problem(90, 12, weights=True, shift=1.0, sparse=sparse)
    est = ElasticNet(l1_ratio=l1_ratio, tol=1e-10)
    path = regularization_path(est, X, y, alphas=8, eps=1e-2, sample_weight=s)
    ref_X = X.toarray() if sparse else X
    for k in (1, 4, 6):
        alpha = between(path.alphas, k)
        coef, intercept = path.coef_at(alpha)
        ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6).fit(
            ref_X, y, sample_weight=s)
        ours = enet_objective(ref_X, y, coef, intercept, alpha, l1_ratio, s)
        best = enet_objective(ref_X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, s)
        assert ours - best <= 1e-10 * enet_objective_at_zero(y, s)
        np.testing.assert_allclose(coef, ref.coef_, atol=1e-5)
        # a solve, not a blend of the neighbours
        blend = 0.5 * (path.coefs[k] + path.coefs[k + 1])
        assert enet_objective(ref_X, y, blend, 0.5 * (path.intercepts[k] + path.intercepts[k + 1]),
                              alpha, l1_ratio, s) > ours
    # at a grid point: the path's own solution
    coef, intercept = path.coef_at(path.alphas[3])
    np.testing.assert_array_equal(coef, path.coefs[3])
    assert intercept == path.intercepts[3]


def test_path_coef_at_outside_the_grid_names_alpha(data):
    X, y, _ = data
    path = regularization_path(Lasso(), X, y, alphas=5, eps=0.1)
    for alpha in (path.alphas[0] * 1.01, path.alphas[-1] * 0.99, np.nan, -1.0):
        with pytest.raises(ValueError, match="alpha"):
            path.coef_at(alpha)


def test_path_coef_at_is_certified(data):
    X, y, _ = data
    with pytest.warns(ConvergenceWarning):
        path = regularization_path(Lasso(tol=1e-12, max_iter=1), X, y, alphas=5, eps=1e-3)
    with pytest.warns(ConvergenceWarning):
        path.coef_at(between(path.alphas, 3))


def test_pickled_path_keeps_its_solutions_not_the_data(data):
    X, y, _ = data
    path = regularization_path(Lasso(), X, y, alphas=5, eps=0.1)
    again = pickle.loads(pickle.dumps(path))
    np.testing.assert_array_equal(again.coefs, path.coefs)
    np.testing.assert_array_equal(again.coef_at(path.alphas[2])[0], path.coefs[2])
    with pytest.raises(ValueError, match="training data"):
        again.coef_at(between(path.alphas, 1))


CV_CASES = {
    "lasso": (LassoCV(alphas=10, eps=1e-2, tol=1e-10, cv=3),
              lambda a, X, y, s: sk.Lasso(alpha=a, tol=1e-14, max_iter=10**6).fit(
                  X, y, sample_weight=s)),
    "enet": (ElasticNetCV(l1_ratio=[0.3, 0.8], alphas=10, eps=1e-2, tol=1e-10, cv=3),
             None),
    "huber": (HuberRegressorCV(alphas=6, tol=1e-10, max_iter=1000, cv=3),
              lambda a, X, y, s: sk.HuberRegressor(alpha=a, tol=1e-12, max_iter=10**5).fit(
                  X, y, sample_weight=s)),
    "quantile": (QuantileRegressorCV(quantile=0.3, alphas=6, tol=1e-8, cv=3),
                 lambda a, X, y, s: sk.QuantileRegressor(quantile=0.3, alpha=a,
                                                         solver="highs").fit(
                     X, y, sample_weight=s)),
    "ridge": (RidgeCV(alphas=[0.1, 1.0, 10.0, 100.0]),
              lambda a, X, y, s: ridge_reference(X, y, a, s)),
}


@pytest.mark.parametrize("name", CV_CASES)
def test_cv_coef_at_and_predict_at_any_alpha(data, name):
    est, reference = CV_CASES[name]
    X, y, s = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)          # an optimum at the grid's edge
        cv = est.fit(X, y, sample_weight=s)
    grid = np.sort(np.atleast_1d(cv.path_.alphas))[::-1]
    coef, intercept = cv.coef_at(cv.alpha_)
    np.testing.assert_allclose(coef, cv.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(intercept, cv.intercept_, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(cv.predict(X), cv.predict(X, alpha=None))
    alpha = between(grid, 1)
    coef, intercept = cv.coef_at(alpha)
    np.testing.assert_allclose(cv.predict(X, alpha=alpha), X @ coef + intercept, rtol=1e-12)
    if reference is not None:
        ref = reference(alpha, X, y, s)
        ref_coef, ref_intercept = (ref if isinstance(ref, tuple)
                                   else (ref.coef_, ref.intercept_))
        np.testing.assert_allclose(coef, ref_coef, atol=2e-4 * np.abs(ref_coef).max())
        np.testing.assert_allclose(intercept, ref_intercept,
                                   atol=2e-4 * max(abs(ref_intercept), 1.0))
    with pytest.raises(ValueError, match="alpha"):
        cv.coef_at(grid[0] * 2)


def test_cv_keeps_its_full_data_path(data):
    X, y, s = data
    cv = LassoCV(alphas=10, eps=1e-2, tol=1e-10, cv=3).fit(X, y, sample_weight=s)
    path = regularization_path(Lasso(tol=1e-10), X, y, alphas=cv.alphas_, sample_weight=s)
    np.testing.assert_array_equal(cv.path_.alphas, cv.alphas_)
    np.testing.assert_allclose(cv.path_.coefs, path.coefs, atol=1e-8)
    k = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    np.testing.assert_allclose(cv.path_.coefs[k], cv.coef_, atol=1e-8)


def test_pickled_cv_predicts_but_cannot_solve_without_its_data(data):
    X, y, _ = data
    cv = LassoCV(alphas=6, cv=3).fit(X, y)
    again = pickle.loads(pickle.dumps(cv))
    np.testing.assert_array_equal(again.predict(X), cv.predict(X))
    with pytest.raises(ValueError, match="training data"):
        again.coef_at(between(cv.alphas_, 1))
