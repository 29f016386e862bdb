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
- ``ic_lasso``: :class:`sklreg.LassoIC` (BIC on one path over the grid)
  vs scikit-learn's :class:`~sklearn.linear_model.LassoLarsIC` (BIC on the
  LARS path) vs sklreg's and scikit-learn's ``LassoCV`` on the same grid and
  folds: what choosing alpha costs.  The objective is the BIC of each
  chosen model (same noise variance for all), so "subopt" says how far each
  choice is from the lowest BIC; a CV choice is not meant to minimise it.
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


def ic_problem(n, p, n_alphas, quick_shape):
    def build(quick):
        import sklreg
        nn, pp = quick_shape if quick else (n, p)
        X, y, _ = make_correlated_data(nn, pp, rho=0.5, random_state=0)
        A = np.c_[np.ones(nn), X]
        residual = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
        sigma2 = residual @ residual / (nn - pp - 1)     # the unpenalised fit's
        return dict(X=X, y=y, folds=_folds(nn), sigma2=sigma2,
                    alphas=_grid(sklreg.Lasso(), X, y, n_alphas))

    def bic(d, sol):
        X, y = d["X"], d["y"]
        coef, intercept = sol[1], sol[2]
        rss = float(np.sum((y - X @ coef - intercept) ** 2))
        n = len(y)
        return rss / d["sigma2"] + np.log(n) * np.count_nonzero(coef)

    def chosen(run):
        def wrapped(d, tol):
            m = run(d)
            return m.alpha_, m.coef_, m.intercept_
        return wrapped

    def sklreg_ic(d):
        import sklreg
        return sklreg.LassoIC(criterion="bic", alphas=d["alphas"]).fit(d["X"], d["y"])

    def lars_ic(d):
        from sklearn.linear_model import LassoLarsIC
        return LassoLarsIC(criterion="bic").fit(d["X"], d["y"])

    def sklreg_cv(d):
        import sklreg
        return sklreg.LassoCV(alphas=d["alphas"], cv=d["folds"]).fit(d["X"], d["y"])

    def sklearn_cv(d):
        from sklearn.linear_model import LassoCV
        return LassoCV(alphas=d["alphas"], cv=d["folds"]).fit(d["X"], d["y"])

    return Problem("ic_lasso", build, objective=bic,
                   runners={"sklreg-ic": chosen(sklreg_ic), "sklearn-larsic": chosen(lars_ic),
                            "sklreg-cv": chosen(sklreg_cv), "sklearn-cv": chosen(sklearn_cv)},
                   reference=None, tols=[None], gate=False,
                   chosen=lambda d, sol: sol[0], once=())


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
        ic_problem(5000, 500, 100, quick_shape=(1000, 100)),
        quantile_problem(20000, 50, 30, 0.5, quick_n=1000),
        huber_problem(20000, 50, 30, quick_n=2000),
    ]
