"""One pass over Dask data: weighted moments of ``[X, y]`` per fold, in float64.

Each block of rows gives, for each fold label present in it, the weight sum,
the weighted mean and the centred scatter matrix ``sum_i s_i (z_i - mean)
(z_i - mean)^T`` of ``z_i = (x_i, y_i)``; parts are merged by the pairwise
update of Chan, Golub & LeVeque (within a block, then in a tree on the
workers).  A block is read once, in chunks of rows that fit in a core's
cache: each chunk is shifted by the running mean of its fold (its own mean
for the first) into a float64 buffer with a column of ones, and one
symmetric product of that buffer gives the chunk's scatter and sums
together.  Shifting keeps the digits that ``X^T X - n mean mean^T`` would
cancel on a column whose mean dwarfs its spread, and the merge only adds
non-negative terms.
"""
from numbers import Number

import numpy as np

# the client holds a (p+1) x (p+1) float64 matrix per fold, and a worker one
# per fold and block it merges: at 4096 features that is 134 MB each
MAX_FEATURES = 4096
FAN_IN = 8        # blocks merged per task of the tree reduction
UNSPLIT = 0       # the fold label of every row when there are no folds
CHUNK_BYTES = 2 << 20   # a chunk's float64 buffer: within a core's L2 cache


class Moments:
    """Weight sum, row count, mean and centred scatter of some rows of [X, y]."""

    __slots__ = ("rows", "weight", "mean", "scatter")

    def __init__(self, rows, weight, mean, scatter):
        self.rows, self.weight, self.mean, self.scatter = rows, weight, mean, scatter

    @classmethod
    def of(cls, X, y, s=None):
        """Moments of the rows of ``[X, y]`` (y 1-D, or 2-D: several
        targets) with weights ``s`` (None: unit weights)."""
        return labelled_moments(X, y, s, None)[UNSPLIT]

    @classmethod
    def _shifted(cls, Z, shift):
        """Moments of rows whose first columns, minus ``shift``, are ``Z``'s
        (already weighted by sqrt(s)), the last column sqrt(s): from the
        one product ``Z^T Z``."""
        ZZ = Z.T @ Z
        d = shift.shape[0]
        weight = ZZ[d, d]
        if weight == 0:         # zeros, unless a NaN or infinity was in the rows
            return cls(Z.shape[0], 0.0, np.zeros(d), ZZ[:d, :d])
        sums = ZZ[:d, d]
        scatter = ZZ[:d, :d] - np.outer(sums, sums / weight)
        return cls(Z.shape[0], float(weight), shift + sums / weight, scatter)

    def merge(self, other):
        """Moments of the union of two disjoint sets of rows."""
        weight = self.weight + other.weight
        if self.weight == 0 or other.weight == 0:
            # the weightless part's scatter is zero, or NaN from a NaN in its rows
            kept = other if self.weight == 0 else self
            return Moments(self.rows + other.rows, weight, kept.mean,
                           self.scatter + other.scatter)
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.weight / weight)
        scatter = self.scatter + other.scatter + np.outer(
            delta, delta * (self.weight * other.weight / weight))
        return Moments(self.rows + other.rows, weight, mean, scatter)


def labelled_moments(X, Y, s, labels):
    """{fold label: Moments} of a block's rows: X (float32 or float64, any
    layout), Y (1-D, or 2-D: several targets), s (None: unit weights) and
    labels (None: every row ``UNSPLIT``), read once, chunk by chunk."""
    n, p = X.shape
    Y = Y[:, None] if Y.ndim == 1 else Y
    d = p + Y.shape[1]
    step = max(64, CHUNK_BYTES // (8 * (d + 1)))
    buffer = np.empty((min(step, max(n, 1)), d + 1))
    buffer[:, d] = 1.0          # a column of ones (of sqrt(s) with weights)
    out = {}
    for label, index in _groups(labels, n):
        count = n if index is None else index.size
        for a in range(0, count, step):
            rows = slice(a, min(a + step, count)) if index is None else index[a:a + step]
            Z = buffer[:min(step, count - a)]
            Z[:, :p] = X[rows]
            Z[:, p:d] = Y[rows]
            if label in out and out[label].weight > 0:
                shift = out[label].mean
            else:           # the first rows of a label: their own (unweighted) mean
                shift = Z[:, :d].mean(axis=0)
            # one contiguous subtraction (a broadcast one into the strided
            # columns takes twice as long)
            if s is not None:
                Z[:, d] = 1.0
            Z -= np.append(shift, 0.0)
            if s is not None:
                Z *= np.sqrt(s[rows])[:, None]
            part = Moments._shifted(Z, shift)
            out[label] = part if label not in out else out[label].merge(part)
    if n == 0 and labels is None:
        out[UNSPLIT] = Moments(0, 0.0, np.zeros(d), np.zeros((d, d)))
    return out


def _groups(labels, n):
    """(label, the positions of its rows in increasing order) per label; one
    group of all rows (positions None) without labels."""
    if labels is None:
        return [(UNSPLIT, None)]
    if n == 0:
        return []
    # stable: each label's rows in their order (a radix sort for 16 bits)
    small = labels.min() >= -2 ** 15 and labels.max() < 2 ** 15
    order = np.argsort(labels.astype(np.int16) if small else labels, kind="stable")
    ordered = labels[order]
    cuts = np.flatnonzero(np.diff(ordered)) + 1
    return [(int(ordered[i]), order[i:j]) for i, j in
            zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [n]]))]


def merge_all(moments):
    """The moments of all the given disjoint row sets."""
    total = moments[0]
    for m in moments[1:]:
        total = total.merge(m)
    return total


