"""The one cross-validated ``fit`` every ``*CV`` estimator shares.

A ``*CV`` class names its single-alpha estimator (``_estimator_class``), the
parameters that belong to cross-validation (``_cv_parameters``; every other
parameter is passed through), its own loss for scoring (``_loss``) and, if it
searches more than alpha, the extra grid (``_search_grid``, e.g. l1_ratio).
"""
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklreg.utils._dask_input import is_dask_collection
from sklreg.linear_model._base import LinearPredictMixin
from sklreg.model_selection import (cross_validate_path, cv_results, make_folds, select_alpha,
                                    warn_if_at_grid_edge)
from sklreg.path import PathData, validated_alpha_max, alpha_grid, grid_top
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import fit_progress
from sklreg.utils._warnings import collect_missed, record_all, warn_at_caller, warn_missed
from sklreg.utils.validation import (check_alphas, cv_metadata_router, split_params,
                                     validate_params, validate_X_y)

CV_PARAMETERS_DOC = """
    eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Number of alphas on the geometric grid from ``alpha_max`` (computed
        on all the data) down to ``eps * alpha_max``, or the alphas
        themselves.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None for 5-fold, an int for that many folds, a
        splitter, or an iterable of (train, test) splits.  Explicit fold
        numbers per sample can be passed to ``fit`` as ``fold_ids``.
    scoring : str or callable, default=None
        A scikit-learn scorer to select alpha with.  None uses the
        estimator's own loss (weighted by ``sample_weight`` on each test
        fold).
    alpha_selection : {'min', '1se'}, default='min'
        Refit at the alpha with the best mean CV loss, or at the largest
        alpha within one standard error of it (glmnet's ``lambda.1se``).
    n_jobs : int, default=None
        Folds run in parallel through joblib (threads: the solvers release
        the GIL).  Under ``joblib.parallel_backend("dask")`` they run on a
        Dask cluster.
    verbose : bool or int, default=False
        Progress on stdout: at 1, a line per fold (a bar when ``tqdm`` is
        installed), naming the ``l1_ratio`` searched, and about a line a
        second from any solve that runs longer than a second (outer
        iteration, certificate, working set); at 2, a line per alpha of every
        fold and per outer iteration of every solve.
    store_cv_coefs : bool, default=False
        Keep every fold's coefficient path in ``cv_coefs_``.
"""

CV_ATTRIBUTES_DOC = """
    alpha_ : float
        The alpha of the refitted model (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_ : float
        The alpha with the lowest mean CV loss.
    alpha_1se_ : float
        The largest alpha whose mean CV loss is within one standard error
        of the lowest.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (of the selected extra parameter, if several are searched).
    cv_results_ : dict of ndarrays
        ``alpha``, ``mean_test_loss``, ``std_test_loss`` (over the folds,
        ``ddof=1``), ``sem_test_loss`` (``std_test_loss / sqrt(n_folds)``,
        the one-standard-error rule's) and ``split{k}_test_loss`` (the
        negated score when ``scoring`` is set), for the selected extra
        parameter; the same keys for every sklreg ``*CV``.
    path_ : PathResult
        The path on all the data over ``alphas_`` (computed at first use;
        see ``coef_at``).
    cv_coefs_ : list of ndarray of shape (n_alphas, n_features)
        Per-fold coefficient paths, when ``store_cv_coefs=True``.
    estimator_ : estimator
        The model refitted on all the data at ``alpha_``.
    coef_, intercept_, dual_gap_, n_iter_ :
        Those of ``estimator_``.
"""


