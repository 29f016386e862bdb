"""Fits, paths and CV on Dask data equal the in-memory ones (issue #27).

Every test runs on a real ``dask.distributed.LocalCluster`` started here;
the data are generated per chunk from a seed, and the in-memory reference
is computed from the same blocks.
"""
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import PredefinedSplit

from tests.conftest import isolated_env
from sklreg import ElasticNet, Lasso, Ridge, regularization_path

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


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


@pytest.mark.parametrize("dtype, weighted", [(np.float64, True), (np.float32, False)])
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
    assert P - P_star <= gap + rounding         # P_star >= the optimum
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
    best = objective(exact, X, y, None)
    excess = objective(loose, X, y, None) - best
    rounding = 1e-12 * best
    assert -exact.dual_gap_ - rounding <= excess <= loose.dual_gap_ + rounding


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
    # each path is certified at tol, not equal to the other's rounding: in
    # memory, n >> p runs its passes on the normal equations, far past tol
    scale = np.abs(in_memory.coefs).max()
    np.testing.assert_allclose(on_dask.coefs, in_memory.coefs, rtol=1e-4, atol=1e-4 * scale)
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
    with pytest.raises(TypeError, match="QuantileRegressorCV does not fit Dask data"):
        from sklreg import QuantileRegressorCV
        QuantileRegressorCV().fit(Xd, yd)
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


BLOCKS_READ = []     # the workers are threads of this process: they append here


def _counted_block(i, rows, p):
    BLOCKS_READ.append(i)
    rng = np.random.default_rng([7, i])
    X = rng.standard_normal((rows, p)) + 2.0
    return np.column_stack([X, X[:, :3] @ [1.0, -2.0, 0.5] + rng.standard_normal(rows)])


def counted_blocks(n_blocks=5, rows=600, p=8):
    """X and y generated block by block by a function that records each
    call, to count passes over X."""
    import dask

    parts = [da.from_delayed(dask.delayed(_counted_block, pure=True)(i, rows, p),
                             (rows, p + 1), np.float64) for i in range(n_blocks)]
    Z = da.concatenate(parts)
    return Z[:, :p], Z[:, p]


def test_one_pass_over_the_data(client):
    from sklreg import LassoCV
    X, y = counted_blocks()
    calls = BLOCKS_READ
    del calls[:]
    Lasso(alpha=0.01).fit(X, y)
    assert sorted(calls) == list(range(5))
    del calls[:]
    model = LassoCV(cv=3).fit(X, y)
    assert sorted(calls) == list(range(5))
    model.path_, model.coef_at(0.5 * (model.alphas_[3] + model.alphas_[4]))
    assert len(calls) == 5          # the path and new alphas come from the moments


@pytest.mark.parametrize("cv_class, params", [("LassoCV", {}),
                                              ("ElasticNetCV", {"l1_ratio": [0.2, 0.9]})])
