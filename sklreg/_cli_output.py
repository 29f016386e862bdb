"""What ``python -m sklreg fit`` prints and draws: the coefficients with the
certificate, and the coefficient path."""
import numpy as np

from sklreg._cli_common import use_agg


def print_summary(summary, n_samples, path, out):
    features = summary["features"]
    how = (f"chosen by {summary['cv']['folds']}-fold CV; one-standard-error alpha "
           f"{summary['cv']['alpha_1se']:.6g}" if "cv" in summary else "given")
    print(f"{summary['estimator']} on {path}: {n_samples} samples, {len(features)} "
          f"features, target {summary['target']!r}", file=out)
    width = max(len(name) for name in features + ["(intercept)"])
    on = " on standardized features" if summary["standardized"] else ""
    print(f"\nalpha = {summary['alpha']:.6g}{on} ({how})\n", file=out)
    print(f"{'feature':<{width}}  {'coefficient':>14}", file=out)
    print(f"{'(intercept)':<{width}}  {summary['intercept']:>14.6g}", file=out)
    for name in features:
        print(f"{name:<{width}}  {summary['coef'][name]:>14.6g}", file=out)
    n_nonzero = sum(c != 0 for c in summary["coef"].values())
    print(f"\nnon-zero coefficients: {n_nonzero} of {len(features)}", file=out)
    if "scale" in summary:
        print(f"Huber scale: {summary['scale']:.6g}", file=out)
    print(f"dual gap (certificate): {summary['dual_gap']:.3e}  -- the objective is within "
          "this of its minimum", file=out)
    if summary["n_iter"] is not None:
        print(f"iterations: {summary['n_iter']}", file=out)


def path_plot(estimator, X, y, features, filename):
    """Coefficient path; a CV fit marks its choice, a fixed alpha is marked too."""
    plt = use_agg()
    from sklreg import PathDisplay, Ridge, plot_path, regularization_path

    model = getattr(estimator, "estimator_", estimator)
    if model is not estimator:                     # PathCV: grid and marks built in
        display = plot_path(estimator, X, y, feature_names=features)
    else:
        marks = {}
        if hasattr(estimator, "alpha_"):           # RidgeCV
            grid, marks = estimator.alphas, {"alpha": estimator.alpha_,
                                             "alpha_1se": estimator.alpha_1se_}
            model = Ridge()
        else:
            grid = _grid_around(model, X, y, estimator.alpha)
        path = regularization_path(model, X, y, alphas=grid)
        display = PathDisplay(path.alphas, path.coefs, feature_names=features,
                              **marks).plot()
        if not marks:
            display.ax_.axvline(estimator.alpha, color="black", linestyle="--",
                                linewidth=1, label=f"alpha = {estimator.alpha:.4g}")
            display.ax_.legend(fontsize="small", loc="best")
    display.ax_.set_title(f"{type(model).__name__} path")
    display.figure_.savefig(filename, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)


def _grid_around(model, X, y, alpha, n_alphas=60):
    """The default path grid, widened to contain ``alpha``."""
    from sklreg import regularization_path

    grid = regularization_path(model, X, y, alphas=2).alphas
    top, bottom = max(grid[0], 2 * alpha), min(grid[-1], alpha / 2)
    if bottom <= 0:
        bottom = top * 1e-3
    return np.geomspace(top, bottom, n_alphas)
