"""QuantileRegressor against scikit-learn's HiGHS and cvxpy, and its certificate."""
import itertools
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklreg import QuantileRegressor
from sklreg.losses import PinballLoss
from tests.conftest import make_problem


def objective(est, X, y, s=None):
    """The objective of the docstring, in float64 NumPy."""
    coef = np.asarray(est.coef_, dtype=np.float64)
    r = y - np.asarray(X.astype(np.float64) @ coef).ravel() - est.intercept_
    rho = est.l1_ratio
    return (PinballLoss(est.quantile).value(r, s)
            + est.alpha * (rho * np.abs(coef).sum() + 0.5 * (1 - rho) * coef @ coef))


def p_zero(est, y, s=None):
    """P(0): the datafit at w = 0 with the best intercept, by brute force over
    the candidates b = y_i (a weighted quantile is one of them)."""
    loss = PinballLoss(est.quantile)
    if not est.fit_intercept:
        return loss.value(y, s)
    return min(loss.value(y - b, s) for b in y)


def sklearn_fit(est, X, y, s):
    ref = sk.QuantileRegressor(quantile=est.quantile, alpha=est.alpha,
                               fit_intercept=est.fit_intercept, solver="highs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ref.fit(X.astype(np.float64), y, sample_weight=s)


def check_against_sklearn(est, X, y, s, rtol=1e-6):
    est = clone(est).fit(X, y, sample_weight=s)
    ref = sklearn_fit(est, X, y, s)
    ref.l1_ratio = 1.0
    ours, best = objective(est, X, y, s), objective(ref, X, y, s)
    assert est.coef_.dtype == X.dtype
    assert est.dual_gap_ <= est.tol * p_zero(est, y, s)
    # the gap is a certificate: the objective is within it of the optimum
    # (up to rounding coef_ to float32 when X is float32)
    slack = rtol if X.dtype == np.float32 else 1e-12
    assert ours - best <= est.dual_gap_ + slack * abs(best)
    assert abs(ours - best) <= rtol * abs(best)
    return est


TAUS, ALPHAS = [0.1, 0.5, 0.9], [0.0, 0.02]
GRID = [(tau, alpha, sparse, k % 2 == 1, k % 3 != 2)
        for k, (tau, alpha, sparse) in enumerate(
            itertools.product(TAUS, ALPHAS, [False, True]))]


@pytest.mark.parametrize("tau, alpha, sparse, weights, fit_intercept", GRID)
def test_matches_sklearn_highs(tau, alpha, sparse, weights, fit_intercept):
    X, y, s = make_problem(80, 12, sparse=sparse, weights=weights, shift=1.0)
    est = QuantileRegressor(quantile=tau, alpha=alpha, fit_intercept=fit_intercept,
                            tol=1e-9)
    check_against_sklearn(est, X, y, s)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("tau", [0.2, 0.7])
def test_p_much_larger_than_n(sparse, tau):
    X, y, s = make_problem(25, 300, sparse=sparse, weights=True)
    est = QuantileRegressor(quantile=tau, alpha=0.05, tol=1e-9)
    check_against_sklearn(est, X, y, s)


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_matches_sklearn(sparse):
    X, y, s = make_problem(60, 10, sparse=sparse, dtype=np.float32, weights=True)
    est = QuantileRegressor(quantile=0.3, alpha=0.01, tol=1e-9)
    check_against_sklearn(est, X, y, s, rtol=1e-5)


@pytest.mark.parametrize("solver", ["highs", "highs-ds", "highs-ipm"])
def test_sklearn_solvers_still_run_and_are_certified(solver):
    X, y, s = make_problem(50, 6, weights=True)
    est = QuantileRegressor(quantile=0.6, alpha=0.01, solver=solver)
    got = check_against_sklearn(est, X, y, s)
    assert got.n_iter_ > 0


def test_elastic_net_matches_cvxpy():
    cp = pytest.importorskip("cvxpy")
    X, y, s = make_problem(50, 8, weights=True, shift=0.5)
    tau, alpha, rho = 0.3, 0.05, 0.4
    est = QuantileRegressor(quantile=tau, alpha=alpha, l1_ratio=rho, tol=1e-10)
    est.fit(X, y, sample_weight=s)
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    r = y - X @ w - b
    loss = cp.sum(cp.multiply(s, tau * cp.pos(r) + (1 - tau) * cp.neg(r))) / s.sum()
    pen = alpha * (rho * cp.norm1(w) + (1 - rho) / 2 * cp.sum_squares(w))
    prob = cp.Problem(cp.Minimize(loss + pen))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    ours = objective(est, X, y, s)
    assert abs(ours - prob.value) <= 1e-6 * abs(prob.value)
    assert ours - prob.value <= est.dual_gap_ + 1e-9 * abs(prob.value)
    np.testing.assert_allclose(est.coef_, w.value, atol=1e-4)


def test_fitted_quantiles_do_not_cross():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 400)
    y = 1.0 + x + (0.5 + 0.3 * x) * rng.standard_normal(400)
    X = x[:, None]
    grid = np.linspace(0, 10, 50)[:, None]
    preds = [QuantileRegressor(quantile=t, alpha=0.0).fit(X, y).predict(grid)
             for t in (0.1, 0.5, 0.9)]
    assert np.all(preds[0] < preds[1]) and np.all(preds[1] < preds[2])
    # and the fitted 0.9 line has about 90% of the points below it
    assert abs(np.mean(y <= QuantileRegressor(quantile=0.9, alpha=0.0)
                       .fit(X, y).predict(X)) - 0.9) < 0.02


