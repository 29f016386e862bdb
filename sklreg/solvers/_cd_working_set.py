"""Which features coordinate descent works on: the working set (every
non-zero, every unpenalised feature, then the worst violators of their
optimality condition), the features that enter after an exact finish, and
the supports and signs already solved for exactly."""
import numpy as np

WS_START = 10          # smallest first working set; it is 1/50 of the features
WS_START_MAX = 100     # up to this many: each growth costs a gap over all of X
WS_GROWTH = 3          # working sets grow 3x when progress stalls, and to 3x
                       # their non-zeros (2x: 4 gaps to reach the rank bound)
ENTER_MIN = 10        # an active-set step after a finish adds every violating
ENTER_FRACTION = 10   # feature if there are at most this many, or 1/10 of the
                      # support; more, and coordinate descent does better


class SignPatterns:
    """The (support, signs) patterns an exact finish has solved for: a
    pattern solved once is not worth a second solve."""

    def __init__(self):
        self._seen = set()

    @staticmethod
    def _key(w, support):
        return support.tobytes(), np.sign(w[support]).tobytes()

    def seen(self, w, support):
        return self._key(w, support) in self._seen

    def first_try(self, w, support):
        """True the first time this support and these signs are seen (and
        from now on they are)."""
        key = self._key(w, support)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def first_size(n_features):
    """The size of the first working set."""
    return min(max(n_features // 50, WS_START), WS_START_MAX)


def next_size(size, stalled, nnz, always, movable, rank_bound=None):
    """The next working set's size: 3x when the gap ``stalled`` (shrank by
    less than half), at least 3x the ``nnz`` non-zeros and every ``always``
    feature, at most the ``movable`` ones; with a ``rank_bound`` (a penalty
    not strongly convex) at most about the rank."""
    if stalled:
        size *= WS_GROWTH
    n_always = np.count_nonzero(always)
    size = min(max(size, WS_GROWTH * nnz, n_always), int(movable.sum()))
    if rank_bound is not None:
        # a lasso optimum has at most rank(X) non-zeros: near interpolation
        # a wider set only lets CD wander through features that leave again
        size = min(size, max(rank_bound, nnz + WS_START, n_always))
    return size


def entering_limit(support_size):
    """How many violating features may enter at once after an exact finish."""
    return max(ENTER_MIN, support_size // ENTER_FRACTION)


def working_set(penalty, w, v, always, movable, size):
    """The ``size`` features CD works on next: the non-zeros and the
    ``always`` features first, then the largest optimality violations at w
    (``v`` minus the datafit's gradient); never a feature not ``movable``
    (screened, or of zero column)."""
    if size >= w.shape[0]:
        return np.arange(w.shape[0])
    score = penalty.subdiff_distances(w, v)
    score[(w != 0) | always] = np.inf
    score[~movable] = -np.inf
    return largest(score, size)


def largest(score, size):
    """Indices of ``size`` largest scores.  Most scores are 0 (zero features
    that satisfy their optimality condition): the positive ones are
    partitioned alone, then zeros fill up in index order, ~10x faster than
    partitioning all of them (0.45 ms for p = 50,000).  Infinite scores (the
    features a set must hold) are taken without partitioning: ties made
    NumPy's partition 4x slower (p = 5,000 with 700 of them: 116 to 28 us)."""
    top = np.flatnonzero(score > 0)
    if top.size > size:
        values = score[top]
        held = values == np.inf
        top, values, certain = top[~held], values[~held], top[held]
        if certain.size >= size:
            return certain[:size]
        left = size - certain.size
        return np.concatenate([certain, top[np.argpartition(-values, left - 1)[:left]]])
    if top.size < size:
        top = np.concatenate([top, np.flatnonzero(score == 0)[:size - top.size]])
        if top.size < size:         # fewer non-negative scores: not expected
            return np.argpartition(-score, size - 1)[:size]
    return top


def nonzero(w):
    """Indices of w's non-zeros (on the boolean mask: 3x faster than on w)."""
    return np.flatnonzero(w != 0)


def entering_features(penalty, w, v, movable, limit):
    """The zero features that violate their optimality condition, with the
    signs they would enter with; none if there are more than ``limit``."""
    violation = penalty.subdiff_distances(w, v)
    violation[(w != 0) | ~movable | ~penalty.penalized_mask()] = 0.0
    entering = np.flatnonzero(violation > 0)
    if entering.size > limit:
        entering = entering[:0]
    return entering, np.sign(v[entering])
