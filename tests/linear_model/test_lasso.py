"""Lasso and ElasticNet against scikit-learn, and the certificate they report."""
import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklreg import ElasticNet, Lasso, alpha_max, regularization_path
from sklreg.utils.reference import enet_objective, enet_objective_at_zero
from tests.conftest import make_problem


def sklearn_reference(est, X, y, s):
    """scikit-learn's namesake, in float64, at a tight tolerance."""
    params = {k: v for k, v in est.get_params().items()
              if k not in ("penalty_factor", "solver", "verbose", "lower_bounds",
                           "upper_bounds", "relax")}
    params.update(tol=1e-13, max_iter=200_000)
    ref = getattr(sk, type(est).__name__)(**params)
    Xd = X.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ref.fit(Xd, y, sample_weight=s)


def check_against_sklearn(est, X, y, s, rtol):
    l1_ratio = getattr(est, "l1_ratio", 1.0)
    est = clone(est).fit(X, y, sample_weight=s)
    ref = sklearn_reference(est, X, y, s)
    Xd = X.astype(np.float64)
    ours = enet_objective(Xd, y, est.coef_, est.intercept_, est.alpha, l1_ratio, s)
    best = enet_objective(Xd, y, ref.coef_, ref.intercept_, est.alpha, l1_ratio, s)
    p0 = enet_objective_at_zero(y, s, est.fit_intercept)
    assert est.coef_.dtype == X.dtype
    assert est.dual_gap_ <= est.tol * p0
    # the gap is a certificate: the objective is within it of the optimum
    assert ours - best <= est.dual_gap_ + rtol * abs(best)
    assert abs(ours - best) <= rtol * abs(best)
    return est


CASES = list(itertools.product([False, True], [np.float64, np.float32],
                               [False, True], [True, False], [False, True]))


@pytest.mark.parametrize("sparse, dtype, weights, fit_intercept, positive", CASES)
@pytest.mark.parametrize("Estimator", [Lasso, ElasticNet])
def test_matches_sklearn_grid(Estimator, sparse, dtype, weights, fit_intercept,
                              positive):
    X, y, s = make_problem(60, 40, sparse=sparse, dtype=dtype, weights=weights,
                           shift=1.0)
    amax = alpha_max(Estimator(fit_intercept=fit_intercept, positive=positive),
                     X, y, sample_weight=s)
    est = Estimator(alpha=amax / 20, tol=1e-10, max_iter=100_000,
                    fit_intercept=fit_intercept, positive=positive)
    check_against_sklearn(est, X, y, s, rtol=1e-6 if dtype == np.float64 else 1e-5)


@pytest.mark.parametrize("n, p", [(20, 300), (2000, 15), (1, 5), (5, 1)])
@pytest.mark.parametrize("ratio", [1.0, 0.1, 0.01, 0.001])
@pytest.mark.parametrize("sparse", [False, True])
def test_matches_sklearn_shapes_and_alphas(n, p, ratio, sparse):
    X, y, s = make_problem(n, p, sparse=sparse, seed=n + p, shift=0.5)
    if n == 1:
        y = np.array([2.0])
    amax = alpha_max(Lasso(), X, y)
    est = Lasso(alpha=max(amax, 1e-3) * ratio, tol=1e-10, max_iter=100_000)
    check_against_sklearn(est, X, y, s, rtol=1e-6)


@pytest.mark.parametrize("factor", [1.0, 1.5, 10.0])
def test_zero_at_and_above_alpha_max(factor):
    X, y, s = make_problem(50, 30, weights=True)
    est = ElasticNet(l1_ratio=0.7)
    amax = alpha_max(est, X, y, sample_weight=s)
    est.set_params(alpha=amax * factor).fit(X, y, sample_weight=s)
    assert np.all(est.coef_ == 0)
    np.testing.assert_allclose(est.intercept_, np.average(y, weights=s))
    est.set_params(alpha=amax * 0.99, tol=1e-12).fit(X, y, sample_weight=s)
    assert np.any(est.coef_ != 0)


