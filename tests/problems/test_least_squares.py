"""The least-squares problem object: P(0), alpha_max, solve and path in the
estimator's units, judged by NumPy objectives and scikit-learn."""
import numpy as np
import pytest
from sklearn import linear_model as sk

from sklreg import ElasticNet, Lasso, Ridge
from sklreg.utils.reference import (enet_objective, enet_objective_at_zero, ridge_objective,
                                    ridge_objective_at_zero)
from tests.conftest import make_problem


@pytest.mark.parametrize("sparse", [False, True])
def test_lasso_problem_p0_alpha_max_and_solve(sparse):
    X, y, s = make_problem(60, 30, sparse=sparse, weights=True, shift=1.0)
    est = Lasso(tol=1e-10)
    problem = est._make_problem(X, y, s)
    np.testing.assert_allclose(problem.p0, enet_objective_at_zero(y, s), rtol=1e-12)
    top = problem.alpha_max()
    # at alpha_max every coefficient is zero, just below it one is not
    assert np.all(est._make_problem(X, y, s).solve(top).coef == 0)
    assert np.any(est._make_problem(X, y, s).solve(0.99 * top).coef != 0)
    at = est._make_problem(X, y, s)
    result = at.solve(0.1 * top)
    assert result.gap <= 1e-10 * problem.p0
    # the certificate of the solution, recomputed, and of a worse point
    assert at.certificate(0.1 * top)[0] <= 1e-10 * problem.p0
    assert est._make_problem(X, y, s).certificate(0.1 * top)[0] > 1e-3 * problem.p0
    Xd = X.toarray() if sparse else X
    reference = sk.Lasso(alpha=0.1 * top, tol=1e-12, max_iter=100_000).fit(Xd, y, sample_weight=s)
    ours = enet_objective(Xd, y, result.coef, result.intercept, 0.1 * top, 1.0, s)
    theirs = enet_objective(Xd, y, reference.coef_, reference.intercept_, 0.1 * top, 1.0, s)
    assert ours <= theirs + result.gap


def test_problem_solves_from_where_it_ended():
    """A problem keeps its coefficients: a second solve starts at the first's
    solution (a warm start needs no passes at the same alpha)."""
    X, y, _ = make_problem(50, 20)
    problem = ElasticNet(l1_ratio=0.5, tol=1e-8)._make_problem(X, y, None)
    first = problem.solve(0.05)
    again = problem.solve(0.05)
    assert again.n_iter <= 1 and again.gap <= 1e-8 * problem.p0
    np.testing.assert_allclose(again.coef, first.coef, atol=1e-10)


def test_path_points_equal_single_solves():
    X, y, s = make_problem(40, 25, weights=True)
    est = ElasticNet(l1_ratio=0.7, tol=1e-10)
    top = est._make_problem(X, y, s).alpha_max()
    alphas = top * np.geomspace(1, 1e-2, 6)
    results = list(est._make_problem(X, y, s).path(alphas))
    for alpha, result in zip(alphas, results):
        alone = est._make_problem(X, y, s).solve(alpha)
        on_path = enet_objective(X, y, result.coef, result.intercept, alpha, 0.7, s)
        single = enet_objective(X, y, alone.coef, alone.intercept, alpha, 0.7, s)
        assert abs(on_path - single) <= 2e-10 * enet_objective_at_zero(y, s)
    # each point is its own copy, not the problem's moving coefficients
    assert not np.shares_memory(results[0].coef, results[-1].coef)


def test_ridge_problem_reports_in_ridge_units():
    X, y, s = make_problem(50, 10, weights=True, shift=2.0)
    est = Ridge(alpha=3.0, positive=True, tol=1e-10)
    problem = est._make_problem(X, y, s)
    np.testing.assert_allclose(problem.p0, ridge_objective_at_zero(y, s), rtol=1e-12)
    result = problem.solve(3.0)
    assert result.gap <= 1e-10 * problem.p0
    gap, primal = problem.certificate(3.0)
    np.testing.assert_allclose([gap, primal], [result.gap, result.primal],
                               rtol=1e-8, atol=1e-12 * problem.p0)
    np.testing.assert_allclose(result.primal, ridge_objective(X, y, result.coef,
                                                              result.intercept, 3.0, s),
                               rtol=1e-9)
    with pytest.raises(TypeError, match="Ridge"):
        problem.alpha_max()
