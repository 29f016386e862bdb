"""Lasso and ElasticNet: least squares with an L1 / elastic-net penalty."""
from numbers import Real
import warnings

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg._core._design import Design
from sklreg.linear_model._base import (BOUNDS_CONSTRAINTS, BOUNDS_DOC, PenalizedRegressor,
                                        coefficient_bounds)
from sklreg.linear_model._ridge import Ridge
from sklreg.penalties import ElasticNetPenalty
from sklreg.problems import ElasticNetUnits, LeastSquaresProblem
from sklreg.solvers._base import gap_target, zero_if_rounding
from sklreg.solvers._refit import relaxed
from sklreg.utils.validation import check_column_norms, check_gram, check_penalty_factor

_SHARED_PARAMETERS = """
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.  X is not centred for it: the
        intercept is eliminated inside the solver, so sparse X stays sparse.
    precompute : bool, 'auto' or array-like, default=False
        Accepted for scikit-learn compatibility: the solver always works on
        the residual.  A Gram matrix given here is checked against X on one
        entry (a ValueError if it does not match, as in scikit-learn; a
        UserWarning that it is not used when X must be centred for the
        intercept), and then not used.
    max_iter : int, default=1000
        Maximum number of passes of coordinate descent.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility; X is never modified.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)``, where ``P(0)`` is
        the objective at ``w = 0`` with the best intercept.  This is a
        certificate: the objective is then within that amount of the optimum.
        A target below the gap's own rounding error (``tol`` near 1e-16)
        acts as that error.  Once certified, a fit is solved exactly on its
        support and signs unless it is exact already, when that is possible
        (fewer non-zeros than samples, or an L2 part), so that its
        coefficients are at least as accurate as scikit-learn's at the same
        ``tol``; see the user guide.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
{BOUNDS_DOC}    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit coordinates in order, or in a fresh random order each pass.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature multipliers of the penalty (glmnet's
        ``penalty.factor``); 0 leaves a feature unpenalised.  None means all
        ones, scikit-learn's objective.
    solver : {'auto', 'cd', 'pg'}, default='auto'
        'cd' is working-set coordinate descent (``max_iter`` counts its
        passes); 'pg' is accelerated proximal gradient (FISTA with
        backtracking and adaptive restart; ``max_iter`` counts its
        iterations, about two passes over X each).  Both stop on the same
        certified duality gap.  'auto' picks 'cd' for every shape, because
        'pg' never won where we measured it: at tol=1e-6 (same certificate),
        2 shared cores, 26 problems -- dense n=5000, p=1000; n=1000, p=5000;
        n=5000, p=2000 with feature correlation 0.5 and 0.95; sparse
        n=20000, p=2000, density 0.01; l1_ratio 1, 0.5, 0.1, 0.01; alpha
        from alpha_max/10 to alpha_max/1000 -- 'pg' took 1.5x to 7.7x the
        time of 'cd' (closest: l1_ratio=0.01 or 0.1 with n and p both in the
        thousands, 1.5x to 1.9x).  Working sets exploit the sparsity of the
        solution, and a CD pass costs about what one gradient does.
    verbose : int, default=0
        Progress on stdout for long fits (an sklreg addition): at 1, about a
        line a second once the fit has run for a second (the outer iteration,
        the certificate against its target, the working set's size and the
        non-zeros); at 2, a line per outer iteration.
    relax : float in [0, 1], default=None
        glmnet's relaxed fit (``relax=TRUE``'s ``gamma``): the coefficients
        are ``relax * w + (1 - relax) * w_refit`` (the intercepts alike),
        where w is the penalised solution and w_refit the unpenalised
        (weighted) least-squares refit on w's support, solved from the
        support's normal equations.  None, the default, and 1 are the
        penalised fit; 0 is the refit.  ``dual_gap_`` certifies w,
        ``relax_residual_`` the refit.  Not with ``positive`` or bounds.
""".replace("{BOUNDS_DOC}", BOUNDS_DOC)

