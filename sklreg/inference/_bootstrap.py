"""Bootstrap replicates of a fitted estimator's coefficients.

- ``'xy'``: the pairs ``(x_i, y_i)`` (with their weights) are resampled with
  replacement.  A resample is fitted as integer weights on the distinct rows
  drawn, which is the same objective as the repeated rows; any estimator and
  any penalty.
- ``'wild'`` (quantile regression only): Feng, He & Hu's (2011) wild
  bootstrap keeps X and sets ``y*_i = z_i beta + w_i |u_i|``, where ``w_i``
  is ``2 (1 - tau)`` with probability ``1 - tau`` and ``-2 tau`` otherwise
  (so the tau-quantile of ``w`` is 0) and ``u`` are the residuals corrected
  for leverage, ``u_i = r_i + h_ii (tau - [r_i < 0]) / f(0)``, as in
  quantreg's ``boot.rq(bsmethod = "wild")``.  ``f(0)`` is Powell's kernel
  estimate of the residuals' density at zero (quantreg uses an adaptive
  kernel estimate; the two differ only in that constant).

Replicate ``b`` draws from ``numpy.random.default_rng(seeds[b])`` with
``seeds = numpy.random.SeedSequence(seed).spawn(n_boot)``: the rows of an xy
resample are ``rng.integers(0, n, n)``, the wild signs
``rng.random(n) < tau``.  Every refit starts from the fitted coefficients
(``warm_start``); replicates run in ``n_jobs`` threads (the solvers release
the GIL).
"""
import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state

from sklreg.inference._data import as_beta, warm_clone
from sklreg.inference._quantile_se import inside_bandwidth, ker_density

BOOTSTRAPS = ("xy", "wild")


def bootstrap_seeds(random_state, n_boot):
    """One ``SeedSequence`` per replicate, from an int, a RandomState or None."""
    if isinstance(random_state, (int, np.integer)):
        entropy = int(random_state)
    else:
        entropy = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    return np.random.SeedSequence(entropy).spawn(n_boot)


def bootstrap_replicates(estimator, design, method, n_boot, n_jobs, random_state, tau=None):
    """Array (n_boot, k) of refitted (intercept, coefficients)."""
    seeds = bootstrap_seeds(random_state, n_boot)
    if method == "wild":
        draw = _wild_sampler(design, tau)
    else:
        draw = _pairs_sampler(design)
    chunks = np.array_split(np.arange(n_boot), max(1, min(_n_workers(n_jobs), n_boot)))
    parts = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fit_chunk)(estimator, design, draw, [seeds[b] for b in chunk])
        for chunk in chunks if len(chunk))
    return np.vstack(parts)


def _n_workers(n_jobs):
    from joblib import effective_n_jobs
    return effective_n_jobs(n_jobs)


def _fit_chunk(estimator, design, draw, seeds):
    out = np.empty((len(seeds), design.k))
    for row, seed in enumerate(seeds):
        X, y, s = draw(np.random.default_rng(seed))
        twin = warm_clone(estimator, design.beta, design.fit_intercept)
        twin.fit(X, y, sample_weight=s)
        out[row] = as_beta(twin, design.fit_intercept)
    return out


def _pairs_sampler(design):
    n = design.n

    def draw(rng):
        counts = np.bincount(rng.integers(0, n, n), minlength=n)
        rows = np.flatnonzero(counts)
        s = counts[rows].astype(np.float64)
        if design.s is not None:
            s *= design.s[rows]
        return design.X[rows], design.y[rows], s
    return draw


def _wild_sampler(design, tau):
    Z, r = design.Z, design.residuals()
    fitted = design.Z @ design.beta
    q, _ = np.linalg.qr(Z)
    leverage = np.einsum("ij,ij->i", q, q)
    f0 = np.mean(ker_density(r, tau, inside_bandwidth(tau, design.n, "hall-sheather"))[0])
    size = np.abs(r + leverage * (tau - (r < 0)) / f0)
    s = np.ones(design.n) if design.s is None else design.s

    def draw(rng):
        w = np.where(rng.random(design.n) < tau, -2 * tau, 2 * (1 - tau))
        return design.X, (fitted + w * size) / s, design.s
    return draw
