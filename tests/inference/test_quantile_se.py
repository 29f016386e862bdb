"""sklreg.summary for quantile regression.

References: R's quantreg ``summary.rq`` as printed for Engel's data (the
rank intervals and the nid standard errors at tau = 0.5, quoted in the
quantreg vignette and reproduced in public notes), and, for every method,
an independent computation written here from the published formulas
(Koenker 2005, sec. 3.4-3.5; quantreg's documentation of ``summary.rq``
and ``bandwidth.rq``) with its own exact linear programs (HiGHS), explicit
inverses and a bisection on the rank test.  statsmodels' QuantReg agrees
where its estimators coincide: the coefficients, the Hall-Sheather
bandwidth (Bofinger's at the median, where statsmodels' formula equals
quantreg's) and, for an intercept-only model, the Gaussian-kernel
covariance.
"""
import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from scipy.optimize import linprog

from sklreg import HuberRegressor, QuantileRegressor, summary
from sklreg.inference._quantile_se import bandwidth


@pytest.fixture(scope="module")
def engel():
    data = sm.datasets.engel.load_pandas().data
    return data[["income"]], data["foodexp"].to_numpy()


def lp_fit(Z, y, tau):
    """Exact quantile regression vertex of [Z] (no intercept added)."""
    n, k = Z.shape
    res = linprog(np.r_[np.zeros(k), np.full(n, tau), np.full(n, 1 - tau)],
                  A_eq=np.hstack([Z, np.eye(n), -np.eye(n)]), b_eq=y,
                  bounds=[(None, None)] * k + [(0, None)] * (2 * n), method="highs-ds")
    return res.x[:k]


def reference_bandwidth(tau, n, hall_sheather=True):
    x0 = stats.norm.ppf(tau)
    f0 = np.exp(-x0 ** 2 / 2) / np.sqrt(2 * np.pi)
    if hall_sheather:
        return (n ** (-1 / 3) * stats.norm.ppf(0.975) ** (2 / 3)
                * (1.5 * f0 ** 2 / (2 * x0 ** 2 + 1)) ** (1 / 3))
    return n ** (-0.2) * (4.5 * f0 ** 4 / (2 * x0 ** 2 + 1) ** 2) ** 0.2


def reference_cov(Z, y, tau, method, hall_sheather=True):
    """summary.rq's covariance, computed directly from its definition."""
    n, k = Z.shape
    beta = lp_fit(Z, y, tau)
    r = y - Z @ beta
    h = reference_bandwidth(tau, n, hall_sheather)
    while tau - h < 0 or tau + h > 1:
        h /= 2
    if method == "iid":
        h_count = max(k + 1, int(np.ceil(n * reference_bandwidth(tau, n, hall_sheather))))
        zeros = int(np.sum(np.abs(r) < 1e-8 * max(1, np.abs(y).max())))
        by_size = r[np.argsort(np.abs(r), kind="stable")]
        window = np.sort(by_size[zeros:zeros + h_count + 1])
        ranks = np.arange(zeros + 1, zeros + h_count + 2) / (n - k)
        slope = lp_fit(np.column_stack([np.ones(len(ranks)), ranks]), window, 0.5)[1]
        return tau * (1 - tau) * slope ** 2 * np.linalg.inv(Z.T @ Z)
    if method == "nid":
        dy = Z @ (lp_fit(Z, y, tau + h) - lp_fit(Z, y, tau - h))
        f = np.where(dy > 0, 2 * h / np.where(dy > 0, dy, 1.0), 0.0)
    else:
        iqr = np.subtract(*np.percentile(r, [75, 25]))
        width = (stats.norm.ppf(tau + h) - stats.norm.ppf(tau - h)) * min(np.std(r, ddof=1),
                                                                           iqr / 1.34)
        f = stats.norm.pdf(r / width) / width
    H_inv = np.linalg.inv(Z.T @ np.diag(f) @ Z)
    return tau * (1 - tau) * H_inv @ (Z.T @ Z) @ H_inv


def exact_model(X, y, tau, **kw):
    return QuantileRegressor(quantile=tau, alpha=0.0, solver="highs-ds").fit(X, y, **kw)


