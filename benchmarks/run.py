"""Time sklreg against its peers, in one run, at equal certified accuracy.

Each ``suite_*.py`` module beside this file lists its rows (``problems()``);
see ``harness.py`` for the method.  For every row each library runs at the
loosest of its own ``tol`` values that brings it within ``--target`` relative
suboptimality of the best objective seen; then all libraries are timed in
turn, interleaved.  The table shows the median time, the ratio to sklreg, the
suboptimality reached and the passes over X (time / time of one ``X.T @ r``).

    python benchmarks/run.py                 # every row
    python benchmarks/run.py --quick         # smaller problems, one repeat
    python benchmarks/run.py --only lasso_dense_amax100 --repeat 5
"""
import argparse
import importlib
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from harness import print_header, print_rows, run  # noqa: E402


def all_problems():
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("suite_*.py")):
        yield from importlib.import_module(path.stem).problems()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller problems, 1 repeat")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--target", type=float, default=1e-6,
                        help="relative suboptimality every library must reach")
    parser.add_argument("--only", nargs="*", help="row names to run")
    parser.add_argument("--libs", nargs="*", help="libraries to run (default: all installed)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    print_header(args.target, repeat)
    for problem in all_problems():
        if args.only and problem.name not in args.only:
            continue
        shape, rows = run(problem, quick=args.quick, repeat=repeat, target=args.target,
                          libraries=args.libs)
        print_rows(problem.name, shape, rows)


if __name__ == "__main__":
    main()
