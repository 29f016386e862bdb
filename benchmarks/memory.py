"""Peak memory of a fit on a large dense X, float64 and its float32 twin.

For each estimator and dtype a fresh subprocess builds X (Fortran order, in
place, column by column) and y, then fits once.  Reported:

* ``tracemalloc``: peak of the Python/NumPy allocations made *during the
  fit* (NumPy reports its buffers to tracemalloc; compiled code allocating
  with malloc directly is not seen);
* ``rss``: growth of the process's peak resident size (``ru_maxrss``) over
  the fit, which sees everything (BLAS workspaces, scipy, Cython buffers).

DESIGN 3 promises size(X) + O(n + p): the "extra" columns must stay below
10% of size(X), and float32 X must never be upcast (an upcast copy of
float32 X alone would be 200% of its size).

Two fixed problems (issue 28, items 4 and 10; ``--size-gb`` does not change
them) watch the cases where that promise was broken:

* ``ridgecv_sparse``: RidgeCV's default leave-one-out on a 10000 x 2000 CSC
  X of density 0.01 (2.4 MB; dense it would be 160 MB), which must never
  be densified;
* ``huber_l1_wide``: HuberRegressor(l1_ratio=1) on a dense 50 x 20000 X
  (8 MB), where a (p+1) x (p+1) normal matrix alone would be 3.2 GB.

A child runs under an address-space limit (``--limit-gb``) and a time limit
(``--timeout``); one that exceeds either is reported as such.

    PYTHONPATH=. python benchmarks/memory.py --size-gb 2
    PYTHONPATH=. python benchmarks/memory.py --size-gb 0.2 --only lasso
    PYTHONPATH=. python benchmarks/memory.py --only ridgecv_sparse huber_l1_wide
"""
import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp

N_FEATURES = 250
FIXED = ("ridgecv_sparse", "huber_l1_wide")


def make_data(size_gb, dtype):
    itemsize = np.dtype(dtype).itemsize
    p = N_FEATURES
    n = int(size_gb * 2**30 / (8 * p))        # the float64 size; float32 is half
    rng = np.random.default_rng(0)
    X = np.empty((n, p), dtype=dtype, order="F")
    for j in range(p):
        rng.standard_normal(dtype=dtype, out=X[:, j])
    w = np.zeros(p)
    w[:10] = rng.uniform(1, 2, 10)
    y = X[:, :10] @ w[:10] + rng.standard_normal(n)
    y[: n // 20] += 20.0                       # a few outliers for the robust fits
    del itemsize
    return X, y


def make_fixed(name, dtype):
    """The fixed problems of the module docstring."""
    rng = np.random.default_rng(0)
    if name == "ridgecv_sparse":
        X = sp.random(10000, 2000, density=0.01, format="csc", dtype=dtype,
                      random_state=0)
    else:
        X = np.asfortranarray(rng.standard_normal((50, 20000)).astype(dtype))
    w = np.zeros(X.shape[1])
    w[:10] = rng.uniform(1, 2, 10)
    y = np.asarray(X[:, :10] @ w[:10]).ravel() + 0.1 * rng.standard_normal(X.shape[0])
    y[:3] += 20.0                              # a few outliers for the robust fit
    return X, y


def nbytes(X):
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def make_estimator(name, X, y):
    from sklreg import HuberRegressor, Lasso, QuantileRegressor, RidgeCV
    if name == "ridgecv_sparse":
        return RidgeCV(alphas=np.logspace(-2, 2, 5))
    if name == "huber_l1_wide":
        return HuberRegressor(l1_ratio=1.0, alpha=1.0, tol=1e-6)
    if name == "lasso":
        return Lasso(alpha=0.05, tol=1e-6)
    if name == "huber":
        return HuberRegressor(alpha=1e-3, tol=1e-6)
    if name == "quantile":
        return QuantileRegressor(quantile=0.7, alpha=0.01, tol=1e-6)
    raise ValueError(name)


def maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # KiB on Linux


def one(name, dtype, size_gb, limit_gb):
    if limit_gb > 0:
        limit = int(limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    X, y = (make_fixed(name, np.dtype(dtype)) if name in FIXED
            else make_data(size_gb, np.dtype(dtype)))
    est = make_estimator(name, X, y)
    rss0 = maxrss_bytes()
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    est.fit(X, y)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = maxrss_bytes()
    print(json.dumps(dict(shape=list(X.shape), size=nbytes(X), traced=peak,
                          rss=max(rss1 - rss0, 0), time=elapsed,
                          coef_dtype=str(est.coef_.dtype),
                          gap=float(np.max(getattr(est, "dual_gap_", np.nan))))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gb", type=float, default=2.0,
                        help="size of the float64 X in GiB (float32 twin: half)")
    parser.add_argument("--only", nargs="*",
                        default=["lasso", "huber", "quantile", *FIXED])
    parser.add_argument("--limit-gb", type=float, default=8.0,
                        help="address-space limit of each fit's process (0: none)")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds after which a fit's process is stopped")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return one(*args.one, args.size_gb, args.limit_gb)
    print(f"{'problem':<22}{'shape':>18}{'size(X) MB':>12}{'traced MB':>11}"
          f"{'rss MB':>9}{'extra %':>9}{'time s':>9}  coef")
    for name in args.only:
        for dtype in ("float64", "float32"):
            label = "memory_" + name + "_" + dtype[-2:]
            try:
                out = subprocess.run(
                    [sys.executable, __file__, "--size-gb", str(args.size_gb),
                     "--limit-gb", str(args.limit_gb), "--one", name, dtype],
                    capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{label:<22} not finished after {args.timeout:.0f} s", flush=True)
                continue
            if out.returncode:
                memory = "MemoryError" in out.stderr or "std::bad_alloc" in out.stderr
                print(f"{label:<22} " + (f"over the {args.limit_gb:g} GiB limit" if memory
                                        else f"failed\n{out.stderr[-2000:]}"), flush=True)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            mb = 2.0 ** 20
            extra = 100 * max(r["traced"], r["rss"]) / r["size"]
            print(f"{label:<22}{str(tuple(r['shape'])):>18}"
                  f"{r['size'] / mb:>12.0f}{r['traced'] / mb:>11.1f}{r['rss'] / mb:>9.1f}"
                  f"{extra:>9.1f}{r['time']:>9.2f}  {r['coef_dtype']}", flush=True)


if __name__ == "__main__":
    main()