def test_engel_nid_reproduces_r_printed_output(engel):
    # R: summary(rq(foodexp ~ income, tau = .5, data = engel), se = "nid")
    #   (Intercept) 81.48225 19.25066  4.23270 0.00003
    #   income       0.56018  0.02828 19.81032 0.00000
    X, y = engel
    result = summary(exact_model(X, y, 0.5), X, y, se="nid")
    assert result.names == ["intercept", "income"]
    assert_allclose(result.params, [81.48225, 0.56018], atol=5e-6)
    assert_allclose(result.bse, [19.25066, 0.02828], atol=5e-6)
    assert_allclose(result.tvalues, [4.23270, 19.81032], atol=5e-6)
    assert_allclose(result.pvalues, [0.00003, 0.0], atol=5e-6)


def test_engel_rank_reproduces_r_printed_output(engel):
    # R: summary(rq(foodexp ~ income, tau = .5, data = engel)) (se = "rank",
    # alpha = 0.1, interpolated, Student critical values)
    #   (Intercept) 81.48225 53.25915 114.01156
    #   income       0.56018  0.48702   0.60199
    X, y = engel
    for model in (exact_model(X, y, 0.5), QuantileRegressor(alpha=0.0).fit(X, y)):
        result = summary(model, X, y, se="rank", level=0.9)
        assert_allclose(result.conf_int, [[53.25915, 114.01156], [0.48702, 0.60199]],
                        atol=5e-6)
        assert np.all(np.isnan(result.bse)) and result.cov_params is None


@pytest.mark.parametrize("tau", [0.25, 0.5, 0.9])
@pytest.mark.parametrize("method", ["iid", "nid", "ker"])
@pytest.mark.parametrize("rule", ["hall-sheather", "bofinger"])
def test_engel_covariances_match_the_formulas(engel, tau, method, rule):
    X, y = engel
    Z = np.column_stack([np.ones(len(y)), X.to_numpy()])
    expected = reference_cov(Z, y, tau, method, rule == "hall-sheather")
    result = summary(exact_model(X, y, tau), X, y, se=method, bandwidth=rule)
    assert_allclose(result.cov_params, expected, rtol=1e-9)
    q = stats.t.ppf(0.975, len(y) - 2)
    assert_allclose(result.conf_int, result.params[:, None] + np.outer(result.bse, [-q, q]))
    assert_allclose(result.pvalues, 2 * stats.t.sf(np.abs(result.tvalues), len(y) - 2))


def test_covariances_with_the_interior_point_fit(engel):
    # sklreg's own solver (not an exact vertex) gives the same nid errors
    # to the printed digits
    X, y = engel
    result = summary(QuantileRegressor(alpha=0.0, tol=1e-10).fit(X, y), X, y, se="nid")
    assert_allclose(result.bse, [19.25066, 0.02828], atol=5e-6)


