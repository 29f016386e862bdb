"""The coordinate-descent solver's mechanisms, switched on and off."""
import numpy as np
import pytest

from sklreg._core._anderson import Anderson
from sklreg._core._cd import cd_epochs
from sklreg._core._datafits import LeastSquares
from sklreg._core._gram import correlations, cross_products
from sklreg._core._design import Design
from sklreg.penalties import ElasticNetPenalty
from sklreg.solvers import solve_cd
from sklreg.solvers._base import GAP_FLOOR
from tests.conftest import make_problem


def setup(sparse=False, weights=False, l1_ratio=1.0, alpha_ratio=0.01):
    X, y, s = make_problem(80, 120, sparse=sparse, weights=weights, shift=1.0)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0, l1_ratio).compile(120), np.zeros(120))
    alpha = np.abs(v).max() / l1_ratio * alpha_ratio
    return X, y, s, ElasticNetPenalty(alpha, l1_ratio).compile(120)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_extrapolation_on_and_off_reach_the_same_certified_optimum(sparse, l1_ratio):
    X, y, s, penalty = setup(sparse, True, l1_ratio)
    results = []
    for extrapolate in (False, True):
        datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
        # exact finishing off: it ends both solves in a few passes, which
        # would hide what extrapolation does
        res = solve_cd(datafit, penalty, np.zeros(120), tol=1e-12, max_iter=100_000,
                       extrapolate=extrapolate, exact_finish=False)
        assert res.converged
        results.append(res)
    off, on = results
    assert abs(on.primal - off.primal) <= on.gap + off.gap + 1e-14
    assert on.n_iter <= off.n_iter


def test_extrapolation_never_increases_the_objective():
    # run the kernel a few passes at a time: with extrapolation on, the
    # objective after each chunk must not exceed the one before it
    X, y, s, penalty = setup(alpha_ratio=0.001)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    w = np.zeros(120)
    ws = np.arange(120, dtype=np.intc)
    previous, kept = np.inf, 0
    for _ in range(60):
        _, _, primal, accepted, _, _ = cd_epochs(datafit, penalty, w, ws, 6, 0.0, 6, 0, True)
        assert primal <= previous + 1e-15 * abs(previous)
        previous, kept = primal, kept + accepted
    assert kept > 0          # the mechanism was exercised


def test_extrapolation_stays_in_the_orthant_of_the_last_iterate():
    # iterates of x <- M (x - x*) + x* (the CD map while signs stay fixed);
    # the first coordinate heads across zero and is still positive: under an
    # L1 penalty it leaves the support at zero, it does not change sign
    fixed_point = np.array([-1.0, 0.5, 1.0, 2.0])
    M = np.diag([0.8, 0.7, 0.5, 0.2])
    x, rows = np.array([3.0, 2.0, 1.5, 2.5]), []
    for _ in range(5):
        rows.append(x)
        x = M @ (x - fixed_point) + fixed_point
    rows = np.array(rows)
    # the affine combination with the smallest differences, in NumPy
    U = np.diff(rows, axis=0)
    c = np.linalg.solve(U @ U.T, np.ones(4))
    reference = c / c.sum() @ rows[1:]
    assert rows[-1, 0] > 0 > reference[0]
    candidate = Anderson(4, 4).extrapolated(rows)
    assert candidate[0] == 0.0
    np.testing.assert_allclose(candidate[1:], reference[1:], rtol=1e-10)
    # and it is closer to the fixed point than the last iterate
    assert np.all(np.abs(candidate[1:] - fixed_point[1:])
                  < np.abs(rows[-1, 1:] - fixed_point[1:]))


def test_gap_is_an_upper_bound_on_suboptimality():
    X, y, s, penalty = setup(weights=True)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    exact = solve_cd(datafit, penalty, np.zeros(120), tol=1e-14, max_iter=100_000)
    for max_iter in (1, 3, 10, 30):
        datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
        res = solve_cd(datafit, penalty, np.zeros(120), tol=1e-14, max_iter=max_iter)
        assert res.primal - exact.primal <= res.gap * (1 + 1e-9) + 1e-14
        assert res.gap >= 0


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_exact_finishing_returns_the_certified_optimum(sparse, l1_ratio, monkeypatch):
    from sklreg.solvers._support import SupportSolver
    kept = []
    original = SupportSolver.finish
    monkeypatch.setattr(SupportSolver, "finish",
                        lambda *args: kept.append(original(*args)) or kept[-1])
    X, y, s, penalty = setup(sparse, True, l1_ratio, alpha_ratio=0.02)
    results = []
    for exact_finish in (False, True):
        datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
        res = solve_cd(datafit, penalty, np.zeros(120), tol=1e-13, max_iter=100_000,
                       exact_finish=exact_finish, extrapolate=False)
        assert res.converged
        results.append(res)
    off, on = results
    assert any(kept)                     # the mechanism fired and was kept
    assert abs(on.primal - off.primal) <= on.gap + off.gap + 1e-14
    np.testing.assert_allclose(on.coef, off.coef, atol=1e-4)   # ~sqrt(gap / curvature)


