"""HuberRegressor at extreme settings (issue 28, items 7 and 11): a huge
epsilon, epsilon = 1, more features than samples."""
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from sklreg import HuberRegressor
from sklreg.utils.reference import huber_objective, huber_optimum


def outlier_data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    y[: max(n // 20, 1)] += 30.0
    return X, y


def certified(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("epsilon", [1e7, 1e100, 1e300])
def test_huge_epsilon_is_least_squares_with_scale(epsilon):
    # epsilon**2 overflowed (a NaN gap and a warning); beyond every |z_i|
    # the fit is scikit-learn's at any epsilon as large (1e6 here: its
    # own objective overflows at 1e300)
    X, y = outlier_data(200, 5)
    est = certified(HuberRegressor(epsilon=epsilon, tol=1e-10), X, y)
    ref = sk.HuberRegressor(epsilon=1e6, tol=1e-12, max_iter=10_000).fit(X, y)
    r = y - X @ est.coef_ - est.intercept_
    assert np.all(np.abs(r) < epsilon * est.scale_)      # no outlier: H(z) = z**2
    ours = huber_objective(X, y, est.coef_, est.intercept_, est.scale_, 1e6, est.alpha)
    best = huber_objective(X, y, ref.coef_, ref.intercept_, ref.scale_, 1e6, est.alpha)
    assert ours - best <= 1e-10 * best
    assert np.isfinite(est.dual_gap_) and ours - best <= est.dual_gap_ + 1e-12 * best


def test_reduced_epsilon_accounts_for_outliers_beyond_it():
    # a point whose residuals lie beyond the reduced epsilon: the objective
    # with the caller's epsilon exceeds the reduced one's by excess()
    X, y = outlier_data(30, 3)
    problem = HuberRegressor(epsilon=1e7)._huber_problem(np.asfortranarray(X), y, None)
    assert problem.eps < problem.epsilon == 1e7
    sigma = 1e-7
    r = problem.residual(np.zeros(3), 0.0)
    assert np.any(np.abs(r) / sigma > 1e7)               # beyond both epsilons
    reduced = huber_objective(X, problem.y, np.zeros(3), 0.0, sigma, problem.eps, 0.0)
    caller = huber_objective(X, problem.y, np.zeros(3), 0.0, sigma, 1e7, 0.0)
    assert problem.excess(r, sigma) == pytest.approx(caller - reduced, rel=1e-9)


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")    # cvxpy's
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alpha", [1e-4, 10.0, 1000.0])
def test_more_features_than_samples_certified(alpha, seed):
    # p > n warned although optimal, or crawled for max_iter towards a
    # scale of zero (the face is now tried once the scale has collapsed)
    pytest.importorskip("cvxpy")
    X, y = outlier_data(30, 60, seed)
    est = certified(HuberRegressor(alpha=alpha), X, y)
    ours = huber_objective(X, y, est.coef_, est.intercept_, est.scale_, 1.35, alpha)
    best = huber_optimum(X, y, None, 1.35, alpha)
    assert ours - best <= est.dual_gap_ + 1e-8 * best
    assert ours - best <= 1e-5 * ours


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")    # cvxpy's
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alpha", [1e-4, 1.0])
def test_epsilon_one_certified(alpha, seed):
    # epsilon = 1 never reached tol (objective 0.05-0.14 above the optimum);
    # then a failed finish rewrote the certified face solution's
    # coefficients in place (seed 2: 15 above the optimum, gap 1e-9)
    pytest.importorskip("cvxpy")
    X, y = outlier_data(100, 10, seed)
    est = certified(HuberRegressor(epsilon=1.0, alpha=alpha, tol=1e-8), X, y)
    ours = huber_objective(X, y, est.coef_, est.intercept_, est.scale_, 1.0, alpha)
    best = huber_optimum(X, y, None, 1.0, alpha)
    assert ours - best <= est.dual_gap_ + 1e-8 * best
    assert ours - best <= 1e-8 * best


def test_wide_l1_huber_costs_n_p_memory_and_reaches_the_optimum():
    """An L1 Huber fit on wide data keeps its memory O(n p), never a
    (p + 1) x (p + 1) normal matrix (50 x 5000: 200 MB), and is optimal."""
    import tracemalloc

    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 5000))
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -1.0]) + 0.1 * rng.standard_normal(50)
    y[:3] += 20.0
    tracemalloc.start()
    HuberRegressor(alpha=1.0, l1_ratio=1.0).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * X.nbytes

    Xs, ys = X[:, :300], y
    model = HuberRegressor(alpha=1.0, l1_ratio=1.0, tol=1e-8).fit(Xs, ys)
    value = huber_objective(Xs, ys, model.coef_, model.intercept_, model.scale_, 1.35, 1.0, 1.0)
    optimum = huber_optimum(Xs, ys, None, 1.35, 1.0, 1.0)
    assert value - optimum <= model.dual_gap_ + 1e-7 * abs(optimum)
