"""Coordinate descent on float32 X runs its passes on a float32 residual;
every gap that stops it is float64's, at the residual recomputed from w."""
import numpy as np
import pytest
import scipy.sparse as sp

from sklreg._core._cd import cd_epochs
from sklreg._core._datafits import LeastSquares
from sklreg._core._design import Design
from sklreg._core._penalties import L1L2


def _problem(sparse, seed=0, n=300, p=600):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3
    if sparse:
        X[rng.random((n, p)) < 0.7] = 0.0
    w = np.zeros(p)
    w[:20] = rng.standard_normal(20)
    y = X @ w + 2.0 + 0.1 * rng.standard_normal(n)
    X32 = X.astype(np.float32)
    X32 = sp.csc_matrix(X32) if sparse else np.asfortranarray(X32)
    return X32, y


def _alpha(X, y, ratio):
    Xd = X.toarray() if sp.issparse(X) else X
    Xc = Xd.astype(np.float64) - Xd.astype(np.float64).mean(axis=0)
    return np.max(np.abs(Xc.T @ (y - y.mean()))) / len(y) / ratio


def test_which_datafits_take_float32_passes():
    X, y = _problem(False)
    p = X.shape[1]
    assert LeastSquares(Design(X), y, None, np.zeros(p), True).single_capable
    assert not LeastSquares(Design(X.astype(np.float64, order="F")), y, None, np.zeros(p),
                            True).single_capable
    assert not LeastSquares(Design(X), y, np.ones(len(y)), np.zeros(p), True).single_capable
    # numbers float32 would overflow on: y of 1e20, a column of 1e-20
    assert not LeastSquares(Design(X), 1e20 * y, None, np.zeros(p), True).single_capable
    tiny = X.copy(order="F")
    tiny[:, 3] *= np.float32(1e-20)
    assert not LeastSquares(Design(tiny), y, None, np.zeros(p), True).single_capable


@pytest.mark.parametrize("y_scale, column_scale", [(1e20, 1.0), (1.0, 1e-20), (1e-20, 1.0)])
def test_float32_x_at_extreme_scales_fits_as_float64_x(y_scale, column_scale):
    from sklreg import Lasso
    X, y = _problem(False, seed=2, n=100, p=50)
    X[:, 0] *= np.float32(column_scale)
    y = y * y_scale
    alpha = _alpha(X, y, 20)
    fit32 = Lasso(alpha=alpha, tol=1e-8).fit(X, y)
    fit64 = Lasso(alpha=alpha, tol=1e-8).fit(X.astype(np.float64), y)
    assert np.all(np.isfinite(fit32.coef_))
    np.testing.assert_allclose(fit32.coef_, fit64.coef_, rtol=1e-4,
                               atol=1e-4 * np.abs(fit64.coef_).max())


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("relative_tol", [1e-4, 1e-6, 1e-12])
def test_the_gap_that_stops_float32_passes_is_float64s(sparse, relative_tol):
    """The returned gap and gradient are those of a fresh float64 datafit at
    the returned w, also where the target is beyond float32's reach."""
    X, y = _problem(sparse)
    p = X.shape[1]
    datafit = LeastSquares(Design(X), y, None, np.zeros(p), True)
    penalty = L1L2(np.full(p, _alpha(X, y, 20)), np.zeros(p))
    w = np.zeros(p)
    tol = relative_tol * datafit.primal_at_zero
    ws = np.arange(p, dtype=np.intc)
    epochs, gap, primal, _, _, gradient = cd_epochs(datafit, penalty, w, ws, 10_000, tol,
                                                   10, 0, True)
    assert epochs < 10_000 and gap <= tol and not datafit.single
    fresh = LeastSquares(Design(X), y, None, w, True)
    ref_gap, ref_primal, v = fresh.full_gap(penalty, w)
    np.testing.assert_allclose(gradient, v, rtol=1e-9, atol=1e-12 * np.abs(v).max())
    np.testing.assert_allclose(primal, ref_primal, rtol=1e-12)
    assert ref_gap <= tol * (1 + 1e-6) + fresh.gap_resolution
    # the datafit's residual is float64's at w, not float32's
    np.testing.assert_allclose(datafit.residual(), fresh.residual(), rtol=0,
                               atol=1e-12 * np.abs(y).max())


def test_float32_fits_reach_float64s_objective():
    """A float32 fit at tol is within tol * P(0) of the float64 optimum."""
    from sklreg import Lasso
    X, y = _problem(False, seed=1)
    alpha = _alpha(X, y, 50)
    X64 = np.asfortranarray(X.astype(np.float64))
    best = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X64, y)

    def objective(m):
        r = y - X64 @ m.coef_.astype(np.float64) - m.intercept_
        return 0.5 * r @ r / len(y) + alpha * np.abs(m.coef_.astype(np.float64)).sum()

    p0 = 0.5 * np.var(y)
    for tol in [1e-4, 1e-8]:
        fit = Lasso(alpha=alpha, tol=tol).fit(X, y)
        assert fit.coef_.dtype == np.float32
        assert objective(fit) - objective(best) <= tol * p0
        assert fit.dual_gap_ <= tol * p0
