"""Per-coefficient bounds (glmnet's lower.limits / upper.limits) against cvxpy.

The bounds are a property of the penalty (its prox clips, its conjugate is
the clipped one, alpha_max starts from its null point): these tests check
the fits and their certificates, not how the solvers get there.
"""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sklreg import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, lasso_path
from sklreg.path import alpha_max
from sklreg.utils.validation import validate_X_y

cp = pytest.importorskip("cvxpy")

N, P = 60, 10
# bounds that hold 0, bounds that exclude it on either side, a pinned
# coefficient, one-sided and absent ones
LOWER = np.array([-0.3, 0.2, -np.inf, -1.0, -0.5, 0.0, -np.inf, 0.4, -2.0, -0.1])
UPPER = np.array([0.5, 0.6, -0.1, 1.0, np.inf, np.inf, np.inf, 0.4, 2.0, 0.1])


def _data(seed=0, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, P))
    if sparse:
        X[rng.random((N, P)) < 0.6] = 0.0
    y = X @ rng.standard_normal(P) * 1.5 + 3.0 + rng.standard_normal(N)
    weights = rng.uniform(0.2, 2.0, N)
    return (sp.csc_matrix(X) if sparse else X), y, weights


def _objective(X, y, s, w, b, alpha, l1_ratio):
    X = X.toarray() if sp.issparse(X) else X
    r = y - X @ w - b
    return (s @ r ** 2 / (2 * s.sum()) + alpha * l1_ratio * np.abs(w).sum()
            + alpha * (1 - l1_ratio) / 2 * w @ w)


def _cvxpy(X, y, s, alpha, l1_ratio, lower, upper, fit_intercept=True):
    X = X.toarray() if sp.issparse(X) else X
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    r = y - X @ w - (b if fit_intercept else 0)
    objective = (cp.sum(cp.multiply(s, cp.square(r))) / (2 * s.sum())
                 + alpha * l1_ratio * cp.norm1(w)
                 + alpha * (1 - l1_ratio) / 2 * cp.sum_squares(w))
    finite_low, finite_up = np.isfinite(lower), np.isfinite(upper)
    constraints = []
    if finite_low.any():
        constraints.append(w[finite_low] >= lower[finite_low])
    if finite_up.any():
        constraints.append(w[finite_up] <= upper[finite_up])
    problem = cp.Problem(cp.Minimize(objective), constraints)
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12,
                  tol_feas=1e-12)
    return w.value, (b.value if fit_intercept else 0.0), problem.value


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("solver", ["cd", "pg"])
def test_fit_matches_cvxpy(sparse, l1_ratio, solver):
    X, y, s = _data(1, sparse)
    alpha = 0.05
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=LOWER,
                     upper_bounds=UPPER, tol=1e-10, solver=solver, max_iter=20000)
    est.fit(X, y, sample_weight=s)
    w_ref, b_ref, p_ref = _cvxpy(X, y, s, alpha, l1_ratio, LOWER, UPPER)
    assert np.all(est.coef_ >= LOWER) and np.all(est.coef_ <= UPPER)
    p_est = _objective(X, y, s, est.coef_, est.intercept_, alpha, l1_ratio)
    # certified: within its gap of the optimum, which cvxpy's value bounds
    assert p_est - p_ref <= est.dual_gap_ + 1e-9
    assert est.dual_gap_ <= 1e-10 * _objective(X, y, s, np.zeros(P), np.average(y, weights=s),
                                               alpha, l1_ratio) + 1e-12
    np.testing.assert_allclose(est.coef_, w_ref, atol=1e-5)
    np.testing.assert_allclose(est.intercept_, b_ref, atol=1e-5)


