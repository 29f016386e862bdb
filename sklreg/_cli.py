"""The command line: ``python -m sklreg demo``, ``fit`` and ``predict``.

``fit`` reads a CSV (see sklreg._csv), fits one estimator at a given alpha
or chooses alpha by cross-validation, prints the coefficients by feature
name with the certificate, and optionally writes a JSON model and a path
plot; ``predict`` applies a saved model to another CSV.  Wrong input (a bad
file, a missing or non-numeric column, an out-of-range option, an
unwritable output) is reported on stderr with exit code 2 and no traceback,
before any fitting.
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np

from sklreg._cli_common import UsageError, ridge_grid
from sklreg._cli_output import path_plot, print_summary
from sklreg._csv import parse_names, read_table

PROG = "python -m sklreg"

MODELS = {    # --model: (single-alpha class, CV class), names in sklreg
    "lasso": ("Lasso", "LassoCV"),
    "elasticnet": ("ElasticNet", "ElasticNetCV"),
    "ridge": ("Ridge", "RidgeCV"),
    "huber": ("HuberRegressor", "HuberRegressorCV"),
    "quantile": ("QuantileRegressor", "QuantileRegressorCV"),
}
L1_RATIO_MODELS = ("elasticnet", "huber", "quantile")


# --------------------------------------------------------------------------- fit

def build_estimator(model, X, y, alpha=None, cv=5, quantile=None, l1_ratio=None,
                    alphas=None, eps=None):
    """The sklreg estimator ``fit`` uses: the single-alpha class when
    ``alpha`` is given, else the CV class with ``cv`` folds over ``alphas``
    (a grid, or a number of alphas from alpha_max down by ``eps``)."""
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
        grid = alphas if np.ndim(alphas) else ridge_grid(
            X, y, 100 if alphas is None else alphas, 1e-6 if eps is None else eps)
        return sklreg.RidgeCV(alphas=grid, cv=cv, scoring="neg_mean_squared_error")
    if alphas is not None:
        params["alphas"] = alphas
    if eps is not None:
        params["eps"] = eps
    return getattr(sklreg, cv_name)(cv=cv, **params)


def chosen_alpha(estimator):
    return float(getattr(estimator, "alpha_", getattr(estimator, "alpha", math.nan)))


def model_summary(args, estimator, features, scale):
    """The JSON-able description of a fitted model.  Coefficients are on
    the scale of the CSV's columns (divided back by ``scale``, the feature
    standard deviations, after a standardized fit)."""
    coef = estimator.coef_ if scale is None else estimator.coef_ / scale
    summary = {
        "model": args.model,
        "estimator": type(estimator).__name__,
        "target": args.target,
        "alpha": chosen_alpha(estimator),
        "intercept": float(estimator.intercept_),
        "coef": {name: float(c) for name, c in zip(features, coef)},
        "dual_gap": float(estimator.dual_gap_),
        "n_iter": None if estimator.n_iter_ is None else int(np.max(estimator.n_iter_)),
        "features": list(features),
        "standardized": scale is not None,
    }
    if scale is not None:
        summary["feature_std"] = {name: float(s) for name, s in zip(features, scale)}
    for name in ("quantile", "l1_ratio", "epsilon"):
        if name in estimator.get_params():
            summary[name] = estimator.get_params()[name]
    if hasattr(estimator, "scale_"):
        summary["scale"] = float(estimator.scale_)
    if args.alpha is None:
        summary["cv"] = {"folds": args.cv, "alpha_1se": float(estimator.alpha_1se_)}
    return summary


def run_fit(args, out=None):
    out = out or sys.stdout
    _check_fit_args(args)
    alphas = _alphas(args)
    for filename, option in [(args.output, "--output"), (args.plot, "--plot")]:
        _check_writable(filename, option)
    X, y, features = read_table(args.data, args.sep, args.target,
                                parse_names(args.columns or ""), parse_names(args.drop or ""))
    if args.alpha is None and args.cv > X.shape[0]:
        raise UsageError(f"--cv {args.cv} needs at least {args.cv} data rows; "
                         f"{args.data} has {X.shape[0]}")
    scale = None
    if args.standardize:         # unit variance; a constant column stays as it is
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0
        X = np.asfortranarray(X / scale)
    try:
        estimator = build_estimator(args.model, X, y, args.alpha, args.cv, args.quantile,
                                    args.l1_ratio, alphas, args.eps).fit(X, y)
    except ValueError as exc:                  # e.g. a parameter the estimator rejects
        raise UsageError(f"cannot fit {args.model}: {exc}") from None
    summary = model_summary(args, estimator, features, scale)
    print_summary(summary, X.shape[0], args.data, out)
    if args.output:
        _write(args.output, lambda f: json.dump(summary, f, indent=2))
        print(f"model written to {args.output}", file=out)
    if args.plot:
        path_plot(estimator, X, y, features, args.plot)
        print(f"path plot written to {args.plot}", file=out)
    return 0


def run_predict(args, out=None):
    """Predictions of a saved model for the rows of a CSV, one per line."""
    out = out or sys.stdout
    _check_writable(args.output, "--output")
    model = _load_model(args.model)
    X, _, _ = read_table(args.data, args.sep, features=model["features"])
    coef = np.array([model["coef"][name] for name in model["features"]])
    prediction = X @ coef + model["intercept"]
    if args.output:
        _write(args.output, lambda f: _write_column(f, prediction, model))
        print(f"{len(prediction)} predictions written to {args.output}", file=out)
    else:
        _write_column(out, prediction, model)
    return 0


def _load_model(filename):
    try:
        with open(filename) as f:
            model = json.load(f)
    except OSError as exc:
        raise UsageError(f"cannot read {filename}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{filename} is not a JSON file: {exc}") from None
    keys = ("features", "coef", "intercept")
    if not isinstance(model, dict) or any(key not in model for key in keys) \
            or set(model["features"]) != set(model["coef"]):
        raise UsageError(f"{filename} is not a model written by '{PROG} fit --output'")
    return model


def _write_column(f, values, model):
    f.write(f"predicted_{model.get('target') or 'value'}\n")
    np.savetxt(f, values, fmt="%.17g")


def _alphas(args):
    """--alphas as an array, else --n-alphas (or None: the default grid)."""
    if args.alphas is None:
        return args.n_alphas
    try:
        alphas = np.array([float(a) for a in parse_names(args.alphas)])
    except ValueError:
        raise UsageError(f"--alphas takes numbers separated by commas, got "
                         f"{args.alphas!r}") from None
    if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas >= 0)):
        raise UsageError(f"--alphas must be finite numbers >= 0, got {args.alphas!r}")
    return alphas


def _write(filename, dump):
    try:
        with open(filename, "w") as f:
            dump(f)
    except OSError as exc:
        raise UsageError(f"cannot write {filename}: {exc.strerror}") from None


def _check_writable(filename, option):
    """Fail before reading and fitting if ``filename`` cannot be written."""
    if not filename:
        return
    directory = os.path.dirname(os.path.abspath(filename))
    if os.path.isdir(filename):
        problem = "it is a directory"
    elif not os.path.isdir(directory):
        problem = f"the directory {directory} does not exist"
    elif not os.access(directory, os.W_OK) or (os.path.exists(filename)
                                               and not os.access(filename, os.W_OK)):
        problem = "permission denied"
    else:
        return
    raise UsageError(f"{option} {filename}: cannot write there ({problem})")


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
    grid = [name for name, value in [("--alphas", args.alphas), ("--n-alphas", args.n_alphas),
                                     ("--eps", args.eps)] if value is not None]
    if grid and args.alpha is not None:
        raise UsageError(f"{grid[0]} sets the CV grid; it does not apply with --alpha")
    if args.alphas is not None and len(grid) > 1:
        raise UsageError(f"--alphas gives the grid itself; {grid[1]} does not apply")
    if args.n_alphas is not None and args.n_alphas < 1:
        raise UsageError(f"--n-alphas must be at least 1, got {args.n_alphas}")
    if args.eps is not None and not 0 < args.eps < 1:
        raise UsageError(f"--eps must be strictly between 0 and 1, got {args.eps}")
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


def _separator(text):
    text = {"tab": "\t", "\\t": "\t"}.get(text, text)
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"a separator is one character (or 'tab'), "
                                         f"got {text!r}")
    return text


def _add_sep(parser):
    parser.add_argument("--sep", type=_separator, default=",", metavar="C",
                        help="field separator: one character, or 'tab' (default: ',')")


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="sklreg: regularized linear regression with a "
        "certified duality gap.  Commands: 'demo' (fit every estimator on bundled "
        "data, compare with scikit-learn), 'fit' (fit a model to a CSV file) and "
        "'predict' (apply a saved model to a CSV file).")
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
                   help="name of the column to predict; every other column is a "
                   "feature unless --columns or --drop say otherwise")
    _add_sep(f)
    which = f.add_mutually_exclusive_group()
    which.add_argument("--columns", metavar="A,B,...",
                       help="the feature columns, separated by commas (other columns, "
                       "text ones included, are ignored)")
    which.add_argument("--drop", metavar="A,B,...",
                       help="columns that are not features (an ID, a text column)")
    f.add_argument("--standardize", action="store_true",
                   help="fit on features scaled to unit variance, as glmnet does by "
                   "default (the penalty then treats every feature alike); the "
                   "coefficients printed and saved are on the CSV's scale")
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
    f.add_argument("--alphas", metavar="A,B,...",
                   help="with --cv: the alphas to try, separated by commas")
    f.add_argument("--n-alphas", type=int, metavar="N",
                   help="with --cv: the number of alphas of the grid (default 100)")
    f.add_argument("--eps", type=_float, metavar="E",
                   help="with --cv: the grid runs from alpha_max down to E * alpha_max "
                   "(default 1e-3; 1e-6 for ridge, from the top eigenvalue)")
    f.add_argument("--plot", metavar="path.png",
                   help="write the coefficient path as a PNG, with the chosen alpha "
                   "marked")
    f.add_argument("--output", metavar="model.json",
                   help="write the fitted model as JSON: model, alpha, intercept, coef "
                   "by feature name, dual_gap, n_iter, features")

    p = sub.add_parser("predict", help="predict the rows of a CSV file with a saved model",
                       description="Apply a model saved by 'fit --output' to a CSV "
                       "file that has its feature columns (by name; other columns are "
                       "ignored) and print one prediction per row, under a header line.")
    p.add_argument("model", metavar="model.json", help="a model written by fit --output")
    p.add_argument("data", metavar="data.csv", help="CSV file with a header row")
    _add_sep(p)
    p.add_argument("--output", metavar="predictions.csv",
                   help="write the predictions there instead of printing them")
    return parser


def main(argv=None):
    """Entry point; returns the exit code (0, or 2 for bad input)."""
    args = build_parser().parse_args(argv)   # argparse exits with 2 on bad options
    commands = {"demo": lambda: demo(args.output_dir, quick=args.quick,
                                     compare=args.compare),
                "fit": lambda: run_fit(args), "predict": lambda: run_predict(args)}
    try:
        # a warning is a line of the output, not a pointer into sklreg's code
        with warnings.catch_warnings(record=True) as caught:
            code = commands[args.command]()
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"{PROG} {args.command}: warning: {message}", file=sys.stderr)
    return code
