"""``lasso_path`` and ``enet_path``: scikit-learn's path functions, with
its signatures and return values, on :func:`sklreg.regularization_path`."""
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._param_validation import validate_params as validate_arguments

from sklreg.linear_model._lasso import ElasticNet
from sklreg.linear_model._multitask import MultiTaskElasticNet
from sklreg.path import regularization_path
from sklreg.utils._progress import fit_progress
from sklreg.utils._warnings import warn_at_caller

_PATH_PARAMETERS = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like", "sparse matrix"],
    "eps": [Interval(Real, 0, None, closed="neither")],
    "n_alphas": [Interval(Integral, 1, None, closed="left"), StrOptions({"deprecated"})],
    "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None],
    "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
    "Xy": ["array-like", None],
    "copy_X": ["boolean"],
    "coef_init": ["array-like", None],
    "verbose": ["verbose"],
    "return_n_iter": ["boolean"],
    "positive": ["boolean"],
}
# what ``**params`` of the path functions may hold (scikit-learn's, and
# sklreg's penalty_factor and bounds); anything else is a ValueError, as in scikit-learn
_SOLVER_PARAMETERS = ("tol", "max_iter", "selection", "random_state", "penalty_factor",
                      "lower_bounds", "upper_bounds", "sample_weight")


@validate_arguments({**_PATH_PARAMETERS, "l1_ratio": [Interval(Real, 0, 1, closed="both")],
                     "check_input": ["boolean"]}, prefer_skip_nested_validation=True)
def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated",
              alphas=100, precompute="auto", Xy=None, copy_X=True,
              coef_init=None, verbose=False, return_n_iter=False,
              positive=False, check_input=True, **params):
    """Elastic-net path, with scikit-learn's signature and return values.

    As in scikit-learn, no intercept is fitted (centre X and y first if you
    want one) and the objective is::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float, default=0.5
        An automatic grid (``alphas`` an int) needs ``l1_ratio > 0``.
    eps : float, default=1e-3
        Length of the automatic grid, ``alpha_min / alpha_max``.
    n_alphas : int, deprecated
        Use ``alphas=int``.
    alphas : int or array-like, default=100
        Grid size, or the alphas themselves (non-negative, finite).
        ``None`` means 100, with a FutureWarning as in scikit-learn.
    precompute, Xy, copy_X, check_input
        Accepted for compatibility; unused.
    verbose : bool or int, default=False
        Progress lines: at 1, of any solve that runs longer than a second;
        at 2, a line per alpha and per outer iteration of each solve.
    coef_init : array-like of shape (n_features,), default=None
    return_n_iter : bool, default=False
    positive : bool, default=False
    **params
        ``tol``, ``max_iter``, ``selection``, ``random_state``,
        ``penalty_factor``, ``lower_bounds``, ``upper_bounds`` passed to the
        estimator, and ``sample_weight``.
        Anything else is a ValueError, as in scikit-learn.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        With a y of several columns the problem is the multi-task one
        (:class:`MultiTaskElasticNet`'s L2,1 penalty), as in scikit-learn.
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : list of int, when ``return_n_iter``
    """
    unexpected = set(params) - set(_SOLVER_PARAMETERS)
    if unexpected:
        raise ValueError("Unexpected parameters in params", sorted(unexpected))
    if alphas is None:
        warn_at_caller("'alphas=None' is deprecated and will be removed in 1.11 "
                       "(scikit-learn's schedule, which sklreg follows): pass "
                       "alphas=100, the default, for the automatic grid.",
                       FutureWarning)
    sample_weight = params.pop("sample_weight", None)
    if np.ndim(y) == 2 and np.shape(y)[1] > 1:         # scikit-learn: the multi-task problem
        if positive:
            raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
        if params.pop("penalty_factor", None) is not None:
            raise ValueError("penalty_factor is not supported for a multi-task y")
        for name in ("lower_bounds", "upper_bounds"):
            if params.pop(name, None) is not None:
                raise ValueError(f"{name} is not allowed for multi-output (y.ndim != 1)")
        est = MultiTaskElasticNet(l1_ratio=l1_ratio, fit_intercept=False, **params)
    else:
        est = ElasticNet(l1_ratio=l1_ratio, fit_intercept=False, positive=positive,
                         **params)
    with fit_progress(verbose, "lasso_path" if l1_ratio == 1 else "enet_path"):
        res = regularization_path(est, X, y, alphas=alphas, eps=eps, n_alphas=n_alphas,
                                  coef_init=coef_init, sample_weight=sample_weight)
    coefs = np.moveaxis(res.coefs, 0, -1)        # alphas last, as in scikit-learn
    out = (res.alphas, coefs, res.dual_gaps)
    return out + (list(res.n_iters),) if return_n_iter else out


@validate_arguments(_PATH_PARAMETERS, prefer_skip_nested_validation=True)
def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas=100,
               precompute="auto", Xy=None, copy_X=True, coef_init=None,
               verbose=False, return_n_iter=False, positive=False, **params):
    """Lasso path, with scikit-learn's signature and return values.

    The objective (no intercept, as in scikit-learn) is
    ``1 / (2 * n_samples) * ||y - Xw||^2_2 + alpha * ||w||_1``.  See
    :func:`enet_path` for the parameters and return values.
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas,
                     alphas=alphas, coef_init=coef_init, verbose=verbose,
                     return_n_iter=return_n_iter, positive=positive, **params)