def test_feature_sign_search_lowers_the_objective_and_solves_a_known_support():
    from sklreg.solvers._support import SupportSolver
    X, y, s, penalty = setup(weights=True, alpha_ratio=0.05)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    exact = solve_cd(datafit, penalty, np.zeros(120), tol=1e-14, max_iter=100_000)
    support = np.flatnonzero(exact.coef)
    # start on the optimal support and signs, far from the optimum: one
    # finish must land on it
    w = np.sign(exact.coef) * 10.0
    datafit = LeastSquares(Design(X), y, s, w, True)
    before = datafit.primal_value(penalty, w)
    assert SupportSolver(datafit, capacity=200).finish(penalty, w, support)
    assert datafit.primal_value(penalty, w) < before
    np.testing.assert_allclose(w, exact.coef, atol=1e-8)
    # from a perturbed point on a larger support, with wrong signs: lower
    rng = np.random.default_rng(0)
    w = exact.coef + rng.normal(scale=0.1, size=120) * (rng.random(120) < 0.5)
    datafit = LeastSquares(Design(X), y, s, w, True)
    before = datafit.primal_value(penalty, w)
    SupportSolver(datafit, capacity=200).finish(penalty, w, np.flatnonzero(w))
    assert datafit.primal_value(penalty, w) <= before


@pytest.mark.parametrize("greedy", [False, True])
def test_finish_never_raises_the_objective_from_wrong_signs(greedy):
    from sklreg.solvers._support import SupportSolver
    X, y, s, penalty = setup(weights=True, alpha_ratio=0.05)
    exact = solve_cd(LeastSquares(Design(X), y, s, np.zeros(120), True), penalty,
                     np.zeros(120), tol=1e-14, max_iter=100_000)
    lowered = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        w = exact.coef + rng.normal(scale=0.2, size=120) * (rng.random(120) < 0.4)
        datafit = LeastSquares(Design(X), y, s, w, True)
        before = datafit.primal_value(penalty, w)
        lowered += SupportSolver(datafit, capacity=200)._finish(
            penalty, w, np.flatnonzero(w), None, greedy=greedy)
        assert datafit.primal_value(penalty, w) <= before * (1 + 1e-13)  # a restore rounds
        np.testing.assert_allclose(datafit.residual(),
                                   LeastSquares(Design(X), y, s, w, True).residual(),
                                   atol=1e-10)    # the residual followed w
    # the careful search always lowers it; the greedy try, a heuristic, may
    # be refused (then the careful search runs), as it is when many signs
    # are wrong
    assert lowered >= (3 if greedy else 10)


def test_finish_with_entering_signs_moves_to_the_next_support():
    # from the optimum at a larger alpha, the features of the next optimum's
    # support enter with their signs: one finish lands on that optimum
    from sklreg.solvers._support import SupportSolver
    X, y, s, _ = setup(weights=True)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0, 1.0).compile(120), np.zeros(120))
    big, small = (ElasticNetPenalty(np.abs(v).max() * r, 1.0).compile(120) for r in (0.05, 0.04))
    solutions = [solve_cd(LeastSquares(Design(X), y, s, np.zeros(120), True), pen,
                          np.zeros(120), tol=1e-14, max_iter=100_000).coef for pen in (big, small)]
    before, after = solutions
    new_support = np.flatnonzero(after)
    assert np.setdiff1d(new_support, np.flatnonzero(before)).size > 0   # some enter
    w = before.copy()
    datafit = LeastSquares(Design(X), y, s, w, True)
    assert SupportSolver(datafit, capacity=200).finish(small, w, new_support,
                                                       np.sign(after[new_support]))
    np.testing.assert_allclose(w, after, atol=1e-8)


