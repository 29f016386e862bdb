"""Multi-task elastic net and lasso: one support shared by every task.

Minimises, exactly as scikit-learn's ``MultiTaskElasticNet``::

    1 / (2 n_w) * sum_i s_i |Y_i - x_i W^T - b|^2
    + alpha * l1_ratio * sum_j |W[:, j]|_2 + alpha * (1 - l1_ratio) / 2 * |W|_F^2

by block coordinate descent over the features (``sklreg._core._multitask``),
stopping on a certified duality gap, as the single-task estimators do.
"""
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg._core._design import Design
from sklreg._core._multitask import block_epochs, column_spreads, gradients
from sklreg.linear_model._base import LinearPredictMixin
from sklreg.path import _check_coef_init, _check_grid, alpha_grid
from sklreg.solvers._base import SolverResult, gap_target
from sklreg.utils.validation import validate_params, validate_X_y

CHECK_EVERY = 5     # epochs between two duality-gap checks (a check costs half an epoch)


def multitask_gap(R, G, W, s, n_w, l1, l2):
    """Duality gap and primal objective at W, residual R = Yc - Xc W and
    G = Xc^T S R / n_w, at the dual point kappa * S R / n_w.

    Written as non-negative terms (no difference of two O(P(0)) numbers)::

        (1 - kappa)^2 |R|_s^2 / (2 n_w)
        + sum_j [Omega_j(W_j) + Omega_j^*(kappa G_j) - kappa G_j . W_j]

    kappa in (0, 1] keeps kappa G_j in the domain of Omega_j^* (|.| <= l1_j)
    for the rows without an L2 part.
    """
    rows = np.sqrt(np.einsum("jt,jt->j", G, G))
    w_norms = np.sqrt(np.einsum("jt,jt->j", W, W))
    hard = (l2 == 0) & (rows > l1)
    kappa = float(np.min(l1[hard] / rows[hard], initial=1.0))
    V = kappa * G
    v_norms = kappa * rows
    with np.errstate(divide="ignore", invalid="ignore"):
        clip = np.where(v_norms > l1, l1 / v_norms, 1.0)
        Z = V * ((1 - clip) / np.where(l2 > 0, l2, np.inf))[:, None]   # 0 without L2
    C = V * clip[:, None]
    fenchel_young = (0.5 * l2 * np.einsum("jt,jt->j", W - Z, W - Z)
                     + l1 * w_norms - np.einsum("jt,jt->j", W, C))
    weights = 1.0 if s is None else s[:, None]
    datafit = float(np.sum(weights * R * R)) / (2 * n_w)
    primal = datafit + float(np.sum(l1 * w_norms + 0.5 * l2 * w_norms ** 2))
    gap = (1 - kappa) ** 2 * datafit + float(np.sum(np.maximum(fenchel_young, 0.0)))
    return gap, primal


