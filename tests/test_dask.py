"""Fits, paths and CV on Dask data equal the in-memory ones (issue #27).

Every test runs on a real ``dask.distributed.LocalCluster`` started here;
the data are generated per chunk from a seed, and the in-memory reference
is computed from the same blocks.
"""
import subprocess
import sys

import numpy as np
import pytest

from conftest import isolated_env
from sklreg import ElasticNet, Lasso, Ridge, regularization_path

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def make_dask(n=3000, p=12, chunk=700, seed=0, dtype=np.float64, offset=5.0):
    """X, y, sample_weight as Dask arrays generated per chunk, y linear in a
    few columns plus noise; one column's mean dwarfs its spread."""
    rs = da.random.RandomState(seed)
    X = (rs.standard_normal((n, p), chunks=(chunk, p)) + offset).astype(dtype)
    X[:, 1] = X[:, 1] * 0.01 + 1e3
    beta = np.zeros(p)
    beta[:4] = [2.0, -1.0, 0.5, 3.0]
    y = X.astype(np.float64) @ beta + rs.standard_normal(n, chunks=chunk) + 1.0
    s = rs.uniform(0.0, 2.0, n, chunks=chunk)
    return X, y, s


def objective(est, X, y, s):
    """The estimator's objective (DESIGN.md section 1) at its fitted point."""
    w = np.asarray(est.coef_, dtype=np.float64)
    r = y - X.astype(np.float64) @ w - float(est.intercept_)
    s = np.ones_like(y) if s is None else s
    if isinstance(est, Ridge):
        return s @ r**2 + est.alpha * w @ w
    l1 = est.alpha * est.l1_ratio
    return (s @ r**2 / (2 * s.sum()) + l1 * np.abs(w).sum()
            + (est.alpha - l1) / 2 * w @ w)


