"""Multi-task lasso rows: sklreg, scikit-learn, celer, skglm (issue 25).

- ``multitask_lasso_amax100``: dense X (Toeplitz-correlated), 20 tasks,
  alpha = alpha_max / 100 (about 70% of the rows non-zero at the optimum).
- ``multitask_lasso_sparse``: the same on a sparse X (5% of entries).
- ``multitask_lasso_cv``: ``MultiTaskLassoCV`` on the same 5 folds and the
  same 30-alpha grid (not gated: each at its defaults; "subopt" compares
  the mean CV-loss curves, "chosen" the chosen alpha).

celer's ``MultiTaskLasso`` calls a scikit-learn method that 1.9 removed
(``_validate_data``): its solver, ``celer.homotopy.mtl_path``, is run on the
centred data instead (the centring is timed with it); its
``MultiTaskLassoCV`` passes scikit-learn 1.9 a removed argument
(``n_alphas``) and is left out of the CV row.
"""
import numpy as np
import scipy.sparse as sp

from harness import Problem
from sklreg.datasets import make_correlated_data

N_FOLDS = 5


def multitask_data(n, p, n_tasks, seed=0, density=None):
    """Toeplitz-correlated X (rho 0.5), or a sparse X with ``density``, and
    Y linear in 20 shared rows of W, signal-to-noise 3 per task."""
    rng = np.random.default_rng(seed)
    if density is None:
        X, _, _ = make_correlated_data(n, p, rho=0.5, random_state=seed)
    else:
        X = sp.random(n, p, density=density, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    W = np.zeros((p, n_tasks))
    W[rng.choice(p, 20, replace=False)] = rng.standard_normal((20, n_tasks))
    signal = np.asarray(X @ W)
    Y = signal + np.std(signal, axis=0) / 3 * rng.standard_normal((n, n_tasks))
    return X, Y


def _alpha_max(X, Y):
    Yc = Y - Y.mean(axis=0)
    mean = np.asarray(X.mean(axis=0)).ravel()
    return np.linalg.norm(X.T @ Yc - np.outer(mean, Yc.sum(axis=0)), axis=1).max() / X.shape[0]


def objective(d, solution):
    """scikit-learn's MultiTaskLasso objective."""
    coef, intercept = solution
    R = d["Y"] - d["X"] @ coef.T - intercept
    return np.array([0.5 * np.sum(R * R) / len(R)
                     + d["alpha"] * np.linalg.norm(coef, axis=0).sum()])


def _runner(make):
    def run(d, tol):
        model = make(d["alpha"], tol).fit(d["X"], d["Y"])
        return np.asarray(model.coef_), np.asarray(model.intercept_)
    return run


def _celer(d, tol):
    from celer.homotopy import mtl_path
    X, Y = d["X"], d["Y"]
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    _, coefs, _ = mtl_path(np.asfortranarray(X - x_mean), np.asfortranarray(Y - y_mean),
                           alphas=[d["alpha"]], tol=tol, max_iter=100, max_epochs=50000,
                           p0=10, prune=True)
    coef = coefs[..., 0]
    return coef, y_mean - coef @ x_mean


def problem(name, n, p, n_tasks, ratio, quick_shape, density=None):
    import sklreg
    from sklearn import linear_model as lm

    def build(quick):
        nn, pp = quick_shape if quick else (n, p)
        X, Y = multitask_data(nn, pp, n_tasks, density=density)
        return dict(X=X, Y=Y, alpha=_alpha_max(X, Y) / ratio)

    libs = {
        "sklreg": lambda a, tol: sklreg.MultiTaskLasso(alpha=a, tol=tol, max_iter=100_000),
        "scikit-learn": lambda a, tol: lm.MultiTaskLasso(alpha=a, tol=tol, max_iter=100_000),
    }
    try:
        import skglm
        libs["skglm"] = lambda a, tol: skglm.MultiTaskLasso(alpha=a, tol=tol)
    except ImportError:
        pass
    runners = {k: _runner(make) for k, make in libs.items()}
    try:
        import celer  # noqa: F401
        if density is None:           # mtl_path takes dense X
            runners["celer"] = _celer
    except ImportError:
        pass
    reference = lambda d: runners["sklreg"](d, 1e-13)     # noqa: E731
    return Problem(name, build, objective, runners, reference)


def cv_problem(n, p, n_tasks, n_alphas, quick_shape):
    import sklreg
    from sklearn import linear_model as lm
    from sklearn.model_selection import KFold

    def build(quick):
        nn, pp = quick_shape if quick else (n, p)
        X, Y = multitask_data(nn, pp, n_tasks)
        folds = list(KFold(N_FOLDS, shuffle=True, random_state=0).split(X))
        top = _alpha_max(X, Y)
        return dict(X=X, Y=Y, folds=folds, alphas=np.geomspace(top, top / 100, n_alphas))

    def run(make):
        def fit(d, tol):
            model = make(d).fit(d["X"], d["Y"])
            mse = np.asarray(model.mse_path_)
            return float(model.alpha_), mse.mean(axis=-1)
        return fit

    runners = {
        "sklreg": run(lambda d: sklreg.MultiTaskLassoCV(alphas=d["alphas"], cv=d["folds"])),
        "scikit-learn": run(lambda d: lm.MultiTaskLassoCV(alphas=d["alphas"],
                                                          cv=d["folds"])),
    }
    return Problem("multitask_lasso_cv", build, objective=lambda d, sol: sol[1],
                   runners=runners, reference=None, tols=[1e-4], gate=False,
                   chosen=lambda d, sol: sol[0], once=("scikit-learn",))


def problems():
    return [problem("multitask_lasso_amax100", 1000, 5000, 20, ratio=100,
                    quick_shape=(300, 1000)),
            problem("multitask_lasso_sparse", 2000, 10000, 20, ratio=100,
                    quick_shape=(500, 2000), density=0.05),
            cv_problem(500, 2000, 20, 30, quick_shape=(200, 500))]
