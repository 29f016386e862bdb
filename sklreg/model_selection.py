"""Cross-validation along regularization paths, and the one-standard-error rule.

One warm-started path per training fold (``sklreg.path.regularization_path``)
is scored on its test fold at every alpha.  Folds run through
``joblib.Parallel``; the kernels release the GIL, so threads work locally,
and ``joblib.parallel_backend("dask")`` sends the folds to a Dask cluster.
"""
import time

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.metrics import check_scoring, r2_score
from sklearn.model_selection import PredefinedSplit, check_cv
from sklearn.utils.parallel import Parallel, delayed

from sklreg.path import regularization_path
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import fit_progress
from sklreg.utils._warnings import collect_missed, warn_at_caller, warn_missed


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


def _take(a, idx):
    return None if a is None else a[idx]


def _rows(X, idx):
    """X[idx] in the layout the solvers use: one gather into a Fortran array
    for dense X (``X[idx]`` is C-ordered and would be copied again)."""
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return np.take(X.T, idx, axis=1).T
    return X[idx]


def _fold_path(estimator, X, y, sample_weight, alphas, train, test, scorer, loss,
               keep_coefs, progress):
    """Path on ``train``; one test loss (lower is better) per alpha, the
    coefficients if ``keep_coefs``, and the fits that missed their target.
    ``progress``: (verbose, label) of this fold's progress lines."""
    with collect_missed() as missed, fit_progress(*progress):
        path = regularization_path(estimator, _rows(X, train), y[train], alphas=alphas,
                                   sample_weight=_take(sample_weight, train))
    X_test, y_test, s_test = _rows(X, test), y[test], _take(sample_weight, test)
    losses = np.empty(len(alphas))
    if scorer is None:
        # one product for the whole path: a matrix-vector product per alpha
        # is slow, and very slow with BLAS threads spinning on shared cores;
        # on the columns some alpha uses only (a fifth of them, LassoCV rows)
        # (coefs of several tasks: (n_alphas, n_tasks, n_features), and
        # predictions (n_test, n_alphas, n_tasks))
        coefs = np.asarray(path.coefs, dtype=np.float64)
        flat = coefs.reshape(-1, coefs.shape[-1])
        used = np.flatnonzero(np.any(flat != 0, axis=0))
        with single_threaded_blas():
            preds = np.asarray(X_test[:, used] @ flat[:, used].T)
        preds = preds.reshape(X_test.shape[0], *coefs.shape[:-1]) + path.intercepts
        for a in range(len(alphas)):
            losses[a] = loss(y_test, preds[:, a], s_test)
    else:
        for a, (coef, intercept) in enumerate(zip(path.coefs, path.intercepts)):
            fitted = clone(estimator).set_params(alpha=alphas[a])
            fitted.coef_, fitted.intercept_ = coef, intercept
            fitted.n_features_in_ = X.shape[1]
            kwargs = {} if s_test is None else {"sample_weight": s_test}
            losses[a] = -scorer(fitted, X_test, y_test, **kwargs)
    return losses, (path.coefs if keep_coefs else None), missed


def cross_validate_path(estimator, X, y, alphas, folds, *, sample_weight=None,
                        scoring=None, loss=None, n_jobs=None, verbose=0,
                        keep_coefs=False, label=""):
    """Test losses of every alpha on every fold.

    Parameters
    ----------
    estimator : sklreg estimator (not modified)
    X, y, sample_weight : validated arrays
    alphas : ndarray of shape (n_alphas,), decreasing
    folds : list of (train, test) index arrays
    scoring : None, str or callable
        A scikit-learn scorer (higher is better; its negative is stored).
        None uses ``loss``.
    loss : callable(y_true, y_pred, sample_weight) -> float
        The estimator's own loss, used when ``scoring`` is None.
    n_jobs : int or None
    verbose : int
        At 1 and above, a line (or a tqdm bar) per fold, and progress lines
        of any solve that runs longer than a second; at 2 and above, a line
        per alpha of every fold and per outer iteration of every solve.
    keep_coefs : bool
        Also return the per-fold coefficient paths.
    label : str
        Names the search in progress lines (e.g. 'l1_ratio=0.5').

    Returns
    -------
    losses : ndarray of shape (n_alphas, n_folds)
    coefs : list of ndarray of shape (n_alphas, n_features), or None

    Fits that miss their target give one ConvergenceWarning per call (or
    are handed to a caller collecting them, see ``sklreg.utils._warnings``).
    """
    scorer = None if scoring is None else check_scoring(estimator, scoring=scoring)
    for k, (train, _) in enumerate(folds):
        if sample_weight is not None and not np.any(sample_weight[train] > 0):
            raise ValueError(
                f"sample_weight is zero on every training sample of fold {k + 1}: "
                "nothing to fit there. Give those samples weight or choose other folds.")
    progress = _FoldProgress(len(folds), len(alphas), label) if verbose else None
    out = run_parallel(_fold_path, [
        (estimator, X, y, sample_weight, alphas, train, test, scorer, loss, keep_coefs,
         (verbose, f"fold {k + 1}/{len(folds)}" + (f" ({label})" if label else "")))
        for k, (train, test) in enumerate(folds)], n_jobs, on_result=progress)
    if progress is not None:
        progress.close()
    missed = []
    for k, (_, _, fold_missed) in enumerate(out):
        for m in fold_missed:
            m.where = f"fold {k + 1}" + (f", {m.where}" if m.where else "")
        missed += fold_missed
    warn_missed(missed, "cross_validate_path", len(folds) * len(alphas),
                "(fold, alpha) fits")
    losses = np.column_stack([o[0] for o in out])
    return losses, ([o[1] for o in out] if keep_coefs else None)