def test_extended_factor_equals_a_fresh_one():
    from sklreg.solvers._support import SupportSolver
    X, y, s, penalty = setup(weights=True, l1_ratio=0.5)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    grown = SupportSolver(datafit, capacity=200)
    first, more = np.arange(0, 40), np.arange(0, 48)
    curvature = penalty.fixed_sign_system(more, np.ones(48))[0]
    assert grown._factorise(first, curvature[:40])
    assert grown._factorise(more, curvature)          # extended by 8
    fresh = SupportSolver(datafit, capacity=200)
    assert fresh._factorise(more, curvature)
    np.testing.assert_array_equal(grown.order, fresh.order)
    np.testing.assert_allclose(np.tril(grown.lower), np.tril(fresh.lower), rtol=1e-10,
                               atol=1e-12)   # LAPACK reads (and fills) the lower triangle only


def test_held_system_equals_a_direct_solve_across_extensions():
    # unit columns solved before the factor gained rows are extended, not
    # solved again; every solution equals the reduced system's
    from sklreg.solvers._held_system import HeldSystem
    from sklreg.utils._blas import CholeskyFactor
    rng = np.random.default_rng(3)
    A = rng.standard_normal((80, 50))
    H = A.T @ A + 0.1 * np.eye(50)
    rhs = rng.standard_normal(50)
    units = {}
    for size, held in ((30, [4, 17]), (42, [4, 17, 33]), (50, [17, 2, 45])):
        buffer = np.zeros((60, 60), order="F")
        buffer[:size, :size] = H[:size, :size]
        lower = CholeskyFactor(buffer[:size, :size], copy=False).factor   # a block, as on paths
        got = HeldSystem(lower, rhs[:size], units).solve(held, likely=[1])
        free = np.setdiff1d(np.arange(size), held)
        expected = np.zeros(size)
        expected[free] = np.linalg.solve(H[np.ix_(free, free)], rhs[free])
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        assert all(units[k].size == size for k in held)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [False, True])
def test_cross_products_equal_the_centred_weighted_gram(sparse, dtype, weights):
    # symmetric blocks (syrk), a few columns (no gather) and many columns
    X, y, s = make_problem(60, 40, sparse=sparse, dtype=dtype, weights=weights, shift=1.0)
    datafit = LeastSquares(Design(X), y, s, np.zeros(40), True)
    Xd = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    Xd = Xd.astype(np.float64)
    sw = np.ones(60) if s is None else s
    Xc = Xd - sw @ Xd / sw.sum()
    reference = Xc.T @ (sw[:, None] * Xc) / sw.sum()
    rows = np.array([3, 0, 17, 25, 39, 8, 11, 30])
    for cols in (rows, np.array([5, 17]), np.arange(0, 40, 2)):
        got = cross_products(datafit, rows, cols)
        np.testing.assert_allclose(got, reference[np.ix_(rows, cols)], rtol=1e-10,
                                   atol=1e-12)


def _offset_dominated_sparse(n=60, p=40, seed=0):
    """Sparse X whose columns 3 and 10 are stored dense with a mean of 1e9
    and a spread of 1 (a timestamp): centred element by element."""
    import scipy.sparse as sp
    X, y, _ = make_problem(n, p, sparse=True, seed=seed)
    X = X.toarray()
    rng = np.random.default_rng(seed)
    for j in (3, 10):
        X[:, j] = 1e9 + rng.standard_normal(n)
    y = y + 2.0 * (X[:, 3] - 1e9)
    return sp.csc_matrix(X), X, y


@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("weights", [False, True])
def test_cross_products_of_offset_dominated_rows_do_not_cancel(sparse, weights):
    # rows and columns alike: dominant features among the rows, plain and
    # dominant ones among the columns (a few: no gather; more than
    # FEW_COLUMNS: the sparse products)
    X, Xd, y = _offset_dominated_sparse()
    X = X if sparse else np.asfortranarray(Xd)
    s = np.random.default_rng(2).uniform(0.2, 2.0, 60) if weights else None
    datafit = LeastSquares(Design(X), y, s, np.zeros(40), True)
    sw = np.ones(60) if s is None else s
    Xc = Xd - sw @ Xd / sw.sum()
    # centred exactly: each column's spread is computed from its offsets
    Xc = Xc - sw @ Xc / sw.sum()
    reference = Xc.T @ (sw[:, None] * Xc) / sw.sum()
    rows = np.array([3, 0, 17, 10, 25])
    for cols in (np.arange(0, 40, 2), np.arange(11, 40), np.arange(40), np.array([10, 4])):
        got = cross_products(datafit, rows, cols)
        np.testing.assert_allclose(got, reference[np.ix_(rows, cols)], rtol=1e-8,
                                   atol=1e-10 * np.abs(reference).max())
    yc = y - sw @ y / sw.sum()
    np.testing.assert_allclose(correlations(datafit, rows), Xc[:, rows].T @ (sw * yc) / sw.sum(),
                               rtol=1e-8)


