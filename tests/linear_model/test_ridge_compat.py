"""Ridge and RidgeCV as drop-ins for scikit-learn's (issue 22 items 7, 10 and
the solver names): shapes, parameter checks and scikit-learn's solver names.

References are scikit-learn itself (shapes, error types) and independent
solves (numpy lstsq, scipy's bounded least squares).
"""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import lsq_linear
from sklearn import linear_model as sk

from sklreg import Ridge, RidgeCV


def data(n=30, p=6, k=None, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X @ rng.randn(p) + rng.randn(n) + 3.0
    return X, (y if k is None else np.column_stack([y + j for j in range(k)]))


def exact_ridge(X, y, alpha, positive=False):
    """Ridge with intercept by (bounded) least squares on [Xc; sqrt(alpha) I]."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([yc, np.zeros(X.shape[1])])
    if positive:
        w = lsq_linear(A, b, bounds=(0, np.inf), tol=1e-15, method="bvls").x
    else:
        w = np.linalg.lstsq(A, b, rcond=None)[0]
    return w, y.mean() - X.mean(axis=0) @ w


@pytest.mark.parametrize("solver", ["sag", "saga", "lbfgs"])
@pytest.mark.parametrize("sparse", [False, True])
def test_scikit_learn_solver_names_run_and_say_what_ran(solver, sparse):
    X, y = data()
    Xf = sp.csr_matrix(X) if sparse else X
    est = Ridge(alpha=2.0, solver=solver, tol=1e-10).fit(Xf, y)
    assert est.solver_ in ("cholesky", "sparse_cg", "lsqr", "svd", "eigen")
    w, b = exact_ridge(X, y, 2.0)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.intercept_, b, rtol=1e-8)


@pytest.mark.parametrize("solver", ["lbfgs", "auto"])
def test_positive_with_lbfgs_name(solver):
    X, y = data(seed=3)
    y = y - 2 * X[:, 0]                     # so that the bound is active
    est = Ridge(alpha=1.0, solver=solver, positive=True, tol=1e-10).fit(X, y)
    assert est.solver_ == "cd"
    w, b = exact_ridge(X, y, 1.0, positive=True)
    assert np.any(w == 0)
    np.testing.assert_allclose(est.coef_, w, atol=1e-7)
    np.testing.assert_allclose(est.intercept_, b, atol=1e-7)


@pytest.mark.parametrize("solver", ["svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"])
def test_positive_with_other_solvers_is_an_error(solver):
    X, y = data()
    with pytest.raises(ValueError, match="does not support positive"):
        Ridge(positive=True, solver=solver).fit(X, y)
    with pytest.raises(ValueError, match="does not support positive"):
        sk.Ridge(positive=True, solver=solver).fit(X, y)


@pytest.mark.parametrize("make", [
    lambda m: m.Ridge(),
    lambda m: m.Ridge(solver="lsqr"),
    lambda m: m.RidgeCV(),
    lambda m: m.RidgeCV(cv=3),
    lambda m: m.RidgeCV(alpha_per_target=True, store_cv_results=True),
])
def test_column_y_shapes_as_scikit_learn(make):
    """Issue 22.7: y of shape (n, 1) gives scikit-learn's shapes."""
    X, y = data()
    Y1 = y[:, None]
    ours, theirs = make(__import__("sklreg")).fit(X, Y1), make(sk).fit(X, Y1)
    for name in ("coef_", "intercept_", "alpha_", "best_score_", "cv_results_"):
        if hasattr(theirs, name) and not isinstance(getattr(theirs, name), dict):
            assert np.shape(getattr(ours, name)) == np.shape(getattr(theirs, name)), name
    assert ours.predict(X).shape == theirs.predict(X).shape == (len(y),)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6)


@pytest.mark.parametrize("alphas, error, message, as_scikit_learn", [
    ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str", True),
    ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be > 0.0", True),
    ((0.0, 1.0), ValueError, r"alphas\[0\] == 0.0, must be > 0.0", True),
    ([0.0], ValueError, r"alphas == 0.0, must be > 0.0", True),
    ((1.0, np.nan), ValueError, r"alphas\[1\] == nan, must be finite", False),
    ((1.0, np.inf), ValueError, r"alphas\[1\] == inf, must be finite", False),
])
def test_ridgecv_alphas_checked_entry_by_entry(alphas, error, message, as_scikit_learn):
    """Issue 22.10: RidgeCV's alphas are checked as scikit-learn checks them
    (which lets NaN and inf through; they are errors here)."""
    X, y = data()
    with pytest.raises(error, match=message):
        RidgeCV(alphas=alphas).fit(X, y)
    if as_scikit_learn:
        with pytest.raises(error, match=message):
            sk.RidgeCV(alphas=list(alphas)).fit(X, y)


def test_ridgecv_zero_alpha_allowed_with_folds():
    X, y = data()
    est = RidgeCV(alphas=(0.0, 1.0), cv=3).fit(X, y)
    assert est.alpha_ in (0.0, 1.0)


def test_ridge_alpha_array_checks():
    X, y = data(k=2)
    with pytest.raises(TypeError, match=r"alpha\[1\] must be an instance of float"):
        Ridge(alpha=[1.0, "a"]).fit(X, y)
    with pytest.raises(ValueError, match=r"alpha\[0\] == -1"):
        Ridge(alpha=[-1.0, 1.0]).fit(X, y)
    est = Ridge(alpha=(1.0, 2.0)).fit(X, y)              # a tuple is array-like
    for k, alpha in enumerate((1.0, 2.0)):
        np.testing.assert_allclose(est.coef_[k], exact_ridge(X, y[:, k], alpha)[0],
                                   rtol=1e-8)


def test_messages_scikit_learn_tests_match():
    X, y = data(k=2)
    with pytest.raises(ValueError, match="cv!=None and store_cv_results"):
        RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="cv!=None and alpha_per_target=True are incompatible"):
        RidgeCV(cv=3, alpha_per_target=True).fit(X, y)
    with pytest.raises(ValueError, match="Sample weights must be 1D array or scalar"):
        Ridge().fit(X, y, sample_weight=np.ones((len(y), 1)))
    with pytest.warns(FutureWarning, match="'svd' mode is not supported for sparse X"):
        RidgeCV(gcv_mode="svd").fit(sp.csr_matrix(X), y)
    with pytest.raises(ValueError, match="solver='svd' does not support"):
        Ridge(solver="svd").fit(sp.csr_matrix(X), y)
