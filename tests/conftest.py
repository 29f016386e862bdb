import os

# scikit-learn runs its array-API input check only with this set before scipy loads
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
import scipy.sparse as sp

import sklreg
from sklreg.datasets import make_correlated_data


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
