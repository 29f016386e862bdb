"""The alpha grid: ``alpha_max`` (where every penalised coefficient is
zero), the geometric grid below it, and how a path's ``alphas`` and ``eps``
are read."""
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_scalar

from sklreg.utils._dask_input import is_dask_collection
from sklreg.utils._warnings import warn_at_caller
from sklreg.utils.validation import check_alphas, validate_params, validate_X_y


def alpha_grid(alpha_max, n_alphas=100, eps=1e-3):
    """Geometric grid from ``alpha_max`` down to ``eps * alpha_max``."""
    if alpha_max <= np.finfo(float).resolution:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def resolve_alphas(alphas, n_alphas):
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


def check_grid(alphas, eps):
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


def dask_handler(estimator, name):
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
        return dask_handler(estimator, "_dask_alpha_max")(X, y, sample_weight)
    X, y, s = validate_X_y(clone(estimator), X, y, sample_weight)
    estimator._check_params(X.shape[1])
    return validated_alpha_max(estimator, X, y, s)


def grid_top(estimator, X, y, s):
    """Where a default alpha grid starts: ``alpha_max``, or, for a penalty
    without an L1 part (never all zero), the estimator's ``_alpha_scale``
    (alpha_max of its L1 counterpart) when it has one.  Without either, an
    automatic grid cannot be made: ValueError."""
    top = validated_alpha_max(estimator, X, y, s)
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


def validated_alpha_max(estimator, X, y, s):
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
