"""Path and cross-validation plots (the scikit-learn Display pattern).

matplotlib is imported only when something is drawn.
"""
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sklreg.path import PathResult, regularization_path

MAX_LEGEND_FEATURES = 12     # above this, the path plot's legend names no feature


def _axes(ax):
    import matplotlib.pyplot as plt
    if ax is None:
        # a constrained layout makes room for the legend beside the axes
        _, ax = plt.subplots(layout="constrained")
    return ax


def _legend(ax, handles=None):
    """The legend beside the axes, on the right, where it hides no curve."""
    kwargs = {} if handles is None else {"handles": handles}
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              fontsize="small", **kwargs)


def _mark(ax, alpha, label, style):
    """A vertical line at ``alpha`` (none unless one scalar alpha); returns
    the lines drawn."""
    if alpha is None or np.ndim(alpha) != 0:
        return []
    return [ax.axvline(alpha, color="black", linestyle=style, linewidth=1, label=label)]


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def _final_step(estimator, X, y):
    """A Pipeline's last step, X through its earlier steps (fitted on X, y
    if the pipeline is not fitted) and their output feature names; any
    other estimator as it is, with X and no names."""
    if not isinstance(estimator, Pipeline):
        return estimator, X, None
    earlier, last = estimator[:-1], estimator[-1]
    if not _is_fitted(estimator):
        if X is None:
            return last, None, None
        earlier = clone(earlier).fit(X, y)
    names = None
    if hasattr(earlier, "get_feature_names_out"):
        try:
            names = list(earlier.get_feature_names_out())
        except (AttributeError, ValueError, NotFittedError):
            names = None
    return last, (None if X is None else earlier.transform(X)), names


def _is_cv(estimator):
    return hasattr(estimator, "coef_at") and hasattr(estimator, "alpha_selection")


def _check_sklreg(estimator, what):
    if type(estimator).__module__.split(".")[0] != "sklreg":
        raise TypeError(f"{what} draws sklreg estimators (or a Pipeline ending in one); "
                        f"got {type(estimator).__name__}")


