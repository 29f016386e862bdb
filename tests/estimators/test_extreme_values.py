"""Finite values too large or too small for float64 sums of squares
(issue 28, item 6): a ValueError naming X or y, never NaN coefficients;
penalties too small to be seen by float64 (item 11): no spurious warning."""
import warnings

import numpy as np
import pytest

import sklreg
from sklreg import ElasticNet, Lasso, QuantileRegressor, Ridge


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet", "Ridge", "HuberRegressor",
                                  "QuantileRegressor", "LassoCV", "RidgeCV",
                                  "HuberRegressorCV", "QuantileRegressorCV"])
@pytest.mark.parametrize("where", ["X", "y"])
def test_value_of_1e308_is_a_clear_error(name, where):
    """One entry of 1e308: NaN coefficients, a LinAlgError or an IndexError
    before; now a ValueError naming the array (for X under coordinate
    descent, its first pass's error naming X), or, for the quantile
    estimators, whose solver rescales X's columns, a finite fit."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    (X if where == "X" else y)[3] = 1e308
    if where == "X" and name.startswith("Quantile"):
        # its solver rescales the column (test_quantile_exact checks the fit)
        est = getattr(sklreg, name)().fit(X, y)
        assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
        return
    with pytest.raises(ValueError, match=rf"\b{where}\b.*overflow"):
        getattr(sklreg, name)().fit(X, y)


def test_magnitude_limits_keep_awkward_but_valid_data():
    """Values of 1e150 (squares 1e300) and 1e-150 still fit: only sums of
    squares beyond float64's range are refused."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    for scale in (1e150, 1e-150):
        ref = Ridge(alpha=1.0).fit(X, y)
        est = Ridge(alpha=scale**2).fit(X * scale, y * scale)
        np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-8)