def test_bandwidths_match_statsmodels():
    from statsmodels.regression.quantile_regression import bofinger, hall_sheather
    for n in (50, 235, 10_000):
        for tau in (0.05, 0.3, 0.5, 0.8):
            assert_allclose(bandwidth(tau, n, "hall-sheather"), hall_sheather(n, tau),
                            rtol=1e-12)
            assert_allclose(bandwidth(tau, n, "hall-sheather"), reference_bandwidth(tau, n))
            assert_allclose(bandwidth(tau, n, "bofinger"),
                            reference_bandwidth(tau, n, hall_sheather=False))
        # statsmodels' Bofinger formula takes the density at 2 Phi^-1(tau);
        # it equals quantreg's (density at Phi^-1(tau)) at the median only
        assert_allclose(bandwidth(0.5, n, "bofinger"), bofinger(n, 0.5), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Convergence cycle:statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_params_match_statsmodels_quantreg(engel):
    X, y = engel
    for tau in (0.25, 0.5, 0.75):
        ours = summary(QuantileRegressor(quantile=tau, alpha=0.0, tol=1e-10).fit(X, y),
                       X, y)
        theirs = sm.QuantReg(y, sm.add_constant(X.to_numpy())).fit(q=tau, p_tol=1e-10,
                                                                    max_iter=5000)
        assert_allclose(ours.params, theirs.params, rtol=1e-5)


def test_kernel_covariance_matches_statsmodels_for_a_location_model():
    # with only an intercept, Powell's sandwich is tau (1 - tau) / (n f(0)^2),
    # statsmodels' iid covariance with its Gaussian kernel, when both kernel
    # widths come from the interquartile range (heavy tails make it so)
    rng = np.random.default_rng(3)
    n = 401           # tau n not an integer: a unique quantile, which IRLS reaches
    y = rng.standard_t(2, n)
    X = np.ones((n, 1))
    for tau in (0.3, 0.5):
        model = QuantileRegressor(quantile=tau, alpha=0.0, fit_intercept=False,
                                  solver="highs-ds").fit(X, y)
        ours = summary(model, X, y, se="ker")
        theirs = sm.QuantReg(y, X).fit(q=tau, vcov="iid", kernel="gau",
                                                        bandwidth="hsheather", p_tol=1e-12,
                                                        max_iter=5000)
        assert_allclose(ours.params, theirs.params, rtol=1e-9)
        assert_allclose(ours.bse, theirs.bse, rtol=1e-9)


TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def reference_rank_bound(Z, y, tau, j, level, up):
    """The interpolated rank-test bound found by bisection on T(b), each
    T from an exact LP of the restricted problem."""
    n, k = Z.shape
    cutoff = stats.t.ppf(0.5 + level / 2, n - k)
    others = np.delete(Z, j, axis=1)
    scale = np.sqrt(tau * (1 - tau) / np.linalg.inv(Z.T @ Z)[j, j])

    def T(b):
        res = linprog(-(y - b * Z[:, j]), A_eq=others.T, b_eq=(1 - tau) * others.sum(0),
                      bounds=(0, 1), method="highs-ds", options=TIGHT)
        return Z[:, j] @ (res.x - (1 - tau)) / scale

    def first_change(lo, hi, accept):
        # the boundary between lo (accept(lo)) and hi (not accept(hi))
        for _ in range(48):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if accept(mid) else (lo, mid)
        return lo, hi

    beta = lp_fit(Z, y, tau)[j]
    sign = 1.0 if up else -1.0
    step = 1.0
    while abs(T(beta + sign * step)) < cutoff:
        step *= 2
    inside, outside = first_change(beta, beta + sign * step, lambda b: abs(T(b)) < cutoff)
    t_out = T(outside)
    t_in = T(inside)
    # start of the last accepted step: where T last changed before it
    same = lambda b: abs(T(b) - t_in) < 1e-9 * max(1, abs(t_in))   # noqa: E731
    region_start = beta if same(beta + sign * 1e-9 * max(1, abs(beta))) \
        else first_change(inside, beta, same)[1]
    return region_start + sign * abs(outside - region_start) * (cutoff - abs(t_in)) / abs(t_out - t_in)


@pytest.mark.parametrize("seed", [0, 1])
def test_rank_intervals_match_bisection_on_the_rank_test(seed):
    rng = np.random.default_rng(seed)
    n = 40
    X = rng.standard_normal((n, 2))
    y = X @ [1.0, -0.5] + rng.standard_t(3, n)
    Z = np.column_stack([np.ones(n), X])
    tau, level = 0.4, 0.9
    result = summary(exact_model(X, y, tau), X, y, se="rank", level=level)
    for j in range(3):
        lower = reference_rank_bound(Z, y, tau, j, level, up=False)
        upper = reference_rank_bound(Z, y, tau, j, level, up=True)
        assert_allclose(result.conf_int[j], [lower, upper], rtol=1e-7, atol=1e-9)


def test_rank_interval_of_a_location_model_is_the_sign_test_interval():
    # intercept only: T(b) counts the samples above b, the interval lies
    # between the order statistics where the sign test stops accepting
    rng = np.random.default_rng(5)
    y = rng.standard_normal(41)
    X = np.ones((41, 1))
    model = QuantileRegressor(alpha=0.0, fit_intercept=False, solver="highs-ds").fit(X, y)
    result = summary(model, X, y, se="rank", level=0.9)
    lo, hi = result.conf_int[0]
    cutoff = stats.t.ppf(0.95, 40)
    above = lambda b: np.sum(y > b)   # noqa: E731
    stat = lambda b: (above(b) - 0.5 * 41) / np.sqrt(41 * 0.25)   # noqa: E731
    ys = np.sort(y)
    assert all(abs(stat(b)) < cutoff for b in ys if lo < b < hi)
    assert np.sum(ys < lo) >= 1 and np.sum(ys > hi) >= 1
    assert lo < np.median(y) < hi


def test_weights_scale_the_rows_as_in_quantreg(engel):
    X, y = engel
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    model = QuantileRegressor(alpha=0.0, solver="highs-ds").fit(X, y, sample_weight=w)
    Zw = np.column_stack([np.ones(len(y)), X.to_numpy()]) * w[:, None]
    for method in ("nid", "ker"):
        result = summary(model, X, y, se=method, sample_weight=w)
        assert_allclose(result.cov_params, reference_cov(Zw, y * w, 0.5, method), rtol=1e-8)
    # equal weights change nothing; zero weights drop the row
    plain = summary(exact_model(X, y, 0.5), X, y, se="iid")
    assert_allclose(summary(exact_model(X, y, 0.5), X, y, se="iid",
                            sample_weight=np.full(len(y), 3.0)).bse, plain.bse)
    w0 = np.ones(len(y))
    w0[:10] = 0
    dropped = summary(exact_model(X[10:], y[10:], 0.5), X[10:], y[10:], se="nid")
    kept = summary(exact_model(X, y, 0.5, sample_weight=w0), X, y, se="nid", sample_weight=w0)
    assert_allclose(kept.bse, dropped.bse, rtol=1e-10)
    assert kept.nobs == len(y) - 10


def test_table_and_frame(engel):
    X, y = engel
    result = summary(exact_model(X, y, 0.5), X, y, se="nid")
    text = str(result)
    assert "intercept" in text and "income" in text and "nid" in text
    assert "19.2507" in text and "P>|t|" in text
    frame = result.to_frame()
    assert list(frame.index) == ["intercept", "income"]
    assert_allclose(frame["std err"], result.bse)
    assert_allclose(frame[["0.025", "0.975"]], result.conf_int)
    # names without feature names, no intercept
    Xa = X.to_numpy()
    model = QuantileRegressor(alpha=0.0, fit_intercept=False).fit(Xa, y)
    assert summary(model, Xa, y).names == ["x0"]


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_bad_input(engel):
    X, y = engel
    model = exact_model(X, y, 0.5)
    with pytest.raises(ValueError, match="se must be one of"):
        summary(model, X, y, se="hc0")
    with pytest.raises(ValueError, match="level"):
        summary(model, X, y, level=95)
    with pytest.raises(ValueError, match="bandwidth"):
        summary(model, X, y, bandwidth="silverman")
    with pytest.raises(ValueError, match="alpha=1.0 > 0.*shrinks"):
        summary(QuantileRegressor().fit(X, y), X, y, se="nid")
    with pytest.raises(ValueError, match="identically distributed"):
        summary(model, X, y, se="iid", sample_weight=np.arange(1, len(y) + 1))
    with pytest.raises(TypeError, match="QuantileRegressor or HuberRegressor"):
        from sklearn.linear_model import QuantileRegressor as SkQR
        summary(SkQR(alpha=0).fit(X, y), X, y)
    with pytest.raises(ValueError, match="features"):
        summary(model, np.c_[X, X], y)
    with pytest.raises(ValueError, match="wild"):
        summary(HuberRegressor(alpha=0).fit(X, y), X, y, se="boot", bootstrap="wild")
    # too few samples: iid's window, and fewer samples than coefficients
    Xs, ys = X[:6], y[:6]
    with pytest.raises(ValueError, match="se='iid' needs more samples"):
        summary(exact_model(Xs, ys, 0.5), Xs, ys, se="iid")
    with pytest.raises(ValueError, match="more samples than coefficients"):
        summary(exact_model(X[:2], y[:2], 0.5), X[:2], y[:2], se="nid")
    with pytest.raises(ValueError, match="one target"):
        two = QuantileRegressor(alpha=0).fit(X, np.c_[y, y])
        summary(two, X, np.c_[y, y])


def test_nid_with_identical_fits_at_tau_pm_h_is_an_error():
    # three samples, two coefficients: the fits at tau +- h interpolate the
    # same two samples, so every difference quotient is 0 / 0 (rounding
    # leaves ~1e-17, which must not read as a huge density); R's summary.rq
    # stops on a singular matrix here too
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 1))
    y = X[:, 0] + rng.standard_normal(3)
    model = exact_model(X, y, 0.3)
    with pytest.warns(UserWarning, match="cross at 3 of 3"):
        with pytest.raises(ValueError, match="too few samples with a positive density"):
            summary(model, X, y, se="nid")
