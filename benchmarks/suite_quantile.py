"""QuantileRegressor rows: sklreg, scikit-learn ('highs', 'highs-ipm'),
statsmodels QuantReg (alpha = 0 only).

Every library is judged on the exact objective
``1/n sum rho_tau(r_i) + alpha ||w||_1`` (not a smoothed surrogate).
scikit-learn's solvers and statsmodels have no tolerance matching ours:
HiGHS runs once (its own defaults); statsmodels' ``p_tol`` is tightened like
a tol.  Peers run in a forked child process and are given up on -- reported as
"failed ... GaveUp" and then as not reaching the target -- when one run
exceeds ``LIMIT`` seconds (``LIMIT_SMALL`` up to n = 20000).  HiGHS is not run at n = 1,000,000, where
scikit-learn's LP (2n + 2p columns, ~2 GB) would not fit beside the other
jobs on this machine.
"""
import multiprocessing

import numpy as np

from harness import TOLS, Problem
from sklreg.datasets import make_correlated_data
from sklreg.losses import PinballLoss

LIMIT = 60.0             # seconds per peer run above n = 20000
LIMIT_SMALL = 300.0      # up to n = 20000, where HiGHS is slow but finishes
HIGHS_MAX_SAMPLES = 100_000


def _alpha_max(X, y, tau):
    """Smallest alpha with w = 0 optimal (up to ties at the quantile)."""
    b0 = np.quantile(y, tau)
    theta = tau - (y < b0)
    return np.max(np.abs(X.T @ theta)) / len(y)


class GaveUp(RuntimeError):
    pass


_SHARED = {}   # what a forked child inherits: the data and the fit


def _child(tol):
    return _SHARED["fit"](_SHARED["data"], tol)


def _time_limited(fit, limit=None):
    """Run ``fit(d, tol)`` in a forked child; give up after ``limit`` seconds
    (default: by size, see the module docstring)."""
    def run(d, tol):
        _SHARED.update(data=d, fit=fit)
        if limit is None:
            seconds = LIMIT_SMALL if d["X"].shape[0] <= 20000 else LIMIT
        else:
            seconds = limit
        with multiprocessing.get_context("fork").Pool(1) as pool:
            job = pool.apply_async(_child, (tol,))
            try:
                return job.get(timeout=seconds)
            except multiprocessing.TimeoutError:
                pool.terminate()
                raise GaveUp(f"one run exceeded {seconds:.0f} s") from None
    return run


def _once(fit):
    """Runner for a peer without our tol: run at the first tol only."""
    def run(d, tol):
        if tol != TOLS[0]:
            raise GaveUp("no tolerance to tighten")
        return fit(d)
    return _time_limited(run)


def _runners(n, alpha_zero):
    import sklreg
    from sklearn.linear_model import QuantileRegressor as SK

    def ours(d, tol):
        m = sklreg.QuantileRegressor(quantile=d["tau"], alpha=d["alpha"], tol=tol,
                                     max_iter=500).fit(d["X"], d["y"])
        return m.coef_, m.intercept_

    def highs(method):
        def fit(d):
            m = SK(quantile=d["tau"], alpha=d["alpha"], solver=method).fit(d["X"], d["y"])
            return m.coef_, m.intercept_
        return _once(fit)

    runners = {"sklreg": ours}
    if n <= HIGHS_MAX_SAMPLES:
        runners["sklearn-highs"] = highs("highs")
        runners["sklearn-highs-ipm"] = highs("highs-ipm")
    if alpha_zero:
        try:
            import statsmodels.api as sm

            def statsmodels(d, tol):     # its default max_iter (1000)
                Xc = sm.add_constant(d["X"], has_constant="add")
                params = sm.QuantReg(d["y"], Xc).fit(q=d["tau"], p_tol=tol).params
                return params[1:], params[0]
            runners["statsmodels"] = _time_limited(statsmodels)
        except ImportError:
            pass
    return runners


def problem(name, n, p, tau, ratio):
    """``ratio`` None means alpha = 0, else alpha = alpha_max / ratio."""
    def build(quick):
        nn = n // 10 if quick else n
        X, y, _ = make_correlated_data(nn, p, rho=0.5, random_state=0)
        alpha = 0.0 if ratio is None else _alpha_max(X, y, tau) / ratio
        return dict(X=X, y=y, tau=tau, alpha=alpha)

    def objective(d, solution):
        coef, intercept = solution
        r = d["y"] - d["X"] @ coef - intercept
        return PinballLoss(d["tau"]).value(r) + d["alpha"] * np.abs(coef).sum()

    runners = _runners(n, ratio is None)
    reference = lambda d: runners["sklreg"](d, 1e-12)     # noqa: E731
    return Problem(name, build, objective, runners, reference)


def problems():
    rows = []
    for n, tag in [(5000, "5k"), (20000, "20k"), (100_000, "100k"), (1_000_000, "1m")]:
        for tau in (0.5, 0.9):
            for ratio in (None, 100):
                a = "a0" if ratio is None else "amax100"
                rows.append(problem(f"qr_t{int(tau * 100)}_n{tag}_{a}", n, 50, tau, ratio))
    rows.append(problem("qr_t50_p2000_n5k_amax100", 5000, 2000, 0.5, 100))
    return rows