def test_exact_finish_on_offset_dominated_sparse_features_matches_sklearn():
    from sklearn.linear_model import Lasso as SkLasso

    from sklreg import Lasso
    # at this alpha 59 of 60 features are in the support: exact finishing
    # solves on a Gram block whose rows include the dominant features
    X, Xd, y = _offset_dominated_sparse(200, 60, seed=3)
    alpha = 0.001
    ours = Lasso(alpha=alpha, tol=1e-10).fit(X, y)
    # scikit-learn on the dense copy, centred exactly
    theirs = SkLasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(
        Xd - Xd.mean(axis=0), y)
    # (before rows were centred: 1.2e-10 off, the certificate still met)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-11)


def test_gap_from_a_carried_gradient_equals_a_fresh_one():
    X, y, s, penalty = setup(weights=True)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    w = solve_cd(datafit, penalty, np.zeros(120), tol=1e-3).coef
    gap, primal, v = datafit.full_gap(penalty, w)
    partial = v.copy()
    partial[::3] = np.nan                  # entries not known: computed
    again = datafit.full_gap(penalty, w, gradient=partial)
    np.testing.assert_array_equal(again[2], v)
    assert again[:2] == (gap, primal)
    # on a subset, the other entries stay unknown
    coords = np.arange(0, 120, 2, dtype=np.intc)
    _, _, v_sub = datafit.full_gap(penalty, w, coords)
    np.testing.assert_array_equal(v_sub[coords], v[coords])
    assert np.all(np.isnan(v_sub[1::2]))


@pytest.mark.parametrize("weights", [False, True])
def test_gradient_bounds_hold_across_residual_moves(weights):
    # y is nearly explained by the first 40 features; their coefficients
    # move against the fit in small steps, then back past it (the residual
    # grows, shrinks, flips).  Every gap skips every zero feature (l1
    # infinite), so each bound is carried from gap to gap: it must stay
    # above |v_j| however many small moves added up
    from sklreg._core._screening import GradientBounds
    X, _, s = make_problem(80, 120, weights=weights, shift=1.0)
    rng = np.random.default_rng(0)
    beta = rng.standard_normal(40)
    y = X[:, :40] @ beta + 0.01 * rng.standard_normal(80)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    penalty = ElasticNetPenalty(1.0, 1.0).compile(120)
    bounds, movable, w = GradientBounds(datafit), np.ones(120, dtype=bool), np.zeros(120)
    bounds.skip(datafit, w, np.zeros(120), movable, None)      # nothing skipped
    bounds.record(datafit.full_gap(penalty, w)[2])
    coords = np.arange(40, dtype=np.intc)
    for scale in np.concatenate([np.linspace(-0.1, -2, 20), np.linspace(-1.8, 1.5, 12)]):
        datafit.move(w, coords, scale * beta + 0.01 * rng.standard_normal(40))
        bounds.skip(datafit, w, np.full(120, np.inf), movable, None)
        exact = datafit.full_gap(penalty, w)[2]
        magnitude = bounds.record(np.where(bounds.skipped, 0.0, exact))
        assert np.count_nonzero(bounds.skipped) == 80
        zero = w == 0
        assert np.all(np.abs(exact[zero]) <= magnitude[zero] * (1 + 1e-12) + 1e-15)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("loose", [1.0, 0.1, 0.0])