class MultiTaskElasticNet(MultiOutputMixin, LinearPredictMixin, RegressorMixin, BaseEstimator):
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
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic"):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection

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
        if Y.ndim == 1:
            raise ValueError(f"For mono-task outputs, use {type(self).__name__[9:]}: "
                             "y must be 2-D, of shape (n_samples, n_tasks)")
        n, p = X.shape
        n_tasks = Y.shape[1]
        n_w = float(n if s is None else s.sum())
        mu, y_mean = self._means(X, Y, s, n_w)
        Yc = np.asfortranarray(Y - y_mean)
        design = Design(X)
        lipschitz = column_spreads(design, mu, s) / n_w
        l1 = np.full(p, self.alpha * self.l1_ratio)
        l2 = np.full(p, self.alpha * (1 - self.l1_ratio))
        weights = 1.0 if s is None else s[:, None]
        p0 = float(np.sum(weights * Yc * Yc)) / (2 * n_w)
        tol_abs = gap_target(self.tol, p0)

        W = self._start(p, n_tasks)
        R = Yc.copy(order="F")
        if W.any():
            R -= X @ W - mu @ W
        rng = check_random_state(self.random_state)
        order = np.arange(p, dtype=np.intc)
        n_iter, gap, primal, step = 0, np.inf, p0, np.inf
        while True:
            gap, primal = multitask_gap(R, gradients(design, R, mu, s, n_w), W, s, n_w, l1, l2)
            # certified, and (scikit-learn's own stop) no coefficient moved by
            # more than tol times the largest in the last pass: without the
            # second rule the coefficients would be less accurate than
            # scikit-learn's at the same tol
            settled = step <= self.tol * np.max(np.abs(W), initial=0.0)
            if (gap <= tol_abs and settled) or n_iter >= self.max_iter:
                break
            epochs = min(CHECK_EVERY, self.max_iter - n_iter)
            if self.selection == "random":
                order = rng.permutation(p).astype(np.intc)
            step = block_epochs(design, R, W, mu, s, n_w, lipschitz, l1, l2, order, epochs)
            n_iter += epochs
        SolverResult(coef=W, intercept=0.0, gap=gap, primal=primal, tol_abs=tol_abs,
                     n_iter=n_iter, unit="passes").warn_if_not_converged(self.alpha)
        self.coef_ = np.ascontiguousarray(W.T).astype(X.dtype, copy=False)
        intercept = y_mean - mu @ W if self.fit_intercept else np.zeros(n_tasks)
        self.intercept_ = intercept.astype(X.dtype, copy=False)
        self.dual_gap_ = float(gap)
        self.eps_ = float(tol_abs)
        self.n_iter_ = n_iter
        return self

    def _means(self, X, Y, s, n_w):
        """Weighted column means of X (``column_spreads`` corrects them) and
        of Y, corrected once; zeros without an intercept."""
        if not self.fit_intercept:
            return np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        w = np.ones(X.shape[0]) if s is None else s
        mu = np.asarray(w @ X, dtype=np.float64).ravel() / n_w
        y_mean = w @ Y / n_w
        y_mean += w @ (Y - y_mean) / n_w
        return mu, y_mean

    def _start(self, p, n_tasks):
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (n_tasks, p):
            return np.array(self.coef_.T, dtype=np.float64, order="C")
        return np.zeros((p, n_tasks))

    @property
    def sparse_coef_(self):
        """``coef_`` as a sparse matrix."""
        return sp.csr_matrix(self.coef_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
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
    fit_intercept, copy_X, max_iter, tol, warm_start, random_state, selection :
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
    >>> import numpy as np
    >>> from sklreg import MultiTaskLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = X[:, :3] @ rng.standard_normal((3, 4)) + 0.1 * rng.standard_normal((100, 4))
    >>> model = MultiTaskLasso(alpha=0.1).fit(X, Y)
    >>> np.flatnonzero(np.linalg.norm(model.coef_, axis=0)).tolist()
    [0, 1, 2]
    """

    _parameter_constraints = {k: v for k, v in MultiTaskElasticNet._parameter_constraints.items()
                              if k != "l1_ratio"}

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, random_state=None, selection="cyclic"):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         copy_X=copy_X, max_iter=max_iter, tol=tol, warm_start=warm_start,
                         random_state=random_state, selection=selection)


def multitask_path(X, Y, *, l1_ratio, alphas, eps, coef_init=None, sample_weight=None,
                   **params):
    """The multi-task path without intercept, as ``enet_path`` solves a 2-D
    y: alphas (decreasing), coefs of shape (n_tasks, n_features, n_alphas),
    dual gaps of shape (n_alphas,) and passes per alpha.  Each alpha is
    warm-started from the previous one."""
    if params.get("penalty_factor") is not None:
        raise ValueError("penalty_factor is not supported for a multi-task y")
    params.pop("penalty_factor", None)
    est = MultiTaskElasticNet(l1_ratio=l1_ratio, fit_intercept=False, warm_start=True,
                              **params)
    alphas = _check_grid(alphas, eps)
    if np.ndim(alphas) == 0:
        if l1_ratio == 0:
            raise ValueError("An automatic alpha grid needs l1_ratio > 0 (alpha_max is "
                             "infinite for a ridge penalty): pass the alphas explicitly.")
        X, Y, s = validate_X_y(est, X, Y, sample_weight)
        weighted = Y if s is None else s[:, None] * Y
        n_w = X.shape[0] if s is None else s.sum()
        rows = np.linalg.norm(np.asarray(X.T @ weighted), axis=1)
        alphas = alpha_grid(float(rows.max(initial=0.0)) / (n_w * l1_ratio), alphas, eps)
    n_tasks, n_features = np.shape(Y)[1], np.shape(X)[1]
    start = _check_coef_init(coef_init, n_tasks, n_features)
    if start is not None:
        est.coef_ = start
    coefs, gaps, n_iters = [], [], []
    for alpha in alphas:
        est.set_params(alpha=float(alpha)).fit(X, Y, sample_weight=sample_weight)
        coefs.append(est.coef_.astype(np.float64))
        gaps.append(est.dual_gap_)
        n_iters.append(est.n_iter_)
    return np.asarray(alphas), np.stack(coefs, axis=-1), np.array(gaps), n_iters
