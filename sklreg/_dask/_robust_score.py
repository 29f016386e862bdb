"""HuberRegressorCV's test loss on Dask data, exactly as in memory.

In memory a test fold scores a fit by the mean Huber loss of its residuals
at the robust scale ``1.4826 * MAD`` (``HuberRegressorCV._loss``): a
weighted median of the residuals, then one of their distances to it,
then a sum.  Medians are not sums, but each is found exactly in a few
passes, for every (alpha, fold) at once:

1. a pass gives each residual stream's range;
2. a pass splits each stream's bracket (lo, hi] into ``BINS`` bins and
   sums the weight in each and below lo; the bin where the cumulative
   weight reaches half the total becomes the bracket (repeated until the
   bracket holds at most ``GATHER`` rows, two passes or three);
3. a pass gathers the bracket's distinct values and their weights: the
   lower weighted median is then the smallest value whose cumulative
   weight reaches half the total (``weighted_quantile``'s definition,
   with its relative slack of 1e-15).

The same for the distances to the median (their range follows from the
residuals'), and a last pass sums the loss: about eight passes in all.
Residuals are recomputed on the workers in each pass (``X_k W_k^T``, one
product per fold and block); only brackets, bins and scalars travel.
"""
import numpy as np

from sklreg._dask._moments import block_arrays, block_labels

BINS = 256           # a bracket's bins per pass
GATHER = 4096        # rows in a bracket gathered to the client
SLACK = 1 - 1e-15    # weighted_quantile's threshold, lowered by 1e-15 relatively
MAD_SCALE = 1.4826


# -- on the workers ----------------------------------------------------------
def score_block(X, y, s, folds, index, where, hashed, tested, coefs, intercepts, task):
    """``task`` on the test residuals of each fold in ``tested`` (labels):
    ``coefs[k]`` (n_alphas, p) and ``intercepts[k]`` (n_alphas,) are fold
    k's path."""
    X, y, s = block_arrays(X, y, s, where, check=False)
    labels = block_labels(folds, index, y.size, hashed, where)
    out = []
    for k, label in enumerate(tested):
        rows = labels == label
        R, sk = y[rows, None] - X[rows] @ coefs[k].T - intercepts[k], s[rows]
        if task[0] != "loss":       # a quantile never lands on a row of zero weight
            R, sk = R[sk > 0], sk[sk > 0]
        out.append((task[0],) + _TASKS[task[0]](R, sk, k, *task[1:]))
    return out


def _values(R, k, centre):
    return R if centre is None else np.abs(R - centre[k])


def _range(R, s, k, centre):
    V = _values(R, k, centre)
    return V.min(axis=0, initial=np.inf), V.max(axis=0, initial=-np.inf)


def _hist(R, s, k, centre, edges):
    """Per stream, the weight and rows at or below its lo (``edges[:, 0]``,
    entry 0) and in each bin (edges[j - 1], edges[j]] (entry j)."""
    V = _values(R, k, centre)
    n_streams, width = edges[k].shape
    weight, rows = np.zeros((n_streams, width)), np.zeros((n_streams, width), dtype=np.int64)
    for a in range(n_streams):
        # searchsorted: the edges strictly below v; 0 at or below lo, width above hi
        index = np.searchsorted(edges[k][a], V[:, a], side="left")
        weight[a] = np.bincount(index, weights=s, minlength=width + 1)[:width]
        rows[a] = np.bincount(index, minlength=width + 1)[:width]
    return weight, rows


def _gather(R, s, k, centre, lo, hi):
    """Weight at or below lo, and the distinct values in (lo, hi] with
    their weights, per stream."""
    V = _values(R, k, centre)
    below, found = np.empty(V.shape[1]), []
    for a in range(V.shape[1]):
        v = V[:, a]
        below[a] = s[v <= lo[k][a]].sum()
        inside = (v > lo[k][a]) & (v <= hi[k][a])
        found.append(_distinct(v[inside], s[inside]))
    return below, found


def _distinct(values, weights):
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, np.bincount(inverse, weights=weights, minlength=unique.size)


def _loss(R, s, k, scale, epsilon):
    """The weighted sum of H(|r| / scale) per stream, and (for a zero
    scale) the sum of |r| and the row count."""
    A = np.abs(R)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = A / scale[k]
    h = np.where(z <= epsilon, z ** 2, 2 * epsilon * z - epsilon ** 2)
    return s @ np.where(np.isfinite(h), h, 0.0), A.sum(axis=0), A.shape[0]


