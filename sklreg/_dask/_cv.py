"""Cross-validation on Dask data: every fold's moments from one pass.

Rows are not shuffled between workers: a row's fold is the user's
``fold_ids`` (a Dask array or Series aligned with X) or a seeded hash of its
block and position (``hashed_fold_ids`` gives those labels).  The pass
returns the moments of each fold; fold k trains on the merge of the others
(merged, not subtracted: no cancellation) and is scored from its own
moments, since the weighted squared error of a linear model on some rows
depends only on their moments.  Everything after the pass is p x p work on
the client.
"""
import numpy as np

from sklreg._dask._data import DaskData
from sklreg._dask._folds import hashed_fold_ids, hashed_folds, split_folds  # noqa: F401
from sklreg._dask._fit import check_supported, check_target
from sklreg._dask._moments import one_pass
from sklreg._dask._passes import on_client
from sklreg._dask._reduced import (Reduced, ReducedPathData, fit_reduced, inner_estimator,
                                   reduced_path)
from sklreg.model_selection import warn_if_at_grid_edge
from sklreg.path import validated_alpha_max, alpha_grid, grid_top
from sklreg.utils._progress import fit_progress
from sklreg.utils._warnings import collect_missed, record_all, warn_missed
from sklreg.utils.validation import check_alphas, validate_params


def squared_errors(moments, coefs, intercepts):
    """Weighted mean squared error of each (coef, intercept) on the rows
    whose moments these are; with several targets (coefs of shape
    (n_alphas, n_targets, p)), its mean over the targets."""
    S, mean = moments.scatter, moments.mean
    W = np.asarray(coefs, dtype=np.float64)
    p = W.shape[-1]
    W = W.reshape(-1, mean.shape[0] - p, p)
    B = np.asarray(intercepts, dtype=np.float64).reshape(W.shape[:2])
    centred = (np.diagonal(S[p:, p:]) - 2 * np.einsum("atj,jt->at", W, S[:p, p:])
               + np.einsum("atj,jk,atk->at", W, S[:p, :p], W))
    offset = mean[p:] - W @ mean[:p] - B
    # the centred part is a sum of squares: rounding can only take it below 0
    return (np.maximum(centred, 0.0) / moments.weight + offset ** 2).mean(axis=1)


def fold_moments(cv_est, data, fold_ids):
    """[(train moments, test moments)] per fold, and the total: one pass."""
    if fold_ids is not None:
        labelled = one_pass(data, folds=data.fold_blocks(fold_ids))
    else:
        labelled = one_pass(data, hashed=hashed_folds(cv_est.cv))
    folds, total, _ = split_folds(labelled)
    return folds, total


def _search(cv_est, extra, folds, total_reduced, targets):
    est = cv_est._estimator(**extra)
    validate_params(est)
    est._check_params(total_reduced.R.shape[1])
    if np.ndim(cv_est.alphas) == 0:
        top = grid_top(inner_estimator(est), total_reduced.R, total_reduced.z, None)
        grid = alpha_grid(top, int(cv_est.alphas), cv_est.eps)
    else:
        grid = check_alphas(cv_est.alphas)
    losses, coefs = np.empty((len(grid), len(folds))), []
    with collect_missed() as missed:
        for k, (train, test) in enumerate(folds):
            reduced = Reduced(train, est.fit_intercept, ridge=False, targets=targets)
            with collect_missed() as fold_missed, fit_progress(
                    cv_est.verbose, f"fold {k + 1}/{len(folds)}"):
                path = reduced_path(est, reduced, np.dtype(np.float64), alphas=grid)
            for m in fold_missed:
                m.where = f"fold {k + 1}" + (f", {m.where}" if m.where else "")
            record_all(fold_missed)
            losses[:, k] = squared_errors(test, path.coefs, path.intercepts)
            coefs.append(path.coefs)
    record_all(missed)
    return extra, grid, losses, coefs