def test_gaps_skipping_bounded_columns_are_the_exact_gaps(l1_ratio, loose, monkeypatch):
    # along a path to near interpolation, gaps skip the columns whose
    # gradient is proven below its L1 weight: the gap they certify is the
    # exact one, and the gradient carried on is exact where known.  Also
    # with every intermediate gap an estimate skipping more (loose < 1; 0:
    # every column whose last |v_j| was below its weight): the solve still
    # stops on, and reports, a certified gap.
    import sklreg.solvers._cd as cd_module
    from sklreg._core._screening import GradientBounds
    from sklreg.solvers._support import SupportSolver
    monkeypatch.setattr(cd_module, "LOOSE", loose)
    monkeypatch.setattr(cd_module, "LOOSE_ABOVE", 0.0)
    X, y, s = make_problem(120, 400, weights=True, shift=1.0)
    skipped = []
    datafit = LeastSquares(Design(X), y, s, np.zeros(400), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0, 1.0).compile(400), np.zeros(400))
    shared, bounds = SupportSolver(datafit, capacity=700), GradientBounds(datafit)
    w, gradient = np.zeros(400), None
    for alpha in np.abs(v).max() / l1_ratio * np.geomspace(1, 1e-3, 30):
        penalty = ElasticNetPenalty(alpha, l1_ratio).compile(400)
        res = solve_cd(datafit, penalty, w, tol=1e-8, max_iter=100_000, support_solver=shared,
                       gradient=gradient, gradient_bounds=bounds)
        gradient = res.gradient
        skipped.append(np.count_nonzero(bounds.skipped))         # at the last gap
        fresh = LeastSquares(Design(X), y, s, w.copy(), True)     # residual from scratch
        gap, _, exact = fresh.full_gap(penalty, w)
        assert res.converged and gap <= res.tol_abs * (1 + 1e-6)
        np.testing.assert_allclose(res.gap, gap, rtol=1e-6, atol=1e-12 * fresh.primal_at_zero)
        known = ~np.isnan(res.gradient)
        np.testing.assert_allclose(res.gradient[known], exact[known], rtol=1e-8, atol=1e-12)
    assert sum(skipped) > 1000


@pytest.mark.parametrize("max_iter, alpha_ratio", [(12, 0.1), (20, 0.01)])
def test_a_solve_out_of_passes_reports_the_exact_gap(max_iter, alpha_ratio, monkeypatch):
    # its last gap would have been an estimate (every gap loose here)
    import sklreg.solvers._cd as cd_module
    monkeypatch.setattr(cd_module, "LOOSE", 0.0)
    monkeypatch.setattr(cd_module, "LOOSE_ABOVE", 0.0)
    X, y, s = make_problem(120, 400, weights=True, shift=1.0)   # screened: bounds on
    datafit = LeastSquares(Design(X), y, s, np.zeros(400), True)
    penalty = ElasticNetPenalty(alpha_ratio * np.abs(datafit.start_gradient).max(),
                                1.0).compile(400)
    w = np.zeros(400)
    res = solve_cd(datafit, penalty, w, tol=1e-12, max_iter=max_iter)
    gap, _, _ = LeastSquares(Design(X), y, s, w.copy(), True).full_gap(penalty, w)
    assert not res.converged
    np.testing.assert_allclose(res.gap, gap, rtol=1e-8)


@pytest.mark.parametrize("sparse", [False, True])
def test_path_carrying_gradients_equals_one_recomputing_them(sparse):
    # the gradient a solve ends on is handed to the next alpha: same iterates
    from sklreg.solvers._support import SupportSolver
    X, y, s, penalty = setup(sparse, True)
    _, _, v = LeastSquares(Design(X), y, s, np.zeros(120), True).full_gap(
        ElasticNetPenalty(1.0, 1.0).compile(120), np.zeros(120))
    alphas = np.abs(v).max() * np.geomspace(1, 1e-3, 25)
    runs = []
    for carry in (False, True):
        datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
        shared, w, gradient, run = SupportSolver(datafit, capacity=300), np.zeros(120), None, []
        for alpha in alphas:
            res = solve_cd(datafit, ElasticNetPenalty(alpha, 1.0).compile(120), w, tol=1e-10,
                           max_iter=100_000, support_solver=shared, gradient=gradient)
            assert res.converged
            gradient = res.gradient if carry else None
            run.append((w.copy(), res.n_iter))
        runs.append(run)
    for (w0, n0), (w1, n1) in zip(*runs):
        np.testing.assert_allclose(w1, w0, rtol=0, atol=1e-12)
        assert n1 == n0


