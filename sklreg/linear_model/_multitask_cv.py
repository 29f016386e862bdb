"""MultiTaskElasticNetCV and MultiTaskLassoCV: the multi-task estimators with
alpha (and l1_ratio) chosen by cross-validation, on the shared ``PathCV``."""
from numbers import Real

from sklearn.base import MultiOutputMixin
from sklearn.utils._param_validation import Interval

from sklreg.linear_model._base_cv import CV_ATTRIBUTES_DOC, CV_PARAMETERS_DOC, PathCV
from sklreg.linear_model._lasso_cv import ElasticNetCV
from sklreg.linear_model._multitask import MultiTaskElasticNet, MultiTaskLasso
from sklreg.model_selection import squared_error

_INNER_PARAMETERS = """
    fit_intercept, max_iter, tol, copy_X, random_state, selection, penalty_factor :
        As in :class:`MultiTaskElasticNet`; used for every fold and for the
        refit.
"""

_MULTI_TASK_NOTES = """
    Notes
    -----
    The fold loss is scikit-learn's: the mean over the tasks of each task's
    (weighted) mean squared error on the test fold.  ``cv_coefs_`` holds
    arrays of shape (n_alphas, n_tasks, n_features), ``path_`` one duality
    gap per alpha (the tasks form one problem).  On Dask data every fold's
    moments come from one pass (see the user guide).
"""


class MultiTaskElasticNetCV(MultiOutputMixin, PathCV):
    __doc__ = f"""MultiTaskElasticNet with alpha (and l1_ratio) chosen by
    cross-validation.

    A drop-in for :class:`sklearn.linear_model.MultiTaskElasticNetCV`: each
    fold fits one warm-started path over the alpha grid (block coordinate
    descent, certified at every alpha), the test folds score every alpha
    (``mse_path_``), and the model is refitted on all the data.  It adds the
    one-standard-error rule (``alpha_1se_``, ``alpha_selection``), any
    scikit-learn ``scoring``, explicit ``fold_ids``, ``path_`` and
    ``coef_at``.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        The mix of the penalty, or several to choose from by
        cross-validation.  An automatic grid needs ``l1_ratio > 0``.
    {CV_PARAMETERS_DOC}{_INNER_PARAMETERS}
    Attributes
    ----------
    l1_ratio_ : float
        The chosen l1_ratio.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Test loss per alpha and fold (mean squared error over the tasks
        unless ``scoring``).
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid; one row per l1_ratio when several are searched on
        automatic grids.
    {CV_ATTRIBUTES_DOC}{_MULTI_TASK_NOTES}
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import MultiTaskElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = X[:, :3] @ rng.standard_normal((3, 4)) + 0.5 * rng.standard_normal((100, 4))
    >>> model = MultiTaskElasticNetCV(l1_ratio=[0.5, 0.9], cv=5).fit(X, Y)
    >>> model.coef_.shape
    (4, 30)
    >>> bool(model.alpha_1se_ >= model.alpha_min_)
    True
    """

    _estimator_class = MultiTaskElasticNet
    _parameter_constraints = {
        **PathCV._parameter_constraints,
        **{k: v for k, v in MultiTaskElasticNet._parameter_constraints.items()
           if k not in ("alpha", "warm_start", "l1_ratio")},
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }
    _loss = staticmethod(squared_error)
    _search_grid = ElasticNetCV._l1_ratio_grid
    _store_search = ElasticNetCV._store_l1_ratio_search

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None,
                 random_state=None, selection="cyclic", scoring=None,
                 alpha_selection="min", store_cv_coefs=False, penalty_factor=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.store_cv_coefs = store_cv_coefs
        self.penalty_factor = penalty_factor

    def _check_target(self, y):
        if y.ndim == 1:
            raise ValueError(f"For mono-task outputs, use {type(self).__name__[9:]}: "
                             "y must be 2-D, of shape (n_samples, n_tasks)")
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLassoCV(MultiTaskElasticNetCV):
    __doc__ = f"""MultiTaskLasso with alpha chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.MultiTaskLassoCV` (same grid,
    folds, ``mse_path_`` and refit), with the one-standard-error rule
    (``alpha_1se_``, ``alpha_selection``), any scikit-learn ``scoring`` and
    explicit ``fold_ids``.

    Parameters
    ----------
    {CV_PARAMETERS_DOC}{_INNER_PARAMETERS}
    Attributes
    ----------
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test loss per alpha and fold (mean squared error over the tasks
        unless ``scoring``).
    {CV_ATTRIBUTES_DOC}{_MULTI_TASK_NOTES}
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import MultiTaskLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = X[:, :3] @ rng.standard_normal((3, 4)) + 0.5 * rng.standard_normal((100, 4))
    >>> model = MultiTaskLassoCV(cv=5).fit(X, Y)
    >>> np.flatnonzero(np.linalg.norm(model.coef_, axis=0))[:3].tolist()
    [0, 1, 2]
    """

    _estimator_class = MultiTaskLasso
    _parameter_constraints = {k: v for k, v in MultiTaskElasticNetCV._parameter_constraints.items()
                              if k != "l1_ratio"}

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000, tol=1e-4,
                 copy_X=True, cv=None, verbose=False, n_jobs=None, random_state=None,
                 selection="cyclic", scoring=None, alpha_selection="min",
                 store_cv_coefs=False, penalty_factor=None):
        super().__init__(
            l1_ratio=1.0, eps=eps, alphas=alphas, fit_intercept=fit_intercept,
            max_iter=max_iter, tol=tol, cv=cv, copy_X=copy_X, verbose=verbose,
            n_jobs=n_jobs, random_state=random_state, selection=selection,
            scoring=scoring, alpha_selection=alpha_selection,
            store_cv_coefs=store_cv_coefs, penalty_factor=penalty_factor)

    def _search_grid(self):
        return [{}]
