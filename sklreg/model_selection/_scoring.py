"""How a *CV scores a prediction: the estimators' own losses and any
scikit-learn scoring, both on predictions, so that a path's test fold is
predicted in one product and leave-one-out predictions are scored alike."""
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring, r2_score


def squared_error(y_true, y_pred, sample_weight):
    """Mean (weighted) squared error of one prediction; with several tasks,
    its mean over them, as scikit-learn's ``MultiTask*CV`` scores."""
    return float(np.mean(np.average((y_true - y_pred) ** 2, weights=sample_weight, axis=0)))


class _Predictions(RegressorMixin, BaseEstimator):
    """A 'regressor' whose prediction is its input, so that any scikit-learn
    scorer can score predictions computed without an estimator."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return X


class prediction_scorer:
    """score(predictions, y, sample_weight=None) for a scoring spec.

    ``None`` is the R^2 of ``RegressorMixin.score`` (scikit-learn's
    grid-search default).  A class, so that process backends can pickle it.
    """

    def __init__(self, scoring):
        self.scorer = None if scoring is None else check_scoring(_Predictions(),
                                                                 scoring=scoring)

    def __call__(self, pred, y, sample_weight=None):
        if self.scorer is None:
            return r2_score(y, pred, sample_weight=sample_weight)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.scorer(_Predictions(), pred, y, **kwargs)


class _NegatedScore:
    """A scoring as a loss (lower is better): ``-score(pred, y, s)``.  A
    class, so that process backends can pickle it."""

    def __init__(self, scoring):
        self.score = prediction_scorer(scoring)

    def __call__(self, y_true, y_pred, sample_weight=None):
        return -self.score(y_pred, y_true, sample_weight)


def test_loss(scoring, own_loss):
    """loss(y_true, y_pred, sample_weight), lower is better, that a *CV ranks
    alphas by: ``own_loss`` when ``scoring`` is None, else the negated score."""
    return own_loss if scoring is None else _NegatedScore(scoring)
