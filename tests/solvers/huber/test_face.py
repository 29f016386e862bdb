"""The sigma -> 0 face of the Huber problem (``sklreg.solvers.huber._face``):
data that can be interpolated, epsilon = 1, and the face solver itself
against cvxpy."""
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from sklreg import HuberRegressor
from sklreg._core._design import Design
from sklreg.solvers.huber._face import solve_face
from sklreg.solvers.huber._face_problem import FaceProblem
from tests.linear_model.test_huber import make_huber_problem, objective, p_at_zero, sklearn_reference


def fit_quietly(est, X, y, s=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return est.fit(X, y, sample_weight=s)


def test_wide_interpolating_data_beats_sklearn_and_certifies():
    # issue 22, item 4: n = 50 <= p + 1, the scale goes to zero and the
    # optimum is the penalised least-absolute-deviation fit
    X, y = make_regression(50, 200, noise=5, random_state=4)
    y[:5] += 50
    est = fit_quietly(HuberRegressor(alpha=0.1, max_iter=1000, tol=1e-8), X, y)
    ref = sklearn_reference(est, X, y, None)
    assert objective(est, X, y, None) <= objective(ref, X, y, None) * (1 + 1e-12)
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)


def test_two_samples_one_feature_is_solved_on_the_face():
    # issue 22, item 4: n = 2, p = 1 used to burn every pass of max_iter
    X, y = np.array([[-5.8138], [28.1843]]), np.array([1.3087, 2.2511])
    est = fit_quietly(HuberRegressor(alpha=1e-2, tol=1e-8, max_iter=100), X, y)
    ours = objective(est, X, y, None)
    assert ours <= objective(sk.HuberRegressor(alpha=1e-2, tol=1e-8).fit(X, y), X, y, None)
    # the optimum has sigma -> 0; ours keeps sigma at its floor (1e-12 of
    # the spread of y), which costs n_w * sigma_floor over the infimum
    ref = sklearn_reference(est, X, y, None)
    assert est.scale_ <= 1e-12 * np.mean(np.abs(y - y.mean())) * (1 + 1e-9)
    assert ours <= objective(ref, X, y, None) * (1 + 1e-12) + 2 * est.scale_
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)
    assert est.n_iter_ < 100
    np.testing.assert_allclose(est.predict(X), y, rtol=1e-9)    # both fitted exactly


def face_by_cvxpy(X, y, s, c, l1, l2, positive, fit_intercept):
    cp = pytest.importorskip("cvxpy")
    n, p = X.shape
    w = cp.Variable(p, nonneg=positive)
    b = cp.Variable() if fit_intercept else 0.0
    fit = c * cp.sum(cp.multiply(s, cp.abs(y - X @ w - b)))
    pen = l1 @ cp.abs(w) + 0.5 * cp.sum(cp.multiply(l2, cp.square(w)))
    problem = cp.Problem(cp.Minimize(fit + pen))
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12,
                  tol_feas=1e-12, max_iter=500)
    return problem.value


