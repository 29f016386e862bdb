"""QuantileRegressor: the pinball loss with an L1 / elastic-net penalty."""
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg._core._penalties import L1L2
from sklreg.linear_model._base import (BOUNDS_CONSTRAINTS, BOUNDS_DOC, FEATURES_IN_DOC,
                                        NullGradientAlphaMaxMixin, PenalizedRegressor,
                                        coefficient_bounds)
from sklreg.losses import PinballLoss
from sklreg.penalties import ElasticNetPenalty
from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, check_penalty, gap_target
from sklreg.solvers._glob import solve_globbed, subsample_size
from sklreg.solvers._highs import solve_highs
from sklreg.solvers._ipm import NEEDS, solve_ipm
from sklreg.solvers._quantile_problem import QuantileProblem
from sklreg.solvers._rows import Rows, conditioned
from sklreg.solvers._working_set import solve_working_set
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils.stats import weighted_quantile

HIGHS = {"highs", "highs-ds", "highs-ipm"}
OWN = {"ipm": solve_ipm, "ipm-glob": solve_globbed, "ipm-ws": solve_working_set}
# scikit-learn's other names: its dense simplex returns the optimal vertex,
# which sklreg's own solvers return too; SciPy removed 'interior-point'
SIMPLEX = "revised simplex"
REMOVED = "interior-point"
GLOB_MIN_SAMPLES = 50_000   # below this, preprocessing did not pay (measured)


