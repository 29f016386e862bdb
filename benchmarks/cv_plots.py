"""Draw the path plot and the CV plot of the ``cv_lasso`` row (full size).

    PYTHONPATH=. python benchmarks/cv_plots.py OUTPUT_DIR

Writes ``cv_lasso_path.png`` (``sklreg.plot_path`` of the fitted LassoCV:
one line per feature against log alpha, alpha_min_ dashed, alpha_1se_
dotted) and ``cv_lasso_cv.png`` (``sklreg.plot_cv``: mean CV loss +- one
standard error), and prints where the marks are.
"""
import pathlib
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import sklreg  # noqa: E402
from suite_cv import problems  # noqa: E402


def main(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    row = next(p for p in problems() if p.name == "cv_lasso")
    d = row.build(False)
    cv = sklreg.LassoCV(alphas=d["alphas"], cv=d["folds"]).fit(d["X"], d["y"])
    n, p = d["X"].shape
    fig, ax = plt.subplots(figsize=(9, 6))
    path = sklreg.plot_path(cv, d["X"], d["y"], ax=ax)
    ax.set_title(f"LassoCV row: Lasso path, n={n}, p={p}, {len(d['alphas'])} alphas")
    fig.tight_layout()
    fig.savefig(out / "cv_lasso_path.png", dpi=110)
    fig, ax = plt.subplots(figsize=(9, 6))
    sklreg.plot_cv(cv, ax=ax)
    ax.set_title(f"LassoCV row: {len(d['folds'])}-fold CV mean squared error +- 1 s.e.")
    fig.tight_layout()
    fig.savefig(out / "cv_lasso_cv.png", dpi=110)
    res = cv.cv_results_
    nnz = np.count_nonzero(path.coefs, axis=1)
    for name, alpha in [("alpha_min_", cv.alpha_min_), ("alpha_1se_", cv.alpha_1se_)]:
        k = int(np.flatnonzero(res["alpha"] == alpha)[0])
        print(f"{name} = {alpha:.5g} (grid index {k}): mean CV loss "
              f"{res['mean_test_loss'][k]:.4g} +- {res['sem_test_loss'][k]:.3g}, "
              f"{nnz[k]} non-zero coefficients")
    print(f"{len(path.lines_)} coefficient lines, "
          f"{np.count_nonzero(np.any(path.coefs != 0, axis=0))} ever non-zero")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
