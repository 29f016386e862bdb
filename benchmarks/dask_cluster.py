"""sklreg on Dask data against dask-ml and Spark MLlib, in one run (issue #27).

Tall data (n rows, p features) generated per block from a seed on a
``LocalCluster(n_workers=2, threads_per_worker=1)`` and persisted there; the
floor is one Dask pass computing X^T X and X^T y.  Each row reports a fit's
time (best of ``--repeat``), the passes over the data it made (counted for
sklreg; Spark's iterations), its time in floors (time / one pass), and its
relative suboptimality ``(P(w) - P*) / |P*|`` against a tight sklreg solve
(computed from the data's moments for least squares, by a pass for Huber
and quantile).  dask-ml (``LinearRegression(penalty=...)``, dask-glm's
solvers) and Spark MLlib (pyspark, ``local[2]``, JVM start and caching
excluded) run on the same rows where installed: ``solver='normal'`` and
``'l-bfgs'`` for least squares, ``loss='huber'`` for Huber, and a
``CrossValidator`` for the LassoCV row (a shorter grid than 100 alphas,
its time per fit reported, since it refits every fold x alpha from
scratch).  Neither has quantile regression.  ``--scale N`` adds the
LassoCV row on N rows of float32 generated lazily (never persisted: each
pass generates them again, the floor included).

Install in a separate environment (not as a dependency of sklreg)::

    python -m venv /work/benchvenv
    /work/benchvenv/bin/pip install -e . dask-ml pyspark "dask[distributed]"

    python benchmarks/dask_cluster.py --quick          # n=100,000, p=20: a smoke test
    python benchmarks/dask_cluster.py --n 1e6 1e7 --scale 1e8

(Not ``dask.py``: run as a script, that name would shadow the dask package.)
"""
import argparse
import contextlib
import resource
import time

import numpy as np

SEED = 0
LS_ROWS = ("Lasso", "ElasticNet", "Ridge")


def block(i, rows, p, dtype=np.float64):
    """Rows of block i: X standard normal plus column offsets, y linear in
    ten columns plus noise (5% gross outliers), as one array [X, y]."""
    rng = np.random.default_rng([SEED, i])
    X = rng.standard_normal((rows, p), dtype=np.float32 if dtype == np.float32
                            else np.float64) + np.linspace(0.0, 2.0, p, dtype=dtype)
    beta = np.zeros(p)
    beta[:10] = np.linspace(2.0, -1.0, min(10, p))[: min(10, p)]
    noise = rng.standard_normal(rows) + 20.0 * (rng.random(rows) < 0.05)
    return np.column_stack([X, X @ beta + noise]).astype(dtype, copy=False)


