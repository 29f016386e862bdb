"""Ridge and RidgeCV against scikit-learn; certificates; wrong input."""
import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from sklreg import Ridge, RidgeCV, regularization_path
from sklreg.model_selection import fold_scores, one_standard_error_alpha
from sklreg.utils.reference import ridge_objective, ridge_objective_at_zero
from tests.conftest import make_problem

DIRECT = ["cholesky", "svd"]
ITERATIVE = ["lsqr", "sparse_cg", "cd", "pg"]


def dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def sklearn_ridge(X, y, s, alpha, fit_intercept=True, positive=False):
    """scikit-learn's exact direct solve on dense float64 data."""
    solver = "lbfgs" if positive else "svd"
    params = dict(tol=1e-12, max_iter=100_000) if positive else {}
    return sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver=solver,
                    positive=positive, **params).fit(
        dense(X).astype(np.float64), y, sample_weight=s)


def relative(a, b):
    return np.max(np.abs(np.asarray(a) - b)) / max(np.max(np.abs(b)), 1e-300)


def check_certified(est, X, y, s, alpha, ref):
    """The gap is honest: below tol * P(0), and above the suboptimality."""
    Xd = dense(X).astype(np.float64)
    ys = y if y.ndim == 2 else y[:, None]
    coefs = np.atleast_2d(est.coef_)
    gaps = np.atleast_1d(est.dual_gap_)
    alphas = np.broadcast_to(alpha, (ys.shape[1],))
    for k in range(ys.shape[1]):
        p0 = ridge_objective_at_zero(ys[:, k], s, est.fit_intercept)
        ours = ridge_objective(Xd, ys[:, k], coefs[k], np.atleast_1d(est.intercept_)[k],
                               alphas[k], s)
        best = ridge_objective(Xd, ys[:, k], np.atleast_2d(ref.coef_)[k],
                               np.atleast_1d(ref.intercept_)[k], alphas[k], s)
        assert -1e-12 * p0 <= gaps[k] <= est.tol * p0   # rounding: a difference
        assert ours - best <= gaps[k] + 1e-12 * p0


# 'svd' needs dense X (its ValueError on sparse X is in WRONG below)
GRID = [case for case in itertools.product(DIRECT + ITERATIVE, [False, True],
                                           [False, True], [True, False],
                                           [(60, 40), (30, 100)])
        if not (case[0] == "svd" and case[1])]


@pytest.mark.parametrize("solver, sparse, weights, fit_intercept, shape", GRID)
def test_ridge_matches_sklearn(solver, sparse, weights, fit_intercept, shape):
    X, y, s = make_problem(*shape, sparse=sparse, weights=weights, shift=1.0)
    est = Ridge(alpha=1.3, fit_intercept=fit_intercept, solver=solver, tol=1e-10,
                max_iter=100_000).fit(X, y, sample_weight=s)
    ref = sklearn_ridge(X, y, s, 1.3, fit_intercept)
    assert est.solver_ == solver
    if solver in DIRECT:
        assert relative(est.coef_, ref.coef_) <= 1e-8
        assert abs(est.intercept_ - ref.intercept_) <= 1e-8 * max(abs(ref.intercept_), 1)
        assert est.n_iter_ is None
    else:
        assert est.n_iter_.shape == (1,) and est.n_iter_[0] > 0
    check_certified(est, X, y, s, 1.3, ref)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n, p", [(20, 500), (2000, 10)])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "sparse_cg"])
