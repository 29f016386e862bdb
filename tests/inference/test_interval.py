"""QuantileInterval: coverage by simulation, scikit-learn compatibility."""
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.base import clone
from sklearn.model_selection import KFold, LeaveOneOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklreg import QuantileInterval, QuantileRegressor, QuantileRegressorCV


def heteroscedastic(rng, n):
    X = rng.uniform(0, 4, (n, 2))
    return X, X[:, 0] - X[:, 1] + (0.3 + X[:, 0]) * rng.standard_normal(n)


def heavy_tailed(rng, n):
    X = rng.uniform(-1, 1, (n, 2))
    return X, 2 * X[:, 0] + (1 + X[:, 1] ** 2) * rng.standard_t(2, n)


def beta_binomial_sum_bounds(n_test, a, b, repeats, false_alarm=1e-4):
    """Central (1 - false_alarm) range of a sum of `repeats` independent
    BetaBinomial(n_test, a, b) counts, from its exact distribution."""
    pmf = stats.betabinom.pmf(np.arange(n_test + 1), n_test, a, b)
    total = np.array([1.0])
    for _ in range(repeats):
        total = np.convolve(total, pmf)
    cdf = np.cumsum(total)
    return (int(np.searchsorted(cdf, false_alarm / 2)),
            int(np.searchsorted(cdf, 1 - false_alarm / 2)))


@pytest.mark.parametrize("make", [heteroscedastic, heavy_tailed])
def test_split_coverage_on_held_out_data(make):
    # Exchangeable data, continuous scores: given the calibration set the
    # coverage is Beta(k, n_cal + 1 - k), k = ceil((1 - alpha)(n_cal + 1)),
    # so a seed's count of covered held-out samples is BetaBinomial(n_test,
    # k, n_cal + 1 - k) and the seeds are independent: the total must lie in
    # the central range of the exact law of their sum.  Small calibration
    # sets and many seeds make the ranges for the ranks k - 1, k and k + 1
    # disjoint: an off-by-one in the rank fails.
    alpha, n, n_test, seeds = 0.1, 40, 200, 200
    covered = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        X, y = make(rng, n)
        X_test, y_test = make(rng, n_test)
        model = QuantileInterval(alpha=alpha, random_state=seed).fit(X, y)
        covered += round(model.score(X_test, y_test) * n_test)
    n_cal = n // 2
    k = int(np.ceil((1 - alpha) * (n_cal + 1)))
    low, high = beta_binomial_sum_bounds(n_test, k, n_cal + 1 - k, seeds)
    assert low <= covered <= high, (covered, low, high, seeds * n_test)


@pytest.mark.parametrize("make", [heteroscedastic, heavy_tailed])
def test_cv_plus_coverage_on_held_out_data(make):
    # CV+ guarantees 1 - 2 alpha - min(2 (1 - 1/K) / (n/K + 1), (1 - K/n) /
    # (K + 1)) (Barber et al. 2021, Theorem 4).  One held-out sample per seed
    # makes the covered count a sum of independent Bernoulli draws, each with
    # at least that probability: the count must not fall below the binomial
    # lower quantile.
    alpha, n, K, seeds = 0.1, 40, 4, 100
    covered = 0
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        X, y = make(rng, n + 1)
        model = QuantileInterval(alpha=alpha, method="cv+",
                                 cv=KFold(K, shuffle=True, random_state=seed))
        covered += model.fit(X[:n], y[:n]).score(X[n:], y[n:]) == 1.0
    guarantee = 1 - 2 * alpha - min(2 * (1 - 1 / K) / (n / K + 1), (1 - K / n) / (K + 1))
    assert covered >= stats.binom.ppf(1e-4, seeds, guarantee), (covered, guarantee)


