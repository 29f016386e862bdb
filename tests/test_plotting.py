"""Path and CV plots render, with the right lines, scales, labels and markers."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklreg import LassoCV, Lasso, plot_cv, plot_path, regularization_path  # noqa: E402
from tests.conftest import make_problem  # noqa: E402


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
    np.testing.assert_allclose(data_line.get_xdata(), cv.cv_results_["alpha"][::-1])
    np.testing.assert_allclose(data_line.get_ydata(),
                               cv.cv_results_["mean_test_loss"][::-1])
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


# -- plots of ordinary objects: pipelines, RidgeCV, unfitted estimators --------

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklreg import (ElasticNetCV, HuberRegressorCV, QuantileRegressorCV, Ridge,  # noqa: E402
                    RidgeCV)


def legend_is_beside_the_axes(display):
    """Drawn, the legend lies right of the axes (over no curve) and inside
    the figure."""
    fig = display.figure_
    fig.canvas.draw()
    legend = display.ax_.get_legend().get_window_extent()
    axes = display.ax_.get_window_extent()
    return legend.x0 >= axes.x1 - 1 and legend.x1 <= fig.bbox.x1 + 1


def test_path_of_a_pipeline_goes_through_its_earlier_steps():
    X, y, _ = make_problem(60, 5, shift=3.0)
    X = X * np.arange(1, 6)
    pipe = make_pipeline(StandardScaler(), Lasso())
    display = plot_path(pipe, X, y)
    expected = regularization_path(Lasso(), StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(display.coefs, expected.coefs, atol=1e-12)
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        f"x{j}" for j in range(5)]
    # a fitted pipeline ending in a CV estimator: its path, no data needed
    fitted = make_pipeline(StandardScaler(), LassoCV(cv=3, alphas=10)).fit(X, y)
    display = plot_path(fitted)
    np.testing.assert_allclose(display.coefs, fitted[-1].path_.coefs)
    assert vertical_lines(display.ax_) == sorted([fitted[-1].alpha_min_,
                                                   fitted[-1].alpha_1se_])
    with pytest.raises(TypeError, match="LinearRegression"):
        plot_path(make_pipeline(StandardScaler(), LinearRegression()), X, y)
    plt.close("all")


def test_a_fitted_cv_estimator_plots_its_path_without_data():
    X, y, _ = make_problem(60, 5)
    for cv in (LassoCV(cv=3, alphas=10), RidgeCV(alphas=[0.1, 1.0, 10.0, 100.0]),
               RidgeCV(alphas=[0.1, 1.0, 10.0, 100.0], cv=3)):
        cv.fit(X, y)
        display = plot_path(cv)
        np.testing.assert_allclose(display.coefs, cv.path_.coefs)
        assert len(display.lines_) == 5 and legend_is_beside_the_axes(display)
    for k, alpha in enumerate(display.alphas):             # RidgeCV's path is Ridge's
        np.testing.assert_allclose(display.coefs[k], Ridge(alpha=alpha).fit(X, y).coef_,
                                   rtol=1e-8, atol=1e-10)
    plt.close("all")


def test_unfitted_estimators():
    X, y, _ = make_problem(60, 5)
    with pytest.raises(NotFittedError):
        plot_cv(LassoCV())
    with pytest.raises(NotFittedError):
        plot_cv(RidgeCV())
    with pytest.raises(NotFittedError):
        plot_path(LassoCV())
    display = plot_path(LassoCV(cv=3, alphas=10), X, y)      # fitted for the plot
    assert len(display.lines_) == 5 and len(vertical_lines(display.ax_)) == 2
    with pytest.raises(ValueError, match="X and y"):
        plot_path(Lasso())
    plt.close("all")


@pytest.mark.parametrize("cv", [
    LassoCV(cv=4, alphas=8), ElasticNetCV(l1_ratio=[0.2, 0.8], cv=4, alphas=8),
    HuberRegressorCV(cv=4, alphas=5), QuantileRegressorCV(cv=4, alphas=5),
    RidgeCV(alphas=[0.01, 0.1, 1.0, 10.0, 100.0]),
    RidgeCV(alphas=[100.0, 0.01, 1.0], cv=4)], ids=repr)
def test_every_cv_estimator_has_the_same_cv_results_and_plots_them(cv):
    X, y, _ = make_problem(80, 6)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)            # an optimum at an edge
        cv.fit(X, y)
    res = cv.cv_results_
    assert {"alpha", "mean_test_loss", "std_test_loss", "sem_test_loss"} <= set(res)
    splits = sorted(k for k in res if k.startswith("split"))
    if splits:                                                 # k folds
        losses = np.column_stack([res[k] for k in splits])
        np.testing.assert_allclose(res["mean_test_loss"], losses.mean(axis=1))
        np.testing.assert_allclose(res["std_test_loss"], losses.std(axis=1, ddof=1))
        np.testing.assert_allclose(res["sem_test_loss"],
                                   res["std_test_loss"] / np.sqrt(len(splits)))
    else:                                                      # leave-one-out
        np.testing.assert_allclose(res["sem_test_loss"],
                                   res["std_test_loss"] / np.sqrt(X.shape[0]))
    best = np.argmin(res["mean_test_loss"])
    assert res["alpha"][best] == cv.alpha_min_
    display = plot_cv(cv)
    order = np.argsort(res["alpha"])
    line = display.errorbar_.lines[0]
    np.testing.assert_allclose(line.get_xdata(), res["alpha"][order])
    np.testing.assert_allclose(line.get_ydata(), res["mean_test_loss"][order])
    assert legend_is_beside_the_axes(display)
    plt.close("all")


def test_ridge_cv_keeps_scikit_learns_stored_cv_results_and_still_plots():
    X, y, _ = make_problem(50, 4)
    cv = RidgeCV(alphas=[0.1, 1.0, 10.0], store_cv_results=True).fit(X, y)
    assert cv.cv_results_.shape == (50, 3)                    # scikit-learn's array
    display = plot_cv(cv)
    np.testing.assert_allclose(np.sort(display.alphas), [0.1, 1.0, 10.0])
    np.testing.assert_allclose(display.mean, cv.cv_results_.mean(axis=0)[np.argsort(
        [0.1, 1.0, 10.0])])
    plt.close("all")


def test_path_legend_is_beside_the_axes():
    X, y, _ = make_problem(50, 5)
    display = plot_path(regularization_path(Lasso(), X, y, alphas=15))
    assert legend_is_beside_the_axes(display)
    plt.close("all")