@pytest.mark.parametrize("tol", [1e-2, 1e-4])
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_gap_is_a_valid_certificate_at_loose_tol(tol, alpha):
    X, y, s = make_problem(200, 15, weights=True)
    est = QuantileRegressor(quantile=0.75, alpha=alpha, tol=tol).fit(X, y, sample_weight=s)
    ref = sklearn_fit(est, X, y, s)
    ref.l1_ratio = 1.0
    best = objective(ref, X, y, s)
    ours = objective(est, X, y, s)
    assert 0 <= est.dual_gap_ <= tol * p_zero(est, y, s)
    assert ours - best <= est.dual_gap_ + 1e-12


def test_sparse_equals_dense():
    X, y, s = make_problem(70, 9, sparse=True, weights=True, shift=1.0)
    est = QuantileRegressor(quantile=0.35, alpha=0.01, tol=1e-10)
    a = clone(est).fit(X, y, sample_weight=s)
    b = clone(est).fit(X.toarray(), y, sample_weight=s)
    assert abs(objective(a, X, y, s) - objective(b, X, y, s)) <= 1e-9
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)


def test_weights_equal_duplicated_rows_and_zero_weights_drop_rows():
    X, y, _ = make_problem(40, 5)
    s = np.r_[np.full(20, 2.0), np.ones(20)]
    est = QuantileRegressor(quantile=0.4, alpha=0.01, tol=1e-10)
    a = clone(est).fit(X, y, sample_weight=s)
    b = clone(est).fit(np.vstack([X[:20], X]), np.r_[y[:20], y])
    assert abs(objective(a, X, y, s) - objective(b, X, y, s)) <= 1e-9
    s0 = np.r_[np.zeros(10), np.ones(30)]
    c = clone(est).fit(X, y, sample_weight=s0)
    d = clone(est).fit(X[10:], y[10:])
    assert abs(objective(c, X[10:], y[10:]) - objective(d, X[10:], y[10:])) <= 1e-9


def test_warm_start_reaches_the_same_optimum():
    X, y, _ = make_problem(100, 10)
    est = QuantileRegressor(quantile=0.8, alpha=0.01, tol=1e-10, warm_start=True)
    first = objective(est.fit(X, y), X, y)
    second = objective(est.fit(X, y), X, y)
    assert abs(first - second) <= 1e-9 * abs(first)


def test_hard_inputs_fit():
    rng = np.random.default_rng(0)
    X = np.c_[rng.standard_normal((30, 3)), np.zeros(30), np.ones(30)]
    X = np.c_[X, X[:, 0]]                          # a duplicated column
    y = rng.standard_normal(30)
    for alpha in (0.0, 0.1):
        est = QuantileRegressor(quantile=0.5, alpha=alpha).fit(X, y)
        assert np.all(np.isfinite(est.coef_))
    one = QuantileRegressor().fit(np.array([[1.0, 2.0]]), [3.0])
    np.testing.assert_array_equal(one.coef_, [0.0, 0.0])
    assert one.intercept_ == 3.0


