"""HuberRegressor: robust regression with Owen's joint scale."""
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from sklreg._core._design import Design
from sklreg.linear_model._base import (BOUNDS_CONSTRAINTS, BOUNDS_DOC, FEATURES_IN_DOC,
                                        NullGradientAlphaMaxMixin, PenalizedRegressor,
                                        coefficient_bounds)
from sklreg.linear_model._base_cv import CV_ATTRIBUTES_DOC, CV_PARAMETERS_DOC, PathCV
from sklreg.losses import HuberLoss
from sklreg.penalties import ElasticNetPenalty
from sklreg.solvers.huber import HuberProblem, fit_at_zero, huber_path, solve_huber
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils.stats import weighted_quantile


class HuberRegressor(NullGradientAlphaMaxMixin, PenalizedRegressor):
    __doc__ = f"""Linear regression with the Huber loss and a jointly estimated scale.

    Minimises, jointly over the coefficients ``w``, the intercept ``b`` and
    the scale ``sigma > 0``, exactly as
    :class:`sklearn.linear_model.HuberRegressor` when ``l1_ratio=0``::

        sum_i s_i (sigma + sigma * H(r_i / sigma))
        + alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) * ||w||_2**2)

    with ``r = y - X w - b``, ``s`` the sample weights and
    ``H(z) = z**2`` for ``|z| <= epsilon``, ``2 epsilon |z| - epsilon**2``
    beyond.  The sum over samples is *not* divided by their number and the
    ridge part is ``alpha ||w||**2`` (not ``alpha / 2``), as in scikit-learn.
    Samples with ``|r_i| > epsilon * sigma`` are the outliers.

    With a smooth penalty, dense X and few features the solver is a damped
    Newton method on (w, b, sigma); otherwise exact scale updates alternate
    with weighted least-squares majorisers solved by working-set coordinate
    descent.  Both stop on a certified duality gap.

    Parameters
    ----------
    epsilon : float, default=1.35
        Threshold of the Huber function, at least 1.  Smaller is more robust.
    max_iter : int, default=100
        Maximum number of outer iterations (Newton steps, or scale +
        majoriser steps).
    alpha : float, default=0.0001
        Penalty strength, non-negative.
    l1_ratio : float, default=0.0
        Mix of the penalty in [0, 1]; 0 is scikit-learn's ridge penalty
        ``alpha ||w||**2``, 1 the lasso penalty ``alpha ||w||_1``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting (the intercept and
        scale are re-estimated from it).
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.  X is never centred.
    tol : float, default=1e-05
        Converged when the duality gap is at most ``tol * P(0)``, ``P(0)``
        being the objective at ``w = 0`` with the best intercept and scale:
        the objective is then within that amount of its minimum
        (scikit-learn's ``tol`` bounds the projected gradient instead).
        With a smooth penalty and ``n_features <= n_samples / 2`` (on dense
        X, or on a dense copy of a small sparse X: ``n_samples *
        n_features**2 <= 1e7``), a converged fit takes Newton steps towards
        a gap of ``tol**2 * P(0)`` (within ``max_iter``, for at most as many
        iterations again), so that it is as accurate as scikit-learn's at
        the same ``tol``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
{BOUNDS_DOC}    verbose : int, default=0
        Progress on stdout for long fits (an sklreg addition): at 1, about a
        line a second once the fit has run for a second (the outer iteration,
        the certificate against its target, the working set's size and the
        non-zeros); at 2, a line per outer iteration.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients, in the dtype of X.
    intercept_ : float
        Independent term.
    scale_ : float
        The fitted scale ``sigma``.
    outliers_ : ndarray of shape (n_samples,), bool
        True for the training samples with ``|r_i| > epsilon * scale_``.
    dual_gap_ : float
        Duality gap of the joint problem at the returned solution: the
        objective is within this of its minimum.  Built from the Fenchel
        dual of the scale-minimised datafit (see ``sklreg.solvers.huber``);
        an unpenalised feature (``alpha=0``) adds a KKT term that vanishes
        iff its partial derivative does.
    n_iter_ : int
        Outer iterations run.
{FEATURES_IN_DOC}
    See Also
    --------
    sklearn.linear_model.HuberRegressor : The scikit-learn estimator it mirrors.
    HuberRegressorCV : alpha chosen by cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import HuberRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.standard_normal(200)
    >>> y[:20] += 50.0                          # gross outliers
    >>> model = HuberRegressor().fit(X, y)
    >>> np.round(model.coef_, 1)
    array([ 1.,  2., -1.])
    >>> bool(model.outliers_[:20].all())
    True
    """

    _dask_fit = "huber"         # Dask data: Newton's passes (sklreg._dask._huber)
    _penalty_ridge = 1.0        # alpha (rho |w|_1 + (1 - rho) |w|^2), as scikit-learn's

    _parameter_constraints = {
        **PenalizedRegressor._parameter_constraints,
        "epsilon": [Interval(Real, 1.0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "positive": ["boolean"],
        **BOUNDS_CONSTRAINTS,
    }

    def __init__(self, *, epsilon=1.35, max_iter=100, alpha=0.0001, l1_ratio=0.0,
                 warm_start=False, fit_intercept=True, tol=1e-05, positive=False,
                 verbose=0, lower_bounds=None, upper_bounds=None):
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.positive = positive
        self.verbose = verbose
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _check_params(self, n_features):
        coefficient_bounds(self, n_features)

    def _penalty_at(self, alpha, n_features):
        """(l1, l2): alpha (rho |w|_1 + (1 - rho) |w|^2) written as
        sum_j l1_j |w_j| + l2_j / 2 w_j^2."""
        return ElasticNetPenalty(alpha, self.l1_ratio, ridge=self._penalty_ridge).compile(
            n_features).weights()

    def _huber_problem(self, X, y, sample_weight):
        l1, l2 = self._penalty_at(self.alpha, X.shape[1])
        lower, upper = coefficient_bounds(self, X.shape[1])
        return HuberProblem(X, Design(X), y, sample_weight, self.epsilon, l1, l2,
                            self.positive, self.fit_intercept,
                            bounds=None if lower is None else (lower, upper))

    def _start(self, coef_init, n_features):
        """The starting coefficients, moved into their bounds."""
        w = (np.zeros(n_features) if coef_init is None
             else np.asarray(coef_init, dtype=np.float64))
        lower, upper = coefficient_bounds(self, n_features)
        return w if lower is None else np.clip(w, lower, upper)

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        with single_threaded_blas():
            problem = self._huber_problem(X, Y[:, 0], sample_weight)
            return [solve_huber(problem, self._start(coef_init[0], X.shape[1]),
                                tol=self.tol, max_iter=self.max_iter)]

    def _solve_path(self, X, y, sample_weight, alphas, coef_init):
        """One SolverResult per alpha of the decreasing grid ``alphas`` (X, y,
        sample_weight validated), each warm-started from the previous one
        (coefficients, intercept and scale) and sharing P(0) and the Newton
        Hessian's Gram (see ``sklreg.solvers.huber.huber_path``)."""
        p = X.shape[1]
        w = self._start(coef_init, p)
        with single_threaded_blas():
            problem = self._huber_problem(X, y, sample_weight)
        return huber_path(problem, [self._penalty_at(a, p) for a in alphas], w,
                          tol=self.tol, max_iter=self.max_iter)

    def _store_extra(self, results, single_target):
        result = results[0]
        self.scale_ = float(result.scale)
        # the residual y - X coef - intercept the certificate was computed on
        self.outliers_ = np.abs(result.residual) > self.scale_ * self.epsilon

    def _gradient_at_null(self, X, y, s, null):
        """Minus the datafit's gradient in w at w = ``null`` (the penalty's
        null point: 0, or the bounds nearest 0) with the best intercept b
        and scale sigma: ``sum_i s_i x_ij H'(r_i / sigma)``."""
        if np.any(null):
            y = y - np.asarray(X @ null).ravel()
        fit = fit_at_zero(y, s, self.epsilon, self.fit_intercept)
        psi = HuberLoss(self.epsilon, fit.scale).derivative(y - fit.intercept)
        if s is not None:
            psi = psi * s
        if self.fit_intercept:
            # sum(psi) is zero at the best intercept up to the null fit's
            # tolerance; times a column's large mean, that would dominate
            weight = np.ones_like(psi) if s is None else s
            psi -= weight * (psi.sum() / weight.sum())
        return np.asarray(X.T @ psi).ravel()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


class HuberRegressorCV(PathCV):
    __doc__ = f"""HuberRegressor with alpha chosen by cross-validation.

    scikit-learn has no such estimator (users fall back on a GridSearchCV
    that refits from scratch at every alpha).  Each fold fits one
    warm-started path; the test folds score every alpha by the mean Huber
    loss of the residuals, at the robust scale ``1.4826 * MAD`` of those
    residuals (so the score does not depend on the fold's fitted scale;
    the mean absolute residual when most residuals are zero),
    unless ``scoring`` is given.  The grid starts at ``alpha_max`` (for
    ``l1_ratio=0``, which never zeroes every coefficient, at the alpha_max
    of the L1 penalty).

    Parameters
    ----------
    epsilon, l1_ratio, max_iter, fit_intercept, tol, positive, lower_bounds, upper_bounds :
        As in :class:`HuberRegressor`; used for every fold and the refit.
    {CV_PARAMETERS_DOC}
    Attributes
    ----------
    loss_path_ : ndarray of shape (n_alphas, n_folds)
        Test loss per alpha and fold.
    scale_, outliers_ :
        Those of ``estimator_``.
    {CV_ATTRIBUTES_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import HuberRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + rng.standard_normal(200)
    >>> y[:10] += 40.0                          # gross outliers
    >>> model = HuberRegressorCV(l1_ratio=1.0, cv=5, alphas=20).fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_ and model.outliers_[:10].all())
    True
    """

    _estimator_class = HuberRegressor
    _parameter_constraints = {
        **PathCV._parameter_constraints,
        **{k: v for k, v in HuberRegressor._parameter_constraints.items()
           if k not in ("alpha", "warm_start")},
    }

    def __init__(self, *, epsilon=1.35, l1_ratio=0.0, eps=1e-3, alphas=100,
                 fit_intercept=True, max_iter=100, tol=1e-5, positive=False, cv=None,
                 scoring=None, alpha_selection="min", n_jobs=None, verbose=False,
                 store_cv_coefs=False, lower_bounds=None, upper_bounds=None):
        self.epsilon = epsilon
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.cv = cv
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.store_cv_coefs = store_cv_coefs
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _loss(self, y_true, y_pred, sample_weight):
        r = y_true - y_pred
        s = sample_weight
        scale = 1.4826 * weighted_quantile(np.abs(r - weighted_quantile(r, s, 0.5)), s, 0.5)
        if scale <= 0:                      # most residuals exactly zero
            scale = np.mean(np.abs(r))
            if scale <= 0:
                return 0.0
        return float(HuberLoss(self.epsilon, scale).value(r, sample_weight))
