"""Bootstrap standard errors against a direct resampling loop with the same seeds."""
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from sklreg import HuberRegressor, QuantileRegressor, summary


def data(seed=0, n=150):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ [1.0, 0.0, -2.0] + (1 + np.abs(X[:, 0])) * rng.standard_t(4, n)
    return X, y


def seeds(random_state, n_boot):
    return np.random.SeedSequence(random_state).spawn(n_boot)


def direct_pairs(make, X, y, random_state, n_boot):
    out = []
    for seed in seeds(random_state, n_boot):
        idx = np.random.default_rng(seed).integers(0, len(y), len(y))
        model = make().fit(X[idx], y[idx])
        out.append(np.r_[model.intercept_, model.coef_])
    return np.array(out)


def test_xy_bootstrap_quantile_matches_direct_loop():
    X, y = data()
    make = lambda: QuantileRegressor(quantile=0.3, alpha=0.0, solver="highs-ds")  # noqa: E731
    result = summary(make().fit(X, y), X, y, se="boot", n_boot=30, random_state=4)
    expected = direct_pairs(make, X, y, 4, 30)
    assert_allclose(result.bootstrap_params, expected, rtol=1e-8, atol=1e-10)
    assert_allclose(result.bse, np.std(expected, axis=0, ddof=1), rtol=1e-8)
    assert_allclose(result.cov_params, np.cov(expected, rowvar=False), rtol=1e-8)


def test_xy_bootstrap_interior_point_and_threads():
    X, y = data(1)
    make = lambda: QuantileRegressor(alpha=0.0, tol=1e-10)  # noqa: E731
    one = summary(make().fit(X, y), X, y, se="boot", n_boot=12, random_state=0)
    two = summary(make().fit(X, y), X, y, se="boot", n_boot=12, random_state=0, n_jobs=2)
    assert_allclose(one.bootstrap_params, two.bootstrap_params)
    expected = direct_pairs(make, X, y, 0, 12)
    assert_allclose(one.bootstrap_params, expected, rtol=1e-5, atol=1e-6)


def test_xy_bootstrap_huber_matches_direct_loop():
    X, y = data(2)
    make = lambda: HuberRegressor(alpha=0.0, tol=1e-12, max_iter=1000)  # noqa: E731
    result = summary(make().fit(X, y), X, y, se="boot", n_boot=15, random_state=1)
    assert_allclose(result.bootstrap_params, direct_pairs(make, X, y, 1, 15), rtol=1e-6,
                    atol=1e-8)
    assert result.distribution == "normal"


def test_wild_bootstrap_matches_direct_loop():
    X, y = data(3)
    tau = 0.7
    make = lambda: QuantileRegressor(quantile=tau, alpha=0.0, solver="highs-ds")  # noqa: E731
    model = make().fit(X, y)
    result = summary(model, X, y, se="boot", bootstrap="wild", n_boot=20, random_state=2)
    # Feng, He & Hu: y* = fit + w |r + h (tau - [r < 0]) / f0|
    Z = np.column_stack([np.ones(len(y)), X])
    fitted = Z @ np.r_[model.intercept_, model.coef_]
    r = y - fitted
    leverage = np.diag(Z @ np.linalg.inv(Z.T @ Z) @ Z.T)
    n = len(y)
    x0 = stats.norm.ppf(tau)
    h = n ** (-1 / 3) * stats.norm.ppf(0.975) ** (2 / 3) * (
        1.5 * stats.norm.pdf(x0) ** 2 / (2 * x0 ** 2 + 1)) ** (1 / 3)
    iqr = np.subtract(*np.percentile(r, [75, 25]))
    c = (stats.norm.ppf(tau + h) - stats.norm.ppf(tau - h)) * min(np.std(r, ddof=1), iqr / 1.34)
    f0 = np.mean(stats.norm.pdf(r / c) / c)
    size = np.abs(r + leverage * (tau - (r < 0)) / f0)
    expected = []
    for seed in seeds(2, 20):
        w = np.where(np.random.default_rng(seed).random(n) < tau, -2 * tau, 2 * (1 - tau))
        fit = make().fit(X, fitted + w * size)
        expected.append(np.r_[fit.intercept_, fit.coef_])
    assert_allclose(result.bootstrap_params, expected, rtol=1e-8, atol=1e-10)


def test_weighted_xy_bootstrap_draws_rows_with_their_weights():
    X, y = data(4)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    make = lambda: QuantileRegressor(alpha=0.0, solver="highs-ds")  # noqa: E731
    result = summary(make().fit(X, y, sample_weight=w), X, y, se="boot", n_boot=10,
                     random_state=3, sample_weight=w)
    expected = []
    for seed in seeds(3, 10):
        idx = np.random.default_rng(seed).integers(0, len(y), len(y))
        fit = make().fit(X[idx], y[idx], sample_weight=w[idx])
        expected.append(np.r_[fit.intercept_, fit.coef_])
    assert_allclose(result.bootstrap_params, expected, rtol=1e-8, atol=1e-10)


def test_penalised_fit_only_through_the_bootstrap():
    X, y = data(5)
    model = QuantileRegressor(alpha=0.05).fit(X, y)
    with pytest.raises(ValueError, match="se='boot'"):
        summary(model, X, y, se="nid")
    result = summary(model, X, y, se="boot", n_boot=10, random_state=0)
    assert result.notes and "penalised" in result.notes[0]
    assert "Note:" in str(result)
    assert np.all(np.isfinite(result.bse))


def test_bootstrap_options_are_checked():
    X, y = data(6)
    model = QuantileRegressor(alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="n_boot"):
        summary(model, X, y, se="boot", n_boot=1)
    with pytest.raises(ValueError, match="bootstrap must be"):
        summary(model, X, y, se="boot", bootstrap="mcmb")
