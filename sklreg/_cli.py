"""The command line: ``python -m sklreg demo`` and ``python -m sklreg fit``.

``fit`` reads a CSV with the standard library (no pandas), fits one
estimator at a given alpha or chooses alpha by cross-validation, prints the
coefficients by feature name with the certificate, and optionally writes a
JSON model and a path plot.  Wrong input (a bad file, a missing or
non-numeric column, an out-of-range option) is reported on stderr with exit
code 2 and no traceback.
"""
import argparse
import csv
import json
import math
import os
import sys
import time
import warnings

import numpy as np

PROG = "python -m sklreg"

MODELS = {    # --model: (single-alpha class, CV class), names in sklreg
    "lasso": ("Lasso", "LassoCV"),
    "elasticnet": ("ElasticNet", "ElasticNetCV"),
    "ridge": ("Ridge", "RidgeCV"),
    "huber": ("HuberRegressor", "HuberRegressorCV"),
    "quantile": ("QuantileRegressor", "QuantileRegressorCV"),
}
L1_RATIO_MODELS = ("elasticnet", "huber", "quantile")


class UsageError(Exception):
    """Bad input or options: reported as ``error: ...`` with exit code 2."""


# --------------------------------------------------------------------------- CSV

def read_csv(path, target):
    """Read a numeric CSV with a header row.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), Fortran-ordered float64
    y : ndarray of shape (n_samples,)
    features : list of str, the header without the target
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [(line, row) for line, row in enumerate(csv.reader(f), start=1)
                    if any(cell.strip() for cell in row)]
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path} is not a readable CSV text file: {exc}") from None
    if not rows:
        raise UsageError(f"{path} is empty: expected a header row and data rows")
    header = [name.strip() for name in rows[0][1]]
    _check_header(header, target, path)
    if len(rows) == 1:
        raise UsageError(f"{path} has a header but no data rows")
    data = np.array([_parse_row(line, row, header, path) for line, row in rows[1:]])
    j = header.index(target)
    features = header[:j] + header[j + 1:]
    return np.asfortranarray(np.delete(data, j, axis=1)), data[:, j].copy(), features


def _check_header(header, target, path):
    if target not in header:
        raise UsageError(f"target column {target!r} is not in {path}; its columns are: "
                         + ", ".join(repr(h) for h in header))
    if len(header) < 2:
        raise UsageError(f"{path} has no feature column besides the target {target!r}")
    missing = [k + 1 for k, name in enumerate(header) if not name]
    if missing:
        raise UsageError(f"{path}: header column {missing[0]} has no name")
    seen = set()
    for name in header:
        if name in seen:
            raise UsageError(f"{path}: column name {name!r} appears twice in the header")
        seen.add(name)


def _parse_row(line, row, header, path):
    if len(row) != len(header):
        raise UsageError(f"{path}, line {line}: {len(row)} fields, but the header has "
                         f"{len(header)}")
    values = []
    for name, cell in zip(header, row):
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            shown = repr(cell.strip()) if cell.strip() else "an empty value"
            raise UsageError(f"column {name!r} has a non-numeric value {shown} on line "
                             f"{line} of {path} (every column must be a finite number)")
        values.append(value)
    return values


# --------------------------------------------------------------------------- fit

def build_estimator(model, X, y, alpha=None, cv=5, quantile=None, l1_ratio=None):
    """The sklreg estimator ``fit`` uses: the single-alpha class when
    ``alpha`` is given, else the CV class with ``cv`` folds (for Ridge over
    a grid built from X)."""
    import sklreg

    single, cv_name = MODELS[model]
    params = {}
    if quantile is not None:
        params["quantile"] = quantile
    if l1_ratio is not None:
        params["l1_ratio"] = l1_ratio
    if alpha is not None:
        return getattr(sklreg, single)(alpha=alpha, **params)
    if model == "ridge":     # RidgeCV takes a grid; compare by mean squared error
        return sklreg.RidgeCV(alphas=ridge_grid(X, y), cv=cv,
                              scoring="neg_mean_squared_error")
    return getattr(sklreg, cv_name)(cv=cv, **params)


def ridge_grid(X, y, n_alphas=100):
    """A geometric alpha grid for Ridge: from the largest eigenvalue of the
    centred Gram matrix down by a factor 1e6."""
    from sklreg import Ridge, regularization_path

    return regularization_path(Ridge(), X, y, alphas=n_alphas, eps=1e-6).alphas


def chosen_alpha(estimator):
    return float(getattr(estimator, "alpha_", getattr(estimator, "alpha", math.nan)))


def model_summary(args, estimator, features):
    """The JSON-able description of a fitted model."""
    summary = {
        "model": args.model,
        "estimator": type(estimator).__name__,
        "target": args.target,
        "alpha": chosen_alpha(estimator),
        "intercept": float(estimator.intercept_),
        "coef": {name: float(c) for name, c in zip(features, estimator.coef_)},
        "dual_gap": float(estimator.dual_gap_),
        "n_iter": None if estimator.n_iter_ is None else int(np.max(estimator.n_iter_)),
        "features": list(features),
    }
    for name in ("quantile", "l1_ratio", "epsilon"):
        if name in estimator.get_params():
            summary[name] = estimator.get_params()[name]
    if hasattr(estimator, "scale_"):
        summary["scale"] = float(estimator.scale_)
    if args.alpha is None:
        summary["cv"] = {"folds": args.cv, "alpha_1se": float(estimator.alpha_1se_)}
    return summary


def print_summary(summary, n_samples, path, out):
    features = summary["features"]
    how = (f"chosen by {summary['cv']['folds']}-fold CV; one-standard-error alpha "
           f"{summary['cv']['alpha_1se']:.6g}" if "cv" in summary else "given")
    print(f"{summary['estimator']} on {path}: {n_samples} samples, {len(features)} "
          f"features, target {summary['target']!r}", file=out)
    width = max(len(name) for name in features + ["(intercept)"])
    print(f"\nalpha = {summary['alpha']:.6g} ({how})\n", file=out)
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


def use_agg():
    """Select matplotlib's file-only backend; a UsageError without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plots need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


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