@on_client
def fit_cv(cv_est, X, y, sample_weight, fold_ids, params):
    """``cv_est.fit`` (a least-squares ``*CV``) on Dask data."""
    validate_params(cv_est)
    if params:
        raise TypeError(f"{type(cv_est).__name__}.fit on Dask data takes no splitter "
                        f"parameters (got {sorted(params)}): give fold numbers as fold_ids")
    if getattr(cv_est._estimator_class, "_dask_fit", None) == "huber":
        from sklreg._dask._huber_cv import fit_huber_cv
        return fit_huber_cv(cv_est, X, y, sample_weight, fold_ids)
    if cv_est.scoring is not None:
        raise ValueError("scoring is not available on Dask data: folds are scored by "
                         "their mean squared error, computed from their moments; use "
                         "scoring=None")
    check_supported(cv_est._estimator(**cv_est._search_grid()[0]), type(cv_est).__name__)
    data = DaskData(X, y, sample_weight, targets=True)
    targets = check_target(cv_est, data)
    with fit_progress(cv_est.verbose, type(cv_est).__name__):
        folds, total = fold_moments(cv_est, data, fold_ids)
    if cv_est.verbose:
        print(f"[{type(cv_est).__name__}] one pass over {data.n_blocks} blocks of Dask "
              f"data: {total.rows} rows, {len(folds)} folds", flush=True)
    total_reduced = Reduced(total, cv_est.fit_intercept, ridge=False, targets=targets)
    with collect_missed() as missed:
        searches = [_search(cv_est, extra, folds, total_reduced, targets)
                    for extra in cv_est._search_grid()]
        extra, grid, losses = cv_est._select_search(searches)
        estimator = cv_est._estimator(alpha=cv_est.alpha_, **extra)
        cv_est.estimator_ = fit_reduced(estimator, total_reduced, data.dtype,
                                        data.feature_names)
        estimator.n_features_in_ = data.n_features
    warn_missed(missed, type(cv_est).__name__, len(searches) * len(folds) * len(grid) + 1,
                "fits (fold and alpha, and the refit)")
    cv_est.n_features_in_ = data.n_features
    if data.feature_names is not None:
        cv_est.feature_names_in_ = data.feature_names
    elif hasattr(cv_est, "feature_names_in_"):
        del cv_est.feature_names_in_
    cv_est._adopt_refit()
    cv_est._keep_path(estimator, None, None, None, grid,
                      data=ReducedPathData(estimator, total_reduced, data.dtype))
    warn_if_at_grid_edge(cv_est, grid, losses.mean(axis=1), lambda: validated_alpha_max(
        inner_estimator(estimator), total_reduced.R, total_reduced.z, None))
    return cv_est


def _fold_score(scoring, test, coefs, intercepts):
    """R^2 (scikit-learn's default) or the negated mean squared error of each
    (coef, intercept) on a test fold, from its moments."""
    mse = squared_errors(test, coefs, intercepts)
    if scoring == "neg_mean_squared_error":
        return -mse
    spread = test.scatter[-1, -1] / test.weight
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - mse / spread


@on_client
def fit_ridge_cv(cv_est, ridge, X, y, sample_weight, fold_ids, params):
    """``RidgeCV.fit`` with k folds on Dask data; ``ridge`` is its Ridge
    (any alpha)."""
    from sklreg.utils.validation import alpha_values

    validate_params(cv_est)
    if params:
        raise TypeError(f"RidgeCV.fit on Dask data takes no splitter parameters (got "
                        f"{sorted(params)}): give fold numbers as fold_ids")
    if cv_est.cv is None and fold_ids is None:
        raise ValueError("RidgeCV on Dask data needs k folds (cv=int or fold_ids): its "
                         "default leave-one-out needs each row's leverage, which a pass "
                         "of moments does not give")
    if cv_est.scoring not in (None, "r2", "neg_mean_squared_error"):
        raise ValueError(f"scoring={cv_est.scoring!r} is not available on Dask data: "
                         "folds are scored from their moments; use None (R^2), 'r2' or "
                         "'neg_mean_squared_error'")
    cv_est._fold_ids, cv_est._y_ndim, cv_est._split_params = fold_ids, 1, None
    data = DaskData(X, y, sample_weight)
    cv_est._check_params(data.n_features)
    alphas = alpha_values(cv_est.alphas, "alphas", index_single=False)
    order = np.argsort(-alphas, kind="stable")
    folds, total = fold_moments(cv_est, data, fold_ids)
    scores = np.empty((len(alphas), len(folds)))
    for k, (train, test) in enumerate(folds):
        path = reduced_path(ridge, Reduced(train, cv_est.fit_intercept, ridge=True),
                            np.dtype(np.float64), alphas=alphas[order])
        scores[order, k] = _fold_score(cv_est.scoring, test, path.coefs, path.intercepts)
    cv_est._select(alphas, scores.mean(axis=1), False, 1, scores)
    total_reduced = Reduced(total, cv_est.fit_intercept, ridge=True)
    refit = fit_reduced(ridge.set_params(alpha=cv_est.alpha_), total_reduced, data.dtype,
                        data.feature_names)
    for name in ("coef_", "intercept_", "dual_gap_", "feature_names_in_"):
        if hasattr(refit, name):
            setattr(cv_est, name, getattr(refit, name))
        elif hasattr(cv_est, name):
            delattr(cv_est, name)
    cv_est.n_iter_, cv_est.n_features_in_ = None, data.n_features
    cv_est._keep_path(ridge, None, None, None,
                      alphas[order], data=ReducedPathData(ridge, total_reduced, data.dtype))
    return cv_est
