"""HuberRegressor: robust regression with Owen's joint scale."""
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from sklreg._core._design import Design
from sklreg.linear_model._base import PenalizedRegressor
from sklreg.solvers._huber import HuberProblem, one_blas_thread, solve_huber


class HuberRegressor(PenalizedRegressor):
    """Linear regression with the Huber loss and a jointly estimated scale.

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
        Stop when the duality gap is at most ``tol * P(0)``, ``P(0)`` being
        the objective at ``w = 0`` with the best intercept and scale.  The
        objective is then within that amount of its minimum (scikit-learn's
        ``tol`` bounds the projected gradient instead).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

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
        dual of the scale-minimised datafit (see ``sklreg.solvers._huber``);
        an unpenalised feature (``alpha=0``) adds a KKT term that vanishes
        iff its partial derivative does.
    n_iter_ : int
        Outer iterations run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.linear_model.HuberRegressor : The scikit-learn estimator it mirrors.

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

    _parameter_constraints = {
        **PenalizedRegressor._parameter_constraints,
        "epsilon": [Interval(Real, 1.0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "positive": ["boolean"],
    }

    def __init__(self, *, epsilon=1.35, max_iter=100, alpha=0.0001, l1_ratio=0.0,
                 warm_start=False, fit_intercept=True, tol=1e-05, positive=False):
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.positive = positive

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        p = X.shape[1]
        # alpha (rho |w|_1 + (1 - rho) |w|^2) as sum_j l1 |w_j| + l2 / 2 w_j^2
        l1 = np.full(p, self.alpha * self.l1_ratio)
        l2 = np.full(p, 2.0 * self.alpha * (1.0 - self.l1_ratio))
        with one_blas_thread():
            self._problem = HuberProblem(X, Design(X), Y[:, 0], sample_weight,
                                         self.epsilon, l1, l2, self.positive,
                                         self.fit_intercept)
            return [solve_huber(self._problem, coef_init[0], tol=self.tol,
                                max_iter=self.max_iter)]

    def _store_extra(self, results, single_target):
        problem, result = self._problem, results[0]
        del self._problem
        self.scale_ = float(result.scale)
        b = result.intercept if self.fit_intercept else 0.0
        r = problem.residual(np.asarray(result.coef, dtype=np.float64), b)
        self.outliers_ = np.abs(r) > self.scale_ * self.epsilon

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags
