"""Huber paths (l1_ratio=0, the Newton solver): what is shared across alphas
(Hessian Gram, gap pieces, warm intercept and scale) gives the answers of
fresh, independent fits, and HuberRegressorCV chooses what a grid search does."""
import numpy as np
import pytest
from scipy import optimize
from sklearn import linear_model as sk
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold

from sklreg import HuberRegressor, HuberRegressorCV, regularization_path
from sklreg.model_selection._folds import take_rows
from sklreg.solvers.huber._hessian import Hessian as _Hessian
from sklreg.solvers.huber._session import Session as _Session
from sklreg.utils.reference import huber_objective
from tests.linear_model.test_huber import make_huber_problem


def _best_objective(X, y, coef, intercept, alpha, s, epsilon=1.35):
    """The joint objective at (coef, intercept), minimised over the scale by
    a bounded scalar search (independent of the solver's exact scale)."""
    r = y - X @ coef - intercept
    hi = 2 * np.max(np.abs(r)) + 1.0
    res = optimize.minimize_scalar(
        lambda sigma: huber_objective(X, y, coef, intercept, sigma, epsilon, alpha, 0.0, s),
        bounds=(1e-9, hi), method="bounded", options={"xatol": 1e-12})
    return res.fun


@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_path_equals_fresh_fits(weights, fit_intercept):
    X, y, s = make_huber_problem(300, 6, weights=weights, seed=3)
    est = HuberRegressor(fit_intercept=fit_intercept, tol=1e-6)
    path = regularization_path(est, X, y, sample_weight=s, alphas=12, eps=1e-3)
    p0 = _p0(X, y, s, fit_intercept)
    for k in (1, 5, 11):
        alpha = path.alphas[k]
        tight = HuberRegressor(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12,
                               max_iter=1000).fit(X, y, sample_weight=s)
        on_path = _best_objective(X, y, path.coefs[k], path.intercepts[k], alpha, s)
        best = huber_objective(X, y, tight.coef_, tight.intercept_, tight.scale_, 1.35,
                               alpha, 0.0, s)
        # the path's certificate is honest: it bounds the suboptimality ...
        assert on_path - best <= path.dual_gaps[k] + tight.dual_gap_ + 1e-9 * abs(best)
        # ... and meets the target of a fresh fit at that alpha, tol * P(0)
        assert path.dual_gaps[k] <= 1e-6 * p0 * (1 + 1e-12)


def _p0(X, y, s, fit_intercept):
    """P(0): the objective with w = 0 and the best intercept and scale."""
    zero = HuberRegressor(alpha=0.0, fit_intercept=fit_intercept, tol=1e-12,
                          max_iter=1000).fit(np.zeros((X.shape[0], 1)), y, sample_weight=s)
    return huber_objective(np.zeros((X.shape[0], 1)), y, zero.coef_, zero.intercept_,
                           zero.scale_, 1.35, 0.0, 0.0, s)


@pytest.mark.parametrize("weights", [False, True])
def test_carried_hessian_equals_a_fresh_one(weights):
    X, y, s = make_huber_problem(400, 5, weights=weights, outliers=0.2, seed=1)
    problem = HuberRegressor()._huber_problem(X, y, s)
    session = _Session(problem, 1e-8, 100, "newton")
    w, start = np.zeros(5), None
    for alpha in np.geomspace(100.0, 0.01, 8):
        problem.set_penalty(np.zeros(5), np.full(5, 2 * alpha))
        result = session.solve(w, start)
        w = np.array(result.coef)
        start = result
    assert not session.hessian.full            # rows changed side along the way
    # a point where some samples sit on the other side than where the Gram
    # was last updated (fewer than the inliers: the update, not a rebuild)
    r, sigma = result.residual * 1.1, 0.9 * result.scale
    certificate = problem.gap(w, r, sigma)
    outlier = certificate.dual.weight != problem.s
    assert 0 < np.sum(outlier != session.hessian.outlier) < np.sum(~outlier)
    carried = session.hessian(r, sigma, certificate)
    fresh = _Hessian(problem)(r, sigma, certificate)
    np.testing.assert_allclose(carried, fresh, rtol=1e-10, atol=1e-10 * np.abs(fresh).max())
    # and both are the Hessian written out from its definition
    s = np.ones_like(r) if s is None else s
    inlier = np.abs(r) <= problem.eps * sigma
    U = np.column_stack([X, np.ones_like(r), r / sigma])[inlier]
    direct = 2.0 / sigma * (U.T * s[inlier]) @ U
    direct[np.arange(5), np.arange(5)] += problem.l2
    np.testing.assert_allclose(carried, direct, rtol=1e-9, atol=1e-9 * np.abs(direct).max())