def _certificate(est, X, y, s, w):
    """The estimator's duality gap, and its objective, at the point w."""
    X, y, s = validate_X_y(est, X, y, s)
    problem = est._make_problem(X, y, s)
    problem.coef[:] = w
    problem.datafit.refresh(problem.coef)
    return problem.certificate(est.alpha)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_gap_bounds_suboptimality(sparse, l1_ratio):
    """At any feasible point the gap is at least how far the objective is
    from the optimum (cvxpy's): it cannot read 0 at a wrong point."""
    X, y, s = _data(2, sparse)
    alpha = 0.05
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=LOWER,
                     upper_bounds=UPPER, tol=1e-10).fit(X, y, sample_weight=s)
    _, _, p_ref = _cvxpy(X, y, s, alpha, l1_ratio, LOWER, UPPER)
    rng = np.random.default_rng(3)
    box_low, box_up = np.maximum(LOWER, -3.0), np.minimum(UPPER, 3.0)
    points = [est.coef_ + 1e-3 * rng.standard_normal(P) for _ in range(5)]
    points += [rng.uniform(box_low, box_up) for _ in range(5)]
    points.append(np.where(np.isfinite(UPPER), UPPER, 1.0))      # every upper bound
    for w in points:
        w = np.clip(w, LOWER, UPPER)
        gap, primal = _certificate(est, X, y, s, w)
        assert np.isfinite(gap)
        assert primal - p_ref > 1e-8          # a wrong point...
        assert gap >= primal - p_ref - 1e-9   # ...shows it
    gap, primal = _certificate(est, X, y, s, est.coef_)
    assert gap <= 1e-8 and abs(primal - p_ref) <= 1e-8


def test_positive_is_lower_bound_zero():
    X, y, s = _data(4)
    a = Lasso(alpha=0.02, positive=True, tol=1e-10).fit(X, y, sample_weight=s)
    b = Lasso(alpha=0.02, lower_bounds=0.0, tol=1e-10).fit(X, y, sample_weight=s)
    c = Lasso(alpha=0.02, positive=True, lower_bounds=0.0, upper_bounds=np.inf,
              tol=1e-10).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)
    np.testing.assert_allclose(a.coef_, c.coef_, atol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_alpha_max_with_bounds_excluding_zero(fit_intercept):
    """From alpha_max on every coefficient sits at its bound nearest 0; just
    below it one leaves (checked against cvxpy at both alphas)."""
    X, y, s = _data(5)
    est = Lasso(lower_bounds=LOWER, upper_bounds=UPPER, fit_intercept=fit_intercept,
                tol=1e-12)
    top = alpha_max(est, X, y, sample_weight=s)
    null = np.clip(0.0, LOWER, UPPER)
    w_at, _, _ = _cvxpy(X, y, s, top * 1.01, 1.0, LOWER, UPPER, fit_intercept)
    w_below, _, _ = _cvxpy(X, y, s, top * 0.95, 1.0, LOWER, UPPER, fit_intercept)
    np.testing.assert_allclose(w_at, null, atol=1e-6)
    assert np.max(np.abs(w_below - null)) > 1e-4
    fitted = est.set_params(alpha=top * 1.01).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(fitted.coef_, null, atol=1e-10)


def test_paths_and_cv_keep_the_bounds():
    X, y, s = _data(6)
    lower, upper = -0.4, 0.7
    alphas, coefs, gaps = lasso_path(X - X.mean(0), y - y.mean(), lower_bounds=lower,
                                     upper_bounds=upper, alphas=8, tol=1e-10)
    assert np.all(coefs >= lower) and np.all(coefs <= upper)
    for k in (0, 4, 7):
        w_ref, _, _ = _cvxpy(X - X.mean(0), y - y.mean(), np.ones(N), alphas[k], 1.0,
                             np.full(P, lower), np.full(P, upper), fit_intercept=False)
        np.testing.assert_allclose(coefs[:, k], w_ref, atol=1e-5)
    _, enet_coefs, _ = enet_path(X, y, l1_ratio=0.5, lower_bounds=lower,
                                 upper_bounds=upper, alphas=5)
    assert np.all(enet_coefs >= lower) and np.all(enet_coefs <= upper)
    for cv in (LassoCV(cv=3, lower_bounds=lower, upper_bounds=upper, alphas=10),
               ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, lower_bounds=lower,
                            upper_bounds=upper, alphas=10)):
        cv.fit(X, y, sample_weight=s)
        assert np.all(cv.coef_ >= lower) and np.all(cv.coef_ <= upper)
        ratio = getattr(cv, "l1_ratio_", 1.0)
        _, _, p_ref = _cvxpy(X, y, s, cv.alpha_, ratio, np.full(P, lower), np.full(P, upper))
        p_cv = _objective(X, y, s, cv.coef_, cv.intercept_, cv.alpha_, ratio)
        assert p_cv - p_ref <= cv.dual_gap_ + 1e-9