class PathDisplay:
    """Coefficients along a regularization path, against alpha on a log scale.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_alphas, n_features) or (n_alphas, n_targets, n_features)
        With several targets (a multi-task estimator's tasks), each feature
        is drawn as the Euclidean norm of its coefficients over the targets
        (the row norm its L2,1 penalty shrinks), or per target with
        ``target``.
    feature_names : list of str, default=None
    alpha : float, default=None
        An alpha to mark (e.g. chosen by cross-validation).
    alpha_1se : float, default=None
        A second alpha to mark (the one-standard-error choice).
    target : int, default=None
        With several targets, draw this target's coefficients instead of
        the norms.

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
    >>> display = PathDisplay.from_estimator(cv)   # doctest: +SKIP
    """

    def __init__(self, alphas, coefs, *, feature_names=None, alpha=None, alpha_1se=None,
                 target=None):
        self.alphas = np.asarray(alphas)
        self.coefs = np.asarray(coefs)
        self.feature_names = feature_names
        self.alpha = alpha
        self.alpha_1se = alpha_1se
        self.target = target

    @classmethod
    def from_path(cls, path, *, feature_names=None, ax=None, target=None):
        """Plot a :class:`sklreg.PathResult`."""
        return cls(path.alphas, path.coefs, feature_names=feature_names,
                   target=target).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X=None, y=None, *, sample_weight=None, alphas=100,
                       feature_names=None, ax=None, target=None):
        """Plot the path of an sklreg estimator, or of a Pipeline's last step.

        A fitted cross-validated estimator plots the path it keeps
        (``path_``) and marks ``alpha_min_`` and ``alpha_1se_``: no data
        needed.  An unfitted one is fitted on (X, y) first.  Any other
        estimator's path is computed on (X, y) over ``alphas``.  In a
        Pipeline, X goes through the earlier steps (fitted on X, y when the
        pipeline is not) and their output names label the features.
        """
        last, X, names = _final_step(estimator, X, y)
        _check_sklreg(last, "plot_path")
        marks = {}
        if _is_cv(last):
            if not _is_fitted(last):
                if X is None or y is None:
                    raise NotFittedError(f"This {type(last).__name__} is not fitted: fit "
                                         "it, or pass X and y to fit it for the plot.")
                last = clone(last).fit(X, y, sample_weight=sample_weight)
            path = last.path_
            marks = {"alpha": last.alpha_min_, "alpha_1se": last.alpha_1se_}
        elif X is None or y is None:
            raise ValueError(f"plot_path needs X and y to compute the path of "
                             f"{type(last).__name__}")
        else:
            path = regularization_path(last, X, y, alphas=alphas,
                                       sample_weight=sample_weight)
        if feature_names is None:
            feature_names = getattr(last, "feature_names_in_", names)
        return cls(path.alphas, path.coefs, feature_names=feature_names, target=target,
                   **marks).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self."""
        coefs, ylabel = self._curves()
        ax = _axes(ax)
        n_features = coefs.shape[-1]
        names = (list(self.feature_names) if self.feature_names is not None
                 else [f"x{j}" for j in range(n_features)])
        self.lines_ = [ax.plot(self.alphas, coefs[:, j], label=names[j])[0]
                       for j in range(n_features)]
        ax.set_xscale("log")
        ax.invert_xaxis()          # from the empty model to the full one
        ax.set_xlabel("alpha (log scale)")
        ax.set_ylabel(ylabel)
        marks = (_mark(ax, self.alpha, "alpha (min CV loss)", "--")
                 + _mark(ax, self.alpha_1se, "alpha (1 standard error)", ":"))
        if n_features <= MAX_LEGEND_FEATURES:
            _legend(ax)
        elif marks:                 # many features: the legend names the marks only
            _legend(ax, handles=marks)
        self.ax_, self.figure_ = ax, ax.figure
        return self


    def _curves(self):
        """(n_alphas, n_features) values to draw, and their axis label."""
        if self.coefs.ndim == 2:
            return self.coefs, "coefficient"
        if self.coefs.ndim != 3:
            raise ValueError("plot_path draws coefficients of shape (n_alphas, n_features) "
                             f"or (n_alphas, n_targets, n_features); got {self.coefs.shape}")
        if self.target is None:
            return np.linalg.norm(self.coefs, axis=1), "coefficient norm over the targets"
        n_targets = self.coefs.shape[1]
        if not (isinstance(self.target, Integral) and 0 <= self.target < n_targets):
            raise ValueError(f"target must be an int in [0, {n_targets}); got {self.target!r}")
        return self.coefs[:, self.target], f"coefficient (target {self.target})"


class CVDisplay:
    """Mean cross-validation loss +- one standard error against alpha.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    mean, sem : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        ``sem`` may be NaN (no error bars).
    alpha_min, alpha_1se : float
    ylabel : str

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    errorbar_ : the ErrorbarContainer of the (first) mean curve
    """

    def __init__(self, alphas, mean, sem, *, alpha_min=None, alpha_1se=None,
                 ylabel="mean CV loss"):
        order = np.argsort(np.asarray(alphas, dtype=np.float64))
        self.alphas = np.asarray(alphas)[order]
        self.mean, self.sem = (np.asarray(a)[order] for a in (mean, sem))
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.ylabel = ylabel

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot a fitted cross-validated estimator's ``cv_results_`` (or a
        Pipeline's last step's)."""
        last, _, _ = _final_step(estimator, None, None)
        if not _is_cv(last):
            raise TypeError("plot_cv draws a cross-validated sklreg estimator (or a "
                            f"Pipeline ending in one); got {type(last).__name__}")
        check_is_fitted(last)
        # the per-alpha summary, where cv_results_ holds more (RidgeCV's
        # per-sample array, a relaxed search's (alpha, gamma) pairs)
        res = getattr(last, "_cv_summary", last.cv_results_)
        return cls(res["alpha"], res["mean_test_loss"], res["sem_test_loss"],
                   alpha_min=last.alpha_min_, alpha_1se=last.alpha_1se_,
                   ylabel=last._cv_loss_label()).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self."""
        ax = _axes(ax)
        mean = self.mean.reshape(len(self.alphas), -1)
        sem = self.sem.reshape(len(self.alphas), -1)
        curves = []
        for k in range(mean.shape[1]):
            label = "mean +- 1 s.e." + (f", target {k}" if mean.shape[1] > 1 else "")
            yerr = None if np.all(np.isnan(sem[:, k])) else sem[:, k]
            curves.append(ax.errorbar(self.alphas, mean[:, k], yerr=yerr, fmt="o-",
                                      markersize=3, capsize=2, label=label))
        self.errorbar_ = curves[0]
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("alpha (log scale)")
        ax.set_ylabel(self.ylabel)
        _mark(ax, self.alpha_min, "alpha (min)", "--")
        _mark(ax, self.alpha_1se, "alpha (1 s.e.)", ":")
        _legend(ax)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def plot_path(path_or_estimator, X=None, y=None, *, feature_names=None, ax=None,
              sample_weight=None, target=None):
    """Plot coefficients against log alpha.

    Parameters
    ----------
    path_or_estimator : PathResult, estimator or Pipeline
        A computed path; a fitted ``*CV`` estimator (its ``path_``, its
        chosen alphas marked; no data needed); any other sklreg estimator,
        whose path is computed on X and y; or a Pipeline ending in one of
        these (X goes through its earlier steps).
    X, y : data, required unless a path or a fitted ``*CV`` is given
    feature_names : list of str, default=None
    ax : matplotlib Axes, default=None
    sample_weight : array-like, default=None
    target : int, default=None
        With several targets (e.g. a multi-task estimator), each feature is
        drawn as the norm of its coefficients over the targets; an int draws
        that target's coefficients instead.

    Returns
    -------
    PathDisplay
    """
    if isinstance(path_or_estimator, PathResult):
        return PathDisplay.from_path(path_or_estimator, feature_names=feature_names, ax=ax,
                                     target=target)
    return PathDisplay.from_estimator(path_or_estimator, X, y, sample_weight=sample_weight,
                                      feature_names=feature_names, ax=ax, target=target)


def plot_cv(cv_estimator, ax=None):
    """Plot a fitted ``*CV`` estimator's mean CV loss +- one standard error,
    with ``alpha_min_`` and ``alpha_1se_`` marked (a Pipeline ending in one
    too).  Returns a CVDisplay; NotFittedError if it is not fitted."""
    return CVDisplay.from_estimator(cv_estimator, ax=ax)
