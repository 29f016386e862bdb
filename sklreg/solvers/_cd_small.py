"""Coordinate descent on small problems: plain passes over every feature,
in one compiled call (on a small X, a path of 100 alphas through working
sets is mostly Python overhead); first on the normal equations when there
are many more samples than features (glmnet's covariance updates: a step
costs p multiply-adds, not n), certified from the residual recomputed
from w.  Not when p > rank(X): there CD on every feature grows supports
beyond the rank, which working sets and exact finishes avoid."""
import numpy as np

from sklreg._core._cd import cd_epochs, cd_gram_epochs
from sklreg.solvers._base import reachable_target
from sklreg.solvers._support import SupportSolver

TINY_WORK = 4e5        # multiply-adds of a pass over X below which working
                       # sets cost more Python time than they save
TINY_EPOCHS = 20       # plain passes over every feature they start with
GRAM_RATIO = 2         # ... on the normal equations first, with this many
                       # times more samples than features (sparse X too: its
                       # fits then take the steps dense X takes)
GRAM_EPOCHS = 200      # passes on them (each costs ~p/n of one over X)
GRAM_FRACTION = 0.25   # they stop at this fraction of the target (estimated)


def is_small(datafit, n_features, rank_bound=None):
    """True when a pass over X costs too little for working sets to pay
    (and, given ``rank_bound``, there are no more features than it)."""
    return (datafit.n_samples * n_features <= TINY_WORK
            and (rank_bound is None or n_features <= rank_bound))


def plain_passes(datafit, penalty, w, gradient, support_solver, tol_abs, max_iter,
                 check_every, seed, extrapolate, exact_finish):
    """Passes over every feature from ``w`` (updated in place) towards a gap
    of ``tol_abs``; the Gram passes need ``exact_finish`` (their normal
    equations are the exact finish's, kept in ``support_solver``).

    Returns (n_iter, gap, primal, gradient, support_solver)."""
    p = w.shape[0]
    n_iter = 0
    gap, primal, gradient = datafit.full_gap(penalty, w, gradient=gradient)
    if (gap > reachable_target(datafit, tol_abs) and exact_finish
            and datafit.n_samples >= GRAM_RATIO * p
            and not np.any(datafit.mu_centred)):
        # passes on the normal equations, then one certificate from the
        # residual recomputed from w (not with a column whose mean
        # dominates its spread: its sparse Gram entries cancel)
        if support_solver is None:
            support_solver = SupportSolver(datafit, capacity=p)
        n_iter, _ = cd_gram_epochs(datafit, penalty, *support_solver.normal_equations(),
                                   w, min(max_iter, GRAM_EPOCHS), GRAM_FRACTION * tol_abs)
        datafit.refresh(w)
        gap, primal, gradient = datafit.full_gap(penalty, w)
    if gap > reachable_target(datafit, tol_abs) and n_iter < max_iter:
        epochs, gap, primal, _, _, gradient = cd_epochs(
            datafit, penalty, w, np.arange(p, dtype=np.intc),
            min(max_iter - n_iter, TINY_EPOCHS), tol_abs, check_every, seed,
            extrapolate, 0)
        n_iter += epochs
    return n_iter, gap, primal, gradient, support_solver