def test_gap_after_a_penalty_change_equals_a_fresh_problems():
    X, y, s = make_huber_problem(200, 4, weights=True, seed=2)
    w = np.array([0.5, -1.0, 0.2, 0.0])
    problem = HuberRegressor(alpha=1.5)._huber_problem(X, y, s)
    r = problem.residual(w, 2.0)
    first = problem.gap(w, r, 1.3)
    problem.set_penalty(np.zeros(4), np.full(4, 0.2))
    again = problem.certify(w, first.dual, 1.3)    # penalty-free pieces reused
    fresh = HuberRegressor(alpha=0.1)._huber_problem(X, y, s)
    expected = fresh.gap(w, fresh.residual(w, 2.0), 1.3)
    assert again[0] == pytest.approx(expected[0], rel=1e-12)
    assert again[1] == pytest.approx(expected[1], rel=1e-12)
    np.testing.assert_allclose(again[2], expected[2], rtol=1e-12)
    assert first[1] != pytest.approx(again[1])
    # overwriting the residual in place drops what was kept for it
    problem.residual(np.zeros(4), 0.0, out=r)
    moved = problem.gap(np.zeros(4), r, 1.3)
    at_zero = fresh.gap(np.zeros(4), fresh.residual(np.zeros(4), 0.0), 1.3)
    assert moved[0] == pytest.approx(at_zero[0], rel=1e-12)


def huber_cv_loss(epsilon=1.35):
    loss = HuberRegressorCV(epsilon=epsilon)._loss
    return make_scorer(lambda y, pred: loss(y, pred, None), greater_is_better=False)


def test_l2_cv_equals_grid_searches():
    X, y, _ = make_huber_problem(240, 5, outliers=0.1, seed=4)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    cv = HuberRegressorCV(cv=folds, alphas=10, tol=1e-10, max_iter=1000).fit(X, y)
    grid = {"alpha": list(cv.alphas_)}
    ours = GridSearchCV(HuberRegressor(tol=1e-10, max_iter=1000), grid, cv=folds,
                        scoring=huber_cv_loss()).fit(X, y)
    np.testing.assert_allclose(cv.cv_results_["mean_test_loss"],
                               -ours.cv_results_["mean_test_score"], rtol=1e-7)
    assert cv.alpha_ == ours.best_params_["alpha"]
    np.testing.assert_allclose(cv.coef_, ours.best_estimator_.coef_, rtol=1e-6, atol=1e-8)
    # scikit-learn's own HuberRegressor (same objective) chooses the same alpha
    theirs = GridSearchCV(sk.HuberRegressor(tol=1e-10, max_iter=10_000), grid, cv=folds,
                          scoring=huber_cv_loss()).fit(X, y)
    np.testing.assert_allclose(cv.cv_results_["mean_test_loss"],
                               -theirs.cv_results_["mean_test_score"], rtol=1e-4)
    assert cv.alpha_ == theirs.best_params_["alpha"]


def test_fold_rows_are_gathered_in_fortran_order():
    X = np.asfortranarray(np.arange(24.0).reshape(6, 4))
    idx = np.array([4, 0, 2])
    rows = take_rows(X, idx)
    assert rows.flags.f_contiguous
    np.testing.assert_array_equal(rows, X[idx])
    np.testing.assert_array_equal(take_rows(np.ascontiguousarray(X), idx), X[idx])


def test_majoriser_on_constant_y_needs_no_inner_solve():
    # the weighted least-squares majoriser is fitted exactly by w = 0 and
    # the intercept; its relative inner tolerance would be 0
    import warnings
    from sklreg.solvers.huber import solve_huber
    X, _, s = make_huber_problem(50, 3, weights=True, seed=6)
    problem = HuberRegressor(alpha=0.1)._huber_problem(X, np.full(50, -1.5), s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = solve_huber(problem, np.ones(3), tol=1e-6, solver="majorise")
    np.testing.assert_allclose(result.coef, 0.0, atol=1e-12)
    assert result.intercept == pytest.approx(-1.5, rel=1e-12)
    assert result.gap <= result.tol_abs
