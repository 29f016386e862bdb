"""QuantileRegressor on Dask data: Portnoy and Koenker's globbing, exact.

``sklreg.solvers._glob`` does it in memory; here each step is a pass:

1. a random sample of ``m ~ ((p+1) n)^(2/3)`` rows comes to the client,
   which fits it loosely (the pilot) and takes, from the sample's residuals,
   the band of residuals around the tau-quantile holding about ``m`` rows;
2. a pass at the pilot gathers the band's rows, and sums those above
   (below) it into one pseudo-row of their total weight; the client solves
   that problem exactly, in memory (``QuantileRegressor`` on its rows: it
   is the original objective with the globbed rows' losses merged, of the
   same total weight, so the same penalty);
3. a pass at its solution gives the full objective: the restricted
   problem's dual point is feasible for the full one, so ``gap = P_full(w)
   - D_restricted`` is a true duality gap, small exactly when every
   globbed row kept its side.  If some did not and they are few (at most
   ``FIX_UP`` of the band), they join the band (a rule the workers apply
   to each row) and steps 2 and 3 repeat; if many, the band missed the
   optimum: it is doubled, around the better of the pilot and the
   solution, and steps 2 and 3 repeat.  (Re-centring on a solution whose
   globs were wrong would not do: it can be worse than the pilot.)

``P(0)``, the scale of ``tol``, is bounded from below the same way: the
intercept-only problem restricted to a band of y (gathered in pass 2, one
number a row) is a weighted quantile, whose optimum is at most ``P(0)``.
Only the sample, the band and scalars travel; X stays on the workers.
"""
import numpy as np
from sklearn.base import clone

from sklreg._dask._data import DaskData
from sklreg._dask._moments import block_arrays
from sklreg._dask._passes import Passes
from sklreg.losses import PinballLoss
from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, gap_target
from sklreg.solvers._glob import FIRST_TOL, subsample_size
from sklreg.utils.stats import weighted_quantile

SEED = 0
FIX_UP = 0.1      # rows that changed side, as a fraction of the band, put back in it
MAX_ROUNDS = 8    # of steps 2 and 3 (in memory, the full problem is solved after 4)


# -- on the workers ----------------------------------------------------------
def _sample_block(X, y, s, index, where, rate, tau, fit_intercept):
    """The block checked; its rows drawn with probability ``rate`` (seeded
    by the block's index); its weight and, without intercept, P(0)'s sum."""
    X, y, s = block_arrays(X, y, s, where)
    drawn = (np.random.default_rng([SEED, index]).random(y.size) < rate) & (s > 0)
    zero = 0.0 if fit_intercept else PinballLoss(tau).total(y, s)
    return {"X": X[drawn], "y": y[drawn], "s": s[drawn], "weight": s.sum(),
            "rows": y.size, "zero": zero}


def _forced(X, y, rules):
    """The rows that some earlier round globbed and that changed side at its
    solution: each rule is (w, b, lo, hi) of the round and its solution."""
    forced = np.zeros(y.size, dtype=bool)
    for w0, b0, lo, hi, w1, b1 in rules:
        r0, r1 = y - X @ w0 - b0, y - X @ w1 - b1
        forced |= ((r0 > hi) & (r1 < 0)) | ((r0 < lo) & (r1 > 0))
    return forced


def _band_block(X, y, s, centre, w, b, lo, hi, rules, null):
    """The rows (of ``X - centre``) whose residual at (w, b) lies in [lo,
    hi] or that ``rules`` force in, and the sums of the others above and
    below; the same for the y in ``null`` (lo, hi), of the intercept-only
    problem (y's alone)."""
    X, y, s = block_arrays(X, y, s, "", check=False)
    X = X - centre
    r = y - X @ w - b
    out = _glob(r, s, lo, hi, X, y, _forced(X, y, rules))
    if null is not None:
        for key, value in _glob(y, s, *null, np.zeros((y.size, 0)), y,
                                np.zeros(y.size, dtype=bool)).items():
            out["null_" + key] = value
    return out


def _glob(r, s, lo, hi, X, y, forced):
    band = ((r >= lo) & (r <= hi) | forced) & (s > 0)
    out = {"X": X[band], "y": y[band], "s": s[band]}
    for name, mask in (("above", (r > hi) & ~forced), ("below", (r < lo) & ~forced)):
        out[name] = (s[mask] @ X[mask], float(np.dot(s[mask], y[mask])),
                     float(s[mask].sum()))
    return out


def _verify_block(X, y, s, centre, w, b, rule, rules, tau):
    """The pinball sums at (w, b) (of ``X - centre``) and at the round's
    centre, and the rows the round globbed (``rule``: its centre, band and
    solution) that changed side."""
    X, y, s = block_arrays(X, y, s, "", check=False)
    X = X - centre
    wrong = _forced(X, y, [rule]) & ~_forced(X, y, rules) & (s > 0)
    w0, b0 = rule[:2]
    return {"loss": PinballLoss(tau).total(y - X @ w - b, s), "wrong": int(np.count_nonzero(wrong)),
            "centre_loss": PinballLoss(tau).total(y - X @ w0 - b0, s)}


def _merge(parts):
    """Rows are stacked, sums added (tuples of sums entry by entry)."""
    out = dict(parts[0])
    for part in parts[1:]:
        for key, value in part.items():
            if isinstance(value, np.ndarray) and key.split("_")[-1] in ("X", "y", "s"):
                out[key] = np.concatenate([out[key], value])
            elif isinstance(value, tuple):
                out[key] = tuple(u + v for u, v in zip(out[key], value))
            else:
                out[key] = out[key] + value
    return out


