"""Scale: a 50-alpha Lasso path on sparse X, n=100000, p=1000000, 1e7 non-zeros.

X is CSC with 10 non-zeros per column (distinct rows, stratified, so the
matrix is canonical and is used without a copy); y depends on 50 features.
Reported: wall time of ``regularization_path``, the peak of NumPy
allocations during it (tracemalloc), the growth of peak RSS, size(X), the
support at the end of the path and the worst certified gap / (tol P(0)).

    PYTHONPATH=. python benchmarks/scale.py                 # the full row
    PYTHONPATH=. python benchmarks/scale.py --quick         # 10x smaller
"""
import argparse
import resource
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from sklreg import Lasso, regularization_path


def make_data(n, p, per_column, seed=0):
    rng = np.random.default_rng(seed)
    stride = n // per_column
    rows = (np.arange(per_column) * stride)[None, :] + rng.integers(0, stride, (p, per_column))
    X = sp.csc_matrix((rng.standard_normal(p * per_column), rows.ravel().astype(np.int32),
                       np.arange(p + 1, dtype=np.int64) * per_column), shape=(n, p))
    w = np.zeros(p)
    support = rng.choice(p, 50, replace=False)
    w[support] = rng.choice([-1.0, 1.0], 50) * rng.uniform(1, 3, 50)
    y = X @ w + 0.5 * rng.standard_normal(n)
    return X, y


def maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--eps", type=float, default=1e-2)
    parser.add_argument("--tol", type=float, default=1e-4)
    args = parser.parse_args(argv)
    n, p = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    X, y = make_data(n, p, 10)
    size = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    rss0 = maxrss_bytes()
    tracemalloc.start()
    t0 = time.perf_counter()
    with threadpool_limits(1):
        path = regularization_path(Lasso(tol=args.tol), X, y, alphas=50, eps=args.eps)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = maxrss_bytes() - rss0
    p0 = 0.5 * np.mean((y - y.mean()) ** 2)
    worst = float(np.max(path.dual_gaps) / (args.tol * p0))
    mb = 2.0 ** 20
    print(f"{'problem':<24}{'shape':>20}{'nnz':>11}{'size(X) MB':>12}{'time s':>9}"
          f"{'traced MB':>11}{'rss MB':>9}{'support':>9}{'gap/tol':>9}")
    print(f"{'scale_lasso_path50':<24}{str(X.shape):>20}{X.nnz:>11d}{size / mb:>12.0f}"
          f"{elapsed:>9.1f}{peak / mb:>11.1f}{rss / mb:>9.1f}"
          f"{np.count_nonzero(path.coefs[-1]):>9d}{worst:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
