"""The one ``fit`` every sklreg estimator shares.

An estimator declares its parameters (``_parameter_constraints``), stores
them in ``__init__`` and says what problem it solves through
``_penalty(n_features)``; validation, the solver call, warm starts, several
targets, dtypes and the fitted attributes all happen here, once.
"""
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklreg._core._cd import LeastSquares
from sklreg._core._design import Design
from sklreg.solvers import solve_cd
from sklreg.utils.validation import check_penalty_factor, validate_params, validate_X_y


class PenalizedRegressor(RegressorMixin, BaseEstimator):
    """Base class: ``min_w datafit(y - Xw - b) + penalty(w)``.

    Subclasses define ``_parameter_constraints`` and ``_penalty``.
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "penalty_factor": ["array-like", None],
    }

    def _penalty(self, n_features):
        """Return the Python penalty object (see ``sklreg.penalties``)."""
        raise NotImplementedError

    def _check_params(self, n_features):
        """Estimator-specific checks that need n_features; returns nothing."""
        check_penalty_factor(self.penalty_factor, n_features)

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  Dense data is used in Fortran order and sparse
            data in CSC format; other layouts are converted once.  X is
            never modified, whatever ``copy_X`` says.
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
        X, y, s = validate_X_y(self, X, y, sample_weight)
        n_features = X.shape[1]
        self._check_params(n_features)
        penalty = self._penalty(n_features).compile(n_features)
        design = Design(X)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        W0 = self._warm_coef(Y.shape[1], n_features)
        seed = (check_random_state(self.random_state).randint(1, 2**31 - 1)
                if self.selection == "random" else 0)

        results = []
        for k in range(Y.shape[1]):
            datafit = LeastSquares(design, Y[:, k], s, W0[k], self.fit_intercept)
            result = solve_cd(datafit, penalty, W0[k].copy(), tol=self.tol,
                              max_iter=self.max_iter, seed=seed)
            result.warn_if_not_converged()
            results.append(result)

        coef = np.array([r.coef for r in results], dtype=X.dtype)
        intercept = np.array([r.intercept for r in results], dtype=X.dtype)
        if y.ndim == 1:
            self.coef_, self.intercept_ = coef[0], intercept[0]
            self.dual_gap_, self.n_iter_ = results[0].gap, results[0].n_iter
        else:
            self.coef_, self.intercept_ = coef, intercept
            self.dual_gap_ = np.array([r.gap for r in results])
            self.n_iter_ = [r.n_iter for r in results]
        if not self.fit_intercept:
            self.intercept_ = (np.zeros_like(intercept) if y.ndim == 2
                               else X.dtype.type(0.0))
        return self

    def _warm_coef(self, n_targets, n_features):
        """Starting coefficients, float64 of shape (n_targets, n_features)."""
        if self.warm_start and hasattr(self, "coef_"):
            W = np.asarray(self.coef_, dtype=np.float64).reshape(-1, n_features)
            if W.shape[0] == n_targets:
                return W.copy()
        return np.zeros((n_targets, n_features))

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_``."""
        return sp.csr_matrix(self.coef_)

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
        X = validate_data(self, X, accept_sparse=["csr", "csc", "coo"],
                          dtype=[np.float64, np.float32], reset=False)
        return X @ self.coef_.T + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags
