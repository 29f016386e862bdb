"""Huber's loss at a fixed scale through the generic coordinate-descent
kernel (the datafit interface of sklreg._core._datafits), against cvxpy."""
import numpy as np
import pytest
import scipy.sparse as sp

from sklreg._core._cd import cd_epochs
from sklreg._core._design import Design
from sklreg._core._huber_datafit import HuberFixedScale
from sklreg._core._penalties import L1L2

cp = pytest.importorskip("cvxpy")


def _data(n, p, sparse, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    if sparse:
        X[rng.random((n, p)) < 0.6] = 0.0
    w = np.zeros(p)
    w[:5] = [2.0, -1.5, 1.0, 0.5, -3.0]
    y = X @ w + 1.0 + 0.3 * rng.standard_normal(n)
    y[rng.choice(n, n // 10, replace=False)] += 20 * rng.standard_normal(n // 10)  # outliers
    X = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    return X, y


def _cvxpy(X, y, s, scale, epsilon, l1, l2, fit_intercept):
    Xd = X.toarray() if sp.issparse(X) else X
    n, p = Xd.shape
    w, b = cp.Variable(p), cp.Variable()
    r = y - Xd @ w - (b if fit_intercept else 0.0)
    objective = (scale * cp.sum(cp.multiply(s, cp.huber(r / scale, epsilon))) / s.sum()
                 + l1 @ cp.abs(w) + 0.5 * l2 @ cp.square(w))
    problem = cp.Problem(cp.Minimize(objective))
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return problem.value, w.value


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_huber_at_a_fixed_scale_reaches_cvxpys_optimum_through_the_cd_kernel(
        sparse, weights, l1_ratio):
    n, p, scale, epsilon = 120, 30, 0.8, 1.35
    X, y = _data(n, p, sparse)
    s = np.random.default_rng(1).uniform(0.2, 2.0, n) if weights else None
    datafit = HuberFixedScale(Design(X), y, s, scale, epsilon, True)
    v0 = datafit.full_gap(L1L2(np.ones(p), np.zeros(p)), np.zeros(p))[2]
    alpha = 0.05 * np.abs(v0).max()
    penalty = L1L2(np.full(p, alpha * l1_ratio), np.full(p, alpha * (1 - l1_ratio)))
    w = np.zeros(p)
    tol = 1e-10 * datafit.primal_at_zero
    epochs, gap, primal, _, _, _ = cd_epochs(datafit, penalty, w, np.arange(p, dtype=np.intc),
                                             100_000, tol, 10, 0, True)
    assert gap <= tol, (epochs, gap)
    sw = np.ones(n) if s is None else s
    best, w_ref = _cvxpy(X, y, sw, scale, epsilon, np.asarray(penalty.weights()[0]),
                         np.asarray(penalty.weights()[1]), True)
    # the certificate brackets cvxpy's optimum: primal - gap <= optimum <= primal
    assert primal - gap <= best + 1e-8 * abs(best)
    assert best <= primal + 1e-8 * abs(best)
    np.testing.assert_allclose(w, w_ref, atol=1e-5)
    # the gap is a certificate: at a point short of the optimum it is at
    # least the suboptimality
    datafit = HuberFixedScale(Design(X), y, s, scale, epsilon, True)
    w_early = np.zeros(p)
    _, gap_early, primal_early, _, _, _ = cd_epochs(
        datafit, penalty, w_early, np.arange(p, dtype=np.intc), 3, 0.0, 3, 0, False)
    assert primal_early - best <= gap_early * (1 + 1e-9)
    assert primal_early - best > 1e-6 * abs(best)      # really short of it


def test_huber_gap_without_intercept_and_unpenalised_feature():
    X, y = _data(80, 10, False, seed=2)
    datafit = HuberFixedScale(Design(X), y, None, 1.0, 1.35, False)
    penalty = L1L2(np.full(10, 0.1), np.zeros(10))
    w = np.zeros(10)
    _, gap, primal, _, _, _ = cd_epochs(datafit, penalty, w, np.arange(10, dtype=np.intc),
                                        100_000, 1e-12, 10, 0, True)
    best, w_ref = _cvxpy(X, y, np.ones(80), 1.0, 1.35, np.full(10, 0.1), np.zeros(10), False)
    assert primal - gap <= best + 1e-8 * abs(best) and best <= primal + 1e-8 * abs(best)
    # a feature without penalty: no dual point by scaling, so no certificate
    free = L1L2(np.r_[0.0, np.full(9, 0.1)], np.zeros(10))
    assert datafit.full_gap(free, w)[0] == np.inf


@pytest.mark.parametrize("epsilon", [1.35, 3.0, 1e200])
@pytest.mark.parametrize("weights", [False, True])
def test_fixed_scale_datafit_and_joint_scan_share_one_huber_function(epsilon, weights):
    """The fixed-scale datafit (value, gradient) and the joint-scale scan
    (its fit) are the same Huber function, against a NumPy reference
    written from scikit-learn's definition (at eps = 1e200, eps**2
    overflows: the value must not)."""
    from sklreg._core._losses import Huber

    rng = np.random.default_rng(3)
    n, p, sigma = 60, 4, 0.7
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = 3.0 * rng.standard_normal(n)                     # both sides of eps * sigma
    s = rng.uniform(0.5, 2.0, n) if weights else None
    unit = np.ones(n) if s is None else s
    z = y / sigma
    inside = np.abs(z) <= epsilon
    with np.errstate(over="ignore"):
        h = np.where(inside, z ** 2, epsilon * (2 * np.abs(z) - epsilon))
    psi = np.where(inside, 2 * z, 2 * epsilon * np.sign(z))
    datafit = HuberFixedScale(Design(X), y, s, sigma, epsilon, False)
    _, value, v = datafit.full_gap(L1L2(np.ones(p), np.zeros(p)), np.zeros(p))
    np.testing.assert_allclose(value, sigma * unit @ h / unit.sum(), rtol=1e-13)
    np.testing.assert_allclose(v, X.T @ (unit * psi) / unit.sum(), rtol=1e-12)
    loss = Huber(epsilon, sigma)
    fit, d_scale, _, _, _ = loss.scan(y, s, np.empty(n), np.empty(n))
    np.testing.assert_allclose(fit, sigma * unit.sum() + sigma * unit @ h, rtol=1e-13)
    # d/dsigma of sigma (1 + H(r / sigma)) is 1 + H(z) - z psi(z)
    np.testing.assert_allclose(d_scale, unit @ (1 + h - z * psi), rtol=1e-12)
    assert np.isfinite(loss.theta_energy)
