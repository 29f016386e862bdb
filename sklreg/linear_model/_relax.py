"""The relaxed lasso's cross-validation: alpha and glmnet's ``gamma`` chosen
jointly, as ``cv.glmnet(relax=TRUE)`` does.

Each gamma is one more search of ``PathCV`` (its folds run the relaxed path,
``regularization_path`` of ``ElasticNet(relax=gamma)``), and the pair with
the lowest mean CV loss over all of them is refitted.
"""
from numbers import Real

import numpy as np
from sklearn.utils import check_scalar

from sklreg.model_selection import cv_results

GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)     # glmnet's default

RELAX_CV_DOC = """
    relax : bool, default=False
        Choose glmnet's relaxation ``gamma`` (see ``relax`` of
        :class:`ElasticNet`) jointly with alpha: every (alpha, gamma) pair
        of ``gammas`` is scored on the folds, as ``cv.glmnet(relax=TRUE)``
        does, and the model is refitted at the best pair (``gamma_``).
        Each gamma below 1 runs its own relaxed paths: the search costs
        about ``len(gammas)`` times the plain one.
    gammas : array-like of float in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The relaxations searched when ``relax=True`` (glmnet's default):
        1 is the penalised fit, 0 the unpenalised refit on its support.
"""

RELAX_CV_ATTRIBUTES_DOC = """
    gamma_ : float
        The chosen relaxation (when ``relax=True``).  ``cv_results_`` then
        holds every (alpha, gamma) pair of the chosen l1_ratio, with a
        ``gamma`` key beside ``alpha``; ``mse_path_`` has one more leading
        axis, of length ``len(gammas)``; ``alpha_1se_`` is taken within
        ``gamma_``.
"""


def with_gammas(extras, relax, gammas):
    """The searches of a ``*CV`` (a list of dicts) times the gammas, when
    ``relax``."""
    if not relax:
        return extras
    values = np.atleast_1d(np.asarray(gammas, dtype=float)) if np.ndim(gammas) < 2 else None
    if values is None or values.size == 0:
        raise ValueError(f"gammas must be a non-empty list of floats in [0, 1]; got {gammas!r}")
    for index, gamma in enumerate(values):
        check_scalar(float(gamma), f"gammas[{index}]", Real, min_val=0.0, max_val=1.0)
    return [{**extra, "relax": float(g)} for extra in extras for g in values]


def store_relaxed(cv, searches, best):
    """``gamma_``, ``mse_path_``, ``alphas_`` and ``cv_results_`` over both
    alpha and gamma, for a search over gammas (``with_gammas``).  The chosen
    gamma's per-alpha results are kept for ``plot_cv``."""
    extra = searches[best][0]
    cv.gamma_ = extra["relax"]
    if "l1_ratio" in extra:
        cv.l1_ratio_ = extra["l1_ratio"]
    n_gammas = sum(e.get("l1_ratio") == extra.get("l1_ratio") for e, *_ in searches)
    losses = np.array([search[2] for search in searches])
    grids = [search[1] for search in searches[::n_gammas]]
    several_ratios = len(grids) > 1 or np.ndim(getattr(cv, "l1_ratio", 1.0)) > 0
    cv.mse_path_ = (losses.reshape(len(grids), n_gammas, *losses.shape[1:])
                    if several_ratios else losses)
    explicit = np.ndim(cv.alphas) > 0
    cv.alphas_ = np.array(grids) if several_ratios and not explicit else grids[0]
    cv._cv_summary = cv.cv_results_            # the chosen gamma's, per alpha
    chosen = [s for s in searches if s[0].get("l1_ratio") == extra.get("l1_ratio")]
    results = cv_results(np.concatenate([s[1] for s in chosen]),
                         np.concatenate([s[2] for s in chosen]))
    results["gamma"] = np.repeat([s[0]["relax"] for s in chosen], [len(s[1]) for s in chosen])
    cv.cv_results_ = results