class _FoldProgress:
    """Progress across folds: a tqdm bar when tqdm is installed, a line per
    fold otherwise."""

    def __init__(self, n_folds, n_alphas, label=""):
        self.n_folds, self.n_alphas = n_folds, n_alphas
        self.label = f" ({label})" if label else ""
        self.start = time.perf_counter()
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=n_folds, desc=f"CV folds{self.label}, {n_alphas} alphas")

    def __call__(self, k, result):
        if self.bar is not None:
            self.bar.update(1)
        else:
            print(f"[sklreg] fold {k + 1}/{self.n_folds}{self.label}: path of {self.n_alphas} alphas "
                  f"done, {time.perf_counter() - self.start:.1f} s elapsed", flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def warn_if_at_grid_edge(estimator, alphas, mean_loss, alpha_max=None):
    """A UserWarning (at the user's line) when the lowest mean CV loss lies at
    an end of the alpha grid, as glmnet users check: at the smallest alpha a
    smaller one may do better; at the largest, a larger one may, unless the
    grid starts at ``alpha_max()`` (a callable, called only then) where
    every larger alpha gives the same model.

    ``mean_loss`` has shape (n_alphas,) or (n_alphas, n_targets), alphas in
    any order.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.size < 2:
        return
    best = alphas[np.argmin(np.asarray(mean_loss).reshape(alphas.size, -1), axis=0)]
    name = type(estimator).__name__
    # at alpha = 0 there is no smaller alpha to try
    if np.any(best == alphas.min()) and alphas.min() > 0:
        warn_at_caller(
            f"{name}: the lowest mean CV loss is at the smallest alpha of the grid "
            f"(alpha={alphas.min():.4g}); a smaller alpha may do better: extend the grid "
            "downwards (a smaller eps, or explicit alphas).", UserWarning)
    if np.any(best == alphas.max()) and (alpha_max is None or alphas.max() < alpha_max()):
        warn_at_caller(
            f"{name}: the lowest mean CV loss is at the largest alpha of the grid "
            f"(alpha={alphas.max():.4g}); a larger alpha may do better: extend the grid "
            "upwards (explicit alphas).", UserWarning)


def cv_results(alphas, losses, splits=True):
    """The ``cv_results_`` of every sklreg ``*CV``: a dict of arrays with
    ``alpha``, ``mean_test_loss``, ``std_test_loss``, ``sem_test_loss`` and,
    when ``splits``, ``split{k}_test_loss``.

    ``losses`` has shape (n_alphas, n_units[, n_targets]): one test loss
    per fold (or per sample for leave-one-out) and alpha.  The spread is the
    sample standard deviation over the units (``ddof=1``) and the standard
    error of the mean ``std / sqrt(n_units)``, the one the one-standard-
    error rule uses.  (scikit-learn's ``GridSearchCV`` reports ``ddof=0``:
    ``std_test_loss * sqrt((n_units - 1) / n_units)``.)  One unit gives NaN.
    """
    losses = np.asarray(losses, dtype=np.float64)
    n_units = losses.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        std = (losses.std(axis=1, ddof=1) if n_units > 1
               else np.full(losses.mean(axis=1).shape, np.nan))
    results = {"alpha": np.asarray(alphas, dtype=np.float64),
               "mean_test_loss": losses.mean(axis=1), "std_test_loss": std,
               "sem_test_loss": std / np.sqrt(n_units)}
    if splits:
        for k in range(n_units):
            results[f"split{k}_test_loss"] = losses[:, k]
    return results


def one_standard_error_index(losses):
    """Index of the largest alpha within one standard error of the best.

    ``losses`` has shape (n_alphas, n_folds) with alphas decreasing; this is
    glmnet's ``lambda.1se``: the largest alpha whose mean loss is at most the
    minimum mean loss plus the standard error of the mean at the minimum.
    """
    mean = losses.mean(axis=1)
    sem = losses.std(axis=1, ddof=1) / np.sqrt(losses.shape[1])
    best = int(np.argmin(mean))
    return int(np.flatnonzero(mean <= mean[best] + sem[best])[0])


def select_alpha(alphas, losses):
    """The one selection rule of every sklreg ``*CV``: indices (best, 1-SE)
    into ``alphas`` (any order) from test losses of shape (n_alphas,
    n_units), lower is better, one unit per fold (or per sample for
    leave-one-out).

    The best alpha has the lowest mean loss, the first one on a tie as in
    scikit-learn; an undefined (NaN) mean ranks last.  The 1-SE alpha is the
    largest within one standard error of the best
    (``one_standard_error_index``), over the units whose losses are all
    finite (a fold whose score is undefined says nothing); with fewer than
    two such units there is no standard error, and it is the best alpha.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    mean = losses.mean(axis=1)
    best = int(np.argmin(np.where(np.isnan(mean), np.inf, mean)))
    defined = losses[:, np.isfinite(losses).all(axis=0)]
    if defined.shape[1] < 2:
        return best, best
    order = np.argsort(-alphas, kind="stable")
    return best, int(order[one_standard_error_index(defined[order])])


def one_standard_error_alpha(alphas, scores):
    """The 1-SE alpha (``select_alpha``) for scores (higher is better) in
    any alpha order.

    ``scores`` has shape (n_alphas, n_units) -- one score per fold, or per
    sample for leave-one-out -- or (n_alphas, n_units, n_targets) for one
    alpha per target (returns an array then).
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 3:
        return np.array([one_standard_error_alpha(alphas, scores[:, :, k])
                         for k in range(scores.shape[2])])
    return float(alphas[select_alpha(alphas, -scores)[1]])


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
    return score_fold(X_train, Y[train], _take(sample_weight, train), X[test], Y[test],
                      _take(sample_weight, test))


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
