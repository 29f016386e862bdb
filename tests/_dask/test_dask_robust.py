"""HuberRegressor and QuantileRegressor on Dask data equal the in-memory fits
(issue #27): Huber by Newton steps of one pass each, quantile by globbing.

Every test runs on a real ``dask.distributed.LocalCluster`` (``client``);
the data are generated per chunk from a seed (with gross outliers), and
the in-memory reference is fitted on the same blocks, computed.
"""
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklreg import HuberRegressor, QuantileRegressor, QuantileRegressorCV, regularization_path

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


def make_dask(n=3000, p=8, chunk=700, seed=0, dtype=np.float64):
    """X, y, sample_weight as Dask arrays generated per chunk: y linear in
    X with noise and 10% gross outliers; one column's mean dwarfs its spread
    and one column is constant."""
    rs = da.random.RandomState(seed)
    X = (rs.standard_normal((n, p), chunks=(chunk, p)) + 2.0).astype(dtype)
    X[:, 1] = X[:, 1] * 0.01 + 1e3
    X[:, 2] = 3.0
    beta = np.linspace(-2.0, 2.0, p)
    y = (X.astype(np.float64) @ beta + rs.standard_normal(n, chunks=chunk) + 1.0
         + 40.0 * (rs.uniform(0.0, 1.0, n, chunks=chunk) < 0.1))
    s = rs.uniform(0.0, 2.0, n, chunks=chunk)
    # generated on the workers, once: the fits' passes read the blocks there
    return dask.persist(X, y, s)


def huber_objective(est, X, y, s):
    """scikit-learn's HuberRegressor objective at the fitted point, with the
    fitted scale (DESIGN.md section 1)."""
    w = np.asarray(est.coef_, dtype=np.float64)
    sigma, eps = est.scale_, est.epsilon
    z = np.abs(y - X.astype(np.float64) @ w - float(est.intercept_)) / sigma
    H = np.where(z <= eps, z ** 2, 2 * eps * z - eps ** 2)
    s = np.ones_like(y) if s is None else s
    rho = est.l1_ratio
    return s @ (sigma + sigma * H) + est.alpha * (rho * np.abs(w).sum() + (1 - rho) * w @ w)


CASES = [dict(dtype=np.float64, weighted=True, params={}),
         dict(dtype=np.float32, weighted=False, params={}),
         dict(dtype=np.float64, weighted=False, params=dict(fit_intercept=False)),
         dict(dtype=np.float32, weighted=True, params=dict(epsilon=1.1, alpha=10.0)),
         # an L1 part and signs: proximal Newton steps, a pass each
         dict(dtype=np.float64, weighted=True, params=dict(l1_ratio=1.0, alpha=50.0)),
         dict(dtype=np.float32, weighted=False,
              params=dict(l1_ratio=0.5, alpha=100.0, positive=True))]


def many_chunks(monkeypatch):
    """Blocks read in chunks of 64 rows (the smallest): the sums of a pass
    merged within each block too."""
    import sklreg._dask._moments as moments
    monkeypatch.setattr(moments, "CHUNK_BYTES", 1)


@pytest.mark.parametrize("chunked", [False, True], ids=["one-chunk", "64-row-chunks"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['dtype'].__name__}"
                         f"-{'weighted' if c['weighted'] else 'unit'}-{c['params']}")
