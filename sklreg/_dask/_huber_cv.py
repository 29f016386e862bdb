"""HuberRegressorCV on Dask data: every fold's path in the same passes.

1. A first pass gives each fold's moments of ``[X, y]`` (rows keep their
   blocks: a fold is the user's ``fold_ids`` or a seeded hash, as for the
   least-squares CV).
2. With an automatic grid, its top is the in-memory one: the intercept-
   and-scale-only problem of all the rows (Newton's passes, shared with
   each fold's, which bound each fold's P(0)), then one pass for the
   gradient there.
3. Along the grid, each fold's problem (its training rows: the workers
   skip its test rows) is warm-started from its previous alpha, and every
   fold's Newton step at that alpha is computed in the same pass (one
   pass a step for all folds; re-certifying at the next alpha costs none,
   the sums at the point are kept).
4. The test losses, the in-memory ``HuberRegressorCV._loss`` exactly, for
   every (alpha, fold) at once (``_robust_score``, about eight passes),
   then the refit at ``alpha_`` on all rows (``fit_huber``).
"""
from types import SimpleNamespace

import numpy as np

from sklreg._dask._folds import hashed_folds, split_folds
from sklreg._dask._data import DaskData, refuse_bounds
from sklreg._dask._huber import fit_huber, first_pass, varying_columns, y_scale_of
from sklreg._dask._huber_blocks import block_requests, merge_results
from sklreg._dask._huber_newton import (Newton, SummedHuberProblem, Track, drive, null_settled,
                                         start)
from sklreg._dask._passes import Passes
from sklreg._dask._robust_score import merge_scores, robust_losses, score_block
from sklreg.model_selection import warn_if_at_grid_edge
from sklreg.path import alpha_grid
from sklreg.utils._warnings import collect_missed, warn_missed
from sklreg.utils.validation import check_alphas, validate_params


