"""The multi-task lasso and elastic net (and their CV) and LassoIC /
ElasticNetIC on Dask data equal the in-memory fits (issue #27): one pass of
moments of [X, Y], then the in-memory solvers on the reduced problem.

Every test runs on a real ``dask.distributed.LocalCluster`` (``client``);
the data are generated per chunk from a seed, and the in-memory reference
is fitted on the same blocks, computed.
"""
import numpy as np
import pytest

from sklreg import (ElasticNetIC, LassoIC, MultiTaskElasticNet, MultiTaskElasticNetCV,
                    MultiTaskLasso, MultiTaskLassoCV, QuantileRegressorIC,
                    regularization_path)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


def make_dask(n=3000, p=8, tasks=3, chunk=700, seed=0, dtype=np.float64):
    """X, Y (or y with ``tasks=None``), sample_weight as Dask arrays generated
    per chunk; half the features carry no signal, and the columns' means
    are non-zero."""
    rs = da.random.RandomState(seed)
    X = (rs.standard_normal((n, p), chunks=(chunk, p)) + 2.0).astype(dtype)
    B = np.random.default_rng(seed).standard_normal((p, tasks or 1))
    B[p // 2:] = 0.0
    Y = X.astype(np.float64) @ B + 2.0 * rs.standard_normal((n, tasks or 1), chunks=(chunk, -1))
    s = rs.uniform(0.0, 2.0, n, chunks=chunk)
    return dask.persist(X, Y if tasks else Y[:, 0], s)


def multitask_objective(est, X, Y, s):
    """scikit-learn's MultiTaskElasticNet objective at the fitted point."""
    W = np.asarray(est.coef_, dtype=np.float64)
    R = Y - X.astype(np.float64) @ W.T - np.asarray(est.intercept_, dtype=np.float64)
    s = np.ones(len(Y)) if s is None else s
    l1 = est.alpha * est.l1_ratio
    return (s @ (R ** 2).sum(axis=1) / (2 * s.sum()) + l1 * np.linalg.norm(W, axis=0).sum()
            + (est.alpha - l1) / 2 * (W ** 2).sum())


CASES = [(MultiTaskLasso(alpha=0.05), np.float64, True),
         (MultiTaskElasticNet(alpha=0.1, l1_ratio=0.6), np.float32, False),
         (MultiTaskLasso(alpha=0.05, fit_intercept=False), np.float64, False),
         (MultiTaskElasticNet(alpha=0.02, l1_ratio=0.9, fit_intercept=False), np.float32, True)]


@pytest.mark.parametrize("est, dtype, weighted", CASES,
                         ids=lambda c: repr(c) if not isinstance(c, (type, bool)) else str(c))
def test_multitask_equals_in_memory_within_the_certificate(client, est, dtype, weighted):
    Xd, Yd, sd = make_dask(dtype=dtype)
    X, Y, s = dask.compute(Xd, Yd, sd)
    if not weighted:
        sd = s = None
    fitted = est.__class__(**est.get_params()).fit(Xd, Yd, sample_weight=sd)
    exact = est.__class__(**{**est.get_params(), "tol": 1e-12}).fit(X, Y, sample_weight=s)
    assert fitted.coef_.shape == (Y.shape[1], X.shape[1]) and fitted.coef_.dtype == dtype
    assert fitted.intercept_.shape == (Y.shape[1],)
    P, P_star = (multitask_objective(e, X, Y, s) for e in (fitted, exact))
    rounding = (1e-12 if dtype == np.float64 else 1e-6) * P_star
    assert -exact.dual_gap_ - rounding <= P - P_star <= fitted.dual_gap_ + rounding
    # the same support, and the same coefficients at a tight tol
    tight = est.__class__(**{**est.get_params(), "tol": 1e-12}).fit(Xd, Yd, sample_weight=sd)
    np.testing.assert_allclose(tight.coef_, exact.coef_, rtol=1e-4 if dtype == np.float32
                               else 1e-7, atol=1e-6)
    np.testing.assert_allclose(tight.intercept_, exact.intercept_, rtol=1e-5, atol=1e-5)
    predicted = fitted.predict(X)        # in X's dtype in memory, float64 on Dask
    np.testing.assert_allclose(fitted.predict(Xd).compute(), predicted, rtol=1e-5,
                               atol=1e-5 * np.abs(predicted).max())


def test_multitask_certificate_covers_a_loose_fit(client):
    Xd, Yd, _ = make_dask(p=20)
    X, Y = dask.compute(Xd, Yd)
    loose = MultiTaskLasso(alpha=0.01, tol=1e-2).fit(Xd, Yd)
    exact = MultiTaskLasso(alpha=0.01, tol=1e-13).fit(X, Y)
    best = multitask_objective(exact, X, Y, None)
    excess = multitask_objective(loose, X, Y, None) - best
    assert excess > 0                  # a loose point, and its gap covers it
    assert excess <= loose.dual_gap_ + 1e-12 * best


def test_multitask_path_equals_in_memory(client):
    Xd, Yd, sd = make_dask()
    X, Y, s = dask.compute(Xd, Yd, sd)
    est = MultiTaskElasticNet(l1_ratio=0.7, tol=1e-10)
    on_dask = regularization_path(est, Xd, Yd, sample_weight=sd, alphas=12)
    in_memory = regularization_path(est, X, Y, sample_weight=s, alphas=12)
    np.testing.assert_allclose(on_dask.alphas, in_memory.alphas, rtol=1e-10)
    assert on_dask.coefs.shape == in_memory.coefs.shape
    np.testing.assert_allclose(on_dask.coefs, in_memory.coefs, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(on_dask.intercepts, in_memory.intercepts, rtol=1e-7)


@pytest.mark.parametrize("cv_class, params", [(MultiTaskLassoCV, {}),
                                              (MultiTaskElasticNetCV, {"l1_ratio": [0.3, 0.9]})],
                         ids=["MultiTaskLassoCV", "MultiTaskElasticNetCV"])
def test_multitask_cv_equals_in_memory_on_the_same_folds(client, cv_class, params):
    Xd, Yd, sd = make_dask(n=2500, p=10)
    X, Y, s = dask.compute(Xd, Yd, sd)
    labels = da.random.RandomState(3).randint(0, 4, size=len(Y), chunks=700)
    fold_ids = labels.compute()
    on_dask = cv_class(tol=1e-8, alphas=30, **params).fit(Xd, Yd, sample_weight=sd,
                                                          fold_ids=labels)
    ref = cv_class(tol=1e-8, alphas=30, **params).fit(X, Y, sample_weight=s, fold_ids=fold_ids)
    np.testing.assert_allclose([on_dask.alpha_, on_dask.alpha_1se_],
                               [ref.alpha_, ref.alpha_1se_], rtol=1e-10)
    assert getattr(on_dask, "l1_ratio_", None) == getattr(ref, "l1_ratio_", None)
    np.testing.assert_allclose(on_dask.mse_path_, ref.mse_path_, rtol=1e-7)
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(on_dask.intercept_, ref.intercept_, rtol=1e-8)


def test_multitask_wrong_target_is_named(client):
    Xd, Yd, _ = make_dask(n=1000, chunk=300)
    with pytest.raises(ValueError, match="For mono-task outputs, use Lasso"):
        MultiTaskLasso().fit(Xd, Yd[:, 0])
    with pytest.raises(ValueError, match="For mono-task outputs, use ElasticNet"):
        MultiTaskElasticNetCV().fit(Xd, Yd[:, 0])
    bad = Yd.copy()
    bad[650, 1] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN or infinity in block 2 \(rows 600"):
        MultiTaskLasso().fit(Xd, bad)


IC_CASES = [(LassoIC(), True), (LassoIC(criterion="bic", tol=1e-8, fit_intercept=False), False),
            (ElasticNetIC(l1_ratio=0.5), True), (ElasticNetIC(l1_ratio=0.3, positive=True), True),
            (LassoIC(noise_variance=3.0), False)]


@pytest.mark.parametrize("est, weighted", IC_CASES, ids=lambda c: repr(c))
def test_information_criterion_equals_in_memory(client, est, weighted):
    Xd, yd, sd = make_dask(p=10, tasks=None)
    X, y, s = dask.compute(Xd, yd, sd)
    if not weighted:
        sd = s = None
    on_dask = est.__class__(**est.get_params()).fit(Xd, yd, sample_weight=sd)
    ref = est.__class__(**est.get_params()).fit(X, y, sample_weight=s)
    # the same grid point (grids agree to rounding, neighbours are 7% apart)
    assert on_dask.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    np.testing.assert_allclose(on_dask.alphas_, ref.alphas_, rtol=1e-10)
    assert on_dask.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-9)
    # the criterion is the in-memory one up to the paths' accuracy
    np.testing.assert_allclose(on_dask.criterion_, ref.criterion_, rtol=1e-6)
    np.testing.assert_allclose(on_dask.coef_, ref.coef_, rtol=1e-4, atol=1e-6)
    assert on_dask.n_features_in_ == X.shape[1]


def test_quantile_ic_is_refused_with_the_reason(client):
    Xd, yd, _ = make_dask(n=1000, chunk=300, tasks=None)
    with pytest.raises(TypeError, match="QuantileRegressorIC does not fit Dask data: its "
                                        "path would need a globbing"):
        QuantileRegressorIC().fit(Xd, yd)


BLOCKS_READ = []     # the workers are threads of this process: they append here


def _counted_block(i, rows, p, tasks):
    BLOCKS_READ.append(i)
    rng = np.random.default_rng([7, i])
    X = rng.standard_normal((rows, p)) + 2.0
    Y = X[:, :3] @ rng.standard_normal((3, tasks)) + rng.standard_normal((rows, tasks))
    return np.column_stack([X, Y])


@pytest.mark.parametrize("model", [MultiTaskLassoCV(cv=3), LassoIC(), ElasticNetIC()],
                         ids=lambda m: type(m).__name__)
def test_one_pass_over_the_data(client, model):
    n_blocks, rows, p = 5, 600, 8
    tasks = 2 if isinstance(model, MultiTaskLassoCV) else 1
    parts = [da.from_delayed(dask.delayed(_counted_block, pure=True)(i, rows, p, tasks),
                             (rows, p + tasks), np.float64) for i in range(n_blocks)]
    Z = da.concatenate(parts)
    del BLOCKS_READ[:]
    model.fit(Z[:, :p], Z[:, p:] if tasks > 1 else Z[:, p])
    assert sorted(BLOCKS_READ) == list(range(n_blocks))
