"""MultiTaskLasso and MultiTaskElasticNet against scikit-learn's."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from sklreg import MultiTaskElasticNet, MultiTaskLasso


def problem(n=150, p=40, tasks=3, offset=0.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X[:, :5] @ rng.standard_normal((5, tasks)) + 0.5 * rng.standard_normal((n, tasks))
    return X + offset, Y + 2.0, rng.uniform(0.2, 2.0, n)


def objective(model, X, Y, alpha, l1_ratio, s=None):
    s = np.ones(len(Y)) if s is None else s
    R = Y - model.predict(X)
    W = model.coef_.astype(np.float64)
    return (float(np.sum(s[:, None] * R * R)) / (2 * s.sum())
            + alpha * l1_ratio * np.linalg.norm(W, axis=0).sum()
            + alpha * (1 - l1_ratio) / 2 * np.sum(W * W))


def reference(X, Y, alpha, l1_ratio, s=None, fit_intercept=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**5,
                                      fit_intercept=fit_intercept).fit(X, Y, sample_weight=s)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6, 0.0])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_certified_and_at_the_reference_optimum(l1_ratio, weights, sparse, fit_intercept):
    X, Y, s = problem()
    s = s if weights else None
    alpha = 0.2
    ref = reference(X, Y, alpha, l1_ratio, s, fit_intercept)
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10,
                              fit_intercept=fit_intercept).fit(
        sp.csc_matrix(X) if sparse else X, Y, sample_weight=s)
    ours, best = objective(est, X, Y, alpha, l1_ratio, s), objective(ref, X, Y, alpha, l1_ratio, s)
    assert ours - best <= est.dual_gap_ + 1e-12 * best     # the certificate holds
    assert est.dual_gap_ <= est.eps_
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-6)
    assert est.coef_.shape == (Y.shape[1], X.shape[1])


@pytest.mark.parametrize("tol", [1e-4, 1e-8])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_at_least_as_accurate_as_scikit_learn_at_the_same_tol(tol, l1_ratio):
    X, Y, _ = problem(offset=3.0)
    ref = reference(X, Y, 0.1, l1_ratio)
    ours = MultiTaskElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=tol).fit(X, Y)
    theirs = sk.MultiTaskElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=tol).fit(X, Y)
    # the reference itself is within ~1e-9 of the optimum
    slack = 1e-8 * np.abs(ref.coef_).max()
    assert np.abs(ours.coef_ - ref.coef_).max() <= np.abs(theirs.coef_ - ref.coef_).max() + slack


def test_lasso_is_elastic_net_at_l1_ratio_one_and_selects_rows():
    X, Y, _ = problem()
    lasso = MultiTaskLasso(alpha=0.3, tol=1e-10).fit(X, Y)
    enet = MultiTaskElasticNet(alpha=0.3, l1_ratio=1.0, tol=1e-10).fit(X, Y)
    np.testing.assert_array_equal(lasso.coef_, enet.coef_)
    support = np.linalg.norm(lasso.coef_, axis=0) > 0
    assert support[:5].all() and support.sum() < X.shape[1]
    # every task has the same support: whole columns of coef_ are zero
    assert np.array_equal(lasso.coef_ != 0, np.broadcast_to(support, lasso.coef_.shape))


def test_column_with_a_large_mean_keeps_its_coefficient():
    X, Y, _ = problem(offset=0.0)
    shifted = X.copy()
    shifted[:, 0] += 1e8
    centred = MultiTaskLasso(alpha=0.05, tol=1e-10).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        moved = MultiTaskLasso(alpha=0.05, tol=1e-10).fit(shifted, Y)
    np.testing.assert_allclose(moved.coef_, centred.coef_, atol=1e-6)


def test_float32_warm_start_and_wrong_y():
    X, Y, _ = problem()
    est = MultiTaskLasso(alpha=0.1).fit(X.astype(np.float32), Y)
    assert est.coef_.dtype == np.float32 and est.intercept_.dtype == np.float32
    warm = MultiTaskLasso(alpha=0.1, warm_start=True, tol=1e-10).fit(X, Y)
    passes = warm.n_iter_
    warm.set_params(alpha=0.09).fit(X, Y)
    cold = MultiTaskLasso(alpha=0.09, tol=1e-10).fit(X, Y)
    assert warm.n_iter_ <= cold.n_iter_ and passes > 0
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-6)
    with pytest.raises(ValueError, match="mono-task"):
        MultiTaskLasso().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="alpha"):
        MultiTaskLasso(alpha=-1).fit(X, Y)


def test_callers_arrays_unchanged():
    X, Y, s = problem()
    copies = X.copy(), Y.copy(), s.copy()
    MultiTaskElasticNet(alpha=0.1).fit(X, Y, sample_weight=s)
    for before, after in zip(copies, (X, Y, s)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_with_several_targets_is_scikit_learns_multi_task_path(l1_ratio):
    from sklearn.linear_model import enet_path as sk_enet_path
    from sklreg import enet_path
    X, Y, _ = problem(100, 20, tasks=4)
    ref_alphas, ref_coefs, _ = sk_enet_path(X, Y, l1_ratio=l1_ratio, alphas=8, tol=1e-13,
                                            max_iter=10**5)
    alphas, coefs, gaps, n_iters = enet_path(X, Y, l1_ratio=l1_ratio, alphas=8, tol=1e-10,
                                             return_n_iter=True)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    assert coefs.shape == (4, 20, 8) and gaps.shape == (8,) and len(n_iters) == 8
    np.testing.assert_allclose(coefs, ref_coefs, atol=1e-7)
    # each point is the fit at that alpha
    fit = MultiTaskElasticNet(alpha=alphas[3], l1_ratio=l1_ratio, fit_intercept=False,
                              tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(coefs[..., 3], fit.coef_, atol=1e-7)
    with pytest.raises(ValueError, match="positive"):
        enet_path(X, Y, positive=True)


@pytest.mark.parametrize("sparse", [False, True])
def test_without_intercept_offset_and_constant_columns_are_features(sparse):
    # without an intercept a column's mean is part of its effect: the step
    # size is its plain sum of squares (a centred one diverged), and a
    # constant column is a feature like any other
    X, Y, s = problem()
    X[:, 1] = 2.0
    X[:, 2:6] += 1.5
    ref = reference(X, Y, 0.1, 0.7, s, fit_intercept=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.7, tol=1e-10, fit_intercept=False).fit(
            sp.csc_matrix(X) if sparse else X, Y, sample_weight=s)
    assert np.abs(est.coef_[:, 1]).max() > 0.1
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    assert objective(est, X, Y, 0.1, 0.7, s) - objective(ref, X, Y, 0.1, 0.7, s) <= est.dual_gap_ + 1e-12
