"""Proximal gradient and coordinate descent reach the same certified optimum."""
import itertools

import numpy as np
import pytest

from sklreg import ElasticNet, Lasso, alpha_max
from sklreg._core._datafits import LeastSquares
from sklreg._core._design import Design
from sklreg._core._prox_grad import pg_iterations
from sklreg.penalties import ElasticNetPenalty
from sklreg.solvers import solve_cd, solve_pg
from tests.conftest import make_problem
from tests.linear_model.test_lasso import check_against_sklearn

CASES = list(itertools.product([False, True], [np.float64, np.float32],
                               [False, True], [True, False], [False, True]))


@pytest.mark.parametrize("sparse, dtype, weights, fit_intercept, positive", CASES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_cd_and_pg_reach_the_same_certified_solution(sparse, dtype, weights,
                                                     fit_intercept, positive,
                                                     l1_ratio):
    X, y, s = make_problem(60, 40, sparse=sparse, dtype=dtype, weights=weights,
                           shift=1.0)
    est = ElasticNet(l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive)
    alpha = alpha_max(est, X, y, sample_weight=s) / 20
    penalty = ElasticNetPenalty(alpha, l1_ratio, positive=positive).compile(40)
    results = []
    for solve in (solve_cd, solve_pg):
        datafit = LeastSquares(Design(X), y, s, np.zeros(40), fit_intercept)
        res = solve(datafit, penalty, np.zeros(40), tol=1e-12, max_iter=100_000)
        assert res.converged
        # the returned residual is the one of the returned point
        full_gap, primal, _ = datafit.full_gap(penalty, res.coef)
        assert primal == pytest.approx(res.primal, rel=1e-12)
        results.append(res)
    cd, pg = results
    assert abs(cd.primal - pg.primal) <= cd.gap + pg.gap + 1e-15
    # strongly convex (l2 > 0) or unique lasso solution on generic data
    np.testing.assert_allclose(pg.coef, cd.coef, atol=1e-4)
    np.testing.assert_allclose(pg.intercept, cd.intercept, atol=1e-4)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("Estimator", [Lasso, ElasticNet])
def test_pg_estimators_match_sklearn(Estimator, sparse):
    X, y, s = make_problem(80, 30, sparse=sparse, weights=True, shift=1.0)
    amax = alpha_max(Estimator(), X, y, sample_weight=s)
    est = Estimator(alpha=amax / 30, tol=1e-10, max_iter=100_000, solver="pg")
    check_against_sklearn(est, X, y, s, rtol=1e-7)


def test_pg_gap_bounds_suboptimality_and_backtracking_raises_lipschitz():
    X, y, s = make_problem(80, 120, weights=True, shift=1.0)
    penalty = ElasticNetPenalty(0.05, 0.5).compile(120)
    exact = solve_cd(LeastSquares(Design(X), y, s, np.zeros(120), True), penalty,
                     np.zeros(120), tol=1e-14, max_iter=100_000)
    for max_iter in (1, 5, 20, 80):
        datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
        res = solve_pg(datafit, penalty, np.zeros(120), tol=1e-14, max_iter=max_iter)
        assert res.n_iter <= max_iter
        assert 0 <= res.primal - exact.primal <= res.gap * (1 + 1e-9) + 1e-14
    # start far below the true constant: backtracking must raise it
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    w = np.zeros(120)
    _, _, _, lip, _ = pg_iterations(datafit, penalty, w, 50, 0.0, 1e-3, 10)
    sigma_max = np.linalg.norm((X - np.average(X, axis=0, weights=s)) * np.sqrt(s)[:, None], 2)
    assert 1e-3 < lip <= 2 * sigma_max ** 2 / s.sum() * (1 + 1e-9)


def test_pg_warm_start_from_the_solution_needs_no_iteration():
    X, y, _ = make_problem(50, 20)
    est = Lasso(alpha=0.05, tol=1e-10, solver="pg", warm_start=True).fit(X, y)
    assert est.n_iter_ > 0
    est.fit(X, y)
    assert est.n_iter_ == 0


@pytest.mark.parametrize("shape, l1_ratio", [((80, 30), 1.0), ((30, 80), 0.1),
                                             ((200, 150), 0.01)])
def test_auto_solver_rule_is_cd(shape, l1_ratio):
    """'auto' is coordinate descent on every shape (the docstring gives the
    measurements): the same iterations and coefficients as solver='cd'."""
    X, y, _ = make_problem(*shape)
    alpha = alpha_max(ElasticNet(l1_ratio=l1_ratio), X, y) / 20
    auto = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-8).fit(X, y)
    cd = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-8, solver="cd").fit(X, y)
    assert auto.n_iter_ == cd.n_iter_
    np.testing.assert_array_equal(auto.coef_, cd.coef_)
