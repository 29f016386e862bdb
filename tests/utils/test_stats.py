"""sklreg.utils.stats.weighted_quantile: the one weighted quantile."""
import numpy as np
import pytest

from sklreg.utils.stats import weighted_quantile


def _pinball_sum(values, weights, tau, b):
    r = values - b
    return np.sum(weights * r * (tau - (r < 0)))


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.73, 0.9])
@pytest.mark.parametrize("kind", ["none", "equal", "random", "integer"])
def test_weighted_quantile_minimises_the_pinball_sum(tau, kind):
    rng = np.random.default_rng(0)
    values = np.round(rng.standard_normal(41), 1)          # ties too
    weights = {"none": None, "equal": np.full(41, 2.5),
               "random": rng.uniform(0.1, 3.0, 41),
               "integer": rng.integers(0, 4, 41).astype(float)}[kind]
    s = np.ones(41) if weights is None else weights
    b = weighted_quantile(values, weights, tau)
    best = min(_pinball_sum(values, s, tau, c) for c in values)
    assert _pinball_sum(values, s, tau, b) <= best * (1 + 1e-12) + 1e-12
    # the lower quantile, as NumPy's inverted CDF (weights as repetitions)
    np.testing.assert_equal(b, np.quantile(values, tau, weights=s, method="inverted_cdf"))


def test_psd_solver_cholesky_and_singular_fallback():
    """One PSD solve for the solvers: Cholesky when positive definite, else
    the minimum-norm least-squares solution (numpy's lstsq)."""
    from sklreg.utils.linalg import psd_solver

    rng = np.random.default_rng(1)
    B = rng.standard_normal((8, 5))
    A = B.T @ B                                      # positive definite
    rhs = rng.standard_normal(5)
    np.testing.assert_allclose(A @ psd_solver(A)(rhs), rhs, rtol=1e-10)
    np.testing.assert_allclose(A @ psd_solver(A)(np.c_[rhs, 2 * rhs]),
                               np.c_[rhs, 2 * rhs], rtol=1e-10)
    S = B[:3].T @ B[:3]                              # rank 3 of 5: singular
    expected = np.linalg.lstsq(S, rhs, rcond=1e-14)[0]
    np.testing.assert_allclose(psd_solver(S)(rhs), expected, atol=1e-8)
    # ill-conditioned beyond min_rcond: the least-squares solution too
    D = np.diag([1.0, 1e-20])
    np.testing.assert_allclose(psd_solver(D, min_rcond=1e-16)(np.ones(2)), [1.0, 0.0])
