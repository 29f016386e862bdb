"""From test losses to the chosen alpha: the one selection rule of every
sklreg ``*CV`` (the best mean loss and glmnet's one-standard-error alpha),
its ``cv_results_``, and the warning when the best lies at a grid's end."""
import numpy as np

from sklreg.utils._warnings import warn_at_caller


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
