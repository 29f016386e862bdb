"""Multi-task penalty_factor (glmnet's penalty.factor) against cvxpy."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk

from sklreg import MultiTaskElasticNet, MultiTaskLasso, MultiTaskLassoCV, alpha_max

cp = pytest.importorskip("cvxpy")


def problem(n=60, p=12, tasks=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X[:, :4] @ rng.standard_normal((4, tasks)) + 0.5 * rng.standard_normal((n, tasks))
    factor = rng.uniform(0.5, 2.0, p)
    factor[[1, 7]] = 0.0                   # unpenalised rows
    return X + 1.0, Y + 3.0, rng.uniform(0.2, 2.0, n), factor


def objective(W, b, X, Y, s, alpha, l1_ratio, factor):
    R = Y - X @ W - b
    norms = np.linalg.norm(W, axis=1)
    return (float(np.sum(s[:, None] * R * R)) / (2 * s.sum())
            + alpha * np.sum(factor * (l1_ratio * norms + (1 - l1_ratio) / 2 * norms ** 2)))


def cvxpy_solve(X, Y, s, alpha, l1_ratio, factor):
    W = cp.Variable((X.shape[1], Y.shape[1]))
    b = cp.Variable((1, Y.shape[1]))
    R = Y - X @ W - np.ones((len(Y), 1)) @ b
    norms = cp.norm(W, 2, axis=1)
    cost = (cp.sum(cp.multiply(s[:, None], cp.square(R))) / (2 * s.sum())
            + alpha * (l1_ratio * factor @ norms
                       + (1 - l1_ratio) / 2 * cp.sum(cp.multiply(factor[:, None], cp.square(W)))))
    cp.Problem(cp.Minimize(cost)).solve(solver="CLARABEL", tol_gap_abs=1e-10,
                                        tol_gap_rel=1e-10, tol_feas=1e-10)
    return W.value, b.value.ravel()


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
def test_penalty_factor_reaches_cvxpys_optimum_within_its_certificate(l1_ratio, sparse,
                                                                       weights):
    X, Y, s, factor = problem()
    s = s if weights else np.ones(len(Y))
    alpha = 0.3
    W_ref, b_ref = cvxpy_solve(X, Y, s, alpha, l1_ratio, factor)
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, penalty_factor=factor,
                              tol=1e-10).fit(sp.csc_matrix(X) if sparse else X, Y,
                                             sample_weight=s if weights else None)
    ours = objective(est.coef_.T, est.intercept_, X, Y, s, alpha, l1_ratio, factor)
    best = objective(W_ref, b_ref, X, Y, s, alpha, l1_ratio, factor)
    assert est.dual_gap_ <= est.eps_
    assert ours - best <= est.dual_gap_ + 1e-9 * best       # the certificate holds
    np.testing.assert_allclose(est.coef_.T, W_ref, atol=1e-4)
    assert np.all(np.linalg.norm(est.coef_[:, [1, 7]], axis=0) > 0)


def test_alpha_max_zeroes_the_penalised_rows_and_fits_the_others():
    X, Y, _, factor = problem()
    top = alpha_max(MultiTaskLasso(penalty_factor=factor), X, Y)
    at = MultiTaskLasso(alpha=top, penalty_factor=factor, tol=1e-12).fit(X, Y)
    penalised = factor > 0
    assert not np.any(at.coef_[:, penalised])
    # the unpenalised rows are the least-squares fit on their columns
    Xu = X[:, ~penalised] - X[:, ~penalised].mean(axis=0)
    lstsq = np.linalg.lstsq(Xu, Y - Y.mean(axis=0), rcond=None)[0]
    np.testing.assert_allclose(at.coef_[:, ~penalised], lstsq.T, atol=1e-8)
    below = MultiTaskLasso(alpha=0.95 * top, penalty_factor=factor, tol=1e-12).fit(X, Y)
    assert np.any(below.coef_[:, penalised])


def test_unit_factors_are_scikit_learns_objective_and_cv_takes_them():
    X, Y, _, factor = problem()
    ones = MultiTaskLasso(alpha=0.2, penalty_factor=np.ones(X.shape[1]), tol=1e-10).fit(X, Y)
    ref = sk.MultiTaskLasso(alpha=0.2, tol=1e-12, max_iter=10**5).fit(X, Y)
    np.testing.assert_allclose(ones.coef_, ref.coef_, atol=1e-6)
    cv = MultiTaskLassoCV(penalty_factor=factor, cv=3, alphas=10).fit(X, Y)
    assert np.all(np.linalg.norm(cv.coef_[:, [1, 7]], axis=0) > 0)
    with pytest.raises(ValueError, match="penalty_factor"):
        MultiTaskLasso(penalty_factor=np.ones(3)).fit(X, Y)
    with pytest.raises(ValueError, match="penalty_factor"):
        MultiTaskLasso(penalty_factor=-factor).fit(X, Y)
