"""HuberRegressorCV on Dask data equals the in-memory one on the same folds
(issue #27): every fold's path in shared Newton passes, the test losses
(Huber at the robust scale of each fold's residuals) found exactly by
passes of bins and gathers.

Every test runs on a real ``dask.distributed.LocalCluster`` (``client``);
the data are generated per chunk from a seed, with gross outliers.
"""
import re

import numpy as np
import pytest

from sklreg import HuberRegressorCV, QuantileRegressorCV

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


def make_dask(n=3000, p=8, chunk=700, seed=0):
    """X, y, sample_weight and fold labels as Dask arrays generated per
    chunk: y linear in X with noise and 10% gross outliers, one column
    constant, three without signal."""
    rs = da.random.RandomState(seed)
    X = rs.standard_normal((n, p), chunks=(chunk, p)) + 2.0
    X[:, 2] = 3.0
    beta = np.linspace(-2.0, 2.0, p)
    beta[3:6] = 0.0
    y = (X @ beta + rs.standard_normal(n, chunks=chunk)
         + 40.0 * (rs.uniform(0.0, 1.0, n, chunks=chunk) < 0.1))
    s = rs.uniform(0.0, 2.0, n, chunks=chunk)
    labels = da.random.RandomState(seed + 3).randint(0, 4, size=n, chunks=chunk)
    return dask.persist(X, y, s, labels)


@pytest.mark.parametrize("params", [dict(alphas=8), dict(alphas=8, l1_ratio=1.0),
                                    dict(alphas=6, l1_ratio=0.5, fit_intercept=False)],
                         ids=["ridge", "lasso", "enet-no-intercept"])
@pytest.mark.parametrize("chunked", [False, True], ids=["one-chunk", "64-row-chunks"])
def test_huber_cv_equals_in_memory_on_the_same_folds(client, monkeypatch, params, chunked):
    if chunked:     # each fold's rows of a block in several chunks
        import sklreg._dask._moments as moments
        monkeypatch.setattr(moments, "CHUNK_BYTES", 1)
    Xd, yd, sd, labels = make_dask()
    X, y, s, fold_ids = dask.compute(Xd, yd, sd, labels)
    on_dask = HuberRegressorCV(**params).fit(Xd, yd, sample_weight=sd, fold_ids=labels)
    ref = HuberRegressorCV(**params).fit(X, y, sample_weight=s, fold_ids=fold_ids)
    # the same grid (from the same gradient at the null fit) and choice
    np.testing.assert_allclose(on_dask.alphas_, ref.alphas_, rtol=1e-8)
    np.testing.assert_allclose([on_dask.alpha_, on_dask.alpha_1se_],
                               [ref.alpha_, ref.alpha_1se_], rtol=1e-8)
    # each fold's fit is certified at tol, in memory and here: its test
    # loss moves with the fit's digits beyond that, not more
    np.testing.assert_allclose(on_dask.loss_path_, ref.loss_path_, rtol=1e-3)
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(on_dask.intercept_, ref.intercept_, rtol=1e-5, atol=1e-5)
    assert on_dask.scale_ == pytest.approx(ref.scale_, rel=1e-5)
    assert on_dask.cv_results_.keys() == ref.cv_results_.keys()
    np.testing.assert_array_equal(on_dask.outliers_.compute(), ref.outliers_)


def _dask_losses(client, Xd, yd, sd, labels, coefs, intercepts, epsilon):
    from sklreg._dask._data import DaskData
    from sklreg._dask._passes import Passes
    from sklreg._dask._robust_score import merge_scores, robust_losses, score_block

    data = DaskData(Xd, yd, sd)
    passes = Passes(data, HuberRegressorCV())
    per_block = data.fold_blocks(labels)
    tested = list(range(coefs.shape[0]))
    totals = [float(sd[labels == k].sum().compute()) for k in tested]

    def run(task):
        return passes.run(score_block, merge_scores, None, tested, coefs, intercepts, task,
                          indexed=True, per_block=per_block)
    return robust_losses(run, totals, coefs.shape[1], epsilon), passes.count


@pytest.mark.parametrize("case", ["continuous", "ties", "zero-mad"])
def test_robust_test_loss_equals_in_memory_exactly(client, case):
    """The test loss of given fits on each fold, from passes, against
    HuberRegressorCV._loss on the fold's rows in memory: the medians are
    exact, so the losses agree to rounding."""
    Xd, yd, sd, labels = make_dask(n=4000, chunk=900)
    rng = np.random.default_rng(1)
    coefs = rng.standard_normal((4, 5, 8))
    intercepts = rng.standard_normal((4, 5))
    if case == "ties":              # integer residuals: many equal values
        yd, coefs, intercepts = da.round(yd), np.round(coefs) * 0, np.round(intercepts)
    if case == "zero-mad":          # most residuals exactly zero
        yd = da.where(da.random.RandomState(2).uniform(size=yd.size, chunks=900) < 0.7,
                      0.0, yd)
        coefs[:, :3], intercepts[:, :3] = 0.0, 0.0
    losses, n_passes = _dask_losses(client, Xd, yd, sd, labels, coefs, intercepts, 1.35)
    X, y, s, fold_ids = dask.compute(Xd, yd, sd, labels)
    scorer = HuberRegressorCV()
    for k in range(4):
        test = fold_ids == k
        for a in range(5):
            expected = scorer._loss(y[test], X[test] @ coefs[k, a] + intercepts[k, a], s[test])
            assert losses[a, k] == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert n_passes <= 12


def test_huber_cv_shares_passes_between_folds(client, capsys):
    Xd, yd, _, labels = make_dask(n=1400)
    model = HuberRegressorCV(alphas=10, verbose=1).fit(Xd, yd, fold_ids=labels)
    out = capsys.readouterr().out
    passes = [int(k) for k in re.findall(r"\[HuberRegressorCV\] pass (\d+) over", out)]
    assert "alpha 10/10" in out and "test losses of 10 alphas x 4 folds" in out
    # the null fits and the first alpha from the least-squares start take
    # about as many passes as one HuberRegressor fit (16 here), each later
    # alpha a few (warm-started Newton steps): the 4 folds share them all,
    # and the test losses take about eight
    assert max(passes) <= 30 + 5 * 10 + 12
    assert model.alpha_ in model.alphas_


def test_huber_cv_hashed_folds_are_reproducible_in_memory(client):
    from sklreg._dask._folds import hashed_fold_ids

    Xd, yd, _, _ = make_dask(n=2100)
    on_dask = HuberRegressorCV(alphas=6, cv=3).fit(Xd, yd)
    fold_ids = hashed_fold_ids(Xd, 3).compute()
    ref = HuberRegressorCV(alphas=6).fit(Xd.compute(), yd.compute(), fold_ids=fold_ids)
    assert on_dask.alpha_ == pytest.approx(ref.alpha_, rel=1e-8)


def test_huber_cv_wrong_input_is_named(client):
    Xd, yd, _, labels = make_dask(n=1000, chunk=300)
    with pytest.raises(ValueError, match="scoring is not available on Dask data"):
        HuberRegressorCV(scoring="r2").fit(Xd, yd)
    with pytest.raises(ValueError, match="takes no lower_bounds"):
        HuberRegressorCV(lower_bounds=0.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="cv=.* is not available on Dask data"):
        HuberRegressorCV(cv=[(np.arange(10), np.arange(10, 20))]).fit(Xd, yd)
    with pytest.raises(TypeError, match="QuantileRegressorCV does not fit Dask data"):
        QuantileRegressorCV().fit(Xd, yd)