def dask_data(n, p, rows, dtype, persist=True):
    import dask
    import dask.array as da

    parts = [da.from_delayed(dask.delayed(block, pure=True)(i, rows, p, dtype),
                             (rows, p + 1), dtype) for i in range(n // rows)]
    Z = da.concatenate(parts)
    if persist:
        Z = Z.persist()
    return Z[:, :p], Z[:, p]


class PassCounter:
    """Counts sklreg's passes over Dask data (each is one tree reduction of
    per-block tasks, ``sklreg._dask._moments.tree_reduce``)."""

    def __init__(self):
        import sklreg._dask._moments as moments
        import sklreg._dask._passes as passes

        self.count, original = 0, moments.tree_reduce

        def counted(tasks, merge):
            self.count += 1
            return original(tasks, merge)
        moments.tree_reduce = passes.tree_reduce = counted

    @contextlib.contextmanager
    def counting(self, out):
        start = self.count
        yield
        out.append(self.count - start)


def timed(function, repeat, counter=None):
    """(best seconds, last result, passes of one call)."""
    best, out, passes = np.inf, None, []
    for _ in range(repeat):
        start = time.perf_counter()
        with counter.counting(passes) if counter else contextlib.nullcontext():
            out = function()
        best = min(best, time.perf_counter() - start)
    return best, out, (passes[-1] if passes else None)


class Table:
    def __init__(self, floor):
        self.floor = floor
        print(f"{'row':36s} {'engine':34s} {'time s':>8s} {'passes':>7s} {'floors':>7s} "
              f"{'rel. subopt':>12s}  note", flush=True)

    def row(self, row, engine, seconds, passes, subopt, note=""):
        passes = "-" if passes is None else str(passes)
        subopt = "-" if subopt is None else f"{subopt:12.2e}"
        print(f"{row:36s} {engine:34s} {seconds:8.2f} {passes:>7s} {seconds / self.floor:7.1f} "
              f"{subopt:>12s}  {note}", flush=True)


def ls_objective(moments, name, coef, intercept, alpha, l1_ratio=1.0):
    """The row's objective (scikit-learn's scaling) from the data's moments."""
    from sklreg._dask._cv import squared_errors

    coef = np.asarray(coef, dtype=np.float64)
    mse = squared_errors(moments, coef, intercept)[0]
    if name == "Ridge":
        return moments.weight * mse + alpha * coef @ coef
    return mse / 2 + alpha * l1_ratio * np.abs(coef).sum() + alpha * (1 - l1_ratio) / 2 * coef @ coef


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


def run_size(n, p, args, counter):
    import dask

    from sklreg import (ElasticNet, HuberRegressor, Lasso, LassoCV, QuantileRegressor, Ridge,
                        alpha_max)
    from sklreg._dask._data import DaskData
    from sklreg._dask._moments import merge_all, one_pass

    dtype = np.float32 if args.float32 or n >= args.float32_from else np.float64
    rows = min(args.rows_per_block, n // 4)
    repeat = args.repeat or (1 if n >= 5_000_000 else 3)
    X, y = dask_data(n, p, rows, dtype)
    dask.compute(X.T @ X, X.T @ y)          # warm the workers up first
    floor, _, _ = timed(lambda: dask.compute(X.T @ X, X.T @ y), repeat)
    moments = merge_all(list(one_pass(DaskData(X, y)).values()))
    amax = alpha_max(Lasso(), X, y)
    print(f"\nn={n:,} p={p} {np.dtype(dtype).name} blocks={n // rows} workers=2x1 thread; "
          f"one pass (X^T X, X^T y): {floor:.2f} s; repeat={repeat}")
    table = Table(floor)
    libs = args.libs
    y_std = np.sqrt(moments.scatter[-1, -1] / moments.weight)     # y's (population) spread
    spark = (_Spark(X, y, args.parquet_dir) if "spark" in libs and n <= args.spark_max_n
             else None)

    for name in LS_ROWS:
        l1_ratio = {"Lasso": 1.0, "ElasticNet": 0.5, "Ridge": 0.0}[name]
        alpha = amax / 100 / l1_ratio if l1_ratio else 1e-3 * n
        row = f"{name} alpha={'alpha_max/100' if l1_ratio else '1e-3 n'}"
        make = {"Lasso": lambda tol: Lasso(alpha=alpha, tol=tol),
                "ElasticNet": lambda tol: ElasticNet(alpha=alpha, l1_ratio=0.5, tol=tol),
                "Ridge": lambda tol: Ridge(alpha=alpha, tol=tol)}[name]
        exact = make(1e-12).fit(X, y)
        best = ls_objective(moments, name, exact.coef_, exact.intercept_, alpha, l1_ratio)

        def subopt(coef, intercept):
            return (ls_objective(moments, name, coef, intercept, alpha, l1_ratio) - best) / abs(best)
        if "sklreg" in libs:
            seconds, model, passes = timed(lambda: make(1e-6).fit(X, y), repeat, counter)
            table.row(row, "sklreg (tol=1e-6)", seconds, passes,
                      subopt(model.coef_, model.intercept_))
        if "dask-ml" in libs and name != "Ridge":
            _dask_ml(X, y, n, alpha, l1_ratio, row, table, subopt, args)
        if spark is not None:
            spark.least_squares(name, alpha, l1_ratio, y_std, row, table, subopt, repeat)

    row = "LassoCV 5 folds x 100 alphas"
    if "sklreg" in libs:
        seconds, cv, passes = timed(lambda: LassoCV(cv=5, alphas=100).fit(X, y), repeat,
                                    counter)
        table.row(row, "sklreg", seconds, passes, None, f"alpha_={cv.alpha_:.4g}")
    if spark is not None:
        spark.cross_validator(amax, row, table, args.spark_cv_alphas)

    # Huber and quantile: P* from a tight solve, or, from --certified-from
    # on (a tight solve costs as much as the timed ones), the certified
    # lower bound P - gap of the timed fit: the column is then an upper bound
    certified = n >= args.certified_from
    note = "<= (P* >= P - gap)" if certified else ""
    row, alpha = "HuberRegressor alpha=1e-4", 1e-4

    def huber_value(model):
        return huber_objective(X, y, model.coef_, model.intercept_, model.scale_, alpha)
    best = (None if certified else
            huber_value(HuberRegressor(alpha=alpha, tol=1e-12, max_iter=200).fit(X, y)))
    if "sklreg" in libs:
        seconds, model, passes = timed(lambda: HuberRegressor(alpha=alpha).fit(X, y), repeat,
                                       counter)
        value = huber_value(model)
        best = value - model.dual_gap_ if certified else best
        table.row(row, "sklreg", seconds, passes, (value - best) / best, note)
    if spark is not None and best is not None:
        spark.huber(X, y, alpha, row, table, best, repeat, note)

    for tau in (0.5, 0.9):
        row, alpha = f"QuantileRegressor tau={tau} alpha=1e-3", 1e-3

        def quantile_value(model):
            return quantile_objective(X, y, model.coef_, model.intercept_, tau, alpha)
        best = (None if certified else quantile_value(
            QuantileRegressor(quantile=tau, alpha=alpha, tol=1e-12).fit(X, y)))
        if "sklreg" in libs:
            seconds, model, passes = timed(lambda: QuantileRegressor(
                quantile=tau, alpha=alpha).fit(X, y), repeat, counter)
            value = quantile_value(model)
            best = value - model.dual_gap_ if certified else best
            table.row(row, "sklreg", seconds, passes, (value - best) / best, note)
    if spark is not None:
        spark.stop()


def run_scale(n, p, args, counter):
    """LassoCV on n rows of float32 generated lazily: every pass (the
    floor's too) generates the blocks again; nothing is persisted."""
    import dask

    from sklreg import LassoCV

    rows = args.scale_rows_per_block
    X, y = dask_data(n, p, rows, np.float32, persist=False)
    start = time.perf_counter()
    dask.compute(X.T @ X, X.T @ y)
    floor = time.perf_counter() - start
    print(f"\nat scale: n={n:,} p={p} float32 ({n * (p + 1) * 4 / 1e9:.0f} GB, generated "
          f"lazily, never persisted) blocks={n // rows}; one pass (generation + X^T X, "
          f"X^T y): {floor:.1f} s")
    table = Table(floor)
    seconds, cv, passes = timed(lambda: LassoCV(cv=5, alphas=100).fit(X, y), 1, counter)
    table.row("LassoCV 5 folds x 100 alphas", "sklreg", seconds, passes, None,
              f"alpha_={cv.alpha_:.4g}")


def _dask_ml(X, y, n, alpha, l1_ratio, row, table, subopt, args):
    try:
        from dask_ml.linear_model import LinearRegression
    except ImportError:
        print(f"{row:36s} dask-ml: not installed")
        return
    # dask-glm minimises sum r^2 + (1/C) penalty, its L2 part 1/2 ||w||^2 and
    # its elastic net's weight 0.5 (dask-ml does not expose it): C = 1 / (2 n alpha)
    # is scikit-learn's alpha (at l1_ratio=0.5 for the elastic net)
    penalty = "l1" if l1_ratio == 1 else "elastic_net"
    for solver in args.dask_ml_solvers:
        model = LinearRegression(penalty=penalty, C=1.0 / (2 * n * alpha), solver=solver,
                                 fit_intercept=True, max_iter=args.dask_ml_max_iter)
        start = time.perf_counter()
        try:
            model.fit(X, y)
        except Exception as exc:            # report, do not stop the benchmark
            print(f"{row:36s} dask-ml {solver}: {type(exc).__name__}: {exc}")
            continue
        table.row(row, f"dask-ml {solver} (max_iter={args.dask_ml_max_iter})",
                  time.perf_counter() - start, getattr(model, "n_iter_", None),
                  subopt(model.coef_, model.intercept_))


def spark_penalty(name, alpha, l1_ratio, n, y_std):
    """Spark's (regParam, elasticNetParam) for scikit-learn's objective of
    the row ``name`` at ``alpha``, ``l1_ratio`` (ElasticNet's; Lasso's 1,
    Ridge's 0).

    With standardization=False Spark still scales y by its spread ``y_std``
    while it solves, and its penalty lam (mix |w|_1 + (1 - mix) |w|^2 / 2)
    acts on the scaled coefficients: in y's units its objective is
    1/(2n) |r|^2 + lam mix |w|_1 + lam (1 - mix) / (2 y_std) |w|^2 (both its
    normal and its l-bfgs solver).  The L1 part is scikit-learn's, the L2
    part is divided by y_std: to get alpha l1_ratio and alpha (1 - l1_ratio),
    lam = alpha (l1_ratio + (1 - l1_ratio) y_std) and mix = alpha l1_ratio /
    lam; Ridge's objective is scikit-learn's divided by 2 n, so lam = alpha
    y_std / n, mix = 0."""
    if name == "Ridge":
        return alpha * y_std / n, 0.0
    reg = alpha * (l1_ratio + (1.0 - l1_ratio) * y_std)
    return reg, alpha * l1_ratio / reg


class _Spark:
    """Spark MLlib (local[2]) on the benchmark's rows, cached (JVM start and
    caching excluded from the times)."""

    def __init__(self, X, y, folder):
        try:
            from pyspark.ml.feature import VectorAssembler
            from pyspark.sql import SparkSession
        except ImportError:
            print("Spark MLlib: pyspark not installed")
            self.data = None
            return
        import os

        import dask.array as da
        import dask.dataframe as dd

        start = time.perf_counter()
        n, p = X.shape
        # the same rows as Dask's, through Parquet (Spark reads it in bulk)
        path = os.path.join(folder, f"sklreg-bench-{n}x{p}-{np.dtype(X.dtype).name}.parquet")
        if not os.path.exists(path):
            columns = [f"x{j}" for j in range(p)] + ["label"]
            dd.from_dask_array(da.concatenate([X, y[:, None]], axis=1).astype(np.float64),
                               columns=columns).to_parquet(path, write_index=False)
        self.spark = (SparkSession.builder.master("local[2]").appName("sklreg-bench")
                      .config("spark.driver.memory", "8g")
                      .config("spark.ui.showConsoleProgress", "false").getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        frame = self.spark.read.parquet(path)
        self.data = VectorAssembler(inputCols=frame.columns[:-1], outputCol="features").transform(
            frame).select("features", "label").cache()
        self.data.count()
        self.n = n
        print(f"(Spark: the rows to Parquet, JVM start and caching "
              f"{time.perf_counter() - start:.0f} s, excluded)", flush=True)

    def least_squares(self, name, alpha, l1_ratio, y_std, row, table, subopt, repeat):
        if self.data is None:
            return
        from pyspark.ml.regression import LinearRegression

        reg, mix = spark_penalty(name, alpha, l1_ratio, self.n, y_std)
        for solver in ("normal", "l-bfgs"):
            estimator = LinearRegression(regParam=reg, elasticNetParam=mix,
                                         standardization=False, solver=solver, tol=1e-10,
                                         maxIter=1000)
            seconds, model, _ = timed(lambda: estimator.fit(self.data), repeat)
            table.row(row, f"Spark MLlib {solver}", seconds,
                      model.summary.totalIterations,
                      subopt(model.coefficients.toArray(), model.intercept))

    def cross_validator(self, amax, row, table, n_alphas):
        if self.data is None:
            return
        from pyspark.ml.evaluation import RegressionEvaluator
        from pyspark.ml.regression import LinearRegression
        from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

        estimator = LinearRegression(elasticNetParam=1.0, standardization=False,
                                     solver="normal", tol=1e-6, maxIter=1000)
        grid = ParamGridBuilder().addGrid(estimator.regParam, list(
            amax * np.logspace(0, -3, n_alphas))).build()
        cv = CrossValidator(estimator=estimator, estimatorParamMaps=grid, numFolds=5,
                            evaluator=RegressionEvaluator(metricName="mse"), seed=SEED)
        start = time.perf_counter()
        model = cv.fit(self.data)
        seconds = time.perf_counter() - start
        fits = 5 * n_alphas + 1
        table.row(row, f"Spark CrossValidator 5 x {n_alphas}", seconds, None, None,
                  f"{seconds / fits:.2f} s a fit; 5 x 100 alphas would take ~"
                  f"{seconds / fits * 501:.0f} s; best regParam="
                  f"{model.bestModel.getRegParam():.4g}")

    def huber(self, X, y, alpha, row, table, best, repeat, note=""):
        if self.data is None:
            return
        from pyspark.ml.regression import LinearRegression

        # Spark's Huber objective is scikit-learn's divided by 2 n, its ridge
        # regParam / 2 ||w||^2: regParam = 2 alpha / (2 n) = alpha / n
        estimator = LinearRegression(loss="huber", epsilon=1.35, regParam=alpha / self.n,
                                     elasticNetParam=0.0, standardization=False, tol=1e-10,
                                     maxIter=1000)
        seconds, model, _ = timed(lambda: estimator.fit(self.data), repeat)
        coef = model.coefficients.toArray()
        table.row(row, "Spark MLlib huber (l-bfgs)", seconds, model.summary.totalIterations,
                  (huber_objective(X, y, coef, model.intercept, model.scale, alpha) - best)
                  / best, note)

    def stop(self):
        if self.data is not None:
            self.data.unpersist()
            self.spark.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="n=100,000, p=20, one repeat")
    parser.add_argument("--n", type=float, nargs="+", default=[1e6])
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--float32", action="store_true", help="every size in float32")
    parser.add_argument("--float32-from", type=float, default=5e6,
                        help="sizes from this n on are float32 (memory)")
    parser.add_argument("--rows-per-block", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=None,
                        help="timings' repeats (default 3, 1 from n=5e6)")
    parser.add_argument("--libs", nargs="*", default=["sklreg", "dask-ml", "spark"])
    parser.add_argument("--dask-ml-solvers", nargs="*", default=["proximal_grad"],
                        help="also 'admm' (1700 s at n=1e6 in the issue, all zeros)")
    parser.add_argument("--dask-ml-max-iter", type=int, default=100)
    parser.add_argument("--spark-max-n", type=float, default=1e6,
                        help="Spark runs on sizes up to this n (its cached copy is in the JVM)")
    parser.add_argument("--spark-cv-alphas", type=int, default=3)
    parser.add_argument("--certified-from", type=float, default=5e6,
                        help="from this n on, Huber's and quantiles' P* is bounded by the "
                             "timed fit's certificate instead of a tight solve")
    parser.add_argument("--parquet-dir", default="/tmp",
                        help="where Spark's copy of the rows is written (kept for reruns)")
    parser.add_argument("--scale", type=float, default=None,
                        help="add the LassoCV row on this many rows, float32, generated lazily")
    parser.add_argument("--scale-rows-per-block", type=int, default=500_000)
    args = parser.parse_args(argv)
    sizes = [100_000] if args.quick else [int(n) for n in args.n]
    p = 20 if args.quick else args.p
    if args.quick:
        args.repeat = args.repeat or 1

    from dask.distributed import Client, LocalCluster

    counter = PassCounter()
    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster):
        for n in sizes:
            run_size(n, p, args, counter)
        if args.scale:
            run_scale(int(args.scale), p, args, counter)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"\nclient peak memory {peak:.2f} GB (Spark's driver apart; the quantile "
          f"bands included); total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