@pytest.mark.parametrize("where", ["X", "y"])
def test_values_whose_squares_underflow_are_a_clear_error(where):
    """X or y all of magnitude ~1e-160: their squares underflow to zero, and
    a fit would read the column (or y) as zero and return zeros."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    if where == "X":
        X = X * 1e-160
    else:
        y = y * 1e-160
    for est in (Lasso(alpha=1e-170), Ridge(alpha=1e-320), QuantileRegressor(alpha=0.0)):
        if where == "X" and not isinstance(est, Ridge):
            continue          # Lasso's kernel reads X first; the quantile solver scales it
        with pytest.raises(ValueError, match=rf"\b{where}\b.*too small.*underflows"):
            est.fit(X, y)


def _least_squares_reference(X, y, positive):
    """min ||y - Xw - b||^2 (w >= 0 if positive): the limit of every
    penalised least-squares fit as alpha -> 0."""
    from scipy.optimize import nnls
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return nnls(Xc, yc)[0] if positive else np.linalg.lstsq(Xc, yc, rcond=None)[0]


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("make, positive", [
    (lambda a: Lasso(alpha=a), False),
    (lambda a: ElasticNet(alpha=a, l1_ratio=0.5), False),
    (lambda a: Ridge(alpha=a, solver="cd"), False),
    (lambda a: Ridge(alpha=a, positive=True), True),      # 'auto' -> 'cd'
    (lambda a: Lasso(alpha=a, positive=True), True),
], ids=["Lasso", "ElasticNet", "Ridge-cd", "Ridge-positive", "Lasso-positive"])
@pytest.mark.parametrize("x_scale, alpha", [(1.0, 1e-300), (1e150, 1.0), (1e-100, 1e-300)])
def test_alpha_below_the_gradients_rounding_fits_without_warning(make, positive, sparse,
                                                                 x_scale, alpha):
    """Issue 28 item 11: alpha = 1e-300 (or X times 1e150 at alpha = 1,
    alike relative to X'y) is least squares to float64's precision, and was
    fitted right, but the gap read the rounding of the gradient (~1e-16)
    against alpha: the L1 part's dual scaling alpha / |v| gave gaps of
    ~P(0), the L2 part's (v / l2)**2 gaps of 1e272, and every fit warned.
    The gap is now taken up to the gradient's rounding: the least-squares
    solution (lstsq, or nnls when positive), no warning, a gap within tol
    of P(0) and not below the true suboptimality."""
    from sklearn.exceptions import ConvergenceWarning
    import scipy.sparse as sp
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    X[:, 0] += 0.9 * X[:, 1]
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    ref = _least_squares_reference(X, y, positive)
    Xs = X * x_scale
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = make(alpha).fit(sp.csc_matrix(Xs) if sparse else Xs, y)
    np.testing.assert_allclose(est.coef_ * x_scale, ref, rtol=1e-7, atol=1e-9)
    r_est = y - Xs @ est.coef_ - est.intercept_
    r_ref = y - X @ ref - (y.mean() - X.mean(axis=0) @ ref)
    # the objectives' datafits (the penalties are ~1e-300): the gap bounds
    # the difference, and is within tol of P(0) in the estimator's units
    n_scale = 1.0 if isinstance(est, Ridge) else 1.0 / (2 * len(y))
    subopt = n_scale * (r_est @ r_est - r_ref @ r_ref)
    p0 = n_scale * np.sum((y - y.mean()) ** 2)
    assert subopt <= est.dual_gap_ + 1e-12 * p0
    assert est.dual_gap_ <= est.tol * p0


@pytest.mark.parametrize("make", [lambda: Lasso(alpha=1e-300), lambda: ElasticNet(alpha=1e-300),
                                  lambda: Ridge(alpha=1e-300, positive=True)],
                         ids=["Lasso", "ElasticNet", "Ridge-positive"])
def test_gap_up_to_rounding_stays_large_at_a_wrong_point(make):
    """The gap taken up to the gradient's rounding reads small only where
    every gradient entry is within its rounding of optimality: after one
    pass the fit is far from least squares, and it says so."""
    from sklearn.exceptions import ConvergenceWarning
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    X[:, 0] += 0.9 * X[:, 1]
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    with pytest.warns(ConvergenceWarning):
        est = make().set_params(max_iter=1, tol=1e-8).fit(X, y)
    assert est.dual_gap_ > 0.01 * np.var(y)


def _huber_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    return X, X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(60)


def _location_scale(y, epsilon=1.35):
    """Huber's intercept and scale at w = 0 (scikit-learn on a column of zeros)."""
    from sklearn.linear_model import HuberRegressor as SkHuber
    fit = SkHuber(epsilon=epsilon, alpha=0.0, tol=1e-12, max_iter=10000).fit(
        np.zeros((len(y), 1)), y)
    return fit.intercept_, fit.scale_


@pytest.mark.parametrize("alpha, factor", [(1e300, 1.0), (1e-4, 2.0 ** 500)])
def test_huber_with_a_huge_ridge_part_reaches_its_limit(alpha, factor):
    """Issue 28 items 6 and 11: alpha = 1e300, or y times 2**500 (which
    multiplies the ridge part by 2**500 against the datafit), burnt
    max_iter (Newton's ridge, relative to the mean of the Hessian's
    diagonal, swamped the intercept's and the scale's curvature).  As the
    ridge weight a grows, ``a w -> X^T psi(r0 / sigma0) / 2`` with (b0,
    sigma0) the fit at w = 0."""
    from sklreg import HuberRegressor
    X, y = _huber_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = HuberRegressor(alpha=alpha).fit(X, y * factor)
    b0, sigma0 = _location_scale(y)
    z = (y - b0) / sigma0
    limit = X.T @ np.where(np.abs(z) <= 1.35, 2 * z, 2 * 1.35 * np.sign(z)) / 2
    np.testing.assert_allclose(est.coef_ * alpha, limit, rtol=1e-6)
    np.testing.assert_allclose(est.scale_ / factor, sigma0, rtol=1e-6)


def test_huber_with_an_infinite_ridge_part_fits_at_zero():
    """alpha = 1e308 (times y's unit: beyond float64) was a LinAlgError
    with LAPACK's "illegal value" on stderr: w = 0, the fit at w = 0."""
    from sklreg import HuberRegressor
    X, y = _huber_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = HuberRegressor(alpha=1e308).fit(X, y)
    b0, sigma0 = _location_scale(y)
    assert np.all(est.coef_ == 0)
    np.testing.assert_allclose([est.intercept_, est.scale_], [b0, sigma0], rtol=1e-6)


def test_huber_on_X_times_1e150_certifies_its_answer():
    """Issue 28 item 11: X times 1e150 gave the right answer with a gap of
    1e304 and a ConvergenceWarning (the ridge part's conjugate read the
    rounding of X^T theta, ~1e135, over alpha = 1e-4): the gap is taken up
    to that rounding.  The answer is the unscaled fit's (scikit-learn)."""
    from sklearn.linear_model import HuberRegressor as SkHuber
    from sklreg import HuberRegressor
    X, y = _huber_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = HuberRegressor(alpha=1e-4).fit(X * 1e150, y)
    ref = SkHuber(alpha=1e-4 / 1e300, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(est.coef_ * 1e150, ref.coef_, rtol=1e-5)
