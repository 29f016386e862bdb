"""Time sklreg against its peers, in one run, at equal certified accuracy.

For every problem each library is run at the loosest of its own ``tol``
values that brings it within ``--target`` relative suboptimality
(``(P - P*) / P*``, P* the best objective any run reached, including a tight
sklreg reference solve).  Then all libraries are timed in turn, interleaved,
``--repeat`` times; the table shows the median time, the ratio to sklreg, the
suboptimality reached and the passes over X (time / time of one ``X.T @ r``).

    python benchmarks/run.py            # all rows
    python benchmarks/run.py --quick    # smaller problems, one repeat
    python benchmarks/run.py --only lasso_dense_amax100
"""
import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp

from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import enet_objective

TOLS = [10.0 ** -k for k in range(2, 15)]


# ----------------------------------------------------------------- problems
def problem(name, n, p, *, ratio=None, l1_ratio=1.0, density=1.0, path=False,
            fit_intercept=True, dtype=np.float64, quick=(None, None)):
    return dict(name=name, n=n, p=p, ratio=ratio, l1_ratio=l1_ratio,
                density=density, path=path, fit_intercept=fit_intercept,
                dtype=dtype, quick=quick)


PROBLEMS = [
    problem("lasso_dense_amax10", 1000, 5000, ratio=10, quick=(500, 2000)),
    problem("lasso_dense_amax100", 1000, 5000, ratio=100, quick=(500, 2000)),
    problem("lasso_path_100", 1000, 5000, path=True, fit_intercept=False, quick=(300, 1000)),
    problem("enet_dense_amax100", 1000, 5000, ratio=100, l1_ratio=0.5, quick=(500, 2000)),
    problem("lasso_sparse_intercept", 20000, 50000, ratio=100, density=0.001,
            quick=(5000, 10000)),
    problem("lasso_n_gg_p", 100000, 100, ratio=100, quick=(20000, 100)),
    problem("lasso_dense_amax100_f32", 1000, 5000, ratio=100, dtype=np.float32,
            quick=(500, 2000)),
]


def build(prob, quick):
    n, p = prob["quick"] if quick else (prob["n"], prob["p"])
    X, y, _ = make_correlated_data(n, p, rho=0.5, density=prob["density"],
                                   random_state=0)
    if not prob["fit_intercept"] and not sp.issparse(X):
        X = np.asfortranarray(X - X.mean(axis=0))
        y = y - y.mean()
    return X.astype(prob["dtype"]), y


# ----------------------------------------------------------------- adapters
# Each adapter: fit(X, y, alpha, l1_ratio, fit_intercept, tol) -> (coef, intercept)
# and optionally path(X, y, alphas, l1_ratio, tol) -> coefs (n_alphas, p).
def _sklreg():
    import sklreg

    def fit(X, y, alpha, l1_ratio, fit_intercept, tol):
        m = sklreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                              fit_intercept=fit_intercept, max_iter=100_000).fit(X, y)
        return m.coef_, m.intercept_

    def path(X, y, alphas, l1_ratio, tol):
        return sklreg.enet_path(X, y, alphas=alphas, l1_ratio=l1_ratio, tol=tol,
                                max_iter=100_000)[1].T
    return fit, path


def _sklearn():
    from sklearn import linear_model as lm

    def fit(X, y, alpha, l1_ratio, fit_intercept, tol):
        m = lm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                          fit_intercept=fit_intercept, max_iter=100_000).fit(X, y)
        return m.coef_, m.intercept_

    def path(X, y, alphas, l1_ratio, tol):
        return lm.enet_path(X, y, alphas=alphas, l1_ratio=l1_ratio, tol=tol,
                            max_iter=100_000)[1].T
    return fit, path


def _skglm():
    import skglm

    def fit(X, y, alpha, l1_ratio, fit_intercept, tol):
        m = skglm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                             fit_intercept=fit_intercept, max_iter=1000).fit(X, y)
        return m.coef_, m.intercept_

    def path(X, y, alphas, l1_ratio, tol):
        m = skglm.ElasticNet(l1_ratio=l1_ratio, tol=tol, fit_intercept=False,
                             warm_start=True, max_iter=1000)
        return np.array([m.set_params(alpha=a).fit(X, y).coef_.copy() for a in alphas])
    return fit, path


