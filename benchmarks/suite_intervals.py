"""Prediction-interval rows: ``QuantileInterval`` against MAPIE's CQR.

90% intervals (alpha = 0.1) on ``make_correlated_data`` (p = 50) with
heteroscedastic noise, scored on as many held-out samples as the fit sees.
Each runner does what its user does, from the raw data to the intervals of
the held-out samples:

- ``cqr_split_*``: sklreg's ``QuantileInterval(method='split')`` at its
  defaults (sklreg's ``QuantileRegressor(alpha=0)``, half the samples held
  out for calibration); MAPIE's ``ConformalizedQuantileRegressor`` on the
  same halves with scikit-learn's ``QuantileRegressor(alpha=0)`` (the
  estimator its documentation names; it fits the lower, upper *and* median
  models) and ``symmetric_correction=True`` (Romano et al.'s CQR, which
  QuantileInterval computes: the same intervals given the same models);
  ``mapie+sklreg`` is MAPIE with sklreg's QuantileRegressor, separating
  MAPIE's own cost from the fits'.
- ``cqr_cvplus_*``: ``method='cv+'`` with 5 shuffled folds against MAPIE's
  ``CrossConformalizedQuantileRegressor(method='plus')`` on the same folds.

Not gated (``gate=False``).  "subopt" is the relative excess of the mean
interval width over the narrowest; "chosen" is the held-out coverage.
"""
import logging

import numpy as np

from harness import Problem
from sklreg.datasets import make_correlated_data

ALPHA = 0.1
FOLDS = 5


def _data(n):
    def build(quick):
        nn = n // 10 if quick else n
        X, _, _ = make_correlated_data(2 * nn, 50, rho=0.5, random_state=0)
        rng = np.random.default_rng(0)
        beta = rng.standard_normal(50)
        y = X @ beta + (1 + np.abs(X[:, 0])) * rng.standard_normal(2 * nn)
        X = np.asfortranarray(X)
        return dict(X=X[:nn], y=y[:nn], X_test=X[nn:], y_test=y[nn:])
    return build


def _halves(n):
    order = np.random.RandomState(0).permutation(n)
    return np.sort(order[n // 2:]), np.sort(order[:n // 2])      # fit, calibration


def _sklreg(method):
    def run(d, tol):
        from sklearn.model_selection import KFold
        from sklreg import QuantileInterval
        model = QuantileInterval(alpha=ALPHA, method=method, random_state=0,
                                 cv=KFold(FOLDS, shuffle=True, random_state=0))
        return model.fit(d["X"], d["y"]).predict(d["X_test"])
    return run


def _mapie(method, estimator):
    def run(d, tol):
        from mapie.regression import (ConformalizedQuantileRegressor,
                                      CrossConformalizedQuantileRegressor)
        from sklearn.model_selection import KFold
        logging.disable(logging.INFO)       # MAPIE logs every "ill-sorted" bound
        base = estimator()
        if method == "split":
            fit, cal = _halves(len(d["y"]))
            model = ConformalizedQuantileRegressor(base, confidence_level=1 - ALPHA)
            model.fit(d["X"][fit], d["y"][fit]).conformalize(d["X"][cal], d["y"][cal])
            _, bounds = model.predict_interval(d["X_test"], symmetric_correction=True)
        else:
            model = CrossConformalizedQuantileRegressor(
                base, confidence_level=1 - ALPHA, method="plus",
                cv=KFold(FOLDS, shuffle=True, random_state=0))
            _, bounds = model.fit_conformalize(d["X"], d["y"]).predict_interval(d["X_test"])
        return bounds[:, :, 0]
    return run


def _sklearn_qr():
    from sklearn.linear_model import QuantileRegressor
    return QuantileRegressor(alpha=0.0)


def _sklreg_qr():
    from sklreg import QuantileRegressor
    return QuantileRegressor(alpha=0.0)


def _width(d, bounds):
    return np.mean(bounds[:, 1] - bounds[:, 0])


def _coverage(d, bounds):
    return float(np.mean((bounds[:, 0] <= d["y_test"]) & (d["y_test"] <= bounds[:, 1])))


def _problem(name, n, method):
    runners = {"sklreg": _sklreg(method)}
    try:
        import mapie  # noqa: F401
        runners["mapie+sklreg"] = _mapie(method, _sklreg_qr)
        runners["mapie"] = _mapie(method, _sklearn_qr)
    except ImportError:
        pass
    return Problem(name, _data(n), _width, runners, reference=None, tols=[None],
                   gate=False, chosen=_coverage, once=("mapie",))


def problems():
    return [_problem("cqr_split_n20k", 20_000, "split"),
            _problem("cqr_cvplus_n5k", 5_000, "cv+")]
