"""Ridge 'auto': the work it does (copies, passes) and the answers it gives."""
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk

from sklreg import Ridge, RidgeCV


@pytest.mark.parametrize("n, p", [(3000, 200), (200, 3000)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_closed_forms_take_dense_X_in_either_order_without_a_copy(n, p, order):
    """The closed forms work on C- and Fortran-ordered X alike: a C-ordered
    X is not copied into Fortran order (the peak memory of the fit stays far
    below the size of X), and the answer is scikit-learn's."""
    rng = np.random.default_rng(0)
    X = np.asarray(rng.standard_normal((n, p)), order=order)
    y = X[:, :3].sum(axis=1) + rng.standard_normal(n)
    before = X.copy()
    for est in (Ridge(), Ridge(solver="cholesky"), Ridge(solver="sparse_cg", tol=1e-12)):
        tracemalloc.start()
        try:
            est.fit(X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 0.5 * X.nbytes, (est.solver, peak / X.nbytes)
        reference = sk.Ridge(solver="svd").fit(X, y)
        scale = np.abs(reference.coef_).max()
        np.testing.assert_allclose(est.coef_, reference.coef_, rtol=0, atol=1e-9 * scale)
    np.testing.assert_array_equal(X, before)
    assert X.flags.c_contiguous == (order == "C")


def test_positive_ridge_still_gets_fortran_X():
    """The compiled solvers ('cd' for positive=True) read Fortran columns."""
    rng = np.random.default_rng(1)
    X = np.ascontiguousarray(rng.standard_normal((200, 8)))
    y = X @ np.abs(rng.standard_normal(8)) + 0.1 * rng.standard_normal(200)
    est = Ridge(alpha=1.0, positive=True, tol=1e-10).fit(X, y)
    ref = sk.Ridge(alpha=1.0, positive=True, solver="lbfgs", tol=1e-12,
                   max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-5)


def test_ridgecv_takes_c_ordered_X():
    rng = np.random.default_rng(2)
    X = np.ascontiguousarray(rng.standard_normal((80, 6)))
    y = X[:, 0] + rng.standard_normal(80)
    ours = RidgeCV(alphas=np.geomspace(1e-2, 1e2, 9)).fit(X, y)
    theirs = sk.RidgeCV(alphas=np.geomspace(1e-2, 1e2, 9)).fit(X, y)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)


def test_auto_on_small_sparse_X_is_cg_at_least_as_accurate_as_sklearn():
    """On sparse X a CG iteration costs 2 nnz, not 2 n p: with 10 stored
    values per row of 2000 columns, conjugate gradients cost far less than
    the dense 2000 x 2000 Gram, so 'auto' runs them, to the 'sparse_cg'
    rule (scikit-learn's 'auto' is its 'sparse_cg' at tol on sparse X):
    certified at tol, and at every tol at least as close to the optimum as
    scikit-learn's Ridge() (whose 'auto' is 'sparse_cg' here)."""
    from sklreg.utils.reference import ridge_objective
    rng = np.random.default_rng(3)
    X = sp.random(5000, 2000, density=0.005, format="csc", random_state=rng)
    y = X @ rng.standard_normal(2000) + rng.standard_normal(5000)
    ref = Ridge(alpha=1.0, solver="cholesky").fit(X, y)
    best = ridge_objective(X, y, ref.coef_, ref.intercept_, 1.0)
    p0 = ((y - y.mean()) ** 2).sum()
    for tol in (1e-2, 1e-4, 1e-8):
        est = Ridge(alpha=1.0, tol=tol).fit(X, y)
        assert est.solver_ == "sparse_cg"
        ours = ridge_objective(X, y, est.coef_, est.intercept_, 1.0) - best
        assert ours <= est.dual_gap_ + 1e-12 * p0 and est.dual_gap_ <= tol * p0
        theirs = sk.Ridge(alpha=1.0, tol=tol).fit(X, y)
        assert ours <= ridge_objective(X, y, theirs.coef_, theirs.intercept_, 1.0) - best \
            + 1e-12 * p0
        assert np.linalg.norm(est.coef_ - ref.coef_) <= np.linalg.norm(theirs.coef_ - ref.coef_) \
            + 1e-10 * np.linalg.norm(ref.coef_)


def test_cg_budget_counts_stored_values_on_sparse_X():
    from sklreg.problems._ridge import cg_budget
    # a sparse X with two values per row: the Gram (dense, 2000 x 2000) is
    # worth far more iterations than on dense X of the same shape
    assert cg_budget((5000, 2000), nnz=10_000) > 10 * cg_budget((5000, 2000))


@pytest.mark.parametrize("n, p", [(4000, 400), (400, 4000)])
def test_auto_skips_a_cg_trial_that_cannot_fit_its_budget(n, p, monkeypatch):
    """Independent Gaussian columns are the best conditioned data of a shape
    short of orthogonal ones, yet at alpha = 1 their spectrum (Marchenko-
    Pastur) is too spread for CG to reach Cholesky's accuracy within the
    budget: 'auto' goes straight to Cholesky, with no CG product at all
    (it used to spend 3 iterations, 6 passes over X, first).  Passes over X
    counted: one X^T y on n >> p; the kernel's mean, the centring and the
    refined kernel solution (5) on p >> n.  The answer is scikit-learn's."""
    from sklreg.solvers import _centred
    rng = np.random.default_rng(4)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :5].sum(axis=1) + rng.standard_normal(n)
    products = []
    times64 = _centred.times64
    monkeypatch.setattr(_centred, "times64", lambda *a, **k: products.append(1) or times64(*a, **k))
    est = Ridge(alpha=1.0).fit(X, y)
    assert est.solver_ == "cholesky"
    assert len(products) == (1 if n > p else 5)
    reference = sk.Ridge(alpha=1.0, solver="svd").fit(X, y)
    np.testing.assert_allclose(est.coef_, reference.coef_, rtol=0,
                               atol=1e-10 * np.abs(reference.coef_).max())
    assert est.dual_gap_ <= 1e-12 * ((y - y.mean()) ** 2).sum()