def test_warm_start_outside_the_bounds_is_moved_in():
    X, y, s = _data(7)
    est = Lasso(alpha=0.05, lower_bounds=LOWER, upper_bounds=UPPER, warm_start=True,
                tol=1e-10)
    est.coef_ = np.full(P, 5.0)
    est.fit(X, y, sample_weight=s)
    w_ref, _, _ = _cvxpy(X, y, s, 0.05, 1.0, LOWER, UPPER)
    np.testing.assert_allclose(est.coef_, w_ref, atol=1e-5)


@pytest.mark.parametrize("params, match", [
    ({"lower_bounds": 1.0, "upper_bounds": 0.0}, "lower_bounds must be at most"),
    ({"lower_bounds": np.zeros(3)}, r"lower_bounds must be a scalar or have shape \(10,\)"),
    ({"upper_bounds": [[1.0] * 10]}, "upper_bounds must be a scalar"),
    ({"lower_bounds": np.nan}, "lower_bounds must not contain NaN"),
    ({"upper_bounds": -np.inf}, "upper_bounds must not be -inf"),
    ({"lower_bounds": np.inf}, "lower_bounds must not be inf"),
    ({"positive": True, "lower_bounds": -1.0}, "positive=True .* conflicts with lower_bounds"),
    ({"positive": True, "upper_bounds": -1.0}, "positive=True sets lower_bounds=0"),
    ({"lower_bounds": "a"}, "could not convert|lower_bounds"),
])
def test_wrong_bounds(params, match):
    X, y, _ = _data(8)
    with pytest.raises(ValueError, match=match):
        Lasso(**params).fit(X, y)
    with pytest.raises(ValueError, match=match):
        ElasticNetCV(cv=3, **params).fit(X, y)


def test_bounds_are_not_modified_and_multioutput_is_refused():
    X, y, _ = _data(9)
    lower = LOWER.copy()
    Lasso(alpha=0.1, lower_bounds=lower, upper_bounds=UPPER).fit(X, y)
    np.testing.assert_array_equal(lower, LOWER)
    with pytest.raises(ValueError, match="lower_bounds is not allowed for multi-output"):
        lasso_path(X, np.c_[y, y], lower_bounds=-1.0)


@pytest.mark.parametrize("sparse", [False, True])
def test_default_tol_is_exact_with_coefficients_at_bounds(sparse):
    """The exact finish holds the coefficients at a non-zero bound there and
    solves for the others: at the default tol the coefficients are the
    optimum's to rounding, as without bounds."""
    X, y, s = _data(10, sparse)
    lower, upper = np.full(P, -0.5), np.full(P, 0.8)
    est = Lasso(alpha=0.02, lower_bounds=lower, upper_bounds=upper).fit(X, y, sample_weight=s)
    w_ref, b_ref, _ = _cvxpy(X, y, s, 0.02, 1.0, lower, upper)
    at_bound = np.isclose(w_ref, lower) | np.isclose(w_ref, upper)
    assert at_bound.sum() >= 2 and (~at_bound & (w_ref != 0)).sum() >= 2
    np.testing.assert_allclose(est.coef_, w_ref, atol=1e-8)
    np.testing.assert_allclose(est.intercept_, b_ref, atol=1e-8)


