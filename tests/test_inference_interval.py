"""QuantileInterval: coverage by simulation, scikit-learn compatibility."""
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.model_selection import KFold, LeaveOneOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg import QuantileInterval, QuantileRegressor, QuantileRegressorCV


def heteroscedastic(rng, n):
    X = rng.uniform(0, 4, (n, 2))
    return X, X[:, 0] - X[:, 1] + (0.3 + X[:, 0]) * rng.standard_normal(n)


def heavy_tailed(rng, n):
    X = rng.uniform(-1, 1, (n, 2))
    return X, 2 * X[:, 0] + (1 + X[:, 1] ** 2) * rng.standard_t(2, n)


@pytest.mark.parametrize("make", [heteroscedastic, heavy_tailed])
def test_split_coverage_by_simulation(make):
    # With n_cal calibration samples and continuous scores, the coverage
    # given the calibration set is Beta(k, n_cal + 1 - k), k = ceil((1 -
    # alpha)(n_cal + 1)): its mean k / (n_cal + 1) lies in
    # [1 - alpha, 1 - alpha + 1 / (n_cal + 1)].
    alpha, n, n_test = 0.1, 120, 400
    coverage = []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        X, y = make(rng, n)
        X_test, y_test = make(rng, n_test)
        model = QuantileInterval(alpha=alpha, random_state=seed).fit(X, y)
        coverage.append(model.score(X_test, y_test))
    n_cal = 60
    expected = np.ceil((1 - alpha) * (n_cal + 1)) / (n_cal + 1)
    mean, se = np.mean(coverage), np.std(coverage, ddof=1) / np.sqrt(len(coverage))
    assert expected >= 1 - alpha
    assert abs(mean - expected) < 3.5 * se, (mean, expected, se)


@pytest.mark.parametrize("make", [heteroscedastic, heavy_tailed])
def test_cv_plus_coverage_by_simulation(make):
    # CV+ guarantees 1 - 2 alpha (up to O(1/n)); it is expected near 1 - alpha
    alpha, n, n_test = 0.1, 100, 400
    coverage = []
    for seed in range(25):
        rng = np.random.default_rng(100 + seed)
        X, y = make(rng, n)
        X_test, y_test = make(rng, n_test)
        model = QuantileInterval(alpha=alpha, method="cv+",
                                 cv=KFold(5, shuffle=True, random_state=seed)).fit(X, y)
        coverage.append(model.score(X_test, y_test))
    mean, se = np.mean(coverage), np.std(coverage, ddof=1) / np.sqrt(len(coverage))
    assert mean >= 1 - 2 * alpha
    assert mean > 1 - alpha - 3.5 * se, (mean, se)


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


def expected_failed_checks(estimator):
    # these checks fit sparse data and then assert predict's shape is
    # (n_samples,); intervals are (n_samples, 2) by design (sparse input
    # itself fits and predicts: test_sparse_input)
    reason = "predict returns (n_samples, 2) intervals, the check expects (n_samples,)"
    return {"check_estimator_sparse_array": reason, "check_estimator_sparse_matrix": reason}


def test_sparse_input():
    import scipy.sparse as sp
    rng = np.random.default_rng(5)
    X, y = heteroscedastic(rng, 80)
    for method in ("split", "cv+"):
        dense = QuantileInterval(method=method, random_state=0).fit(X, y)
        sparse = QuantileInterval(method=method, random_state=0).fit(sp.csr_matrix(X), y)
        assert_allclose(sparse.predict(sp.csc_matrix(X)), dense.predict(X), rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([QuantileInterval(random_state=0),
                          QuantileInterval(method="cv+", cv=3)],
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
