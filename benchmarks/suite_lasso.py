"""Lasso and ElasticNet rows: sklreg, scikit-learn, skglm, celer."""
import numpy as np
import scipy.sparse as sp

from harness import Problem
from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import enet_objective


def _alpha_max(X, y, l1_ratio, fit_intercept):
    Xd = X.astype(np.float64)
    yc = y - y.mean() if fit_intercept else y
    grad = Xd.T @ yc
    if fit_intercept:
        grad = grad - np.asarray(Xd.mean(axis=0)).ravel() * yc.sum()
    return np.max(np.abs(grad)) / (len(y) * l1_ratio)


def _fit_runner(make):
    """Runner for a single fit from ``make(alpha, l1_ratio, fit_intercept, tol)``."""
    def run(d, tol):
        m = make(d["alphas"][0], d["l1_ratio"], d["fit_intercept"], tol).fit(d["X"], d["y"])
        return [m.coef_], [m.intercept_]
    return run


def _libraries():
    import sklreg
    from sklearn import linear_model as lm

    libs = {
        "sklreg": lambda a, r, fi, tol: sklreg.ElasticNet(
            alpha=a, l1_ratio=r, fit_intercept=fi, tol=tol, max_iter=100_000),
        "scikit-learn": lambda a, r, fi, tol: lm.ElasticNet(
            alpha=a, l1_ratio=r, fit_intercept=fi, tol=tol, max_iter=100_000),
    }
    paths = {
        "sklreg": lambda d, tol: sklreg.enet_path(
            d["X"], d["y"], alphas=d["alphas"], l1_ratio=d["l1_ratio"], tol=tol,
            max_iter=100_000)[1].T,
        "scikit-learn": lambda d, tol: lm.enet_path(
            d["X"], d["y"], alphas=d["alphas"], l1_ratio=d["l1_ratio"], tol=tol,
            max_iter=100_000)[1].T,
    }
    def lars(d, tol):
        # scikit-learn's exact homotopy: piecewise linear between its kinks,
        # so interpolating at the grid is exact.  Lasso only, no tol.
        if d["l1_ratio"] != 1.0:
            raise ValueError("LARS solves the lasso only")
        kinks, _, coefs = lm.lars_path(d["X"], d["y"], method="lasso",
                                       alpha_min=d["alphas"][-1])
        alphas = d["alphas"]
        i = np.clip(np.searchsorted(-kinks, -alphas, side="right") - 1, 0, len(kinks) - 2)
        t = (kinks[i] - alphas) / (kinks[i] - kinks[i + 1])
        return (coefs[:, i] + t * (coefs[:, i + 1] - coefs[:, i])).T
    paths["lars"] = lars
    try:
        import skglm
        libs["skglm"] = lambda a, r, fi, tol: skglm.ElasticNet(
            alpha=a, l1_ratio=r, fit_intercept=fi, tol=tol, max_iter=1000)

        def skglm_path(d, tol):
            m = skglm.ElasticNet(l1_ratio=d["l1_ratio"], tol=tol, fit_intercept=False,
                                 warm_start=True, max_iter=1000)
            return np.array([m.set_params(alpha=a).fit(d["X"], d["y"]).coef_.copy()
                             for a in d["alphas"]])
        paths["skglm"] = skglm_path
    except ImportError:
        pass
    try:
        import celer
        libs["celer"] = lambda a, r, fi, tol: celer.ElasticNet(
            alpha=a, l1_ratio=r, fit_intercept=fi, tol=tol, max_iter=1000)

        def celer_path(d, tol):
            kind = "lasso" if d["l1_ratio"] == 1.0 else "enet"
            extra = {} if kind == "lasso" else {"l1_ratio": d["l1_ratio"]}
            return celer.celer_path(d["X"], d["y"], kind, alphas=d["alphas"], tol=tol,
                                    **extra)[1].T
        paths["celer"] = celer_path
    except ImportError:
        pass
    return libs, paths


