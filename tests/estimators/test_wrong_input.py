"""Wrong input, all at once: every estimator x every wrong input of DESIGN §5.

Each case must raise the documented ValueError/TypeError naming the
parameter, before any work, and leave the caller's arrays untouched.
tests/estimators/test_input.py holds the Lasso-specific cases (selection,
penalty_factor, string X, sparse index types); this table generalises the
DESIGN §5 list to every estimator, the cross-validated ones included.
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn.exceptions import ConvergenceWarning

from tests.conftest import ESTIMATORS as REGISTRY
from tests.conftest import estimator_names, make_problem

X0, Y0, S0 = make_problem(24, 5, weights=True)

# every 1-D estimator of the registry, built by its factory of small params
ESTIMATORS = {name: REGISTRY[name].make for name in estimator_names("fit", "cv", "ic")}
CV = set(estimator_names("cv", "ic"))                # they take a grid of alphas


def with_value(a, index, value):
    a = np.array(a, dtype=float, copy=True)
    a[index] = value
    return a


# data cases: (case, X, y, sample_weight, message naming the culprit)
DATA = [
    ("nan in X", with_value(X0, (0, 0), np.nan), Y0, None, "X"),
    ("inf in X", with_value(X0, (1, 2), np.inf), Y0, None, "X"),
    ("-inf in X", with_value(X0, (1, 2), -np.inf), Y0, None, "X"),
    ("nan in sparse X", sp.csc_matrix(with_value(X0, (0, 0), np.nan)), Y0, None, "X"),
    ("inf in sparse CSR X", sp.csr_matrix(with_value(X0, (3, 1), np.inf)), Y0, None, "X"),
    ("nan in y", X0, with_value(Y0, 3, np.nan), None, "y"),
    ("inf in y", X0, with_value(Y0, 3, np.inf), None, "y"),
    ("nan in sample_weight", X0, Y0, with_value(S0, 0, np.nan), "sample_weight"),
    ("inf in sample_weight", X0, Y0, with_value(S0, 0, np.inf), "sample_weight"),
    ("negative sample_weight", X0, Y0, with_value(S0, 0, -1.0), "sample_weight"),
    ("all-zero sample_weight", X0, Y0, np.zeros(24), "sample_weight"),
    ("sample_weight of wrong length", X0, Y0, S0[:5], "sample_weight"),
    ("y of wrong length", X0, Y0[:7], None, "inconsistent"),
    ("X 1-D", X0[:, 0], Y0, None, "2D array"),
    ("empty X", np.empty((0, 5)), np.empty(0), None, "0 sample"),
    ("X with no columns", np.empty((24, 0)), Y0, None, "0 feature"),
]

# parameter cases: (case, {estimator: params}, message); an estimator absent
# from the dict does not have the parameter
ALPHA = {name: {"alpha": -1.0} for name in ESTIMATORS if name not in CV}
ALPHAS = {name: {"alphas": [1.0, -1.0]} for name in CV}
PARAMS = [
    ("negative alpha", ALPHA, "alpha"),
    ("negative alpha in the grid", ALPHAS, "alpha"),
    ("quantile 0", {"QuantileRegressor": {"quantile": 0.0},
                    "QuantileRegressorCV": {"quantile": 0.0}}, "quantile"),
    ("quantile 1", {"QuantileRegressor": {"quantile": 1.0},
                    "QuantileRegressorCV": {"quantile": 1.0}}, "quantile"),
    ("quantile above 1", {"QuantileRegressor": {"quantile": 1.5},
                          "QuantileRegressorCV": {"quantile": 1.5}}, "quantile"),
    ("epsilon below 1", {"HuberRegressor": {"epsilon": 0.5},
                         "HuberRegressorCV": {"epsilon": 0.5}}, "epsilon"),
    ("l1_ratio above 1", {name: {"l1_ratio": 1.5} for name in
                          ("ElasticNet", "HuberRegressor", "QuantileRegressor",
                           "ElasticNetCV", "HuberRegressorCV", "QuantileRegressorCV")},
     "l1_ratio"),
    ("l1_ratio below 0", {name: {"l1_ratio": -0.1} for name in
                          ("ElasticNet", "HuberRegressor", "QuantileRegressor",
                           "ElasticNetCV", "HuberRegressorCV", "QuantileRegressorCV")},
     "l1_ratio"),
    ("negative tol", {name: {"tol": -1.0} for name in ESTIMATORS if name != "RidgeCV"},
     "tol"),
    ("max_iter zero", {name: {"max_iter": 0} for name in ESTIMATORS if name != "RidgeCV"},
     "max_iter"),
]

CASES = (
    [pytest.param(name, {}, X, y, s, match, id=f"{name}-{case}")
     for name in ESTIMATORS for case, X, y, s, match in DATA]
    + [pytest.param(name, per[name], X0, Y0, S0, match, id=f"{name}-{case}")
       for case, per, match in PARAMS for name in ESTIMATORS if name in per]
)


def _snapshot(*arrays):
    return [a.copy() if a is not None else None for a in arrays]


def _unchanged(before, after):
    for a, b in zip(before, after):
        if a is None:
            continue
        if sp.issparse(a):
            assert a.format == b.format
            np.testing.assert_array_equal(a.toarray(), b.toarray())
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name, params, X, y, s, match", CASES)
def test_wrong_input_raises_naming_the_parameter(name, params, X, y, s, match):
    est = ESTIMATORS[name](**params)
    before = _snapshot(X, y, s)
    with pytest.raises((ValueError, TypeError), match=match):
        est.fit(X, y, sample_weight=s)
    _unchanged(before, (X, y, s))
    assert not hasattr(est, "coef_")            # raised before any work


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_valid_fit_never_modifies_the_callers_arrays(name, layout, dtype):
    X, y, s = make_problem(30, 6, dtype=dtype, weights=True, shift=1.0)
    X = {"C": np.ascontiguousarray, "F": np.asfortranarray,
         "csr": sp.csr_matrix, "csc": sp.csc_matrix}[layout](X)
    before = _snapshot(X, y, s)
    est = ESTIMATORS[name]()
    params = est.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, sample_weight=s)
    _unchanged(before, (X, y, s))
    if not sp.issparse(X):
        assert X.flags.c_contiguous == (layout == "C")
    assert {k: v for k, v in est.get_params().items()} == params


@pytest.mark.parametrize("alphas", [[1.0, -1.0], [np.nan], [np.inf, 1.0]])
def test_path_rejects_a_wrong_alpha_grid(alphas):
    from sklreg import Lasso, regularization_path
    with pytest.raises(ValueError, match="alphas"):
        regularization_path(Lasso(), X0, Y0, alphas=alphas)
