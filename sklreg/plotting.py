"""Path and cross-validation plots (the scikit-learn Display pattern).

matplotlib is imported only when something is drawn.
"""
import numpy as np

from sklreg.path import PathResult, regularization_path

MAX_LEGEND_FEATURES = 12     # above this, the path plot's legend names no feature


def _axes(ax):
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _mark(ax, alpha, label, style):
    """A vertical line at ``alpha`` (none if None); returns the lines drawn."""
    if alpha is None:
        return []
    return [ax.axvline(alpha, color="black", linestyle=style, linewidth=1, label=label)]


class PathDisplay:
    """Coefficients along a regularization path, against alpha on a log scale.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_alphas, n_features)
    feature_names : list of str, default=None
    alpha : float, default=None
        An alpha to mark (e.g. chosen by cross-validation).
    alpha_1se : float, default=None
        A second alpha to mark (the one-standard-error choice).

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    lines_ : list of Line2D, one per feature

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import LassoCV
    >>> from sklreg.plotting import PathDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = LassoCV(cv=5).fit(X, y)
    >>> display = PathDisplay.from_estimator(cv, X, y)   # doctest: +SKIP
    """

    def __init__(self, alphas, coefs, *, feature_names=None, alpha=None, alpha_1se=None):
        self.alphas = np.asarray(alphas)
        self.coefs = np.asarray(coefs)
        self.feature_names = feature_names
        self.alpha = alpha
        self.alpha_1se = alpha_1se

    @classmethod
    def from_path(cls, path, *, feature_names=None, ax=None):
        """Plot a :class:`sklreg.PathResult`."""
        return cls(path.alphas, path.coefs, feature_names=feature_names).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, sample_weight=None, alphas=100,
                       feature_names=None, ax=None):
        """Compute the path of ``estimator`` on (X, y) and plot it.

        A fitted cross-validated estimator contributes its grid
        (``alphas_``) and marks ``alpha_`` and ``alpha_1se_``.
        """
        marks = {}
        if hasattr(estimator, "estimator_"):          # a fitted *CV estimator
            marks = {"alpha": estimator.alpha_min_,
                     "alpha_1se": getattr(estimator, "alpha_1se_", None)}
            alphas = estimator.alphas_ if np.ndim(estimator.alphas_) == 1 else alphas
            feature_names = (feature_names if feature_names is not None
                             else getattr(estimator, "feature_names_in_", None))
            estimator = estimator.estimator_
        path = regularization_path(estimator, X, y, alphas=alphas,
                                   sample_weight=sample_weight)
        if feature_names is None:
            feature_names = getattr(estimator, "feature_names_in_", None)
        return cls(path.alphas, path.coefs, feature_names=feature_names,
                   **marks).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self."""
        ax = _axes(ax)
        n_features = self.coefs.shape[-1]
        names = (list(self.feature_names) if self.feature_names is not None
                 else [f"x{j}" for j in range(n_features)])
        self.lines_ = [ax.plot(self.alphas, self.coefs[:, j], label=names[j])[0]
                       for j in range(n_features)]
        ax.set_xscale("log")
        ax.invert_xaxis()          # from the empty model to the full one
        ax.set_xlabel("alpha (log scale)")
        ax.set_ylabel("coefficient")
        marks = (_mark(ax, self.alpha, "alpha (min CV loss)", "--")
                 + _mark(ax, self.alpha_1se, "alpha (1 standard error)", ":"))
        if n_features <= MAX_LEGEND_FEATURES:
            ax.legend(fontsize="small", loc="best")
        elif marks:                 # many features: the legend names the marks only
            ax.legend(handles=marks, fontsize="small", loc="best")
        self.ax_, self.figure_ = ax, ax.figure
        return self


class CVDisplay:
    """Mean cross-validation loss +- one standard error against alpha.

    Parameters
    ----------
    alphas, mean, sem : ndarray of shape (n_alphas,)
    alpha_min, alpha_1se : float
    ylabel : str

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    errorbar_ : the ErrorbarContainer of the mean curve
    """

    def __init__(self, alphas, mean, sem, *, alpha_min=None, alpha_1se=None,
                 ylabel="mean CV loss"):
        self.alphas, self.mean, self.sem = map(np.asarray, (alphas, mean, sem))
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.ylabel = ylabel

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot a fitted cross-validated estimator's ``cv_results_``."""
        res = estimator.cv_results_
        ylabel = ("mean CV loss (negated score)" if estimator.scoring is not None
                  else "mean CV loss")
        return cls(res["alpha"], res["mean_test_loss"], res["sem_test_loss"],
                   alpha_min=estimator.alpha_min_, alpha_1se=estimator.alpha_1se_,
                   ylabel=ylabel).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self."""
        ax = _axes(ax)
        self.errorbar_ = ax.errorbar(self.alphas, self.mean, yerr=self.sem, fmt="o-",
                                     markersize=3, capsize=2, label="mean +- 1 s.e.")
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("alpha (log scale)")
        ax.set_ylabel(self.ylabel)
        _mark(ax, self.alpha_min, "alpha (min)", "--")
        _mark(ax, self.alpha_1se, "alpha (1 s.e.)", ":")
        ax.legend(fontsize="small", loc="best")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def plot_path(path_or_estimator, X=None, y=None, *, feature_names=None, ax=None,
              sample_weight=None):
    """Plot coefficients against log alpha.

    Parameters
    ----------
    path_or_estimator : PathResult or estimator
        A computed path, or an estimator (with X and y) whose path to draw;
        a fitted ``*CV`` estimator also marks its chosen alphas.
    X, y : data, required with an estimator
    feature_names : list of str, default=None
    ax : matplotlib Axes, default=None
    sample_weight : array-like, default=None

    Returns
    -------
    PathDisplay
    """
    if isinstance(path_or_estimator, PathResult):
        return PathDisplay.from_path(path_or_estimator, feature_names=feature_names, ax=ax)
    if X is None or y is None:
        raise ValueError("plot_path needs X and y to compute an estimator's path")
    return PathDisplay.from_estimator(path_or_estimator, X, y, sample_weight=sample_weight,
                                      feature_names=feature_names, ax=ax)


def plot_cv(cv_estimator, ax=None):
    """Plot a fitted ``*CV`` estimator's mean CV loss +- one standard error,
    with ``alpha_min_`` and ``alpha_1se_`` marked.  Returns a CVDisplay."""
    return CVDisplay.from_estimator(cv_estimator, ax=ax)
