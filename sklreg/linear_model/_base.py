"""The one ``fit`` every sklreg estimator shares.

An estimator declares its parameters (``_parameter_constraints``), stores
them in ``__init__`` and says how one target is solved (``_solve``);
validation, warm starts, several targets, dtypes, convergence warnings and
the fitted attributes all happen here, once.
"""
import functools
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, column_or_1d

from sklreg.penalties import ElasticNetPenalty
from sklreg.utils._dask_input import is_dask_collection
from sklreg.utils._progress import fit_progress
from sklreg.utils.validation import check_bounds, validate_params, validate_X, validate_X_y


BOUNDS_CONSTRAINTS = {"lower_bounds": [Real, "array-like", None],
                      "upper_bounds": [Real, "array-like", None]}
BOUNDS_DOC = """    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Bounds on the coefficients (glmnet's ``lower.limits`` and
        ``upper.limits``; an sklreg addition): a scalar for every feature,
        or one per feature, ``-inf``/``inf`` for none; None means unbounded.
        A bound may exclude 0: that coefficient then sits at its bound
        nearest 0 from ``alpha_max`` on.  The duality gap accounts for them.
"""
FEATURES_IN_DOC = """    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
"""


def coefficient_bounds(estimator, n_features):
    """The estimator's ``(lower, upper)`` per feature, checked (a ValueError
    naming the parameter), with ``positive`` as ``lower = 0``; ``(None,
    None)`` when it sets none."""
    lower, upper = estimator.lower_bounds, estimator.upper_bounds
    if lower is None and upper is None:
        return None, None
    return check_bounds(lower, upper, n_features, getattr(estimator, "positive", False))


def fits_dask_data(fit):
    """Decorator of ``fit(self, X, y, sample_weight=None, ...)``: when X, y or
    sample_weight is a Dask collection, the estimator is fitted in one pass
    over it instead (``sklreg._dask``, imported only then)."""
    @functools.wraps(fit)
    def dispatched(self, X, y, sample_weight=None, *args, **kwargs):
        if is_dask_collection(X, y, sample_weight):
            from sklreg._dask._fit import fit as fit_dask
            return fit_dask(self, X, y, sample_weight)
        return fit(self, X, y, sample_weight, *args, **kwargs)
    return dispatched


class NullGradientAlphaMaxMixin:
    """``alpha_max`` of an elastic-net penalty from the datafit's gradient at
    the penalty's null point (0, or the bounds nearest 0).

    The estimator gives ``_gradient_at_null(X, y, s, null)`` (minus that
    gradient in w, with the best intercept) and ``_penalty_ridge`` (the
    L2 convention of ``ElasticNetPenalty``); ``l1_ratio``, ``positive``
    (when it has one) and the bounds are its parameters.
    """

    _penalty_ridge = 0.5

    def _alpha_max(self, X, y, s):
        """Smallest alpha with every coefficient zero (inf when l1_ratio=0)."""
        if self.l1_ratio == 0:
            return np.inf
        return self._alpha_max_at(self.l1_ratio, X, y, s)

    def _alpha_scale(self, X, y, s):
        """alpha_max of the pure L1 case."""
        return self._alpha_max_at(1.0, X, y, s)

    def _alpha_max_at(self, l1_ratio, X, y, s):
        penalty = self._unit_penalty(l1_ratio, X.shape[1])
        return penalty.alpha_max(self._gradient_at_null(X, y, s, penalty.null_point()))

    def _unit_penalty(self, l1_ratio, n_features):
        """The compiled penalty at alpha = 1, with this estimator's bounds."""
        return ElasticNetPenalty(1.0, l1_ratio, None, getattr(self, "positive", False),
                                 *coefficient_bounds(self, n_features),
                                 ridge=self._penalty_ridge).compile(n_features)


class LinearPredictMixin:
    """``predict`` for any fitted linear model with ``coef_`` and ``intercept_``."""

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        if is_dask_collection(X):           # lazy, block by block
            from sklreg._dask._fit import predict as predict_dask
            return predict_dask(self, X)
        X = validate_X(self, X)
        return X @ self.coef_.T + self.intercept_


class DaskPathMixin:
    """``regularization_path`` and ``alpha_max`` on Dask data, from the
    moments of one pass (``sklreg._dask``)."""

    def _dask_path(self, X, y, sample_weight=None, **kwargs):
        """``regularization_path`` on Dask data (see ``sklreg._dask``)."""
        from sklreg._dask._fit import path
        return path(self, X, y, sample_weight=sample_weight, **kwargs)

    def _dask_alpha_max(self, X, y, sample_weight=None):
        """``alpha_max`` on Dask data (see ``sklreg._dask``)."""
        from sklreg._dask._fit import alpha_max
        return alpha_max(self, X, y, sample_weight)


