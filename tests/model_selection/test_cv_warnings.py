"""Warnings: one ConvergenceWarning per fit summing up its (fold, alpha) fits,
at the caller's line; a warning when the CV optimum is at an end of the
grid; 'passes' or 'iterations' as the solver counts them."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

from sklreg import (ElasticNetCV, HuberRegressor, HuberRegressorCV, Lasso, LassoCV,
                    QuantileRegressor, QuantileRegressorCV, RidgeCV, alpha_max,
                    regularization_path)
from sklreg.solvers import _ipm
from tests.conftest import make_problem


def caught(fit):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fit()
    return record


def of(record, category):
    return [w for w in record if issubclass(w.category, category)]


def without_exact_finish(est, monkeypatch):
    """The quantile fit's exact finish concludes even after two
    interior-point iterations: without it, a small max_iter misses tol."""
    if isinstance(est, (QuantileRegressor, QuantileRegressorCV)):
        monkeypatch.setattr(_ipm, "vertex", lambda *args, **kwargs: None)


@pytest.fixture(scope="module")
def data():
    X, y, _ = make_problem(120, 30)
    return X, y, list(KFold(3, shuffle=True, random_state=0).split(X))


@pytest.mark.parametrize("est", [
    LassoCV(alphas=8, max_iter=2, tol=1e-10),
    ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=6, max_iter=2, tol=1e-10),
    HuberRegressorCV(l1_ratio=0.5, alphas=5, max_iter=1, tol=1e-10),
    QuantileRegressorCV(alphas=5, max_iter=2, tol=1e-10)], ids=lambda e: type(e).__name__)
def test_one_convergence_warning_per_cv_fit_at_the_callers_line(data, est, monkeypatch):
    X, y, folds = data
    without_exact_finish(est, monkeypatch)
    record = caught(lambda: est.set_params(cv=folds).fit(X, y))
    warned = of(record, ConvergenceWarning)
    assert len(warned) == 1
    assert warned[0].filename == __file__
    message = str(warned[0].message)
    assert message.startswith(type(est).__name__ + ":")
    assert "Worst: duality gap" in message and "Alphas:" in message


def test_the_summary_counts_every_fit_that_missed(data):
    X, y, folds = data
    tol, max_iter = 1e-10, 3
    cv = LassoCV(alphas=8, max_iter=max_iter, tol=tol, cv=folds)
    message = str(of(caught(lambda: cv.fit(X, y)), ConvergenceWarning)[0].message)
    # recount: each fold's path and the refit, certificate against tol * P(0)
    # with P(0) = |y - mean(y)|^2 / (2 n) computed here
    missed = 0
    for train, _ in folds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = regularization_path(Lasso(max_iter=max_iter, tol=tol), X[train], y[train],
                                       alphas=cv.alphas_)
        p0 = 0.5 * np.var(y[train])
        missed += int(np.sum(path.dual_gaps > tol * p0))
    missed += int(cv.dual_gap_ > tol * 0.5 * np.var(y))
    assert f": {missed} of {3 * 8 + 1} fits" in message


def test_path_warns_once_at_the_callers_line(data):
    X, y, _ = data
    record = caught(lambda: regularization_path(Lasso(max_iter=2, tol=1e-10), X, y, alphas=6))
    warned = of(record, ConvergenceWarning)
    assert len(warned) == 1 and warned[0].filename == __file__
    assert "of 6 alphas" in str(warned[0].message)


@pytest.mark.parametrize("est, unit", [
    (Lasso(alpha=0.01, max_iter=2, tol=1e-12), "passes"),
    (HuberRegressor(max_iter=1, tol=1e-12), "iterations"),
    (QuantileRegressor(alpha=0.01, max_iter=2, tol=1e-12), "iterations")],
    ids=lambda e: type(e).__name__ if not isinstance(e, str) else e)
def test_a_single_fit_warns_at_the_callers_line_in_its_own_unit(data, est, unit, monkeypatch):
    X, y, _ = data
    without_exact_finish(est, monkeypatch)
    warned = of(caught(lambda: est.fit(X, y)), ConvergenceWarning)
    assert len(warned) == 1 and warned[0].filename == __file__
    assert f"after {est.n_iter_} {unit}" in str(warned[0].message)


def edge_warnings(fit):
    return [str(w.message) for w in of(caught(fit), UserWarning)
            if "of the grid" in str(w.message)]


def test_optimum_at_the_smallest_alpha_is_flagged():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = X @ np.arange(1.0, 6.0) + 0.01 * rng.standard_normal(100)      # almost no noise
    messages = edge_warnings(lambda: LassoCV(cv=3, alphas=5, eps=0.3).fit(X, y))
    assert len(messages) == 1 and "smallest alpha" in messages[0]
    assert edge_warnings(lambda: LassoCV(cv=3, alphas=50, eps=1e-6).fit(X, y)) == []
    # a grid that reaches alpha = 0 has no smaller alpha to suggest
    assert edge_warnings(lambda: RidgeCV(alphas=[0.0, 1.0, 10.0], cv=3).fit(X, y)) == []


def test_optimum_at_the_largest_alpha_is_flagged_unless_it_is_alpha_max():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((100, 20)), rng.standard_normal(100)    # pure noise
    top = alpha_max(Lasso(), X, y)
    assert edge_warnings(lambda: LassoCV(cv=3, alphas=10).fit(X, y)) == []   # from alpha_max
    messages = edge_warnings(
        lambda: LassoCV(cv=3, alphas=np.geomspace(top / 3, top / 300, 5)).fit(X, y))
    assert len(messages) == 1 and "largest alpha" in messages[0]
    messages = edge_warnings(lambda: RidgeCV(alphas=[1e-3, 1e-2, 1e-1]).fit(X, y))
    assert len(messages) == 1 and "largest alpha" in messages[0]