_TASKS = {"range": _range, "hist": _hist, "gather": _gather, "loss": _loss}


def merge_scores(parts):
    """Merge the blocks' results (lists, one (task, ...) a fold)."""
    total = parts[0]
    for part in parts[1:]:
        total = [_merge_one(a, b) for a, b in zip(total, part)]
    return total


def _merge_one(a, b):
    if a[0] == "range":
        return a[0], np.minimum(a[1], b[1]), np.maximum(a[2], b[2])
    if a[0] == "gather":
        return a[0], a[1] + b[1], [_distinct(np.concatenate([u[0], v[0]]),
                                             np.concatenate([u[1], v[1]]))
                                   for u, v in zip(a[2], b[2])]
    return (a[0],) + tuple(u + v for u, v in zip(a[1:], b[1:]))


# -- on the client -----------------------------------------------------------
class Streams:
    """The lower weighted median of many streams of values, found by passes
    (``run``, a function taking a task and returning one result a fold)."""

    def __init__(self, run, totals, n_alphas):
        self.run, self.n_alphas = run, n_alphas
        # half of each stream's weight, as weighted_quantile's threshold
        self.target = [np.full(n_alphas, 0.5 * total * SLACK) for total in totals]

    def medians(self, centre, low, high):
        """The medians of the values (residuals, or with ``centre``, their
        distances to it), every stream's values within [low, high]."""
        K = len(self.target)
        lo = [np.nextafter(low[k], -np.inf) for k in range(K)]
        hi = [np.array(high[k], dtype=np.float64) for k in range(K)]
        while not self._narrow(centre, lo, hi):
            pass
        _, below_g, found = zip(*self.run(("gather", centre, lo, hi)))
        out = []
        for k in range(K):
            med = np.empty(self.n_alphas)
            for a in range(self.n_alphas):
                values, weights = found[k][a]
                cumulative = below_g[k][a] + np.cumsum(weights)
                at = min(np.searchsorted(cumulative, self.target[k][a]), values.size - 1)
                med[a] = values[at] if values.size else hi[k][a]
            out.append(med)
        return out

    def _narrow(self, centre, lo, hi):
        """One pass of bins, each bracket narrowed (in place) to the bin
        where its cumulative weight reaches the target; whether every
        bracket now holds few rows (or one value), to be gathered."""
        edges = [lo[k][:, None] + (hi[k] - lo[k])[:, None] * np.linspace(0.0, 1.0, BINS + 1)
                 for k in range(len(lo))]
        for k in range(len(lo)):
            edges[k][:, 0], edges[k][:, -1] = lo[k], hi[k]
        done = True
        for k, (_, weight, rows) in enumerate(self.run(("hist", centre, edges))):
            for a in range(self.n_alphas):
                cumulative = np.cumsum(weight[a])      # entry 0: at or below lo
                j = min(max(np.searchsorted(cumulative, self.target[k][a]), 1), BINS)
                lo[k][a], hi[k][a] = edges[k][a][j - 1], edges[k][a][j]
                done &= bool(rows[a][j] <= GATHER or hi[k][a] <= lo[k][a])
        return done


def robust_losses(run, totals, n_alphas, epsilon):
    """Each (alpha, fold)'s test loss, shape (n_alphas, n_folds):
    ``HuberRegressorCV._loss`` on the test residuals."""
    ranges = [r[1:] for r in run(("range", None))]
    streams = Streams(run, totals, n_alphas)
    medians = streams.medians(None, [r[0] for r in ranges], [r[1] for r in ranges])
    spans = [np.maximum(r[1] - m, m - r[0]) for r, m in zip(ranges, medians)]
    mads = streams.medians(medians, [np.zeros(n_alphas)] * len(spans), spans)
    scales = [MAD_SCALE * mad for mad in mads]
    sums = [r[1:] for r in run(("loss", scales, epsilon))]
    losses = np.empty((n_alphas, len(totals)))
    if any(np.any(scale <= 0) for scale in scales):
        # most residuals exactly zero: the mean |r| (unweighted), a pass more
        scales = [np.where(scale > 0, scale, absolute / max(count, 1))
                  for scale, (_, absolute, count) in zip(scales, sums)]
        sums = [r[1:] for r in run(("loss", scales, epsilon))]
    for k, (h, absolute, count) in enumerate(sums):
        losses[:, k] = np.where(scales[k] > 0, scales[k] * h / totals[k], 0.0)
    return losses