# -- HuberRegressor ----------------------------------------------------------

def _huber_data(seed=11, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((80, 6))
    y = X @ rng.standard_normal(6) * 2 + 1 + rng.standard_normal(80)
    y[:8] += 20.0                                   # outliers
    if sparse:
        X[rng.random(X.shape) < 0.5] = 0.0
        X = sp.csc_matrix(X)
    return X, y, rng.uniform(0.5, 2.0, 80)


H_LOWER = np.array([-0.3, 0.2, -np.inf, -1.0, 0.0, -0.5])
H_UPPER = np.array([0.5, 0.6, -0.1, 1.0, np.inf, np.inf])


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")    # cvxpy's
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio, alpha", [(0.0, 0.1), (1.0, 0.1), (0.5, 0.0)])
def test_huber_matches_cvxpy_and_its_gap_is_honest(sparse, l1_ratio, alpha):
    """Within its gap of cvxpy's optimum, inside the bounds; one iteration
    from a point off the optimum reports a gap at least its distance."""
    from sklreg import HuberRegressor
    from sklreg.utils.reference import huber_objective, huber_optimum

    X, y, s = _huber_data(sparse=sparse)
    Xd = X.toarray() if sparse else X
    optimum = huber_optimum(Xd, y, s, 1.35, alpha, l1_ratio, True, False, H_LOWER, H_UPPER)
    est = HuberRegressor(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=H_LOWER,
                         upper_bounds=H_UPPER, tol=1e-8, max_iter=1000)
    est.fit(X, y, sample_weight=s)
    assert np.all(est.coef_ >= H_LOWER) and np.all(est.coef_ <= H_UPPER)
    value = huber_objective(Xd, y, est.coef_, est.intercept_, est.scale_, 1.35, alpha,
                            l1_ratio, s)
    assert value - optimum <= est.dual_gap_ + 1e-7 * abs(optimum)
    assert est.dual_gap_ <= 1e-6 * abs(optimum)
    off = HuberRegressor(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=H_LOWER,
                         upper_bounds=H_UPPER, max_iter=1, warm_start=True)
    off.coef_ = np.clip(est.coef_ + 0.3, H_LOWER, H_UPPER)
    with pytest.warns(ConvergenceWarning):
        off.fit(X, y, sample_weight=s)
    value = huber_objective(Xd, y, off.coef_, off.intercept_, off.scale_, 1.35, alpha,
                            l1_ratio, s)
    assert value - optimum > 1e-6                   # a wrong point...
    assert off.dual_gap_ >= value - optimum - 1e-7 * abs(optimum)   # ...shows it


def test_huber_alpha_max_and_cv_with_bounds_excluding_zero():
    from sklreg import HuberRegressor, HuberRegressorCV

    X, y, s = _huber_data(12)
    est = HuberRegressor(l1_ratio=1.0, lower_bounds=H_LOWER, upper_bounds=H_UPPER, tol=1e-10)
    top = alpha_max(est, X, y, sample_weight=s)
    null = np.clip(0.0, H_LOWER, H_UPPER)
    at = est.set_params(alpha=1.01 * top, max_iter=1000).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(at.coef_, null, atol=1e-8)
    below = est.set_params(alpha=0.95 * top).fit(X, y, sample_weight=s)
    assert np.max(np.abs(below.coef_ - null)) > 1e-4
    cv = HuberRegressorCV(l1_ratio=1.0, cv=3, alphas=8, lower_bounds=H_LOWER,
                          upper_bounds=H_UPPER).fit(X, y, sample_weight=s)
    assert np.all(cv.coef_ >= H_LOWER) and np.all(cv.coef_ <= H_UPPER)


# -- QuantileRegressor -------------------------------------------------------

def _pinball_cvxpy(X, y, s, tau, alpha, lower, upper, fit_intercept=True):
    X = X.toarray() if sp.issparse(X) else X
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    r = y - X @ w - (b if fit_intercept else 0)
    objective = (cp.sum(cp.multiply(s, cp.maximum(tau * r, (tau - 1) * r))) / s.sum()
                 + alpha * cp.norm1(w))
    finite_low, finite_up = np.isfinite(lower), np.isfinite(upper)
    constraints = [w[finite_low] >= lower[finite_low], w[finite_up] <= upper[finite_up]]
    problem = cp.Problem(cp.Minimize(objective), constraints)
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return problem.value


def _pinball(X, y, s, tau, alpha, coef, intercept):
    r = y - (X @ coef) - intercept
    return np.dot(s, r * (tau - (r < 0))) / s.sum() + alpha * np.abs(coef).sum()


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")    # cvxpy's
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.02])
def test_quantile_matches_cvxpy_and_its_dual_is_valid(sparse, alpha):
    """HiGHS solves the bounded linear program ('auto' takes it); the
    certificate's dual objective never exceeds the optimum, at the solver's
    dual point or at any other."""
    from sklreg import QuantileRegressor

    X, y, s = _data(13, sparse)
    tau = 0.7
    optimum = _pinball_cvxpy(X, y, s, tau, alpha, LOWER, UPPER)
    est = QuantileRegressor(quantile=tau, alpha=alpha, lower_bounds=LOWER,
                            upper_bounds=UPPER).fit(X, y, sample_weight=s)
    assert est.solver_ == "highs"
    assert np.all(est.coef_ >= LOWER) and np.all(est.coef_ <= UPPER)
    value = _pinball(X, y, s, tau, alpha, est.coef_, est.intercept_)
    assert abs(value - optimum) <= 1e-7 * abs(optimum)
    assert est.dual_gap_ <= 1e-9 * abs(optimum)
    Xv, yv, sv = validate_X_y(est, X, y, s)
    problem, _, _ = est._problem(Xv, yv, sv, conditioned_X=False)
    rng = np.random.default_rng(0)
    for _ in range(20):
        theta = sv * rng.uniform(tau - 1, tau, N)
        dual, _ = problem.dual(theta)
        assert dual <= optimum + 1e-9 * abs(optimum)
    off = np.clip(est.coef_ + 0.2, LOWER, UPPER)
    gap, primal, _ = problem.certificate(off, 0.0, sv * rng.uniform(tau - 1, tau, N))
    assert primal - optimum > 1e-6 and gap >= primal - optimum - 1e-12


