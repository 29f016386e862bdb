"""Two pieces of the quantile problem's dual point (``QuantileProblem.dual``)
where float64 meets extreme entries of X.

``rounding`` bounds the rounding of ``X^T theta`` per column: a product
below it counts as zero, so a penalty weight below that rounding (a column
of 1e150 against alpha = 0.01) does not scale the whole dual point to zero.
The bound is taken from the terms ``sum_i |x_ij theta_i|`` themselves: the
simpler ``|x_j| |theta|`` is as large as one huge entry of x_j makes it,
even where that entry's theta is ~0, and then swallowed a real violation (a
row of 1e308: a gap of 0 at a point 0.84 above the optimum).

``repaired`` meets a violated L1 constraint whose column is dominated by
one entry (one value of 1e308 in a column otherwise ~1) by moving that
row's theta alone, when its box allows: scaling the whole of theta into
that constraint would zero the dual objective.  Both points are valid
(each is checked and scaled into every constraint): the dual keeps the one
that bounds more.
"""
import numpy as np

from sklreg.losses import PinballLoss

EPS = np.finfo(np.float64).eps
RELEVANT = 2.0 ** -30    # a rounding bound below this fraction of |x_j . theta| is skipped
DOMINANT = 0.25          # of a column's weighted square norm, held by one entry


def rounding(pb, theta, v):
    """``4 eps sqrt(n) sum_i |x_ij theta_i|`` per column j of ``pb`` (a
    ``QuantileProblem``; ``v = X^T theta``).  Only on the columns where its
    Cauchy-Schwarz bound ``|x_j|_s |theta / sqrt(s)|`` (no pass over X) is
    not negligible against ``|v_j|`` and the penalty: elsewhere it is
    taken as 0, which moves the dual objective by less than 2**-30 of
    itself, downwards."""
    scale = 4 * EPS * np.sqrt(theta.shape[0])
    bound = scale * pb.col_norms() * np.linalg.norm(theta / np.sqrt(pb.s))
    near = bound > RELEVANT * np.maximum(np.abs(v), pb.lam)
    out = np.zeros(pb.p)
    if near.any():
        out[near] = scale * pb.rows.abs_rmatvec(np.abs(theta), near)
    return out


def repaired(pb, theta, v):
    """(theta, rows moved): theta with the violated L1 constraints of
    dominated columns met as the module docstring says (one row per column,
    one column per row; ``v = X^T theta``), or (None, None) when there are
    none.  Its sum may need restoring (on the other rows); the caller keeps
    whichever point bounds more."""
    cap = np.where(pb.mu > 0, np.inf, pb.lam)
    over = np.abs(v) > cap + rounding(pb, theta, v)
    if not over.any() or pb.col_peaks() is None:
        return None, None
    rows, values = pb.col_peaks()
    dominant = over & (values != 0) & (pb.s[rows] * values ** 2 >= DOMINANT * pb.col_norms() ** 2)
    _, first = np.unique(rows[dominant], return_index=True)
    if first.size == 0:
        return None, None
    cols = np.flatnonzero(dominant)[first]
    i = rows[cols]
    # the other rows' part of x_j . theta, summed on its own: as
    # x_j . theta - x_ij theta_i it would cancel to nothing
    rest = theta.copy()
    rest[i] = 0.0
    rest = pb.rows.rmatvec(rest)[cols]
    ends = np.sort([(-cap[cols] - rest) / values[cols], (cap[cols] - rest) / values[cols]],
                   axis=0)
    t = np.clip(theta[i], ends[0], ends[1])
    lower, upper = PinballLoss(pb.tau).dual_box(pb.s[i])
    fits = (lower <= t) & (t <= upper)
    if not fits.any():
        return None, None
    theta = theta.copy()
    theta[i[fits]] = t[fits]
    return theta, i[fits]
