"""Regularization paths: alpha_max, the alpha grid, warm-started solves."""
from dataclasses import dataclass, field
import functools
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_scalar

from sklreg._core._design import Design
from sklreg._dask import is_dask_collection
from sklreg.utils._progress import progress_at, report_alpha
from sklreg.utils._warnings import collect_missed, warn_at_caller, warn_missed
from sklreg.utils.validation import check_alphas, validate_params, validate_X_y


@dataclass
class PathResult:
    """Solutions along a regularization path.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    coefs : ndarray of shape (n_alphas, n_features) or (n_alphas, n_targets, n_features)
    intercepts : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
    dual_gaps : ndarray, shaped as ``intercepts``, or of shape (n_alphas,)
        Certificate reached at each alpha (absolute duality gap): one per
        target, or one for all the tasks of a multi-task estimator, whose
        tasks form one problem.
    n_iters : ndarray of int, shaped as ``dual_gaps``
    data : PathData or None
        What the path was computed from, for ``coef_at``.
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    n_iters: np.ndarray
    data: object = field(default=None, repr=False, compare=False)

    @property
    def n_nonzero(self):
        """Number of non-zero coefficients at each alpha."""
        return np.count_nonzero(self.coefs, axis=-1)

    def coef_at(self, alpha):
        """The solution at any ``alpha`` of the grid's range.

        Solved exactly (not interpolated), warm-started from the nearest
        grid point, and certified like a fit (a ConvergenceWarning if the
        gap misses the target).  At a grid point, that point's solution.

        Parameters
        ----------
        alpha : float
            Between the smallest and the largest alpha of the grid.

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_targets, n_features)
        intercept : float or ndarray of shape (n_targets,)
        """
        alpha = float(alpha)
        low, high = np.min(self.alphas), np.max(self.alphas)
        if not low <= alpha <= high:            # NaN too
            raise ValueError(f"alpha must be within the path's grid, [{low:.6g}, "
                             f"{high:.6g}]; got {alpha!r}")
        nearest = int(np.argmin(np.abs(np.log(np.maximum(self.alphas, 1e-300))
                                       - np.log(max(alpha, 1e-300)))))
        if self.alphas[nearest] == alpha:
            return self.coefs[nearest].copy(), np.copy(self.intercepts[nearest])[()]
        if self.data is None:
            raise ValueError("this path keeps no training data to solve at a new alpha")
        return self.data.solve_at(alpha, self.coefs[nearest])


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
            return _dask_handler(estimator, "_dask_path")(
                X, y, sample_weight=sample_weight, **kwargs)
        with collect_missed() as missed:
            result = path_function(estimator, X, y, sample_weight=sample_weight, **kwargs)
        warn_missed(missed, "regularization_path", result.dual_gaps.size,
                    "(alpha, target) fits" if result.dual_gaps.ndim > 1 else "alphas")
        result.data = PathData(estimator, X, y, sample_weight)
        return result
    return wrapper


def alpha_grid(alpha_max, n_alphas=100, eps=1e-3):
    """Geometric grid from ``alpha_max`` down to ``eps * alpha_max``."""
    if alpha_max <= np.finfo(float).resolution:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _resolve_alphas(alphas, n_alphas):
    """scikit-learn 1.9's convention: ``alphas`` is an int or an array."""
    if n_alphas != "deprecated":
        warn_at_caller(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11 "
            "(scikit-learn's schedule, which sklreg follows): pass the number "
            "of alphas as 'alphas' instead.", FutureWarning)
        alphas = n_alphas
    if alphas is None:
        return 100
    return alphas


def _check_grid(alphas, eps):
    """``alphas`` (a grid size or the alphas) and ``eps`` as a path takes them."""
    check_scalar(eps, "eps", Real, min_val=0.0, include_boundaries="neither")
    if not np.isfinite(eps):
        raise ValueError(f"eps == {eps}, must be finite.")
    if np.ndim(alphas) == 0 and not isinstance(alphas, str):
        if isinstance(alphas, Real) and not isinstance(alphas, (Integral, bool)):
            raise TypeError(f"alphas must be an int (the number of alphas) or an "
                            f"array of alphas; got the float {alphas!r}: pass "
                            f"[{alphas!r}] to fit at that alpha")
        check_scalar(alphas, "alphas", Integral, min_val=1)
        return int(alphas)
    return check_alphas(alphas)


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
    alphas = _check_grid(_resolve_alphas(alphas, n_alphas), eps)
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
        rows.append(_collect(grid, results))
    return _stack(rows, grid, y.ndim == 1, estimator.fit_intercept, X.dtype)


def _collect(grid, results, announce=False):
    """(coef, intercept, gap, n_iter) per alpha of a path's results, each
    reported and, if it missed its target, warned about (or recorded)."""
    rows = []
    for index, (alpha, res) in enumerate(zip(grid, results)):
        if announce:
            progress_at(alpha)
        res.warn_if_not_converged(alpha=alpha)
        report_alpha(index, len(grid), res.gap, res.n_iter)
        rows.append((np.array(res.coef), res.intercept, res.gap, res.n_iter))
    return rows


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
    return _stack(per_target, grid, y.ndim == 1, estimator.fit_intercept, X.dtype)


