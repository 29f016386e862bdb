"""HuberRegressor on columns with a large mean (issue 28, item 3).

A column ``x + 10**k`` (a timestamp-like feature) must give the fit of the
column ``x`` (the intercept absorbs the offset) on every route -- Newton
(dense, ridge), the majoriser (sparse, an L1 part) and the sigma -> 0 face
(more features than samples) -- and its certificate must bound its true
suboptimality.  The reference is cvxpy on the same stored values, shifted
back exactly (``(x + 10**k) - 10**k`` is exact in floating point).
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sklreg import HuberRegressor
from sklreg.utils.reference import huber_objective, huber_optimum

TOL = 1e-8

# route: (n, p, alpha, l1_ratio, sparse, zeros in X)
ROUTES = {
    "dense": (200, 5, 1e-4, 0.0, False, False),
    "sparse": (200, 5, 1e-4, 0.0, True, True),
    "dense copy of sparse": (200, 5, 1e-4, 0.0, False, True),
    "l1 dense": (200, 5, 20.0, 1.0, False, False),
    "l1 sparse": (200, 5, 20.0, 1.0, True, True),
    "l1+l2": (200, 5, 5.0, 0.5, False, False),
    "p > n": (30, 60, 1.0, 0.0, False, False),
    "p > n, l1": (30, 60, 2.0, 1.0, False, False),
}


def offset_problem(n, p, k, zeros, seed=0):
    """(X with column 0 offset by 10**k, the same X shifted back exactly, y)."""
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, p))
    if zeros:
        X0[rng.random((n, p)) < 0.5] = 0.0
    beta = np.zeros(p)
    beta[:5] = [1.0, -2.0, 0.5, 0.0, 3.0]
    y = X0 @ beta + 0.1 * rng.standard_normal(n)
    y[: n // 20] += 20.0                        # gross outliers
    X = X0.copy()
    X[:, 0] += 10.0 ** k
    back = X.copy()
    back[:, 0] -= 10.0 ** k                      # exact (Sterbenz)
    return X, back, y


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")    # cvxpy's, p > n
@pytest.mark.parametrize("k", [4, 6, 7, 8, 10])
@pytest.mark.parametrize("route", list(ROUTES))
def test_offset_column_certified_and_right(route, k):
    pytest.importorskip("cvxpy")
    n, p, alpha, l1_ratio, sparse, zeros = ROUTES[route]
    X, back, y = offset_problem(n, p, k, zeros)
    est = fit(sp.csc_matrix(X) if sparse else X, y, alpha, l1_ratio, TOL)
    # the conic solver is ~1e-8 off where the scale goes to zero (p > n):
    # our own certified fit on the shifted-back data may be better still
    best = min(huber_optimum(back, y, None, est.epsilon, alpha, l1_ratio),
               objective(fit(back, y, alpha, l1_ratio, 1e-12), back, y, 0))
    ours = objective(est, back, y, k)
    # intercept_ rounds at ~1e-16 of 10**k: what that costs the objective, to
    # second order where the datafit is smooth (its curvature in the
    # intercept is at most 2 n / scale), to first order (the datafit is 2
    # epsilon-Lipschitz in each residual) where the scale goes to zero
    db = 4 * np.finfo(float).eps * (abs(est.intercept_) + 10.0 ** k * abs(est.coef_[0]))
    rounding = min(2 * est.epsilon * n * db, n * db * db / est.scale_)
    slack = 1e-9 * abs(best) + rounding
    assert ours - best <= TOL * abs(best) + slack, (ours - best, est.dual_gap_)
    # the certificate never understates the suboptimality
    assert ours - best <= est.dual_gap_ + slack, (ours - best, est.dual_gap_)


def fit(X, y, alpha, l1_ratio, tol):
    est = HuberRegressor(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return est.fit(X, y)


def objective(est, back, y, k):
    """est's objective on the data shifted back (its intercept moved by
    10**k times the first coefficient)."""
    return huber_objective(back, y, est.coef_, est.intercept_ + 10.0 ** k * est.coef_[0],
                           est.scale_, est.epsilon, est.alpha, est.l1_ratio)
