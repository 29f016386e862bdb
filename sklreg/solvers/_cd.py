"""Working-set coordinate descent.

Outer loop (here, in Python, a few numpy operations per iteration): compute
the gradient and the duality gap on all features, stop if certified, else pick
a working set -- every non-zero coefficient, every unpenalised feature, and
the features that violate their optimality condition the most -- and hand it
to the compiled kernel, which runs CD passes on it until its own gap is a
fraction of the full one.  Features outside the set stay at zero.  Without
a strongly convex penalty the set stays within rank(X); tiny problems first
get plain passes over every feature (one compiled call instead of a loop),
on the normal equations when there are many more samples than features
(glmnet's covariance updates: a step costs p, not n), certified from the
residual recomputed from w.

Gap Safe screening: from the gap, a ball around the current dual point is
known to hold the optimal one; features whose correlation stays below their
penalty on the whole ball are zero at the optimum and leave the gap passes
and the working sets.  Between gaps, a gradient entry moves by at most a
column norm times how far the residual moved: zero features whose bound
stays below their penalty cannot change the gap, and a gap does not read
their columns (``GradientBounds``; 73% of the gap columns of a 100-alpha
path to near interpolation, where screening discards little).  A gap far
above the target only steers the working set: it also skips the features
whose bound stays below their penalty with a tenth of its drift (the
residual's moves rarely all line up with a column), and is an estimate.
Only certified gaps stop a solve or screen: an estimate that reaches the
target is completed by reading the columns it skipped.  The kernel hands
back the gradient of its last check on the working set, and the next gap
does not read those columns either.

Exact finishing (``_support.py``): the optimum restricted to the current
support and signs solves one linear system (the support's normal equations
plus the penalty's fixed-sign terms).  It is solved -- Cholesky, then a
feature-sign search (Lee, Battle, Raina & Ng, 2007) where a sign is wrong --
once coordinate descent has spent as much work as it costs and would still
need more at its current rate.  The result always lowers the objective; the
next full gap certifies it or hands back to coordinate descent, which adds
the features that still violate their optimality condition.  Along a path
the factor is extended, not recomputed, so each alpha starts with one cheap
solve from the previous support.  This turns the ill-conditioned regime
near interpolation, where CD needs hundreds of passes, into a few.  Right
after a finish, if only a few features violate their condition, they join
the support with the sign of their gradient and the system is solved again
(an active-set step, as a homotopy would take, but for all of them at once):
on the 100-alpha path it takes the place of most CD passes at small alphas.
"""
import numpy as np

from sklreg._core._cd import cd_epochs
from sklreg._core._screening import GradientBounds, gap_safe
from sklreg.solvers._base import (SolverResult, check_penalty, reachable_target,
                                  zero_if_rounding)
from sklreg.solvers._cd_small import is_small, plain_passes
from sklreg.solvers._cd_working_set import (SignPatterns, entering_features, entering_limit,
                                            first_size, next_size, nonzero, working_set)
from sklreg.solvers._support import SupportSolver
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import report_progress, solver_progress

LOOSE = 0.1            # gaps 3x above the target bound the gradient's
LOOSE_ABOVE = 3        # drift by a tenth of Cauchy-Schwarz's: 55% fewer
                       # columns read on a LassoCV fold, 23% on alpha_max/100
                       # (above 10x: 46% on the fold; 0.05: more CD passes)
INNER_FRACTION = 0.2   # the inner solve stops at this fraction of the outer gap
                       # (outer gaps are cheap estimates: more of them and
                       # shorter inner solves; 0.3 is 4% slower at
                       # alpha_max / 100 and on a LassoCV fold)
EPS = np.finfo(np.float64).eps
STABLE_EPOCHS = 5      # passes without a sign change before an exact finish
SCREEN_MIN_FEATURES = 200  # screening pays from about this many features
SCREEN_MIN_COLUMN = 100    # ... and columns of this many stored entries: its
                           # numpy work per feature is worth ~20 multiply-adds
