"""Parallel folds: BLAS single-threaded inside every worker, whatever joblib
backend runs them, and every ``*CV`` working (and picklable) under each."""
import joblib
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from sklreg import RidgeCV
from tests.conftest import ESTIMATORS as REGISTRY
from tests.conftest import estimator_names, make_problem


def blas_threads():
    return max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")


def blas_threads_score(estimator, X, y, sample_weight=None):
    """A 'scorer' reporting the BLAS thread count where the fold is scored
    (the fold's loss becomes minus that count)."""
    return float(blas_threads())


# every 1-D CV estimator of the registry, on few alphas and 3 folds
OVERRIDES = {"LassoCV": dict(alphas=4), "ElasticNetCV": dict(l1_ratio=[0.5, 0.9], alphas=4),
             "HuberRegressorCV": dict(alphas=3), "QuantileRegressorCV": dict(alphas=3),
             "RidgeCV": dict(alphas=[0.1, 1.0, 10.0])}


def cv_estimators(scoring=None):
    return [REGISTRY[name].make(cv=3, scoring=scoring, **OVERRIDES.get(name, {}))
            for name in estimator_names("cv")]


def fold_losses(est):
    if isinstance(est, RidgeCV):
        return -est.best_score_
    return est.cv_results_["mean_test_loss"]


BACKENDS = [("threading", {}), ("loky", {"inner_max_num_threads": 2}),
            ("multiprocessing", {})]


@pytest.mark.parametrize("backend, options", BACKENDS, ids=[b for b, _ in BACKENDS])
def test_blas_is_single_threaded_inside_every_fold_worker(backend, options):
    X, y, _ = make_problem(60, 5)
    before = blas_threads()
    for est in cv_estimators(scoring=blas_threads_score):
        with joblib.parallel_backend(backend, n_jobs=2, **options):
            est.fit(X, y)                           # n_jobs from the context
        assert -fold_losses(est) == pytest.approx(1.0), type(est).__name__
        est.set_params(n_jobs=2).fit(X, y)          # n_jobs given, default backend
        assert -fold_losses(est) == pytest.approx(1.0), type(est).__name__
    assert blas_threads() == before                 # restored once the fits end


@pytest.mark.parametrize("backend", ["threading", "loky", "multiprocessing"])
def test_every_cv_estimator_fits_under_every_backend_as_sequentially(backend):
    X, y, _ = make_problem(60, 5)
    for est in cv_estimators():
        sequential = est.set_params(n_jobs=1).fit(X, y)
        coef, alpha = sequential.coef_.copy(), sequential.alpha_
        with joblib.parallel_backend(backend, n_jobs=2):
            parallel = est.set_params(n_jobs=None).fit(X, y)
        assert parallel.alpha_ == alpha, type(est).__name__
        np.testing.assert_array_equal(parallel.coef_, coef)