def test_quantile_bounds_refused_by_the_interior_point():
    from sklreg import QuantileRegressor, QuantileRegressorCV

    X, y, _ = _data(14)
    for solver in ("ipm", "ipm-glob", "ipm-ws"):
        with pytest.raises(ValueError, match=f"solver='{solver}' .*needs a penalty that "
                                             "provides l1_l2_weights.*use solver='highs'"):
            QuantileRegressor(solver=solver, lower_bounds=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="needs l1_ratio=1; got l1_ratio=0.5"):
        QuantileRegressor(l1_ratio=0.5, upper_bounds=1.0).fit(X, y)
    cv = QuantileRegressorCV(cv=3, alphas=5, lower_bounds=-0.4, upper_bounds=0.7).fit(X, y)
    assert np.all(cv.coef_ >= -0.4) and np.all(cv.coef_ <= 0.7)


def test_quantile_alpha_max_with_bounds_excluding_zero():
    from sklreg import QuantileRegressor

    X, y, s = _data(15)
    est = QuantileRegressor(quantile=0.3, lower_bounds=LOWER, upper_bounds=UPPER)
    top = alpha_max(est, X, y, sample_weight=s)
    null = np.clip(0.0, LOWER, UPPER)
    at = est.set_params(alpha=1.01 * top).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(at.coef_, null, atol=1e-9)
    below = est.set_params(alpha=0.9 * top).fit(X, y, sample_weight=s)
    assert np.max(np.abs(below.coef_ - null)) > 1e-6
