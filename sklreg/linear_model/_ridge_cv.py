"""RidgeCV: Ridge with alpha chosen by (efficient) cross-validation.

It is built on the selector every sklreg ``*CV`` shares
(``_base_cv.AlphaSelector``: one rule from test losses to ``alpha_min_``,
``alpha_1se_`` and ``alpha_``, one ``cv_results_``); the losses come from
``RidgeProblem``: leave-one-out in closed form, or one decomposition per
training fold scoring every alpha.
"""
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg.utils._dask_input import is_dask_collection
from sklreg.linear_model._base import PenalizedRegressor
from sklreg.linear_model._base_cv import AlphaSelector
from sklreg.linear_model._ridge import _OBJECTIVE, Ridge
from sklreg.model_selection import fold_scores, prediction_scorer, warn_if_at_grid_edge
from sklreg.problems import RidgeProblem
from sklreg.utils._warnings import warn_at_caller
from sklreg.utils.validation import alpha_values, split_params

CV_TOL = 1e-4               # certificate RidgeCV's closed-form solution must meet


class RidgeCV(AlphaSelector, PenalizedRegressor):
    __doc__ = f"""Ridge regression with the alpha chosen by cross-validation.

    Every candidate minimises, as :class:`sklearn.linear_model.Ridge`::
    {_OBJECTIVE}

    With ``cv=None`` (the default) the alphas are compared by efficient
    leave-one-out cross-validation, as :class:`sklearn.linear_model.RidgeCV`
    does: one eigendecomposition of the centred, weighted Gram matrix
    (``X^T X`` when n_samples > n_features, else ``X X^T``), after which each
    alpha costs O(n_samples * min(n_samples, n_features)); the intercept is
    unpenalised and its leverage ``s_i / n_w`` is added exactly.  With ``cv``
    (or ``fold_ids`` in ``fit``) given, each training fold is decomposed once
    and scored for every alpha; the folds run through
    :func:`sklreg.model_selection.fold_scores` (joblib), then the model is
    refitted on all data at ``alpha_``.  As every sklreg ``*CV`` estimator,
    it reports the one-standard-error alpha (``alpha_1se_``) and can refit
    with it (``alpha_selection='1se'``).

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or float, default=(0.1, 1.0, 10.0)
        Candidate penalty strengths (positive for leave-one-out).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        With ``cv=None``: None ranks alphas by the mean squared leave-one-out
        error (in the weighted space, as scikit-learn); a scorer is applied to
        the leave-one-out predictions, with the sample weights.  With ``cv``:
        None is R^2 on each test fold (scikit-learn's grid-search default);
        test folds are scored with their sample weights, as scikit-learn 1.9.
    cv : int, cross-validation generator, iterable or None, default=None
        None for efficient leave-one-out; otherwise scikit-learn's ``cv``.
        Explicit fold numbers per sample can be passed to ``fit`` as
        ``fold_ids`` (they override ``cv``).
    gcv_mode : {{'auto', 'svd', 'eigen'}} or None, default=None
        Accepted for scikit-learn compatibility: every mode uses the
        eigendecomposition of the smaller Gram matrix (same numbers).
    store_cv_results : bool, default=False
        Keep the per-sample leave-one-out values in ``cv_results_``
        (``cv=None`` only).
    alpha_per_target : bool, default=False
        Choose one alpha per target (``cv=None`` only).
    n_jobs : int, default=None
        Parallel folds when ``cv`` is given (an sklreg extension).
    alpha_selection : {{'min', '1se'}}, default='min'
        Refit at the alpha with the best mean score (scikit-learn's choice),
        or at the largest alpha within one standard error of it
        (``alpha_1se_``, glmnet's ``lambda.1se``).  An sklreg extension.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The alpha of the refitted model (``alpha_min_`` or ``alpha_1se_``,
        one per target with ``alpha_per_target``).
    alpha_min_ : float or ndarray of shape (n_targets,)
        The alpha with the best mean score.
    best_score_ : float or ndarray of shape (n_targets,)
        Mean cross-validation score at ``alpha_min_`` (higher is better).
    alpha_1se_ : float or ndarray of shape (n_targets,)
        The largest alpha whose mean score is within one standard error of
        the best (standard error over the samples for leave-one-out, over the
        folds otherwise).  With a ``scoring`` and ``cv=None`` there are no
        per-sample scores, and ``alpha_1se_`` is ``alpha_``.
    cv_results_ : dict of ndarrays, or ndarray with ``store_cv_results``
        As every sklreg ``*CV``'s: ``alpha``, ``mean_test_loss``,
        ``std_test_loss`` (``ddof=1``), ``sem_test_loss`` and, with ``cv``,
        ``split{{k}}_test_loss``.  The loss is the squared leave-one-out error
        (``cv=None``, no scoring; spread over the samples) or the negated
        score (per fold; with a scoring and ``cv=None`` only the mean is
        known, the spread is NaN); one column per target with
        ``alpha_per_target``.  With ``store_cv_results=True`` it is instead
        scikit-learn's array of shape (n_samples, n_alphas) or (n_samples,
        n_targets, n_alphas): squared leave-one-out errors (no scoring) or
        leave-one-out predictions (with a scoring); ``plot_cv`` still works.
    path_ : PathResult
        Ridge's path on all the data over ``alphas`` (computed at first
        use; see ``coef_at``).
    coef_, intercept_, dual_gap_, n_features_in_, feature_names_in_
        As in :class:`Ridge`, at ``alpha_``; ``dual_gap_`` certifies the
        closed-form solution.

    See Also
    --------
    Ridge
    sklearn.linear_model.RidgeCV : The scikit-learn estimator it mirrors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklreg import RidgeCV
    >>> X, y = make_regression(n_samples=60, n_features=8, noise=100, random_state=0)
    >>> alphas = np.logspace(-3, 3, 13)
    >>> model = RidgeCV(alphas=alphas).fit(X, y)
    >>> bool(alphas.min() < model.alpha_ < alphas.max())
    True
    >>> bool(model.alpha_1se_ >= model.alpha_)
    True
    """

    _parameter_constraints = {
        "alphas": ["array-like", Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "cv": ["cv_object"],
        "gcv_mode": [StrOptions({"auto", "svd", "eigen"}), None],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
        "n_jobs": [Integral, None],
        "alpha_selection": [StrOptions({"min", "1se"})],
    }
    _column_y_as_1d = True
    _dense_order = None         # closed forms only: C-ordered X is not copied

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False,
                 alpha_per_target=False, n_jobs=None, alpha_selection="min"):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.n_jobs = n_jobs
        self.alpha_selection = alpha_selection

    def _k_fold_given(self):
        return self.cv is not None or getattr(self, "_fold_ids", None) is not None

    def _check_params(self, n_features):
        k_fold = self._k_fold_given()
        # leave-one-out needs alpha > 0 (scikit-learn's check and wording)
        alpha_values(self.alphas, "alphas", strictly_positive=not k_fold,
                     index_single=False)
        if k_fold and self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible "
                             "(fold_ids count as a cv)")
        if k_fold and self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible "
                             "(fold_ids count as a cv)")

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        alphas = alpha_values(self.alphas, "alphas", index_single=False)
        if self.gcv_mode == "svd" and sp.issparse(X) and not self._k_fold_given():
            warn_at_caller("The 'svd' mode is not supported for sparse X, we fallback to "
                          "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will "
                          "raise an error in 1.11, use the default or pass "
                          "`gcv_mode='eigen'` to suppress this warning.", FutureWarning)
        per_target = self.alpha_per_target and Y.shape[1] > 1
        if not self._k_fold_given():
            return self._leave_one_out(X, Y, sample_weight, alphas, per_target)
        return self._k_fold(X, Y, sample_weight, alphas)

    def _select(self, alphas, mean, per_target, n_targets, units=None):
        """Set alpha_min_, best_score_, alpha_1se_, alpha_ and cv_results_
        (``AlphaSelector``) from the mean scores (higher is better; shape
        (n_alphas,) or (n_alphas, n_targets)) and, when there are any, the
        scores per fold or sample (``units``, (n_alphas, n_units[, k])).
        Return the alpha of each target."""
        mean = np.asarray(mean, dtype=np.float64)
        losses = -(mean[:, None] if units is None else np.asarray(units, dtype=np.float64))
        warn_if_at_grid_edge(self, alphas, np.where(np.isnan(mean), np.inf, -mean))
        best = self._select_alpha(alphas, losses, splits=self._k_fold_given())
        self.best_score_ = mean[best, np.arange(n_targets)] if per_target else float(mean[best])
        if not per_target and self.alpha_per_target and self._y_ndim == 2:
            self.best_score_ = np.array([self.best_score_])     # scikit-learn's shape
        # store_cv_results replaces cv_results_ with scikit-learn's
        # per-sample array; plot_cv reads this copy
        self._cv_summary = self.cv_results_
        return np.broadcast_to(self.alpha_, (n_targets,))

    def _leave_one_out(self, X, Y, s, alphas, per_target):
        problem = RidgeProblem(X, Y, s, self.fit_intercept, tol=CV_TOL)
        sqrt_s = problem.centred.sqrt_s[:, None]
        k = Y.shape[1]
        single = self._y_ndim == 1
        score = None if self.scoring is None else prediction_scorer(self.scoring)
        # (n, n_alphas)-sized arrays are kept only as asked: at 30 alphas each
        # is a tenth of X at 4000 x 300
        keep = self.store_cv_results
        stored, per_sample, means = [], [], []
        for looe in problem.loo_residuals(alphas):              # (n, k) per alpha
            if score is None:
                squared = looe ** 2
                if keep:
                    stored.append(squared.copy())
                per_sample.append(np.negative(squared, out=squared) if per_target
                                  else -squared.mean(axis=1))
            else:
                pred = Y - np.divide(looe, sqrt_s, out=np.zeros_like(looe),
                                     where=sqrt_s > 0)
                if keep:
                    stored.append(pred)
                if per_target:
                    means.append([score(pred[:, j], Y[:, j], s) for j in range(k)])
                else:
                    means.append(score(pred[:, 0] if single else pred,
                                       Y[:, 0] if single else Y, s))
        units = np.array(per_sample) if score is None else None   # (n_alphas, n[, k])
        mean = units.mean(axis=1) if score is None else np.array(means)
        chosen = self._select(alphas, mean, per_target, k, units)
        if keep:
            results = np.moveaxis(np.array(stored), 0, -1)      # (n, k, n_alphas)
            self.cv_results_ = results[:, 0] if single else results
        return problem.spectral_results(chosen)

    def _k_fold(self, X, Y, s, alphas):
        score_fold = partial(_ridge_fold_scores, alphas, self.fit_intercept,
                             prediction_scorer(self.scoring), self._y_ndim == 1)
        scores = fold_scores(score_fold, X, Y, s, self.cv, fold_ids=self._fold_ids,
                             n_jobs=self.n_jobs, split_params=self._split_params).T
        chosen = self._select(alphas, scores.mean(axis=1), False, Y.shape[1], scores)
        return RidgeProblem(X, Y, s, self.fit_intercept, tol=CV_TOL).exact_results(chosen)

    def fit(self, X, y, sample_weight=None, fold_ids=None, check_input=True, **params):
        """Fit Ridge, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
        fold_ids : array-like of shape (n_samples,), default=None
            Fold number of each sample: k-fold cross-validation on those
            folds (overrides ``cv``).
        check_input : bool, default=True
            Accepted for compatibility; input is always checked.
        **params : dict
            With ``cv`` given, routed to its ``split`` (e.g. ``groups``) when
            scikit-learn's metadata routing is enabled
            (``sklearn.set_config(enable_metadata_routing=True)``);
            leave-one-out takes none.

        Returns
        -------
        self : object
        """
        if is_dask_collection(X, y, sample_weight, fold_ids):   # see sklreg._dask
            from sklreg._dask._cv import fit_ridge_cv
            return fit_ridge_cv(self, Ridge(fit_intercept=self.fit_intercept), X, y,
                                sample_weight, fold_ids, params)
        self._split_params = split_params(self, params, sample_weight)
        self._y_ndim = getattr(y, "ndim", None) or np.asarray(y).ndim
        self._fold_ids = fold_ids
        super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        self._keep_path(Ridge(fit_intercept=self.fit_intercept), X, y, sample_weight,
                        np.sort(np.atleast_1d(np.asarray(self.alphas, dtype=float)))[::-1])
        return self

    def _store_extra(self, results, single_target):
        self.n_iter_ = None

    def _cv_loss_label(self):
        if self.scoring is None and not self._k_fold_given():
            return "mean squared leave-one-out error"
        return "mean CV loss (negated score)"


def _ridge_fold_scores(alphas, fit_intercept, score, single, X_train, Y_train, s_train,
                       X_test, Y_test, s_test):
    """RidgeCV's scores of every alpha on one split: one decomposition of the
    training part serves them all.  A module function, so that process
    backends can pickle it."""
    problem = RidgeProblem(X_train, Y_train, s_train, fit_intercept, tol=CV_TOL)
    return problem.test_scores(alphas, X_test, Y_test, s_test, score, single)
