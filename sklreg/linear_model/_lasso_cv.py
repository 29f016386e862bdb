"""ElasticNetCV and LassoCV: alpha (and l1_ratio) chosen by cross-validation
along warm-started paths (``PathCV``), optionally with glmnet's relaxed fit."""
from numbers import Real

import numpy as np
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import Interval

from sklreg.linear_model._base_cv import CV_ATTRIBUTES_DOC, CV_PARAMETERS_DOC, PathCV
from sklreg.linear_model._lasso import ElasticNet, Lasso
from sklreg.linear_model._relax import (GAMMAS, RELAX_CV_ATTRIBUTES_DOC, RELAX_CV_DOC,
                                        store_relaxed, with_gammas)
from sklreg.model_selection import squared_error

_CV_INNER_PARAMETERS = """
    fit_intercept, precompute, max_iter, tol, copy_X, positive, random_state,
    selection, penalty_factor, lower_bounds, upper_bounds :
        As in :class:`ElasticNet`; used for every fold and for the refit.
"""


class ElasticNetCV(PathCV):
    __doc__ = f"""ElasticNet with alpha (and l1_ratio) chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.ElasticNetCV`: each fold fits
    one warm-started path over the alpha grid, the test folds score every
    alpha by mean squared error (``mse_path_``), and the model is refitted
    on all the data.  It adds the one-standard-error rule (``alpha_1se_``,
    ``alpha_selection``), any scikit-learn ``scoring``, explicit ``fold_ids``
    and ``penalty_factor``.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        The elastic-net mix, or several to choose from by cross-validation.
    {CV_PARAMETERS_DOC}{RELAX_CV_DOC}{_CV_INNER_PARAMETERS}
    Attributes
    ----------
    l1_ratio_ : float
        The chosen l1_ratio.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Test loss per alpha and fold (mean squared error unless ``scoring``).
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid; one row per l1_ratio when several are searched on
        automatic grids (each starts at its own alpha_max).
    {RELAX_CV_ATTRIBUTES_DOC}{CV_ATTRIBUTES_DOC}
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklreg import ElasticNetCV
    >>> X, y = make_regression(n_features=20, noise=4.0, random_state=0)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> model.alpha_1se_ >= model.alpha_min_
    True
    """

    _estimator_class = ElasticNet
    _parameter_constraints = {
        **PathCV._parameter_constraints,
        **{k: v for k, v in ElasticNet._parameter_constraints.items()
           if k not in ("alpha", "warm_start", "l1_ratio")},
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "relax": ["boolean"],
        "gammas": ["array-like"],
    }
    _cv_parameters = PathCV._cv_parameters + ("relax", "gammas")
    _loss = staticmethod(squared_error)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, scoring=None,
                 alpha_selection="min", store_cv_coefs=False, lower_bounds=None,
                 upper_bounds=None, relax=False, gammas=GAMMAS):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.store_cv_coefs = store_cv_coefs
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.relax = relax
        self.gammas = gammas

    def _search_grid(self):
        return with_gammas(self._l1_ratio_grid(), self.relax, self.gammas)

    def _l1_ratio_grid(self):
        ratios = np.atleast_1d(self.l1_ratio)
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty list of floats "
                             "in [0, 1]; got %r" % (self.l1_ratio,))
        for index, ratio in enumerate(ratios):
            check_scalar(ratio, f"l1_ratio[{index}]", Real, min_val=0.0, max_val=1.0)
        return [{"l1_ratio": float(r)} for r in ratios]

    def _store_search(self, searches, best):
        if self.relax:
            store_relaxed(self, searches, best)
        else:
            self._store_l1_ratio_search(searches, best)

    def _store_l1_ratio_search(self, searches, best):
        if "l1_ratio" in searches[best][0]:
            self.l1_ratio_ = searches[best][0]["l1_ratio"]
        several = len(searches) > 1 or np.ndim(self.l1_ratio) > 0
        paths = [losses for _, _, losses, _ in searches]
        grids = [grid for _, grid, _, _ in searches]
        self.mse_path_ = np.array(paths) if several else paths[0]
        # explicit alphas are one grid for every l1_ratio (scikit-learn's shape)
        explicit = np.ndim(self.alphas) > 0
        self.alphas_ = np.array(grids) if several and not explicit else grids[0]


class LassoCV(ElasticNetCV):
    __doc__ = f"""Lasso with alpha chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.LassoCV` (same grid, folds,
    ``mse_path_`` and refit), with the one-standard-error rule
    (``alpha_1se_``, ``alpha_selection``), any scikit-learn ``scoring``,
    explicit ``fold_ids`` and ``penalty_factor``.

    Parameters
    ----------
    {CV_PARAMETERS_DOC}{RELAX_CV_DOC}{_CV_INNER_PARAMETERS}
    Attributes
    ----------
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test loss per alpha and fold (mean squared error unless ``scoring``).
    {RELAX_CV_ATTRIBUTES_DOC}{CV_ATTRIBUTES_DOC}
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> model.alpha_1se_ >= model.alpha_
    True
    """

    _estimator_class = Lasso
    _parameter_constraints = {
        k: v for k, v in ElasticNetCV._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, cv=None,
                 verbose=False, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, scoring=None,
                 alpha_selection="min", store_cv_coefs=False, lower_bounds=None,
                 upper_bounds=None, relax=False, gammas=GAMMAS):
        super().__init__(
            l1_ratio=1.0, eps=eps, alphas=alphas, fit_intercept=fit_intercept,
            precompute=precompute, max_iter=max_iter, tol=tol, cv=cv, copy_X=copy_X,
            verbose=verbose, n_jobs=n_jobs, positive=positive,
            random_state=random_state, selection=selection,
            penalty_factor=penalty_factor, scoring=scoring,
            alpha_selection=alpha_selection, store_cv_coefs=store_cv_coefs,
            lower_bounds=lower_bounds, upper_bounds=upper_bounds, relax=relax,
            gammas=gammas)

    def _search_grid(self):
        return with_gammas([{}], self.relax, self.gammas)
