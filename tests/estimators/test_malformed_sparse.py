"""A sparse X whose index arrays are out of range gets a ValueError.

scipy builds such a matrix from given arrays without checking them, and
compiled code reads them without bounds checks: before the check, a row
index equal to n_samples or negative crashed Ridge and LassoCV (issue 28,
item 1) and a huge one made Ridge hang and Lasso return ~1e179.  Every
case runs in a subprocess, so a crash fails its test instead of pytest.
"""
import json
import subprocess
import sys

import pytest

from tests.conftest import estimator_names, isolated_env

ESTIMATORS = estimator_names("fit", "cv", "ic")       # every 1-D one of the registry
# index-array defects: a CSC (n = 50, p = 5) as in the issue, a CSR and a COO
DEFECTS = ["row index n", "negative row index", "row index 1e6",
           "decreasing indptr", "short indptr", "indptr past the data",
           "CSR column index p", "COO row index n"]

SCRIPT = r"""
import json, os, signal, sys, warnings
import numpy as np, scipy.sparse as sp
import sklreg

warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
y = rng.standard_normal(50)


def malformed(defect):
    indices = np.tile(np.arange(0, 50, 5, dtype=np.int32), 5)
    indptr = np.arange(0, 51, 10, dtype=np.int32)
    X = sp.csc_matrix((np.ones(50), indices.copy(), indptr.copy()), shape=(50, 5))
    if defect == "row index n":
        X.indices[-1] = 50
    elif defect == "negative row index":
        X.indices[-1] = -1
    elif defect == "row index 1e6":
        X.indices[-1] = 10 ** 6
    elif defect == "decreasing indptr":
        X.indptr[2] = 5
    elif defect == "short indptr":
        X.indptr = X.indptr[:-1]
    elif defect == "indptr past the data":
        X.indptr[-1] = 60
    elif defect == "CSR column index p":
        X = sp.csr_matrix(X.toarray())
        X.indices[-1] = 5
    elif defect == "COO row index n":
        X = X.tocoo()
        X.row[-1] = 50
    return X


def run(target, defect):
    X = malformed(defect)
    if target == "predict":
        est = sklreg.Ridge().fit(np.ones((50, 5)) + rng.standard_normal((50, 5)), y)
        est.predict(X)
    elif target in ("lasso_path", "enet_path"):
        getattr(sklreg, target)(X, y, alphas=3)
    elif target.startswith("path "):
        sklreg.regularization_path(getattr(sklreg, target[5:])(), X, y, alphas=3)
    elif target == "alpha_max":
        sklreg.alpha_max(sklreg.Lasso(), X, y)
    else:
        params = {"cv": 3} if target.endswith("CV") else {}
        getattr(sklreg, target)(**params).fit(X, y)


# each target in a forked child: a crash or a hang (SIGALRM) kills that
# child only, and is reported for the target
for target in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        signal.alarm(120)
        for defect in json.loads(sys.argv[2]):
            try:
                run(target, defect)
                outcome = "no error"
            except Exception as exc:
                outcome = "%s: %s" % (type(exc).__name__, exc)
            print(json.dumps([target, defect, outcome]), flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        print(json.dumps([target, None, "died: wait status %d" % status]), flush=True)
"""

TARGETS = ESTIMATORS + ["predict", "lasso_path", "enet_path", "path Ridge",
                        "path HuberRegressor", "path QuantileRegressor", "alpha_max"]


@pytest.fixture(scope="module")
def outcomes():
    """Outcome of every (target, defect), from one fresh interpreter that
    forks a child per target (single-threaded BLAS: safe to fork)."""
    env = isolated_env()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(TARGETS),
                           json.dumps(DEFECTS)],
                          capture_output=True, text=True, timeout=900, env=env)
    table = {}
    for line in proc.stdout.splitlines():
        target, defect, outcome = json.loads(line)
        table[target, defect] = outcome
    return table, proc.stderr[-2000:]


@pytest.mark.parametrize("target", TARGETS)
def test_malformed_sparse_X_is_a_clear_error(outcomes, target):
    table, stderr = outcomes
    assert (target, None) not in table, (target, table[target, None], stderr)
    for defect in DEFECTS:
        outcome = table.get((target, defect), "not reached")
        assert outcome.startswith("ValueError: X is a malformed"), (target, defect, outcome)
