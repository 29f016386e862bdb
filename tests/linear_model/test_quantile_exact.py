"""QuantileRegressor returns the exact optimum: the linear program's vertex
(exact zeros) checked against HiGHS on the LP written out here, the elastic
net's optimum against cvxpy, at every tol; offset columns; sklearn's solver
names; y of shape (n, 1)."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

from sklreg import QuantileRegressor
from tests.conftest import make_problem


def lp_optimum(X, y, tau, alpha, s=None, fit_intercept=True):
    """(coef, intercept, objective) of the weighted, L1-penalised quantile
    regression solved by HiGHS' simplex on the linear program
    ``min sum s (tau u + (1-tau) v) + n_w alpha 1'(w+ + w-)`` subject to
    ``X (w+ - w-) + b+ - b- + u - v = y``."""
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    n, p = X.shape
    s = np.ones(n) if s is None else s
    ones = np.ones((n, 1)) if fit_intercept else np.zeros((n, 0))
    k = p + ones.shape[1]
    A = np.hstack([X, ones, -X, -ones, np.eye(n), -np.eye(n)])
    pen = np.r_[np.full(p, alpha * s.sum()), np.zeros(ones.shape[1])]
    c = np.r_[pen, pen, s * tau, s * (1 - tau)]
    res = linprog(c, A_eq=A, b_eq=y, method="highs-ds")
    assert res.status == 0
    beta = res.x[:k] - res.x[k:2 * k]
    coef, b = beta[:p], (beta[p] if fit_intercept else 0.0)
    return coef, b, objective(X, y, coef, b, tau, alpha, s)


def objective(X, y, coef, b, tau, alpha, s=None, l1_ratio=1.0):
    r = y - np.asarray(X @ coef).ravel() - b
    s = np.ones_like(r) if s is None else s
    pen = l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * coef @ coef
    return np.dot(s, r * (tau - (r < 0))) / s.sum() + alpha * pen


def p_zero(y, tau, s=None):
    return min(objective(np.zeros((len(y), 0)), y, np.zeros(0), b, tau, 0.0, s) for b in y)


def test_l1_fit_returns_the_sparse_vertex():
    """Issue 22 item 5: 20 non-zeros (10 of them ~1e-7) where HiGHS has 10."""
    X, y = make_regression(300, 20, n_informative=10, noise=1, random_state=42)
    est = QuantileRegressor(quantile=0.6, alpha=0.1).fit(X, y)
    coef, b, best = lp_optimum(X, y, 0.6, 0.1)
    assert np.count_nonzero(est.coef_) == np.count_nonzero(coef) == 10
    np.testing.assert_array_equal(est.coef_ == 0, coef == 0)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-10, atol=1e-10)
    # the vertex is certified: the duality gap is rounding, not tol
    assert est.dual_gap_ <= 1e-14 * p_zero(y, 0.6)
    assert objective(X, y, est.coef_, est.intercept_, 0.6, 0.1) <= best * (1 + 1e-14)


@pytest.mark.parametrize("tol", [1e-1, 1e-2, 1e-4, 1e-8, 1e-12])
@pytest.mark.parametrize("alpha", [0.0, 0.02])
def test_exact_at_every_tol(tol, alpha):
    """Issue 22 item 11: at every tol as close to the optimum as HiGHS'
    vertex (which is exact): the objective within rounding of it."""
    X, y, s = make_problem(150, 8, weights=True, shift=1.0)
    est = QuantileRegressor(quantile=0.3, alpha=alpha, tol=tol).fit(X, y, sample_weight=s)
    coef, b, best = lp_optimum(X, y, 0.3, alpha, s)
    ours = objective(X, y, est.coef_, est.intercept_, 0.3, alpha, s)
    assert ours <= best + 1e-13 * abs(best)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-9, atol=1e-12)
    assert est.dual_gap_ <= 1e-13 * p_zero(y, 0.3, s)


@pytest.mark.parametrize("case", ["integer y", "integer X and y", "duplicated rows",
                                  "duplicated column", "p > n", "no intercept"])
def test_degenerate_linear_programs_are_solved_exactly(case):
    rng = np.random.default_rng(3)
    n, p, fit_intercept = 60, 5, True
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    if case == "integer y":
        y = np.round(y)
    elif case == "integer X and y":
        X, y = np.round(2 * X), np.round(y)
    elif case == "duplicated rows":
        X, y = np.vstack([X, X[:30]]), np.r_[y, y[:30]]
    elif case == "duplicated column":
        X[:, 1] = X[:, 0]
    elif case == "p > n":
        X = rng.standard_normal((20, 40))
        y = X[:, :3] @ [1.0, -2.0, 1.0] + rng.standard_normal(20)
    else:
        fit_intercept = False
    for tau, alpha in [(0.5, 0.0), (0.8, 0.01), (0.25, 0.05)]:
        est = QuantileRegressor(quantile=tau, alpha=alpha, fit_intercept=fit_intercept,
                                tol=1e-4).fit(X, y)
        coef, b, best = lp_optimum(X, y, tau, alpha, fit_intercept=fit_intercept)
        ours = objective(X, y, est.coef_, est.intercept_, tau, alpha)
        assert abs(ours - best) <= 1e-12 * p_zero(y, tau)
        assert est.dual_gap_ <= 1e-12 * max(p_zero(y, tau), 1e-300)


def test_unpenalised_fit_interpolates_a_basis_of_samples():
    """alpha = 0: the vertex interpolates p + 1 samples exactly."""
    X, y, _ = make_problem(200, 6)
    est = QuantileRegressor(quantile=0.7, alpha=0.0).fit(X, y)
    r = y - X @ est.coef_ - est.intercept_
    assert np.count_nonzero(np.abs(r) <= 1e-12 * np.abs(y).max()) == 7
    coef, b, best = lp_optimum(X, y, 0.7, 0.0)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-11)


def test_elastic_net_has_the_exact_zeros_of_its_optimum():
    cp = pytest.importorskip("cvxpy")
    X, y, s = make_problem(120, 15, weights=True)
    tau, alpha, rho = 0.7, 0.05, 0.5
    w, b = cp.Variable(15), cp.Variable()
    r = y - X @ w - b
    loss = cp.sum(cp.multiply(s, tau * cp.pos(r) + (1 - tau) * cp.neg(r))) / s.sum()
    prob = cp.Problem(cp.Minimize(loss + alpha * (rho * cp.norm1(w)
                                                  + (1 - rho) / 2 * cp.sum_squares(w))))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    zero = np.abs(w.value) < 1e-7
    assert 0 < zero.sum() < 15
    for tol in (1e-2, 1e-6, 1e-10):
        est = QuantileRegressor(quantile=tau, alpha=alpha, l1_ratio=rho, tol=tol)
        est.fit(X, y, sample_weight=s)
        np.testing.assert_array_equal(est.coef_ == 0, zero)
        ours = objective(X, y, est.coef_, est.intercept_, tau, alpha, s, rho)
        assert ours <= prob.value + 1e-9 * prob.value
        np.testing.assert_allclose(est.coef_, w.value, atol=1e-6)
        assert est.dual_gap_ <= 1e-13 * p_zero(y, tau, s)


@pytest.mark.parametrize("solver, n, p, alpha, sparse", [
    ("ipm-glob", 3000, 4, 0.0, False),
    ("ipm-glob", 3000, 6, 0.01, True),
    ("ipm-ws", 40, 300, 0.05, False),
])
def test_preprocessing_and_working_sets_end_on_the_vertex(solver, n, p, alpha, sparse):
    X, y, s = make_problem(n, p, sparse=sparse, weights=True)
    est = QuantileRegressor(quantile=0.7, alpha=alpha, solver=solver).fit(X, y, sample_weight=s)
    assert est.solver_ == solver
    if n * p <= 20000:
        coef, b, best = lp_optimum(X, y, 0.7, alpha, s)
        np.testing.assert_array_equal(est.coef_ == 0, coef == 0)
    plain = QuantileRegressor(quantile=0.7, alpha=alpha, solver="ipm").fit(X, y, sample_weight=s)
    np.testing.assert_allclose(est.coef_, plain.coef_, rtol=1e-9, atol=1e-12)
    assert est.dual_gap_ <= 1e-12 * p_zero(y, 0.7, s)


def test_max_iter_warns_when_the_finish_cannot_conclude(monkeypatch):
    """max_iter stops the interior point; the exact finish still concludes
    from there (below).  When it does not, the gap is reported."""
    X, y, _ = make_problem(100, 10)
    est = QuantileRegressor(alpha=0.0, max_iter=1).fit(X, y)
    coef, _, _ = lp_optimum(X, y, 0.5, 0.0)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-10)
    from sklreg.solvers import _ipm
    monkeypatch.setattr(_ipm, "vertex", lambda *args, **kwargs: None)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        QuantileRegressor(alpha=0.0, max_iter=1).fit(X, y)


@pytest.mark.parametrize("offset, sparse", [(1e4, False), (1e6, False), (1e8, False),
                                            (1e10, False), (1e4, True), (1e8, True)])
def test_columns_with_a_large_mean(offset, sparse):
    """Issue 28 item 3: a column offset of 1e4 and more made the normal
    matrix cancel; the problem is solved with those columns centred (dense
    X block by block, exactly; sparse X by a correction term, which holds
    to offsets of about 1e8)."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((200, 5))
    mu = offset * np.array([1.0, 0.0, 3.0, 0.0, 1.5])
    X = Z + mu
    Zc = X - mu                    # exactly the stored data, centred
    y = Zc @ [1, -2, 0.5, 0, 3] + 0.3 * rng.standard_normal(200) + 5
    for alpha in (0.0, 0.01):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est = QuantileRegressor(quantile=0.7, alpha=alpha).fit(
                sp.csc_matrix(X) if sparse else X, y)
        coef, b, best = lp_optimum(Zc, y, 0.7, alpha)
        np.testing.assert_allclose(est.coef_, coef, rtol=1e-9, atol=1e-9)
        # the intercept of the uncentred data, up to its own rounding
        assert abs(est.intercept_ + mu @ est.coef_ - b) <= 1e-9 + 4e-16 * abs(mu @ coef)


