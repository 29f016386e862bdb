"""``regularization_path``: one warm-started solve per alpha of a grid,
through the estimator's problem (``_make_problem``), its own path
(``_solve_path``), Ridge's spectral shortcut, or refits."""
import functools

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array

from sklreg._core._design import Design
from sklreg.path._grid import (alpha_grid, check_grid, dask_handler, grid_top,
                               resolve_alphas)
from sklreg.path._result import PathResult, collect_results, stack_results
from sklreg.solvers._base import gap_target
from sklreg.utils._dask_input import is_dask_collection
from sklreg.utils._progress import progress_at, report_alpha
from sklreg.utils._warnings import collect_missed, warn_at_caller, warn_missed
from sklreg.utils.validation import validate_params, validate_X_y


class PathData:
    """What a path is computed from: the estimator (every parameter but
    alpha) and references to the training data, kept to solve at a new
    alpha.  The data are references, not copies, and are not pickled.
    """

    def __init__(self, estimator, X, y, sample_weight=None):
        self.estimator = clone(estimator)
        self.X, self.y, self.sample_weight = X, y, sample_weight

    def __getstate__(self):
        return {"estimator": self.estimator, "X": None, "y": None, "sample_weight": None}

    def _check(self):
        if self.X is None:
            raise ValueError("the training data are not kept through pickling: "
                             "refit to solve at a new alpha")

    def path(self, alphas):
        """The path over ``alphas`` (a PathResult keeping these data)."""
        self._check()
        return regularization_path(self.estimator, self.X, self.y, alphas=alphas,
                                   sample_weight=self.sample_weight)

    def solve_at(self, alpha, coef_init):
        """(coef, intercept) at ``alpha``, starting from ``coef_init``."""
        self._check()
        est = clone(self.estimator).set_params(alpha=alpha)
        if "warm_start" in est.get_params():
            est.set_params(warm_start=True)
            est.coef_ = np.array(coef_init, dtype=np.float64)
        est.fit(self.X, self.y, sample_weight=self.sample_weight)
        return est.coef_, est.intercept_


def _path_api(path_function):
    """One ConvergenceWarning per path summing up the alphas that missed
    their target (or their records handed to a caller collecting them), and
    the estimator and data references attached to the returned path."""
    @functools.wraps(path_function)
    def wrapper(estimator, X, y, *, sample_weight=None, **kwargs):
        if is_dask_collection(X, y, sample_weight):     # the estimator's one-pass route
            return dask_handler(estimator, "_dask_path")(
                X, y, sample_weight=sample_weight, **kwargs)
        with collect_missed() as missed:
            result = path_function(estimator, X, y, sample_weight=sample_weight, **kwargs)
        warn_missed(missed, "regularization_path", result.dual_gaps.size,
                    "(alpha, target) fits" if result.dual_gaps.ndim > 1 else "alphas")
        result.data = PathData(estimator, X, y, sample_weight)
        return result
    return wrapper


def _check_coef_init(coef_init, n_targets, n_features):
    """coef_init as float64 of shape (n_targets, n_features), finite."""
    if coef_init is None:
        return None
    coef = check_array(coef_init, ensure_2d=False, dtype=np.float64,
                       input_name="coef_init", copy=True)
    if coef.size != n_targets * n_features:
        raise ValueError(f"coef_init must have {n_features} entries per target "
                         f"({n_targets} target(s)); got shape {coef.shape}")
    return coef.reshape(n_targets, n_features)