def _celer():
    import celer

    def fit(X, y, alpha, l1_ratio, fit_intercept, tol):
        m = celer.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                             fit_intercept=fit_intercept, max_iter=1000).fit(X, y)
        return m.coef_, m.intercept_

    def path(X, y, alphas, l1_ratio, tol):
        kind = "lasso" if l1_ratio == 1.0 else "enet"
        extra = {} if kind == "lasso" else {"l1_ratio": l1_ratio}
        return celer.celer_path(X, y, kind, alphas=alphas, tol=tol, **extra)[1].T
    return fit, path


LIBRARIES = {"sklreg": _sklreg, "scikit-learn": _sklearn, "skglm": _skglm,
             "celer": _celer}


# ----------------------------------------------------------------- harness
def alpha_max(X, y, l1_ratio, fit_intercept):
    Xc = X.astype(np.float64)
    yc = y - y.mean() if fit_intercept else y
    grad = Xc.T @ yc
    if fit_intercept:
        grad = grad - np.asarray(Xc.mean(axis=0)).ravel() * yc.sum()
    return np.max(np.abs(grad)) / (len(y) * l1_ratio)


def one_pass_time(X):
    r = np.random.default_rng(0).standard_normal(X.shape[0])
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        X.T @ r
        best = min(best, time.perf_counter() - t0)
    return best


def run_problem(prob, libs, quick, repeat, target):
    X, y = build(prob, quick)
    Xd = X.astype(np.float64)
    fi, l1 = prob["fit_intercept"], prob["l1_ratio"]
    amax = alpha_max(X, y, l1, fi)
    if prob["path"]:
        alphas = np.geomspace(amax, amax * 1e-3, 100)
    else:
        alphas = np.array([amax / prob["ratio"]])

    def objective(out):
        coefs, intercepts = out
        return np.array([enet_objective(Xd, y, c, b, a, l1)
                         for c, b, a in zip(coefs, intercepts, alphas)])

    def call(lib, tol):
        fit, path = libs[lib]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            if prob["path"]:
                coefs = path(X, y, alphas, l1, tol)
                out = (coefs, np.zeros(len(alphas)))
            else:
                c, b = fit(X, y, alphas[0], l1, fi, tol)
                out = ([c], [b])
            return time.perf_counter() - t0, objective(out)

    # reference: a tight sklreg solve; every objective seen can improve it
    best = call("sklreg", 1e-13)[1]
    found = {}
    for lib in libs:
        for tol in TOLS:
            elapsed, obj = call(lib, tol)
            best = np.minimum(best, obj)
            if np.max((obj - best) / best) <= target:
                found[lib] = (tol, [elapsed], obj)
                break
            if elapsed > 120:     # give up on a library that cannot get there
                break
    for _ in range(repeat - 1):   # interleave the libraries
        for lib, (tol, times, obj) in found.items():
            elapsed, obj = call(lib, tol)
            times.append(elapsed)
    t_pass = one_pass_time(X)
    rows = []
    for lib in libs:
        if lib not in found:
            rows.append((lib, None, None, None, None))
            continue
        tol, times, obj = found[lib]
        rows.append((lib, tol, float(np.median(times)),
                     float(np.max((obj - best) / best)), float(np.median(times)) / t_pass))
    return X.shape, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller problems, 1 repeat")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--target", type=float, default=1e-6,
                        help="relative suboptimality every library must reach")
    parser.add_argument("--only", nargs="*", help="problem names to run")
    parser.add_argument("--libs", nargs="*", default=list(LIBRARIES))
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    libs = {}
    for name in args.libs:
        try:
            libs[name] = LIBRARIES[name]()
        except ImportError:
            print(f"# {name} is not installed: skipped")
    print(f"# target relative suboptimality {args.target:g}; median of {repeat}; "
          "ratio = time / sklreg time (above 1: slower than sklreg)")
    print(f"{'problem':<26}{'shape':>14} {'library':<14}{'tol':>8}{'time s':>10}"
          f"{'ratio':>8}{'subopt':>10}{'passes':>9}")
    for prob in PROBLEMS:
        if args.only and prob["name"] not in args.only:
            continue
        shape, rows = run_problem(prob, libs, args.quick, repeat, args.target)
        ours = dict((r[0], r[2]) for r in rows).get("sklreg")
        for lib, tol, t, sub, passes in rows:
            if t is None:
                print(f"{prob['name']:<26}{str(shape):>14} {lib:<14}   did not reach the target")
                continue
            ratio = t / ours if ours else float("nan")
            print(f"{prob['name']:<26}{str(shape):>14} {lib:<14}{tol:>8.0e}{t:>10.3f}"
                  f"{ratio:>8.2f}{sub:>10.1e}{passes:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