def test_column_vector_y_is_one_target_as_in_sklearn():
    X, y, _ = make_problem(40, 3)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        est = QuantileRegressor(alpha=0.01).fit(X, y[:, None])
    assert est.coef_.shape == (3,) and np.ndim(est.intercept_) == 0
    assert est.predict(X).shape == (40,)
    np.testing.assert_array_equal(est.coef_, QuantileRegressor(alpha=0.01).fit(X, y).coef_)


def test_sklearn_solver_names():
    X, y, _ = make_problem(50, 4)
    with pytest.raises(ValueError,
                       match="Solver interior-point is not anymore available in SciPy"):
        QuantileRegressor(solver="interior-point").fit(X, y)
    for Xs in (X, sp.csr_matrix(X)):
        est = QuantileRegressor(alpha=0.01, solver="revised simplex").fit(Xs, y)
        assert est.solver_ == "ipm"
        coef, _, _ = lp_optimum(X, y, 0.5, 0.01)
        np.testing.assert_allclose(est.coef_, coef, rtol=1e-10, atol=1e-12)
    assert QuantileRegressor(alpha=0.01, solver="highs").fit(X, y).solver_ == "highs"


def test_an_entry_of_1e308_fits():
    """Issue 28 item 6: one entry of 1e308 in X (QuantileRegressorCV raised
    IndexError).  That column is divided by 2**1023; the answer is the
    linear program's optimum on the column so scaled (HiGHS)."""
    from sklreg import QuantileRegressorCV
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ [1.0, 2, 3] + rng.standard_normal(50)
    X[3, 1] = 1e308
    scaled = X.copy()
    scaled[:, 1] /= 2.0 ** 1023
    for alpha in (0.0, 0.01):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            est = QuantileRegressor(alpha=alpha).fit(X, y)
        # the LP of the scaled column, its penalty scaled alike
        n = len(y)
        lam = alpha * n * np.array([1.0, 2.0 ** -1023, 1.0])
        A = np.hstack([scaled, np.ones((n, 1)), -scaled, -np.ones((n, 1)), np.eye(n), -np.eye(n)])
        res = linprog(np.r_[lam, 0, lam, 0, np.full(2 * n, 0.5)], A_eq=A, b_eq=y,
                      method="highs-ds")
        beta = res.x[:4] - res.x[4:8]
        np.testing.assert_allclose(est.coef_ * [1, 2.0 ** 1023, 1], beta[:3], rtol=1e-9)
        assert abs(est.intercept_ - beta[3]) <= 1e-9
    cv = QuantileRegressorCV(cv=3, alphas=5).fit(X, y)
    assert np.all(np.isfinite(cv.coef_)) and np.isfinite(cv.intercept_)


