"""``python -m sklreg demo``: every estimator's CV variant against scikit-learn.

Each row fits one cross-validated estimator on one data set; scikit-learn
runs the same search (same alpha grid, same folds) so the times compare the
same work.  scikit-learn has no CV class for the Huber and quantile losses:
its baseline is ``GridSearchCV`` over the same grid, scored with the same
loss.  Its solvers for those take a fair fraction of a second per fit, so
those two rows use a short grid (say so in the table) to keep the whole demo
under a minute on two cores.
"""
import os
import sys
import time
import warnings

import numpy as np

from sklreg._cli_common import ridge_grid, use_agg

QUANTILE = 0.9


def _timed(fit):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # scikit-learn's lbfgs iteration limits
        fitted = fit()
    return fitted, time.perf_counter() - start


def load_data(quick):
    """[(name, X, y, feature names)]: diabetes, and unless ``quick`` a
    larger synthetic set with correlated features."""
    from sklearn.datasets import load_diabetes

    from sklreg.datasets import make_correlated_data

    diabetes = load_diabetes()
    sets = [("diabetes", np.asfortranarray(diabetes.data), diabetes.target,
             list(diabetes.feature_names))]
    if not quick:
        X, y, _ = make_correlated_data(1000, 50, rho=0.6, n_informative=10,
                                       random_state=0)
        sets.append(("synthetic", X, y, [f"x{j}" for j in range(X.shape[1])]))
    return sets


def _grid(estimator, X, y, n_alphas):
    """The estimator's default alpha grid (from alpha_max down by 1e-3; for
    Ridge from the top eigenvalue down by 1e-6), with ``n_alphas`` points."""
    from sklreg.path import alpha_grid, grid_top

    if type(estimator).__name__ == "Ridge":
        return ridge_grid(X, y, n_alphas)
    return alpha_grid(grid_top(estimator, X, y, None), n_alphas)


def rows(X, y, folds, quick):
    """One spec per estimator: (label, sklreg CV factory, sklearn factory or
    None, grid size, what the CV loss is, what scikit-learn runs)."""
    import sklreg
    from sklearn import linear_model as sk
    from sklearn.metrics import make_scorer, mean_pinball_loss
    from sklearn.model_selection import GridSearchCV

    n_path, n_robust = (30, 3) if quick else (100, 3)
    grids = {name: _grid(est, X, y, n) for name, est, n in [
        ("lasso", sklreg.Lasso(), n_path), ("enet", sklreg.ElasticNet(), n_path),
        ("ridge", sklreg.Ridge(), n_path), ("huber", sklreg.HuberRegressor(), n_robust),
        ("quantile", sklreg.QuantileRegressor(quantile=QUANTILE), n_robust)]}
    huber_loss = sklreg.HuberRegressorCV()._loss
    pinball = make_scorer(mean_pinball_loss, alpha=QUANTILE, greater_is_better=False)
    huber = make_scorer(lambda t, p: huber_loss(t, p, None), greater_is_better=False)
    return [
        ("LassoCV", grids["lasso"], "MSE",
         lambda g: sklreg.LassoCV(alphas=g, cv=folds),
         lambda g: sk.LassoCV(alphas=g, cv=folds), "LassoCV"),
        ("ElasticNetCV", grids["enet"], "MSE",
         lambda g: sklreg.ElasticNetCV(alphas=g, cv=folds),
         lambda g: sk.ElasticNetCV(alphas=g, cv=folds), "ElasticNetCV"),
        ("RidgeCV", grids["ridge"], "MSE (LOO)",
         lambda g: sklreg.RidgeCV(alphas=g),
         lambda g: sk.RidgeCV(alphas=g), "RidgeCV (leave-one-out)"),
        ("HuberRegressorCV", grids["huber"], "Huber",
         lambda g: sklreg.HuberRegressorCV(alphas=g, cv=folds),
         lambda g: GridSearchCV(sk.HuberRegressor(), {"alpha": g}, cv=folds,
                                scoring=huber), "GridSearchCV(HuberRegressor)"),
        (f"QuantileRegressorCV q={QUANTILE}", grids["quantile"], "pinball",
         lambda g: sklreg.QuantileRegressorCV(quantile=QUANTILE, alphas=g, cv=folds),
         lambda g: GridSearchCV(sk.QuantileRegressor(quantile=QUANTILE), {"alpha": g},
                                cv=folds, scoring=pinball),
         "GridSearchCV(QuantileRegressor, highs)"),
    ]


