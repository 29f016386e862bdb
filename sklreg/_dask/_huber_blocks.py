"""HuberRegressor on Dask data, on the workers: one block's sums at the
points Newton's method asks for (``_huber_newton``), and its outliers.

A request names a problem (its ``consts``: the columns, their centre, y's
scale, epsilon) and a point; the reply is a dict of sums over the block's
rows, merged between blocks by adding (the scans' extremes by max/min).
"""
import numpy as np

from sklreg._core._losses import Huber
from sklreg._dask._moments import (_block_moments, _dense, _merge_labelled, block_arrays,
                                   block_labels)
from sklreg.solvers.huber._certificate import epsilon_excess


def _residual(Xc, yv, w, b):
    return yv - b if w is None else yv - Xc @ w - b


def _point_sums(Xc, yv, s, c, w, b, sigma):
    """The sums at (w, b, sigma) of one block (w None: no features)."""
    r = _residual(Xc, yv, w, b)
    loss = Huber(c.eps, sigma)
    theta, weight = np.empty_like(r), np.empty_like(r)
    scan = loss.scan(r, s, theta, weight)
    X = Xc if w is not None else Xc[:, :0]
    B = np.column_stack([X, np.ones(r.size)]) if c.fit_intercept else X
    threshold = c.eps * sigma
    side = (r > threshold).astype(np.float64) - (r < -threshold)
    inlier = side == 0
    Bi = B[inlier]
    return {"scan": scan, "energy": loss.theta_energy, "top": loss.theta_max,
            "bottom": loss.theta_min, "total": theta.sum(), "grad": X.T @ theta,
            "ty": np.dot(theta, yv - c.y_centre), "G": Bi.T @ (Bi * s[inlier, None]),
            "S": B.T @ (s * side), "xs": X.T @ s,
            "excess": epsilon_excess(c.eps, c.epsilon, r, s, sigma)}


def _trial_scans(Xc, yv, s, c, w, b, dw, db, trials):
    """The scans at (w + t dw, b + t db, sigma_t) for each (t, sigma_t)."""
    r = _residual(Xc, yv, w, b)
    dr = -(db if w is None else Xc @ dw + db)
    return [Huber(c.eps, sigma).scan(r + t * dr, s) for t, sigma in trials]


def block_requests(X, y, s, folds, index, where, shared, consts, requests):
    """Each request of the pass on one block: ('sums', problem index, w,
    b, sigma) or ('trials', problem index, w, b, dw, db, trials).

    ``shared``: what every problem of the pass shares, X's centre (every
    column), y's scale and ``hashed`` (n_folds, seed, or None: see
    ``block_labels``, with ``folds`` the block of the user's fold_ids);
    ``consts[k]``: problem k's columns, y's centre, epsilon and
    ``held_out``, the fold whose rows it does not see (None: it sees all)."""
    X, y, s = block_arrays(X, y, s, where, check=False)
    X = X - shared.centre
    y = y / shared.y_scale
    labels = block_labels(folds, index, y.size, shared.hashed, where)
    arrays, out = {}, []
    for kind, k, *args in requests:
        c = consts[k]
        if k not in arrays:
            keep = slice(None) if c.held_out is None else labels != c.held_out
            Xk = X if c.held_out is None else X[keep]
            arrays[k] = (Xk if c.cols.size == X.shape[1] else Xk[:, c.cols], y[keep],
                         np.ascontiguousarray(s[keep]))
        fn = _point_sums if kind == "sums" else _trial_scans
        out.append(fn(*arrays[k], c, *args))
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