def test_multi_target_per_target_alpha_and_shapes(sparse, n, p, solver):
    X, y, s = make_problem(n, p, sparse=sparse, weights=True, shift=0.5, seed=n + p)
    Y = np.column_stack([y, -2 * y + 1, np.sin(y)])
    alpha = np.array([0.1, 10.0, 0.1])
    est = Ridge(alpha=alpha, solver=solver, tol=1e-10).fit(X, Y, sample_weight=s)
    ref = sk.Ridge(alpha=alpha, solver="svd").fit(dense(X), Y, sample_weight=s)
    assert est.coef_.shape == (3, p) and est.intercept_.shape == (3,)
    assert est.dual_gap_.shape == (3,)
    tol = 1e-8 if est.solver_ in DIRECT else 1e-5
    assert relative(est.coef_, ref.coef_) <= tol
    check_certified(est, X, Y, s, alpha, ref)
    single = Ridge(alpha=10.0, solver=solver, tol=1e-10).fit(X, Y[:, 1], sample_weight=s)
    np.testing.assert_allclose(est.coef_[1], single.coef_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_keeps_dtype_and_is_certified(sparse):
    X, y, s = make_problem(80, 30, sparse=sparse, dtype=np.float32, weights=True,
                           shift=1.0)
    for solver in ["cholesky", "lsqr", "sparse_cg", "cd", "pg"]:
        est = Ridge(alpha=2.0, solver=solver, tol=1e-6).fit(X, y, sample_weight=s)
        ref = sklearn_ridge(X, y, s, 2.0)
        assert est.coef_.dtype == np.float32
        if solver == "cholesky":
            assert relative(est.coef_, ref.coef_) <= 1e-5
        check_certified(est, X, y, s, 2.0, ref)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("solver", ["auto", "cd", "pg"])
def test_positive(sparse, solver):
    X, y, s = make_problem(60, 25, sparse=sparse, weights=True, shift=1.0)
    est = Ridge(alpha=3.0, positive=True, solver=solver, tol=1e-10,
                max_iter=100_000).fit(X, y, sample_weight=s)
    assert est.solver_ in ("cd", "pg") and np.all(est.coef_ >= 0)
    assert np.any(est.coef_ == 0) and np.any(est.coef_ > 0)
    ref = sklearn_ridge(X, y, s, 3.0, positive=True)
    check_certified(est, X, y, s, 3.0, ref)


def test_gap_is_an_upper_bound_for_truncated_iterative_solves():
    X, y, _ = make_problem(100, 80, shift=1.0)
    exact = Ridge(alpha=0.5).fit(X, y)
    best = ridge_objective(X, y, exact.coef_, exact.intercept_, 0.5)
    for solver in ITERATIVE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = Ridge(alpha=0.5, solver=solver, tol=1e-14, max_iter=3).fit(X, y)
        ours = ridge_objective(X, y, est.coef_, est.intercept_, 0.5)
        assert 0 <= ours - best <= est.dual_gap_ * (1 + 1e-9) + 1e-9


def test_alpha_zero_and_single_sample_fit():
    X, y, _ = make_problem(50, 5)
    est = Ridge(alpha=0.0).fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-8)
    one = Ridge().fit(np.array([[1.0, 2.0]]), [3.0])
    np.testing.assert_array_equal(one.coef_, [0.0, 0.0])
    assert one.intercept_ == 3.0


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n, p", [(60, 40), (30, 100)])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("params", [{}, {"fit_intercept": False},
                                    {"scoring": "neg_mean_absolute_error"},
                                    {"alpha_per_target": True}])
def test_ridgecv_leave_one_out_matches_sklearn(sparse, n, p, weights, params):
    X, y, s = make_problem(n, p, sparse=sparse, weights=weights, shift=1.0)
    y = np.column_stack([y, np.sin(y) * 3]) if params.get("alpha_per_target") else y
    alphas = np.geomspace(1e-1, 1e3, 9)
    ours = RidgeCV(alphas=alphas, store_cv_results=True, **params).fit(
        X, y, sample_weight=s)
    ref = sk.RidgeCV(alphas=alphas, store_cv_results=True, **params).fit(
        X, y, sample_weight=s)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    assert ours.cv_results_.shape == ref.cv_results_.shape
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-7,
                               atol=1e-9 * np.abs(ref.cv_results_).max())
    assert relative(ours.coef_, ref.coef_) <= 1e-8
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10)
    assert np.all(np.asarray(ours.alpha_1se_) >= np.asarray(ours.alpha_))


@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("n, p", [(60, 40), (30, 100)])
def test_ridgecv_k_fold_matches_sklearn(weights, n, p):
    X, y, s = make_problem(n, p, weights=weights, shift=1.0)
    alphas = np.geomspace(1e-2, 1e3, 8)
    ours = RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=s)
    ref = sk.RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=s)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    assert relative(ours.coef_, ref.coef_) <= 1e-8
    # sparse X gives the same selection
    sparse = RidgeCV(alphas=alphas, cv=4).fit(sp.csc_matrix(X), y, sample_weight=s)
    assert sparse.alpha_ == ours.alpha_
    np.testing.assert_allclose(sparse.best_score_, ours.best_score_, rtol=1e-8)


