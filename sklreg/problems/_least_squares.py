"""Least squares with an elastic-net-type penalty, one target.

Lasso, ElasticNet and the compiled Ridge solvers (``solver='cd'/'pg'``,
``positive=True``) minimise ``1/(2 n_w) sum_i s_i r_i**2 + penalty(w)``
(Ridge's objective divided by ``2 n_w``, its results scaled back).  The
problem is built once from the validated data; it holds the datafit (the
residual of its current coefficients), so a fit and a path start where the
previous solve ended.
"""
import numpy as np

from sklreg._core._datafits import LeastSquares
from sklreg._core._screening import GradientBounds
from sklreg.solvers import solve_cd, solve_pg
from sklreg.solvers._ridge import ridge_penalty, to_ridge_units
from sklreg.solvers._support import SupportSolver
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import progress_at

# A path's points stop at a gap of tol**1.5 * P(0) (certified at tol * P(0)):
# at a gap of tol * P(0) a LassoCV's test losses are ~1e-3 off at the default
# tol where scikit-learn's are ~1e-6 off, enough to pick another alpha.  From
# PATH_POLISH_TOL down they are also polished on their support (see
# ``solve_cd``): CD alone cannot get them as close as scikit-learn's; above
# it a polish at every alpha would cost a LassoCV 2-4x its time.
PATH_POLISH_TOL = 1e-8


def path_target(tol):
    """Relative gap a path's points stop at (certified at ``tol``)."""
    return tol * min(1.0, np.sqrt(tol))


class ElasticNetUnits:
    """The estimator's penalty is the solver's: ``unit`` (a
    ``sklreg.penalties`` penalty at alpha = 1) scaled by alpha."""

    polish = True           # a fit is polished on its support once certified

    def __init__(self, unit, n_features):
        self.unit, self.n_features = unit, n_features
        self.compiled = unit.compile(n_features)

    def scale(self, n_w):
        return 1.0

    def penalty(self, alpha, n_w):
        return self.compiled.scaled(alpha)

    def result(self, result, n_w):
        return result


class RidgeUnits:
    """Ridge's ``sum_i s_i r_i**2 + alpha ||w||^2``, solved divided by
    ``2 n_w`` (``l2 = alpha / n_w``); results are put back in its units."""

    polish = False

    def __init__(self, n_features, positive):
        self.n_features, self.positive = n_features, positive

    def scale(self, n_w):
        return 2.0 * n_w

    def penalty(self, alpha, n_w):
        return ridge_penalty(alpha, n_w, self.n_features, self.positive)

    def result(self, result, n_w):
        return to_ridge_units(result, n_w)


class LeastSquaresProblem:
    """``min_{w, b} 1/(2 n_w) sum_i s_i (y_i - x_i . w - b)**2 + penalty``.

    Parameters
    ----------
    design : sklreg._core._design.Design
        X (shared by the targets of one fit).
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
    fit_intercept : bool
    units : ElasticNetUnits or RidgeUnits
        The penalty at each alpha, and the units results are reported in.
    tol, max_iter : float, int
        The certificate's relative target, ``tol * P(0)``, and the budget.
    coef_init : ndarray of shape (n_features,), default=None
        Starting coefficients (zeros by default); they are updated by every
        solve, which starts where the previous one ended.
    solver : {'cd', 'pg'}, default='cd'
    seed : int, default=0
        Coordinate order of 'cd': 0 cyclic, else the seed of a random order.
    """

    def __init__(self, design, y, sample_weight, fit_intercept, units, *, tol, max_iter,
                 coef_init=None, solver="cd", seed=0):
        n_features = design.n_features
        # a start outside the coefficients' bounds is moved into them
        self.coef = units.penalty(1.0, 1.0).project(
            np.zeros(n_features) if coef_init is None else coef_init)
        self.datafit = LeastSquares(design, y, sample_weight, self.coef, fit_intercept)
        self.units, self.tol, self.max_iter = units, tol, max_iter
        self.solver, self.seed = solver, seed

    @property
    def p0(self):
        """The objective at ``w = 0`` with the best intercept, in the
        estimator's units."""
        return self.units.scale(self.datafit.n_w) * self.datafit.primal_at_zero

    def alpha_max(self):
        """Smallest alpha with every penalised coefficient at its
        ``null_point`` (0, or its bound nearest 0; ``inf`` without an L1
        part).  Moves the coefficients to the solution there: the
        penalised ones at that point, the others fitted."""
        if not isinstance(self.units, ElasticNetUnits):
            raise TypeError("alpha_max is not defined for Ridge: no alpha sets every "
                            "coefficient to zero")
        penalty = self.units.compiled
        null = penalty.null_point()
        if np.any(self.coef != null):
            self.coef[:] = null
            self.datafit.refresh(self.coef)
        if not np.all(penalty.penalized_mask()):
            solve_cd(self.datafit, penalty.pinned(), self.coef, tol=self.tol,
                     max_iter=self.max_iter)
        _, _, v = self.datafit.full_gap(penalty, self.coef)
        return penalty.alpha_max(v)

    def solve(self, alpha):
        """The fit at ``alpha`` from the current coefficients: a
        ``SolverResult`` in the estimator's units (its ``coef`` is the
        problem's own array)."""
        n_w = self.datafit.n_w
        penalty = self.units.penalty(alpha, n_w)
        if self.solver == "pg":
            result = solve_pg(self.datafit, penalty, self.coef, tol=self.tol,
                              max_iter=self.max_iter)
        else:
            result = solve_cd(self.datafit, penalty, self.coef, tol=self.tol,
                              max_iter=self.max_iter, seed=self.seed,
                              polish=self.units.polish)
        return self.units.result(result, n_w)

    def certificate(self, alpha):
        """(duality gap, objective) of the current coefficients at
        ``alpha``, in the estimator's units."""
        n_w = self.datafit.n_w
        gap, primal, _ = self.datafit.full_gap(self.units.penalty(alpha, n_w), self.coef)
        scale = self.units.scale(n_w)
        return max(gap, 0.0) * scale, primal * scale

    def path(self, alphas):
        """Solutions at each of ``alphas`` in turn, warm-started, by
        coordinate descent (cyclic, whatever ``solver``): yields one
        ``SolverResult`` per alpha (its ``coef`` a copy), in the
        estimator's units.  Each stops at ``path_target(tol)``, certified
        at ``tol``; the support's factorisation and the gradient carry over
        from one alpha to the next."""
        datafit, w, tol = self.datafit, self.coef, self.tol
        exact = SupportSolver(datafit,
                              capacity=2 * min(datafit.rank_bound, w.shape[0]) + 100)
        gradient, bounds = None, GradientBounds(datafit)
        with single_threaded_blas():       # once here, not once per alpha in solve_cd
            for alpha in alphas:
                progress_at(alpha)
                result = solve_cd(datafit, self.units.penalty(alpha, datafit.n_w), w,
                                  tol=tol, max_iter=self.max_iter, support_solver=exact,
                                  gradient=gradient, polish=tol <= PATH_POLISH_TOL,
                                  target=path_target(tol), gradient_bounds=bounds)
                gradient = result.gradient     # w is where it ended: its gradient holds
                result = self.units.result(result, datafit.n_w)
                result.coef = w.copy()
                yield result