FINISH_EPOCHS = 10     # CD passes before the first exact finish
EXACT_STEPS = 1e3 * EPS  # steps below this times max|w|: w is exact already
SLOW_RATE = 0.25       # CD whose passes shrink the gap by less than this ...
STEP_MARGIN = 0.1      # ... stops its steps at this fraction of the least
                       # scikit-learn's last pass may leave (``_steps``)
POLISHES = 3           # exact solves once certified: one, and more while
                       # features violate optimality (they join the support)
NEEDS = {"prox", "conjugate"}          # of the penalty (``Penalty.provides``)
NEEDS_EXACT = NEEDS | {"fixed_sign_system"}   # ... with exact finishing


def _cd_cost_left(gap_before, gap_after, target, epochs, size):
    """Column operations CD still needs at its last rate of progress (it
    converges linearly: the gap shrank by gap_after / gap_before in
    ``epochs`` passes of ``size`` columns)."""
    if target <= 0:
        return np.inf
    if not 0 < gap_after < gap_before or gap_after <= target:
        return np.inf if gap_after > target else 0.0
    return epochs * size * np.log(gap_after / target) / np.log(gap_before / gap_after)


@solver_progress("coordinate descent", "passes")
def solve_cd(datafit, penalty, w, *, tol=1e-4, max_iter=1000, seed=0,
             check_every=10, extrapolate=True, exact_finish=True, screening=True,
             support_solver=None, gradient=None, gradient_bounds=None, polish=False,
             target=None):
    """Minimise ``datafit + penalty`` by working-set coordinate descent.

    Parameters
    ----------
    datafit : sklreg._core._datafits.LeastSquares
        Bound to X, y and weights; its residual must match ``w``.
    penalty : sklreg._core._penalties.Penalty
    w : ndarray of shape (n_features,), float64
        Starting point, updated in place.
    tol : float
        Stop when the duality gap is at most ``tol * P(0)``.
    max_iter : int
        Budget of passes over the working set.
    seed : int
        0 for cyclic order, else the seed of a random order per pass.
    check_every : int
        Passes between two gap checks of an inner solve.
    extrapolate : bool
        Try Anderson extrapolation every few passes (kept only when it
        lowers the objective).
    exact_finish : bool
        Solve the support's linear system once support and signs settle.
    screening : bool
        Discard features proven zero at the optimum (Gap Safe rules) from
        the gap computations and working sets.
    support_solver : SupportSolver, optional
        Gram entries, Cholesky factor and CD work since the last finish, to
        reuse (a path passes one to every alpha).
    gradient : ndarray of shape (n_features,), optional
        Minus the datafit's gradient at ``w`` where not NaN: a path passes
        the previous alpha's ``SolverResult.gradient``, so the first gap
        computes only the missing entries instead of a pass over X.
    gradient_bounds : GradientBounds, optional
        Bounds on the gradient entries not read, to reuse (a path passes one
        to every alpha); made here when screening applies.
    polish : bool
        Once certified, unless w is exact already or its passes are slow
        (``_steps``), solve the support exactly and refine
        (``SupportSolver.polish``): coefficients at least as accurate as
        scikit-learn's at the same ``tol``
        (estimators ask for it; paths only at a tight tol, see
        ``sklreg.path``).
    target : float, optional
        Stop at a gap of ``target * P(0)`` (below ``tol``: a tighter stop);
        the result still counts as converged, and no warning is due, once
        its gap is within ``tol * P(0)``.  Default: ``tol``.

    Returns
    -------
    SolverResult
    """
    check_penalty("coordinate descent", penalty, NEEDS_EXACT if exact_finish else NEEDS)
    # One BLAS thread throughout: the passes' level-1 calls ran 1.5x slower
    # with OpenBLAS set to 2 threads (per pass, 1000 x 5000); the
    # factorisations are small, and threaded BLAS on a busy machine (or
    # under CV folds run in parallel) spins instead of working -- 20x slower
    # on 2 loaded cores
    with single_threaded_blas():
        return _solve_cd(datafit, penalty, w, tol, max_iter, seed, check_every,
                         extrapolate, exact_finish, screening, support_solver, gradient,
                         gradient_bounds, polish, target)