def cv_loss(model):
    """Mean CV loss at the chosen alpha (lower is better)."""
    if hasattr(model, "cv_results_"):
        res = model.cv_results_
        return float(res["mean_test_loss"][np.argmin(np.abs(res["alpha"] - model.alpha_))])
    return -float(model.best_score_)       # RidgeCV: negated mean leave-one-out MSE


def sklearn_alpha(fitted):
    return float(getattr(fitted, "alpha_", None) or fitted.best_params_["alpha"])


HEADER = ("data", "estimator", "grid", "alpha", "non-zeros", "CV loss", "dual gap",
          "sklreg s", "sklearn s", "sklearn alpha")
FORMAT = "{:<10}{:<28}{:>9}{:>11}{:>11}{:>20}{:>10}{:>10}{:>11}{:>15}"


def run_demo(output_dir=".", quick=False, compare=True, out=None):
    from sklearn.model_selection import KFold

    out = out or sys.stdout
    use_agg()            # no matplotlib: say so now, not after a minute of fitting
    start = time.perf_counter()
    sets = load_data(quick)
    for name, X, _, _ in sets:
        print(f"{name}: {X.shape[0]} samples, {X.shape[1]} features", file=out)
    print("", file=out)
    print(FORMAT.format(*HEADER), file=out)
    baselines, plotted = {}, None
    for data_name, X, y, names in sets:
        folds = list(KFold(5).split(X))
        for k, (label, grid, loss, ours, theirs, baseline) in enumerate(
                rows(X, y, folds, quick)):
            model, t_ours = _timed(lambda: ours(grid).fit(X, y))
            fitted, t_theirs = _timed(lambda: theirs(grid).fit(X, y)) if compare else (None, None)
            baselines[label.split()[0]] = baseline
            if plotted is None:
                plotted = (model, X, y, names, data_name)
            folds_text = "LOO" if "LOO" in loss else "5"
            print(FORMAT.format(
                "" if k else data_name, label, f"{len(grid)}x{folds_text}", f"{model.alpha_:.4g}",
                f"{np.count_nonzero(model.coef_)}/{X.shape[1]}",
                f"{cv_loss(model):.4g} {loss.split()[0]}", f"{model.dual_gap_:.1e}",
                f"{t_ours:.3f}", "-" if fitted is None else f"{t_theirs:.3f}",
                "-" if fitted is None else f"{sklearn_alpha(fitted):.4g}"), file=out)
    print(_notes(baselines, quick, compare), file=out)
    paths = write_plots(*plotted, output_dir)
    for kind, path in paths:
        print(f"{kind} plot: {path}", file=out)
    print(f"\ntotal time {time.perf_counter() - start:.1f} s", file=out)
    return 0


def _notes(baselines, quick, compare):
    lines = [
        "",
        "grid = alphas x folds (5-fold KFold, or LOO = leave-one-out); scikit-learn runs "
        "the same grid on the same folds.",
        "CV loss = mean test loss at the chosen alpha: mean squared error, the Huber loss "
        "(on a robust scale), or the pinball loss.",
        "dual gap = sklreg's certificate: its objective is within this of the optimum "
        "(sklreg at its default tol, scikit-learn at its default).",
    ]
    if compare:
        lines.append("scikit-learn baselines: " + "; ".join(
            f"{k} <-> {v}" for k, v in baselines.items()) + ".")
        lines.append("scikit-learn has no Huber or quantile CV: GridSearchCV refits every "
                     "alpha on every fold, so those rows use a short grid to keep the "
                     "demo under a minute.")
    if quick:
        lines.append("--quick: diabetes only, shorter grids.")
    return "\n".join(lines) + "\n"


def write_plots(model, X, y, names, data_name, output_dir):
    """The path (CV choice marked) and the CV curve of ``model``, as PNGs."""
    from sklreg import plot_cv, plot_path

    plt = use_agg()
    os.makedirs(output_dir, exist_ok=True)
    paths = []
    for kind, draw in [("path", lambda: plot_path(model, X, y, feature_names=names)),
                       ("CV", lambda: plot_cv(model))]:
        display = draw()
        display.ax_.set_title(f"{type(model).__name__} on the {data_name} data: {kind}")
        path = os.path.abspath(os.path.join(output_dir, f"sklreg_demo_{kind.lower()}.png"))
        display.figure_.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(display.figure_)
        paths.append((kind, path))
    return paths