def _own_path(estimator, X, y, s, grid, coef_init):
    """An estimator that solves its whole path at once (``_solve_path``:
    validated X, y, s, the grid, coef_init -> one SolverResult per alpha),
    sharing work across alphas (e.g. Huber's P(0) and Newton Hessian)."""
    results = estimator._solve_path(X, y, s, grid,
                                    None if coef_init is None else coef_init[0])
    return _stack([_collect(grid, results, announce=True)], grid, True,
                  estimator.fit_intercept, X.dtype)


def _stack(per_target, grid, single, fit_intercept, dtype):
    """per_target[k][a] = (coef, intercept, gap, n_iter) -> PathResult."""
    def field(i, kind=None):
        a = np.array([[rows[a][i] for rows in per_target] for a in range(len(grid))],
                     dtype=kind)
        return a[:, 0] if single else a

    intercepts = field(1, np.float64).astype(dtype)
    if not fit_intercept:
        intercepts = np.zeros_like(intercepts)
    return PathResult(alphas=grid, coefs=field(0).astype(dtype), intercepts=intercepts,
                      dual_gaps=field(2, np.float64), n_iters=field(3, int))


def _spectral_path(problem, alphas, eps, single, dtype):
    """Ridge: every alpha from one eigendecomposition (no refits)."""
    grid, coefs, intercepts, gaps, p0 = problem.path(alphas, eps)
    bad = gaps > problem.tol * p0
    if np.any(bad):
        warn_at_caller(f"Ridge path: the duality gap is above tol * P(0) at "
                       f"{int(bad.sum())} alphas (ill-conditioned Gram matrix?).",
                       ConvergenceWarning)
    pick = (lambda a: a[:, 0]) if single else (lambda a: a)
    return PathResult(alphas=grid, coefs=pick(coefs).astype(dtype),
                      intercepts=pick(intercepts).astype(dtype), dual_gaps=pick(gaps),
                      n_iters=np.zeros(pick(gaps).shape, dtype=int))


def _dask_handler(estimator, name):
    """The estimator's method for Dask data (``_dask_path``, ``_dask_alpha_max``):
    it reduces the data in one pass (``sklreg._dask``, a layer above this one)."""
    handler = getattr(estimator, name, None)
    if handler is None:
        raise TypeError(f"{type(estimator).__name__} does not take Dask data")
    return handler


def alpha_max(estimator, X, y, sample_weight=None):
    """Smallest alpha at which every penalised coefficient of ``estimator`` is 0.

    Parameters
    ----------
    estimator : sklreg estimator with an L1-type penalty
        Or a ``*CV`` estimator: the top of its automatic grid.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    alpha_max : float
        ``inf`` when the penalty has no L1 part (``l1_ratio=0``).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg import Lasso, alpha_max
    >>> X, y = load_diabetes(return_X_y=True)
    >>> round(alpha_max(Lasso(), X, y), 4)
    2.148
    """
    validate_params(estimator)
    if hasattr(estimator, "_search_grid"):          # a *CV estimator: its grid's top
        searches = estimator._search_grid()
        if len(searches) != 1:
            raise ValueError(f"alpha_max of {type(estimator).__name__} needs a single "
                             f"l1_ratio; got {estimator.l1_ratio!r}")
        estimator = estimator._estimator(**searches[0])
    if is_dask_collection(X, y, sample_weight):     # the estimator's one-pass route
        return _dask_handler(estimator, "_dask_alpha_max")(X, y, sample_weight)
    X, y, s = validate_X_y(clone(estimator), X, y, sample_weight)
    estimator._check_params(X.shape[1])
    return _alpha_max_validated(estimator, X, y, s)


def grid_top(estimator, X, y, s):
    """Where a default alpha grid starts: ``alpha_max``, or, for a penalty
    without an L1 part (never all zero), the estimator's ``_alpha_scale``
    (alpha_max of its L1 counterpart) when it has one.  Without either, an
    automatic grid cannot be made: ValueError."""
    top = _alpha_max_validated(estimator, X, y, s)
    if not np.isfinite(top) and hasattr(estimator, "_alpha_scale"):
        top = float(estimator._alpha_scale(X, y, s))
    if not np.isfinite(top):
        if getattr(estimator, "l1_ratio", 1.0) == 0:
            cause = "is not supported for l1_ratio=0"
        else:
            cause = "needs a penalised feature; penalty_factor is 0 for every feature"
        raise ValueError(f"Automatic alpha grid generation {cause}. Please supply a grid "
                         "by providing your estimator with the appropriate `alphas=` "
                         "argument.")
    return top


def _alpha_max_validated(estimator, X, y, s):
    if getattr(estimator, "_multi_task", False):      # y of shape (n_samples, n_tasks)
        return float(estimator._alpha_max(X, y, s))
    if y.ndim != 1:
        y = y[:, 0] if y.shape[1] == 1 else None
        if y is None:
            raise ValueError("alpha_max takes a single target; y has several columns")
    if hasattr(estimator, "_make_problem"):
        return estimator._make_problem(X, y, s).alpha_max()
    if hasattr(estimator, "_alpha_max"):
        return float(estimator._alpha_max(X, y, s))
    raise TypeError(f"alpha_max is not defined for {type(estimator).__name__}")