def _solve_cd(datafit, penalty, w, tol, max_iter, seed, check_every, extrapolate,
              exact_finish, screening, support_solver, gradient, bounds, polish, target):
    p = w.shape[0]
    p0 = datafit.primal_at_zero
    certified_abs = tol * p0      # what the result must reach
    tol_abs = min(tol, target if target is not None else tol) * p0    # where it stops
    constant = zero_if_rounding(datafit, w, tol_abs, penalty)
    if constant is not None:
        return constant
    if gradient is None and datafit.start_gradient is not None and not np.any(w):
        gradient = datafit.start_gradient        # a cold start: computed with X's norms
    rank_bound = datafit.rank_bound
    curvature = _curvature(penalty, p)
    strongly_convex = curvature is not None and np.all(curvature > 0)
    # supports finished: up to the rank (a lasso optimum's bound); near it CD
    # crawls (400-1000 passes an alpha), and a singular support's factor
    # fails and is left to CD
    size_bound = p + 1 if strongly_convex else rank_bound + 1
    # the residual is recomputed from w before it certifies once its
    # updates could have drifted it by a hundredth of the target (each adds
    # at most a rounding of r, which moves the gap by ~ eps * 2 P(0))
    refresh_after = 0.005 * tol / EPS
    polishes = POLISHES if polish and exact_finish and curvature is not None else 0
    rate = None            # the gap's contraction per CD pass, last measured
    continued = False      # past the certificate by CD, instead of a polish
    n_iter = 0
    if is_small(datafit, p, rank_bound):
        # plain passes over every feature first (see _cd_small)
        n_iter, gap, primal, gradient, support_solver = plain_passes(
            datafit, penalty, w, gradient, support_solver, tol_abs, max_iter, check_every,
            seed, extrapolate, exact_finish)
        report_progress(n_iter, gap, tol_abs, working_set=p, coef=w)
        if (gap <= reachable_target(datafit, tol_abs) and datafit.updates <= refresh_after
                and (not polishes or not 0 < np.count_nonzero(w) < size_bound
                     or _steps(datafit, penalty, curvature, w, gradient)
                     <= EXACT_STEPS * np.max(np.abs(w)))):
            return SolverResult(coef=w, intercept=datafit.intercept, gap=gap,
                                primal=primal, tol_abs=reachable_target(datafit, certified_abs),
                                n_iter=n_iter, gradient=gradient, unit="passes")
    movable = np.asarray(datafit.lipschitz) > 0      # updated as features are screened
    always = movable & ~penalty.penalized_mask()
    last_gap = np.inf
    ws_size = first_size(p)
    tried = SignPatterns()  # support and signs already solved for exactly
    just_finished = False
    budget = FINISH_EPOCHS  # CD passes before an exact finish is tried
    # with few features a gap pass is cheap and the test's overhead is not
    screen = (screening and p >= SCREEN_MIN_FEATURES and curvature is not None
              and datafit.column_length >= SCREEN_MIN_COLUMN and not np.any(always))
    l1 = penalty.screening_weights() if screen else None
    lipschitz = np.asarray(datafit.lipschitz)
    active = None          # coordinates not screened (None: all)
    if support_solver is None and exact_finish:
        support_solver = SupportSolver(datafit, capacity=2 * min(rank_bound, p) + 100)
    # a warm start whose support the factor holds (the previous alpha of a
    # path ended there): a finish first.  Near interpolation CD from there
    # wandered past the rank bound for 100-250 passes before finishing
    warm = support_solver is not None and support_solver.covers(penalty, nonzero(w))
    if not screen:
        bounds = None
    elif bounds is None:
        bounds = GradientBounds(datafit)
    while True:
        # far above the target a gap only steers the working set: bounds
        # with a fraction of their drift skip more columns (an estimate: a
        # feature skipped so may violate its condition).  It is completed
        # into a certificate before it can stop the solve or screen.
        loose = LOOSE if bounds is not None and last_gap > LOOSE_ABOVE * tol_abs else 1.0
        if bounds is not None:
            gradient = bounds.skip(datafit, w, l1, movable, gradient, loose)
        gap, primal, v = datafit.full_gap(penalty, w, active, gradient)
        if loose < 1 and (gap <= reachable_target(datafit, tol_abs) or n_iter >= max_iter):
            v[bounds.skipped] = np.nan                 # read the rest
            gradient = bounds.skip(datafit, w, l1, movable, v)
            gap, primal, v = datafit.full_gap(penalty, w, active, gradient)
            loose = 1.0
        certified = loose == 1.0
        report_progress(n_iter, gap, tol_abs, working_set=ws_size, coef=w,
                        gap_name="duality gap" if certified else "duality gap (bound)")
        gradient = None
        magnitude = None if bounds is None else bounds.record(v)   # |v|, bounded where not read
        if certified and gap <= reachable_target(datafit, tol_abs):
            if datafit.updates > refresh_after:
                datafit.refresh(w)        # the certificate is then about w itself
                continue
            support = nonzero(w)
            steps = (_steps(datafit, penalty, curvature, w, v, movable)
                     if polishes and 0 < support.size < size_bound else None)
            if (steps is not None and rate is not None and rate >= SLOW_RATE
                    and not is_small(datafit, p)):    # else a polish is cheap
                # slow passes: scikit-learn's last one left its coordinates
                # moving by at least sqrt(rate) * tol * max|w|, and its
                # coefficients as far off as slow passes leave them.  Steps
                # a tenth of that are as accurate; coordinate descent gets
                # there (the gap shrinks as the steps squared) when that
                # costs less than the polish below
                wanted = STEP_MARGIN * np.sqrt(rate) * tol * np.max(np.abs(w))
                if steps <= wanted:
                    break
                target = gap * (wanted / steps) ** 2
                passes = np.log(gap / target) / -np.log(rate)
                if (not continued and target > 4 * reachable_target(datafit, 0.0)
                        and passes * ws_size < support_solver.cost(penalty, support)):
                    tol_abs, gradient, continued = target, v, True
                    continue
            if steps is not None and steps > EXACT_STEPS * np.max(np.abs(w)):
                # certified: now the coefficients to machine precision (a gap
                # at its rounding floor still leaves them sqrt(eps) off).
                # Solve exactly on the support, again with the features that
                # then violate optimality, if any
                entering, signs = entering_features(penalty, w, v, movable,
                                            size_bound - 1 - support.size)
                if polishes == POLISHES or entering.size:
                    polishes -= 1
                    if support_solver.polish(
                            penalty, w, np.concatenate([support, entering]),
                            np.concatenate([np.sign(w[support]), signs])):
                        continue          # certify the polished w
            break
        if n_iter >= max_iter:
            break
        if screen and certified:
            screened = gap_safe(penalty, v, gap, l1, lipschitz, movable, magnitude)
            if screened.size:
                movable[screened] = False
                active = np.flatnonzero(movable).astype(np.intc)
                if np.any(w[screened] != 0):     # zero at the optimum: put there
                    datafit.move(w, screened.astype(np.intc), np.zeros(screened.size))
                    continue
        nnz = np.count_nonzero(w)
        ws_size = next_size(ws_size, gap > 0.5 * last_gap, nnz, always, movable,
                            None if strongly_convex else rank_bound)
        last_gap = gap
        if ws_size == 0:
            break
        # Exact finishes are tried once their cost is at most the CD work
        # spent since the last one (along a path: at any alpha), so CD runs
        # in slices up to that point; at once when cheaper than one pass (a
        # warm start whose support is factorised).
        # Beyond the rank a support's system is singular unless the penalty
        # is strongly convex: leave it to CD.
        support = nonzero(w)
        finishing = exact_finish and 0 < support.size < size_bound
        if finishing and just_finished:
            # Active-set step (a homotopy's move, batched): right after an
            # exact finish, the features that now violate optimality join
            # the support in the direction of their gradient and the system
            # is solved again -- a few rows added to the factor where CD
            # would need passes over the whole working set
            just_finished = False
            entering, signs = entering_features(
                penalty, w, v, movable, min(entering_limit(support.size),
                                            size_bound - 1 - support.size))
            joint = np.concatenate([support, entering])
            if entering.size and tried.first_try(w, joint):
                if support_solver.finish(penalty, w, joint,
                                         np.concatenate([np.sign(w[support]), signs])):
                    tried.first_try(w, nonzero(w))
                    just_finished, last_gap = True, np.inf
                    continue
        just_finished = False
        # the working set: after the active-set step, which does without
        ws = working_set(penalty, w, v, always, movable, ws_size)
        epochs_left = max_iter - n_iter
        affordable = False
        if finishing:
            cost = support_solver.cost(penalty, support)
            if (cost <= ws.size or warm) and tried.first_try(w, support):
                warm = False
                just_finished = support_solver.finish(penalty, w, support)
                tried.first_try(w, nonzero(w))   # solved: not again
                last_gap = np.inf                        # not a reason to widen
                continue
            spent = support_solver.spent
            affordable = cost <= spent + budget * ws.size
            wait = budget if affordable else int(np.ceil((cost - spent) / ws.size))
            epochs_left = min(epochs_left, wait)
            # a support and signs already solved for are no reason to stop
            affordable = affordable and not tried.seen(w, support)
        warm = False
        inner_tol = max(INNER_FRACTION * gap, 0.5 * reachable_target(datafit, tol_abs))
        # the gradient it returns on ws spares the next gap those columns
        epochs, inner_gap, _, _, _, gradient = cd_epochs(
            datafit, penalty, w, np.sort(ws).astype(np.intc), epochs_left,
            inner_tol, check_every, seed, extrapolate, STABLE_EPOCHS if affordable else 0)
        n_iter += epochs
        if nnz and epochs > 0 and 0 < inner_gap < gap:   # not from w = 0: early
            rate = (inner_gap / gap) ** (1.0 / epochs)    # passes are faster
        if support_solver is not None:
            support_solver.spent += epochs * ws.size
        support = nonzero(w)
        if (finishing and inner_gap > inner_tol and 0 < support.size < size_bound
                and support_solver.cost(penalty, support)
                <= min(support_solver.spent,
                       _cd_cost_left(gap, inner_gap, tol_abs, epochs, ws.size))):
            gradient = None                 # w moves
            just_finished = (tried.first_try(w, support)
                             and support_solver.finish(penalty, w, support))
            if not just_finished:
                budget = min(2 * budget, max_iter)   # CD was not done: give it longer
            tried.first_try(w, nonzero(w))
        elif finishing:
            budget = min(2 * budget, max_iter)       # CD is doing well: let it
    if bounds is not None:
        v[bounds.skipped] = np.nan        # not known: not to be carried
    return SolverResult(coef=w, intercept=datafit.intercept, gap=gap, primal=primal,
                        tol_abs=reachable_target(datafit, certified_abs), n_iter=n_iter, gradient=v,
                        unit="passes")