@pytest.mark.parametrize("sparse", [False, True])
def test_path_with_a_shared_support_solver_equals_independent_fits(sparse):
    from sklreg.solvers._support import SupportSolver
    X, y, s, penalty = setup(sparse, True)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0, 1.0).compile(120), np.zeros(120))
    alphas = np.abs(v).max() * np.geomspace(1, 1e-3, 25)
    w = np.zeros(120)
    shared = SupportSolver(datafit, capacity=300)
    for alpha in alphas:
        pen = ElasticNetPenalty(alpha, 1.0).compile(120)
        res = solve_cd(datafit, pen, w, tol=1e-12, max_iter=100_000, support_solver=shared)
        assert res.converged
        alone = LeastSquares(Design(X), y, s, np.zeros(120), True)
        ref = solve_cd(alone, pen, np.zeros(120), tol=1e-12, max_iter=100_000,
                       exact_finish=False)
        assert abs(res.primal - ref.primal) <= res.gap + ref.gap + 1e-14


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("loose", [1.0, 0.1])
def test_gap_safe_screening_never_discards_a_feature_of_the_optimum(sparse, l1_ratio, loose,
                                                                    monkeypatch):
    # nearly tied features: each column has a near copy, so the test is
    # pushed to decide between twins.  Screening acts on certified gaps
    # only: with every gap certified (loose = 1) it fires on each problem;
    # with gap estimates (the default) it must stay safe wherever it fires
    import sklreg.solvers._cd as cd_module
    monkeypatch.setattr(cd_module, "LOOSE", loose)
    X, y, s = make_problem(60, 110, sparse=False, weights=True, shift=1.0)
    rng = np.random.default_rng(1)
    X = np.asfortranarray(np.hstack([X, X + 1e-3 * rng.standard_normal(X.shape)]))
    if sparse:
        import scipy.sparse as sp
        X = sp.csc_matrix(np.where(rng.random(X.shape) < 0.5, X, 0.0))
    screened = []
    original = cd_module.gap_safe
    monkeypatch.setattr(cd_module, "gap_safe",
                        lambda *a: screened.append(original(*a)) or screened[-1])
    p = X.shape[1]                       # 220: screening runs from 200
    monkeypatch.setattr(cd_module, "SCREEN_MIN_COLUMN", 0)   # and on short columns
    datafit = LeastSquares(Design(X), y, s, np.zeros(p), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0, l1_ratio).compile(p), np.zeros(p))
    total = 0
    for ratio in (0.5, 0.1, 0.02):
        penalty = ElasticNetPenalty(np.abs(v).max() / l1_ratio * ratio, l1_ratio).compile(p)
        on = solve_cd(LeastSquares(Design(X), y, s, np.zeros(p), True), penalty,
                      np.zeros(p), tol=1e-12, max_iter=100_000)
        off = solve_cd(LeastSquares(Design(X), y, s, np.zeros(p), True), penalty,
                       np.zeros(p), tol=1e-14, max_iter=100_000, screening=False)
        assert on.converged and off.converged
        # each primal is read off a residual updated thousands of times:
        # equal only to the rounding the solver floors gaps at (a gap
        # computed as 0 differed by 1.2e-13 at P = 10)
        rounding = GAP_FLOOR * datafit.primal_at_zero
        assert abs(on.primal - off.primal) <= on.gap + off.gap + rounding
        discarded = np.concatenate(screened) if screened else np.empty(0, int)
        assert not np.any(off.coef[discarded] != 0)
        total += discarded.size
        screened.clear()
    assert total > 0 or loose < 1        # the rule fired


@pytest.mark.parametrize("weights", [False, True])
def test_residual_stays_centred_over_many_passes(weights):
    # With an intercept the weighted residual sums to zero; every update's
    # rounding drifts that sum, which left the gap a floor CD could not
    # lower (a 20 x 300 sparse Lasso at tol=1e-10 stalled for 10^5 passes).
    # Each gap re-centres it.
    import scipy.sparse as sp
    X, y, s = make_problem(20, 300, sparse=True, weights=weights, seed=320, shift=0.5)
    X = sp.csc_matrix(X)
    penalty = ElasticNetPenalty(1e-4, 1.0).compile(300)
    w = np.zeros(300)
    datafit = LeastSquares(Design(X), y, s, w, True)
    coords = np.arange(300, dtype=np.intc)
    for _ in range(40):
        cd_epochs(datafit, penalty, w, coords, 500, 0.0, 500, 0, False, 0)
    datafit.full_gap(penalty, w)
    r = datafit.residual()
    s_ = np.ones(20) if s is None else s
    assert abs(s_ @ r) <= 1e-14 * np.sqrt(s_ @ r ** 2) * np.sqrt(s_.sum())
    # and it is the residual of (w, intercept)
    b = datafit.intercept
    np.testing.assert_allclose(r, y - X @ w - b, atol=1e-9 * np.abs(y).max())


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_start_gradient_is_the_gradient_at_zero(sparse, weights, fit_intercept):
    # computed with the column norms, it stands in for the first gap's pass
    X, y, s = make_problem(40, 30, sparse=sparse, weights=weights, shift=1.0)
    penalty = ElasticNetPenalty(0.1, 1.0).compile(30)
    datafit = LeastSquares(Design(X), y, s, np.zeros(30), fit_intercept)
    _, _, v = datafit.full_gap(penalty, np.zeros(30))      # every column read
    np.testing.assert_allclose(datafit.start_gradient, v, rtol=1e-12, atol=1e-14)
    w0 = np.zeros(30)
    w0[3] = 0.5
    assert LeastSquares(Design(X), y, s, w0, fit_intercept).start_gradient is None