def test_alpha_1se_from_the_stored_leave_one_out_errors():
    X, y, _ = make_problem(80, 30, shift=1.0)
    alphas = np.geomspace(1e-2, 1e4, 25)
    est = RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    scores = -est.cv_results_                     # (n_samples, n_alphas)
    mean = scores.mean(axis=0)
    se = scores.std(axis=0, ddof=1) / np.sqrt(scores.shape[0])
    best = np.argmax(mean)
    expected = alphas[mean >= mean[best] - se[best]].max()
    assert est.alpha_1se_ == expected > est.alpha_
    k_fold = RidgeCV(alphas=alphas, cv=5).fit(X, y)
    assert k_fold.alpha_1se_ >= k_fold.alpha_


def test_one_standard_error_rule_per_target_in_any_alpha_order():
    alphas = np.array([1.0, 0.1, 100.0, 10.0])
    # per alpha: two units (folds) per target; the spread gives an SE of 0.3
    mean = np.array([[2.0, 4.0], [1.0, 5.0], [0.5, 1.0], [1.8, 3.0]])
    scores = np.stack([mean - 0.3, mean + 0.3], axis=1)
    np.testing.assert_array_equal(one_standard_error_alpha(alphas, scores), [10.0, 0.1])


def test_fold_scores_routes_weights_to_both_parts():
    X = np.arange(20.0).reshape(10, 2)
    Y = np.ones((10, 1))
    s = np.arange(1.0, 11.0)

    def score_fold(X_train, Y_train, s_train, X_test, Y_test, s_test):
        assert X_train.shape[0] == s_train.shape[0] and X_test.shape[0] == s_test.shape[0]
        return np.array([s_train.sum(), s_test.sum()])

    out = fold_scores(score_fold, X, Y, s, 5, n_jobs=2)
    assert out.shape == (5, 2)
    np.testing.assert_allclose(out.sum(axis=1), s.sum())
    np.testing.assert_allclose(out[:, 1].sum(), s.sum())


X0, Y0, S0 = make_problem(20, 5, weights=True)
WRONG = [
    ("negative alpha", Ridge(alpha=-1.0), X0, Y0, "alpha"),
    ("negative alpha in array", Ridge(alpha=np.array([1.0, -1.0])), X0,
     np.column_stack([Y0, Y0]), "alpha"),
    ("alpha per target of wrong length", Ridge(alpha=np.array([1.0, 2.0, 3.0])), X0,
     np.column_stack([Y0, Y0]), "alpha"),
    ("unknown solver", Ridge(solver="newton"), X0, Y0, "solver"),
    ("positive with a direct solver", Ridge(positive=True, solver="cholesky"), X0, Y0,
     "positive"),
    ("svd with sparse X", Ridge(solver="svd"), sp.csc_matrix(X0), Y0, "svd"),
    ("max_iter zero", Ridge(max_iter=0), X0, Y0, "max_iter"),
    ("negative tol", Ridge(tol=-1.0), X0, Y0, "tol"),
    ("nan in X", Ridge(), np.where(X0 > 1, np.nan, X0), Y0, "X"),
    ("zero alpha for leave-one-out", RidgeCV(alphas=[0.0, 1.0]), X0, Y0, "alphas"),
    ("negative alphas", RidgeCV(alphas=[-1.0, 1.0], cv=3), X0, Y0, "alphas"),
    ("store_cv_results with cv", RidgeCV(cv=3, store_cv_results=True), X0, Y0,
     "store_cv_results"),
    ("alpha_per_target with cv", RidgeCV(cv=3, alpha_per_target=True), X0, Y0,
     "alpha_per_target"),
    ("unknown scoring", RidgeCV(scoring="nope"), X0, Y0, "scoring"),
    ("unknown gcv_mode", RidgeCV(gcv_mode="qr"), X0, Y0, "gcv_mode"),
]


