"""Cross-validation along regularization paths.

One warm-started path per training fold (``sklreg.path.regularization_path``)
is predicted on its test fold and scored at every alpha.  Folds run through
``joblib.Parallel``; the kernels release the GIL, so threads work locally,
and ``joblib.parallel_backend("dask")`` sends the folds to a Dask cluster.
"""
import time

import numpy as np

from sklreg.model_selection._folds import optional_rows, run_parallel, take_rows
from sklreg.model_selection._scoring import test_loss
from sklreg.path import regularization_path
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import fit_progress
from sklreg.utils._warnings import collect_missed, warn_missed


def _fold_path(estimator, X, y, sample_weight, alphas, train, test, loss, keep_coefs,
               progress):
    """Path on ``train``; one test loss (lower is better) per alpha, the
    coefficients if ``keep_coefs``, and the fits that missed their target.
    ``progress``: (verbose, label) of this fold's progress lines."""
    with collect_missed() as missed, fit_progress(*progress):
        path = regularization_path(estimator, take_rows(X, train), y[train], alphas=alphas,
                                   sample_weight=optional_rows(sample_weight, train))
    X_test, y_test, s_test = take_rows(X, test), y[test], optional_rows(sample_weight, test)
    preds = _path_predictions(path, X_test)
    losses = np.array([loss(y_test, preds[:, a], s_test) for a in range(len(alphas))])
    return losses, (path.coefs if keep_coefs else None), missed


def _path_predictions(path, X_test):
    """Predictions of every point of ``path`` on ``X_test``, of shape
    (n_test, n_alphas) or (n_test, n_alphas, n_tasks), in float64.

    One product for the whole path: a matrix-vector product per alpha is
    slow, and very slow with BLAS threads spinning on shared cores; on the
    columns some alpha uses only (a fifth of them on the LassoCV rows)."""
    coefs = np.asarray(path.coefs, dtype=np.float64)
    flat = coefs.reshape(-1, coefs.shape[-1])
    used = np.flatnonzero(np.any(flat != 0, axis=0))
    with single_threaded_blas():
        preds = np.asarray(X_test[:, used] @ flat[:, used].T)
    return preds.reshape(X_test.shape[0], *coefs.shape[:-1]) + path.intercepts


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
        A scikit-learn scoring (higher is better; its negative is stored),
        applied to each alpha's predictions on the test fold
        (``prediction_scorer``, as RidgeCV's).  None uses ``loss``.
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
    loss = test_loss(scoring, loss)
    for k, (train, _) in enumerate(folds):
        if sample_weight is not None and not np.any(sample_weight[train] > 0):
            raise ValueError(
                f"sample_weight is zero on every training sample of fold {k + 1}: "
                "nothing to fit there. Give those samples weight or choose other folds.")
    progress = _FoldProgress(len(folds), len(alphas), label) if verbose else None
    out = run_parallel(_fold_path, [
        (estimator, X, y, sample_weight, alphas, train, test, loss, keep_coefs,
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
