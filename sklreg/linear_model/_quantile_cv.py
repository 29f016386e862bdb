"""QuantileRegressorCV: QuantileRegressor's alpha chosen by cross-validation
along warm-started paths (``PathCV``)."""
from sklreg.linear_model._base_cv import CV_ATTRIBUTES_DOC, CV_PARAMETERS_DOC, PathCV
from sklreg.linear_model._quantile import QuantileRegressor
from sklreg.losses import PinballLoss


class QuantileRegressorCV(PathCV):
    __doc__ = f"""QuantileRegressor with alpha chosen by cross-validation.

    scikit-learn has no such estimator.  Each fold fits one warm-started
    path; the test folds score every alpha by the mean (weighted) pinball
    loss at ``quantile`` unless ``scoring`` is given.  The grid starts at
    ``alpha_max``, the smallest alpha with every coefficient zero.

    Parameters
    ----------
    quantile, l1_ratio, fit_intercept, solver, solver_options, tol, max_iter, \
lower_bounds, upper_bounds :
        As in :class:`QuantileRegressor`; used for every fold and the refit.
    {CV_PARAMETERS_DOC}
    Attributes
    ----------
    loss_path_ : ndarray of shape (n_alphas, n_folds)
        Test loss per alpha and fold.
    {CV_ATTRIBUTES_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import QuantileRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 5))
    >>> y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + rng.standard_normal(300)
    >>> model = QuantileRegressorCV(quantile=0.9, cv=5, alphas=20).fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_)
    True

    About 90% of the samples lie on or below the fit:

    >>> round(float(np.mean(y <= model.predict(X))), 2)
    0.9
    """

    _estimator_class = QuantileRegressor
    _solver_scales_X = True
    _parameter_constraints = {
        **PathCV._parameter_constraints,
        **{k: v for k, v in QuantileRegressor._parameter_constraints.items()
           if k not in ("alpha", "warm_start")},
    }

    def __init__(self, *, quantile=0.5, l1_ratio=1.0, eps=1e-3, alphas=100,
                 fit_intercept=True, solver="auto", solver_options=None, tol=1e-6,
                 max_iter=100, cv=None, scoring=None, alpha_selection="min",
                 n_jobs=None, verbose=False, store_cv_coefs=False, lower_bounds=None,
                 upper_bounds=None):
        self.quantile = quantile
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.solver_options = solver_options
        self.tol = tol
        self.max_iter = max_iter
        self.cv = cv
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.store_cv_coefs = store_cv_coefs
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _loss(self, y_true, y_pred, sample_weight):
        return PinballLoss(self.quantile).value(y_true - y_pred, sample_weight)
