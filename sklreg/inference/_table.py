"""The result of :func:`sklreg.summary`: arrays, a DataFrame and a table."""
import numpy as np
from scipy import stats


class InferenceSummary:
    """Coefficients of a fitted model with their standard errors and intervals.

    Returned by :func:`sklreg.summary`; rows are the intercept (when fitted)
    and then X's columns.

    Attributes
    ----------
    params : ndarray of shape (k,)
        The fitted coefficients.
    bse : ndarray of shape (k,)
        Standard errors (NaN for ``se='rank'``, which gives intervals only).
    conf_int : ndarray of shape (k, 2)
        Lower and upper bounds at ``level``: ``params +- q bse`` with ``q``
        the quantile of the reference distribution, or the rank-test
        inversion for ``se='rank'``.
    tvalues : ndarray of shape (k,)
        ``params / bse``.
    pvalues : ndarray of shape (k,)
        Two-sided p-values of ``params = 0`` under the reference distribution.
    cov_params : ndarray of shape (k, k) or None
        Estimated covariance of ``params`` (None for ``se='rank'``).
    names : list of str
        Row names: ``'intercept'`` and the feature names (``x0, x1, ...``
        when X had none).
    se : str
        The method, e.g. ``'nid'``.
    level : float
        Confidence level of ``conf_int``.
    nobs : int
        Samples used (those of positive weight).
    df_resid : int
        ``nobs - k``.
    distribution : {'t', 'normal'}
        Reference distribution of ``tvalues``: Student's t with ``df_resid``
        degrees of freedom (quantile regression, as R's quantreg) or the
        standard normal (Huber regression, as statsmodels' RLM).
    bootstrap_params : ndarray of shape (n_boot, k) or None
        The bootstrap replicates of ``params`` (``se='boot'``).
    details : dict
        Method details printed under the table (bandwidth, sparsity, ...).
    """

    def __init__(self, *, model, params, names, se, level, nobs, distribution, bse=None,
                 cov_params=None, conf_int=None, bootstrap_params=None, details=None,
                 notes=()):
        self.model = model
        self.params = np.asarray(params, dtype=np.float64)
        self.names = list(names)
        self.se = se
        self.level = float(level)
        self.nobs = int(nobs)
        self.df_resid = self.nobs - len(self.params)
        self.distribution = distribution
        self.cov_params = cov_params
        self.bootstrap_params = bootstrap_params
        self.details = dict(details or {})
        self.notes = list(notes)
        k = len(self.params)
        self.bse = np.full(k, np.nan) if bse is None else np.asarray(bse, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.tvalues = self.params / self.bse
        reference = self._reference()
        self.pvalues = 2 * reference.sf(np.abs(self.tvalues))
        if conf_int is None:
            q = reference.ppf(0.5 + self.level / 2)
            conf_int = np.column_stack([self.params - q * self.bse, self.params + q * self.bse])
        self.conf_int = np.asarray(conf_int, dtype=np.float64)

    def _reference(self):
        if self.distribution == "t" and self.df_resid > 0:
            return stats.t(self.df_resid)
        return stats.norm()

    def _labels(self):
        stat = "t" if self.distribution == "t" else "z"
        lo, hi = 0.5 - self.level / 2, 0.5 + self.level / 2
        return ["coef", "std err", stat, "P>|%s|" % stat, "[%g" % round(lo, 6),
                "%g]" % round(hi, 6)]

    def to_frame(self):
        """The coefficient table as a pandas DataFrame, one row per coefficient.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``coef``, ``std err``, ``t`` (or ``z``), ``P>|t|`` (or
            ``P>|z|``) and the interval's bounds, indexed by ``names``.
        """
        import pandas as pd
        columns = np.column_stack([self.params, self.bse, self.tvalues, self.pvalues,
                                   self.conf_int])
        labels = self._labels()
        labels[4:] = [label.strip("[]") for label in labels[4:]]
        return pd.DataFrame(columns, index=self.names, columns=labels)

    def __str__(self):
        width = 78
        head = [("Model:", self.model), ("Standard errors:", self.details.get("method", self.se)),
                ("No. observations:", str(self.nobs)), ("Df residuals:", str(self.df_resid))]
        head += [(key + ":", value) for key, value in self.details.items() if key != "method"]
        lines = ["=" * width]
        for i in range(0, len(head), 2):
            cells = [key + " " + str(value).rjust(37 - len(key))
                     for key, value in head[i:i + 2]]
            lines.append("  ".join(cells))
        lines.append("=" * width)
        name_width = max(12, max(len(name) for name in self.names) + 1)
        lines.append(" " * name_width + "".join("%11s" % label for label in self._labels()))
        lines.append("-" * max(width, name_width + 66))
        for row in zip(self.names, self.params, self.bse, self.tvalues, self.pvalues,
                       *self.conf_int.T):
            name, numbers = row[0], row[1:]
            lines.append("%-*s" % (name_width, name) + "".join(_cell(x, j)
                                                               for j, x in enumerate(numbers)))
        lines.append("=" * max(width, name_width + 66))
        lines += ["Note: " + note for note in self.notes]
        return "\n".join(lines)

    def __repr__(self):
        return "<InferenceSummary: %s, se=%r, %d coefficients>" % (
            self.model, self.se, len(self.params))


def _cell(x, column):
    if np.isnan(x):
        return "%11s" % "-"
    if column == 3:                                   # p-value
        return "%11.3f" % x
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
        return "%11.3e" % x
    return "%11.4f" % x
