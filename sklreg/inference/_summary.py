"""``sklreg.summary``: standard errors, intervals and tests for a fitted model."""
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sklreg.inference._bootstrap import BOOTSTRAPS, bootstrap_replicates
from sklreg.inference._data import as_beta, fitted_design, warm_clone
from sklreg.inference._huber_se import HUBER_SE, huber_cov, sandwich_cov
from sklreg.inference._quantile_se import (BANDWIDTHS, iid_cov, inside_bandwidth,
                                           ker_density, nid_density, sandwich)
from sklreg.inference._rank import rank_intervals
from sklreg.inference._table import InferenceSummary
from sklreg.linear_model import HuberRegressor, QuantileRegressor

QUANTILE_SE = ("nid", "iid", "ker", "rank", "boot")
METHOD_NAMES = {
    "iid": "iid (Koenker-Bassett)", "nid": "nid (Hendricks-Koenker)",
    "ker": "ker (Powell kernel)", "rank": "rank inversion",
    "sandwich": "sandwich (HC0)", "H1": "Huber H1", "H2": "Huber H2", "H3": "Huber H3",
}


def summary(estimator, X, y, *, se=None, level=0.95, sample_weight=None,
            bandwidth="hall-sheather", bootstrap="xy", n_boot=200, n_jobs=None,
            random_state=None):
    """Standard errors, confidence intervals and tests for a fitted model.

    For an unpenalised (``alpha=0``) :class:`~sklreg.QuantileRegressor` or
    :class:`~sklreg.HuberRegressor` fitted on ``X, y``: the methods of R's
    ``quantreg::summary.rq`` for quantile regression, and the sandwich or
    Huber's covariances for Huber regression.  See :ref:`inference`.

    Parameters
    ----------
    estimator : QuantileRegressor, HuberRegressor or Pipeline
        Fitted on ``X, y`` (and ``sample_weight``), with one target.  A
        :class:`~sklearn.pipeline.Pipeline` ending in one of them is
        summarised at its last step, on ``X`` as its fitted transformers
        output it (they are held fixed: the uncertainty of, say, a scaler's
        means is not in the standard errors).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The training data (sparse X is densified).
    y : array-like of shape (n_samples,)
        The training target.
    se : str, default=None
        How the standard errors are estimated.  Quantile regression:
        ``'nid'`` (the default: Hendricks-Koenker sandwich, local densities
        from the fits at ``quantile +- h``), ``'iid'`` (errors independent of
        x), ``'ker'`` (Powell's kernel sandwich), ``'rank'`` (intervals by
        inverting the rank-score test, quantreg's default below 1001
        samples; no standard errors) or ``'boot'``.  Huber regression:
        ``'sandwich'`` (the default, robust to heteroscedasticity), ``'H1'``,
        ``'H2'``, ``'H3'`` (Huber's, for homoscedastic errors, as
        statsmodels' ``RLM``) or ``'boot'``.
    level : float, default=0.95
        Confidence level of the intervals, in (0, 1).
    sample_weight : array-like of shape (n_samples,), default=None
        The weights of the fit.  They multiply the rows, as in R's quantreg:
        standard errors treat them as sampling weights, not as counts of
        repeated rows.  ``'iid'``, ``'rank'`` and Huber's ``'H1'``-``'H3'``
        assume identically distributed errors and refuse unequal weights.
    bandwidth : {'hall-sheather', 'bofinger'}, default='hall-sheather'
        The bandwidth of ``'iid'``, ``'nid'`` and ``'ker'``.
    bootstrap : {'xy', 'wild'}, default='xy'
        For ``se='boot'``: resample (x, y) pairs, or Feng, He and Hu's wild
        bootstrap of the residuals (quantile regression only).
    n_boot : int, default=200
        Bootstrap replications.
    n_jobs : int, default=None
        Threads fitting the bootstrap replicates (``joblib``'s convention).
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstrap.

    Returns
    -------
    result : InferenceSummary
        ``params``, ``bse``, ``conf_int``, ``tvalues``, ``pvalues``,
        ``cov_params``; ``print(result)`` shows the table and
        ``result.to_frame()`` returns it as a DataFrame.

    Raises
    ------
    ValueError
        For a penalised fit (``alpha > 0``) with an analytic ``se``: the
        penalty biases the estimate and, for an L1 part, sets coefficients
        exactly to zero; none of these formulas holds.  ``se='boot'``
        describes the penalised estimator's spread instead.  Also for an
        unknown ``se``, too few samples, or unequal weights where the method
        assumes identically distributed errors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg import QuantileRegressor, summary
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 2))
    >>> y = 1.0 + X @ [2.0, 0.0] + rng.standard_t(3, 500)
    >>> model = QuantileRegressor(alpha=0.0).fit(X, y)
    >>> result = summary(model, X, y, se="nid")
    >>> result.conf_int.shape
    (3, 2)
    >>> bool(result.conf_int[1, 0] < 2.0 < result.conf_int[1, 1])
    True
    """
    estimator, X, names, notes = _final_step(estimator, X)
    kind = _kind(estimator)
    if se is None:
        se = "nid" if kind == "quantile" else "sandwich"
    allowed = QUANTILE_SE if kind == "quantile" else HUBER_SE + ("boot",)
    if se not in allowed:
        raise ValueError("se must be one of %s for %s; got %r"
                         % (", ".join(map(repr, allowed)), type(estimator).__name__, se))
    _check_options(level, bandwidth, bootstrap, n_boot, kind, se)
    notes += _check_penalty(estimator, se)
    design = fitted_design(estimator, X, y, sample_weight, names)
    if design.n <= design.k:
        raise ValueError("inference needs more samples than coefficients: n_samples=%d "
                         "(of positive weight), %d coefficients" % (design.n, design.k))
    if design.s is not None and se in ("iid", "rank", "H1", "H2", "H3"):
        raise ValueError("se=%r assumes identically distributed errors, which unequal "
                         "sample weights contradict; use se=%r or 'boot'"
                         % (se, "nid" if kind == "quantile" else "sandwich"))
    params = as_beta(estimator, design.fit_intercept)
    common = dict(model=_describe(estimator), params=params, names=design.names, se=se,
                  level=level, nobs=design.n, notes=notes,
                  distribution="t" if kind == "quantile" else "normal")
    if se == "boot":
        replicates = bootstrap_replicates(estimator, design, bootstrap, n_boot, n_jobs,
                                          random_state, getattr(estimator, "quantile", None))
        cov = np.atleast_2d(np.cov(replicates, rowvar=False))
        details = {"method": "bootstrap (%s)" % bootstrap, "Replications:": n_boot}
        return InferenceSummary(bse=np.sqrt(np.diag(cov)), cov_params=cov,
                                bootstrap_params=replicates, details=_strip(details), **common)
    if kind == "huber":
        if se == "sandwich":
            cov = sandwich_cov(design, estimator.scale_, estimator.epsilon)
        else:
            cov = huber_cov(design, estimator.scale_, estimator.epsilon, se)
        details = {"method": METHOD_NAMES[se], "Scale": "%.6g" % estimator.scale_,
                   "Epsilon": "%g" % estimator.epsilon}
        return InferenceSummary(bse=np.sqrt(np.diag(cov)), cov_params=cov,
                                details=details, **common)
    return _quantile(estimator, design, se, level, bandwidth, common)


