"""sklreg on Dask data against dask-ml and Spark MLlib, in one run (issue #27).

Tall data (n rows, p features) generated per block from a seed on a
``LocalCluster(n_workers=2, threads_per_worker=1)`` and persisted there; the
floor is one Dask pass computing X^T X and X^T y.  Each row times a fit and
reports its relative suboptimality ``(P(w) - P*) / P*``, computed from the
data's moments for least squares and by a pass over the data for Huber and
quantile (P* from a tight solve), and its time in passes (time / the
floor's).  dask-ml and Spark MLlib (pyspark, ``local[2]``, JVM start
excluded) run where installed, on the same rows: Spark's
``LinearRegression(loss='huber')`` for Huber; neither has quantile
regression.

    python benchmarks/dask_cluster.py --quick     # n=200,000, p=20: a minute
    python benchmarks/dask_cluster.py --n 1000000 --p 100

(Not ``dask.py``: run as a script, that name would shadow the dask package.)
"""
import argparse
import time

import numpy as np

SEED = 0


def block(i, rows, p):
    """Rows of block i: X standard normal plus column offsets, y linear in
    ten columns plus noise, as one array [X, y]."""
    rng = np.random.default_rng([SEED, i])
    X = rng.standard_normal((rows, p)) + np.linspace(0.0, 2.0, p)
    beta = np.zeros(p)
    beta[:10] = np.linspace(2.0, -1.0, min(10, p))[: min(10, p)]
    return np.column_stack([X, X @ beta + rng.standard_normal(rows)])