_SOLVED_AS = """    where ``s`` are the sample weights and ``n_w`` their sum (``n_samples``
    without weights).  Solved by working-set coordinate descent in compiled
    code, stopping on a certified duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, non-negative.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of X.
    intercept_ : float or ndarray of shape (n_targets,)
        Independent term.
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap at the returned solution: the objective is within
        this of the optimum.
    n_iter_ : int or list of int
        Passes of coordinate descent (for ``l1_ratio=0``, solved as a ridge:
        the iterations of conjugate gradients, or 1 for a direct solve).
    sparse_coef_ : sparse matrix of shape (n_features, 1) or (n_targets, n_features)
        ``coef_`` as a sparse matrix.
    relax_residual_ : float or ndarray of shape (n_targets,)
        With ``relax``: the refit's largest normal-equation residual on the
        support, ``|x_j' S r| / n_w``, relative to ``sqrt(2 P(0) L_j)`` (its
        largest possible value at any w better than w = 0, ``L_j`` the
        column's weighted spread); at most ``tol``, else a
        ConvergenceWarning.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
"""


class ElasticNet(PenalizedRegressor):
    __doc__ = f"""Linear regression with a combined L1 and L2 penalty.

    Minimises, exactly as :class:`sklearn.linear_model.ElasticNet`::

        1 / (2 * n_w) * sum_i s_i (y_i - x_i . w - b)**2
        + alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio) / 2 * ||w||_2**2

{_SOLVED_AS}    l1_ratio : float, default=0.5
        Mix of the penalty in [0, 1]: 1 is the lasso, 0 ridge.  At 0 (without
        ``positive`` and with one common ``penalty_factor``) the problem is
        :class:`Ridge`'s with ``alpha * n_w``: with ``solver`` 'auto' or 'cd'
        it is solved as Ridge's 'auto' solves it, exactly at any ``tol``.
    {_SHARED_PARAMETERS}{_ATTRIBUTES}
    See Also
    --------
    Lasso : The case ``l1_ratio=1``.
    sklearn.linear_model.ElasticNet : The scikit-learn estimator it mirrors.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklreg import ElasticNet
    >>> X, y = make_regression(n_features=5, random_state=0)
    >>> model = ElasticNet(alpha=0.5, l1_ratio=0.7).fit(X, y)
    >>> # certified: the gap is at most tol * P(0), P(0) = var(y) / 2 here
    >>> bool(model.dual_gap_ <= model.tol * 0.5 * y.var())
    True
    """

    _parameter_constraints = {
        **PenalizedRegressor._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "copy_X": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "penalty_factor": ["array-like", None],
        **BOUNDS_CONSTRAINTS,
        "solver": [StrOptions({"auto", "cd", "pg"})],
        "relax": [Interval(Real, 0, 1, closed="both"), None],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True,
                 precompute=False, max_iter=1000, copy_X=True, tol=1e-4,
                 warm_start=False, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, solver="auto", verbose=0,
                 lower_bounds=None, upper_bounds=None, relax=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.solver = solver
        self.verbose = verbose
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.relax = relax

    def _check_params(self, n_features):
        check_penalty_factor(self.penalty_factor, n_features)
        coefficient_bounds(self, n_features)
        if self.relax is not None and (self.positive or self.lower_bounds is not None
                                       or self.upper_bounds is not None):
            raise ValueError("relax refits the support without a penalty or constraint: "
                             "it cannot be combined with positive=True or bounds")

    @property
    def _dask_moments(self):
        """Dask data is fitted from its moments (sklreg._dask), without relax."""
        return self.relax is None

    _solver_checks_finite = True     # LeastSquares's column norms do
    _column_y_as_1d = True

    def _make_problem(self, X, y, sample_weight, coef_init=None, design=None, seed=0):
        """The least-squares problem of target ``y`` (validated data), from
        ``coef_init``; ``design`` shares X's Design between targets, ``seed``
        is the coordinate order (0: cyclic)."""
        n_features = X.shape[1]
        unit = ElasticNetPenalty(1.0, self.l1_ratio, self.penalty_factor, self.positive,
                                 *coefficient_bounds(self, n_features))
        problem = LeastSquaresProblem(
            Design(X) if design is None else design, y, sample_weight, self.fit_intercept,
            ElasticNetUnits(unit, n_features), tol=self.tol, max_iter=self.max_iter,
            coef_init=coef_init, solver="pg" if self.solver == "pg" else "cd", seed=seed)
        check_column_norms(self, X, problem.datafit)
        return problem

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        if self.alpha == 0:
            warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                          "advised to use the LinearRegression estimator",
                          UserWarning, stacklevel=3)
        if not isinstance(self.precompute, (bool, str)):
            check_gram(self.precompute, X, sample_weight, self.fit_intercept)
        design = Design(X)
        seed = (check_random_state(self.random_state).randint(1, 2**31 - 1)
                if self.selection == "random" else 0)
        ridge = self._is_ridge()
        results = []
        for y, w0 in zip(Y.T, coef_init):
            problem = self._make_problem(X, y, sample_weight, w0, design, seed)
            datafit = problem.datafit
            if ridge:       # a linear solve, unless y is constant to rounding
                result = (zero_if_rounding(datafit, problem.coef,
                                           gap_target(self.tol, datafit.primal_at_zero))
                          or self._solve_as_ridge(X, y, sample_weight, datafit.n_w))
            else:
                result = problem.solve(self.alpha)
            results.append(_finite(self._relaxed(datafit, result)))
        return results

    def _relaxed(self, datafit, result):
        """``result`` relaxed as ``relax`` says (as is without it, or at 1)."""
        if self.relax is None or self.relax == 1:
            return result
        return relaxed(datafit, result, self.relax, self.tol)

    def _store_extra(self, results, single):
        if self.relax is not None:
            residuals = np.array([getattr(r, "refit_residual", 0.0) for r in results])
            self.relax_residual_ = float(residuals[0]) if single else residuals

    def _is_ridge(self):
        """True when the penalty is plain ridge's: no L1 part, every feature
        penalised alike, no sign constraint (then the fit is a linear solve)."""
        factor = np.asarray(1.0 if self.penalty_factor is None else self.penalty_factor,
                            dtype=float)
        return (self.l1_ratio == 0 and self.alpha > 0 and not self.positive
                and self.lower_bounds is None and self.upper_bounds is None
                and self.solver in ("auto", "cd")
                and factor.min() == factor.max() > 0)

    def _solve_as_ridge(self, X, y, sample_weight, n_w):
        """``ElasticNet(l1_ratio=0)`` solved as the ridge it is.

        Times ``2 n_w`` its objective is Ridge's with ``alpha * n_w`` (times
        the common penalty factor): Ridge's 'auto' solves that exactly
        (Cholesky, or conjugate gradients to its rounding) where coordinate
        descent on a dense solution converges slowly; its certificate is
        converted back.
        """
        factor = 1.0 if self.penalty_factor is None else float(np.ravel(self.penalty_factor)[0])
        ridge = Ridge(alpha=self.alpha * factor * n_w, fit_intercept=self.fit_intercept,
                      tol=self.tol)
        result, = ridge._solve_targets(X, y[:, None], sample_weight, None, exact=True)
        result.gap, result.primal, result.tol_abs = (
            result.gap / (2 * n_w), result.primal / (2 * n_w), result.tol_abs / (2 * n_w))
        result.n_iter = result.n_iter or 1      # one exact solve
        return result


