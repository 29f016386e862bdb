"""Multi-task lasso rows: sklreg, scikit-learn, celer, skglm (issue 25)."""
import numpy as np

from harness import Problem
from sklreg.datasets import make_correlated_data


def multitask_data(n, p, n_tasks, seed=0):
    """Toeplitz-correlated X (rho 0.5) and Y linear in 20 shared rows of W,
    signal-to-noise 3 per task."""
    X, _, _ = make_correlated_data(n, p, rho=0.5, random_state=seed)
    rng = np.random.default_rng(seed)
    W = np.zeros((p, n_tasks))
    W[rng.choice(p, 20, replace=False)] = rng.standard_normal((20, n_tasks))
    signal = X @ W
    Y = signal + np.std(signal, axis=0) / 3 * rng.standard_normal((n, n_tasks))
    return X, Y


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


def problem(name, n, p, n_tasks, ratio, quick_shape):
    import sklreg
    from sklearn import linear_model as lm

    def build(quick):
        nn, pp = quick_shape if quick else (n, p)
        X, Y = multitask_data(nn, pp, n_tasks)
        Yc = Y - Y.mean(axis=0)
        amax = np.linalg.norm((X - X.mean(axis=0)).T @ Yc, axis=1).max() / nn
        return dict(X=X, Y=Y, alpha=amax / ratio)

    libs = {
        "sklreg": lambda a, tol: sklreg.MultiTaskLasso(alpha=a, tol=tol, max_iter=100_000),
        "scikit-learn": lambda a, tol: lm.MultiTaskLasso(alpha=a, tol=tol, max_iter=100_000),
    }
    try:
        import celer
        libs["celer"] = lambda a, tol: celer.MultiTaskLasso(alpha=a, tol=tol)
    except ImportError:
        pass
    try:
        import skglm
        libs["skglm"] = lambda a, tol: skglm.MultiTaskLasso(alpha=a, tol=tol)
    except ImportError:
        pass
    runners = {k: _runner(make) for k, make in libs.items()}
    reference = lambda d: runners["sklreg"](d, 1e-13)     # noqa: E731
    return Problem(name, build, objective, runners, reference)


def problems():
    return [problem("multitask_lasso_amax100", 1000, 5000, 20, ratio=100,
                    quick_shape=(300, 1000))]