def _merge_labelled(parts):
    """Merge dicts {fold label: Moments} label by label."""
    out = {}
    for part in parts:
        for label, m in part.items():
            out[label] = m if label not in out else out[label].merge(m)
    return out


def _hash_folds(block_index, n_rows, n_folds, seed):
    """A fold label per row from (seed, block, position): SplitMix64 mixing,
    so that folds need no shuffle and no row count before the pass."""
    with np.errstate(over="ignore"):
        x = (np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
             + np.uint64(block_index) * np.uint64(0xBF58476D1CE4E5B9)
             + np.arange(n_rows, dtype=np.uint64))
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x % np.uint64(n_folds)).astype(np.int64)


def block_fold_ids(block, block_index, n_folds, seed):
    """The hashed fold labels of one block (for ``fold_ids``)."""
    return _hash_folds(block_index, len(block), n_folds, seed)


def _dense(block, name, where, native=False):
    """A block as a float64 NumPy array (``native``: float32 kept)."""
    if hasattr(block, "to_numpy"):                    # a pandas partition
        try:
            block = block.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric; {where}: {exc}") from None
    block = np.asarray(block)
    if native and block.dtype == np.float32:
        return block
    return np.asarray(block, dtype=np.float64)


def block_arrays(X, y, s, where, check=True):
    """One block's X, y (1-D, or 2-D with several targets) and weights as
    float64 NumPy arrays; with ``check``,
    a clear error naming the block for NaN, infinity, negative weights or
    lengths that differ."""
    X = _dense(X, "X", where)
    y = _dense(y, "y", where)
    if y.ndim != 2 or y.shape[1] == 1:      # several columns: targets, kept
        y = y.reshape(-1)
    n = X.shape[0]
    if isinstance(s, Number) or s is None:
        s = np.full(n, 1.0 if s is None else float(s))
    else:
        s = _dense(s, "sample_weight", where).reshape(-1)
    if not check:
        return X, y, s
    if y.shape[0] != n:
        raise ValueError(f"X and y have different numbers of rows in {where}: "
                         f"{n} and {y.shape[0]}")
    for name, a in (("X", X), ("y", y), ("sample_weight", s)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or infinity in {where}")
    if np.any(s < 0):
        raise ValueError(f"sample_weight has negative values in {where}")
    return X, y, s


def _block_moments(X, y, s, folds, block_index, where, hashed):
    """{fold label: Moments} of one block of rows; ``hashed`` is (n_folds,
    seed) when fold labels come from the hash, ``folds`` a block otherwise.

    NaN or infinity in X or y makes the moments non-finite: the block is
    then checked element by element for the error (a pass saved otherwise)."""
    given = (X, y, s)
    X = _dense(X, "X", where, native=True)    # converted chunk by chunk
    y = _dense(y, "y", where, native=True)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y have different numbers of rows in {where}: "
                         f"{X.shape[0]} and {y.shape[0]}")
    if s is not None:
        s = (np.full(X.shape[0], float(s)) if isinstance(s, Number)
             else _dense(s, "sample_weight", where).reshape(-1))
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            block_arrays(*given, where)          # names the problem
    labels = block_labels(folds, block_index, X.shape[0], hashed, where)
    with np.errstate(invalid="ignore", over="ignore"):    # checked below
        out = labelled_moments(X, y, s, labels)
    if any(m.weight == 0 for m in out.values()):     # its rows did not enter the sums
        block_arrays(*given, where)
    if not all(np.all(np.isfinite(m.scatter)) and np.all(np.isfinite(m.mean))
               for m in out.values()):
        block_arrays(*given, where)          # NaN or infinity: names it
        raise ValueError(f"X or y has values too large for their sums of squares "
                         f"in float64 in {where}")
    return out


def block_labels(folds, block_index, n_rows, hashed, where=""):
    """The fold label of each row of a block: from the hash when ``hashed``
    is (n_folds, seed), else from ``folds`` (the block of the user's
    fold_ids); None when neither (no folds)."""
    if hashed is not None:
        return _hash_folds(block_index, n_rows, *hashed)
    if folds is None:
        return None
    labels = _dense(folds, "fold_ids", where).reshape(-1)
    if not np.all(labels == np.round(labels)):
        raise ValueError(f"fold_ids must be integer fold numbers; {where} has "
                         f"values such as {labels[labels != np.round(labels)][:3]}")
    return labels.astype(np.int64)


def one_pass(data, folds=None, hashed=None):
    """{fold label: Moments} over all rows, from one pass over the blocks.

    ``data``: ``DaskData``; ``folds``: a list of blocks of fold labels (as
    the data's blocks), or None; ``hashed``: (n_folds, seed) for hashed
    folds.  Only the merged moments come back to the client.
    """
    import dask

    tasks = [dask.delayed(_block_moments, pure=True)(
        x, y, s, None if folds is None else folds[i], i, data.where(i), hashed)
        for i, (x, y, s) in enumerate(data.blocks())]
    return tree_reduce(tasks, _merge_labelled)


def tree_reduce(tasks, merge):
    """Compute the Dask delayed ``tasks`` (one per block) and merge their
    results on the workers, ``FAN_IN`` at a time (``merge`` takes a list);
    only the final result comes to the client."""
    import dask

    while len(tasks) > 1:
        tasks = [dask.delayed(merge, pure=True)(tasks[i:i + FAN_IN])
                 for i in range(0, len(tasks), FAN_IN)]
    (merged,) = dask.compute(tasks[0])
    return merged