def power_law_data(n, p, density, exponent=0.9, n_informative=200, seed=0):
    """Sparse text-like X (news20/rcv1-like): CSC, non-negative entries,
    column j holding about ``(j + 1) ** -exponent`` of the non-zeros (a few
    frequent columns, a long tail of columns with one entry or none); y is
    linear in ``n_informative`` of the columns plus noise."""
    rng = np.random.default_rng(seed)
    weight = np.arange(1, p + 1, dtype=np.float64) ** -exponent
    counts = np.minimum(rng.poisson(weight * (density * n * p / weight.sum())), n)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    rows = np.empty(indptr[-1], dtype=np.int32)
    for j in np.flatnonzero(counts > n // 20):       # the frequent columns
        rows[indptr[j]:indptr[j + 1]] = rng.choice(n, counts[j], replace=False)
    rare = np.repeat(counts <= n // 20, counts)       # duplicates dropped below
    rows[rare] = rng.integers(0, n, np.count_nonzero(rare))
    X = sp.csc_matrix((rng.exponential(1.0, rows.size), rows, indptr), shape=(n, p))
    X.sum_duplicates()
    w = np.zeros(p)
    informative = rng.choice(np.flatnonzero(counts), n_informative, replace=False)
    w[informative] = rng.standard_normal(n_informative)
    signal = X @ w
    y = signal + 0.5 * np.std(signal) * rng.standard_normal(n)
    return X, y


def problem(name, n, p, *, ratio=None, l1_ratio=1.0, density=1.0, path=False,
            fit_intercept=True, dtype=np.float64, quick_shape=None, power_law=False,
            libraries=None, eps=1e-3):
    def build(quick):
        nn, pp = quick_shape if quick and quick_shape else (n, p)
        if power_law:
            X, y = power_law_data(nn, pp, density)
        else:
            X, y, _ = make_correlated_data(nn, pp, rho=0.5, density=density,
                                           random_state=0)
        if not fit_intercept and not sp.issparse(X):
            X = np.asfortranarray(X - X.mean(axis=0))
            y = y - y.mean()
        X = X.astype(dtype)
        amax = _alpha_max(X, y, l1_ratio, fit_intercept)
        alphas = np.geomspace(amax, amax * eps, 100) if path else np.array([amax / ratio])
        return dict(X=X, Xd=X.astype(np.float64), y=y, alphas=alphas,
                    l1_ratio=l1_ratio, fit_intercept=fit_intercept)

    def objective(d, solution):
        coefs, intercepts = solution
        return np.array([enet_objective(d["Xd"], d["y"], c, b, a, d["l1_ratio"])
                         for c, b, a in zip(coefs, intercepts, d["alphas"])])

    libs, paths = _libraries()
    if path:
        runners = {k: (lambda f: lambda d, tol: (f(d, tol), np.zeros(len(d["alphas"]))))(f)
                   for k, f in paths.items()}
    else:
        runners = {k: _fit_runner(make) for k, make in libs.items()}
    if libraries is not None:
        runners = {k: f for k, f in runners.items() if k in libraries}
    reference = lambda d: runners["sklreg"](d, 1e-13)     # noqa: E731
    return Problem(name, build, objective, runners, reference)


def problems():
    return [
        problem("lasso_dense_amax10", 1000, 5000, ratio=10, quick_shape=(500, 2000)),
        problem("lasso_dense_amax100", 1000, 5000, ratio=100, quick_shape=(500, 2000)),
        problem("lasso_path_100", 1000, 5000, path=True, fit_intercept=False,
                quick_shape=(300, 1000)),
        problem("enet_dense_amax100", 1000, 5000, ratio=100, l1_ratio=0.5,
                quick_shape=(500, 2000)),
        problem("lasso_sparse_intercept", 20000, 50000, ratio=100, density=0.001,
                quick_shape=(5000, 10000)),
        problem("lasso_n_gg_p", 100000, 100, ratio=100, quick_shape=(20000, 100)),
        problem("lasso_dense_amax100_f32", 1000, 5000, ratio=100, dtype=np.float32,
                quick_shape=(500, 2000)),
        # text-like: scikit-learn and LARS take minutes here, the peers are
        # the working-set solvers (the path without an intercept: skglm's
        # and celer's paths have none; down to alpha_max / 100, as the
        # literature's news20 paths)
        problem("lasso_sparse_highdim", 20_000, 1_000_000, ratio=100, density=3e-4,
                power_law=True, quick_shape=(2000, 100_000),
                libraries=("sklreg", "skglm", "celer")),
        problem("lasso_sparse_highdim_path", 20_000, 1_000_000, path=True, density=3e-4,
                power_law=True, fit_intercept=False, eps=1e-2, quick_shape=(2000, 100_000),
                libraries=("sklreg", "skglm", "celer")),
    ]
