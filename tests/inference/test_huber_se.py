"""sklreg.summary for Huber regression: statsmodels' RLM where the models
coincide, the sandwich against numerical derivatives and by simulation."""
import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from sklreg import HuberRegressor, summary


def heteroscedastic(seed, n=300):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 2))
    noise = (0.5 + np.abs(X[:, 0])) * rng.standard_t(3, n)
    return X, 1.0 + X @ [2.0, -1.0] + noise


@pytest.mark.parametrize("epsilon", [1.35, 2.0])
def test_params_and_huber_covariances_match_statsmodels_rlm(epsilon):
    # The models coincide when RLM's scale is held at the one sklreg
    # estimated jointly: the same psi = clip(r / scale, -eps, eps) then
    # defines the coefficients, and H1-H3 are the same formulas.
    X, y = heteroscedastic(0)
    model = HuberRegressor(alpha=0.0, epsilon=epsilon, tol=1e-12, max_iter=1000).fit(X, y)
    rlm = sm.RLM(y, sm.add_constant(X), M=sm.robust.norms.HuberT(t=epsilon))
    for cov in ("H1", "H2", "H3"):
        reference = rlm.fit(start_scale=model.scale_, update_scale=False, cov=cov,
                            conv="coefs", tol=1e-13, maxiter=1000)
        result = summary(model, X, y, se=cov)
        assert_allclose(result.params, reference.params, rtol=1e-8)
        assert_allclose(result.bse, reference.bse, rtol=1e-7)
        assert_allclose(result.pvalues, reference.pvalues, rtol=1e-6, atol=1e-300)
        assert_allclose(result.conf_int, reference.conf_int(), rtol=1e-7)


def test_sklearn_scale_is_not_rlm_huber_scale():
    # documented difference: sklearn's joint scale solves
    # mean(min(z^2, eps^2)) = 1; RLM's Huber proposal 2 has a consistency
    # constant, so its scale (and the coefficients) differ
    X, y = heteroscedastic(1)
    model = HuberRegressor(alpha=0.0, tol=1e-12, max_iter=1000).fit(X, y)
    z = (y - model.predict(X)) / model.scale_
    assert_allclose(np.mean(np.minimum(z ** 2, 1.35 ** 2)), 1.0, rtol=1e-6)
    free = sm.RLM(y, sm.add_constant(X), M=sm.robust.norms.HuberT(t=1.35)).fit(
        scale_est=sm.robust.scale.HuberScale(d=1.35))
    assert abs(free.scale / model.scale_ - 1) > 0.05


def numerical_sandwich(X, y, s, beta, scale, epsilon):
    """A^-1 B A^-1 of the objective sum_i s_i (sigma + sigma H(r_i/sigma)),
    from central differences of the per-sample objective (piecewise
    quadratic: the differences are exact away from the kinks |z| = eps)."""
    Z = np.column_stack([np.ones(len(y)), X])

    def per_sample(theta):
        z = (y - Z @ theta[:-1]) / theta[-1]
        H = np.where(np.abs(z) <= epsilon, z ** 2, 2 * epsilon * np.abs(z) - epsilon ** 2)
        return s * (theta[-1] + theta[-1] * H)

    def gradients(theta, step=1e-5):
        steps = step * np.maximum(1.0, np.abs(theta))
        return np.column_stack([(per_sample(theta + e) - per_sample(theta - e)) / (2 * e.max())
                                for e in np.diag(steps)])

    theta = np.r_[beta, scale]
    G = gradients(theta)
    steps = 1e-4 * np.maximum(1.0, np.abs(theta))
    A = np.column_stack([(gradients(theta + e).sum(0) - gradients(theta - e).sum(0))
                         / (2 * e.max()) for e in np.diag(steps)])
    A_inv = np.linalg.inv((A + A.T) / 2)
    return (A_inv @ (G.T @ G) @ A_inv)[:-1, :-1]


@pytest.mark.parametrize("weighted", [False, True])
def test_sandwich_matches_numerical_derivatives(weighted):
    X, y = heteroscedastic(2, n=200)
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else np.ones(len(y))
    model = HuberRegressor(alpha=0.0, tol=1e-12, max_iter=1000).fit(
        X, y, sample_weight=s if weighted else None)
    result = summary(model, X, y, sample_weight=s if weighted else None)
    expected = numerical_sandwich(X, y, s, result.params, model.scale_, model.epsilon)
    assert_allclose(result.cov_params, expected, rtol=1e-4)
    assert result.distribution == "normal"


def test_sandwich_standard_errors_by_simulation():
    # skewed heteroscedastic noise: the sandwich's standard errors match the
    # spread of the estimates over repeated samples
    rng = np.random.default_rng(7)
    estimates, errors = [], []
    for _ in range(200):
        X = rng.uniform(0, 2, (400, 1))
        y = 1.0 + 2.0 * X[:, 0] + (0.2 + X[:, 0]) * (rng.exponential(1.0, 400) - 1.0)
        model = HuberRegressor(alpha=0.0, tol=1e-10, max_iter=1000).fit(X, y)
        result = summary(model, X, y)
        estimates.append(result.params)
        errors.append(result.bse)
    ratio = np.mean(errors, axis=0) / np.std(estimates, axis=0, ddof=1)
    # 200 replicates: the sd of the estimates is known to about 5%
    assert np.all(np.abs(ratio - 1) < 0.15), ratio


def test_huber_errors():
    X, y = heteroscedastic(3)
    with pytest.raises(ValueError, match="alpha=0.0001 > 0"):
        summary(HuberRegressor().fit(X, y), X, y)
    Xp = X * [1.0, -1.0]              # both coefficients positive
    with pytest.raises(ValueError, match="positive=True"):
        summary(HuberRegressor(alpha=0.0, positive=True).fit(Xp, y), Xp, y, se="H1")
    model = HuberRegressor(alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="se must be one of"):
        summary(model, X, y, se="nid")
    with pytest.raises(ValueError, match="identically distributed"):
        summary(model, X, y, se="H2", sample_weight=np.linspace(1, 2, len(y)))