def test_multi_target_equals_separate_fits():
    X, y, _ = make_problem(50, 20)
    Y = np.column_stack([y, -2 * y + 1, y ** 2 / 10])
    est = ElasticNet(alpha=0.1, tol=1e-10).fit(X, Y)
    assert est.coef_.shape == (3, 20) and est.intercept_.shape == (3,)
    assert est.dual_gap_.shape == (3,) and len(est.n_iter_) == 3
    for k in range(3):
        single = ElasticNet(alpha=0.1, tol=1e-10).fit(X, Y[:, k])
        np.testing.assert_allclose(est.coef_[k], single.coef_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(est.intercept_[k], single.intercept_)
    np.testing.assert_allclose(est.predict(X)[:, 1], X @ est.coef_[1] + est.intercept_[1])
    ref = sklearn_reference(est, X, Y, None)
    for k in range(3):
        ours = enet_objective(X, Y[:, k], est.coef_[k], est.intercept_[k], 0.1, 0.5)
        best = enet_objective(X, Y[:, k], ref.coef_[k], ref.intercept_[k], 0.1, 0.5)
        assert abs(ours - best) <= 1e-8 * best


def test_sparse_equals_dense_with_intercept():
    X, y, s = make_problem(80, 50, sparse=True, weights=True, shift=2.0)
    dense = Lasso(alpha=0.05, tol=1e-12).fit(X.toarray(), y, sample_weight=s)
    sparse = Lasso(alpha=0.05, tol=1e-12).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-9)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-9)


def test_integer_weights_equal_repeated_rows():
    X, y, _ = make_problem(30, 10)
    s = np.random.default_rng(3).integers(0, 4, 30)
    s[0] = 1
    weighted = Lasso(alpha=0.05, tol=1e-12).fit(X, y, sample_weight=s)
    repeated = Lasso(alpha=0.05, tol=1e-12).fit(np.repeat(X, s, axis=0), np.repeat(y, s))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-8)


def test_penalty_factor_equals_rescaled_columns():
    # Lasso with weights pf_j on |w_j| is Lasso on X_j / pf_j, with w_j / pf_j
    X, y, _ = make_problem(60, 15)
    pf = np.random.default_rng(1).uniform(0.5, 3.0, 15)
    ours = Lasso(alpha=0.05, tol=1e-12, penalty_factor=pf).fit(X, y)
    rescaled = Lasso(alpha=0.05, tol=1e-12).fit(X / pf, y)
    np.testing.assert_allclose(ours.coef_, rescaled.coef_ / pf, atol=1e-8)


def test_penalty_factor_zero_matches_cvxpy():
    cp = pytest.importorskip("cvxpy")
    X, y, _ = make_problem(40, 12, shift=1.0)
    pf = np.ones(12)
    pf[[0, 5]] = 0.0
    alpha = 0.2
    ours = ElasticNet(alpha=alpha, l1_ratio=0.8, tol=1e-12, penalty_factor=pf).fit(X, y)
    w, b = cp.Variable(12), cp.Variable()
    objective = (cp.sum_squares(y - X @ w - b) / (2 * 40)
                 + alpha * 0.8 * cp.norm1(cp.multiply(pf, w))
                 + alpha * 0.2 / 2 * cp.sum_squares(cp.multiply(np.sqrt(pf), w)))
    cp.Problem(cp.Minimize(objective)).solve(solver=cp.CLARABEL)
    ref = enet_objective(X, y, w.value, b.value, alpha, 0.8, None, pf)
    got = enet_objective(X, y, ours.coef_, ours.intercept_, alpha, 0.8, None, pf)
    assert got <= ref + 1e-8 * abs(ref)
    assert ours.coef_[0] != 0 and ours.coef_[5] != 0


def test_random_selection_reaches_the_same_optimum():
    X, y, _ = make_problem(100, 80)
    cyclic = Lasso(alpha=0.02, tol=1e-12).fit(X, y)
    rand = Lasso(alpha=0.02, tol=1e-12, selection="random", random_state=0).fit(X, y)
    np.testing.assert_allclose(rand.coef_, cyclic.coef_, atol=1e-7)
    again = Lasso(alpha=0.02, tol=1e-12, selection="random", random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.coef_, rand.coef_)


def test_warm_start_continues_from_previous_fit():
    X, y, _ = make_problem(100, 80)
    est = Lasso(alpha=0.02, tol=1e-10, warm_start=True).fit(X, y)
    n_cold = est.n_iter_
    est.fit(X, y)
    assert est.n_iter_ < n_cold
    assert est.dual_gap_ <= est.tol * enet_objective_at_zero(y)


def test_max_iter_warns_with_the_gap():
    X, y, _ = make_problem(100, 200)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        est = Lasso(alpha=1e-4, tol=1e-14, max_iter=3).fit(X, y)
    assert est.n_iter_ <= 3
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("sparse", [False, True])
def test_awkward_columns_fit(sparse):
    X, y, _ = make_problem(40, 10)
    X[:, 2] = 0.0          # all zero
    X[:, 3] = 7.0          # constant
    X[:, 4] = X[:, 5]      # duplicated
    X[:, 6] *= 1e5         # badly scaled
    X = sp.csc_matrix(X) if sparse else X
    est = Lasso(alpha=0.01, tol=1e-10).fit(X, y)
    assert est.coef_[2] == 0 and est.coef_[3] == 0
    assert est.dual_gap_ <= est.tol * enet_objective_at_zero(y)
    check_against_sklearn(Lasso(alpha=0.01, tol=1e-10), X, y, None, rtol=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [None, [0.7], [0.7, 2.9, 1.3]])