class QuantileRegressor(NullGradientAlphaMaxMixin, PenalizedRegressor):
    __doc__ = f"""Linear regression for a conditional quantile, exact and certified.

    Minimises, exactly as :class:`sklearn.linear_model.QuantileRegressor`
    when ``l1_ratio=1`` (the default)::

        1 / n_w * sum_i s_i rho_tau(y_i - x_i . w - b)
        + alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio) / 2 * ||w||_2**2

    where ``rho_tau(r) = r * (tau - [r < 0])`` is the pinball loss at
    ``tau = quantile``, ``s`` are the sample weights and ``n_w`` their sum
    (``n_samples`` without weights).  The intercept ``b`` is not penalised.

    sklreg's solver is a primal-dual (Frisch-Newton / Mehrotra
    predictor-corrector) interior point working on the ``(p+1) x (p+1)``
    normal matrix ``X^T diag(q) X``: no linear-program copy of X is built,
    each iteration costs one weighted Gram product, and a fit takes 10-30
    iterations whatever ``tau`` and ``alpha``.  It is finished by a
    *crossover* to the exact optimum: from the rows the interior point
    finds at zero residual, the optimal vertex of the linear program
    (``l1_ratio=1``, or ``alpha=0``) is solved exactly and confirmed by
    simplex steps; with an L2 part (``l1_ratio < 1``), the optimum's linear
    system on its rows at zero.  So ``coef_`` has the exact zeros of the L1
    penalty (as scikit-learn's HiGHS vertex), and its duality gap is at the
    level of rounding.

    The certificate is the duality gap: the objective minus the dual
    objective at a feasible dual point built from the solver's multipliers.
    ``P(0)`` is the objective at ``w = 0`` with the best intercept (the
    weighted ``tau``-quantile of y).  The dual is
    ``max theta . y / n_w`` over ``theta_i in [s_i (tau - 1), s_i tau]``,
    ``sum theta = 0`` with an intercept and ``|X^T theta|_j <= n_w alpha``
    for the L1 penalty (the elastic-net conjugate when ``l1_ratio < 1``).

    Parameters
    ----------
    quantile : float, default=0.5
        The quantile ``tau`` to model, strictly between 0 and 1.
    alpha : float, default=1.0
        Penalty strength, non-negative (scikit-learn's default).
    l1_ratio : float, default=1.0
        Mix of the penalty in [0, 1]; 1 is scikit-learn's L1 penalty.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.
    solver : {{'auto', 'ipm', 'ipm-glob', 'ipm-ws', 'highs', 'highs-ds', \
            'highs-ipm', 'revised simplex', 'interior-point'}}, default='auto'
        ``'ipm'`` is sklreg's interior point.  ``'ipm-ws'`` runs it on a
        growing working set of features (those violating their dual
        constraint most), certified on all features: for an L1 penalty with
        a sparse solution (at most n non-zeros when p > n).  ``'ipm-glob'``
        first solves a
        subsample and then a problem restricted to the samples near the
        fitted quantile, the others summed into two pseudo-samples (Portnoy
        & Koenker's preprocessing), re-solving until the gap on the *full*
        data is certified -- exact, and several times faster for large n.
        ``'auto'`` takes ``'ipm-glob'`` when ``n_samples >= 50000`` and the
        subsample is at most a quarter of the data, ``'ipm-ws'`` when
        ``n_features > n_samples`` with an L1 part, else ``'ipm'``.  All
        three end with the exact finish.  The ``'highs*'`` values run
        SciPy's ``linprog`` on scikit-learn's own linear program, so code
        written for scikit-learn keeps running; they need ``l1_ratio=1``,
        cost the LP's memory (2n + 2p columns) and were measured 50-1000x
        slower (``benchmarks/suite_quantile.py``).  scikit-learn's
        ``'revised simplex'`` (SciPy's deprecated dense simplex) runs what
        ``'auto'`` runs: it returns the optimal vertex too, on sparse X as
        well.  ``'interior-point'`` raises scikit-learn's ValueError: SciPy
        removed it in 1.11.  ``solver_`` says what ran.
    solver_options : dict, default=None
        For the ``'highs*'`` solvers, options passed to
        :func:`scipy.optimize.linprog`.  sklreg's solver takes none: it must
        be None or empty then.
    tol : float, default=1e-6
        The duality gap of the returned solution is at most ``tol * P(0)``
        (else a ConvergenceWarning).  The interior point hands over to the
        exact finish once its gap is at most ``min(tol, 1e-6) * P(0)``; when
        the finish concludes -- on every problem tried, degenerate ones
        included -- the solution is the exact optimum whatever ``tol``
        (``dual_gap_`` at rounding level, about 1e-16 of ``P(0)``).
        Otherwise the interior point's own answer is returned.
    max_iter : int, default=100
        Maximum number of interior-point iterations.
    warm_start : bool, default=False
        Build the starting interior point around the previous ``coef_``.
{BOUNDS_DOC}        The interior point takes no bounds: with bounds, ``'auto'`` runs
        ``'highs'`` (which needs ``l1_ratio=1``), and the ``'ipm*'`` solvers
        raise a ValueError.
    verbose : int, default=0
        Progress on stdout for long fits (an sklreg addition): at 1, about a
        line a second once the fit has run for a second (the outer iteration,
        the certificate against its target, the working set's size and the
        non-zeros); at 2, a line per outer iteration.  The ``'highs*'``
        solvers print nothing; ``solver_options={{'disp': True}}`` shows
        HiGHS's own log.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of X.
    intercept_ : float or ndarray of shape (n_targets,)
        Independent term (0 when ``fit_intercept=False``), a best intercept
        for ``coef_``: a weighted quantile of ``y - X coef_``.
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap at the returned solution: the objective is within
        this of the optimum.
    n_iter_ : int or list of int
        Interior-point (or linprog) iterations.
    solver_ : str
        The solver that ran: ``'ipm'``, ``'ipm-glob'``, ``'ipm-ws'`` or a
        ``'highs*'`` one.
{FEATURES_IN_DOC}
    See Also
    --------
    sklearn.linear_model.QuantileRegressor : The scikit-learn estimator it mirrors.
    QuantileRegressorCV : alpha chosen by cross-validation.
    QuantileRegressorIC : alpha chosen by an information criterion.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import QuantileRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + rng.standard_normal(200)
    >>> model = QuantileRegressor(quantile=0.9, alpha=0.0).fit(X, y)

    The same objective as scikit-learn's linear program (solved by HiGHS),
    to within the certified gap:

    >>> from sklearn.linear_model import QuantileRegressor as SklearnQuantile
    >>> from sklearn.metrics import mean_pinball_loss
    >>> reference = SklearnQuantile(quantile=0.9, alpha=0.0).fit(X, y)
    >>> def objective(fitted):
    ...     return mean_pinball_loss(y, fitted.predict(X), alpha=0.9)
    >>> bool(objective(model) <= objective(reference) + model.dual_gap_)
    True

    At the optimum at least 90% of the samples lie on or below the fit (up
    to rounding for those it interpolates):

    >>> bool(np.mean(y <= model.predict(X) + 1e-9) >= 0.9)
    True
    """

    _dask_fit = "quantile"      # Dask data: globbing's passes (sklreg._dask._quantile)

    _parameter_constraints = {
        **PenalizedRegressor._parameter_constraints,
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "solver": [StrOptions({"auto"} | set(OWN) | HIGHS | {SIMPLEX, REMOVED})],
        "solver_options": [dict, None],
        **BOUNDS_CONSTRAINTS,
    }

    def __init__(self, *, quantile=0.5, alpha=1.0, l1_ratio=1.0, fit_intercept=True,
                 solver="auto", solver_options=None, tol=1e-6, max_iter=100,
                 warm_start=False, verbose=0, lower_bounds=None, upper_bounds=None):
        self.quantile = quantile
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.solver_options = solver_options
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.verbose = verbose
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    _column_y_is_1d = True      # as scikit-learn's
    _solver_scales_X = True     # extreme columns are conditioned by the solver

    def _check_params(self, n_features):
        if self.solver == REMOVED:      # scikit-learn's error, word for word
            raise ValueError(f"Solver {self.solver} is not anymore available in "
                             "SciPy >= 1.11.0.")
        if self.solver in HIGHS and self.l1_ratio != 1.0:
            raise ValueError(f"solver={self.solver!r} solves scikit-learn's linear "
                             f"program, which needs l1_ratio=1; got l1_ratio="
                             f"{self.l1_ratio!r}. Use solver='auto'.")
        if coefficient_bounds(self, n_features)[0] is not None:
            if self.solver in OWN:           # what solve_ipm would say, before any work
                check_penalty(f"solver={self.solver!r} (the interior point)",
                              L1L2(np.ones(n_features), np.zeros(n_features), False,
                                   *coefficient_bounds(self, n_features)),
                              NEEDS, remedy="; use solver='highs' for bounds")
            if self.l1_ratio != 1.0:
                raise ValueError(f"lower_bounds/upper_bounds are solved by HiGHS, whose "
                                 f"linear program needs l1_ratio=1; got l1_ratio="
                                 f"{self.l1_ratio!r}")
        if self.solver not in HIGHS and self.solver_options:
            raise ValueError(f"solver_options apply to the 'highs' solvers only; "
                             f"got {self.solver_options!r} with solver={self.solver!r}")

    def _problem(self, X, y, s, conditioned_X=True):
        """(QuantileProblem on the samples of positive weight, scale, shift):
        with ``conditioned_X``, on X with some columns scaled or centred (see
        ``sklreg.solvers._rows.conditioned``); else scale and shift are None."""
        n, p = X.shape
        s = np.ones(n) if s is None else s
        keep = s > 0
        if not np.all(keep):
            X, y, s = X[keep], y[keep], s[keep]
        n_w = s.sum()
        # the objective times n_w: the interior point's units
        lam, mu = ElasticNetPenalty(self.alpha, self.l1_ratio).compile(p).scaled(n_w).weights()
        rows, scale, shift, norms = Rows(X), None, None, None
        if conditioned_X:
            rows, scale, shift, norms = conditioned(X, s, self.fit_intercept)
        if scale is not None:      # (mu / scale**2 would overflow; an inf lam is
            with np.errstate(over="ignore"):     # an infinite penalty: w = 0)
                lam, mu = lam / scale, mu / scale / scale
        lower, upper = coefficient_bounds(self, p)   # HiGHS's: X as it is
        problem = QuantileProblem(rows, y, s, PinballLoss(self.quantile).compile(), lam, mu,
                                  self.fit_intercept, norms=norms,
                                  bounds=None if lower is None or conditioned_X
                                  else (lower, upper))
        return problem, scale, shift

    def _gradient_at_null(self, X, y, s, null):
        """Minus the datafit's subgradient in w at w = ``null`` (the
        penalty's null point: 0, or the bounds nearest 0), ``X^T (s g) / n_w``.

        The intercept is then a weighted quantile of ``y - X null``, and
        ``g_i`` = tau above the fit, tau - 1 below; samples on the fit take
        the value that makes ``sum s g = 0`` (the intercept's optimality),
        which is exact for data with a single such sample.
        """
        tau = self.quantile
        s = np.ones_like(y) if s is None else s
        if np.any(null):
            y = y - np.asarray(X @ null).ravel()
        b = weighted_quantile(y, s, tau) if self.fit_intercept else 0.0
        r = y - b
        g = PinballLoss(tau).subgradient(r)
        on_fit = r == 0
        if self.fit_intercept and on_fit.any():
            g[on_fit] = np.clip(-np.dot(s[~on_fit], g[~on_fit]) / s[on_fit].sum(),
                                tau - 1.0, tau)
        # with an intercept, sum(s g) = 0: X's column means drop out, and
        # columns with a large mean are centred first (no cancellation)
        problem, scale, _ = self._problem(X, y, s)
        grad = problem.rows.rmatvec(problem.s * g[s > 0]) / s.sum()
        return grad if scale is None else grad * scale

    def _solve(self, X, y, sample_weight, coef_init):
        self.solver_ = self._auto_solver(*X.shape)
        if self.solver_ in HIGHS:
            problem, _, _ = self._problem(X, y, sample_weight, conditioned_X=False)
            return solve_highs(problem, self.solver_, self.solver_options, tol=self.tol)
        with single_threaded_blas():      # (the conditioning's passes too)
            return self._solve_own(X, y, sample_weight, coef_init)

    def _solve_own(self, X, y, sample_weight, coef_init):
        problem, scale, shift = self._problem(X, y, sample_weight)
        w0 = np.array(coef_init, dtype=np.float64)
        w0 = w0 if scale is None else w0 * scale
        zero = (problem.surely_zero() if self.alpha * self.l1_ratio > 0
                else np.zeros(problem.p, dtype=bool))
        if zero.all():
            result = _at_zero(problem, self.tol)
        else:
            if zero.any():
                problem, w0 = problem.columns(np.flatnonzero(~zero)), w0[~zero]
            result = OWN[self.solver_](problem, w0, tol=self.tol, max_iter=self.max_iter)
            coef = np.zeros(zero.size)
            coef[~zero] = result.coef
            result.coef = coef
        if shift is not None:
            result.intercept -= np.dot(shift, result.coef)
        if scale is not None:
            result.coef = result.coef / scale
        return result

    def _auto_solver(self, n_samples, n_features):
        """'ipm-glob' for many samples relative to features, 'ipm-ws' for
        more L1-penalised features than samples, else 'ipm'."""
        if self.solver not in ("auto", SIMPLEX):
            return self.solver
        if self.lower_bounds is not None or self.upper_bounds is not None:
            return "highs"                 # the interior point takes no bounds
        if (n_samples >= GLOB_MIN_SAMPLES
                and subsample_size(n_samples, n_features) <= n_samples // 4):
            return "ipm-glob"
        if n_features > n_samples and self.alpha * self.l1_ratio > 0:
            return "ipm-ws"
        return "ipm"


def _at_zero(problem, tol):
    """The solution when every coefficient is surely zero: w = 0 and the
    best intercept, certified (``QuantileProblem.certified_at``)."""
    w = np.zeros(problem.p)
    gap, primal, b, _ = problem.certified_at(w)
    return SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                        tol_abs=gap_target(tol, problem.primal_at_zero(), FINISHED_GAP_FLOOR),
                        n_iter=0)
