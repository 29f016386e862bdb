"""HuberRegressor rows: sklreg, scikit-learn, and skglm at a fixed scale.

The objective of every row is scikit-learn's joint one (DESIGN section 1)::

    sum_i (sigma + sigma H(r_i / sigma)) + alpha (rho ||w||_1 + (1 - rho) ||w||**2)

skglm has no joint scale: its ``Huber(delta)`` datafit is the w-problem at a
*fixed* scale.  The row ``skglm-fixed-scale`` hands it the optimal scale
sigma* of the reference solve (``delta = epsilon sigma*``, penalty rescaled to
its ``1/n`` datafit), so it solves an easier problem that has the same w; its
solution is judged on the joint objective at sigma = sigma*.  It also gets no
intercept-free advantage: it fits the intercept as the others do.
"""
import numpy as np
import scipy.sparse as sp

from harness import Problem
from sklreg.utils.reference import huber_objective

EPSILON = 1.35


def _data(n, p, density, outliers, seed=0):
    rng = np.random.default_rng(seed)
    if density < 1.0:
        X = sp.random(n, p, density=density, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    else:
        X = np.asfortranarray(rng.standard_normal((n, p)))
    w = np.zeros(p)
    support = rng.choice(p, min(p, 20), replace=False)
    w[support] = rng.uniform(-2, 2, support.size)
    y = X @ w + 1.0 + rng.standard_normal(n)
    bad = rng.random(n) < outliers
    y[bad] += rng.choice([-1, 1], bad.sum()) * rng.uniform(20, 100, bad.sum())
    return X, y


def _alpha_max(X, y, l1_ratio):
    """Smallest alpha with w = 0 optimal for the L1 part (alpha rho ||w||_1)."""
    import sklreg
    m = sklreg.HuberRegressor(epsilon=EPSILON, alpha=0.0, tol=1e-10).fit(
        sp.csc_matrix((X.shape[0], 1)), y)
    r = y - m.intercept_
    z = r / m.scale_
    psi = np.where(np.abs(z) <= EPSILON, 2 * z, 2 * EPSILON * np.sign(z))
    return np.max(np.abs(X.T @ psi)) / l1_ratio


def _libraries(l1_ratio):
    import sklreg
    from sklearn import linear_model as lm

    def ours(d, tol):
        m = sklreg.HuberRegressor(epsilon=EPSILON, alpha=d["alpha"], l1_ratio=l1_ratio,
                                  tol=tol, max_iter=10_000).fit(d["X"], d["y"])
        return m.coef_, m.intercept_, m.scale_

    runners = {"sklreg": ours}
    if l1_ratio == 0.0:
        def sklearn(d, tol):
            X = d["X"].tocsr() if sp.issparse(d["X"]) else d["X"]
            m = lm.HuberRegressor(epsilon=EPSILON, alpha=d["alpha"], tol=tol,
                                  max_iter=100_000).fit(X, d["y"])
            return m.coef_, m.intercept_, m.scale_
        runners["scikit-learn"] = sklearn
    try:
        import skglm
        from skglm.datafits import Huber
        from skglm.penalties import L1_plus_L2
        from skglm.solvers import AndersonCD

        def skglm_fixed(d, tol):
            sigma, n = d["sigma_star"], d["X"].shape[0]
            # sigma H(r / sigma) = 2 / sigma * huber_delta(r), delta = eps sigma
            a = sigma * d["alpha"] * (2 - l1_ratio) / (2 * n)
            penalty = L1_plus_L2(a, l1_ratio / (2 - l1_ratio))
            m = skglm.GeneralizedLinearEstimator(
                datafit=Huber(EPSILON * sigma), penalty=penalty,
                solver=AndersonCD(tol=tol, fit_intercept=True, max_iter=1000))
            m.fit(d["X"], d["y"])
            return m.coef_, m.intercept_, sigma
        runners["skglm-fixed-scale"] = skglm_fixed
    except ImportError:
        pass
    return runners


def problem(name, n, p, *, l1_ratio=0.0, alpha=None, ratio=10, density=1.0,
            outliers=0.05, quick_shape=None):
    def build(quick):
        nn, pp = quick_shape if quick and quick_shape else (n, p)
        X, y = _data(nn, pp, density, outliers)
        a = alpha if alpha is not None else _alpha_max(X, y, l1_ratio) / ratio
        d = dict(X=X, y=y, alpha=a)
        d["sigma_star"] = runners["sklreg"](d, 1e-13)[2]
        return d

    def objective(d, solution):
        coef, intercept, scale = solution
        return huber_objective(d["X"], d["y"], np.asarray(coef, float), intercept, scale,
                               EPSILON, d["alpha"], l1_ratio)

    runners = _libraries(l1_ratio)
    reference = lambda d: runners["sklreg"](d, 1e-13)     # noqa: E731
    return Problem(name, build, objective, runners, reference)


def problems():
    return [
        problem("huber_n20000_p50", 20_000, 50, alpha=1e-4, quick_shape=(5000, 50)),
        problem("huber_n200000_p50", 200_000, 50, alpha=1e-4, quick_shape=(20_000, 50)),
        problem("huber_enet_n2000_p5000", 2000, 5000, l1_ratio=0.5, ratio=4,
                quick_shape=(500, 2000)),
        problem("huber_sparse_n50000_p20000", 50_000, 20_000, alpha=1e-4, density=0.001,
                quick_shape=(10_000, 5000)),
    ]
