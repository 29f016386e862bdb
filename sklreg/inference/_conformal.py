"""Conformalized quantile regression: prediction intervals with guaranteed coverage.

Two quantile models, at ``alpha / 2`` and ``1 - alpha / 2``, give a band
``[lo(x), hi(x)]``; a sample's conformity score is how far it lies outside
the band, ``E = max(lo(x) - y, y - hi(x))`` (negative inside).  Romano,
Patterson & Candes (2019):

- ``'split'``: the models are fitted on one part of the data and the scores
  computed on the rest (``n`` calibration samples).  The interval is the
  band widened by ``Q``, the ``ceil((1 - alpha) (n + 1))``-th smallest score.
  For exchangeable data the new sample falls inside with probability at
  least ``1 - alpha`` (and, without ties, below ``1 - alpha + 1 / (n + 1)``).
- ``'cv+'``: cross-conformal (Barber, Candes, Ramdas & Tibshirani 2021; with
  leave-one-out folds, jackknife+).  Every sample gets the score of the
  models fitted without its fold; the lower bound at x is the
  ``floor(alpha (n + 1))``-th smallest of ``lo_{-k(i)}(x) - E_i`` and the
  upper the ``ceil((1 - alpha) (n + 1))``-th smallest of
  ``hi_{-k(i)}(x) + E_i``.  It uses all samples to fit and to calibrate;
  its guaranteed coverage is ``1 - 2 alpha`` minus a term of order
  ``1 / n`` (Barber et al., Theorem 4), and in practice about ``1 - alpha``.
"""
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklreg.linear_model import QuantileRegressor

CHUNK = 2 ** 22          # entries of the (test x calibration) matrix per block


