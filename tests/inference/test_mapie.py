"""QuantileInterval against MAPIE's conformalized quantile regression.

MAPIE (1.x) is an independent implementation of the same methods: its
ConformalizedQuantileRegressor with ``symmetric_correction=True`` is the
split CQR of Romano et al. (one correction from ``max(lo - y, y - hi)``),
and its CrossConformalizedQuantileRegressor with ``method='plus'`` is CV+.
Given the same models and the same calibration rows, the intervals must be
the same numbers.
"""
import numpy as np
import pytest
from mapie.regression import (ConformalizedQuantileRegressor,
                              CrossConformalizedQuantileRegressor)
from numpy.testing import assert_allclose
from sklearn.model_selection import KFold

from sklreg import QuantileInterval, QuantileRegressor

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def data(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 4, (n, 2))
    return X, X[:, 0] - X[:, 1] + (0.3 + X[:, 0]) * rng.standard_t(3, n)


@pytest.mark.parametrize("alpha, n", [(0.1, 200), (0.2, 37), (0.05, 500)])
def test_split_matches_mapie(alpha, n):
    X, y = data(0, n)
    ours = QuantileInterval(alpha=alpha, random_state=0).fit(X, y)
    # the same calibration rows: QuantileInterval holds out the first
    # round(n / 2) of a permutation drawn from random_state
    order = np.random.RandomState(0).permutation(n)
    calibration, train = np.sort(order[:round(n / 2)]), np.sort(order[round(n / 2):])
    models = [QuantileRegressor(alpha=0.0, quantile=q).fit(X[train], y[train])
              for q in (alpha / 2, 1 - alpha / 2, 0.5)]     # MAPIE's order
    theirs = ConformalizedQuantileRegressor(models, confidence_level=1 - alpha, prefit=True)
    theirs.conformalize(X[calibration], y[calibration])
    X_new, _ = data(1, 50)
    _, intervals = theirs.predict_interval(X_new, symmetric_correction=True)
    assert_allclose(ours.predict(X_new), intervals[:, :, 0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("alpha, n, folds", [(0.1, 100, 5), (0.2, 61, 3)])
def test_cv_plus_matches_mapie(alpha, n, folds):
    X, y = data(2, n)
    cv = KFold(folds, shuffle=True, random_state=0)
    ours = QuantileInterval(alpha=alpha, method="cv+", cv=cv).fit(X, y)
    theirs = CrossConformalizedQuantileRegressor(
        QuantileRegressor(alpha=0.0), confidence_level=1 - alpha, method="plus", cv=cv)
    theirs.fit_conformalize(X, y)
    X_new, _ = data(3, 50)
    _, intervals = theirs.predict_interval(X_new)
    assert_allclose(ours.predict(X_new), intervals[:, :, 0], rtol=1e-12, atol=1e-12)