@pytest.mark.parametrize("n, p, l1, l2, positive, fit_intercept, sparse, weights", [
    (40, 8, 0.5, 0.0, False, True, False, False),     # a linear program
    (30, 60, 0.2, 0.0, False, True, False, True),     # wide: interpolation
    (30, 60, 0.0, 0.3, False, True, False, False),    # a ridge face
    (30, 60, 0.1, 0.1, True, False, True, True),
    (50, 10, 0.3, 0.2, False, False, True, False),
])
def test_face_solver_matches_cvxpy(n, p, l1, l2, positive, fit_intercept, sparse, weights):
    X, y, s = make_huber_problem(n, p, outliers=0.2, weights=weights, sparse=sparse, seed=p)
    s = np.ones(n) if s is None else s
    l1v, l2v = np.full(p, l1), np.full(p, l2)
    Xf = X if sparse else np.asfortranarray(X)
    face = FaceProblem(Design(Xf), y, s, 2.7, l1v, l2v, positive, fit_intercept)
    found = solve_face(face, np.zeros(p), 0.0)
    Xd = X.toarray() if sparse else X
    best = face_by_cvxpy(Xd, y, s, 2.7, l1v, l2v, positive, fit_intercept)
    assert found.optimal
    r = y - Xd @ found.coef - found.intercept
    ours = face.objective(found.coef, r)
    assert ours <= best + 1e-7 * abs(best)
    # its dual point is feasible and closes the gap of the face problem
    theta = found.theta
    assert np.all(np.abs(theta) <= 2.7 * s * (1 + 1e-9))
    if fit_intercept:
        assert abs(theta.sum()) <= 1e-8 * np.abs(theta).sum()
    corr = Xd.T @ theta
    if positive:
        assert np.all(found.coef >= 0)
    dual = theta @ y - 0.5 * np.sum(np.where(
        l2v > 0, np.maximum(np.abs(corr) - l1v if not positive else corr - l1v, 0) ** 2
        / np.where(l2v > 0, l2v, 1.0), 0.0))
    if not np.any(l2v > 0):
        excess = (corr if positive else np.abs(corr)) - l1v
        assert np.all(excess <= 1e-8 * (np.abs(corr).max() + 1))
    assert ours - dual <= 1e-7 * abs(best)


def test_sparse_face_equals_dense():
    X, y, s = make_huber_problem(30, 60, outliers=0.2, weights=True, sparse=True, seed=3)
    kw = dict(alpha=0.05, l1_ratio=0.5, tol=1e-10, max_iter=1000)
    a = fit_quietly(HuberRegressor(**kw), X, y, s)
    b = fit_quietly(HuberRegressor(**kw), X.toarray(), y, s)
    np.testing.assert_allclose(a.predict(X), b.predict(X.toarray()), rtol=1e-7, atol=1e-8)
    assert abs(objective(a, X.toarray(), y, s) - objective(b, X.toarray(), y, s)) <= (
        1e-10 * p_at_zero(a, X.toarray(), y, s))


def test_epsilon_one_with_a_ridge_part_reaches_tol():
    # issue 28, item 7: epsilon = 1 puts the optimal scale at its floor
    # whatever w; the default L2 part made both solvers stall
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 10))
    y = X @ rng.standard_normal(10) + rng.standard_normal(200)
    est = fit_quietly(HuberRegressor(epsilon=1.0, alpha=0.5, tol=1e-8), X, y)
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)
    # the optimum is the sigma -> 0 limit: 2 sum |r| + alpha ||w||^2
    best = face_by_cvxpy(X, y, np.ones(200), 2.0, np.zeros(10), np.full(10, 1.0), False, True)
    ours = objective(est, X, y, None)
    assert ours <= best * (1 + 1e-7) + 200 * est.scale_


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_more_features_than_samples_certifies(l1_ratio):
    # issue 28, item 7: p > n fits were optimal but always warned
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 100)), rng.standard_normal(20)
    est = fit_quietly(HuberRegressor(alpha=0.01, l1_ratio=l1_ratio, tol=1e-8), X, y)
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)
    best = face_by_cvxpy(X, y, np.ones(20), 2 * 1.35, np.full(100, 0.01 * l1_ratio),
                         np.full(100, 0.02 * (1 - l1_ratio)), False, True)
    assert objective(est, X, y, None) <= best * (1 + 1e-7) + 20 * est.scale_


def test_wide_l1_fit_grows_a_working_set():
    # issue 28, item 4: the face is solved on a working set of coordinates;
    # the answer is the face problem's optimum over all of them
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 1500))
    y = X[:, :5] @ np.ones(5) + rng.standard_normal(30)
    est = fit_quietly(HuberRegressor(alpha=0.1, l1_ratio=1.0, tol=1e-8), X, y)
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)
    best = face_by_cvxpy(X, y, np.ones(30), 2 * 1.35, np.full(1500, 0.1), np.zeros(1500),
                         False, True)
    assert objective(est, X, y, None) <= best * (1 + 1e-7) + 30 * est.scale_
