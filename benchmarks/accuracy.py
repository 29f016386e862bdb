"""Accuracy at equal settings: sklreg against scikit-learn (issue 22, item 11).

For each case and ``tol`` both libraries fit with the same parameters; each
fit is compared with a reference optimum computed independently of both
(an lstsq on the stacked ridge system, a QR on the optimum's support, the
LP's vertex by HiGHS' dual simplex, or for Huber the best of both libraries
at tol=1e-15).  Printed per fit: the coefficient error
``max|w - w*| / max|w*|`` and the relative objective gap
``(P(w) - P*) / |P*|`` (negative: rounding, or a reference that is not
exact).  ``ok`` says whether sklreg is at least as close as scikit-learn on
both, up to rounding (1e-13 on the error, 1e-15 on the gap).

    python benchmarks/accuracy.py                 # every case, tol 1e-4 1e-8 1e-12
    python benchmarks/accuracy.py --only ridge --tols 1e-4
"""
import argparse
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

import sklreg
from sklreg.datasets import make_correlated_data
from sklreg.utils.reference import (enet_exact, enet_objective, huber_objective,
                                    ridge_objective)

ERROR_FLOOR, GAP_FLOOR = 1e-13, 1e-15


def ridge_exact(X, y, alpha):
    """Ridge's optimum (``sum r**2 + alpha |w|**2``) by lstsq on the stacked
    system: no normal equations, so no squared condition number."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    mu, ybar = X.mean(axis=0), y.mean()
    A = np.vstack([X - mu, np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([y - ybar, np.zeros(X.shape[1])])
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    return w, ybar - mu @ w


def pinball_objective(X, y, coef, intercept, quantile, alpha):
    r = y - X @ coef - intercept
    return np.mean(np.maximum(quantile * r, (quantile - 1) * r)) + alpha * np.abs(coef).sum()


def quantile_exact(X, y, quantile, alpha):
    """The LP's vertex by HiGHS' dual simplex (scikit-learn's 'highs'
    chooses its method itself)."""
    return sk.QuantileRegressor(quantile=quantile, alpha=alpha,
                                solver="highs-ds").fit(X, y)


def enet_case(name, X, y, alpha, l1_ratio):
    w, b = enet_exact(X, y, alpha, l1_ratio)

    def fit(module, tol):
        return module.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                                 max_iter=10**6).fit(X, y)
    objective = lambda m: enet_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio)  # noqa: E731
    return name, fit, objective, w, enet_objective(X, y, w, b, alpha, l1_ratio)


def enet_ridge_case():
    X, y = make_regression(50, 200, noise=1, random_state=1)
    alpha = 0.1
    w, b = ridge_exact(X, y, alpha * len(y))       # l1_ratio=0 is Ridge(alpha * n)

    def fit(module, tol):
        return module.ElasticNet(alpha=alpha, l1_ratio=0, tol=tol, max_iter=10**6).fit(X, y)
    objective = lambda m: enet_objective(X, y, m.coef_, m.intercept_, alpha, 0.0)  # noqa: E731
    return ("ElasticNet(l1_ratio=0) 50x200", fit, objective, w,
            enet_objective(X, y, w, b, alpha, 0.0))


def ridge_case(name, X, y, solver):
    w, b = ridge_exact(X, y, 1.0)

    def fit(module, tol):
        return module.Ridge(alpha=1.0, solver=solver, tol=tol).fit(X, y)
    objective = lambda m: ridge_objective(X, y, m.coef_, m.intercept_, 1.0)  # noqa: E731
    return name, fit, objective, w, ridge_objective(X, y, w, b, 1.0)


def ridge_cv_float32_case(n, p):
    X, y = make_regression(n, p, noise=5, random_state=0)
    X32 = X.astype(np.float32)
    alphas = np.logspace(-3, 2, 11)

    def fit(module, tol):           # RidgeCV has no tol: the same at every row
        m = module.RidgeCV(alphas=alphas).fit(X32, y)
        fit.alpha = m.alpha_
        return m
    fit(sk, None)
    w, b = ridge_exact(X32.astype(np.float64), y, fit.alpha)
    objective = lambda m: ridge_objective(X32.astype(np.float64), y, m.coef_,  # noqa: E731
                                          m.intercept_, fit.alpha)
    return (f"RidgeCV float32 {n}x{p}", fit, objective, w,
            ridge_objective(X32.astype(np.float64), y, w, b, fit.alpha))


def quantile_case():
    X, y = make_regression(300, 20, n_informative=10, noise=1, random_state=42)
    tau, alpha = 0.6, 0.1
    ref = quantile_exact(X, y, tau, alpha)

    def fit(module, tol):
        if module is sk:            # no tol: HiGHS to its own tolerances
            return sk.QuantileRegressor(quantile=tau, alpha=alpha).fit(X, y)
        return sklreg.QuantileRegressor(quantile=tau, alpha=alpha, tol=tol).fit(X, y)
    objective = lambda m: pinball_objective(X, y, m.coef_, m.intercept_, tau, alpha)  # noqa: E731
    return ("QuantileRegressor 300x20", fit, objective, ref.coef_,
            pinball_objective(X, y, ref.coef_, ref.intercept_, tau, alpha))


def huber_case(sparse):
    X, y = make_regression(200, 20, noise=5, random_state=0)
    y[:10] += 40
    Xf = sp.csr_matrix(X) if sparse else X
    alpha, eps = 1e-3, 1.35

    def fit(module, tol):
        return module.HuberRegressor(alpha=alpha, epsilon=eps, tol=tol,
                                     max_iter=10**5).fit(Xf, y)
    objective = lambda m: huber_objective(X, y, m.coef_, m.intercept_, m.scale_,  # noqa: E731
                                          eps, alpha)
    tight = [fit(module, 1e-15) for module in (sk, sklreg)]
    best = min(tight, key=objective)
    return (f"HuberRegressor {'sparse' if sparse else 'dense'} 200x20", fit, objective,
            best.coef_, objective(best))


def cases():
    yield enet_case("ElasticNet 100x30", *make_regression(100, 30, noise=1, random_state=0),
                    0.1, 0.5)
    X, y, _ = make_correlated_data(200, 500, rho=0.5, random_state=0)
    yield enet_case("ElasticNet 200x500", X, y, 0.05, 0.5)
    yield enet_case("Lasso 200x500", X, y, 0.05, 1.0)
    X, y, _ = make_correlated_data(500, 50, rho=0.9, random_state=1)
    yield enet_case("ElasticNet corr. 500x50", X, y, 0.01, 0.1)
    # few samples, highly correlated columns, a small L1 part: a gap of
    # tol**2 P(0) still leaves coefficients 1e-4 off where scikit-learn's
    # last pass overshoots its own rule
    X = np.array([[1, 2, 4, 5, 8], [3, 5, 7, 7, 8]], dtype=float).T
    yield enet_case("ElasticNet 5x2 l1_ratio=1e-5", X, np.array([12, 10, 11, 21, 5.0]),
                    10.0, 1e-5)
    yield enet_case("ElasticNet 200x10 l1_ratio=0.01",
                    *make_regression(200, 10, noise=1, random_state=2), 0.1, 0.01)
    yield enet_ridge_case()
    X, y = make_regression(200, 50, noise=5, random_state=0)
    yield ridge_case("Ridge sparse_cg 200x50", X, y, "sparse_cg")
    rng = np.random.RandomState(0)
    X = rng.randn(300, 20) * np.logspace(0, 2, 20) + 3
    X[rng.rand(*X.shape) < 0.7] = 0
    yield ridge_case("Ridge sparse_cg sparse X", sp.csr_matrix(X),
                     X @ rng.randn(20) + rng.randn(300) + 10, "sparse_cg")
    yield quantile_case()
    yield ridge_cv_float32_case(200, 30)
    yield ridge_cv_float32_case(60, 300)
    yield huber_case(sparse=False)
    yield huber_case(sparse=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tols", type=float, nargs="+", default=[1e-4, 1e-8, 1e-12])
    parser.add_argument("--only", default=None, help="cases whose name contains this")
    args = parser.parse_args(argv)
    print(f"{'case':32s} {'tol':>7s} {'err sklreg':>11s} {'err sklearn':>11s} "
          f"{'gap sklreg':>11s} {'gap sklearn':>11s}  ok")
    worse = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, fit, objective, w, best in cases():
            if args.only and args.only.lower() not in name.lower():
                continue
            scale = np.abs(w).max()
            for tol in args.tols:
                row = []
                for module in (sklreg, sk):
                    m = fit(module, tol)
                    row += [np.abs(np.asarray(m.coef_, dtype=np.float64) - w).max() / scale,
                            (objective(m) - best) / abs(best)]
                err, gap, sk_err, sk_gap = row
                ok = err <= max(sk_err, ERROR_FLOOR) and gap <= max(sk_gap, 0) + GAP_FLOOR
                worse += not ok
                print(f"{name:32s} {tol:7.0e} {err:11.1e} {sk_err:11.1e} {gap:11.1e} "
                      f"{sk_gap:11.1e}  {'yes' if ok else 'NO'}", flush=True)
    print(f"\n{worse} fit(s) less accurate than scikit-learn's")


if __name__ == "__main__":
    main()