def test_cv_equals_in_memory_on_the_same_folds(client, cv_class, params):
    import sklreg

    Xd, yd, sd = make_dask(n=2500, p=10, offset=1.0)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    labels = da.random.RandomState(3).randint(1, 5, size=len(y), chunks=700)
    labels[:100] = -1                   # PredefinedSplit's "never tested"
    fold_ids = labels.compute()
    est = getattr(sklreg, cv_class)(tol=1e-8, **params)
    on_dask = est.fit(Xd, yd, sample_weight=sd, fold_ids=labels)
    ref = getattr(sklreg, cv_class)(tol=1e-8, **params).fit(X, y, sample_weight=s,
                                                             fold_ids=fold_ids)
    # the same grid point (the grids agree to rounding; neighbours are 7% apart)
    np.testing.assert_allclose([on_dask.alpha_, on_dask.alpha_1se_],
                               [ref.alpha_, ref.alpha_1se_], rtol=1e-10)
    np.testing.assert_allclose(on_dask.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(on_dask.mse_path_, ref.mse_path_, rtol=1e-7)
    assert on_dask.cv_results_.keys() == ref.cv_results_.keys()
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(on_dask.intercept_, ref.intercept_, rtol=1e-8)
    assert getattr(on_dask, "l1_ratio_", None) == getattr(ref, "l1_ratio_", None)
    alpha = on_dask.path_.alphas[7] * 0.97
    np.testing.assert_allclose(on_dask.path_.coefs, ref.path_.coefs, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(on_dask.coef_at(alpha)[0], ref.coef_at(alpha)[0],
                               rtol=1e-6, atol=1e-9)


def test_cv_hashed_folds_reproducible_in_memory(client):
    from sklreg import LassoCV
    from sklreg._dask._cv import hashed_fold_ids

    Xd, yd, _ = make_dask(n=3000, p=10, offset=0.0)
    X, y = Xd.compute(), yd.compute()
    fold_ids = hashed_fold_ids(Xd, cv=4).compute()
    assert set(np.bincount(fold_ids)) and np.bincount(fold_ids).min() > 600
    on_dask = LassoCV(cv=4).fit(Xd, yd)
    ref = LassoCV().fit(X, y, fold_ids=fold_ids)
    np.testing.assert_allclose(on_dask.alpha_, ref.alpha_, rtol=1e-10)
    # at the default tol each path point is certified to tol**1.5 * P(0)
    np.testing.assert_allclose(on_dask.mse_path_, ref.mse_path_, rtol=1e-3)
    assert LassoCV(cv=4).fit(Xd, yd).alpha_ == on_dask.alpha_   # the hash is seeded


def test_cv_on_a_dataframe(client):
    import pandas as pd
    from sklreg import LassoCV

    Xd, yd, _ = make_dask(n=2000, p=6, chunk=500)
    X, y = Xd.compute(), yd.compute()
    folds = np.arange(len(y)) % 3
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)]).assign(y=y, fold=folds)
    ddf = dd.from_pandas(frame, npartitions=3)
    on_dask = LassoCV(tol=1e-8).fit(ddf.iloc[:, :6], ddf["y"], fold_ids=ddf["fold"])
    ref = LassoCV(tol=1e-8).fit(frame.iloc[:, :6], y, fold_ids=folds)
    np.testing.assert_allclose(on_dask.alpha_, ref.alpha_, rtol=1e-10)
    assert list(on_dask.feature_names_in_) == list(ref.feature_names_in_)
    np.testing.assert_allclose(on_dask.predict(frame.iloc[:, :6]), ref.predict(frame.iloc[:, :6]),
                               rtol=1e-7)


def test_cv_wrong_input_is_named(client):
    from sklearn.model_selection import GroupKFold
    from sklreg import LassoCV, QuantileRegressorCV

    Xd, yd, _ = make_dask(n=600, p=4, chunk=200)
    with pytest.raises(ValueError, match="scoring is not available on Dask data"):
        LassoCV(scoring="r2").fit(Xd, yd)
    with pytest.raises(ValueError, match="GroupKFold.*fold_ids"):
        LassoCV(cv=GroupKFold(3)).fit(Xd, yd)
    with pytest.raises(TypeError, match="QuantileRegressorCV does not fit Dask data"):
        QuantileRegressorCV().fit(Xd, yd)
    with pytest.raises(ValueError, match="at least 2 folds"):
        LassoCV().fit(Xd, yd, fold_ids=da.zeros(600, chunks=200, dtype=int))


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_ridge_cv_equals_in_memory_on_the_same_folds(client, scoring):
    from sklreg import RidgeCV

    Xd, yd, sd = make_dask(n=2100, p=10)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    labels = da.random.RandomState(5).randint(0, 4, size=len(y), chunks=700)
    alphas = np.logspace(-1, 5, 13)[::-1][np.r_[3:13, 0:3]]      # any order
    on_dask = RidgeCV(alphas=alphas, scoring=scoring).fit(Xd, yd, sample_weight=sd,
                                                          fold_ids=labels)
    ref = RidgeCV(alphas=alphas, scoring=scoring).fit(X, y, sample_weight=s,
                                                      fold_ids=labels.compute())
    assert (on_dask.alpha_, on_dask.alpha_1se_) == (ref.alpha_, ref.alpha_1se_)
    np.testing.assert_allclose(on_dask.best_score_, ref.best_score_, rtol=1e-9)
    for key in ref.cv_results_:
        np.testing.assert_allclose(on_dask.cv_results_[key], ref.cv_results_[key],
                                   rtol=1e-8, err_msg=key)
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-8)
    np.testing.assert_allclose(on_dask.path_.coefs, ref.path_.coefs, rtol=1e-8, atol=1e-12)
    with pytest.raises(ValueError, match="leave-one-out needs each row's leverage"):
        RidgeCV().fit(Xd, yd)