class FittedPathMixin:
    """``path_``, ``coef_at`` and ``predict(X, alpha=)`` for a fitted
    cross-validated estimator, from the references its ``fit`` keeps
    (``_keep_path``)."""

    def get_metadata_routing(self):
        """Metadata routing of this object (scikit-learn's metadata routing
        user guide): ``fit``'s extra parameters go to the CV splitter.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return cv_metadata_router(self, self.cv)

    def _keep_path(self, estimator, X, y, sample_weight, alphas, data=None):
        """Keep what the full-data path is computed from: the selected
        estimator, the grid, and references (not copies) to the data (or
        ``data``, a ``PathData``, instead)."""
        self._path_data = data or PathData(estimator, X, y, sample_weight)
        self._path_alphas = np.asarray(alphas)
        self._path = None

    @property
    def path_(self):
        """The regularization path on all the training data over the
        cross-validation grid (a :class:`sklreg.path.PathResult`), as
        ``cv.glmnet`` keeps ``glmnet.fit``.  Computed at first use (it
        costs about what one fold does) from references to the training
        data kept by ``fit``, so changing those arrays in place afterwards
        changes it; the references are not pickled."""
        check_is_fitted(self)
        if self._path is None:
            self._path = self._path_data.path(self._path_alphas)
        return self._path

    def coef_at(self, alpha):
        """The model at any ``alpha`` of the grid's range, fitted on all the
        data: solved exactly, warm-started from the nearest point of
        ``path_``, and certified like a fit (see ``PathResult.coef_at``).

        Parameters
        ----------
        alpha : float

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_targets, n_features)
        intercept : float or ndarray of shape (n_targets,)
        """
        check_is_fitted(self)
        return self.path_.coef_at(alpha)

    def predict(self, X, alpha=None):
        """Predict with the model at ``alpha_`` or at another ``alpha``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        alpha : float, default=None
            None for the selected model (``alpha_``); otherwise any alpha of
            the grid's range (see ``coef_at``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        if alpha is None:
            return super().predict(X)
        coef, intercept = self.coef_at(alpha)
        X = validate_data(self, X, accept_sparse=["csr", "csc", "coo"],
                          dtype=[np.float64, np.float32], reset=False)
        return X @ np.asarray(coef).T + intercept