def _without_row(X, y, tau, alpha, row):
    """The optimum when sample ``row`` is a row of entries 1e308: its
    residual is zero at the optimum (a shift of ``sum w`` by ~1e-308 fits
    it and moves the other rows by ~1e-308), so the problem is the other
    rows' under ``sum w = 0`` (HiGHS; the objective over all n rows)."""
    keep = np.arange(len(y)) != row
    Xk, yk, n, p = X[keep], y[keep], len(y), X.shape[1]
    m = len(yk)
    c = np.r_[np.full(2 * p, alpha * n), 0, 0, np.full(m, tau), np.full(m, 1 - tau)] / n
    A = np.hstack([Xk, -Xk, np.ones((m, 1)), -np.ones((m, 1)), np.eye(m), -np.eye(m)])
    A = np.vstack([A, np.r_[np.ones(p), -np.ones(p), np.zeros(2 + 2 * m)]])
    return linprog(c, A_eq=A, b_eq=np.r_[yk, 0], method="highs").fun


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0])
def test_a_row_of_1e308_never_certifies_a_wrong_point(alpha):
    """One row of X at 1e308: the fit stayed at w = 0, objective 1.357
    against the optimum's 0.520, and read a gap of 0 (the rounding allowance
    ``|x_j| |theta|`` of the dual swallowed ``|X^T theta|``).  Either the
    answer is within its target of the optimum, or the gap it reports is at
    least its true distance and a ConvergenceWarning says so."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    X[3] = 1e308
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = QuantileRegressor(alpha=alpha).fit(X, y)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert np.all(np.isfinite(est.coef_))
    keep = np.arange(50) != 3
    r = y[keep] - X[keep] @ est.coef_ - est.intercept_
    r3 = y[3] - est.intercept_ - 1e308 * est.coef_.sum()
    primal = ((np.sum(np.maximum(0.5 * r, -0.5 * r)) + 0.5 * abs(r3)) / 50
              + alpha * np.abs(est.coef_).sum())
    excess = primal - _without_row(X, y, 0.5, alpha, 3)
    if warned:
        assert est.dual_gap_ >= excess - 1e-9
    else:
        assert excess <= 1e-6 * p_zero(y, 0.5) + 1e-12


def test_cv_with_a_row_of_1e308_has_a_finite_grid():
    """QuantileRegressorCV on a row of 1e308 (an IndexError before): its
    grid starts at alpha_max ~1e306 (a coefficient of ~1e-308 fits that
    row's residual), finite and decreasing, and the refit is finite."""
    from sklreg import QuantileRegressorCV
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    X[3] = 1e308
    cv = QuantileRegressorCV(cv=3, alphas=5).fit(X, y)
    assert np.all(np.isfinite(cv.alphas_)) and np.all(np.diff(cv.alphas_) < 0)
    assert np.all(np.isfinite(cv.coef_)) and np.isfinite(cv.intercept_)


@pytest.mark.parametrize("factor", [1e150, 1e200, 1e-150, 1e-300])
def test_extreme_column_scales(factor):
    """Issue 28 item 11: X times 1e150 (and 1e-300...) fits with no
    warning, as the unscaled problem does (alpha = 0: equivariance)."""
    X, y, _ = make_problem(80, 4)
    ref = QuantileRegressor(alpha=0.0, quantile=0.3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = QuantileRegressor(alpha=0.0, quantile=0.3).fit(X * factor, y)
    np.testing.assert_allclose(est.coef_ * factor, ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-10)


def test_row_updated_factorization_solves_as_the_matrix_itself():
    """The simplex steps replace one basis row at a time and solve with the
    Woodbury identity instead of refactoring: both solves against numpy's."""
    from sklreg.solvers._vertex import _RowUpdatedLU
    rng = np.random.default_rng(0)
    B = rng.standard_normal((30, 30))
    lu = _RowUpdatedLU(B)
    for i in [3, 17, 3, 29, 0]:          # row 3 twice
        B[i] = rng.standard_normal(30)
        lu.replace(i, B[i])
        rhs = rng.standard_normal(30)
        np.testing.assert_allclose(lu.solve(rhs), np.linalg.solve(B, rhs), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(lu.solve(rhs, trans=1), np.linalg.solve(B.T, rhs),
                                   rtol=1e-9, atol=1e-10)


def test_a_dependent_row_among_the_first_is_passed_over():
    """The basis is the first k independent rows in the interior point's
    order: a duplicate of an earlier row is skipped."""
    from sklreg.solvers._vertex import _RowSystem, _independent_rows
    from sklreg.solvers._quantile_problem import QuantileProblem
    from sklreg._core._losses import Pinball
    X, y, _ = make_problem(40, 3)
    X[5] = X[2]
    pb = QuantileProblem(X, y, np.ones(40), Pinball(0.5), np.zeros(3), np.zeros(3), True)
    order = np.r_[2, 5, 7, 9, 11, np.arange(12, 40)]
    basis, B = _independent_rows(_RowSystem(pb), order, 4)
    np.testing.assert_array_equal(basis, [2, 7, 9, 11])
    np.testing.assert_array_equal(B[:, :3], X[basis])


def test_a_finish_that_never_concludes_costs_a_few_iterations(monkeypatch):
    """Without a conclusive finish the interior point's answer within tol is
    returned, after at most three tries (each a decade further down)."""
    X, y, _ = make_problem(200, 10)
    plain = QuantileRegressor(alpha=0.01, tol=1e-6).fit(X, y)
    from sklreg.solvers import _ipm
    monkeypatch.setattr(_ipm, "vertex", lambda *args, **kwargs: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = QuantileRegressor(alpha=0.01, tol=1e-6).fit(X, y)
    assert est.dual_gap_ <= 1e-6 * p_zero(y, 0.5)
    assert est.n_iter_ <= plain.n_iter_ + 3
    coef, _, best = lp_optimum(X, y, 0.5, 0.01)
    assert objective(X, y, est.coef_, est.intercept_, 0.5, 0.01) - best <= est.dual_gap_ * (1 + 1e-9)
