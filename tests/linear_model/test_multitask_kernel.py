"""The multi-task block kernel's products against NumPy, on every storage
of X, and its screening against the reference optimum."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk

from sklreg import MultiTaskLasso
from sklreg.linear_model._multitask_problem import MultiTaskProblem
from sklreg.utils.validation import validate_X_y


def data(offset_column, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 12))
    X[rng.random(X.shape) < 0.5] = 0.0
    X[:, 3] += offset_column      # a column whose mean dominates its spread
    Y = rng.standard_normal((60, 4)) + 5.0
    return X, Y, rng.uniform(0.1, 3.0, 60)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradients_and_residual_are_numpys(sparse, dtype, weights, fit_intercept):
    X, Y, s = data(offset_column=1e4)
    s = s if weights else None
    X = X.astype(dtype)
    model = MultiTaskLasso(fit_intercept=fit_intercept)
    Xv, Yv, sv = validate_X_y(model, sp.csc_matrix(X) if sparse else X, Y, s)
    problem = MultiTaskProblem(model, Xv, Yv, sv)
    w = np.ones(len(Y)) if s is None else s
    X64 = X.astype(np.float64)
    mu = w @ X64 / w.sum() if fit_intercept else np.zeros(X.shape[1])
    Xc = X64 - mu
    Yc = Y - (w @ Y / w.sum() if fit_intercept else 0.0)
    W = np.random.default_rng(1).standard_normal((X.shape[1], Y.shape[1]))
    R = problem.residual(W)
    np.testing.assert_allclose(R, Yc - Xc @ W, rtol=1e-9, atol=1e-9 * np.abs(Yc).max())
    assert R.flags.f_contiguous
    G = problem.gradients(np.asfortranarray(Yc - Xc @ W))
    expected = Xc.T @ (w[:, None] * (Yc - Xc @ W)) / w.sum()
    np.testing.assert_allclose(G, expected, rtol=1e-7, atol=1e-9 * np.abs(expected).max())


@pytest.mark.parametrize("sparse", [False, True])
def test_screened_fit_on_wide_data_is_at_the_optimum(sparse):
    # p >> n and a large alpha: most rows are screened out before the end
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 400))
    Y = X[:, :3] @ rng.standard_normal((3, 5)) + 0.1 * rng.standard_normal((40, 5))
    tight = sk.MultiTaskLasso(alpha=0.3, tol=1e-14, max_iter=10**5).fit(X, Y)
    fit = MultiTaskLasso(alpha=0.3, tol=1e-10).fit(sp.csc_matrix(X) if sparse else X, Y)
    assert fit.dual_gap_ <= fit.eps_
    np.testing.assert_allclose(fit.coef_, tight.coef_, atol=1e-6)
    assert 0 < np.count_nonzero(np.linalg.norm(fit.coef_, axis=0)) < 40
