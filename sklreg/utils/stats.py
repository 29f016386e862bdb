"""Statistics shared by the estimators and solvers."""
import numpy as np


def weighted_quantile(values, weights, tau):
    """The lower weighted ``tau``-quantile of ``values``: the smallest value
    whose cumulative weight (in sorted order) reaches ``tau`` of the total,
    a minimiser of ``sum_i weights_i rho_tau(values_i - b)`` (weights count
    as repetitions).  The threshold is lowered by 1e-15 relatively, so that
    a cumulative sum that reaches it exactly, up to its rounding, counts.

    ``weights`` None, or all equal, is found by selection, not a sort.
    """
    values = np.asarray(values)
    n = values.shape[0]
    if weights is None or (weights[0] > 0 and np.all(weights == weights[0])):
        k = min(max(int(np.ceil(tau * n * (1 - 1e-15))) - 1, 0), n - 1)
        return np.partition(values, k)[k]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    k = min(np.searchsorted(cumulative, tau * cumulative[-1] * (1 - 1e-15)), n - 1)
    return values[order[k]]