def test_verbose_reports_the_pass(client, capsys):
    from sklreg import LassoCV

    Xd, yd, _ = make_dask(n=900, p=5, chunk=300)
    Lasso(alpha=0.1, verbose=1).fit(Xd, yd)
    assert "one pass over 3 blocks of Dask data: 900 rows, 5 features" in capsys.readouterr().out
    LassoCV(cv=3, verbose=1).fit(Xd, yd)
    assert "one pass over 3 blocks of Dask data: 900 rows, 3 folds" in capsys.readouterr().out


def test_predict_and_alpha_max_stay_on_the_cluster(client):
    import pandas as pd
    from sklreg import LassoCV, alpha_max

    Xd, yd, sd = make_dask(n=1500, p=5, chunk=500)
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    model = Lasso(alpha=0.05).fit(Xd, yd, sample_weight=sd)
    pred = model.predict(Xd)
    assert isinstance(pred, da.Array)
    np.testing.assert_allclose(pred.compute(), X @ model.coef_ + model.intercept_, rtol=1e-12)
    frame = pd.DataFrame(X, columns=list("abcde"))
    ddf = dd.from_pandas(frame, npartitions=3)
    framed = Lasso(alpha=0.05).fit(ddf, dd.from_pandas(pd.Series(y), npartitions=3))
    np.testing.assert_allclose(framed.predict(ddf).compute(), framed.predict(frame),
                               rtol=1e-12)
    np.testing.assert_allclose(alpha_max(LassoCV(), Xd, yd, sd), alpha_max(Lasso(), X, y, s),
                               rtol=1e-12)
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(Xd[:, :4])


@pytest.mark.parametrize("est", [Lasso(alpha=0.05, lower_bounds=-0.5, upper_bounds=1.5),
                                 ElasticNet(alpha=0.1, l1_ratio=0.3,
                                            lower_bounds=[0.0] + [-np.inf] * 11,
                                            upper_bounds=1.0)],
                         ids=["Lasso-box", "ElasticNet-half-open"])
def test_bounds_equal_in_memory(client, est):
    """Per-coefficient bounds: the reduced p x p problem carries them (its
    objective is the full one's plus a constant on any box)."""
    Xd, yd, sd = make_dask()
    X, y, s = (a.compute() for a in (Xd, yd, sd))
    fitted = clone(est).fit(Xd, yd, sample_weight=sd)
    exact = clone(est).set_params(tol=1e-12).fit(X, y, sample_weight=s)
    assert np.any(np.isin(fitted.coef_, [1.5, 1.0, -0.5]))       # a bound is active
    P, P_star = objective(fitted, X, y, s), objective(exact, X, y, s)
    assert P - P_star <= fitted.dual_gap_ + 1e-12 * P_star


def test_lasso_cv_with_bounds_equals_in_memory_on_the_same_folds(client):
    from sklreg import LassoCV
    from sklreg._dask._cv import hashed_fold_ids
    Xd, yd, _ = make_dask()
    folds = hashed_fold_ids(Xd, 3).compute()
    X, y = Xd.compute(), yd.compute()
    bounds = dict(lower_bounds=-0.5, upper_bounds=1.5)
    on_dask = LassoCV(cv=3, alphas=20, **bounds).fit(Xd, yd)
    in_memory = LassoCV(cv=PredefinedSplit(folds), alphas=20, **bounds).fit(X, y)
    assert on_dask.alpha_ == pytest.approx(in_memory.alpha_, rel=1e-12)
    np.testing.assert_allclose(on_dask.coef_, in_memory.coef_, atol=1e-5)
