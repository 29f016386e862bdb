"""The penalty protocol: the compiled L1L2's per-coordinate formulas (with a
box), its scaling, alpha_max and what it provides to solvers."""
import numpy as np
import pytest

from sklreg._core._penalties import L1L2
from sklreg.penalties import ElasticNetPenalty
from sklreg.solvers._base import check_penalty

L1 = np.array([0.5, 0.5, 0.0, 0.3, 0.2, 0.4, 0.0])
L2 = np.array([0.0, 0.2, 0.7, 0.0, 0.1, 0.0, 0.0])
LOWER = np.array([-1.0, 0.3, -np.inf, -2.0, -np.inf, 0.0, -1.0])
UPPER = np.array([2.0, 1.5, -0.2, -0.5, np.inf, np.inf, 1.0])


def _omega(j, u):
    return np.where((u < LOWER[j]) | (u > UPPER[j]), np.inf,
                    L1[j] * np.abs(u) + 0.5 * L2[j] * u * u)


def test_conjugate_and_fenchel_young_match_brute_force():
    """Omega_j^*(v) = sup over the box of v u - Omega_j(u), on a fine grid;
    the Fenchel-Young term Omega(w) + Omega^*(v) - v w is >= 0 and written
    without cancellation."""
    penalty = L1L2(L1, L2, False, LOWER, UPPER)
    rng = np.random.default_rng(0)
    for _ in range(30):
        v = rng.uniform(-0.9, 0.9, L1.size) * np.where(L2 > 0, 3, 1) * 0.5
        w = np.clip(rng.standard_normal(L1.size), LOWER, UPPER)
        kappa = penalty.dual_scales(v).min()
        v = kappa * v
        conj = penalty.conjugates(v)
        terms = penalty.fenchel_young_terms(w, v)
        for j in range(L1.size):
            low, high = max(LOWER[j], -30), min(UPPER[j], 30)
            grid = np.append(np.linspace(low, high, 200_001), np.clip(0.0, low, high))
            brute = np.max(v[j] * grid - _omega(j, grid))
            assert conj[j] >= brute - 1e-9 and conj[j] <= brute + 1e-6
            direct = _omega(j, w[j]) + conj[j] - v[j] * w[j]
            assert terms[j] >= -1e-15
            np.testing.assert_allclose(terms[j], direct, atol=1e-9)


def test_fenchel_young_is_zero_exactly_at_a_subgradient():
    penalty = L1L2(L1, L2, False, LOWER, UPPER)
    w = np.array([0.0, 1.5, -0.2, -0.5, 1.0, 0.5, -1.0])     # at bounds, at 0, inside
    v = np.array([0.3, 5.0, 3.0, -0.1, 0.3, 0.4, -2.0])
    np.testing.assert_allclose(penalty.subdiff_distances(w, v), 0.0, atol=1e-15)
    np.testing.assert_allclose(penalty.fenchel_young_terms(w, v), 0.0, atol=1e-15)
    v_off = v + np.array([0.3, -6.0, -3.5, -0.3, 0.1, -0.3, 3.5])
    assert np.all(penalty.subdiff_distances(w, v_off) > 0)
    assert np.all(penalty.fenchel_young_terms(w, v_off) > 0)


def test_scaled_and_weights():
    penalty = L1L2(L1, L2, False, LOWER, UPPER)
    scaled = penalty.scaled(3.0)
    np.testing.assert_array_equal(scaled.weights()[0], 3.0 * L1)
    np.testing.assert_array_equal(scaled.weights()[1], 3.0 * L2)
    np.testing.assert_array_equal(scaled.bounds()[0], LOWER)
    w = np.clip(np.linspace(-1, 1, L1.size), LOWER, UPPER)
    np.testing.assert_allclose(scaled.values(w), 3.0 * penalty.values(w))


def test_alpha_max_is_where_the_null_point_stops_being_optimal():
    """At t >= alpha_max(v) the null point satisfies t * Omega's optimality
    condition for the gradient v; just below, some coordinate violates it."""
    penalty = ElasticNetPenalty(1.0, 0.7, lower=LOWER, upper=UPPER).compile(L1.size)
    rng = np.random.default_rng(1)
    null = penalty.null_point()
    np.testing.assert_array_equal(null, np.clip(0.0, LOWER, UPPER))
    for _ in range(20):
        v = rng.standard_normal(L1.size)
        top = penalty.alpha_max(v)
        assert np.all(penalty.scaled(top * (1 + 1e-12)).subdiff_distances(null, v) == 0)
        assert np.any(penalty.scaled(top * (1 - 1e-6)).subdiff_distances(null, v) > 0)
    unbounded = ElasticNetPenalty(1.0, 1.0).compile(4)
    v = np.array([0.1, -0.9, 0.4, 0.0])
    assert unbounded.alpha_max(v) == 0.9
    assert ElasticNetPenalty(1.0, 0.0).compile(4).alpha_max(v) == np.inf


def test_solvers_refuse_a_penalty_without_what_they_need():
    bounded = L1L2(L1, L2, False, LOWER, UPPER)
    assert "l1_l2_weights" in L1L2(L1, L2).provides
    assert "l1_l2_weights" not in bounded.provides
    check_penalty("coordinate descent", bounded, {"prox", "conjugate"})
    with pytest.raises(ValueError, match="the interior point needs a penalty that provides "
                                         "l1_l2_weights; this L1L2 provides"):
        check_penalty("the interior point", bounded, {"l1_l2_weights"})
