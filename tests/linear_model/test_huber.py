"""HuberRegressor against scikit-learn (l1_ratio=0) and cvxpy (l1_ratio>0)."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from scipy import optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._huber import _huber_loss_and_gradient

from sklreg import HuberRegressor, alpha_max
from sklreg._core._losses import Huber
from sklreg.losses import HuberLoss
from sklreg.solvers.huber import fit_at_zero
from sklreg.solvers.huber._scale import best_scale
from sklreg.utils.reference import huber_objective, huber_optimum


def make_huber_problem(n, p, *, outliers=0.1, weights=False, sparse=False,
                       dtype=np.float64, seed=0):
    """Linear data with a fraction of gross outliers in y."""
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.3, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    else:
        X = np.asfortranarray(rng.standard_normal((n, p)) + 0.5)
    w = rng.uniform(-2, 2, p)
    y = X @ w + 3.0 + 0.5 * rng.standard_normal(n)
    bad = rng.random(n) < outliers
    y[bad] += rng.choice([-1, 1], bad.sum()) * rng.uniform(20, 50, bad.sum())
    s = rng.uniform(0.2, 2.0, n) if weights else None
    return X.astype(dtype), y, s


def objective(est, X, y, s):
    return huber_objective(X.astype(np.float64), y, est.coef_, est.intercept_,
                           est.scale_, est.epsilon, est.alpha, getattr(est, "l1_ratio", 0.0), s)


def p_at_zero(est, X, y, s):
    """P(0) by our own fit on a single constant-free column of zeros."""
    zero = HuberRegressor(epsilon=est.epsilon, alpha=est.alpha,
                          fit_intercept=est.fit_intercept, tol=1e-12)
    return objective(zero.fit(np.zeros((X.shape[0], 1)), y, sample_weight=s),
                     np.zeros((X.shape[0], 1)), y, s)


def sklearn_reference(est, X, y, s):
    """scikit-learn's HuberRegressor in float64 at a very tight tolerance.

    Its L-BFGS-B also stops on a relative objective decrease (``ftol``, not
    exposed), which leaves the coefficients ~1e-5 off; so its solution is
    polished by the same L-BFGS-B on scikit-learn's own objective and
    gradient (``_huber_loss_and_gradient``) with that test switched off.
    """
    Xd = X.astype(np.float64)
    ref = sk.HuberRegressor(epsilon=est.epsilon, alpha=est.alpha,
                            fit_intercept=est.fit_intercept, tol=1e-14, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(Xd, y, sample_weight=s)
    sw = np.ones(X.shape[0]) if s is None else s
    x0 = np.concatenate([ref.coef_, [ref.intercept_] if est.fit_intercept else [],
                         [ref.scale_]])
    bounds = [(None, None)] * (x0.size - 1) + [(10 * np.finfo(float).eps, None)]
    res = optimize.minimize(_huber_loss_and_gradient, x0, method="L-BFGS-B", jac=True,
                            args=(Xd, y, est.epsilon, est.alpha, sw), bounds=bounds,
                            options=dict(maxiter=100_000, gtol=1e-14, ftol=0.0))
    p = X.shape[1]
    ref.coef_, ref.scale_ = res.x[:p], res.x[-1]
    ref.intercept_ = res.x[p] if est.fit_intercept else 0.0
    r = y - Xd @ ref.coef_ - ref.intercept_
    ref.outliers_ = np.abs(r) > ref.scale_ * est.epsilon
    return ref


# (n, p, outlier fraction, weights, fit_intercept, epsilon, alpha)
SKLEARN_CASES = [
    (200, 5, 0.0, False, True, 1.35, 1e-4),
    (200, 5, 0.3, False, True, 1.35, 1e-4),     # 30% gross outliers
    (200, 5, 0.3, True, True, 1.35, 1e-4),
    (5000, 4, 0.05, False, True, 1.35, 1e-4),   # n >> p
    (5000, 4, 0.3, True, False, 1.35, 1e-4),
    (300, 20, 0.1, True, True, 1.05, 1e-4),     # epsilon close to 1
    (300, 20, 0.1, False, True, 2.5, 1e-4),
    (300, 20, 0.1, False, True, 1.35, 10.0),    # strong ridge
    (300, 20, 0.2, True, True, 1.35, 0.0),      # no penalty
    (100, 30, 0.1, False, True, 1.35, 1.0),
    (400, 10, 0.15, True, False, 1.5, 0.1),
    (60, 3, 0.3, False, True, 1.1, 1e-3),
]


@pytest.mark.parametrize("n, p, out, weights, fit_intercept, eps, alpha", SKLEARN_CASES)
def test_matches_sklearn(n, p, out, weights, fit_intercept, eps, alpha):
    X, y, s = make_huber_problem(n, p, outliers=out, weights=weights, seed=n + p)
    est = HuberRegressor(epsilon=eps, alpha=alpha, fit_intercept=fit_intercept,
                         tol=1e-12).fit(X, y, sample_weight=s)
    ref = sklearn_reference(est, X, y, s)
    # ours is at least as good as scikit-learn's, to rounding
    assert objective(est, X, y, s) <= objective(ref, X, y, s) * (1 + 1e-12)
    scale = max(np.max(np.abs(ref.coef_)), ref.scale_)
    assert np.max(np.abs(est.coef_ - ref.coef_)) <= 1e-5 * scale
    assert abs(est.intercept_ - ref.intercept_) <= 1e-5 * max(abs(ref.intercept_), ref.scale_)
    assert abs(est.scale_ - ref.scale_) <= 1e-5 * ref.scale_
    np.testing.assert_array_equal(est.outliers_, ref.outliers_)


@pytest.mark.parametrize("l1_ratio, positive, weights, fit_intercept, sparse", [
    (0.5, False, False, True, False),
    (1.0, False, True, True, False),
    (0.3, True, False, True, False),
    (1.0, False, False, False, True),
    (0.7, False, True, True, True),
])
def test_objective_matches_cvxpy(l1_ratio, positive, weights, fit_intercept, sparse):
    X, y, s = make_huber_problem(80, 15, outliers=0.2, weights=weights, sparse=sparse)
    est = HuberRegressor(alpha=50.0, l1_ratio=l1_ratio, positive=positive,
                         fit_intercept=fit_intercept, tol=1e-12, max_iter=1000)
    est.fit(X, y, sample_weight=s)
    Xd = X.toarray() if sparse else X
    pytest.importorskip("cvxpy")
    best = huber_optimum(Xd, y, s, est.epsilon, est.alpha, l1_ratio,
                         fit_intercept, positive)
    ours = objective(est, X, y, s)
    assert abs(ours - best) <= 1e-6 * abs(best)
    # the gap certifies the objective against the conic optimum
    assert ours - best <= est.dual_gap_ + 1e-8 * abs(best)
    if l1_ratio > 0:
        assert np.count_nonzero(est.coef_) < X.shape[1]
    if positive:
        assert np.all(est.coef_ >= 0)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_equals_dense(l1_ratio, fit_intercept):
    X, y, s = make_huber_problem(150, 12, outliers=0.2, weights=True, sparse=True)
    kw = dict(alpha=0.5, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-13,
              max_iter=1000)
    a = HuberRegressor(**kw).fit(X, y, sample_weight=s)
    b = HuberRegressor(**kw).fit(X.toarray(), y, sample_weight=s)
    # a relative gap of 1e-13 leaves the coefficients ~ sqrt(1e-13) apart
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose([a.intercept_, a.scale_], [b.intercept_, b.scale_],
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(objective(a, X, y, s), objective(b, X, y, s), rtol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.8])
def test_float32_stays_float32_and_certified(sparse, l1_ratio):
    X, y, s = make_huber_problem(200, 10, outliers=0.1, sparse=sparse, dtype=np.float32)
    est = HuberRegressor(alpha=0.5, l1_ratio=l1_ratio, tol=1e-8).fit(X, y)
    ref = HuberRegressor(alpha=0.5, l1_ratio=l1_ratio, tol=1e-8).fit(X.astype(np.float64), y)
    assert est.coef_.dtype == np.float32
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, None)
    np.testing.assert_allclose(objective(est, X, y, None), objective(ref, X, y, None),
                               rtol=1e-6)


def test_gap_certifies_suboptimality_at_loose_tol():
    X, y, s = make_huber_problem(500, 8, outliers=0.3, weights=True)
    loose = HuberRegressor(tol=1e-3).fit(X, y, sample_weight=s)
    tight = HuberRegressor(tol=1e-13).fit(X, y, sample_weight=s)
    excess = objective(loose, X, y, s) - objective(tight, X, y, s)
    assert 0 <= excess + 1e-9 and excess <= loose.dual_gap_ * (1 + 1e-9)
    assert loose.dual_gap_ <= 1e-3 * p_at_zero(loose, X, y, s)


def test_weights_equal_duplicated_rows():
    X, y, _ = make_huber_problem(60, 4, outliers=0.2)
    counts = np.random.default_rng(3).integers(0, 3, 60)
    counts[0] = 1
    a = HuberRegressor(tol=1e-12, l1_ratio=0.3, alpha=1.0).fit(X, y, sample_weight=counts)
    b = HuberRegressor(tol=1e-12, l1_ratio=0.3, alpha=1.0).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a.scale_, b.scale_, rtol=1e-6)


def test_scale_equivariance():
    X, y, _ = make_huber_problem(300, 5, outliers=0.2)
    a = HuberRegressor(alpha=0.0, tol=1e-12).fit(X, y)
    b = HuberRegressor(alpha=0.0, tol=1e-12).fit(X, 10.0 * y)
    np.testing.assert_allclose(10.0 * a.coef_, b.coef_, rtol=1e-7)
    np.testing.assert_allclose(10.0 * a.scale_, b.scale_, rtol=1e-7)


def test_both_solvers_agree_and_warm_start():
    from sklreg.solvers import huber as _huber
    X, y, s = make_huber_problem(300, 6, outliers=0.2, weights=True)
    est = HuberRegressor(alpha=0.1, tol=1e-12).fit(X, y, sample_weight=s)
    problem = _huber.HuberProblem(X, __import__("sklreg._core._design", fromlist=["Design"])
                                  .Design(X), y, s, 1.35, np.zeros(6),
                                  np.full(6, 0.2), False, True)
    mm = _huber.solve_huber(problem, np.zeros(6), tol=1e-12, max_iter=1000,
                            solver="majorise")
    np.testing.assert_allclose(mm.coef, est.coef_, rtol=1e-6)
    np.testing.assert_allclose(mm.scale, est.scale_, rtol=1e-6)
    warm = HuberRegressor(alpha=0.1, tol=1e-12, warm_start=True).fit(X, y, sample_weight=s)
    n_cold = warm.n_iter_
    warm.fit(X, y, sample_weight=s)
    assert warm.n_iter_ < n_cold


def test_epsilon_one_is_least_absolute_deviation_and_certified():
    # epsilon = 1 makes sigma + sigma H(r / sigma) >= 2 |r|, with equality as
    # sigma -> 0: the optimum is the LAD fit with sigma at its floor, solved
    # on that face and certified (no warning)
    X, y, s = make_huber_problem(150, 5, outliers=0.1, weights=True)
    est = HuberRegressor(epsilon=1.0, alpha=0.0, tol=1e-8).fit(X, y, sample_weight=s)
    ref = sk.QuantileRegressor(quantile=0.5, alpha=0.0).fit(X, y, sample_weight=s)
    assert est.scale_ > 0
    assert est.dual_gap_ <= 1e-8 * p_at_zero(est, X, y, s)
    lad = 2 * np.dot(s, np.abs(y - ref.predict(X)))
    assert abs(objective(est, X, y, s) - lad) <= 1e-7 * lad


@pytest.mark.parametrize("sparse", [False, True])
def test_exact_fit_face_weights_equal_repeats(sparse):
    # scikit-learn's sample-weight check data: 15 rows repeated against 30
    # features, integer y; the L1 fit interpolates (scale at its floor)
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    counts = rng.randint(0, 5, size=15)
    Xr, yr = X.repeat(counts, axis=0), y.repeat(counts)
    if sparse:
        X, Xr = sp.csc_matrix(X), sp.csc_matrix(Xr)
    kw = dict(alpha=2.3, l1_ratio=1.0, tol=1e-10, max_iter=1000)
    a = HuberRegressor(**kw).fit(X, y, sample_weight=counts.astype(float))
    b = HuberRegressor(**kw).fit(Xr, yr)
    for est, (A, t, w) in ((a, (X, y, counts.astype(float))), (b, (Xr, yr, None))):
        assert est.dual_gap_ <= 1e-10 * p_at_zero(est, A, t, w)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-7, atol=1e-9)


def test_max_iter_warns_with_the_gap():
    X, y, _ = make_huber_problem(200, 5, outliers=0.3)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        HuberRegressor(max_iter=1, tol=1e-14).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", ["perfect fit", "constant column", "one sample",
                                  "p >> n", "all identical y"])
def test_degenerate_input_fits(case):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = X @ [1.0, 2.0, 0.0, -1.0] + 1.0
    if case == "constant column":
        X[:, 2] = 3.0
        y = y + rng.standard_normal(30)
    elif case == "one sample":
        X, y = X[:1], y[:1]
    elif case == "p >> n":
        X = rng.standard_normal((10, 300))
        y = rng.standard_normal(10)
    elif case == "all identical y":
        y = np.full(30, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for l1_ratio in (0.0, 1.0):
            est = HuberRegressor(l1_ratio=l1_ratio).fit(X, y)
            assert est.scale_ > 0 and np.all(np.isfinite(est.coef_))
            assert np.isfinite(est.intercept_)


@pytest.mark.parametrize("weights", [False, True])
def test_best_scale_minimises_the_datafit_from_any_start(weights):
    # the scale search against a bounded scalar minimisation of the datafit
    X, y, s = make_huber_problem(300, 3, weights=weights, seed=4)
    problem = HuberRegressor()._huber_problem(X, y, s)
    r = y - X @ np.array([0.5, -1.0, 0.2])
    weight = problem.s

    def fit(sigma):
        loss = Huber(1.35, sigma)
        return loss.scan(r, weight)[0]

    best = optimize.minimize_scalar(fit, bounds=(1e-3, 50), method="bounded",
                                    options={"xatol": 1e-10}).x
    for start in (None, 1e-6, best * (1 + 1e-9), best / 3, 3 * best, 1e3):
        sigma, scan = best_scale(problem, r, start)
        assert abs(sigma - best) <= 1e-6 * best
        assert fit(sigma) <= fit(best) + 1e-12 * fit(best)
        # the values the search leaves for the objective are the scan's there
        np.testing.assert_allclose(scan[:3], Huber(1.35, sigma).scan(r, weight)[:3],
                                   rtol=1e-10, atol=1e-10 * weight.sum())
    assert best_scale(problem, np.zeros_like(r), 1.0)[0] == problem.scale_floor


def test_filling_scan_sums_theta_and_the_gap_agrees_with_a_given_theta():
    # the sums a filling scan keeps (for the dual point's shift and scaling)
    # against NumPy on its theta, zero weights included; and the gap built
    # from them equals the one built from that theta handed over
    X, y, s = make_huber_problem(200, 4, weights=True, seed=3)
    s = s.copy()
    s[::7] = 0.0
    problem = HuberRegressor(alpha=0.3)._huber_problem(X, y, s)
    w = np.array([0.4, -0.8, 0.1, 0.3])
    r = problem.residual(w, 0.2)
    loss = Huber(1.35, 0.9)
    theta, weight = np.empty(200), np.empty(200)
    loss.scan(r, s, theta, weight)
    pos = s > 0
    np.testing.assert_allclose(loss.theta_energy, np.sum(theta[pos] ** 2 / s[pos]), rtol=1e-12)
    np.testing.assert_allclose([loss.theta_max, loss.theta_min],
                               [np.max(theta[pos] / s[pos]), np.min(theta[pos] / s[pos])],
                               rtol=1e-14)
    # the pieces after the shift to sum zero, against the shifted theta
    dual = problem.dual(r, 0.9, theta.copy())
    grad, v, peak, energy, ty = dual.grad, dual.v, dual.peak, dual.energy, dual.ty
    shifted = theta - theta.sum() / s.sum() * s
    np.testing.assert_allclose(grad, X.T @ theta, rtol=1e-12)
    np.testing.assert_allclose(v, X.T @ shifted, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(peak, np.max(np.abs(shifted[pos] / s[pos])), rtol=1e-12)
    np.testing.assert_allclose(energy, np.sum(shifted[pos] ** 2 / s[pos]), rtol=1e-12)
    np.testing.assert_allclose(ty, shifted @ problem.y, rtol=1e-12)   # the solvers' y
    from_scan = problem.gap(w, r, 0.9)
    given = problem.gap(w, r, 0.9, theta=theta.copy())
    np.testing.assert_allclose(from_scan[:2], given[:2], rtol=1e-12)
    np.testing.assert_allclose(from_scan[2], given[2], rtol=1e-12)


def test_scan_without_outputs_and_on_a_piece():
    # reading r only, or with unit weights as None, gives the same values;
    # and a scale inside [low, high] has the values the piece formula gives
    from sklreg.solvers.huber._scale import on_piece
    rng = np.random.default_rng(1)
    r = 3 * rng.standard_normal(200)
    loss = Huber(1.35, 0.7)
    theta, weight = np.empty(200), np.empty(200)
    full = loss.scan(r, np.ones(200), theta, weight)
    np.testing.assert_allclose(loss.scan(r), full, rtol=1e-13)
    np.testing.assert_allclose(loss.scan(r, None, theta, weight), full, rtol=1e-13)
    low, high = full[3:]
    assert low < 0.7 < high
    for to in (0.5 * (low + 0.7), 0.5 * (0.7 + high)):
        there = Huber(1.35, to).scan(r)
        np.testing.assert_allclose(on_piece(0.7, to, full), there, rtol=1e-12)
    for to in (low, high):        # a sample changes side there: fit and d1 go on
        there = Huber(1.35, to).scan(r)
        np.testing.assert_allclose(on_piece(0.7, to, full)[:2], there[:2], rtol=1e-12)


def test_compiled_loss_matches_numpy_face():
    rng = np.random.default_rng(0)
    r, s = 3 * rng.standard_normal(100), rng.uniform(0.1, 2, 100)
    face = HuberLoss(1.35, 0.7)
    theta, weight = np.empty(100), np.empty(100)
    fit, d1, d2, low, high = Huber(1.35, 0.7).scan(r, s, theta, weight)
    np.testing.assert_allclose(fit, face.value(r, s) * s.sum() + 0.7 * s.sum())
    inlier = np.abs(r) <= 1.35 * 0.7
    assert 0 < inlier.sum() < 100
    np.testing.assert_allclose(d2, 2 * np.sum(s[inlier] * r[inlier] ** 2) / 0.7 ** 3)
    np.testing.assert_allclose(weight, s * np.minimum(1, 1.35 * 0.7 / np.abs(r)))
    # the scales between which these samples stay inliers
    assert low == np.abs(r[inlier]).max() / 1.35 and high == np.abs(r[~inlier]).min() / 1.35
    # d fit / d sigma against a finite difference of the NumPy face
    h = 1e-6
    fd = ((HuberLoss(1.35, 0.7 + h).value(r, s) - HuberLoss(1.35, 0.7 - h).value(r, s))
          * s.sum() / (2 * h) + s.sum())
    np.testing.assert_allclose(d1, fd, rtol=1e-6)
    fd_r = (HuberLoss(1.35, 0.7).value(r + h, np.ones(100)) * 100
            - HuberLoss(1.35, 0.7).value(r - h, np.ones(100)) * 100) / (2 * h)
    np.testing.assert_allclose(np.sum(theta / s), fd_r, rtol=1e-6)


def _sklearn_test_data():
    # scikit-learn's make_regression_with_outliers (test_huber.py)
    from sklearn.datasets import make_regression
    rng = np.random.RandomState(0)
    X, y = make_regression(n_samples=50, n_features=20, random_state=0, noise=0.05)
    rows = rng.randint(0, 50, 5)
    X[rows, :] = 2.0 * rng.normal(0, 1, (5, 20))
    return X, y


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("tol", [1e-4, 1e-5, 1e-8])
def test_at_equal_tol_as_accurate_as_sklearn(tol, sparse):
    # issue 22, item 11: fits stopped right at the certificate; they now go
    # on by Newton towards tol**2 * P(0) (a small sparse X on a dense copy:
    # scikit-learn's test_huber_sparse)
    X, y = _sklearn_test_data()
    Xs = sp.csr_matrix(X) if sparse else X
    est = HuberRegressor(alpha=0.1, tol=tol).fit(Xs, y)
    theirs = sk.HuberRegressor(alpha=0.1, tol=tol).fit(X, y)
    ref = sklearn_reference(est, X, y, None)
    best = min(objective(ref, X, y, None), objective(est, X, y, None))
    assert objective(est, X, y, None) - best <= objective(theirs, X, y, None) - best
    assert np.max(np.abs(est.coef_ - ref.coef_)) <= np.max(np.abs(theirs.coef_ - ref.coef_))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio, alpha", [(0.5, 0.01), (0.5, 10.0), (1.0, 10.0)])
def test_l1_part_finishes_on_its_face(sparse, l1_ratio, alpha):
    """Issue 22: with an L1 part the fit stopped right at its certificate
    (objective 6e-6 above cvxpy's optimum at tol=1e-4, where the smooth
    penalty's Newton finish reaches rounding); Newton on the support, signs
    held, now carries it on."""
    import scipy.sparse as sp
    from sklearn.datasets import make_regression
    from sklreg import HuberRegressor
    from sklreg.utils.reference import huber_objective, huber_optimum
    X, y = make_regression(200, 20, n_informative=8, noise=5, random_state=0)
    y[:10] += 40
    est = HuberRegressor(alpha=alpha, l1_ratio=l1_ratio, tol=1e-4).fit(
        sp.csr_matrix(X) if sparse else X, y)
    best = huber_optimum(X, y, None, 1.35, alpha, l1_ratio)
    ours = huber_objective(X, y, est.coef_, est.intercept_, est.scale_, 1.35, alpha, l1_ratio)
    assert ours - best <= 1e-9 * abs(best)
    assert est.dual_gap_ <= 1e-6 * ours


@pytest.mark.parametrize("epsilon", [1.35, 1e154, 1e200, 1e300])
def test_huber_loss_value_at_a_huge_epsilon(epsilon):
    """Every residual is an inlier: the value is the mean square, finite
    however large epsilon is (epsilon**2 overflows from ~1e154)."""
    r = np.array([1.0, -1.2, 0.5])
    assert HuberLoss(epsilon).value(r) == pytest.approx(np.mean(r ** 2))
    outlier = np.array([0.0, 10.0])
    expected = 0.5 * (2 * 1.35 * 10.0 - 1.35 ** 2)
    assert HuberLoss(1.35).value(outlier) == pytest.approx(expected)


@pytest.mark.parametrize("tol", [1e-10, 1e-15])
def test_l1_fit_at_a_tight_tol_returns_promptly(tol):
    """Issue 26: an L1 Huber fit whose majoriser reached the rounding floor
    of its least-squares steps (w ~sqrt(eps) off) burnt max_iter, stalled
    at a relative gap of 1.6e-10 even at tol=1e-10.  Newton on the support
    now finishes it; at tol=1e-15, below what its steps can resolve, it
    stops once stalled and says so with the gap reached."""
    pytest.importorskip("cvxpy")
    from sklreg.datasets import make_correlated_data
    X, y, _ = make_correlated_data(200, 30, rho=0.5, random_state=0)
    y[:10] += 20
    est = HuberRegressor(alpha=0.01, l1_ratio=1.0, tol=tol, max_iter=1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X, y)
    missed = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert est.n_iter_ < 100
    p0 = p_at_zero(est, X, y, None)
    ours = objective(est, X, y, None)
    best = huber_optimum(X, y, None, 1.35, 0.01, 1.0)
    assert ours - best <= 1e-10 * abs(best)
    if tol == 1e-10:
        assert not missed and est.dual_gap_ <= tol * p0
    else:
        # honest: a warning naming a gap above the target it missed
        assert missed and est.dual_gap_ > tol * p0
        assert f"{est.dual_gap_:.3e}" in str(missed[0].message)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fit_at_zero_is_the_best_intercept_and_scale(weighted, fit_intercept):
    """The null fit behind alpha_max: (b, sigma) minimising scikit-learn's
    objective at w = 0, found here by a direct 2-D search."""
    rng = np.random.default_rng(4)
    y = 3.0 + rng.standard_t(2, 60)
    s = rng.uniform(0.2, 2.0, 60) if weighted else np.ones(60)
    eps = 1.35

    def objective(v):
        b = v[0] if fit_intercept else 0.0
        sigma = np.exp(v[1])
        z = np.abs(y - b) / sigma
        h = np.where(z <= eps, z ** 2, 2 * eps * z - eps ** 2)
        return np.dot(s, sigma + sigma * h)

    best = optimize.minimize(objective, [np.median(y), 0.0], method="Nelder-Mead",
                    options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 10000})
    fit = fit_at_zero(y, s if weighted else None, eps, fit_intercept)
    found = objective([fit.intercept, np.log(fit.scale)])
    assert found <= best.fun * (1 + 1e-9)
    np.testing.assert_allclose(fit.scale, np.exp(best.x[1]), rtol=1e-5)


def test_alpha_max_is_the_smallest_alpha_with_zero_coefficients():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 6))
    y = X @ [2.0, 0, 0, -1.0, 0, 0] + rng.standard_t(3, 80)
    est = HuberRegressor(l1_ratio=1.0, tol=1e-10, max_iter=1000)
    amax = alpha_max(est, X, y)
    assert np.all(est.set_params(alpha=amax * (1 + 1e-6)).fit(X, y).coef_ == 0)
    assert np.any(est.set_params(alpha=amax * 0.98).fit(X, y).coef_ != 0)