def run_fit(args, out=None):
    out = out or sys.stdout
    _check_fit_args(args)
    X, y, features = read_csv(args.data, args.target)
    if args.alpha is None and args.cv > X.shape[0]:
        raise UsageError(f"--cv {args.cv} needs at least {args.cv} data rows; "
                         f"{args.data} has {X.shape[0]}")
    try:
        estimator = build_estimator(args.model, X, y, args.alpha, args.cv,
                                    args.quantile, args.l1_ratio).fit(X, y)
    except ValueError as exc:                  # e.g. a parameter the estimator rejects
        raise UsageError(f"cannot fit {args.model}: {exc}") from None
    summary = model_summary(args, estimator, features)
    print_summary(summary, X.shape[0], args.data, out)
    if args.output:
        _write(args.output, lambda f: json.dump(summary, f, indent=2))
        print(f"model written to {args.output}", file=out)
    if args.plot:
        path_plot(estimator, X, y, features, args.plot)
        print(f"path plot written to {args.plot}", file=out)
    return 0


def _write(filename, dump):
    try:
        with open(filename, "w") as f:
            dump(f)
    except OSError as exc:
        raise UsageError(f"cannot write {filename}: {exc.strerror}") from None


def _check_fit_args(args):
    if args.quantile is not None and args.model != "quantile":
        raise UsageError("--quantile applies only to --model quantile")
    if args.l1_ratio is not None and args.model not in L1_RATIO_MODELS:
        raise UsageError("--l1-ratio applies only to --model "
                         + ", ".join(L1_RATIO_MODELS))
    if args.quantile is not None and not 0 < args.quantile < 1:
        raise UsageError(f"--quantile must be strictly between 0 and 1, got {args.quantile}")
    if args.l1_ratio is not None and not 0 <= args.l1_ratio <= 1:
        raise UsageError(f"--l1-ratio must be in [0, 1], got {args.l1_ratio}")
    if args.alpha is not None and not args.alpha >= 0:
        raise UsageError(f"--alpha must be >= 0, got {args.alpha}")
    if args.alpha is None and args.cv < 2:
        raise UsageError(f"--cv must be at least 2 folds, got {args.cv}")
    if args.plot and not args.plot.lower().endswith(".png"):
        raise UsageError(f"--plot writes a PNG file; give a name ending in .png, "
                         f"got {args.plot!r}")


