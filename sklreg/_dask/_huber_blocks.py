"""HuberRegressor on Dask data, on the workers: one block's sums at the
points Newton's method asks for (``_huber_newton``), and its outliers.

A request names a problem (its ``consts``: the columns, their centre, y's
scale, epsilon) and a point; the reply is a dict of sums over the block's
rows, merged between blocks by adding (the scans' extremes by max/min).
"""
import numpy as np

from sklreg._core._losses import Huber
from sklreg._dask import _moments
from sklreg._dask._moments import (_block_moments, _dense, _merge_labelled, block_arrays,
                                   block_labels)
from sklreg.solvers.huber._certificate import epsilon_excess

# below this fraction of outliers, their Gram is subtracted from all rows'
# (copying the inliers' rows costs more than the outliers' extra product)
FEW_OUTLIERS = 0.1


def _point_sums(Z, p, yv, s, c, r, sigma):
    """The sums at a point of one chunk's rows: ``Z`` is their [X (the
    problem's ``p`` columns, centred), 1], r their residuals there."""
    loss = Huber(c.eps, sigma)
    theta, weight = np.empty_like(r), np.empty_like(r)
    scan = loss.scan(r, s, theta, weight)
    unit = np.ones_like(r) if s is None else s
    threshold = c.eps * sigma
    side = (r > threshold).astype(np.float64) - (r < -threshold)
    # the gradient, the column sums and the outliers' sums: one product
    # (rows of the small factor contiguous: 10x faster than Z.T @ columns)
    sums = np.stack([theta, unit, unit * side]) @ Z
    last = p + 1 if c.fit_intercept else p
    return {"scan": scan, "energy": loss.theta_energy, "top": loss.theta_max,
            "bottom": loss.theta_min, "total": sums[0, p], "grad": sums[0, :p],
            "ty": np.dot(theta, yv - c.y_centre), "G": _inlier_gram(Z, s, side)[:last, :last],
            "S": sums[2, :last], "xs": sums[1, :p],
            "excess": epsilon_excess(c.eps, c.epsilon, r, unit, sigma)}


def _inlier_gram(Z, s, side):
    """``sum_i s_i z_i z_i^T`` over the inliers (``side == 0``): with unit
    weights and few outliers, the Gram of all rows (no copy) minus the
    outliers'; else that of the inliers' rows, or of all rows scaled by
    sqrt(s) and zero on outliers.  (Only
    Newton's matrix uses it: its rounding moves steps, not certificates.)"""
    outlier = side != 0
    if s is None and np.count_nonzero(outlier) < FEW_OUTLIERS * side.size:
        Zo = Z[outlier]
        return Z.T @ Z - Zo.T @ Zo
    # one copy: of the inliers' rows, or of all rows scaled by sqrt(s) (0 on outliers)
    Zi = Z[~outlier] if s is None else Z * (np.sqrt(s) * ~outlier)[:, None]
    return Zi.T @ Zi


def _problem_requests(Z, yv, s, c, requests):
    """One chunk's replies to the requests of one problem: every product
    with X in one matrix product."""
    p = c.cols.size
    vectors = []
    for kind, _, w, *rest in requests:      # w, and a trial's step dw
        if w is not None:
            vectors += [w] if kind == "sums" else [w, rest[1]]
    products = (Z[:, :p] @ np.column_stack(vectors) if vectors
                else np.zeros((Z.shape[0], 0)))
    out, columns = [], iter(products.T)
    for kind, _, w, b, *rest in requests:
        r = yv - b if w is None else yv - next(columns) - b
        if kind == "sums":
            out.append(_point_sums(Z, p, yv, s, c, r, rest[0]))
            continue
        dw, db, trials = rest
        dr = -db if w is None else -next(columns) - db
        out.append([Huber(c.eps, sigma).scan(r + t * dr, s) for t, sigma in trials])
    return out


def block_requests(X, y, s, folds, index, where, shared, consts, requests):
    """Each request of the pass on one block: ('sums', problem index, w,
    b, sigma) or ('trials', problem index, w, b, dw, db, trials).

    ``shared``: what every problem of the pass shares, X's centre (every
    column), y's scale and ``hashed`` (n_folds, seed, or None: see
    ``block_labels``, with ``folds`` the block of the user's fold_ids);
    ``consts[k]``: problem k's columns, y's centre, epsilon and
    ``held_out``, the fold whose rows it does not see (None: it sees all).

    The block is read once, in chunks of rows that fit in a core's cache,
    each centred into a float64 buffer with a column of ones; each
    problem's products with X are one matrix product a chunk, its inliers'
    Gram one symmetric product."""
    X = _dense(X, "X", where, native=True)
    y = _dense(y, "y", where).reshape(-1)
    if s is not None:
        s = np.ascontiguousarray(np.broadcast_to(
            _dense(s, "sample_weight", where).reshape(-1), y.shape))
    labels = block_labels(folds, index, y.size, shared.hashed, where)
    n, p = X.shape
    by_problem = {}
    for position, request in enumerate(requests):
        by_problem.setdefault(request[1], []).append(position)
    step = max(64, _moments.CHUNK_BYTES // (8 * (p + 1)))
    buffer = np.empty((min(step, max(n, 1)), p + 1))
    buffer[:, p] = 1.0
    shift = np.append(shared.centre, 0.0)
    out = None
    for a in range(0, max(n, 1), step):        # once when the block has no rows
        b = min(a + step, n)
        Z = buffer[:b - a]
        Z[:, :p] = X[a:b]
        Z -= shift
        yv = y[a:b] / shared.y_scale
        part = [None] * len(requests)
        for k, positions in by_problem.items():
            c = consts[k]
            keep = slice(None) if c.held_out is None else labels[a:b] != c.held_out
            Zk = Z[keep] if c.cols.size == p else Z[keep][:, np.append(c.cols, p)]
            sk = None if s is None else np.ascontiguousarray(s[a:b][keep])
            replies = _problem_requests(Zk, np.ascontiguousarray(yv[keep]), sk, c,
                                        [requests[i] for i in positions])
            for i, reply in zip(positions, replies):
                part[i] = reply
        out = part if out is None else merge_results([out, part])
    return out


def _merge_scan(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], max(a[3], b[3]), min(a[4], b[4]))


def _merge_sums(a, b):
    out = {key: a[key] + b[key] for key in a if key not in ("scan", "top", "bottom")}
    out.update(scan=_merge_scan(a["scan"], b["scan"]), top=max(a["top"], b["top"]),
               bottom=min(a["bottom"], b["bottom"]))
    return out


def merge_results(parts):
    total = parts[0]
    for part in parts[1:]:
        total = [_merge_sums(x, y) if isinstance(x, dict) else
                 [_merge_scan(u, v) for u, v in zip(x, y)] for x, y in zip(total, part)]
    return total


def first_block(X, y, s, folds, index, where, hashed):
    """The block's moments of [X, y] per fold label (see ``_block_moments``;
    the input checked) and its smallest positive weight."""
    moments = _block_moments(X, y, s, folds, index, where, hashed)
    if s is None or np.ndim(s) == 0:
        return moments, 1.0 if s is None else float(s)
    s = _dense(s, "sample_weight", where).reshape(-1)
    return moments, float(s[s > 0].min(initial=np.inf))


def merge_first(parts):
    return _merge_labelled([m for m, _ in parts]), min(low for _, low in parts)


def outlier_block(X, y, coef, intercept, threshold):
    X, y, _ = block_arrays(X, y, None, "", check=False)
    return np.abs(y - X @ coef - intercept) > threshold
