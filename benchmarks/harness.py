"""Equal-accuracy timing of several libraries on one problem, in one run.

A *problem* names some data, an objective, and one *runner* per library.  A
runner takes ``tol`` and returns a solution; the objective turns a solution
into one value per sub-problem (one per alpha for a path).  For every library
the harness finds the loosest ``tol`` in ``TOLS`` whose solution is within
``target`` relative suboptimality ``(P - P*) / |P*|`` of the best objective
seen (P* also includes a tight reference run), then times all libraries in
turn, interleaved, ``repeat`` times.
"""
from dataclasses import dataclass, field
import time
import warnings

import numpy as np

TOLS = [10.0 ** -k for k in range(2, 15)]
GIVE_UP_SECONDS = 120.0


@dataclass
class Problem:
    """A benchmark row.

    Attributes
    ----------
    name : str
    build : callable(quick) -> dict
        Makes the data; the dict is passed to ``objective`` and the runners
        (it must contain "X": the matrix whose ``X.T @ r`` defines one pass).
    objective : callable(data, solution) -> ndarray
        One objective value per sub-problem.
    runners : dict of name -> callable(data, tol) -> solution
        One per library; the first is the one ratios are taken against.
    reference : callable(data) -> solution, or None
        A tight solve giving the reference optimum (None: the best of the
        libraries' objectives is the reference).
    tols : list of float
        Tolerances tried, loosest first.
    gate : bool, default True
        False: run every library once at ``tols[0]`` and time it whatever
        its suboptimality (then "subopt" is reported, not required).
    chosen : callable(data, solution) -> float, optional
        A parameter each library chooses (e.g. a cross-validated alpha),
        printed after the row and compared with the first library's.
    once : tuple of str
        Libraries timed once whatever ``repeat`` (slow baselines).
    extrapolate : dict of name -> float
        A library whose runner does only part of the work (a few of many
        identical refits) has its measured time multiplied by this factor;
        the row is marked "(x F)".
    """

    name: str
    build: object
    objective: object
    runners: dict
    reference: object
    tols: list = field(default_factory=lambda: list(TOLS))
    gate: bool = True
    chosen: object = None
    once: tuple = ()
    extrapolate: dict = field(default_factory=dict)


def _relative(obj, best):
    return float(np.max((obj - best) / np.maximum(np.abs(best), 1e-300)))


def _one_pass_time(X):
    # in X's dtype: a float64 r against float32 X made NumPy convert all of X
    # per product, and float32 rows counted a tenth of their real passes
    r = np.random.default_rng(0).standard_normal(X.shape[0]).astype(X.dtype)
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        X.T @ r
        best = min(best, time.perf_counter() - t0)
    return best


def run(problem, *, quick=False, repeat=3, target=1e-6, libraries=None):
    """Return (shape, rows); a row is (library, tol, time, subopt, passes,
    chosen), with None entries for a library that did not reach the target
    (``chosen`` is None unless the problem defines it)."""
    data = problem.build(quick)
    runners = {k: v for k, v in problem.runners.items()
               if libraries is None or k in libraries}

    def call(run_one, tol):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            solution = run_one(data, tol)
            elapsed = time.perf_counter() - t0
        return elapsed, np.atleast_1d(problem.objective(data, solution)), solution

    best = np.inf
    if problem.reference is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            best = np.atleast_1d(problem.objective(data, problem.reference(data)))
    found = {}
    for lib, run_one in runners.items():
        for tol in problem.tols if problem.gate else problem.tols[:1]:
            try:
                elapsed, obj, solution = call(run_one, tol)
            except Exception as exc:          # a peer that fails is reported, not fatal
                print(f"# {problem.name}: {lib} failed at tol={tol}: {exc!r}")
                break
            best = np.minimum(best, obj)
            if not problem.gate or _relative(obj, best) <= target:
                found[lib] = [tol, [elapsed], obj, solution]
                break
            if elapsed > GIVE_UP_SECONDS:
                break
    for _ in range(repeat - 1):
        for lib, entry in found.items():
            if lib in problem.once:
                continue
            elapsed, entry[2], entry[3] = call(runners[lib], entry[0])
            entry[1].append(elapsed)
    t_pass = _one_pass_time(data["X"])
    rows = []
    for lib in runners:
        if lib not in found:
            rows.append((lib, None, None, None, None, None))
            continue
        tol, times, obj, solution = found[lib]
        t = float(np.median(times)) * problem.extrapolate.get(lib, 1.0)
        if lib in problem.extrapolate:
            lib = "%s (x%g)" % (lib, problem.extrapolate[lib])
        chosen = None if problem.chosen is None else problem.chosen(data, solution)
        rows.append((lib, tol, t, _relative(obj, best), t / t_pass, chosen))
    return data["X"].shape, rows


def print_header(target, repeat):
    print(f"# target relative suboptimality {target:g}; median of {repeat}; "
          "ratio = time / sklreg time (above 1: slower than sklreg)")
    print(f"{'problem':<28}{'shape':>16} {'library':<22}{'tol':>8}{'time s':>10}"
          f"{'ratio':>8}{'subopt':>10}{'passes':>9}")


def print_rows(name, shape, rows):
    ours, ours_chosen = rows[0][2], rows[0][5]
    for lib, tol, t, sub, passes, chosen in rows:
        if t is None:
            print(f"{name:<28}{str(shape):>16} {lib:<22}   did not reach the target",
                  flush=True)
            continue
        ratio = t / ours if ours else float("nan")
        tol = "-" if tol is None else f"{tol:.0e}"        # None: a direct solver
        note = ""
        if chosen is not None:
            same = "same" if np.isclose(chosen, ours_chosen, rtol=1e-9) else "DIFFERS"
            note = f"  chosen {chosen:.5g} ({same})"
        print(f"{name:<28}{str(shape):>16} {lib:<22}{tol:>8}{t:>10.3f}"
              f"{ratio:>8.2f}{sub:>10.1e}{passes:>9.0f}{note}", flush=True)
