"""The losses' Python faces (``sklreg/losses.py``): the one NumPy home of
each formula, checked against scikit-learn's metric and the compiled loss."""
import numpy as np
import pytest
from sklearn.metrics import mean_pinball_loss

from sklreg.losses import PinballLoss


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.93])
def test_pinball_value_matches_sklearn_and_compiled(tau):
    rng = np.random.default_rng(0)
    r = rng.standard_normal(50)
    r[:5] = 0.0
    s = rng.uniform(0.1, 3.0, 50)
    loss = PinballLoss(tau)
    assert loss.value(r, s) == pytest.approx(
        mean_pinball_loss(r, np.zeros(50), alpha=tau, sample_weight=s), rel=1e-14)
    assert loss.value(r) == pytest.approx(mean_pinball_loss(r, np.zeros(50), alpha=tau),
                                          rel=1e-14)
    assert loss.total(r, s) == pytest.approx(loss.value(r, s) * s.sum(), rel=1e-14)
    assert loss.value(r, s) == pytest.approx(loss.compile().value_np(r, s), rel=1e-14)


def test_pinball_subgradient_and_dual_box():
    tau = 0.3
    loss = PinballLoss(tau)
    r = np.array([-2.0, -1e-9, 0.0, 1e-9, 4.0])
    g = loss.subgradient(r)
    # the derivative where r != 0, inside [tau - 1, tau] at the kink
    nonzero = r != 0
    h = 1e-3 * np.abs(r[nonzero])           # inside the side of the kink r is on
    fd = np.array([(loss.total([x + d]) - loss.total([x - d])) / (2 * d)
                   for x, d in zip(r[nonzero], h)])
    np.testing.assert_allclose(g[nonzero], fd, rtol=1e-6)
    assert tau - 1 <= g[2] <= tau
    # the compiled loss clips a dual point into the same box
    s = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
    lower, upper = loss.dual_box(s)
    theta = np.array([-5.0, 0.1, 5.0, -0.2, 0.3])
    slack = np.empty(5)
    loss.compile().box_np(theta, s, slack)
    np.testing.assert_array_equal(theta, np.clip([-5.0, 0.1, 5.0, -0.2, 0.3], lower, upper))
