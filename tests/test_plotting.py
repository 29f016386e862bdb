"""Path and CV plots render, with the right lines, scales, labels and markers."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklreg import LassoCV, Lasso, plot_cv, plot_path, regularization_path  # noqa: E402
from conftest import make_problem  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = make_problem(80, 6)
    return X, y, LassoCV(cv=4, alphas=20).fit(X, y)


def vertical_lines(ax):
    return sorted(line.get_xdata()[0] for line in ax.get_lines()
                  if len(set(np.atleast_1d(line.get_xdata()))) == 1 and len(line.get_xdata()) == 2)


def test_path_plot_from_a_path(tmp_path):
    X, y, _ = make_problem(50, 5)
    path = regularization_path(Lasso(), X, y, alphas=15)
    display = plot_path(path, feature_names=list("abcde"))
    ax = display.ax_
    assert len(display.lines_) == 5
    assert ax.get_xscale() == "log" and ax.get_xlabel().startswith("alpha")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list("abcde")
    np.testing.assert_allclose(display.lines_[2].get_ydata(), path.coefs[:, 2])
    display.figure_.savefig(tmp_path / "path.png")
    assert (tmp_path / "path.png").stat().st_size > 0
    plt.close("all")


def test_path_plot_marks_the_cv_choice(fitted, tmp_path):
    X, y, cv = fitted
    display = plot_path(cv, X, y)
    assert len(display.lines_) == X.shape[1]
    assert vertical_lines(display.ax_) == sorted([cv.alpha_min_, cv.alpha_1se_])
    np.testing.assert_allclose(display.alphas, cv.alphas_)
    display.figure_.savefig(tmp_path / "path_cv.png")
    plt.close("all")


def test_path_plot_of_many_features_labels_only_the_marks(tmp_path):
    X, y, _ = make_problem(60, 30)
    cv = LassoCV(cv=3, alphas=10).fit(X, y)
    display = plot_path(cv, X, y)
    assert len(display.lines_) == 30
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        "alpha (min CV loss)", "alpha (1 standard error)"]
    plain = plot_path(regularization_path(Lasso(), X, y, alphas=10))
    assert plain.ax_.get_legend() is None
    plt.close("all")


def test_cv_plot(fitted, tmp_path):
    _, _, cv = fitted
    fig, ax = plt.subplots()
    display = plot_cv(cv, ax=ax)
    assert display.ax_ is ax and ax.get_xscale() == "log"
    assert ax.get_ylabel() == "mean CV loss"
    data_line = display.errorbar_.lines[0]
    np.testing.assert_allclose(data_line.get_xdata(), cv.cv_results_["alpha"])
    np.testing.assert_allclose(data_line.get_ydata(), cv.cv_results_["mean_test_loss"])
    assert vertical_lines(ax) == sorted([cv.alpha_min_, cv.alpha_1se_])
    fig.savefig(tmp_path / "cv.png")
    assert (tmp_path / "cv.png").stat().st_size > 0
    plt.close("all")


def test_matplotlib_is_imported_lazily():
    import subprocess
    import sys
    code = "import sys, sklreg; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
