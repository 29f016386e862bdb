"""Choosing alpha by an information criterion on one regularization path.

``LassoIC`` and ``ElasticNetIC`` follow scikit-learn's ``LassoLarsIC``
(the Gaussian AIC or BIC), ``QuantileRegressorIC`` the criteria of the
quantile-regression literature; the criteria's formulas, the noise
variance and the degrees of freedom are in ``_criteria``.  One path and
one pass of scoring instead of a path per fold.
"""
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg.linear_model import _criteria
from sklreg.linear_model._base import LinearPredictMixin
from sklreg.linear_model._lasso import ElasticNet
from sklreg.linear_model._quantile import QuantileRegressor
from sklreg.path import regularization_path
from sklreg.utils._dask_input import is_dask_collection
from sklreg.utils.validation import validate_params, validate_X_y


class _InformationCriterionSelector(LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Fit the path of ``_estimator()`` over the grid and keep the alpha
    whose ``_criterion`` is lowest."""

    _parameter_constraints = {
        "criterion": [StrOptions({"aic", "bic"})],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, criterion, alphas, eps, fit_intercept, max_iter, tol):
        self.criterion = criterion
        self.alphas = alphas
        self.eps = eps
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _estimator(self):
        raise NotImplementedError

    def _criterion(self, X, y, s, path):
        """The criterion at each alpha of ``path``; may set attributes."""
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the path and choose alpha by the information criterion.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Frequency weights: a row of weight 2 counts as two rows, and
            the criterion's number of samples is the sum of the weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if is_dask_collection(X, y, sample_weight):     # one pass, see sklreg._dask
            from sklreg._dask._ic import fit_ic
            return fit_ic(self, X, y, sample_weight)
        validate_params(self)
        X, y, s = validate_X_y(self, X, y, sample_weight)
        path = regularization_path(self._estimator(), X, y, alphas=self.alphas,
                                   eps=self.eps, sample_weight=s)
        return self._choose(path, self._criterion(X, y, s, path), X.dtype)

    def _choose(self, path, criterion, dtype):
        """Keep the alpha of ``path`` whose ``criterion`` is lowest."""
        self.criterion_ = np.asarray(criterion, dtype=np.float64)
        # ties to rounding (a flat end of the path) go to the larger alpha;
        # an exact fit has a criterion of -inf
        low = np.min(self.criterion_)
        slack = 8 * np.finfo(np.float64).eps * max(1.0, abs(low)) if np.isfinite(low) else 0
        best = int(np.flatnonzero(self.criterion_ <= low + slack)[0])
        self.path_ = path
        self.alphas_ = path.alphas
        self.alpha_ = float(path.alphas[best])
        self.coef_ = path.coefs[best].astype(dtype, copy=False)
        self.intercept_ = dtype.type(path.intercepts[best])
        self.dual_gap_ = float(path.dual_gaps[best])
        self.n_iter_ = int(path.n_iters[best])
        return self

    def _n_nonzero(self, path):
        """Non-zero coefficients at each alpha."""
        return _criteria.n_nonzero(path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _GaussianIC(_InformationCriterionSelector):
    """The Gaussian-likelihood criterion of a least-squares path."""

    _parameter_constraints = {
        **_InformationCriterionSelector._parameter_constraints,
        "positive": ["boolean"],
        "noise_variance": [Interval(Real, 0, None, closed="left"), None],
    }

    def _degrees_of_freedom(self, X, y, s, path):
        return self._n_nonzero(path)

    def _criterion(self, X, y, s, path):
        s = np.ones(X.shape[0]) if s is None else s
        noise = (self._estimate_noise_variance(X, y, s) if self.noise_variance is None
                 else None)
        residuals = y[:, None] - _criteria.fitted_values(X, path)
        return self._gaussian(s.sum(), s @ residuals ** 2, noise,
                              self._degrees_of_freedom(X, y, s, path))

    def _gaussian(self, n, rss, noise, df):
        """The criterion from the residual sums of squares and the degrees
        of freedom at each alpha (``noise``: the estimated noise variance,
        None when given); sets ``noise_variance_``."""
        self.noise_variance_ = float(self.noise_variance if noise is None else noise)
        if not self.noise_variance_ > 0:
            raise ValueError("noise_variance must be positive to compute the criterion; "
                             f"got {self.noise_variance_!r} (y is fitted exactly)")
        factor = _criteria.criterion_factor(self.criterion, n)
        return (n * np.log(2 * np.pi * self.noise_variance_)
                + rss / self.noise_variance_ + factor * df)

    def _noise_dof(self, n, p):
        """Degrees of freedom of the least-squares residuals (n the weight
        sum), or a clear error when the noise variance cannot be estimated."""
        dof = n - p - self.fit_intercept
        if dof <= 0:
            raise ValueError(
                f"{type(self).__name__} cannot estimate the noise variance with "
                f"n_samples ({n:g}, the sum of sample_weight if given) <= "
                f"n_features ({p}) + fit_intercept: pass noise_variance (an "
                "estimate of the variance of y's noise).")
        return dof

    def _estimate_noise_variance(self, X, y, s):
        """Residual variance of the unpenalised (least-squares) fit."""
        dof = self._noise_dof(s.sum(), X.shape[1])
        return _criteria.noise_variance(X, y, s, self.fit_intercept, self.positive, dof)


_COMMON_DOC = """
    criterion : {'aic', 'bic'}, default='aic'
        Akaike's (``K = 2``) or Schwarz's Bayesian (``K = log(n)``)
        information criterion.
    alphas : int or array-like, default=100
        Number of alphas on a geometric grid from ``alpha_max`` down to
        ``eps * alpha_max``, or the alphas themselves.
    eps : float, default=1e-3
        Length of the grid, ``alpha_min / alpha_max``.
    fit_intercept : bool, default=True
        Whether to fit an intercept (not counted in the degrees of freedom)."""

_GAUSSIAN_DOC = """
    max_iter : int, default=1000
        As in :class:`{0}`, at each alpha.
    tol : float, default=1e-4
        As in :class:`{0}`, at each alpha.
    positive : bool, default=False
        Constrain the coefficients (and the unpenalised fit that estimates
        the noise variance) to be non-negative.
    noise_variance : float, default=None
        The variance of y's noise.  None: estimated from the residuals of
        the unpenalised least-squares fit, which needs
        ``n_samples > n_features + fit_intercept``."""

_FITTED_DOC = """
    alpha_ : float
        The alpha of the lowest criterion.
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    criterion_ : ndarray of shape (n_alphas,)
        The criterion at each alpha.
    coef_ : ndarray of shape (n_features,)
        Coefficients at ``alpha_``.
    intercept_ : float
        Intercept at ``alpha_``.
    dual_gap_ : float
        Duality gap certified at ``alpha_``.
    n_iter_ : int
        Solver iterations at ``alpha_``.
    path_ : sklreg.path.PathResult
        The whole path the criterion was computed on.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names."""

_NOISE_DOC = """
    noise_variance_ : float
        The noise variance used in the criterion."""


class ElasticNetIC(_GaussianIC):
    __doc__ = f"""Elastic net with alpha chosen by AIC or BIC along its path.

    As :class:`LassoIC`, with the elastic net's degrees of freedom: the
    trace of the smoother on the active set A,
    ``sum_i d_i**2 / (d_i**2 + n alpha (1 - l1_ratio))`` over the singular
    values d_i of the (weighted, centred) columns of A (Zou, Hastie &
    Tibshirani, 2007); at ``l1_ratio=1`` the number of non-zeros.

    Parameters
    ----------
    l1_ratio : float, default=0.5
        The mix of L1 and L2, in (0, 1], as in :class:`ElasticNet`.{_COMMON_DOC}
    {_GAUSSIAN_DOC.format("ElasticNet").lstrip()}

    Attributes
    ----------{_FITTED_DOC}{_NOISE_DOC}

    See Also
    --------
    ElasticNetCV : alpha by cross-validation.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import ElasticNetIC
    >>> model = ElasticNetIC(l1_ratio=0.9).fit(*load_diabetes(return_X_y=True))
    >>> bool(model.alpha_ < model.alphas_[0])
    True
    """

    _parameter_constraints = {
        **_GaussianIC._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, *, l1_ratio=0.5, criterion="aic", alphas=100, eps=1e-3,
                 fit_intercept=True, max_iter=1000, tol=1e-4, positive=False,
                 noise_variance=None):
        super().__init__(criterion=criterion, alphas=alphas, eps=eps,
                         fit_intercept=fit_intercept, max_iter=max_iter, tol=tol)
        self.l1_ratio = l1_ratio
        self.positive = positive
        self.noise_variance = noise_variance

    def _estimator(self):
        return ElasticNet(l1_ratio=self.l1_ratio, fit_intercept=self.fit_intercept,
                          max_iter=self.max_iter, tol=self.tol, positive=self.positive)

    def _degrees_of_freedom(self, X, y, s, path):
        root = np.sqrt(s)

        def squared_singular_values(columns):
            Xa, _ = _criteria.centred(X[:, columns], y, s, self.fit_intercept)
            return np.linalg.svd(root[:, None] * Xa, compute_uv=False) ** 2
        return self._smoother_df(s.sum(), path, squared_singular_values)

    def _smoother_df(self, n, path, squared_singular_values):
        """The trace of the smoother at each alpha; ``squared_singular_values``
        of the (weighted, centred) columns of an active set (an index array)."""
        ridge = n * (1.0 - self.l1_ratio)
        if ridge == 0:
            return self._n_nonzero(path)
        df = np.zeros(len(path.alphas))
        for k, (alpha, columns) in enumerate(zip(path.alphas, _criteria.active(path.coefs))):
            if columns.any():
                d2 = squared_singular_values(np.flatnonzero(columns))
                df[k] = np.sum(d2 / (d2 + ridge * alpha))
        return df


class LassoIC(ElasticNetIC):
    __doc__ = f"""Lasso with alpha chosen by AIC or BIC along its path.

    :class:`sklearn.linear_model.LassoLarsIC`'s selection on sklreg's
    certified coordinate-descent path: at each alpha of the grid,
    ``n log(2 pi sigma**2) + RSS / sigma**2 + K df`` with df the number
    of non-zero coefficients (an unbiased estimate of the lasso's degrees
    of freedom), sigma**2 the noise variance.  One path instead of one per
    cross-validation fold.

    Parameters
    ----------{_COMMON_DOC}
    {_GAUSSIAN_DOC.format("Lasso").lstrip()}

    Attributes
    ----------{_FITTED_DOC}{_NOISE_DOC}

    See Also
    --------
    LassoCV : alpha by cross-validation.
    ElasticNetIC : the same for the elastic net.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import LassoIC
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoIC(criterion="bic").fit(X, y)
    >>> int((model.coef_ != 0).sum())
    7
    """

    _parameter_constraints = {k: v for k, v in ElasticNetIC._parameter_constraints.items()
                              if k != "l1_ratio"}

    def __init__(self, *, criterion="aic", alphas=100, eps=1e-3, fit_intercept=True,
                 max_iter=1000, tol=1e-4, positive=False, noise_variance=None):
        super().__init__(l1_ratio=1.0, criterion=criterion, alphas=alphas, eps=eps,
                         fit_intercept=fit_intercept, max_iter=max_iter, tol=tol,
                         positive=positive, noise_variance=noise_variance)


class QuantileRegressorIC(_InformationCriterionSelector):
    __doc__ = f"""Quantile regression with alpha chosen by an information criterion.

    At each alpha of the L1 path, ``log(mean pinball loss) + K df / (2 n)``
    with df the number of non-zero coefficients: Schwarz's criterion for
    quantile regression (``criterion='bic'``, Koenker, 2005, section 4.9)
    or its Akaike analogue (``'aic'``).  One path instead of one per
    cross-validation fold.

    Parameters
    ----------
    quantile : float, default=0.5
        The quantile to predict, in (0, 1).{_COMMON_DOC}
    solver : str, default='auto'
        As in :class:`QuantileRegressor`.
    max_iter : int, default=100
        As in :class:`QuantileRegressor`, at each alpha.
    tol : float, default=1e-6
        As in :class:`QuantileRegressor`, at each alpha.

    Attributes
    ----------{_FITTED_DOC}

    See Also
    --------
    QuantileRegressorCV : alpha by cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import QuantileRegressorIC
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 8))
    >>> y = X[:, 0] - 2 * X[:, 1] + rng.standard_t(3, 300)
    >>> model = QuantileRegressorIC(quantile=0.5, criterion="bic", alphas=20).fit(X, y)
    >>> {{0, 1}} <= set(np.flatnonzero(model.coef_))
    True
    """

    _parameter_constraints = {
        **_InformationCriterionSelector._parameter_constraints,
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "solver": [str],
    }

    def __init__(self, *, quantile=0.5, criterion="aic", alphas=100, eps=1e-3,
                 fit_intercept=True, solver="auto", max_iter=100, tol=1e-6):
        super().__init__(criterion=criterion, alphas=alphas, eps=eps,
                         fit_intercept=fit_intercept, max_iter=max_iter, tol=tol)
        self.quantile = quantile
        self.solver = solver

    def _estimator(self):
        return QuantileRegressor(quantile=self.quantile, fit_intercept=self.fit_intercept,
                                 solver=self.solver, max_iter=self.max_iter, tol=self.tol)

    def _criterion(self, X, y, s, path):
        return _criteria.pinball(X, y, s, path, self.quantile, self.criterion)