# -- on the client -----------------------------------------------------------
def _restricted(glob, prefix=""):
    """The band's rows and one pseudo-row per glob of positive weight: x
    and y the weighted means, the total weight."""
    X, y, s = glob[prefix + "X"], glob[prefix + "y"], glob[prefix + "s"]
    rows, ys, ss = [X], [y], [s]
    for name in ("above", "below"):
        sx, sy, weight = glob[prefix + name]
        if weight > 0:
            rows.append(np.atleast_2d(sx / weight))
            ys.append([sy / weight])
            ss.append([weight])
    return np.vstack(rows), np.concatenate(ys), np.concatenate(ss)


def _band(r, s, tau, width):
    """The residuals' weighted quantiles around tau holding a fraction
    ``width`` of the weight."""
    return (weighted_quantile(r, s, max(tau - width / 2, 0.0)),
            weighted_quantile(r, s, min(tau + width / 2, 1.0)))


def _null_bound(glob, tau, fit_intercept, zero_sum, n_w):
    """A lower bound of P(0): the intercept-only problem restricted to a
    band of y, solved exactly (a weighted quantile); P(0) itself without
    intercept."""
    if not fit_intercept:
        return zero_sum / n_w
    _, y, s = _restricted(glob, "null_")
    return PinballLoss(tau).total(y - weighted_quantile(y, s, tau), s) / n_w


def fit_quantile(estimator, X, y, sample_weight=None):
    """``QuantileRegressor.fit`` on Dask data, by globbing (see the module)."""
    from sklreg.utils.validation import validate_params

    validate_params(estimator)
    data = DaskData(X, y, sample_weight)
    estimator._check_params(data.n_features)
    tau, intercept = estimator.quantile, estimator.fit_intercept
    passes = Passes(data, estimator)
    n = int(sum(data.row_chunks)) if not data.frame else _count(data)
    # at most a quarter of the rows (p close to n: the band's rounds widen it)
    m = min(subsample_size(n, data.n_features), max(n // 4, 1))
    sample = passes.run(_sample_block, _merge, m / max(n, 1), tau, intercept, indexed=True)
    n_w = sample["weight"]
    if n_w <= 0:
        raise ValueError("sample_weight is zero on every row: nothing to fit")
    passes.say(f"a sample of {sample['y'].size} of {n} rows")
    Xs, ys, ss = sample["X"], sample["y"], sample["s"]
    # with an intercept, X is shifted by a row of data values: a constant
    # column becomes exactly zero, in the band and in the globs' means alike
    centre = (np.quantile(Xs, 0.5, axis=0, method="lower") if intercept and ys.size
              else np.zeros(data.n_features))
    Xs = Xs - centre
    pilot = clone(estimator).set_params(tol=FIRST_TOL, verbose=0).fit(Xs, ys, ss)
    w, b = np.asarray(pilot.coef_, dtype=np.float64), float(pilot.intercept_)
    width = m / max(n, 1)
    null_band = _band(ys, ss, tau, width) if intercept else None
    p0, n_iter, rules = None, 0, []
    for _ in range(MAX_ROUNDS):
        lo, hi = _band(ys - Xs @ w - b, ss, tau, width)
        glob = passes.run(_band_block, _merge, centre, w, b, lo, hi, rules, null_band)
        if p0 is None:              # P(0)'s bound, from the first round's pass
            p0 = _null_bound(glob, tau, intercept, sample["zero"], n_w)
            null_band = None
        Xr, yr, sr = _restricted(glob)
        passes.say(f"a band of {glob['y'].size} rows gathered")
        band = clone(estimator).set_params(verbose=0).fit(Xr, yr, sr)
        wr, br = np.asarray(band.coef_, dtype=np.float64), float(band.intercept_)
        n_iter += band.n_iter_
        problem = estimator._problem(Xr, yr, sr, conditioned_X=False)[0]
        lower = problem.primal(wr, br) - band.dual_gap_        # the restricted dual
        rule = (w, b, lo, hi, wr, br)
        check = passes.run(_verify_block, _merge, centre, wr, br, rule, rules, tau)
        primal = check["loss"] / n_w + problem.penalty(wr) / problem.n_w
        tol_abs = gap_target(estimator.tol, max(p0, lower, 0.0), FINISHED_GAP_FLOOR)
        result = SolverResult(coef=wr, intercept=br, gap=primal - lower, primal=primal,
                              tol_abs=tol_abs, n_iter=n_iter)
        passes.say(f"certificate {result.gap:.3e} (target {tol_abs:.3e}); "
                   f"{check['wrong']} globbed rows changed side")
        if result.converged or not check["wrong"]:
            break
        if check["wrong"] <= FIX_UP * glob["y"].size:
            rules.append(rule)      # those rows join the band: the same round again
        else:
            # the band missed the optimum: wider, around the better point
            width *= 2
            if check["loss"] < check["centre_loss"]:
                w, b = wr, br
    result.warn_if_not_converged(alpha=estimator.alpha)
    estimator.coef_ = result.coef.astype(data.dtype)
    estimator.intercept_ = data.dtype.type(result.intercept - np.dot(centre, result.coef)
                                           if intercept else 0.0)
    estimator.dual_gap_, estimator.n_iter_ = result.gap, result.n_iter
    estimator.solver_ = band.solver_
    estimator.n_features_in_ = data.n_features
    if data.feature_names is not None:
        estimator.feature_names_in_ = data.feature_names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return estimator


def _count(data):
    """The rows of a Dask DataFrame (lengths of its partitions)."""
    import dask

    return int(sum(dask.compute(*[dask.delayed(len)(x) for x, _, _ in data.blocks()])))