@_path_api
def regularization_path(estimator, X, y, *, alphas=100, eps=1e-3,
                        sample_weight=None, n_alphas="deprecated",
                        coef_init=None):
    """Fit ``estimator`` at each alpha of a decreasing grid, warm-starting.

    For ``Ridge`` nothing is refitted: one eigendecomposition of the
    centred Gram matrix (``X^T X`` or ``X X^T``, the smaller) gives every
    alpha, and each alpha's duality gap is computed from that Gram matrix.
    ``Ridge(positive=True)`` is solved by coordinate descent warm-started
    along the grid instead.

    Parameters
    ----------
    estimator : sklreg estimator
        Supplies every parameter but ``alpha`` (it is not modified).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    alphas : int or array-like, default=100
        Number of alphas on a geometric grid from ``alpha_max`` down to
        ``eps * alpha_max``, or the alphas themselves (sorted decreasingly).
        For Ridge, which has no alpha_max, the grid starts at the largest
        eigenvalue of the centred, weighted Gram matrix.
    eps : float, default=1e-3
        Length of the grid, ``alpha_min / alpha_max``.
    sample_weight : array-like of shape (n_samples,), default=None
    n_alphas : int, deprecated
        Use ``alphas=int``; accepted with a FutureWarning as in scikit-learn.
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients at the first alpha.

    Returns
    -------
    PathResult

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import Lasso, regularization_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = regularization_path(Lasso(), X, y, alphas=20)
    >>> path.coefs.shape
    (20, 10)
    """
    validate_params(estimator)
    alphas = check_grid(resolve_alphas(alphas, n_alphas), eps)
    X, y, s = validate_X_y(clone(estimator), X, y, sample_weight)
    estimator._check_params(X.shape[1])
    coef_init = _check_coef_init(coef_init, 1 if y.ndim == 1 else y.shape[1], X.shape[1])
    ridge = None
    if hasattr(estimator, "_ridge_problem"):
        ridge = estimator._ridge_problem(X, y.reshape(-1, 1) if y.ndim == 1 else y, s)
        if not estimator.positive:
            return _spectral_path(ridge, alphas, eps, y.ndim == 1, X.dtype)
    if np.ndim(alphas) == 0:
        grid = (ridge.default_grid(alphas, eps) if ridge is not None
                else alpha_grid(grid_top(estimator, X, y, s), alphas, eps))
    else:
        grid = alphas
    if getattr(estimator, "_multi_task", False):      # one problem over every task
        return estimator._path(X, y, s, grid, coef_init)
    if hasattr(estimator, "_make_problem"):
        return _problem_path(estimator, X, y, s, grid, coef_init)
    if hasattr(estimator, "_solve_path") and y.ndim == 1:
        return _own_path(estimator, X, y, s, grid, coef_init)
    return _refit_path(estimator, X, y, s, grid, coef_init)


def _problem_path(estimator, X, y, s, grid, coef_init):
    """An estimator with a problem object (``_make_problem``): one problem per
    target, sharing X's Design, each solving its warm-started path.
    ``Ridge(positive=True)`` comes here too: the spectral shortcut does
    not hold with the constraint."""
    design = Design(X)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    rows = []
    for k in range(Y.shape[1]):
        problem = estimator._make_problem(X, Y[:, k], s, None if coef_init is None
                                          else coef_init[k], design)
        results = problem.path(grid)
        if hasattr(estimator, "_relaxed"):       # the relaxed lasso's blend
            results = (estimator._relaxed(problem.datafit, r) for r in results)
        rows.append(collect_results(grid, results))
    return stack_results(rows, grid, y.ndim == 1, estimator.fit_intercept, X.dtype)


def _refit_path(estimator, X, y, s, grid, coef_init):
    """Any estimator: refit at each alpha, warm-started from the previous one."""
    est = clone(estimator).set_params(warm_start=True)
    if coef_init is not None:
        est.coef_ = coef_init[0] if y.ndim == 1 else coef_init
    rows = []
    for index, alpha in enumerate(grid):
        progress_at(alpha)
        est.set_params(alpha=alpha).fit(X, y, sample_weight=s)
        report_alpha(index, len(grid), np.max(est.dual_gap_), est.n_iter_)
        coef = np.atleast_2d(est.coef_)
        rows.append([(c.copy(), b, g, n) for c, b, g, n in zip(
            coef, np.atleast_1d(est.intercept_), np.atleast_1d(est.dual_gap_),
            np.atleast_1d(est.n_iter_))])
    per_target = [[row[k] for row in rows] for k in range(len(rows[0]))]
    return stack_results(per_target, grid, y.ndim == 1, estimator.fit_intercept, X.dtype)


def _own_path(estimator, X, y, s, grid, coef_init):
    """An estimator that solves its whole path at once (``_solve_path``:
    validated X, y, s, the grid, coef_init -> one SolverResult per alpha),
    sharing work across alphas (e.g. Huber's P(0) and Newton Hessian)."""
    results = estimator._solve_path(X, y, s, grid,
                                    None if coef_init is None else coef_init[0])
    return stack_results([collect_results(grid, results, announce=True)], grid, True,
                         estimator.fit_intercept, X.dtype)


def _spectral_path(problem, alphas, eps, single, dtype):
    """Ridge: every alpha from one eigendecomposition (no refits)."""
    grid, coefs, intercepts, gaps, p0 = problem.path(alphas, eps)
    bad = gaps > gap_target(problem.tol, p0)
    if np.any(bad):
        warn_at_caller(f"Ridge path: the duality gap is above tol * P(0) at "
                       f"{int(bad.sum())} alphas (ill-conditioned Gram matrix?).",
                       ConvergenceWarning)
    pick = (lambda a: a[:, 0]) if single else (lambda a: a)
    return PathResult(alphas=grid, coefs=pick(coefs).astype(dtype),
                      intercepts=pick(intercepts).astype(dtype), dual_gaps=pick(gaps),
                      n_iters=np.zeros(pick(gaps).shape, dtype=int))