def _quantile(estimator, design, se, level, rule, common):
    tau = estimator.quantile
    details = {"method": METHOD_NAMES[se], "Quantile": "%g" % tau}
    if se == "rank":
        bounds, _ = rank_intervals(design.Z, design.ys, design.beta, tau, level)
        return InferenceSummary(conf_int=bounds, details=details, **common)
    r = design.residuals()
    if se == "iid":
        cov, sparsity = iid_cov(design.Z, r, tau, rule, np.max(np.abs(design.ys)))
        details.update({"Bandwidth": rule, "Sparsity": "%.6g" % sparsity})
    else:
        h = inside_bandwidth(tau, design.n, rule)
        details["Bandwidth"] = "%.4g (%s)" % (h, rule)
        if se == "nid":
            f = _nid_densities(estimator, design, tau, h)
        else:
            f, width = ker_density(r, tau, h)
            details["Kernel width"] = "%.6g" % width
        cov = sandwich(design.Z, f, tau)
    return InferenceSummary(bse=np.sqrt(np.diag(cov)), cov_params=cov, details=details,
                            **common)


def _nid_densities(estimator, design, tau, h):
    """Densities from the fits at tau +- h, warm-started from the fit."""
    fits = []
    for q in (tau + h, tau - h):
        twin = warm_clone(estimator, design.beta, design.fit_intercept, quantile=q)
        fits.append(as_beta(twin.fit(design.X, design.y, sample_weight=design.s),
                            design.fit_intercept))
    f, crossed = nid_density(design.Z, fits[0], fits[1], h)
    if crossed:
        warnings.warn("se='nid': the fits at quantile +- %.3g cross at %d of %d samples; "
                      "their density estimate is set to 0" % (h, crossed, design.n),
                      UserWarning, stacklevel=3)
    return f