class QuantileInterval(BaseEstimator):
    """Prediction intervals by conformalized quantile regression (CQR).

    Fits a quantile regression at ``alpha / 2`` and one at ``1 - alpha / 2``
    and widens the band they form by a calibrated amount, so that a new
    sample from the same distribution falls inside with probability at least
    ``1 - alpha``, whatever the model and the noise (Romano, Patterson and
    Candes, 2019).  The quantile models adapt the width to x
    (heteroscedasticity); the calibration makes the coverage exact in finite
    samples.  See :ref:`prediction_intervals`.

    Parameters
    ----------
    estimator : estimator with a ``quantile`` parameter, default=None
        The quantile regression to fit at both levels, e.g.
        :class:`~sklreg.QuantileRegressor` or
        :class:`~sklreg.QuantileRegressorCV`; None means
        ``QuantileRegressor(alpha=0.0)``.
    alpha : float, default=0.1
        Miscoverage rate in (0, 1): the intervals aim at ``1 - alpha``.
    method : {'split', 'cv+'}, default='split'
        ``'split'`` fits on a random part of the data and calibrates on the
        rest; guaranteed marginal coverage ``>= 1 - alpha``.  ``'cv+'``
        (cross-conformal; jackknife+ with ``cv=LeaveOneOut()``) fits one
        pair of models per fold and calibrates on every sample; narrower
        intervals from the same data, guaranteed coverage ``1 - 2 alpha``
        up to O(1/n), in practice about ``1 - alpha``.
    cv : int, cross-validation generator or iterable, default=5
        The folds of ``'cv+'`` (anything :func:`sklearn.model_selection.check_cv`
        takes).  Unused by ``'split'``.
    calibration_size : float, default=0.5
        Share of the samples held out for calibration by ``'split'``.
    n_jobs : int, default=None
        Threads fitting the folds of ``'cv+'``.
    random_state : int, RandomState instance or None, default=None
        The random split of ``'split'``.

    Attributes
    ----------
    lower_estimator_, upper_estimator_ : estimator
        (``'split'``) The quantile models at ``alpha / 2`` and ``1 - alpha / 2``.
    fold_estimators_ : list of (estimator, estimator)
        (``'cv+'``) The lower and upper models of each fold.
    conformity_scores_ : ndarray of shape (n_calibration,)
        The calibration samples' scores ``max(lo(x) - y, y - hi(x))``.
    correction_ : float
        (``'split'``) The amount ``Q`` added on both sides of the band
        (``inf`` when there are too few calibration samples for ``alpha``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import QuantileInterval
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 4, (2000, 1))
    >>> y = X[:, 0] + (0.5 + X[:, 0]) * rng.standard_normal(2000)
    >>> model = QuantileInterval(alpha=0.1, random_state=0).fit(X[:1000], y[:1000])
    >>> model.predict(X[1000:]).shape
    (1000, 2)
    >>> bool(model.score(X[1000:], y[1000:]) > 0.85)
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict", "set_params"]), None],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "method": [StrOptions({"split", "cv+"})],
        "cv": ["cv_object"],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, alpha=0.1, method="split", cv=5,
                 calibration_size=0.5, n_jobs=None, random_state=None):
        self.estimator = estimator
        self.alpha = alpha
        self.method = method
        self.cv = cv
        self.calibration_size = calibration_size
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the quantile models and calibrate them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], y_numeric=True,
                             dtype=[np.float64, np.float32])
        y = np.asarray(y, dtype=np.float64)
        n = X.shape[0]
        if n < 2:
            raise ValueError("QuantileInterval needs at least 2 samples to fit and "
                             "calibrate; got n_samples=%d" % n)
        base = QuantileRegressor(alpha=0.0) if self.estimator is None else self.estimator
        if "quantile" not in base.get_params():
            raise ValueError("estimator must have a 'quantile' parameter (a quantile "
                             "regression); %s has none" % type(base).__name__)
        levels = (self.alpha / 2, 1 - self.alpha / 2)
        if self.method == "split":
            self._fit_split(base, levels, X, y)
        else:
            self._fit_cv_plus(base, levels, X, y)
        return self

    def _fit_split(self, base, levels, X, y):
        n = X.shape[0]
        n_cal = min(max(int(round(self.calibration_size * n)), 1), n - 1)
        order = check_random_state(self.random_state).permutation(n)
        calibration, train = np.sort(order[:n_cal]), np.sort(order[n_cal:])
        self.lower_estimator_, self.upper_estimator_ = _fit_pair(base, levels, X[train],
                                                                 y[train])
        lo, hi = self.lower_estimator_.predict(X[calibration]), \
            self.upper_estimator_.predict(X[calibration])
        self.conformity_scores_ = np.maximum(lo - y[calibration], y[calibration] - hi)
        rank = int(np.ceil((1 - self.alpha) * (n_cal + 1)))
        self.correction_ = (np.inf if rank > n_cal
                            else float(np.partition(self.conformity_scores_, rank - 1)[rank - 1]))

    def _fit_cv_plus(self, base, levels, X, y):
        folds = list(check_cv(self.cv).split(X, y))
        pairs = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_pair)(base, levels, X[train], y[train]) for train, _ in folds)
        scores = np.full(X.shape[0], np.nan)
        fold_of = np.full(X.shape[0], -1)
        for k, ((_, test), (lower, upper)) in enumerate(zip(folds, pairs)):
            scores[test] = np.maximum(lower.predict(X[test]) - y[test],
                                      y[test] - upper.predict(X[test]))
            fold_of[test] = k
        if np.any(fold_of < 0):
            raise ValueError("cv must put every sample in exactly one test fold for "
                             "'cv+'; %d samples are in none" % int(np.sum(fold_of < 0)))
        self.fold_estimators_ = pairs
        self.conformity_scores_ = scores
        self._fold_of = fold_of

    def predict(self, X):
        """Prediction intervals.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose intervals are predicted.

        Returns
        -------
        intervals : ndarray of shape (n_samples, 2)
            Lower bounds, then upper bounds (``-inf``/``inf`` when the
            calibration is too small for ``alpha``).
        """
        check_is_fitted(self, "conformity_scores_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                          dtype=[np.float64, np.float32])
        if self.method == "split":
            return np.column_stack([self.lower_estimator_.predict(X) - self.correction_,
                                    self.upper_estimator_.predict(X) + self.correction_])
        lows = np.column_stack([lower.predict(X) for lower, _ in self.fold_estimators_])
        highs = np.column_stack([upper.predict(X) for _, upper in self.fold_estimators_])
        return self._cv_plus_bounds(lows, highs)

    def _cv_plus_bounds(self, lows, highs):
        n = self.conformity_scores_.shape[0]
        k_lo = int(np.floor(self.alpha * (n + 1)))
        k_hi = int(np.ceil((1 - self.alpha) * (n + 1)))
        out = np.empty((lows.shape[0], 2))
        out[:, 0] = -np.inf if k_lo < 1 else 0.0
        out[:, 1] = np.inf if k_hi > n else 0.0
        step = max(1, CHUNK // max(n, 1))
        E, fold = self.conformity_scores_, self._fold_of
        for start in range(0, lows.shape[0], step):
            rows = slice(start, start + step)
            if k_lo >= 1:
                lower = lows[rows][:, fold] - E
                out[rows, 0] = np.partition(lower, k_lo - 1, axis=1)[:, k_lo - 1]
            if k_hi <= n:
                upper = highs[rows][:, fold] + E
                out[rows, 1] = np.partition(upper, k_hi - 1, axis=1)[:, k_hi - 1]
        return out

    def score(self, X, y, sample_weight=None):
        """Empirical coverage: the share of samples inside their interval.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            Their true targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the share; None weighs the samples equally.

        Returns
        -------
        coverage : float
            The ``'coverage'`` of :meth:`interval_metrics`.
        """
        return self.interval_metrics(X, y, sample_weight)["coverage"]

    def interval_metrics(self, X, y, sample_weight=None):
        """Coverage and mean width of the intervals on ``X, y``.

        Parameters
        ----------
        X, y, sample_weight :
            As in :meth:`score`.

        Returns
        -------
        metrics : dict
            ``'coverage'``: the (weighted) share of samples with
            ``lower <= y <= upper``; ``'mean_width'``: the (weighted) mean of
            ``upper - lower``.
        """
        intervals = self.predict(X)
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.shape[0] != intervals.shape[0]:
            raise ValueError("y has %d samples, X has %d" % (y.shape[0], intervals.shape[0]))
        inside = (intervals[:, 0] <= y) & (y <= intervals[:, 1])
        return {"coverage": float(np.average(inside, weights=sample_weight)),
                "mean_width": float(np.average(intervals[:, 1] - intervals[:, 0],
                                               weights=sample_weight))}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags


def _fit_pair(base, levels, X, y):
    return tuple(clone(base).set_params(quantile=q).fit(X, y) for q in levels)