def dask_data(n, p, rows):
    import dask
    import dask.array as da

    parts = [da.from_delayed(dask.delayed(block, pure=True)(i, rows, p), (rows, p + 1),
                             np.float64) for i in range(n // rows)]
    Z = da.concatenate(parts).persist()
    return Z[:, :p], Z[:, p]


def timed(function, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = function()
        best = min(best, time.perf_counter() - start)
    return best, out


def objective(moments, coef, intercept, alpha, l1_ratio):
    """ElasticNet's objective (Lasso at l1_ratio=1) from the data's moments."""
    from sklreg._dask._cv import squared_errors

    coef = np.asarray(coef, dtype=np.float64)
    return (squared_errors(moments, coef, intercept)[0] / 2 + alpha * l1_ratio
            * np.abs(coef).sum() + alpha * (1 - l1_ratio) / 2 * coef @ coef)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="n=200,000, p=20, one repeat")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--rows-per-block", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--libs", nargs="*", default=["sklreg", "dask-ml", "spark"])
    args = parser.parse_args(argv)
    n, p = (200_000, 20) if args.quick else (args.n, args.p)
    rows = min(args.rows_per_block, n // 4)
    repeat = args.repeat or (1 if args.quick else 3)

    import dask
    from dask.distributed import Client, LocalCluster

    from sklreg import ElasticNet, HuberRegressor, Lasso, LassoCV, QuantileRegressor, alpha_max
    from sklreg._dask._data import DaskData
    from sklreg._dask._moments import merge_all, one_pass

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster):
        X, y = dask_data(n, p, rows)
        dask.compute(X.T @ X, X.T @ y)          # warm the workers up first
        floor, _ = timed(lambda: dask.compute(X.T @ X, X.T @ y), repeat)
        moments = merge_all(list(one_pass(DaskData(X, y)).values()))
        amax = alpha_max(Lasso(), X, y)
        print(f"n={n:,} p={p} blocks={n // rows} workers=2x1 thread; one pass "
              f"(X^T X, X^T y): {floor:.2f} s")
        print(f"{'row':34s} {'engine':28s} {'time s':>8s} {'passes':>7s} {'rel. subopt':>12s}")
        rows_out = []

        def report(row, engine, seconds, coef, intercept, alpha, l1_ratio, best):
            subopt = (objective(moments, coef, intercept, alpha, l1_ratio) - best) / best
            rows_out.append((row, engine, seconds))
            print(f"{row:34s} {engine:28s} {seconds:8.2f} {seconds / floor:7.1f} "
                  f"{subopt:12.2e}", flush=True)

        for l1_ratio, name in ((1.0, "Lasso"), (0.5, "ElasticNet l1_ratio=0.5")):
            alpha = amax / 100 / l1_ratio
            row = f"{name} alpha_max/100"
            exact = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
            best = objective(moments, exact.coef_, exact.intercept_, alpha, l1_ratio)
            if "sklreg" in args.libs:
                seconds, model = timed(lambda: ElasticNet(
                    alpha=alpha, l1_ratio=l1_ratio, tol=1e-6).fit(X, y), repeat)
                report(row, "sklreg (tol=1e-6)", seconds, model.coef_, model.intercept_,
                       alpha, l1_ratio, best)
            if "dask-ml" in args.libs:
                _dask_ml(X, y, n, alpha, l1_ratio, row, report, best)
            if "spark" in args.libs:
                _spark(n, p, rows, alpha, l1_ratio, row, report, best, repeat)
        if "sklreg" in args.libs:
            seconds, cv = timed(lambda: LassoCV(cv=5, alphas=100).fit(X, y), repeat)
            print(f"{'LassoCV 5 folds x 100 alphas':34s} {'sklreg':28s} {seconds:8.2f} "
                  f"{seconds / floor:7.1f} {'-':>12s}   alpha_={cv.alpha_:.4g}")

        def report_robust(row, engine, seconds, value, best):
            print(f"{row:34s} {engine:28s} {seconds:8.2f} {seconds / floor:7.1f} "
                  f"{(value - best) / best:12.2e}", flush=True)

        row, alpha = "HuberRegressor alpha=1e-4", 1e-4
        exact = HuberRegressor(alpha=alpha, tol=1e-12, max_iter=200).fit(X, y)
        best = huber_objective(X, y, exact.coef_, exact.intercept_, exact.scale_, alpha)
        if "sklreg" in args.libs:
            seconds, model = timed(lambda: HuberRegressor(alpha=alpha).fit(X, y), repeat)
            report_robust(row, "sklreg", seconds, huber_objective(
                X, y, model.coef_, model.intercept_, model.scale_, alpha), best)
        if "spark" in args.libs:
            _spark_huber(X, y, n, p, rows, alpha, row, report_robust, best, repeat)
        for tau in (0.5, 0.9):
            row, alpha = f"QuantileRegressor tau={tau} alpha=1e-3", 1e-3
            exact = QuantileRegressor(quantile=tau, alpha=alpha, tol=1e-12).fit(X, y)
            best = quantile_objective(X, y, exact.coef_, exact.intercept_, tau, alpha)
            if "sklreg" in args.libs:
                seconds, model = timed(lambda: QuantileRegressor(quantile=tau, alpha=alpha)
                                       .fit(X, y), repeat)
                report_robust(row, "sklreg", seconds, quantile_objective(
                    X, y, model.coef_, model.intercept_, tau, alpha), best)


def huber_objective(X, y, coef, intercept, scale, alpha, epsilon=1.35):
    """HuberRegressor's objective (scikit-learn's) by a pass over the data."""
    import dask.array as da

    coef = np.asarray(coef, dtype=np.float64)
    z = abs(y - X @ coef - intercept) / scale
    H = da.where(z <= epsilon, z ** 2, 2 * epsilon * z - epsilon ** 2)
    return float((scale * (1.0 + H)).sum().compute()) + alpha * coef @ coef


def quantile_objective(X, y, coef, intercept, tau, alpha):
    """QuantileRegressor's objective by a pass over the data."""
    import dask.array as da

    coef = np.asarray(coef, dtype=np.float64)
    r = y - X @ coef - intercept
    return float(da.where(r > 0, tau * r, (tau - 1) * r).mean().compute()) + alpha * np.abs(
        coef).sum()


def _dask_ml(X, y, n, alpha, l1_ratio, row, report, best):
    try:
        from dask_ml.linear_model import LinearRegression
    except ImportError:
        print(f"{row:34s} dask-ml: not installed")
        return
    # dask-glm minimises sum r^2 + (1/C) penalty, its L2 part 1/2 ||w||^2 and
    # its elastic net's weight 0.5 (dask-ml does not expose it): C = 1 / (2 n alpha)
    # is scikit-learn's alpha (at l1_ratio=0.5 for the elastic net)
    penalty = "l1" if l1_ratio == 1 else "elastic_net"
    for solver in ("proximal_grad", "admm"):
        model = LinearRegression(penalty=penalty, C=1.0 / (2 * n * alpha), solver=solver,
                                 fit_intercept=True, max_iter=100)
        start = time.perf_counter()
        try:
            model.fit(X, y)
        except Exception as exc:            # report, do not stop the benchmark
            print(f"{row:34s} dask-ml {solver}: {type(exc).__name__}: {exc}")
            continue
        report(row, f"dask-ml {solver}", time.perf_counter() - start, model.coef_,
               model.intercept_, alpha, l1_ratio, best)


def _spark_frame(n, p, rows):
    """The benchmark's rows as a cached Spark DataFrame (features, label)."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").appName("sklreg-bench").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    columns = [f"x{j}" for j in range(p)] + ["label"]

    def blocks(indices):
        for i in indices:
            for r in block(i, rows, p):
                yield tuple(float(v) for v in r)

    frame = spark.createDataFrame(
        spark.sparkContext.parallelize(range(n // rows), n // rows).mapPartitions(blocks),
        columns)
    data = VectorAssembler(inputCols=columns[:-1], outputCol="features").transform(
        frame).select("features", "label").cache()
    data.count()
    return data


def _spark(n, p, rows, alpha, l1_ratio, row, report, best, repeat):
    try:
        from pyspark.ml.regression import LinearRegression
    except ImportError:
        print(f"{row:34s} Spark MLlib: pyspark not installed")
        return
    data = _spark_frame(n, p, rows)
    for solver in ("normal", "l-bfgs"):
        # standardization=False: Spark then minimises scikit-learn's objective
        estimator = LinearRegression(regParam=alpha, elasticNetParam=l1_ratio,
                                     standardization=False, solver=solver, tol=1e-10,
                                     maxIter=1000)
        seconds, model = timed(lambda: estimator.fit(data), repeat)
        report(row, f"Spark MLlib {solver}", seconds, model.coefficients.toArray(),
               model.intercept, alpha, l1_ratio, best)
    data.unpersist()


def _spark_huber(X, y, n, p, rows, alpha, row, report, best, repeat):
    try:
        from pyspark.ml.regression import LinearRegression
    except ImportError:
        print(f"{row:34s} Spark MLlib: pyspark not installed")
        return
    data = _spark_frame(n, p, rows)
    # Spark's Huber objective is scikit-learn's divided by 2 n, its ridge
    # regParam / 2 ||w||^2: regParam = 2 alpha / (2 n) = alpha / n
    estimator = LinearRegression(loss="huber", epsilon=1.35, regParam=alpha / n,
                                 elasticNetParam=0.0, standardization=False, tol=1e-10,
                                 maxIter=1000)
    seconds, model = timed(lambda: estimator.fit(data), repeat)
    coef = model.coefficients.toArray()
    report(row, "Spark MLlib huber (l-bfgs)", seconds, huber_objective(
        X, y, coef, model.intercept, model.scale, alpha), best)
    data.unpersist()


if __name__ == "__main__":
    main()