def _finite(result):
    """The result, or scikit-learn's error for non-finite coefficients."""
    if not (np.all(np.isfinite(result.coef)) and np.isfinite(result.intercept)):
        raise ValueError(
            "Coordinate descent iterations resulted in non-finite parameter "
            "values. The input data may contain large values and need to be "
            "preprocessed.")
    return result


class Lasso(ElasticNet):
    __doc__ = f"""Linear regression with an L1 penalty.

    Minimises, exactly as :class:`sklearn.linear_model.Lasso`::

        1 / (2 * n_w) * sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||_1

{_SOLVED_AS}    {_SHARED_PARAMETERS}{_ATTRIBUTES}
    See Also
    --------
    ElasticNet : Adds an L2 part to the penalty.
    sklearn.linear_model.Lasso : The scikit-learn estimator it mirrors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Lasso as SklearnLasso
    >>> from sklreg import Lasso
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = Lasso(alpha=0.1).fit(X, y)
    >>> reference = SklearnLasso(alpha=0.1).fit(X, y)
    >>> def objective(fitted):
    ...     r = y - fitted.predict(X)
    ...     return r @ r / (2 * len(y)) + 0.1 * np.abs(fitted.coef_).sum()

    The duality gap bounds the distance to the optimum, so no other point,
    scikit-learn's included, is lower by more than ``dual_gap_``:

    >>> bool(objective(model) <= objective(reference) + model.dual_gap_)
    True
    """

    _parameter_constraints = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False,
                 copy_X=True, max_iter=1000, tol=1e-4, warm_start=False,
                 positive=False, random_state=None, selection="cyclic",
                 penalty_factor=None, solver="auto", verbose=0, lower_bounds=None,
                 upper_bounds=None, relax=None):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
            precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
            warm_start=warm_start, positive=positive, random_state=random_state,
            selection=selection, penalty_factor=penalty_factor, solver=solver,
            verbose=verbose, lower_bounds=lower_bounds, upper_bounds=upper_bounds,
            relax=relax)