X0, Y0, _ = make_problem(20, 4)
WRONG = [
    ("quantile zero", dict(quantile=0.0), "quantile"),
    ("quantile one", dict(quantile=1.0), "quantile"),
    ("quantile negative", dict(quantile=-0.5), "quantile"),
    ("quantile above one", dict(quantile=1.5), "quantile"),
    ("negative alpha", dict(alpha=-1.0), "alpha"),
    ("l1_ratio above 1", dict(l1_ratio=2.0), "l1_ratio"),
    ("unknown solver", dict(solver="simplex"), "solver"),
    ("highs with l2", dict(solver="highs", l1_ratio=0.5), "l1_ratio"),
    ("options for ipm", dict(solver_options={"a": 1}), "solver_options"),
    ("negative tol", dict(tol=-1.0), "tol"),
]


@pytest.mark.parametrize("case, params, match", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_parameters_raise_naming_them(case, params, match):
    with pytest.raises(ValueError, match=match):
        QuantileRegressor(**params).fit(X0, Y0)


def test_inputs_unchanged():
    X, y, s = make_problem(30, 5, weights=True)
    X = np.ascontiguousarray(X)
    Xc, yc, sc = X.copy(), y.copy(), s.copy()
    QuantileRegressor(alpha=0.01).fit(X, y, sample_weight=s)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(y, yc)
    np.testing.assert_array_equal(s, sc)
    assert X.flags.c_contiguous


@pytest.mark.parametrize("solver, n, p, alpha, sparse", [
    ("ipm-glob", 3000, 4, 0.0, False),
    ("ipm-glob", 3000, 4, 0.01, True),
    ("ipm-ws", 40, 400, 0.05, False),
    ("ipm-ws", 200, 30, 0.02, True),
])
def test_preprocessing_and_working_sets_are_exact(solver, n, p, alpha, sparse):
    X, y, s = make_problem(n, p, sparse=sparse, weights=True)
    est = QuantileRegressor(quantile=0.7, alpha=alpha, solver=solver, tol=1e-9)
    got = check_against_sklearn(est, X, y, s)
    plain = clone(est).set_params(solver="ipm").fit(X, y, sample_weight=s)
    assert abs(objective(got, X, y, s) - objective(plain, X, y, s)) <= 1e-8


def test_globbing_float32_is_certified():
    X, y, s = make_problem(3000, 4, dtype=np.float32, weights=True)
    est = QuantileRegressor(quantile=0.2, alpha=0.0, solver="ipm-glob", tol=1e-9)
    check_against_sklearn(est, X, y, s, rtol=1e-5)


def test_several_targets_fit_independently():
    X, y, _ = make_problem(60, 5)
    Y = np.c_[y, 2 * y + 1]
    est = QuantileRegressor(quantile=0.6, alpha=0.01, tol=1e-9).fit(X, Y)
    for k in range(2):
        one = QuantileRegressor(quantile=0.6, alpha=0.01, tol=1e-9).fit(X, Y[:, k])
        np.testing.assert_allclose(est.coef_[k], one.coef_, atol=1e-8)


def test_auto_picks_by_shape():
    est = QuantileRegressor(alpha=0.1)
    assert est._auto_solver(10**6, 50) == "ipm-glob"
    assert est._auto_solver(100, 1000) == "ipm-ws"
    assert est._auto_solver(5000, 50) == "ipm"
    assert est.set_params(alpha=0.0)._auto_solver(100, 1000) == "ipm"


@pytest.mark.parametrize("seed, scale", [(29, 1e6), (11, 1e6), (4, 1e-5)])
@pytest.mark.parametrize("tau", [0.1, 0.8])
def test_certified_whatever_the_scale_of_the_columns(seed, scale, tau):
    """Found by hypothesis: with every column scaled by 1e3..1e6 and alpha at
    1e-3 alpha_max, the interior point stalled at gaps up to P(0) itself
    (its diagonal shift was relative to the largest entry of the normal
    matrix, and one starting slack served rows of unrelated scales)."""
    from sklreg import alpha_max
    rng = np.random.default_rng(seed)
    n, p = 14, 3
    X = np.asfortranarray(rng.standard_normal((n, p)) * scale
                          * 10.0 ** rng.uniform(-0.5, 0.5, p))
    y = X @ (rng.standard_normal(p) / scale) + 0.5 * rng.standard_normal(n) + 2.0
    est = QuantileRegressor(quantile=tau, tol=1e-8, max_iter=500)
    est.set_params(alpha=1e-3 * alpha_max(est, X, y))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        check_against_sklearn(est, X, y, None)
