"""Folds, and the parallel loop that runs them.

``make_folds`` turns anything scikit-learn's ``check_cv`` takes (or
glmnet's ``foldid``) into (train, test) splits; ``run_parallel`` runs one
task per fold through ``joblib.Parallel`` with BLAS at one thread;
``fold_scores`` is the fold loop of an estimator that scores every
candidate of a split at once (RidgeCV).
"""
import numpy as np
from sklearn.model_selection import PredefinedSplit, check_cv
from sklearn.utils.parallel import Parallel, delayed

from sklreg.utils._blas import single_threaded_blas


def make_folds(cv, X, y, fold_ids=None, split_params=None):
    """Return a list of (train, test) index arrays.

    ``fold_ids`` (glmnet's ``foldid``: one fold number per sample) takes
    precedence over ``cv``, which is anything scikit-learn's ``check_cv``
    accepts (None for 5-fold, an int, a splitter, an iterable of splits);
    ``split_params`` (e.g. ``groups``) go to its ``split``.
    """
    if fold_ids is not None:
        fold_ids = np.asarray(fold_ids)
        if fold_ids.shape != (X.shape[0],):
            raise ValueError("fold_ids must have one entry per sample, shape (%d,); "
                             "got %r" % (X.shape[0], fold_ids.shape))
        if fold_ids.dtype.kind not in "iu" and not (
                fold_ids.dtype.kind == "f" and np.all(np.isfinite(fold_ids))
                and np.all(fold_ids == np.round(fold_ids))):
            raise ValueError("fold_ids must be integer fold numbers; got values of "
                             "dtype %s such as %r" % (fold_ids.dtype, fold_ids[:3]))
        splitter = PredefinedSplit(fold_ids)
    else:
        splitter = check_cv(cv, y, classifier=False)
    folds = list(splitter.split(X, y, **(split_params or {})))
    if len(folds) < 2:
        raise ValueError("cross-validation needs at least 2 folds; got %d" % len(folds))
    return folds


class _OneBlasThread:
    """``function`` run with BLAS at one thread: a worker process's own
    setting (threads share the dispatching thread's, see ``run_parallel``).
    A class, not a closure, so that process backends can pickle it.  (Its
    attribute is not named ``function``: scikit-learn's ``delayed`` copies a
    callable's ``__dict__`` onto its own wrapper, whose ``function`` it
    would replace.)"""

    def __init__(self, function):
        self.task = function

    def __call__(self, *args):
        with single_threaded_blas():
            return self.task(*args)


def run_parallel(function, arguments, n_jobs, on_result=None):
    """``[function(*args) for args in arguments]`` through joblib (threads
    unless a ``joblib.parallel_backend`` says otherwise), BLAS at one thread.

    The tasks' BLAS calls are vector-sized or small factorisations: BLAS
    threads spinning against the other tasks' made ``n_jobs=2`` 10-20x
    slower than ``n_jobs=1``, and even one task at a time ran RidgeCV's
    folds 3x slower on shared cores (load average 4.6 on 2).  BLAS's thread count is process-wide, and OpenBLAS ignores
    a change made from another thread once the main thread has made one, so
    the dispatching thread sets it for worker threads; a worker process sets
    its own.  ``on_result(k, result)`` is called as each result arrives (in
    order; all at the end under a backend without generators, such as
    joblib's ``multiprocessing``).
    """
    task = delayed(_OneBlasThread(function))
    try:
        runner = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
    except ValueError:          # a backend without generators
        runner = Parallel(n_jobs=n_jobs, prefer="threads")
    results = []
    with single_threaded_blas():
        for k, result in enumerate(runner(task(*args) for args in arguments)):
            results.append(result)
            if on_result is not None:
                on_result(k, result)
    return results


def optional_rows(a, idx):
    return None if a is None else a[idx]


def take_rows(X, idx):
    """X[idx] in the layout the solvers use: one gather into a Fortran array
    for dense X (``X[idx]`` is C-ordered and would be copied again)."""
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return np.take(X.T, idx, axis=1).T
    return X[idx]


def fold_scores(score_fold, X, Y, sample_weight, cv, *, fold_ids=None, n_jobs=None,
                split_params=None):
    """Score every split of ``cv`` with a function that knows the model.

    The generic fold loop for estimators that score all their candidates on
    a split at once (e.g. RidgeCV: one decomposition per training fold
    serves every alpha).  The sample weights are cut to each part: the
    training weights fit, the test weights score, as scikit-learn 1.9's grid
    search does.

    Parameters
    ----------
    score_fold : callable(X_train, Y_train, s_train, X_test, Y_test, s_test)
        Returns the scores of one split as an ndarray (e.g. one per alpha).
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
    cv : int, cross-validation generator or iterable
        As in scikit-learn (see ``make_folds``).
    fold_ids : array-like of shape (n_samples,), default=None
        Fold number of each sample (overrides ``cv``).
    n_jobs : int, default=None
        Folds run in parallel through joblib threads.
    split_params : dict, default=None
        Passed to the splitter's ``split`` (e.g. ``groups``).

    Returns
    -------
    scores : ndarray of shape (n_splits, ...)
    """
    return np.array(run_parallel(_score_split, [
        (score_fold, X, Y, sample_weight, train, test)
        for train, test in make_folds(cv, X, Y, fold_ids, split_params)], n_jobs))


def _score_split(score_fold, X, Y, sample_weight, train, test):
    X_train = X[train]
    if not hasattr(X_train, "tocsc"):
        X_train = np.asfortranarray(X_train)
    return score_fold(X_train, Y[train], optional_rows(sample_weight, train), X[test], Y[test],
                      optional_rows(sample_weight, test))
