import os

# scikit-learn runs its array-API input check only with this set before scipy loads
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
import scipy.sparse as sp

import sklreg
from sklreg import (ElasticNet, ElasticNetCV, ElasticNetIC, HuberRegressor, HuberRegressorCV,
                    Lasso, LassoCV, LassoIC, MultiTaskElasticNet, MultiTaskElasticNetCV,
                    MultiTaskLasso, MultiTaskLassoCV, QuantileInterval, QuantileRegressor,
                    QuantileRegressorCV, QuantileRegressorIC, Ridge, RidgeCV)
from sklreg.datasets import make_correlated_data


class Entry:
    """A public estimator in the test registry.

    ``small``: parameters for a quick fit on the suites' small problems (the
    wrong-input, malformed-input, routing and thread suites fit it).
    ``kind``: "fit" (one alpha), "cv", "ic" or "interval".  ``multitask``:
    its y is 2-D.  ``checks``: the parameters of each instance scikit-learn's
    estimator checks run (tests/estimators/test_estimator_checks.py).
    """

    def __init__(self, cls, small=None, *, kind="fit", multitask=False, checks=({},)):
        self.cls, self.small, self.kind = cls, dict(small or {}), kind
        self.multitask, self.checks = multitask, checks

    def make(self, **params):
        return self.cls(**{**self.small, **params})


# Every public estimator, once: a new estimator added here is checked by every
# suite that enumerates estimators (tests/estimators/test_registry.py keeps it complete).
# The CV estimators' checks run at a tight tol: the weights-equal-repeated-rows
# check compares predictions of two different solves to 1e-7, and a certified
# gap bounds the prediction difference only by about sqrt(gap).  Its data stack
# copies of 15 rows against 30 features (rank 15), so the default grid ends
# near interpolation, where no solver certifies 1e-14 in 1000 passes: the grid
# stops at alpha_max / 100 instead.  The multi-task ones search 20 alphas: on
# those near-collinear columns block coordinate descent needs hundreds of
# passes per alpha.
ESTIMATORS = {
    "Lasso": Entry(Lasso, dict(alpha=0.1), checks=(
        {}, dict(positive=True, selection="random"), dict(alpha=0.1, relax=0.5, tol=1e-12),
        dict(solver="pg"))),
    "ElasticNet": Entry(ElasticNet, dict(alpha=0.1)),
    "Ridge": Entry(Ridge, checks=({}, dict(solver="lsqr"), dict(solver="pg"),
                                  dict(positive=True))),
    "HuberRegressor": Entry(HuberRegressor, checks=(
        dict(max_iter=1000), dict(l1_ratio=0.5, positive=True, max_iter=1000))),
    # the weight-equivalence check compares predictions to 1e-9: a gap of
    # 1e-10 P(0) allows ~1e-8 on the elastic net
    "QuantileRegressor": Entry(QuantileRegressor, dict(alpha=0.01), checks=(
        {}, dict(alpha=0.01, quantile=0.8, l1_ratio=0.7, tol=1e-12))),
    "LassoCV": Entry(LassoCV, dict(cv=3, alphas=5), kind="cv", checks=(
        dict(tol=1e-14, eps=1e-2),
        dict(relax=True, gammas=[0.0, 1.0], alphas=10, tol=1e-14, eps=1e-2))),
    "ElasticNetCV": Entry(ElasticNetCV, dict(cv=3, alphas=5), kind="cv", checks=(
        dict(l1_ratio=[0.5, 1.0], tol=1e-14, eps=1e-2),)),
    "RidgeCV": Entry(RidgeCV, kind="cv", checks=({}, dict(cv=3))),
    "HuberRegressorCV": Entry(HuberRegressorCV, dict(cv=3, alphas=5), kind="cv", checks=(
        dict(l1_ratio=1.0, alphas=4, eps=0.1, tol=1e-10, max_iter=1000),)),
    "QuantileRegressorCV": Entry(QuantileRegressorCV, dict(cv=3, alphas=5), kind="cv",
                                 checks=(dict(alphas=10, tol=1e-10),)),
    # the checks fit p > n data: the noise variance must be given, as
    # scikit-learn gives it to LassoLarsIC in its own checks
    "LassoIC": Entry(LassoIC, dict(alphas=5), kind="ic", checks=(
        dict(tol=1e-14, eps=1e-2, noise_variance=1.0),)),
    "ElasticNetIC": Entry(ElasticNetIC, dict(alphas=5), kind="ic", checks=(
        dict(tol=1e-14, eps=1e-2, noise_variance=1.0),)),
    "QuantileRegressorIC": Entry(QuantileRegressorIC, dict(alphas=5), kind="ic",
                                 checks=(dict(alphas=10, tol=1e-10),)),
    "MultiTaskLasso": Entry(MultiTaskLasso, dict(alpha=0.1), multitask=True),
    "MultiTaskElasticNet": Entry(MultiTaskElasticNet, dict(alpha=0.1), multitask=True,
                                 checks=(dict(tol=1e-12),)),
    "MultiTaskLassoCV": Entry(MultiTaskLassoCV, dict(cv=3, alphas=5), kind="cv",
                              multitask=True, checks=(dict(tol=1e-10, eps=1e-2, alphas=20),)),
    "MultiTaskElasticNetCV": Entry(MultiTaskElasticNetCV, dict(cv=3, alphas=5), kind="cv",
                                   multitask=True, checks=(
        dict(l1_ratio=[0.5, 1.0], tol=1e-10, eps=1e-2, alphas=20),)),
    "QuantileInterval": Entry(QuantileInterval, dict(cv=3), kind="interval", checks=(
        dict(random_state=0), dict(method="cv+", cv=3))),
}


def estimator_names(*kinds, multitask=False):
    """The registry's names of these kinds (every kind when none is given)
    whose y is 1-D, or 2-D with ``multitask=True``."""
    return [name for name, entry in ESTIMATORS.items()
            if (not kinds or entry.kind in kinds) and entry.multitask == multitask]


def isolated_env(**extra):
    """Environment for a test's subprocess: this sklreg first on the path
    (not whatever the working directory holds), single-threaded BLAS."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(sklreg.__file__)))
    path = os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return dict(os.environ, PYTHONPATH=path, OMP_NUM_THREADS="1",
                OPENBLAS_NUM_THREADS="1", **extra)


def make_problem(n, p, *, sparse=False, dtype=np.float64, weights=False,
                 seed=0, shift=0.0):
    """A regression problem; ``shift`` offsets the columns (non-zero means)."""
    X, y, _ = make_correlated_data(n, p, density=0.3 if sparse else 1.0,
                                   random_state=seed)
    if shift and not sparse:
        X = X + shift
    if sparse and shift:
        X = sp.csc_matrix(X)
        X.data += shift
    y = y + 3.0
    X = X.astype(dtype)
    s = np.random.default_rng(seed + 1).uniform(0.2, 2.0, n) if weights else None
    return X, y, s


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="module")
def client():
    """A ``dask.distributed`` LocalCluster of 2 single-threaded workers (in
    this process) and its client, for the module's tests on Dask data."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """Hypothesis draws a parametrized test's derandomized examples from its
    node id, which holds the file's folder: key them by file and test name
    (the node id of the flat layout) so that moving a test file between
    folders does not change the examples it runs."""
    inner = getattr(getattr(item.obj, "hypothesis", None), "inner_test", None)
    if getattr(inner, "_hypothesis_internal_add_digest", None) is not None:
        inner._hypothesis_internal_add_digest = f"tests/{item.path.name}::{item.name}".encode()
