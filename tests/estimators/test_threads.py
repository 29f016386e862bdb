"""Fits in concurrent threads equal sequential fits, bit for bit.

The compiled kernels (coordinate descent, the interior point's products)
run without the GIL and keep all their state in the solver's own objects, so
estimators fitted in parallel threads on shared read-only X must not
interfere: same coefficients, intercepts, gaps and iteration counts.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone

from sklreg import ElasticNet, HuberRegressor, Lasso, LassoCV, QuantileRegressor, Ridge
from tests.conftest import ESTIMATORS as REGISTRY
from tests.conftest import estimator_names, make_problem


def _jobs():
    X, y, s = make_problem(200, 60, weights=True, seed=3)
    Xs, ys, _ = make_problem(200, 60, sparse=True, seed=4)
    X32 = X.astype(np.float32)
    models = [Lasso(alpha=0.02, tol=1e-8), ElasticNet(alpha=0.02, l1_ratio=0.5, tol=1e-8),
              Ridge(alpha=1.0, solver="cd", tol=1e-8), HuberRegressor(alpha=1e-3, tol=1e-8),
              HuberRegressor(alpha=0.05, l1_ratio=1.0, tol=1e-7),
              QuantileRegressor(quantile=0.7, alpha=0.01, tol=1e-8),
              LassoCV(cv=3, alphas=8, n_jobs=1)]
    # and every other estimator of the registry, at its small parameters
    covered = {type(model).__name__ for model in models}
    models += [REGISTRY[name].make() for name in estimator_names("fit", "cv", "ic")
               if name not in covered]
    multitask = [REGISTRY[name].make() for name in estimator_names(multitask=True)]
    jobs = []
    for model in models:                  # the same X object shared by every thread
        jobs += [(model, X, y, s), (model, Xs, ys, None), (model, X32, y, None)]
    Y, Ys = np.column_stack([y, 0.5 * y + X[:, 0]]), np.column_stack([ys, -ys])
    for model in multitask:
        jobs += [(model, X, Y, s), (model, Xs, Ys, None), (model, X32, Y, None)]
    return jobs


def _fit(job):
    model, X, y, s = job
    return clone(model).fit(X, y, sample_weight=s)


def _state(est):
    return (np.asarray(est.coef_), np.asarray(est.intercept_),
            np.asarray(est.dual_gap_), np.asarray(est.n_iter_, dtype=float))


@pytest.mark.parametrize("n_threads", [2, 4])
def test_concurrent_fits_equal_sequential_fits_bit_for_bit(n_threads):
    jobs = _jobs()
    sequential = [_state(_fit(job)) for job in jobs]
    with ThreadPoolExecutor(n_threads) as pool:
        concurrent = [_state(est) for est in pool.map(_fit, jobs)]
    for one, other in zip(sequential, concurrent):
        for a, b in zip(one, other):
            np.testing.assert_array_equal(a, b)


def test_ridge_closed_form_uses_the_idle_cores_blas_threads(monkeypatch):
    """Issue 26: Ridge's whole solve ran under a one-thread request, which
    holds over the Gram product's request for more (the smallest wins), so
    its syrk and passes ran on one thread where scikit-learn's use every
    core.  The closed forms now ask for the threads ``gram_threads`` allows
    (the load-average rule, here pinned to 2); the compiled solvers for one."""
    import sklreg.problems._ridge as problems_ridge
    from sklreg import Ridge
    from sklreg.utils._blas import blas_threads
    monkeypatch.setattr(problems_ridge, "gram_threads", lambda: 2)
    requests = []

    def recording(n_threads):
        requests.append(n_threads)
        return blas_threads(n_threads)

    monkeypatch.setattr(problems_ridge, "blas_threads", recording)
    monkeypatch.setattr(problems_ridge, "single_threaded_blas", lambda: recording(1))
    X, y, _ = make_problem(100, 300)
    Ridge(alpha=1.0, solver="cholesky").fit(X, y)
    assert requests == [2]
    Ridge(alpha=1.0, solver="cd").fit(X, y)
    assert requests == [2, 1]
