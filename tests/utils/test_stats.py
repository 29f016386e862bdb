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
