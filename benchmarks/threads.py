"""Threads: two problems fitted in two threads vs one thread fitting both.

The compiled kernels release the GIL, so two fits in two threads should take
about half the time of the same two fits one after the other (on a machine
with two free cores).  BLAS is limited to one thread so that only our
threads compete for the cores.  The ratio printed is
``time(two threads) / time(one thread, both fits)``: 0.5 is perfect scaling,
1.0 no parallelism at all.

    PYTHONPATH=. python benchmarks/threads.py [--quick] [--repeat 3]
"""
import argparse
from concurrent.futures import ThreadPoolExecutor
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sklreg import HuberRegressor, Lasso, QuantileRegressor, alpha_max
from sklreg.datasets import make_correlated_data


def problems(quick):
    n, p = (1000, 1000) if quick else (4000, 3000)
    out = []
    for seed in (0, 1):
        X, y, _ = make_correlated_data(n, p, random_state=seed)
        out.append((X, y))
    return out


ESTIMATORS = {
    "lasso": lambda X, y: Lasso(alpha=alpha_max(Lasso(), X, y) / 200, tol=1e-8),
    "huber_l1": lambda X, y: HuberRegressor(
        l1_ratio=1.0, alpha=alpha_max(HuberRegressor(l1_ratio=1.0), X, y) / 20, tol=1e-6),
    "quantile": lambda X, y: QuantileRegressor(
        alpha=alpha_max(QuantileRegressor(), X, y) / 10, tol=1e-6),
}


def gil_free_fraction(fit):
    """Python progress of the main thread while ``fit`` runs in another
    thread, relative to its progress alone: near 0 if the fit holds the GIL,
    near 1 if it releases it and a core is free.  On a loaded machine compare
    with ``blas_control``, a job known to release the GIL."""
    def count(seconds):
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            n += 1
        return n

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(fit)
        n, start = 0, time.perf_counter()
        while not future.done():
            n += 1
        busy = time.perf_counter() - start
    alone = count(busy)
    return n / max(alone, 1)


def blas_control(seconds):
    """A CPU-bound job that releases the GIL (single-threaded BLAS products)."""
    A = np.random.default_rng(0).standard_normal((300, 300))
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        A @ A


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(ESTIMATORS))
    args = parser.parse_args(argv)
    data = problems(args.quick)
    print(f"{'problem':<22}{'shape':>14}{'1 thread s':>12}{'2 threads s':>13}"
          f"{'ratio':>8}{'identical':>11}{'GIL-free':>10}{'control':>9}")
    for name in args.only:
        models = [ESTIMATORS[name](X, y) for X, y in data]

        def fit(k):
            X, y = data[k]
            return models[k].__class__(**models[k].get_params()).fit(X, y)

        seq, par = [], []
        with threadpool_limits(1):
            for _ in range(args.repeat):            # interleaved
                t0 = time.perf_counter()
                one = [fit(0), fit(1)]
                seq.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                with ThreadPoolExecutor(2) as pool:
                    two = list(pool.map(fit, [0, 1]))
                par.append(time.perf_counter() - t0)
        with threadpool_limits(1):
            t0 = time.perf_counter()
            free = gil_free_fraction(lambda: fit(0))
            control = gil_free_fraction(lambda: blas_control(time.perf_counter() - t0))
        same = all(np.array_equal(a.coef_, b.coef_) for a, b in zip(one, two))
        t1, t2 = float(np.median(seq)), float(np.median(par))
        print(f"{'threads_' + name:<22}{str(data[0][0].shape):>14}{t1:>12.3f}{t2:>13.3f}"
              f"{t2 / t1:>8.2f}{str(same):>11}{free:>10.2f}{control:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