def test_huber_equals_in_memory_within_the_certificate(client, monkeypatch, case, chunked):
    if chunked:
        many_chunks(monkeypatch)
    Xd, yd, sd = make_dask(dtype=case["dtype"])
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    if not case["weighted"]:
        sd = s = None
    fitted = HuberRegressor(**case["params"]).fit(Xd, yd, sample_weight=sd)
    with warnings.catch_warnings():
        # in memory, an L1 part's solver stops short of tol=1e-12: its own
        # gap, checked below, says how close the reference is
        warnings.simplefilter("ignore", ConvergenceWarning)
        exact = HuberRegressor(**case["params"], tol=1e-12, max_iter=2000).fit(
            X, y, sample_weight=s)
    assert fitted.coef_.dtype == case["dtype"]
    assert fitted.n_features_in_ == X.shape[1]
    gap = fitted.dual_gap_
    P, P_star = huber_objective(fitted, X, y, s), huber_objective(exact, X, y, s)
    rounding = 1e-12 * P_star if case["dtype"] == np.float64 else 1e-6 * P_star
    assert exact.dual_gap_ <= 1e-10 * P_star
    # P(0): the objective at w = 0, with the best intercept and scale
    null = HuberRegressor(alpha=0.0, tol=1e-12, fit_intercept=case["params"].get(
        "fit_intercept", True)).fit(np.zeros((y.size, 1)), y, sample_weight=s)
    null.alpha = fitted.alpha
    assert 0 <= gap <= fitted.tol * huber_objective(null, np.zeros((y.size, 1)), y, s)
    assert P - P_star <= gap + rounding         # the certificate bounds the excess
    np.testing.assert_allclose(fitted.scale_, exact.scale_, rtol=1e-5)
    if case["params"].get("fit_intercept", True):
        # (without one, the constant column and the one of mean 1e3 are
        # nearly collinear: the objective is flat along their difference)
        np.testing.assert_allclose(fitted.coef_, exact.coef_, rtol=1e-6 if case["dtype"]
                                   == np.float64 else 1e-4, atol=1e-6)
        np.testing.assert_allclose(fitted.intercept_, exact.intercept_, rtol=1e-5, atol=1e-4)
    # outliers_ stays on the cluster, block by block
    assert isinstance(fitted.outliers_, da.Array)
    np.testing.assert_array_equal(fitted.outliers_.compute(), exact.outliers_)


def test_huber_certificate_covers_a_loose_fit(client):
    """A loose tol stops early; the reported gap must still bound the
    distance to the optimum."""
    Xd, yd, _ = make_dask(p=5)
    X, y = Xd.compute(), yd.compute()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)     # stopped on max_iter
        loose = HuberRegressor(tol=1e-1, max_iter=3).fit(Xd, yd)
    exact = HuberRegressor(tol=1e-12, max_iter=500).fit(X, y)
    excess = huber_objective(loose, X, y, None) - huber_objective(exact, X, y, None)
    assert excess <= loose.dual_gap_ + 1e-10 * huber_objective(exact, X, y, None)


def test_huber_dataframe_input_equals_array_input(client):
    import pandas as pd

    Xd, yd, sd = make_dask(chunk=1000)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    names = [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names).assign(target=y, weight=s)
    ddf = dd.from_pandas(frame, npartitions=4)
    fitted = HuberRegressor(alpha=1.0).fit(ddf[names], ddf["target"],
                                           sample_weight=ddf["weight"])
    exact = HuberRegressor(alpha=1.0, tol=1e-12).fit(frame[names], y, sample_weight=s)
    np.testing.assert_allclose(fitted.coef_, exact.coef_, rtol=1e-6, atol=1e-8)
    assert list(fitted.feature_names_in_) == names
    np.testing.assert_array_equal(fitted.outliers_.compute(), exact.outliers_)


def test_huber_passes_and_gap_reported(client, capsys):
    Xd, yd, _ = make_dask(n=1400, chunk=700)
    model = HuberRegressor(verbose=1).fit(Xd, yd)
    out = capsys.readouterr().out
    passes = [int(k) for k in re.findall(r"pass (\d+) over 2 blocks", out)]
    assert passes[0] == 1 and "moments of 1400 rows, 8 features" in out
    assert re.search(r"Newton step \d+, certificate [\d.e+-]+ \(target [\d.e+-]+\)", out)
    assert f"done after {model.n_iter_} Newton steps" in out
    # the Newton steps, a pass each, and a pass more for each damped one
    assert max(passes) <= 2 * model.n_iter_ + 2
    assert max(passes) <= 25
    capsys.readouterr()
    lasso_like = HuberRegressor(l1_ratio=1.0, alpha=30.0, verbose=1).fit(Xd, yd)
    passes = [int(k) for k in re.findall(r"pass (\d+) over 2 blocks", capsys.readouterr().out)]
    assert np.count_nonzero(lasso_like.coef_ == 0) >= 2       # zeros, exactly
    assert max(passes) <= 2 * lasso_like.n_iter_ + 2 and max(passes) <= 30


def test_huber_warm_start_from_the_optimum_takes_no_step(client):
    Xd, yd, _ = make_dask(n=1400, chunk=700)
    model = HuberRegressor(warm_start=True).fit(Xd, yd)
    first = model.coef_.copy()
    model.fit(Xd, yd)
    assert model.n_iter_ <= 1
    np.testing.assert_allclose(model.coef_, first, rtol=1e-7, atol=1e-9)


