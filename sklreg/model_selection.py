"""Cross-validation helpers shared by the ``*CV`` estimators.

The fold loop is generic: an estimator hands over a function that scores
every candidate alpha on one split (fitted on the training part, evaluated
on the test part), and ``fold_scores`` runs it on each split through
``joblib.Parallel``, with the sample weights cut to each part (the training
weights fit, the test weights score, as scikit-learn 1.9's grid search).
Kernels release the GIL, so threads work; ``joblib.parallel_backend`` can
send the folds elsewhere.  ``one_standard_error`` is the 1-SE rule.
"""
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring, r2_score
from sklearn.model_selection import check_cv


def fold_scores(score_fold, X, Y, sample_weight, cv, *, n_jobs=None):
    """Score every split of ``cv``.

    Parameters
    ----------
    score_fold : callable(X_train, Y_train, s_train, X_test, Y_test, s_test)
        Returns the scores of one split as an ndarray (e.g. one per alpha).
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        Cut to the training and the test part of each split.
    cv : int, cross-validation generator or iterable
        As in scikit-learn (an int is ``KFold`` without shuffling).
    n_jobs : int, default=None
        Folds run in parallel through joblib threads.

    Returns
    -------
    scores : ndarray of shape (n_splits, ...)
    """
    splits = list(check_cv(cv, Y, classifier=False).split(X, Y))

    def one(train, test):
        s_train, s_test = ((None, None) if sample_weight is None
                           else (sample_weight[train], sample_weight[test]))
        X_train = X[train]
        if not hasattr(X_train, "tocsc"):
            X_train = np.asfortranarray(X_train)
        return score_fold(X_train, Y[train], s_train, X[test], Y[test], s_test)

    out = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(one)(train, test) for train, test in splits)
    return np.array(out)


def one_standard_error(alphas, mean, se):
    """The largest alpha whose mean score is within one standard error of
    the best (scores: higher is better).

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    mean, se : ndarray of shape (n_alphas,) or (n_alphas, n_targets)

    Returns
    -------
    float or ndarray of shape (n_targets,)
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    best = np.argmax(mean, axis=0)
    cols = np.arange(mean.shape[1]) if mean.ndim == 2 else ()
    threshold = mean[best, cols] - se[best, cols] if mean.ndim == 2 else mean[best] - se[best]
    within = mean >= threshold
    shaped = alphas.reshape((-1,) + (1,) * (mean.ndim - 1))
    return np.max(np.where(within, shaped, -np.inf), axis=0)


def mean_and_standard_error(scores):
    """Mean and standard error over the first axis (folds or samples)."""
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    se = scores.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(scores.shape[1:])
    return scores.mean(axis=0), se


class _Predictions(RegressorMixin, BaseEstimator):
    """A 'regressor' whose prediction is its input, so that any scikit-learn
    scorer can score predictions computed without an estimator."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return X


def prediction_scorer(scoring):
    """Return score(predictions, y, sample_weight=None) for a scoring spec.

    ``None`` is the R^2 of ``RegressorMixin.score`` (what scikit-learn's
    grid search uses by default).
    """
    if scoring is None:
        return lambda pred, y, sample_weight=None: r2_score(y, pred,
                                                            sample_weight=sample_weight)
    scorer = check_scoring(_Predictions(), scoring=scoring)

    def score(pred, y, sample_weight=None):
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return scorer(_Predictions(), pred, y, **kwargs)
    return score