def fit_huber_cv(cv_est, X, y, sample_weight, fold_ids):
    """``HuberRegressorCV.fit`` on Dask data (see the module)."""
    if cv_est.scoring is not None:
        raise ValueError("scoring is not available on Dask data: folds are scored by the "
                         "Huber loss at the robust scale of their residuals, found in "
                         "passes over them; use scoring=None")
    est = cv_est._estimator()
    validate_params(est)
    refuse_bounds(est)
    data = DaskData(X, y, sample_weight)
    p = data.n_features
    est._check_params(p)
    passes = Passes(data, cv_est)
    hashed = None if fold_ids is not None else hashed_folds(cv_est.cv)
    per_block = (data.fold_blocks(fold_ids) if fold_ids is not None
                 else [None] * data.n_blocks)
    labelled, min_weight = first_pass(passes, per_block, hashed)
    folds, total, tested = split_folds(labelled)
    if total.weight <= 0:
        raise ValueError("sample_weight is zero on every row: nothing to fit")
    shared = SimpleNamespace(centre=total.mean[:p] if est.fit_intercept else np.zeros(p),
                             y_scale=y_scale_of(total), hashed=hashed)
    K = len(folds)

    def problem(moments, cols, penalty, held_out):
        return SummedHuberProblem(moments, min_weight, cols, est.epsilon, *penalty,
                                  est.fit_intercept, shared.y_scale, est.positive,
                                  shared.centre, held_out)

    empty = np.zeros(0, dtype=np.intp)
    nulls = [problem(train, empty, (np.zeros(0), np.zeros(0)), label)
             for (train, _), label in zip(folds, tested)]
    everything = problem(total, empty, (np.zeros(0), np.zeros(0)), None)
    null_solvers = [Newton(q, K + k, *start(m, q), m.rows) for k, (q, m) in enumerate(
        zip(nulls + [everything], [train for train, _ in folds] + [total]))]
    all_cols = varying_columns(total, est.fit_intercept, p)
    grad_problem = problem(total, all_cols, est._penalty_at(1.0, all_cols.size), None)
    consts = [None] * K + [q.consts() for q in nulls + [everything]] + [grad_problem.consts()]
    grid, top = _grid(cv_est, est, passes, shared, consts, per_block, null_solvers,
                      2 * K + 1, all_cols, p)
    mains, tracks, cols = [], [], []
    for k, ((train, _), label) in enumerate(zip(folds, tested)):
        cols.append(varying_columns(train, est.fit_intercept, p))
        mains.append(problem(train, cols[k], est._penalty_at(grid[0], cols[k].size), label))
        consts[k] = mains[k].consts()
        tracks.append(Track(Newton(mains[k], k, *start(train, mains[k]), train.rows),
                            null_solvers[k], est.tol, est.max_iter))
    coefs = np.zeros((K, len(grid), p))
    intercepts = np.zeros((K, len(grid)))
    with collect_missed() as missed:
        for a, alpha in enumerate(grid):
            if a:
                for k in range(K):
                    mains[k].set_penalty(*est._penalty_at(alpha, cols[k].size))
                    tracks[k].restart()
            drive(passes, shared, consts, tracks, per_block)
            for k in range(K):
                result = tracks[k].result()
                result.warn_if_not_converged(alpha=alpha)
                coefs[k, a, cols[k]] = result.coef
                intercepts[k, a] = result.intercept
            passes.say(f"alpha {a + 1}/{len(grid)} ({alpha:.4g}) certified in every fold")

        def run(task):
            return passes.run(score_block, merge_scores, hashed, tested, coefs, intercepts,
                              task, indexed=True, per_block=per_block)
        losses = robust_losses(run, [test.weight for _, test in folds], len(grid),
                               est.epsilon)
        passes.say(f"test losses of {len(grid)} alphas x {K} folds")
        cv_est._select_search([({}, grid, losses, list(coefs))])
        cv_est.estimator_ = fit_huber(cv_est._estimator(alpha=cv_est.alpha_), X, y,
                                      sample_weight)
    warn_missed(missed, type(cv_est).__name__, K * len(grid) + 1,
                "fits (fold and alpha, and the refit)")
    cv_est.n_features_in_ = p
    if data.feature_names is not None:
        cv_est.feature_names_in_ = data.feature_names
    elif hasattr(cv_est, "feature_names_in_"):
        del cv_est.feature_names_in_
    cv_est._adopt_refit()
    cv_est._keep_path(est, X, y, sample_weight, grid)
    warn_if_at_grid_edge(cv_est, grid, losses.mean(axis=1), lambda: top)
    return cv_est


def _grid(cv_est, est, passes, shared, consts, per_block, nulls, index, cols, p):
    """The alpha grid, and alpha_max (inf without an L1 part), as in memory:
    from the gradient at w = 0 with the best intercept and scale of all
    rows (``nulls[-1]``; ``consts[index]`` the problem of columns ``cols``),
    the nulls solved in shared passes."""
    needed = np.ndim(cv_est.alphas) == 0 or est.l1_ratio > 0
    tracks = [_NullTrack(null) for null in (nulls if needed else nulls[:-1])]
    drive(passes, shared, consts, tracks, per_block)
    top = np.inf
    if needed:
        full = nulls[-1]
        request = [("sums", index, np.zeros(cols.size), full.b, full.sigma)]
        (sums,) = passes.run(block_requests, merge_results, shared, consts, request,
                             indexed=True, per_block=per_block)
        grad = np.zeros(p)
        grad[cols] = sums["grad"]
        # l1_ratio = 0 never zeroes every coefficient: the grid starts at
        # the alpha_max of the L1 penalty (as in memory)
        scale = float(est._unit_penalty(est.l1_ratio or 1.0, p).alpha_max(grad))
        top = scale if est.l1_ratio > 0 else np.inf
    if np.ndim(cv_est.alphas) == 0:
        return alpha_grid(scale, int(cv_est.alphas), cv_est.eps), top
    return check_alphas(cv_est.alphas), top


class _NullTrack:
    """Newton's steps on a problem without features, to its own target
    (``null_settled``): its objective bounds P(0)."""

    def __init__(self, null):
        self.null = null

    @property
    def done(self):
        return self.null.cert is not None and null_settled(self.null)

    def solvers(self):
        return [] if self.done else [self.null]

    def update(self):
        pass