def _final_step(estimator, X):
    """The model to summarise and its input: a Pipeline's last step and X
    through its fitted transformers, with their output feature names."""
    if not isinstance(estimator, Pipeline):
        return estimator, X, None, []
    check_is_fitted(estimator)
    if len(estimator) == 1:
        return estimator[-1], X, None, []
    transformers = estimator[:-1]
    try:
        names = [str(name) for name in transformers.get_feature_names_out()]
    except (AttributeError, TypeError, ValueError):
        names = None      # a step without output names: x0, x1, ...
    note = ("coefficients of the pipeline's last step on its transformed features; "
            "the fitted transformers are held fixed")
    return estimator[-1], transformers.transform(X), names, [note]


def _kind(estimator):
    if isinstance(estimator, QuantileRegressor):
        return "quantile"
    if isinstance(estimator, HuberRegressor):
        return "huber"
    raise TypeError("summary takes a fitted sklreg QuantileRegressor or HuberRegressor, "
                    "or a Pipeline ending in one; got %s (a *CV estimator's estimator_ is "
                    "one, at the penalty it chose: summarise it with se='boot', or refit "
                    "with alpha=0 for analytic errors)" % type(estimator).__name__)


def _check_options(level, bandwidth, bootstrap, n_boot, kind, se):
    if not isinstance(level, Real) or not 0 < level < 1:
        raise ValueError("level must be a float in (0, 1); got %r" % (level,))
    if bandwidth not in BANDWIDTHS:
        raise ValueError("bandwidth must be one of %s; got %r"
                         % (", ".join(map(repr, BANDWIDTHS)), bandwidth))
    if bootstrap not in BOOTSTRAPS:
        raise ValueError("bootstrap must be one of %s; got %r"
                         % (", ".join(map(repr, BOOTSTRAPS)), bootstrap))
    if se == "boot" and bootstrap == "wild" and kind != "quantile":
        raise ValueError("bootstrap='wild' is Feng, He and Hu's bootstrap for quantile "
                         "regression; use bootstrap='xy' for HuberRegressor")
    if not isinstance(n_boot, Integral) or n_boot < 2:
        raise ValueError("n_boot must be an int >= 2; got %r" % (n_boot,))


def _check_penalty(estimator, se):
    """Notes for the table; raise for analytic errors of a penalised fit."""
    penalised = estimator.alpha > 0
    positive = getattr(estimator, "positive", False)
    if not (penalised or positive):
        return []
    why = ("alpha=%r > 0" % estimator.alpha) if penalised else "positive=True"
    if se != "boot":
        raise ValueError(
            "se=%r needs an unpenalised, unconstrained fit, but the estimator has %s. "
            "A penalty shrinks the estimate toward zero (its bias is not in any standard "
            "error) and an L1 part sets coefficients exactly to zero, where no normal "
            "approximation holds. Refit with alpha=0 (scikit-learn's default is not 0), or "
            "use se='boot' to describe the spread of the penalised estimator." % (se, why))
    return ["%s: the bootstrap describes the spread of the penalised estimator; its "
            "intervals and p-values are not valid inference on the unpenalised "
            "coefficients (for L1 penalties, not even asymptotically)." % why]


def _describe(estimator):
    if isinstance(estimator, QuantileRegressor):
        return "QuantileRegressor(quantile=%g)" % estimator.quantile
    return "HuberRegressor(epsilon=%g)" % estimator.epsilon


def _strip(details):
    return {key.rstrip(":"): value for key, value in details.items()}