def _curvature(penalty, p):
    """The penalty's curvature on every coordinate (the first part of its
    ``fixed_sign_system``), None when it has no such system.  Read from its
    weights where it has them: a plain copy, where the system on every
    coordinate gathered both weights (a tenth of a 100-alpha path on
    100,000 sparse features)."""
    if "fixed_sign_system" not in penalty.provides:
        return None
    if hasattr(penalty, "weights"):
        return penalty.weights()[1]
    return penalty.fixed_sign_system(np.arange(p), np.ones(p))[0]


def _steps(datafit, penalty, l2, w, v, movable=None):
    """The largest coordinate step at w: how far one exact update would move
    a coordinate, its optimality violation over its curvature.

    scikit-learn stops once a pass moves no coordinate by more than ``tol *
    max|w|``, but its last pass can move them far less: where passes
    converge fast its coefficients end ~tol**2 relative from the optimum,
    far beyond what its gap certifies.  So a certified fit is polished
    unless its steps are at rounding level (an exact finish solved the
    right support and signs), or its passes are slow (see ``SLOW_RATE``).
    ``l2`` is the penalty's curvature (``fixed_sign_system``'s first part).
    """
    curvature = np.asarray(datafit.lipschitz) + l2
    read = curvature > 0 if movable is None else movable & (curvature > 0)
    # (divided in place where read: gathering both sides first cost more,
    # at a million features, than the division)
    steps = np.divide(penalty.subdiff_distances(w, v), curvature, out=np.zeros(w.shape[0]),
                      where=read)
    return np.max(steps, initial=0.0)