# --------------------------------------------------------------------------- demo

def demo(output_dir=".", quick=False, compare=True, out=None):
    """Fit every estimator's CV variant on the diabetes data and a synthetic
    set, print a table against scikit-learn, write a path and a CV plot."""
    from sklreg._demo import run_demo

    return run_demo(output_dir=output_dir, quick=quick, compare=compare, out=out)


# --------------------------------------------------------------------------- parser

def _float(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="sklreg: regularized linear regression with a "
        "certified duality gap.  Commands: 'demo' (fit every estimator on bundled "
        "data, compare with scikit-learn) and 'fit' (fit a model to a CSV file).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="fit every estimator with cross-validation on "
                       "the diabetes data and a synthetic set; compare with scikit-learn",
                       description="Fit Lasso, ElasticNet, Ridge, HuberRegressor and "
                       "QuantileRegressor, each with its CV variant, on scikit-learn's "
                       "diabetes data and a larger synthetic set; print a table (chosen "
                       "alpha, non-zeros, CV loss, duality gap, time, scikit-learn's time "
                       "for the same fit) and write a path plot and a CV plot as PNG files.")
    d.add_argument("--output-dir", default=".", metavar="DIR",
                   help="directory for the two PNG files (default: the current "
                   "directory; created if missing)")
    d.add_argument("--quick", action="store_true",
                   help="diabetes data only, shorter grids (a few seconds)")
    d.add_argument("--no-sklearn", dest="compare", action="store_false",
                   help="skip the scikit-learn timings")

    f = sub.add_parser("fit", help="fit a model to a CSV file",
                       description="Fit a regularized linear model to a CSV file (a "
                       "header row, then numeric rows) and print the coefficients by "
                       "feature name, the intercept, alpha and the duality-gap "
                       "certificate.  Exit code 2 on bad input.")
    f.add_argument("data", metavar="data.csv",
                   help="CSV file: a header row of column names, then numeric values")
    f.add_argument("--target", required=True, metavar="COLUMN",
                   help="name of the column to predict; every other column is a feature")
    f.add_argument("--model", default="lasso", choices=list(MODELS),
                   help="loss and penalty: lasso (squared + L1), elasticnet (squared "
                   "+ L1/L2), ridge (squared + L2), huber (Huber, robust to outliers), "
                   "quantile (pinball: a conditional quantile) (default: lasso)")
    f.add_argument("--quantile", type=_float, metavar="Q",
                   help="quantile to estimate with --model quantile, in (0, 1) "
                   "(default: 0.5, the median)")
    f.add_argument("--l1-ratio", type=_float, metavar="R",
                   help="L1 share of the penalty in [0, 1] for elasticnet (default "
                   "0.5), huber (default 0) and quantile (default 1)")
    how = f.add_mutually_exclusive_group()
    how.add_argument("--alpha", type=_float, metavar="A",
                     help="fit at this penalty strength (>= 0)")
    how.add_argument("--cv", type=int, default=5, metavar="K",
                     help="choose alpha by K-fold cross-validation over a 100-alpha "
                     "grid (the default, with K=5)")
    f.add_argument("--plot", metavar="path.png",
                   help="write the coefficient path as a PNG, with the chosen alpha "
                   "marked (needs matplotlib)")
    f.add_argument("--output", metavar="model.json",
                   help="write the fitted model as JSON: model, alpha, intercept, coef "
                   "by feature name, dual_gap, n_iter, features")
    return parser


def main(argv=None):
    """Entry point; returns the exit code (0, or 2 for bad input)."""
    args = build_parser().parse_args(argv)   # argparse exits with 2 on bad options
    try:
        if args.command == "demo":
            return demo(args.output_dir, quick=args.quick, compare=args.compare)
        return run_fit(args)
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
