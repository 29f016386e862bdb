"""Command line: ``python -m sklreg demo``."""
import argparse
import sys
import time
import warnings

import numpy as np


def _timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def demo(out=sys.stdout):
    """Fit Lasso and ElasticNet on the diabetes data; compare with scikit-learn."""
    from sklearn import linear_model as sk
    from sklearn.datasets import load_diabetes

    import sklreg

    data = load_diabetes()
    X, y, names = data.data, data.target, data.feature_names
    print(f"diabetes data: {X.shape[0]} samples, {X.shape[1]} features\n", file=out)
    rows = []
    for name, params in [("Lasso", {}), ("ElasticNet", {"l1_ratio": 0.5})]:
        ours_cls, theirs_cls = getattr(sklreg, name), getattr(sk, name)
        alpha = sklreg.alpha_max(ours_cls(**params), X, y) / 100
        ours, t_ours = _timed(lambda: ours_cls(alpha=alpha, tol=1e-8, **params).fit(X, y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs, t_theirs = _timed(
                lambda: theirs_cls(alpha=alpha, tol=1e-8, max_iter=100_000, **params).fit(X, y))
        rows.append((name, alpha, ours, t_ours, theirs, t_theirs))

    width = max(len(n) for n in list(names) + ["intercept"])
    print(f"{'feature':<{width}}  " + "  ".join(f"{r[0]:>12}" for r in rows), file=out)
    for j, feature in enumerate(names):
        print(f"{feature:<{width}}  " + "  ".join(f"{r[2].coef_[j]:12.4f}" for r in rows),
              file=out)
    print(f"{'intercept':<{width}}  " + "  ".join(f"{r[2].intercept_:12.4f}" for r in rows),
          file=out)
    print("", file=out)
    header = ("model", "alpha", "non-zeros", "dual gap", "passes", "sklreg s",
              "sklearn s", "max |coef diff|")
    print("{:<11}{:>10}{:>11}{:>12}{:>8}{:>10}{:>11}{:>17}".format(*header), file=out)
    for name, alpha, ours, t_ours, theirs, t_theirs in rows:
        print(f"{name:<11}{alpha:>10.4g}{np.count_nonzero(ours.coef_):>11d}"
              f"{ours.dual_gap_:>12.2e}{ours.n_iter_:>8d}{t_ours:>10.4f}{t_theirs:>11.4f}"
              f"{np.max(np.abs(ours.coef_ - theirs.coef_)):>17.2e}", file=out)
    print("\nalpha = alpha_max / 100; both libraries at tol=1e-8. The dual gap certifies "
          "how far sklreg's objective can be from the optimum.", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sklreg",
                                     description="sklreg command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="fit the estimators on bundled data and compare "
                                "with scikit-learn")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
