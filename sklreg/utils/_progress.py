"""Progress lines for long fits (``verbose``), as scikit-learn's verbose
solvers print them.

A fit (an estimator's ``fit``, a CV fold's path, a path function) opens
``fit_progress(verbose, label)`` in its thread; the solvers it runs report
their outer iterations with ``report_progress``, and paths name the alpha
they solve at (``progress_at``) and each alpha they finish
(``report_alpha``).  Nothing is printed when no fit in the thread asked for
it, so a solver pays one thread-local look-up per outer iteration.

At ``verbose=1`` a fit stays quiet for its first ``QUIET_SECONDS`` and then
prints at most one line per ``EVERY_SECONDS``: short fits print nothing.  At
``verbose >= 2`` every outer iteration and every alpha of a path prints.
Only the outermost solver reports (Huber's inner coordinate descent, the
interior point inside a working set are steps of the outer one).
"""
import contextlib
import functools
import threading
import time

import numpy as np

QUIET_SECONDS = 1.0
EVERY_SECONDS = 1.0

_clock = time.perf_counter          # a test may replace it
_STATE = threading.local()


class _FitProgress:
    def __init__(self, verbose, label):
        self.verbose, self.label = int(verbose), label
        self.start = self.last = _clock()
        self.depth = 0                  # nested solver calls
        self.solver, self.unit = "", ""
        self.alpha = None

    def due(self):
        """True if a line may be printed now."""
        if self.verbose >= 2:
            return True
        now = _clock()
        if now - self.start < QUIET_SECONDS or now - self.last < EVERY_SECONDS:
            return False
        self.last = now
        return True

    def print(self, text):
        at = "" if self.alpha is None else f" at alpha={self.alpha:.4g}"
        print(f"[sklreg] {self.label}{at}: {text} ({_clock() - self.start:.1f} s)",
              flush=True)


@contextlib.contextmanager
def fit_progress(verbose, label):
    """Report the progress of the fits run in this block (in this thread).

    A falsy ``verbose`` keeps what an enclosing block asked for (a refit
    inside a verbose CV reports under the CV's verbosity)."""
    outer = getattr(_STATE, "fit", None)
    if verbose:
        _STATE.fit = _FitProgress(verbose, label)
    try:
        yield
    finally:
        _STATE.fit = outer


def solver_progress(name, unit):
    """Decorator of a solver: its ``report_progress`` calls speak of
    ``name`` and count ``unit``; solvers it calls stay silent."""
    def decorate(solver):
        @functools.wraps(solver)
        def wrapper(*args, **kwargs):
            state = getattr(_STATE, "fit", None)
            if state is None:
                return solver(*args, **kwargs)
            state.depth += 1
            if state.depth == 1:
                state.solver, state.unit = name, unit
            try:
                return solver(*args, **kwargs)
            finally:
                state.depth -= 1
        return wrapper
    return decorate


def report_progress(n_iter, gap, tol_abs, *, working_set=None, coef=None,
                    gap_name="duality gap"):
    """One outer iteration of the running solver: its count, its
    certificate ``gap`` against the target ``tol_abs``, the working set's
    size and the non-zeros of ``coef`` when given."""
    state = getattr(_STATE, "fit", None)
    if state is None or state.depth != 1 or not state.due():
        return
    parts = [f"{state.solver}, {state.unit} {n_iter}",
             f"{gap_name} {gap:.3e} (target {tol_abs:.3e})"]
    if working_set is not None:
        parts.append(f"working set {int(working_set)} features")
    if coef is not None:
        parts.append(f"{np.count_nonzero(coef)} non-zero")
    state.print(", ".join(parts))


def progress_reporter(tol_abs):
    """A ``(n_iter, gap)`` callback for a compiled loop that reports from
    inside, or None when no fit in this thread asked for progress (the loop
    then never takes the GIL for it)."""
    if getattr(_STATE, "fit", None) is None:
        return None
    return lambda n_iter, gap: report_progress(n_iter, gap, tol_abs)


def progress_at(alpha):
    """Name ``alpha`` in the progress lines of the solves that follow (a
    path's next alpha)."""
    state = getattr(_STATE, "fit", None)
    if state is not None:
        state.alpha = alpha


def report_alpha(index, n_alphas, gap, n_iter):
    """A path finished its ``index``-th alpha (0-based) of ``n_alphas``
    (printed at ``verbose >= 2``)."""
    state = getattr(_STATE, "fit", None)
    if state is None or state.verbose < 2:
        return
    steps = "" if n_iter is None else f", {n_iter} {state.unit or 'iterations'}"
    state.print(f"alpha {index + 1}/{n_alphas} done, duality gap {gap:.3e}{steps}")
