"""Wrong input gets a clear error naming the parameter; inputs are never modified."""
import numpy as np
import pytest
import scipy.sparse as sp

from sklreg import ElasticNet, HuberRegressor, Lasso, alpha_max, lasso_path
from tests.conftest import make_problem

X0, Y0, S0 = make_problem(20, 5, weights=True)


def with_value(a, index, value):
    a = np.array(a, dtype=float, copy=True)
    a[index] = value
    return a


# (case, estimator, X, y, sample_weight, exception, message naming the culprit)
WRONG = [
    ("nan in X", Lasso(), with_value(X0, (0, 0), np.nan), Y0, None, ValueError, "X"),
    ("inf in X", Lasso(), with_value(X0, (1, 2), np.inf), Y0, None, ValueError, "X"),
    ("nan in sparse X", Lasso(), sp.csc_matrix(with_value(X0, (0, 0), np.nan)), Y0, None,
     ValueError, "X"),
    ("nan in y", Lasso(), X0, with_value(Y0, 3, np.nan), None, ValueError, "y"),
    ("inf in y", Lasso(), X0, with_value(Y0, 3, np.inf), None, ValueError, "y"),
    ("nan in weights", Lasso(), X0, Y0, with_value(S0, 0, np.nan), ValueError,
     "sample_weight"),
    ("negative weight", Lasso(), X0, Y0, with_value(S0, 0, -1.0), ValueError,
     "sample_weight"),
    ("all-zero weights", Lasso(), X0, Y0, np.zeros(20), ValueError, "sample_weight"),
    ("weights of wrong length", Lasso(), X0, Y0, S0[:5], ValueError, "sample_weight"),
    ("y of wrong length", Lasso(), X0, Y0[:7], None, ValueError, "inconsistent"),
    ("X 1-D", Lasso(), X0[:, 0], Y0, None, ValueError, "2D array"),
    ("empty X", Lasso(), np.empty((0, 5)), np.empty(0), None, ValueError, "0 sample"),
    ("X with no columns", Lasso(), np.empty((20, 0)), Y0, None, ValueError, "0 feature"),
    ("negative alpha", Lasso(alpha=-1.0), X0, Y0, None, ValueError, "alpha"),
    ("l1_ratio above 1", ElasticNet(l1_ratio=1.5), X0, Y0, None, ValueError, "l1_ratio"),
    ("l1_ratio below 0", ElasticNet(l1_ratio=-0.1), X0, Y0, None, ValueError, "l1_ratio"),
    ("negative tol", Lasso(tol=-1.0), X0, Y0, None, ValueError, "tol"),
    ("max_iter zero", Lasso(max_iter=0), X0, Y0, None, ValueError, "max_iter"),
    ("unknown selection", Lasso(selection="greedy"), X0, Y0, None, ValueError, "selection"),
    ("penalty_factor negative", Lasso(penalty_factor=[1, 1, -1, 1, 1]), X0, Y0, None,
     ValueError, "penalty_factor"),
    ("penalty_factor wrong length", Lasso(penalty_factor=[1, 1]), X0, Y0, None,
     ValueError, "penalty_factor"),
    ("huber epsilon below 1", HuberRegressor(epsilon=0.5), X0, Y0, None, ValueError,
     "epsilon"),
    ("huber negative alpha", HuberRegressor(alpha=-1.0), X0, Y0, None, ValueError, "alpha"),
    ("huber l1_ratio above 1", HuberRegressor(l1_ratio=2.0), X0, Y0, None, ValueError,
     "l1_ratio"),
    ("huber max_iter zero", HuberRegressor(max_iter=0), X0, Y0, None, ValueError, "max_iter"),
    ("huber negative tol", HuberRegressor(tol=-1.0), X0, Y0, None, ValueError, "tol"),
    ("huber positive not bool", HuberRegressor(positive="yes"), X0, Y0, None, ValueError,
     "positive"),
    ("huber 2-D y", HuberRegressor(), X0, np.c_[Y0, Y0], None, ValueError, "1d array"),
    ("huber nan in weights", HuberRegressor(), X0, Y0, with_value(S0, 0, np.nan),
     ValueError, "sample_weight"),
    ("string X", Lasso(), np.array([["a"] * 5] * 20), Y0, None, ValueError, "float"),
]


@pytest.mark.parametrize("case, est, X, y, s, exc, match", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_input_raises_naming_the_parameter(case, est, X, y, s, exc, match):
    with pytest.raises(exc, match=match):
        est.fit(X, y, sample_weight=s)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_unchanged_after_fit(sparse, dtype):
    X, y, s = make_problem(30, 8, sparse=sparse, dtype=dtype, weights=True)
    if not sparse:
        X = np.ascontiguousarray(X)      # C order: the fit must not reorder it in place
    X_before = X.copy()
    y_before, s_before = y.copy(), s.copy()
    est = Lasso(alpha=0.01).fit(X, y, sample_weight=s)
    lasso_path(X, y, alphas=5)
    alpha_max(est, X, y, sample_weight=s)
    if sparse:
        assert (X != X_before).nnz == 0
        assert X.format == X_before.format
    else:
        np.testing.assert_array_equal(X, X_before)
        assert X.flags.c_contiguous
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(s, s_before)
    assert est.get_params()["alpha"] == 0.01


def test_single_sample_fits():
    est = Lasso(alpha=0.1).fit(np.array([[1.0, 2.0]]), [3.0])
    np.testing.assert_array_equal(est.coef_, [0.0, 0.0])
    assert est.intercept_ == 3.0


def test_p_much_larger_than_n_fits():
    X, y, _ = make_problem(10, 2000)
    est = Lasso(alpha=0.01, tol=1e-8, max_iter=10_000).fit(X, y)
    assert np.count_nonzero(est.coef_) <= 10
    assert np.all(np.isfinite(est.coef_))


def test_sparse_csr_and_int64_indices_fit():
    X, y, _ = make_problem(40, 10, sparse=True)
    csr = sp.csr_matrix(X)
    wide = sp.csc_matrix(X)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    ref = Lasso(alpha=0.01, tol=1e-12).fit(X, y)
    for variant in (csr, wide):
        got = Lasso(alpha=0.01, tol=1e-12).fit(variant, y)
        np.testing.assert_allclose(got.coef_, ref.coef_, atol=1e-10)
