"""Inference rows: ``sklreg.summary`` against statsmodels' QuantReg.

Median regression (tau = 0.5, alpha = 0) on ``make_correlated_data`` with
p = 50, as the QuantileRegressor rows.  Each runner does what a user does to
get a coefficient table, from the raw data:

- ``inf_nid_*``: sklreg fits ``QuantileRegressor(alpha=0)`` and calls
  ``summary(se='nid')`` (two more fits, at tau +- h, warm-started, and the
  sandwich); statsmodels fits ``QuantReg(y, X).fit(q=0.5)`` with its
  defaults and builds ``.summary()`` (its default covariance).
- ``inf_boot_*``: sklreg fits and calls ``summary(se='boot', n_boot=200)``
  (pairs bootstrap, warm-started refits, ``n_jobs=1``); statsmodels has no
  bootstrap, so its user refits ``QuantReg`` from scratch on each of the 200
  resamples, plus the fit itself.  One statsmodels fit takes a minute or more
  at these sizes, so its runner does ``BOOT_TIMED`` of these 201 fits (the
  fit on the data and the first resample's) and its time is multiplied by
  ``201 / BOOT_TIMED`` (marked "(x100.5)"): the fits cost about the same as
  each other.

Rows are not gated (``gate=False``): each library runs once per repeat at
its defaults, statsmodels once (``once``).  ``--quick`` takes n / 50 rows
(400 and 2000), and statsmodels' BLAS one thread: its QuantReg does not
meet its own convergence test on this data and runs all of its 1000
iterations, each a pseudo-inverse of a 51 x 51 matrix, and OpenBLAS's
threads spinning on those tiny products on a loaded machine made each fit
take ~2 minutes whatever n (its fits alone took ~13 minutes of a quick
run).  The full-size rows leave its threads as they are.  The "subopt" column is the
relative pinball-loss excess of the *fitted* coefficients over the best
(statsmodels iterates reweighted least squares to its default tolerance).
"""
import numpy as np

from harness import Problem
from sklreg.datasets import make_correlated_data

N_BOOT = 200
BOOT_TIMED = 2
QUICK_FRACTION = 50


def _sklreg(se):
    def run(d, tol):
        from sklreg import QuantileRegressor, summary
        model = QuantileRegressor(alpha=0.0).fit(d["X"], d["y"])
        result = summary(model, d["X"], d["y"], se=se, n_boot=N_BOOT, random_state=0,
                         n_jobs=1)
        return result.params
    return run


def _statsmodels_fit(X, y, quick):
    import warnings

    import statsmodels.api as sm
    from threadpoolctl import threadpool_limits
    # --quick: one BLAS thread (see the module docstring)
    with warnings.catch_warnings(), threadpool_limits(1 if quick else None):
        warnings.simplefilter("ignore")     # its iteration-limit warnings
        return sm.QuantReg(y, sm.add_constant(X, has_constant="add")).fit(q=0.5)


def _statsmodels_summary(d, tol):
    result = _statsmodels_fit(d["X"], d["y"], d["quick"])
    result.summary()
    return np.asarray(result.params)


def _statsmodels_bootstrap(d, tol):
    """The fit on the data and BOOT_TIMED - 1 of the 200 resample fits."""
    result = _statsmodels_fit(d["X"], d["y"], d["quick"])
    rng = np.random.default_rng(0)
    n = len(d["y"])
    for _ in range(BOOT_TIMED - 1):
        idx = rng.integers(0, n, n)
        _statsmodels_fit(d["X"][idx], d["y"][idx], d["quick"])
    return np.asarray(result.params)


def _problem(name, n, se):
    def build(quick):
        nn = n // QUICK_FRACTION if quick else n
        X, y, _ = make_correlated_data(nn, 50, rho=0.5, random_state=0)
        X = np.asfortranarray(X)
        return dict(X=X, y=y, quick=quick)

    def objective(d, params):
        r = d["y"] - d["X"] @ params[1:] - params[0]
        return np.mean(r * (0.5 - (r < 0)))

    runners = {"sklreg": _sklreg(se)}
    extrapolate = {}
    try:
        import statsmodels  # noqa: F401
        if se == "boot":
            runners["statsmodels"] = _statsmodels_bootstrap
            extrapolate["statsmodels"] = (N_BOOT + 1) / BOOT_TIMED
        else:
            runners["statsmodels"] = _statsmodels_summary
    except ImportError:
        pass
    return Problem(name, build, objective, runners, reference=None, tols=[None],
                   gate=False, once=("statsmodels",), extrapolate=extrapolate)


def problems():
    return [_problem(f"inf_{se}_n{tag}", n, se)
            for se in ("nid", "boot") for n, tag in [(20_000, "20k"), (100_000, "100k")]]