@pytest.mark.parametrize("sparse", [False, True])
def test_cd_epochs_returns_the_gradient_on_its_working_set(sparse):
    # the outer loop's full gap reads only the columns outside ws with it
    X, y, s, penalty = setup(sparse, True)
    datafit = LeastSquares(Design(X), y, s, np.zeros(120), True)
    w = np.zeros(120)
    ws = np.arange(0, 120, 3, dtype=np.intc)
    *_, gradient = cd_epochs(datafit, penalty, w, ws, 7, 0.0, 10, 0, True)
    _, _, v = datafit.full_gap(penalty, w)
    np.testing.assert_allclose(gradient[ws], v[ws], rtol=1e-12, atol=1e-15)
    assert np.isnan(np.delete(gradient, ws)).all()
    # signs settled, a stop on a stable support after pass 3: checked after
    # pass 2 only, so the gradient is not known at w
    cd_epochs(datafit, penalty, w, ws, 200, 0.0, 10, 0, True)
    epochs, *_, stable, gradient = cd_epochs(datafit, penalty, w, ws, 7, 0.0, 10, 0, False, 3)
    assert (epochs, stable, gradient) == (3, True, None)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_means_and_norms_equal_numpy(sparse, weights, dtype):
    # the three column sums of one pass (mean, squared norm, dot with y)
    X, y, s = make_problem(40, 30, sparse=sparse, weights=weights, dtype=dtype, shift=1.0)
    s_ = np.ones(40) if s is None else s
    dense = (X.toarray() if sparse else X).astype(np.float64)
    mu = s_ @ dense / s_.sum()
    datafit = LeastSquares(Design(X), y, s, np.zeros(30), True)
    np.testing.assert_allclose(datafit.mu, mu, rtol=1e-12)
    np.testing.assert_allclose(datafit.lipschitz, s_ @ (dense - mu) ** 2 / s_.sum(), rtol=1e-10)
    no_intercept = LeastSquares(Design(X), y, s, np.zeros(30), False)
    np.testing.assert_array_equal(no_intercept.mu, 0.0)
    np.testing.assert_allclose(no_intercept.lipschitz, s_ @ dense ** 2 / s_.sum(), rtol=1e-12)
    np.testing.assert_allclose(no_intercept.start_gradient, (s_ * y) @ dense / s_.sum(),
                               rtol=1e-12)
    np.testing.assert_allclose(Design(X).col_sqnorms(s_), s_ @ dense ** 2, rtol=1e-12)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
def test_full_gap_equals_the_duality_gap_written_in_numpy(l1_ratio, positive):
    # no intercept, unit weights: P(w) = |y - Xw|^2 / 2n + sum_j Omega_j(w_j);
    # the dual point is the residual scaled by kappa, the largest value
    # keeping every pure-L1 coordinate's |kappa v_j| <= l1_j
    from sklreg._core._penalties import L1L2
    rng = np.random.default_rng(3)
    n, p = 40, 30
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    l1 = rng.uniform(0.01, 0.05, p)
    l2 = np.full(p, 0.0 if l1_ratio == 1.0 else 0.03)
    w = np.where(rng.uniform(size=p) < 0.4, np.abs(rng.standard_normal(p)), 0.0)
    if not positive:
        w *= rng.choice([-1.0, 1.0], p)
    datafit = LeastSquares(Design(np.asfortranarray(X)), y, None, w.copy(), False)
    gap, primal, v = datafit.full_gap(L1L2(l1, l2, positive), w)

    r = y - X @ w
    reference_v = X.T @ r / n
    np.testing.assert_allclose(v, reference_v, rtol=1e-12, atol=1e-14)
    reference_primal = r @ r / (2 * n) + np.sum(l1 * np.abs(w) + l2 / 2 * w ** 2)
    excess = reference_v if positive else np.abs(reference_v)
    pure_l1 = l2 == 0
    kappa = min(1.0, np.min(l1[pure_l1] / excess[pure_l1], initial=np.inf,
                            where=excess[pure_l1] > 0))
    over = np.maximum(kappa * excess - l1, 0.0)
    conjugate = np.sum(np.divide(over ** 2, 2 * l2, out=np.zeros(p), where=l2 > 0))
    dual = (y @ y - np.sum((y - kappa * r) ** 2)) / (2 * n) - conjugate
    assert primal == pytest.approx(reference_primal, rel=1e-12)
    assert gap == pytest.approx(reference_primal - dual, rel=1e-10, abs=1e-14)
    assert gap > 0