class AlphaSelector(FittedPathMixin):
    """The selector every ``*CV`` is built on (``PathCV``, ``RidgeCV``): one
    rule from test losses to ``alpha_min_``, ``alpha_1se_`` and ``alpha_``
    (``model_selection.select_alpha``), one ``cv_results_``, and the
    full-data path of ``FittedPathMixin``."""

    def _select_alpha(self, alphas, losses, splits=True):
        """Set ``alpha_min_``, ``alpha_1se_``, ``alpha_`` and ``cv_results_``
        from test losses of shape (n_alphas, n_units), lower is better (a
        unit is a fold, or a sample for leave-one-out, whose losses are
        ``split{k}_test_loss`` when ``splits``), or (n_alphas, n_units,
        n_targets) for one alpha per target.  Returns the index of
        ``alpha_min_`` (one per target)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        losses = np.asarray(losses, dtype=np.float64)
        if losses.ndim == 3:
            best, one_se = np.array([select_alpha(alphas, losses[:, :, k])
                                     for k in range(losses.shape[2])]).T
            self.alpha_min_, self.alpha_1se_ = alphas[best], alphas[one_se]
        else:
            best, one_se = select_alpha(alphas, losses)
            self.alpha_min_, self.alpha_1se_ = float(alphas[best]), float(alphas[one_se])
        self.alpha_ = self.alpha_1se_ if self.alpha_selection == "1se" else self.alpha_min_
        self.cv_results_ = cv_results(alphas, losses, splits=splits)
        return best


class PathCV(AlphaSelector, LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Base of the cross-validated estimators."""

    _estimator_class = None
    _cv_parameters = ("eps", "alphas", "cv", "scoring", "alpha_selection", "n_jobs",
                      "verbose", "store_cv_coefs")
    _parameter_constraints = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "scoring": [None, str, callable],
        "alpha_selection": [StrOptions({"min", "1se"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "store_cv_coefs": ["boolean"],
    }

    @staticmethod
    def _loss(y_true, y_pred, sample_weight):
        """The estimator's own loss on a test fold (lower is better)."""
        raise NotImplementedError

    def _loss_for(self, estimator):
        """The fold loss for ``estimator``'s parameters (default: ``_loss``)."""
        return self._loss

    def _search_grid(self):
        """Extra parameters searched with alpha: a list of dicts."""
        return [{}]

    def _estimator(self, **overrides):
        """The single-alpha estimator with this object's other parameters."""
        own = self._estimator_class().get_params()
        params = {k: v for k, v in self.get_params().items()
                  if k in own and k not in self._cv_parameters}
        params.update(overrides)
        return self._estimator_class(**params)

    def fit(self, X, y, sample_weight=None, fold_ids=None, **params):
        """Choose alpha by cross-validation, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Used in every fold's fit and in its test loss.
        fold_ids : array-like of shape (n_samples,), default=None
            Fold number of each sample (overrides ``cv``).
        **params : dict
            Passed to the CV splitter (e.g. ``groups`` for ``GroupKFold``),
            as in scikit-learn: only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
        """
        if is_dask_collection(X, y, sample_weight, fold_ids):   # see sklreg._dask
            from sklreg._dask._cv import fit_cv
            return fit_cv(self, X, y, sample_weight, fold_ids, params)
        validate_params(self)
        routed = split_params(self, params, sample_weight)
        X_given = X
        X, y, s = validate_X_y(self, X, y, sample_weight)
        y = self._check_target(y)
        folds = make_folds(self.cv, X, y, fold_ids, routed)
        with collect_missed() as missed:
            searches = [self._cross_validate(extra, X, y, s, folds)
                        for extra in self._search_grid()]
            extra, grid, losses = self._select_search(searches)
            self._refit(X, y, s, extra)
        warn_missed(missed, type(self).__name__, len(searches) * len(folds) * len(grid) + 1,
                    "fits (fold and alpha, and the refit)")
        self._keep_path(self._estimator(**extra), X_given, y, s, grid)
        warn_if_at_grid_edge(self, grid, losses.mean(axis=1),
                             lambda: validated_alpha_max(self._estimator(**extra), X, y, s))
        return self

    def _check_target(self, y):
        """y as the estimator fits it: 1-D (a column vector is raveled, with
        scikit-learn's warning)."""
        if y.ndim == 2 and y.shape[1] == 1:
            warn_at_caller("A column-vector y was passed when a 1d array was expected; "
                           "it was raveled.", DataConversionWarning)
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError("%s takes a 1-D y; got shape %r"
                             % (type(self).__name__, y.shape))
        return y

    def _select_search(self, searches):
        """Set the attributes of the search from its results, a list of
        (extra, grid, losses, coefs); return the selected (extra, grid, losses)."""
        best = int(np.argmin([losses.mean(axis=1).min() for _, _, losses, _ in searches]))
        extra, grid, losses, coefs = searches[best]
        self._select_alpha(grid, losses)
        self.alphas_ = grid
        self._store_search(searches, best)
        if self.store_cv_coefs:
            self.cv_coefs_ = coefs
        return extra, grid, losses

    def _cross_validate(self, extra, X, y, s, folds):
        """(extra, grid, losses, coefs) of one search (``extra``: the
        parameters searched beside alpha, e.g. one l1_ratio)."""
        est = self._estimator(**extra)
        validate_params(est)
        est._check_params(X.shape[1])
        if np.ndim(self.alphas) == 0:
            with single_threaded_blas():        # a product with X, vector-sized
                grid = alpha_grid(grid_top(est, X, y, s), int(self.alphas), self.eps)
        else:
            grid = check_alphas(self.alphas)
        with collect_missed() as missed:
            losses, coefs = cross_validate_path(
                est, X, y, grid, folds, sample_weight=s, scoring=self.scoring,
                loss=self._loss_for(est), n_jobs=self.n_jobs, verbose=self.verbose,
                keep_coefs=self.store_cv_coefs, label=_label(extra))
        record_all(_tagged(missed, _label(extra)))
        return extra, grid, losses, coefs

    def _refit(self, X, y, s, extra):
        """``estimator_`` at ``alpha_`` on all the data, and its attributes."""
        label = f"{type(self).__name__}, refit on all the data at alpha={self.alpha_:.4g}"
        with collect_missed() as missed, fit_progress(self.verbose, ", ".join(
                filter(None, (label, _label(extra))))):
            self.estimator_ = self._estimator(alpha=self.alpha_, **extra).fit(
                X, y, sample_weight=s)
        record_all(_tagged(missed, "refit on all the data"))
        self._adopt_refit()

    def _adopt_refit(self):
        """The fitted attributes of ``estimator_`` become this object's."""
        if hasattr(self, "feature_names_in_"):
            self.estimator_.feature_names_in_ = self.feature_names_in_
        for name, value in vars(self.estimator_).items():
            if name.endswith("_") and not name.startswith("_") and not hasattr(
                    type(self), name) and name not in ("n_features_in_", "feature_names_in_"):
                setattr(self, name, value)

    def _store_search(self, searches, best):
        """Attributes of the whole search: by default ``loss_path_``, the test
        losses (n_alphas, n_folds) of the selected search."""
        self.loss_path_ = searches[best][2]

    def _cv_loss_label(self):
        return "mean CV loss" if self.scoring is None else "mean CV loss (negated score)"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _label(extra):
    """'l1_ratio=0.5' for a search's extra parameters ('' for none)."""
    return ", ".join(f"{k}={v:.4g}" for k, v in extra.items())


def _tagged(missed, where):
    for m in missed:
        m.where = ", ".join(filter(None, (m.where, where)))
    return missed