def test_huber_wrong_input_is_named(client):
    Xd, yd, _ = make_dask(n=1000, p=6, chunk=300)
    with pytest.raises(ValueError, match="takes no lower_bounds"):
        HuberRegressor(lower_bounds=-1.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="takes no upper_bounds.*projected steps"):
        HuberRegressor(upper_bounds=1.0).fit(Xd, yd)
    with pytest.raises(TypeError, match="HuberRegressor does not fit Dask data: its path "
                                        ".*use HuberRegressorCV"):
        regularization_path(HuberRegressor(), Xd, yd)
    with pytest.raises(TypeError, match="QuantileRegressorCV does not fit Dask data: a "
                                        "quantile fit's band of rows depends on its own"):
        QuantileRegressorCV(cv=3).fit(Xd, yd)
    with pytest.raises(ValueError, match="epsilon"):
        HuberRegressor(epsilon=0.5).fit(Xd, yd)
    bad = Xd.copy()
    bad[650, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity in block 2 \(rows 600 to 899\)"):
        HuberRegressor().fit(bad, yd)
    with pytest.raises(ValueError, match="chunked along its columns"):
        HuberRegressor().fit(Xd.rechunk((300, 3)), yd)
    with pytest.raises(ValueError, match="zero on every row"):
        HuberRegressor().fit(Xd, yd, sample_weight=0.0)
    with pytest.raises(TypeError, match="HuberRegressor does not fit Dask data"):
        regularization_path(HuberRegressor(), Xd, yd)
    unfitted = HuberRegressor()
    with pytest.raises(ValueError):
        unfitted.fit(Xd, yd[:-1])
    assert not hasattr(unfitted, "coef_")      # nothing half-fitted


def quantile_objective(est, X, y, s, tau):
    """QuantileRegressor's objective (DESIGN.md section 1) at the fitted point."""
    w = np.asarray(est.coef_, dtype=np.float64)
    r = y - X.astype(np.float64) @ w - float(est.intercept_)
    s = np.ones_like(y) if s is None else s
    rho = np.where(r > 0, tau * r, (tau - 1.0) * r)
    return s @ rho / s.sum() + est.alpha * (est.l1_ratio * np.abs(w).sum()
                                            + (1 - est.l1_ratio) / 2 * w @ w)


def quantile_at_zero(y, s, tau, fit_intercept):
    """P(0): the objective at w = 0 and the best intercept (a weighted
    tau-quantile of y, found by sorting)."""
    s = np.ones_like(y) if s is None else s
    b = 0.0
    if fit_intercept:
        order = np.argsort(y)
        b = y[order][np.searchsorted(np.cumsum(s[order]), tau * s.sum())]
    r = y - b
    return s @ np.where(r > 0, tau * r, (tau - 1.0) * r) / s.sum()


QUANTILE_CASES = [dict(dtype=np.float64, weighted=True, params=dict(quantile=0.5, alpha=0.01)),
                  dict(dtype=np.float32, weighted=False, params=dict(quantile=0.9, alpha=0.0)),
                  dict(dtype=np.float64, weighted=False,
                       params=dict(quantile=0.3, alpha=0.001, fit_intercept=False)),
                  dict(dtype=np.float64, weighted=True,
                       params=dict(quantile=0.7, alpha=0.01, l1_ratio=0.5))]


@pytest.mark.parametrize("case", QUANTILE_CASES, ids=lambda c: f"{c['dtype'].__name__}"
                         f"-{'weighted' if c['weighted'] else 'unit'}-{c['params']}")
def test_quantile_equals_in_memory_within_the_certificate(client, case):
    Xd, yd, sd = make_dask(n=6000, chunk=1500, dtype=case["dtype"])
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    if not case["weighted"]:
        sd = s = None
    tau = case["params"]["quantile"]
    fitted = QuantileRegressor(**case["params"]).fit(Xd, yd, sample_weight=sd)
    # the in-memory fit on the whole problem, with its exact finish
    exact = QuantileRegressor(**case["params"], tol=1e-12).fit(X, y, sample_weight=s)
    assert fitted.coef_.dtype == case["dtype"]
    P = quantile_objective(fitted, X, y, s, tau)
    P_star = quantile_objective(exact, X, y, s, tau)
    rounding = 1e-12 * P_star if case["dtype"] == np.float64 else 1e-6 * P_star
    assert exact.dual_gap_ <= 1e-10 * P_star
    P0 = quantile_at_zero(y, s, tau, case["params"].get("fit_intercept", True))
    assert 0 <= fitted.dual_gap_ <= fitted.tol * P0
    assert P - P_star <= fitted.dual_gap_ + rounding   # the certificate bounds the excess
    assert P_star - P <= exact.dual_gap_ + rounding


def test_quantile_in_a_few_passes_with_a_band_much_smaller_than_n(client, capsys):
    Xd, yd, _ = make_dask(n=20000, chunk=5000)
    QuantileRegressor(quantile=0.5, alpha=0.01, verbose=1).fit(Xd, yd)
    out = capsys.readouterr().out
    assert re.search(r"pass 1 over 4 blocks: a sample of \d+ of 20000 rows", out)
    bands = [int(k) for k in re.findall(r"a band of (\d+) rows gathered", out)]
    assert max(bands) < 20000 / 4
    # sample, band, check; a band and a check more when a few rows changed side
    passes = [int(k) for k in re.findall(r"pass (\d+) over", out)]
    assert max(passes) <= 5
    assert out.strip().endswith("0 globbed rows changed side")


def test_quantile_dataframe_input_equals_array_input(client):
    import pandas as pd

    Xd, yd, sd = make_dask(chunk=1000)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    names = [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names).assign(target=y, weight=s)
    ddf = dd.from_pandas(frame, npartitions=3)
    fitted = QuantileRegressor(quantile=0.4, alpha=0.01).fit(ddf[names], ddf["target"],
                                                            sample_weight=ddf["weight"])
    exact = QuantileRegressor(quantile=0.4, alpha=0.01, tol=1e-12).fit(
        frame[names], y, sample_weight=s)
    assert list(fitted.feature_names_in_) == names
    P = quantile_objective(fitted, X, y, s, 0.4)
    P_star = quantile_objective(exact, X, y, s, 0.4)
    assert -exact.dual_gap_ - 1e-12 * P_star <= P - P_star <= fitted.dual_gap_ + 1e-12 * P_star


def test_quantile_wrong_input_is_named(client):
    Xd, yd, _ = make_dask(n=1000, p=6, chunk=300)
    bad = Xd.copy()
    bad[650, 2] = np.inf
    with pytest.raises(ValueError, match=r"X contains NaN or infinity in block 2 \(rows 600 to 899\)"):
        QuantileRegressor().fit(bad, yd)
    with pytest.raises(ValueError, match="quantile"):
        QuantileRegressor(quantile=1.5).fit(Xd, yd)
    with pytest.raises(ValueError, match="l1_ratio"):
        QuantileRegressor(solver="highs", l1_ratio=0.5).fit(Xd, yd)
    with pytest.raises(ValueError, match="zero on every row"):
        QuantileRegressor().fit(Xd, yd, sample_weight=0.0)
    with pytest.raises(TypeError, match="QuantileRegressorCV does not fit Dask data"):
        QuantileRegressorCV().fit(Xd, yd)
    with pytest.raises(TypeError, match="QuantileRegressor does not fit Dask data"):
        regularization_path(QuantileRegressor(), Xd, yd)


@pytest.mark.parametrize("quantile", [0.5, 0.8])
def test_quantile_with_bounds_equals_in_memory(client, quantile):
    """Per-coefficient bounds: the band's problem is solved in memory with
    them, and its globbed objective stays below the full one on the same
    box, so the certificate holds as without bounds."""
    Xd, yd, sd = make_dask(n=6000, chunk=1500)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    bounds = dict(lower_bounds=np.full(8, -0.5), upper_bounds=np.r_[1.0, np.full(7, 1.5)])
    fitted = QuantileRegressor(quantile=quantile, alpha=0.01, **bounds).fit(
        Xd, yd, sample_weight=sd)
    exact = QuantileRegressor(quantile=quantile, alpha=0.01, tol=1e-10, **bounds).fit(
        X, y, sample_weight=s)

    def objective(est):
        r = y - X @ est.coef_ - est.intercept_
        return s @ np.where(r > 0, quantile * r, (quantile - 1) * r) / s.sum() + 0.01 * np.abs(
            est.coef_).sum()
    assert np.all(fitted.coef_ >= -0.5) and np.all(fitted.coef_ <= bounds["upper_bounds"])
    assert np.any(fitted.coef_ == 1.5) or np.any(fitted.coef_ == -0.5)    # a bound is active
    assert 0 <= objective(fitted) - objective(exact) <= fitted.dual_gap_ + 1e-12
