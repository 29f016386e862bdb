"""Cross-validation rows: sklreg's ``*CV`` estimators against scikit-learn.

Every row gives both libraries the same data, the same (train, test) splits
(``KFold(5, shuffle=True, random_state=0)``, materialised) and the same
decreasing alpha grid, and compares the time, the chosen alpha (the
trailing "chosen" column, marked "same" or "DIFFERS" against sklreg's) and
the cross-validation curves:

- ``cv_lasso``: :class:`sklreg.LassoCV` vs :class:`sklearn.linear_model.LassoCV`,
  both at their defaults (``tol=1e-4``, ``max_iter=1000``; sklreg's tol is a
  certified duality gap per alpha and fold, scikit-learn's is its own
  default and may stop early -- it warns and the warning is ignored here),
  scored by mean squared error (the only score scikit-learn's has).
- ``cv_quantile``: :class:`sklreg.QuantileRegressorCV` vs
  ``GridSearchCV(QuantileRegressor(solver='highs'))``, both scored by the
  mean pinball loss at the quantile (sklreg's default; scikit-learn's
  ``mean_pinball_loss`` as the grid search's scorer).
- ``cv_huber``: :class:`sklreg.HuberRegressorCV` (``l1_ratio=0``:
  scikit-learn's L2 penalty) vs ``GridSearchCV(HuberRegressor())``, data with
  5% gross outliers, both scored by sklreg's default Huber CV loss (mean
  Huber loss of the test residuals at their robust scale ``1.4826 MAD``;
  the grid search gets the same function through ``make_scorer``).

These rows are not gated on accuracy (``gate=False``): each library runs
once per repeat at its defaults.  The "subopt" column is the largest relative
amount by which the library's mean CV-loss curve (one value per alpha) lies
above the lowest of the curves: it measures how closely the curves agree,
not an optimisation error.  The GridSearchCV baselines are timed once
(``once``); at full size HiGHS' grid search is run in a child process and
given up on after ``QUANTILE_LIMIT`` seconds (then reported as "failed ...
GaveUp", a lower bound on its time).
"""
import numpy as np

from harness import Problem
from suite_huber import _data as huber_data
from suite_quantile import _time_limited
from sklreg.datasets import make_correlated_data

N_FOLDS = 5
QUANTILE_LIMIT = 600.0


def _folds(n):
    from sklearn.model_selection import KFold
    return list(KFold(N_FOLDS, shuffle=True, random_state=0).split(np.zeros((n, 1))))


def _grid(estimator, X, y, n_alphas):
    from sklreg.path import alpha_grid, grid_top
    return alpha_grid(grid_top(estimator, X, y, None), n_alphas, 1e-3)


def _sklreg_cv(make):
    """Runner: sklreg's CV estimator -> (alpha_, mean test loss per alpha)."""
    def run(d, tol):
        m = make(d).set_params(alphas=d["alphas"], cv=d["folds"]).fit(d["X"], d["y"])
        return m.alpha_, m.cv_results_["mean_test_loss"]
    return run


def _grid_search(make, scoring):
    """Runner: GridSearchCV over the same alphas, in the same (decreasing)
    order, -> (best alpha, mean test loss per alpha)."""
    def run(d, tol):
        from sklearn.model_selection import GridSearchCV
        search = GridSearchCV(make(d), {"alpha": list(d["alphas"])}, cv=d["folds"],
                              scoring=scoring(d), refit=False).fit(d["X"], d["y"])
        return search.best_params_["alpha"], -search.cv_results_["mean_test_score"]
    return run


def _problem(name, build, runners, once):
    return Problem(name, build, objective=lambda d, sol: sol[1], runners=runners,
                   reference=None, tols=[None], gate=False,
                   chosen=lambda d, sol: sol[0], once=once)


def lasso_problem(n, p, n_alphas, quick_shape):
    def build(quick):
        import sklreg
        nn, pp = quick_shape if quick else (n, p)
        X, y, _ = make_correlated_data(nn, pp, rho=0.5, random_state=0)
        return dict(X=X, y=y, folds=_folds(nn),
                    alphas=_grid(sklreg.Lasso(), X, y, n_alphas))

    def ours(d, tol):
        import sklreg
        return _sklreg_cv(lambda d: sklreg.LassoCV())(d, tol)

    def sklearn(d, tol):
        from sklearn.linear_model import LassoCV
        m = LassoCV(alphas=d["alphas"], cv=d["folds"]).fit(d["X"], d["y"])
        return m.alpha_, m.mse_path_.mean(axis=1)

    return _problem("cv_lasso", build, {"sklreg": ours, "scikit-learn": sklearn}, ())


def quantile_problem(n, p, n_alphas, tau, quick_n):
    def build(quick):
        import sklreg
        nn = quick_n if quick else n
        X, y, _ = make_correlated_data(nn, p, rho=0.5, random_state=0)
        return dict(X=X, y=y, folds=_folds(nn), tau=tau,
                    alphas=_grid(sklreg.QuantileRegressor(quantile=tau), X, y, n_alphas))

    def ours(d, tol):
        import sklreg
        return _sklreg_cv(lambda d: sklreg.QuantileRegressorCV(quantile=d["tau"]))(d, tol)

    def pinball(d):
        from sklearn.metrics import make_scorer, mean_pinball_loss
        return make_scorer(mean_pinball_loss, alpha=d["tau"], greater_is_better=False)

    def sklearn(d, tol):
        from sklearn.linear_model import QuantileRegressor
        return _grid_search(lambda d: QuantileRegressor(quantile=d["tau"], solver="highs"),
                            pinball)(d, tol)

    return _problem("cv_quantile", build,
                    {"sklreg": ours,
                     "sklearn-gridsearch": _time_limited(sklearn, limit=QUANTILE_LIMIT)},
                    ("sklearn-gridsearch",))


def huber_problem(n, p, n_alphas, quick_n, epsilon=1.35):
    def build(quick):
        import sklreg
        nn = quick_n if quick else n
        X, y = huber_data(nn, p, 1.0, outliers=0.05)
        return dict(X=X, y=y, folds=_folds(nn),
                    alphas=_grid(sklreg.HuberRegressor(epsilon=epsilon), X, y, n_alphas))

    def ours(d, tol):
        import sklreg
        return _sklreg_cv(lambda d: sklreg.HuberRegressorCV(epsilon=epsilon))(d, tol)

    def huber_cv_loss(d):
        import sklreg
        from sklearn.metrics import make_scorer
        loss = sklreg.HuberRegressorCV(epsilon=epsilon)._loss
        return make_scorer(lambda y, pred: loss(y, pred, None), greater_is_better=False)

    def sklearn(d, tol):
        from sklearn.linear_model import HuberRegressor
        return _grid_search(lambda d: HuberRegressor(epsilon=epsilon), huber_cv_loss)(d, tol)

    return _problem("cv_huber", build,
                    {"sklreg": ours, "sklearn-gridsearch": sklearn}, ("sklearn-gridsearch",))


def problems():
    return [
        lasso_problem(1000, 5000, 100, quick_shape=(300, 1000)),
        quantile_problem(20000, 50, 30, 0.5, quick_n=1000),
        huber_problem(20000, 50, 30, quick_n=2000),
    ]
