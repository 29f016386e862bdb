"""Multi-task elastic net and lasso: one support shared by every task.

Minimises, exactly as scikit-learn's ``MultiTaskElasticNet``::

    1 / (2 n_w) * sum_i s_i |Y_i - x_i W^T - b|^2
    + alpha * l1_ratio * sum_j |W[:, j]|_2 + alpha * (1 - l1_ratio) / 2 * |W|_F^2

by block coordinate descent over the features (``sklreg._core._multitask``),
stopping on a certified duality gap, as the single-task estimators do.
"""
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg.linear_model._base import (DaskPathMixin, LinearPredictMixin, SparseCoefMixin,
                                        fits_dask_data)
from sklreg.linear_model._multitask_problem import MultiTaskProblem
from sklreg.path import PathResult, collect_results
from sklreg.utils.validation import check_penalty_factor, validate_params, validate_X_y


class MultiTaskElasticNet(MultiOutputMixin, DaskPathMixin, SparseCoefMixin, LinearPredictMixin,
                          RegressorMixin, BaseEstimator):
    """Multi-task elastic net: an L2,1 penalty selects the same features for
    every task.

    Minimises, exactly as :class:`sklearn.linear_model.MultiTaskElasticNet`::

        1 / (2 * n_w) * sum_i s_i |Y_i - x_i W^T - b|^2
        + alpha * l1_ratio * sum_j |W[:, j]|_2
        + alpha * (1 - l1_ratio) / 2 * |W|_F^2

    where ``s`` are the sample weights and ``n_w`` their sum.  Solved by
    block coordinate descent (dense or sparse X, float32 or float64),
    stopping on a certified duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, non-negative.
    l1_ratio : float, default=0.5
        Mix of the penalty in [0, 1]: 1 is the multi-task lasso.
    fit_intercept : bool, default=True
        Whether to fit one intercept per task.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility; X is never modified.
    max_iter : int, default=1000
        Maximum number of passes over the features.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)``, P(0) the
        objective at ``W = 0`` with the best intercepts: a certificate.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    random_state : int, RandomState instance or None, default=None
        Seed of the feature order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the features in each pass.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature multipliers of the penalty (glmnet's
        ``penalty.factor``): feature j's row is penalised by
        ``alpha * pf_j * (l1_ratio |W[:, j]|_2 + (1 - l1_ratio) / 2 |W[:, j]|_2^2)``;
        0 leaves it unpenalised.  None means all ones, scikit-learn's
        objective.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients, in the dtype of X.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    dual_gap_ : float
        The certified duality gap at the solution.
    eps_ : float
        The absolute gap target, ``tol * P(0)``.
    n_iter_ : int
        Passes over the features.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    MultiTaskLasso : ``l1_ratio=1``.
    ElasticNet : One task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import MultiTaskElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = X[:, :3] @ rng.standard_normal((3, 4)) + 0.1 * rng.standard_normal((100, 4))
    >>> model = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.9).fit(X, Y)
    >>> model.coef_.shape
    (4, 30)
    >>> np.flatnonzero(np.linalg.norm(model.coef_, axis=0)).tolist()
    [0, 1, 2]
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "penalty_factor": ["array-like", None],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic", penalty_factor=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    @fits_dask_data
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; never modified.
        y : array-like of shape (n_samples, n_tasks)
            Targets; a 1-D y is an error (use :class:`ElasticNet`).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, at least one positive.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        validate_params(self)
        X, Y, s = validate_X_y(self, X, y, sample_weight)
        problem = MultiTaskProblem(self, X, self._check_target(Y), s)
        result = problem.solve(self.alpha, self._start(*problem.shape))
        result.warn_if_not_converged(self.alpha)
        self.coef_ = np.ascontiguousarray(result.coef.T).astype(X.dtype, copy=False)
        self.intercept_ = result.intercept.astype(X.dtype, copy=False)
        self.dual_gap_ = float(result.gap)
        self.eps_ = float(result.tol_abs)
        self.n_iter_ = result.n_iter
        return self

    _multi_task = True      # y is (n_samples, n_tasks), one certificate for all tasks
    _dask_moments = True    # Dask data: fitted from its moments (sklreg._dask)

    def _check_target(self, Y):
        if Y.ndim == 1:
            raise ValueError(f"For mono-task outputs, use {type(self).__name__[9:]}: "
                             "y must be 2-D, of shape (n_samples, n_tasks)")
        return Y

    def _check_params(self, n_features):
        """``penalty_factor`` against n_features (the path and CV machinery
        ask before any work)."""
        check_penalty_factor(self.penalty_factor, n_features)

    def _alpha_max(self, X, y, s):
        """Smallest alpha at which W = 0 (``inf`` without an L1 part)."""
        return MultiTaskProblem(self, X, self._check_target(y), s).alpha_max()

    def _path(self, X, y, s, grid, coef_init):
        """The warm-started path over ``grid`` (see ``regularization_path``):
        the data are prepared once, and each alpha starts from the previous
        solution and its residual."""
        problem = MultiTaskProblem(self, X, self._check_target(y), s)
        W = (np.zeros(problem.shape) if coef_init is None
             else np.array(coef_init.reshape(problem.shape[::-1]).T, order="C"))
        results = []
        for alpha in grid:
            results.append(problem.solve(alpha, W))
            W = None                            # from here on: where the last solve ended
        for res in results:
            res.coef = res.coef.T
        rows = collect_results(grid, results, announce=True)
        coefs, intercepts, gaps, n_iters = (np.array([row[i] for row in rows])
                                            for i in range(4))
        return PathResult(alphas=np.asarray(grid), coefs=coefs.astype(X.dtype),
                          intercepts=intercepts.astype(X.dtype), dual_gaps=gaps.astype(float),
                          n_iters=n_iters.astype(int))

    def _start(self, p, n_tasks):
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (n_tasks, p):
            return np.array(self.coef_.T, dtype=np.float64, order="C")
        return np.zeros((p, n_tasks))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = False
        return tags


class MultiTaskLasso(MultiTaskElasticNet):
    """Multi-task lasso: an L2,1 penalty selects the same features for every
    task.

    Minimises, exactly as :class:`sklearn.linear_model.MultiTaskLasso`::

        1 / (2 * n_w) * sum_i s_i |Y_i - x_i W^T - b|^2 + alpha * sum_j |W[:, j]|_2

    by block coordinate descent, stopping on a certified duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, non-negative.
    fit_intercept, copy_X, max_iter, tol, warm_start, random_state, selection, penalty_factor :
        As in :class:`MultiTaskElasticNet`.

    Attributes
    ----------
    coef_, intercept_, dual_gap_, eps_, n_iter_, n_features_in_, feature_names_in_ :
        As in :class:`MultiTaskElasticNet`.

    See Also
    --------
    MultiTaskElasticNet : Adds an L2 part to the penalty.
    Lasso : One task.

    Examples
    --------
    >>> from sklreg import MultiTaskLasso
    >>> model = MultiTaskLasso(alpha=0.1).fit([[0, 1], [1, 2], [2, 4]], [[0, 0], [1, 1], [2, 3]])
    >>> model.coef_.round(2)
    array([[0.  , 0.61],
           [0.  , 0.95]])
    """

    _parameter_constraints = {k: v for k, v in MultiTaskElasticNet._parameter_constraints.items()
                              if k != "l1_ratio"}

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, random_state=None, selection="cyclic",
                 penalty_factor=None):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         copy_X=copy_X, max_iter=max_iter, tol=tol, warm_start=warm_start,
                         random_state=random_state, selection=selection,
                         penalty_factor=penalty_factor)