def test_split_interval_is_the_calibrated_band():
    rng = np.random.default_rng(0)
    X, y = heteroscedastic(rng, 200)
    model = QuantileInterval(alpha=0.2, random_state=0).fit(X, y)
    order = np.random.RandomState(0).permutation(200)
    cal, train = np.sort(order[:100]), np.sort(order[100:])
    lo = QuantileRegressor(alpha=0.0, quantile=0.1).fit(X[train], y[train])
    hi = QuantileRegressor(alpha=0.0, quantile=0.9).fit(X[train], y[train])
    scores = np.maximum(lo.predict(X[cal]) - y[cal], y[cal] - hi.predict(X[cal]))
    q = np.sort(scores)[int(np.ceil(0.8 * 101)) - 1]
    assert_allclose(model.correction_, q)
    X_new = rng.uniform(0, 4, (5, 2))
    assert_allclose(model.predict(X_new),
                    np.column_stack([lo.predict(X_new) - q, hi.predict(X_new) + q]))
    metrics = model.interval_metrics(X, y)
    assert set(metrics) == {"coverage", "mean_width"}
    assert_allclose(metrics["mean_width"], np.mean(np.diff(model.predict(X), axis=1)))


def test_jackknife_plus_is_cv_plus_with_leave_one_out():
    rng = np.random.default_rng(1)
    X, y = heteroscedastic(rng, 30)
    model = QuantileInterval(alpha=0.2, method="cv+", cv=LeaveOneOut()).fit(X, y)
    x_new = rng.uniform(0, 4, (3, 2))
    lows, highs = [], []
    for i, (lower, upper) in enumerate(model.fold_estimators_):
        keep = np.arange(30) != i
        ref_lo = QuantileRegressor(alpha=0.0, quantile=0.1).fit(X[keep], y[keep])
        assert_allclose(lower.coef_, ref_lo.coef_)
        e = max(lower.predict(X[i:i + 1])[0] - y[i], y[i] - upper.predict(X[i:i + 1])[0])
        lows.append(lower.predict(x_new) - e)
        highs.append(upper.predict(x_new) + e)
    k_lo, k_hi = int(np.floor(0.2 * 31)), int(np.ceil(0.8 * 31))
    expected = np.column_stack([np.sort(lows, axis=0)[k_lo - 1], np.sort(highs, axis=0)[k_hi - 1]])
    assert_allclose(model.predict(x_new), expected)


def test_too_small_calibration_gives_infinite_intervals():
    rng = np.random.default_rng(2)
    X, y = heteroscedastic(rng, 10)
    model = QuantileInterval(alpha=0.05, random_state=0).fit(X, y)
    assert np.isinf(model.correction_)
    assert np.all(np.isinf(model.predict(X)))
    cv_model = QuantileInterval(alpha=0.05, method="cv+").fit(X, y)
    assert np.all(np.isinf(cv_model.predict(X)))


def test_pipeline_clone_and_cv_estimator():
    rng = np.random.default_rng(3)
    X, y = heteroscedastic(rng, 300)
    pipe = make_pipeline(StandardScaler(), QuantileInterval(
        QuantileRegressorCV(alphas=5, cv=3), alpha=0.1, random_state=0))
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (300, 2)
    assert 0 <= pipe.score(X, y) <= 1
    twin = clone(pipe)
    assert twin.get_params()["quantileinterval__alpha"] == 0.1
    assert not hasattr(twin[-1], "conformity_scores_")


def test_wrong_input():
    rng = np.random.default_rng(4)
    X, y = heteroscedastic(rng, 50)
    with pytest.raises(ValueError, match="alpha"):
        QuantileInterval(alpha=1.5).fit(X, y)
    with pytest.raises(ValueError, match="method"):
        QuantileInterval(method="jackknife").fit(X, y)
    from sklearn.linear_model import Ridge
    with pytest.raises(ValueError, match="'quantile' parameter"):
        QuantileInterval(Ridge()).fit(X, y)
    with pytest.raises(ValueError, match="n_samples=1"):
        QuantileInterval().fit(X[:1], y[:1])


def test_sparse_input():
    import scipy.sparse as sp
    rng = np.random.default_rng(5)
    X, y = heteroscedastic(rng, 80)
    for method in ("split", "cv+"):
        dense = QuantileInterval(method=method, random_state=0).fit(X, y)
        sparse = QuantileInterval(method=method, random_state=0).fit(sp.csr_matrix(X), y)
        assert_allclose(sparse.predict(sp.csc_matrix(X)), dense.predict(X), rtol=1e-6)