ESTIMATORS = [Lasso(alpha=0.05), ElasticNet(alpha=0.1, l1_ratio=0.3), Ridge(alpha=30.0),
              Lasso(alpha=0.05, fit_intercept=False)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_fit_equals_in_memory_within_the_certificate(client, est, dtype, weighted):
    Xd, yd, sd = make_dask(dtype=dtype)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    if not weighted:
        sd = s = None
    fitted = est.__class__(**est.get_params()).fit(Xd, yd, sample_weight=sd)
    exact = est.__class__(**{**est.get_params(), "tol": 1e-12}).fit(X, y, sample_weight=s)
    assert fitted.coef_.dtype == dtype
    assert fitted.n_features_in_ == X.shape[1]
    gap = fitted.dual_gap_
    assert np.isfinite(gap) and gap >= 0
    # the reduced problem's gap bounds the full problem's suboptimality
    P, P_star = objective(fitted, X, y, s), objective(exact, X, y, s)
    rounding = 1e-12 * abs(P_star) if dtype == np.float64 else 1e-6 * abs(P_star)
    assert P - P_star <= gap + exact.dual_gap_ + rounding
    tight = est.__class__(**{**est.get_params(), "tol": 1e-12}).fit(Xd, yd, sample_weight=sd)
    np.testing.assert_allclose(tight.coef_, exact.coef_, rtol=1e-4 if dtype == np.float32
                               else 1e-6, atol=1e-6)
    np.testing.assert_allclose(tight.intercept_, exact.intercept_, rtol=1e-5, atol=1e-5)


def test_the_certificate_is_not_trivially_small(client):
    """A loose tol gives a loose point: the gap must still cover it."""
    Xd, yd, _ = make_dask(p=30)
    X, y = Xd.compute(), yd.compute()
    loose = Lasso(alpha=0.01, tol=1e-2).fit(Xd, yd)
    exact = Lasso(alpha=0.01, tol=1e-13).fit(X, y)
    excess = objective(loose, X, y, None) - objective(exact, X, y, None)
    assert 0 <= excess <= loose.dual_gap_ + exact.dual_gap_


def test_dataframe_input_equals_array_input(client):
    import pandas as pd

    Xd, yd, sd = make_dask(chunk=1000)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    names = [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names).assign(target=y, weight=s)
    ddf = dd.from_pandas(frame, npartitions=4)
    fitted = ElasticNet(alpha=0.1, tol=1e-12).fit(ddf[names], ddf["target"],
                                                   sample_weight=ddf["weight"])
    exact = ElasticNet(alpha=0.1, tol=1e-12).fit(frame[names], y, sample_weight=s)
    np.testing.assert_allclose(fitted.coef_, exact.coef_, rtol=1e-7, atol=1e-9)
    assert list(fitted.feature_names_in_) == names
    assert np.allclose(fitted.predict(frame[names]), exact.predict(frame[names]))


@pytest.mark.parametrize("est", [Lasso(), ElasticNet(l1_ratio=0.5), Ridge()],
                         ids=lambda e: type(e).__name__)
def test_path_equals_in_memory(client, est):
    Xd, yd, sd = make_dask()
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    on_dask = regularization_path(est, Xd, yd, sample_weight=sd, alphas=15)
    in_memory = regularization_path(est, X, y, sample_weight=s, alphas=15)
    np.testing.assert_allclose(on_dask.alphas, in_memory.alphas, rtol=1e-9)
    np.testing.assert_allclose(on_dask.coefs, in_memory.coefs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(on_dask.intercepts, in_memory.intercepts, rtol=1e-5)
    # a new alpha is solved from the kept moments, exactly as in memory
    alpha = 0.7 * on_dask.alphas[5] + 0.3 * on_dask.alphas[6]
    coef, intercept = on_dask.coef_at(alpha)
    ref_coef, ref_intercept = in_memory.coef_at(alpha)
    np.testing.assert_allclose(coef, ref_coef, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(intercept, ref_intercept, rtol=1e-5)


def test_numpy_y_beside_dask_X(client):
    Xd, yd, _ = make_dask()
    X, y = Xd.compute(), yd.compute()
    fitted = Lasso(alpha=0.1, tol=1e-12).fit(Xd, y)
    np.testing.assert_allclose(fitted.coef_, Lasso(alpha=0.1, tol=1e-12).fit(X, y).coef_,
                               rtol=1e-7, atol=1e-9)


def test_wrong_input_is_named(client):
    Xd, yd, _ = make_dask(n=1000, p=6, chunk=300)
    with pytest.raises(ValueError, match="chunked along its columns"):
        Lasso().fit(Xd.rechunk((300, 3)), yd)
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        Lasso().fit(Xd[Xd[:, 0] > 0], yd)
    bad = Xd.copy()
    bad[650, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity in block 2 \(rows 600 to 899\)"):
        Lasso().fit(bad, yd)
    with pytest.raises(ValueError, match="y has 999 entries but X has 1000 rows"):
        Lasso().fit(Xd, yd[:-1])
    with pytest.raises(ValueError, match=r"sample_weight has negative values in block \d"):
        Lasso().fit(Xd, yd, sample_weight=-da.ones(1000, chunks=300))
    with pytest.raises(ValueError, match="zero on every row"):
        Lasso().fit(Xd, yd, sample_weight=0.0)
    with pytest.raises(TypeError, match="HuberRegressor does not fit Dask data"):
        from sklreg import HuberRegressor
        HuberRegressor().fit(Xd, yd)
    with pytest.raises(ValueError, match="alpha"):
        Lasso(alpha=-1.0).fit(Xd, yd)


def test_too_many_features_for_the_gram_route():
    wide = da.zeros((10, 5000), chunks=(5, 5000))
    with pytest.raises(ValueError, match="5000 features.*at most 4096 features"):
        Lasso().fit(wide, da.zeros(10, chunks=5))


def test_import_sklreg_does_not_import_dask():
    code = ("import sys, sklreg, sklreg.linear_model, sklreg.path; "
            "assert not any(m == 'dask' or m.startswith('dask.') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, env=isolated_env())
