"""Ridge, RidgeCV and ridge-path rows: sklreg against scikit-learn's solvers.

Each scikit-learn solver that applies is its own column ("scikit-learn:<solver>"),
so the fastest one is visible in the table.  Direct solvers have no tol
(``tols=[None]``); the sparse row is iterative for everyone and uses the
harness's tol ladder.  The CV rows compare the fitted model at the chosen
alpha (same alpha, same coefficients); the path row runs 100 alphas on the
data of ``ridge_dense_n_gg_p``, so its time can be set against that row's
single fit.
"""
import numpy as np

from harness import TOLS, Problem
from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import ridge_objective

ALPHA = 1.0
CV_ALPHAS = np.geomspace(1e-3, 1e4, 30)


def _data(n, p, density=1.0):
    def build(quick):
        nn, pp = (max(n // 10, 200), max(p // 10, 50)) if quick else (n, p)
        X, y, _ = make_correlated_data(nn, pp, rho=0.5, density=density, random_state=0)
        return dict(X=X, Xd=X if density == 1.0 else None, y=y)
    return build


def _objective(d, solution):
    coefs, intercepts, alphas = solution
    X = d["X"]
    return np.array([ridge_objective(X, d["y"], c, b, a)
                     for c, b, a in zip(coefs, intercepts, alphas)])


def _fit(make):
    def run(d, tol):
        m = make(tol).fit(d["X"], d["y"])
        return [m.coef_], [m.intercept_], [np.ravel(getattr(m, "alpha_", ALPHA))[0]]
    return run


def _ridge_problem(name, n, p, sk_solvers, density=1.0, iterative=False):
    """Direct solvers ignore tol and pass on the first rung of the ladder."""
    import sklreg
    from sklearn.linear_model import Ridge

    runners = {"sklreg": _fit(lambda tol: sklreg.Ridge(
        alpha=ALPHA, **({} if tol is None else {"tol": tol})))}
    if not iterative:       # our own iterative option beside the direct default
        runners["sklreg:lsqr"] = _fit(lambda tol: sklreg.Ridge(
            alpha=ALPHA, solver="lsqr", **({} if tol is None else {"tol": tol})))
    for solver in sk_solvers:
        runners[f"scikit-learn:{solver}"] = _fit(
            lambda tol, solver=solver: Ridge(alpha=ALPHA, solver=solver,
                                             **({} if tol is None else {"tol": tol})))
    reference = _fit(lambda tol: sklreg.Ridge(
        alpha=ALPHA, solver="cholesky" if not iterative else "sparse_cg", tol=1e-12))
    return Problem(name, _data(n, p, density), _objective, runners,
                   lambda d: reference(d, None), tols=list(TOLS))


def _cv_problem(name, n, p, cv, sk_variants):
    import sklreg
    from sklearn.linear_model import RidgeCV

    runners = {"sklreg": _fit(lambda tol: sklreg.RidgeCV(alphas=CV_ALPHAS, cv=cv))}
    for label, params in sk_variants.items():
        runners[f"scikit-learn{label}"] = _fit(
            lambda tol, params=params: RidgeCV(alphas=CV_ALPHAS, cv=cv, **params))
    return Problem(name, _data(n, p), _objective, runners,
                   lambda d: runners["sklreg"](d, None), tols=[None])


def _path_problem(name, n, p):
    import sklreg
    from sklearn.linear_model import Ridge

    alphas = np.geomspace(1e4, 1e-2, 100)

    def ours(d, tol):
        path = sklreg.regularization_path(sklreg.Ridge(), d["X"], d["y"], alphas=alphas)
        return path.coefs, path.intercepts, path.alphas

    def theirs(d, tol):
        coefs, intercepts = [], []
        for a in alphas:
            model = Ridge(alpha=a, solver="cholesky").fit(d["X"], d["y"])
            coefs.append(model.coef_)
            intercepts.append(model.intercept_)
        return coefs, intercepts, alphas

    return Problem(name, _data(n, p), _objective,
                   {"sklreg": ours, "scikit-learn:cholesky": theirs},
                   lambda d: ours(d, None), tols=[None])


def _path_vs_fit_problem(name, n, p):
    """The ridge path of 100 alphas against one fit, in one run (target: the
    path within 2x one fit).  Both are scored by the objective at
    alpha = ALPHA, which lies on the path's grid, so the harness holds them
    to the same accuracy; the "ratio" column of the fit is fit / path."""
    import sklreg

    alphas = np.geomspace(1e4, 1e-2, 100)
    at = int(np.argmin(np.abs(alphas - ALPHA)))

    def path(d, tol):
        result = sklreg.regularization_path(sklreg.Ridge(), d["X"], d["y"], alphas=alphas)
        return [result.coefs[at]], [result.intercepts[at]], [ALPHA]

    runners = {"sklreg:path100": path,
               "sklreg:1 fit": _fit(lambda tol: sklreg.Ridge(
                   alpha=ALPHA, **({} if tol is None else {"tol": tol})))}
    reference = _fit(lambda tol: sklreg.Ridge(alpha=ALPHA, solver="cholesky"))
    return Problem(name, _data(n, p), _objective, runners,
                   lambda d: reference(d, None), tols=list(TOLS))


def problems():
    return [
        _ridge_problem("ridge_dense_n_gg_p", 20000, 500, ["cholesky", "svd", "lsqr"]),
        _ridge_problem("ridge_dense_p_gg_n", 500, 5000, ["cholesky", "svd", "lsqr"]),
        _ridge_problem("ridge_sparse", 50000, 20000, ["sparse_cg", "lsqr"],
                       density=0.001, iterative=True),
        _path_problem("ridge_path_100", 20000, 500),
        _path_vs_fit_problem("ridge_path_100_vs_fit", 20000, 500),
        _cv_problem("ridgecv_loo_30", 20000, 500, None,
                    {"": {}, ":gcv_svd": {"gcv_mode": "svd"}}),
        _cv_problem("ridgecv_cv5_30", 20000, 500, 5, {"": {}}),
    ]