@pytest.mark.parametrize("case, est, X, y, match", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_input_raises_naming_the_parameter(case, est, X, y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        est.fit(X, y, sample_weight=S0)


@pytest.mark.parametrize("sparse", [False, True])
def test_inputs_unchanged(sparse):
    X, y, s = make_problem(30, 8, sparse=sparse, weights=True, shift=1.0)
    if not sparse:
        X = np.ascontiguousarray(X)
    before = (X.copy(), y.copy(), s.copy())
    for est in (Ridge(), Ridge(solver="lsqr"), RidgeCV(), RidgeCV(cv=3)):
        est.fit(X, y, sample_weight=s)
    if sparse:
        assert (X != before[0]).nnz == 0
    else:
        np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(y, before[1])
    np.testing.assert_array_equal(s, before[2])


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n, p", [(60, 40), (30, 100)])
def test_ridge_path_equals_single_fits(sparse, n, p):
    X, y, s = make_problem(n, p, sparse=sparse, weights=True, shift=1.0)
    path = regularization_path(Ridge(), X, y, alphas=12, sample_weight=s)
    assert path.coefs.shape == (12, p) and np.all(np.diff(path.alphas) < 0)
    p0 = ridge_objective_at_zero(y, s)
    assert np.all(np.abs(path.dual_gaps) <= 1e-4 * p0)
    ref = sk.Ridge(solver="svd")
    for k, alpha in enumerate(path.alphas):
        ref.set_params(alpha=alpha).fit(dense(X), y, sample_weight=s)
        assert relative(path.coefs[k], ref.coef_) <= 1e-8
        np.testing.assert_allclose(path.intercepts[k], ref.intercept_, rtol=1e-8)
    explicit = regularization_path(Ridge(fit_intercept=False), X, np.column_stack([y, -y]),
                                   alphas=[0.1, 10.0, 1.0])
    np.testing.assert_array_equal(explicit.alphas, [10.0, 1.0, 0.1])
    assert explicit.coefs.shape == (3, 2, p)
    np.testing.assert_allclose(explicit.coefs[:, 1], -explicit.coefs[:, 0], atol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shape", [(60, 20), (20, 60)])
def test_positive_path_matches_a_loop_of_fits(sparse, shape):
    """Ridge(positive=True) path: warm-started CD, each alpha certified and
    equal to a cold Ridge(positive=True).fit at that alpha."""
    X, y, s = make_problem(*shape, sparse=sparse, weights=True, shift=1.0)
    est = Ridge(positive=True, tol=1e-10, max_iter=100_000)
    path = regularization_path(est, X, y, alphas=8, sample_weight=s)
    assert path.alphas.shape == (8,) and np.all(np.diff(path.alphas) < 0)
    assert np.all(path.coefs >= 0) and np.any(path.coefs[-1] > 0)
    for k, alpha in enumerate(path.alphas):
        fit = Ridge(alpha=alpha, positive=True, tol=1e-10,
                    max_iter=100_000).fit(X, y, sample_weight=s)
        p0 = ridge_objective_at_zero(y, s, True)
        assert 0 <= path.dual_gaps[k] <= 1e-10 * p0
        ours = ridge_objective(dense(X), y, path.coefs[k], path.intercepts[k], alpha, s)
        theirs = ridge_objective(dense(X), y, fit.coef_, fit.intercept_, alpha, s)
        assert abs(ours - theirs) <= path.dual_gaps[k] + fit.dual_gap_ + 1e-12 * p0
        # strong convexity: P(w) - P* >= alpha |w - w*|^2; a gap computed
        # as zero (a difference of two O(P(0)) numbers) is zero only to
        # eps * P(0): two runs stopping there differed by 4e-9
        floor = np.finfo(np.float64).eps * p0
        bound = (np.sqrt(max(path.dual_gaps[k], floor) / alpha)
                 + np.sqrt(max(fit.dual_gap_, floor) / alpha))
        assert np.linalg.norm(path.coefs[k] - fit.coef_) <= bound
    # the default grid starts where the spectral path's does
    free = regularization_path(Ridge(), X, y, alphas=8, sample_weight=s)
    np.testing.assert_allclose(path.alphas, free.alphas, rtol=1e-8)


# --- 'auto': conjugate gradients when they beat the direct solve -------------

def test_auto_rule_small_problem_is_direct():
    """Below MIN_CG_BUDGET iterations' worth of Gram, 'auto' is Cholesky."""
    from sklreg.problems._ridge import MIN_CG_BUDGET, cg_budget
    X, y, _ = make_problem(60, 40)
    assert cg_budget(X.shape) < MIN_CG_BUDGET
    assert Ridge().fit(X, y).solver_ == "cholesky"


@pytest.mark.parametrize("n, p", [(4000, 400), (400, 4000)])
def test_auto_rule_well_conditioned_takes_cg(n, p):
    """A problem large enough and so well conditioned (alpha dominating the
    spectrum) that CG (primal form when n > p, kernel form when p > n)
    reaches Cholesky's accuracy within the budget: the answer is
    scikit-learn's Cholesky one to rounding, whatever tol says."""
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :5].sum(axis=1) + rng.standard_normal(n)
    s = rng.uniform(0.5, 2.0, n)
    est = Ridge(alpha=1e5, tol=1e-2).fit(X, y, sample_weight=s)
    assert est.solver_ == "sparse_cg" and est.n_iter_[0] > 0
    reference = sklearn_ridge(X, y, s, 1e5)
    check_certified(est, X, y, s, 1e5, reference)
    np.testing.assert_allclose(est.coef_, reference.coef_, rtol=1e-10,
                               atol=1e-12 * np.abs(reference.coef_).max())


def test_auto_rule_ill_conditioned_falls_back_to_cholesky():
    """Nearly collinear columns and a tiny alpha: CG projects more iterations
    than the Gram is worth, gives up after a few, and Cholesky answers."""
    rng = np.random.default_rng(1)
    base = rng.standard_normal((1200, 40))
    X = np.asfortranarray(np.repeat(base, 10, axis=1)
                          + 1e-4 * rng.standard_normal((1200, 400)))
    y = base[:, 0] + 0.1 * rng.standard_normal(1200)
    est = Ridge(alpha=1e-6, tol=1e-10).fit(X, y)
    assert est.solver_ == "cholesky" and est.n_iter_ is None
    check_certified(est, X, y, None, 1e-6, sklearn_ridge(X, y, None, 1e-6))


def test_pcg_gives_up_on_budget():
    from sklreg.solvers._ridge import pcg
    A = np.diag(np.geomspace(1.0, 1e8, 50))
    b = np.ones(50)
    x, it, ok = pcg(lambda v: A @ v, b, 1e-12, 1000, budget=10)
    assert not ok and it == 3
    x, it, ok = pcg(lambda v: A @ v, b, 1e-12, 1000)
    assert ok and np.linalg.norm(A @ x - b) <= 1e-10


@pytest.mark.parametrize("sparse", [False, True])
def test_kernel_cg_gap_bounds_suboptimality(sparse):
    """Kernel-form CG is certified at the dual point 2 alpha a: its gap bounds
    the suboptimality, also when it stops early (loose tol)."""
    X, y, s = make_problem(30, 300, sparse=sparse, weights=True, shift=1.0)
    ref = sklearn_ridge(X, y, s, 0.5)
    for tol in (1e-2, 1e-6, 1e-12):
        est = Ridge(alpha=0.5, solver="sparse_cg", tol=tol).fit(X, y, sample_weight=s)
        check_certified(est, X, y, s, 0.5, ref)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", [79, 180])
def test_kernel_cholesky_certified_with_columns_scaled_to_1e5(seed, sparse):
    """p > n, column scales 1..1e5 (found by hypothesis): the kernel's normal
    equations square the condition number (~1e10); Cholesky alone left a gap
    of 0.05-0.5 P(0).  Refined once and certified at the dual point
    2 alpha a, the gap is at rounding level."""
    rng = np.random.default_rng(seed)
    n, p = 7, 9
    Z = rng.standard_normal((n, p))
    y = Z @ (rng.standard_normal(p) * (rng.random(p) < 0.5)) + 0.5 * rng.standard_normal(n) + 2
    X = np.asfortranarray(Z * 10.0 ** rng.uniform(0, 5, p))
    X = sp.csc_matrix(X) if sparse else X
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Ridge(alpha=0.01, fit_intercept=False, solver="cholesky", tol=1e-10).fit(X, y)
    check_certified(est, X, y, None, 0.01, sklearn_ridge(X, y, None, 0.01, False))