class SparseCoefMixin:
    """``sparse_coef_`` and the tags of a linear model fitted on dense or
    sparse X, one target or several."""

    @property
    def sparse_coef_(self):
        """``coef_`` as a sparse matrix."""
        return sp.csr_matrix(self.coef_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags


class PenalizedRegressor(DaskPathMixin, SparseCoefMixin, LinearPredictMixin, RegressorMixin,
                         BaseEstimator):
    """Base class: ``min_{w, b} datafit(y - Xw - b) + penalty(w)``.

    A subclass declares ``_parameter_constraints``, stores its arguments in
    ``__init__`` and implements ``_solve`` (one target) -- or
    ``_solve_targets`` when all targets share work, as one factorisation
    does.  It may extend ``_check_params`` (checks that need n_features) and
    ``_store_extra`` (fitted attributes beyond the common ones).
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # True where scikit-learn's namesake takes a single target: y of shape
    # (n, 1) is then raveled with its DataConversionWarning (coef_ of shape
    # (p,)); several columns remain several targets
    _column_y_is_1d = False

    def _solve(self, X, y, sample_weight, coef_init):
        """Fit one target; return a ``sklreg.solvers.SolverResult``."""
        raise NotImplementedError

    # True where _solve_targets calls check_finite_X itself when its first
    # pass over X meets a non-finite value (one pass over X saved)
    _solver_checks_finite = False
    # True where scikit-learn's namesake fits a y of shape (n, 1) as one
    # target: coef_ of shape (n_features,), predictions of shape (n,)
    _column_y_as_1d = False

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        """Fit every column of Y; return one SolverResult per target."""
        return [self._solve(X, Y[:, k], sample_weight, coef_init[k])
                for k in range(Y.shape[1])]

    def _check_params(self, n_features):
        """Checks that need n_features; raise ValueError naming the parameter."""

    def _store_extra(self, results, single_target):
        """Set fitted attributes beyond coef_, intercept_, dual_gap_, n_iter_."""

    @fits_dask_data
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  Dense data is used in Fortran order and sparse
            data in CSC format; other layouts are converted once.  X is
            never modified, whatever ``copy_X`` says.  Least-squares
            estimators also take a Dask array or DataFrame (fitted from
            statistics reduced in one pass; see the user guide).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values; several targets are fitted independently.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, at least one positive.
        check_input : bool, default=True
            Accepted for scikit-learn compatibility; input is always checked.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        validate_params(self)
        X, y, s = validate_X_y(self, X, y, sample_weight,
                               finite_X=not self._solver_checks_finite)
        if self._column_y_is_1d and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        n_features = X.shape[1]
        self._check_params(n_features)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        # Ridge has no verbose: it reports under an enclosing fit's setting
        with fit_progress(getattr(self, "verbose", 0), type(self).__name__):
            results = self._solve_targets(X, Y, s, self._warm_coef(Y.shape[1], n_features))
        for result in results:
            result.warn_if_not_converged(alpha=getattr(self, "alpha", None))

        # a column y is one target; scikit-learn's ElasticNet then still
        # returns intercept_ of shape (1,), the others their own shapes
        single = y.ndim == 1 or (self._column_y_as_1d and y.shape[1] == 1)
        coef = np.array([r.coef for r in results], dtype=X.dtype)
        intercept = np.array([r.intercept if self.fit_intercept else 0.0
                              for r in results], dtype=X.dtype)
        self.coef_ = coef[0] if single else coef
        self.intercept_ = intercept[0] if y.ndim == 1 else intercept
        self.dual_gap_ = results[0].gap if single else np.array([r.gap for r in results])
        self.n_iter_ = results[0].n_iter if single else [r.n_iter for r in results]
        self._store_extra(results, single)
        return self

    def _warm_coef(self, n_targets, n_features):
        """Starting coefficients, float64 of shape (n_targets, n_features)."""
        if getattr(self, "warm_start", False) and hasattr(self, "coef_"):
            W = np.asarray(self.coef_, dtype=np.float64)
            # coefficients of other data (other features or targets): cold start
            if W.size == n_targets * n_features:
                return W.reshape(n_targets, n_features).copy()
        return np.zeros((n_targets, n_features))