def test_working_set_selection_takes_the_largest_scores():
    from sklreg.solvers._cd_working_set import largest
    rng = np.random.default_rng(0)
    score = np.zeros(1000)
    score[rng.choice(1000, 60, replace=False)] = rng.uniform(0.1, 1.0, 60)
    score[rng.choice(np.flatnonzero(score == 0), 5, replace=False)] = np.inf  # non-zeros
    score[rng.choice(np.flatnonzero(score == 0), 100, replace=False)] = -np.inf  # screened
    order = np.argsort(-score, kind="stable")
    for size in (3, 5, 10, 65, 66, 200, 900):
        chosen = largest(score, size)
        assert chosen.size == size == np.unique(chosen).size
        # the same scores as a full sort's first ``size`` (ties at 0 may differ)
        np.testing.assert_array_equal(np.sort(score[chosen]), np.sort(score[order[:size]]))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_passes_on_the_normal_equations_reach_the_certified_optimum(sparse, weights,
                                                                    l1_ratio, monkeypatch):
    # n >> p: passes on the Gram matrix, then a certificate from the residual
    # recomputed from w; the optimum is the one of plain passes on X
    import sklreg.solvers._cd_small as cd
    from sklreg.solvers._support import SupportSolver
    calls = []
    kernel = cd.cd_gram_epochs
    monkeypatch.setattr(cd, "cd_gram_epochs", lambda *a: calls.append(1) or kernel(*a))
    X, y, s = make_problem(400, 30, sparse=sparse, weights=weights, shift=1.0)
    _, _, v = LeastSquares(Design(X), y, s, np.zeros(30), True).full_gap(
        ElasticNetPenalty(1.0, l1_ratio).compile(30), np.zeros(30))
    for alpha in np.abs(v).max() / l1_ratio * np.array([0.5, 0.05, 0.001]):
        penalty = ElasticNetPenalty(alpha, l1_ratio).compile(30)
        datafit = LeastSquares(Design(X), y, s, np.zeros(30), True)
        gram_fit = solve_cd(datafit, penalty, np.zeros(30), tol=1e-10, max_iter=10_000,
                            support_solver=SupportSolver(datafit, capacity=30))
        assert gram_fit.converged
        # the certificate is about w itself: recomputed from scratch
        fresh = LeastSquares(Design(X), y, s, gram_fit.coef, True)
        gap, primal, _ = fresh.full_gap(penalty, gram_fit.coef)
        assert gap <= 1e-10 * fresh.primal_at_zero
        plain = LeastSquares(Design(X), y, s, np.zeros(30), True)
        ref = solve_cd(plain, penalty, np.zeros(30), tol=1e-12, max_iter=100_000,
                       exact_finish=False)
        assert abs(primal - ref.primal) <= gap + ref.gap + 1e-14
        np.testing.assert_allclose(gram_fit.coef, ref.coef, rtol=0,
                                   atol=1e-4 * np.abs(ref.coef).max())
    assert len(calls) == 3                     # the Gram route was the one taken


def test_normal_equation_passes_count_and_leave_the_residual_to_refresh():
    from sklreg._core._cd import cd_gram_epochs
    from sklreg.solvers._support import SupportSolver
    X, y, s = make_problem(300, 20, weights=True, shift=1.0)
    datafit = LeastSquares(Design(X), y, s, np.zeros(20), True)
    _, _, v = datafit.full_gap(ElasticNetPenalty(1.0).compile(20), np.zeros(20))
    penalty = ElasticNetPenalty(0.01 * np.abs(v).max()).compile(20)
    G, b = SupportSolver(datafit, capacity=20).normal_equations()
    Xc = X - np.average(X, axis=0, weights=s)
    np.testing.assert_allclose(G, Xc.T @ (s[:, None] * Xc) / s.sum(), rtol=1e-12, atol=1e-12)
    w = np.zeros(20)
    epochs, estimate = cd_gram_epochs(datafit, penalty, G, b, w, 500, 1e-12)
    assert 0 < epochs < 500
    datafit.refresh(w)
    gap, _, _ = datafit.full_gap(penalty, w)
    assert gap <= 1e-11 * datafit.primal_at_zero