def test_constant_y_is_fitted_exactly(weights, sparse):
    """A constant y (one sample, say) is fitted exactly: the intercept is y
    itself and the gap 0.  Found by hypothesis: ElasticNet on one sample of
    sparse X with a float weight returned the intercept (s y) / s, one ulp
    off y, and reported dual_gap_ = P(0) ~ 1e-31 > tol * P(0)."""
    n = 3 if weights is None else len(weights)
    X = np.random.default_rng(3).standard_normal((n, 3))
    X = sp.csc_matrix(X) if sparse else X
    y = np.full(n, 0.1)               # 0.7 * 0.1 / 0.7 and mean([0.1] * 3) round
    s = None if weights is None else np.array(weights)
    est = ElasticNet(alpha=0.1, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y, sample_weight=s)
    np.testing.assert_array_equal(est.coef_, 0.0)
    assert est.intercept_ == 0.1
    assert est.dual_gap_ <= est.tol * enet_objective_at_zero(y, s)
    assert enet_objective(X, y, est.coef_, est.intercept_, 0.1, 0.5, s) == 0.0


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("n", [1, 3])
def test_constant_y_to_rounding_converges(n, l1_ratio):
    """y constant, float weights (found by hypothesis): y minus its weighted
    mean is rounding (~1e-16), P(0) ~1e-32, and the gap's own rounding never
    met tol * P(0) -- a spurious ConvergenceWarning.  w = 0 is optimal to
    rounding and is returned as converged."""
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.standard_normal((n, 2)))
    y, s = np.full(n, 0.77501958700006), rng.uniform(0.1, 3.0, n)
    est = ElasticNet(alpha=1e-19, l1_ratio=l1_ratio, tol=1e-8, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y, sample_weight=s)
    np.testing.assert_array_equal(est.coef_, 0.0)
    np.testing.assert_allclose(est.intercept_, y[0], rtol=1e-15)
    assert est.dual_gap_ <= 1e-30
    # a path (and so CV) is solved by the same solver: no warning either
    # (the check used to sit in the estimator, and paths warned)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        path = regularization_path(ElasticNet(l1_ratio=l1_ratio, tol=1e-8), X, y,
                                   sample_weight=s, alphas=[1e-10, 1e-19])
    np.testing.assert_array_equal(path.coefs, 0.0)
    np.testing.assert_allclose(path.intercepts, y[0], rtol=1e-15)
    # a genuinely small-scale y is not taken for rounding
    y = 1e-100 * X[:, 0]
    tiny = Lasso(fit_intercept=False, tol=1e-8)
    tiny.set_params(alpha=1e-3 * alpha_max(tiny, X, y)).fit(X, y)
    assert np.any(tiny.coef_ != 0) and tiny.n_iter_ > 0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("layout", ["dense", "sparse", "float32"])
def test_non_finite_X_raises_scikit_learns_error(bad, layout):
    # single fits find non-finite values in their first pass over X (the
    # column norms) instead of a separate check; the error is the same
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    y = X[:, 0] + 1.0
    X[4, 6] = bad
    X = {"dense": X, "sparse": sp.csc_matrix(X), "float32": X.astype(np.float32)}[layout]
    with pytest.raises(ValueError) as theirs:
        sk.Lasso(alpha=0.1).fit(X, y)
    for est in (Lasso(alpha=0.1), ElasticNet(alpha=0.1, fit_intercept=False)):
        with pytest.raises(ValueError) as ours:
            est.fit(X, y)
        assert str(ours.value).split("\n")[0] == str(theirs.value).split("\n")[0]


def test_sparse_X_with_fewer_entries_than_columns():
    # hypothesis found it: a ZeroDivisionError in the finish's cost model when
    # the mean stored entries per column was floored to 0
    X = sp.csc_matrix(np.array([[0.0, -0.13210486, 0.64042265, 0.10490012, 0.0]]))
    y = np.array([1.38777967])
    est = ElasticNet(alpha=1e-3, fit_intercept=False).fit(X, y)
    ref = sk.ElasticNet(alpha=1e-3, fit_intercept=False, tol=1e-12,
                        max_iter=10**6).fit(X.toarray(), y)
    ours = enet_objective(X.toarray(), y, est.coef_, 0.0, 1e-3, 0.5)
    best = enet_objective(X.toarray(), y, ref.coef_, 0.0, 1e-3, 0.5)
    assert ours <= best + 1e-12 * abs(best)
