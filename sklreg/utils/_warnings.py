"""Warnings that point at the user's line, and convergence summed up.

A solver result that misses its target warns once (``warn_if_not_converged``),
unless a caller collects such results (``collect_missed``): a path or a
cross-validation then sums them up in one ConvergenceWarning per call
(``warn_missed``), naming how many fits missed, the worst gap and the
alphas.  Collectors nest (a path inside a CV fold hands its records up) and
are per thread, so parallel folds each collect their own.
"""
import contextlib
from dataclasses import dataclass
import os
import sys
import threading
import warnings

from sklearn.exceptions import ConvergenceWarning

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_at_caller(message, category):
    """``warnings.warn`` with the stack level of the first frame outside
    sklreg: the user's line, however deep inside sklreg the warning arises."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


@dataclass
class Missed:
    """A fit whose certificate missed its target (``gap > tol_abs``).

    ``n_iter`` counts ``unit`` ('passes' of coordinate descent, or
    'iterations'); ``where`` says which fit (e.g. 'fold 2'), when known.
    """

    alpha: object
    gap: float
    tol_abs: float
    n_iter: object
    unit: str
    where: str = ""

    def ratio(self):
        return self.gap / self.tol_abs if self.tol_abs > 0 else float("inf")


_COLLECTOR = threading.local()


@contextlib.contextmanager
def collect_missed():
    """In this thread, record the fits that miss their target in the
    yielded list instead of warning for each."""
    outer = getattr(_COLLECTOR, "records", None)
    _COLLECTOR.records = records = []
    try:
        yield records
    finally:
        _COLLECTOR.records = outer


def record_missed(missed):
    """Record ``missed`` if a collector is open (True), else do nothing."""
    return record_all([missed])


def warn_missed(records, owner, n_fits, noun="fits"):
    """One ConvergenceWarning for ``records`` (nothing if empty), or, inside
    an open collector, hand them to it.  ``owner`` names the call (e.g.
    'LassoCV'); ``n_fits`` is how many ``noun`` it made."""
    if not records or record_all(records):
        return
    worst = max(records, key=Missed.ratio)
    where = f" ({worst.where})" if worst.where else ""
    steps = "" if worst.n_iter is None else f" after {worst.n_iter} {worst.unit}"
    places = sorted({m.where for m in records if m.where})
    places = f" in {_listed(places)}" if len(places) > 1 else ""
    warn_at_caller(
        f"{owner}: {len(records)} of {n_fits} {noun} did not reach their target "
        f"tol * P(0){places}.  Worst: duality gap {worst.gap:.3e}, {worst.ratio():.3g}x "
        f"its target {worst.tol_abs:.3e}, at alpha={_alpha(worst.alpha)}{where}{steps}.  "
        f"Alphas: {_alphas([m.alpha for m in records])}.  Increase max_iter, loosen "
        "tol, or scale the features.", ConvergenceWarning)


def record_all(records):
    """Hand ``records`` to an open collector (True), if there is one."""
    outer = getattr(_COLLECTOR, "records", None)
    if outer is None:
        return False
    outer.extend(records)
    return True


def _alpha(alpha):
    return "?" if alpha is None else f"{float(alpha):.4g}"


def _alphas(alphas):
    known = sorted({float(a) for a in alphas if a is not None}, reverse=True)
    if len(known) <= 6:
        return ", ".join(_alpha(a) for a in known) or "?"
    return f"{len(known)} from {_alpha(known[0])} down to {_alpha(known[-1])}"


def _listed(names):
    if len(names) > 4:
        return f"{len(names)} of its folds and refits"
    return ", ".join(names[:-1]) + " and " + names[-1]
