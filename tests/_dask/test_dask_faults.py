"""A worker killed during a pass does not change the answer (issue #27):
Dask recomputes the blocks it held, and their sums are merged only once (the
one pass of the least-squares fits, a Newton pass of Huber's)."""
import os
import signal
import threading
import time

import numpy as np
import pytest

from sklreg import HuberRegressor, Lasso

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

ROWS, P = 400, 6


def slow_data(n_blocks, delay):
    """X and y in ``n_blocks`` blocks generated from a seed, each taking
    ``delay`` seconds, so that a worker can be killed while a pass runs."""
    import dask

    def block(i):
        time.sleep(delay)
        rng = np.random.default_rng([11, i])
        X = rng.standard_normal((ROWS, P)) + 3.0
        return np.column_stack([X, X[:, :2] @ [1.5, -1.0] + rng.standard_normal(ROWS)])

    parts = [da.from_delayed(dask.delayed(block, pure=True)(i), (ROWS, P + 1), np.float64)
             for i in range(n_blocks)]
    Z = da.concatenate(parts)
    return Z[:, :P], Z[:, P]


def blocks_computed(scheduler, task):
    return sum(1 for key, start, finish, *_ in scheduler.transition_log
               if finish == "memory" and task in str(key))


def tasks_run_again(scheduler, task):
    """Tasks a worker was running or holding when it was lost, run again:
    sent back from ``processing``, or computed a second time."""
    taken_back = sum(1 for key, start, finish, *_ in scheduler.transition_log
                     if start == "processing" and finish in ("released", "waiting"))
    computed = [str(key) for key, start, finish, *_ in scheduler.transition_log
                if finish == "memory" and task in str(key)]
    return taken_back + len(computed) - len(set(computed))


# the model, the task of a pass to interrupt, blocks, the seconds a block
# takes (Huber's passes are many: short ones)
CASES = [(lambda: Lasso(alpha=0.02, tol=1e-10), "_block_moments", 10, 0.4),
         (lambda: HuberRegressor(tol=1e-10), "block_requests", 4, 0.15)]


@pytest.mark.parametrize("model, task, n_blocks, delay", CASES,
                         ids=["Lasso", "HuberRegressor"])
def test_a_worker_killed_mid_pass_does_not_change_the_answer(model, task, n_blocks, delay):
    X, y = slow_data(n_blocks, delay)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        result = {}
        fit = threading.Thread(target=lambda: result.update(model=model().fit(X, y)))
        fit.start()
        deadline, busy = time.monotonic() + 120, []
        while not busy and fit.is_alive() and time.monotonic() < deadline:
            # a worker running a block of a pass, one block of it done
            time.sleep(0.02)
            if blocks_computed(cluster.scheduler, task) >= 1:
                busy = [addr for addr, keys in client.processing().items()
                        if any(task in str(key) for key in keys)]
        assert busy, "no pass to interrupt"
        os.kill(pids[busy[0]], signal.SIGKILL)      # a worker process of this test's cluster
        fit.join(timeout=300)
        assert not fit.is_alive()
        run_again = tasks_run_again(cluster.scheduler, task)
    X_mem, y_mem = X.compute(scheduler="threads"), y.compute(scheduler="threads")
    ref = model().fit(X_mem, y_mem)
    assert run_again >= 1           # the killed worker's tasks ran again elsewhere
    np.testing.assert_allclose(result["model"].coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result["model"].intercept_, ref.intercept_, rtol=1e-8)
