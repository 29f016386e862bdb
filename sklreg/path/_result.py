"""What a path returns: ``PathResult``, stacked from one solver result per
(alpha, target)."""
from dataclasses import dataclass, field

import numpy as np

from sklreg.utils._progress import progress_at, report_alpha


@dataclass
class PathResult:
    """Solutions along a regularization path.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    coefs : ndarray of shape (n_alphas, n_features) or (n_alphas, n_targets, n_features)
    intercepts : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
    dual_gaps : ndarray, shaped as ``intercepts``, or of shape (n_alphas,)
        Certificate reached at each alpha (absolute duality gap): one per
        target, or one for all the tasks of a multi-task estimator, whose
        tasks form one problem.
    n_iters : ndarray of int, shaped as ``dual_gaps``
    data : PathData or None
        What the path was computed from, for ``coef_at``.
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    n_iters: np.ndarray
    data: object = field(default=None, repr=False, compare=False)

    @property
    def n_nonzero(self):
        """Number of non-zero coefficients at each alpha."""
        return np.count_nonzero(self.coefs, axis=-1)

    def coef_at(self, alpha):
        """The solution at any ``alpha`` of the grid's range.

        Solved exactly (not interpolated), warm-started from the nearest
        grid point, and certified like a fit (a ConvergenceWarning if the
        gap misses the target).  At a grid point, that point's solution.

        Parameters
        ----------
        alpha : float
            Between the smallest and the largest alpha of the grid.

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_targets, n_features)
        intercept : float or ndarray of shape (n_targets,)
        """
        alpha = float(alpha)
        low, high = np.min(self.alphas), np.max(self.alphas)
        if not low <= alpha <= high:            # NaN too
            raise ValueError(f"alpha must be within the path's grid, [{low:.6g}, "
                             f"{high:.6g}]; got {alpha!r}")
        nearest = int(np.argmin(np.abs(np.log(np.maximum(self.alphas, 1e-300))
                                       - np.log(max(alpha, 1e-300)))))
        if self.alphas[nearest] == alpha:
            return self.coefs[nearest].copy(), np.copy(self.intercepts[nearest])[()]
        if self.data is None:
            raise ValueError("this path keeps no training data to solve at a new alpha")
        return self.data.solve_at(alpha, self.coefs[nearest])


def collect_results(grid, results, announce=False):
    """(coef, intercept, gap, n_iter) per alpha of a path's results, each
    reported and, if it missed its target, warned about (or recorded)."""
    rows = []
    for index, (alpha, res) in enumerate(zip(grid, results)):
        if announce:
            progress_at(alpha)
        res.warn_if_not_converged(alpha=alpha)
        report_alpha(index, len(grid), res.gap, res.n_iter)
        rows.append((np.array(res.coef), res.intercept, res.gap, res.n_iter))
    return rows


def stack_results(per_target, grid, single, fit_intercept, dtype):
    """per_target[k][a] = (coef, intercept, gap, n_iter) -> PathResult."""
    def field(i, kind):
        # filled in place: an array built from the nested lists, then cast,
        # copied a million-feature path's coefficients twice more
        a = np.empty((len(grid), len(per_target)) + np.shape(per_target[0][0][i]), dtype=kind)
        for k, rows in enumerate(per_target):
            for index, row in enumerate(rows):
                a[index, k] = row[i]
        return a[:, 0] if single else a

    intercepts = field(1, np.float64).astype(dtype)
    if not fit_intercept:
        intercepts = np.zeros_like(intercepts)
    return PathResult(alphas=grid, coefs=field(0, dtype), intercepts=intercepts,
                      dual_gaps=field(2, np.float64), n_iters=field(3, int))
