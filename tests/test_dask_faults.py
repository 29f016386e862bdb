"""A worker killed during the pass does not change the answer (issue #27):
Dask recomputes the blocks it held, and the moments are merged only once."""
import os
import signal
import threading
import time

import numpy as np
import pytest

from sklreg import Lasso

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

N_BLOCKS, ROWS, P = 10, 400, 6


def slow_data():
    """X and y generated per block from a seed, each block taking a while, so
    that a worker can be killed while the pass runs."""
    import dask

    def block(i):
        time.sleep(0.4)
        rng = np.random.default_rng([11, i])
        X = rng.standard_normal((ROWS, P)) + 3.0
        return np.column_stack([X, X[:, :2] @ [1.5, -1.0] + rng.standard_normal(ROWS)])

    parts = [da.from_delayed(dask.delayed(block, pure=True)(i), (ROWS, P + 1), np.float64)
             for i in range(N_BLOCKS)]
    Z = da.concatenate(parts)
    return Z[:, :P], Z[:, P]


def blocks_computed(scheduler):
    return sum(1 for key, start, finish, *_ in scheduler.transition_log
               if finish == "memory" and "_block_moments" in str(key))


def tasks_taken_back(scheduler):
    """Tasks a worker was running when it was lost, sent to run again."""
    return sum(1 for key, start, finish, *_ in scheduler.transition_log
               if start == "processing" and finish in ("released", "waiting"))


def test_a_worker_killed_mid_pass_does_not_change_the_answer():
    X, y = slow_data()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        result = {}
        fit = threading.Thread(target=lambda: result.update(
            model=Lasso(alpha=0.02, tol=1e-10).fit(X, y)))
        fit.start()
        deadline = time.monotonic() + 120
        while blocks_computed(cluster.scheduler) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        busy = [addr for addr, keys in client.processing().items() if keys]
        assert busy and blocks_computed(cluster.scheduler) < N_BLOCKS, "no pass to interrupt"
        os.kill(pids[busy[0]], signal.SIGKILL)      # a worker process of this test's cluster
        fit.join(timeout=300)
        assert not fit.is_alive()
        taken_back = tasks_taken_back(cluster.scheduler)
    X_mem, y_mem = X.compute(scheduler="threads"), y.compute(scheduler="threads")
    ref = Lasso(alpha=0.02, tol=1e-10).fit(X_mem, y_mem)
    assert taken_back >= 1          # the killed worker's task ran again elsewhere
    np.testing.assert_allclose(result["model"].coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result["model"].intercept_, ref.intercept_, rtol=1e-10)
