"""Run scikit-learn's own linear_model tests with sklreg's estimators swapped in.

Usage::

    python tests/sklearn_suite/run.py [-k EXPR] [--files test_huber ...] [--keep DIR]

The test files of the *installed* scikit-learn are copied to a temporary
folder; in each, every name that ``from sklearn.linear_model import ...``
brings in and that sklreg also provides is imported from sklreg instead
(private helpers and the references a test compares against stay
scikit-learn's).  pytest runs the copies and the script prints, per file,
how many tests pass, fail, are skipped, and how many failures are listed in
``expected.py`` as intended differences.  The exit status is 1 when a
failure is not listed there (or no outcome could be read); a listed test
that now passes is printed, to be removed from the list.
"""
import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

import sklreg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from expected import EXPECTED  # noqa: E402

FILES = ["test_coordinate_descent", "test_sparse_coordinate_descent", "test_ridge",
         "test_huber", "test_quantile"]


def swap_imports(source):
    """``source`` with sklreg's names imported in place of scikit-learn's."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "sklearn.linear_model":
            ours = [a for a in node.names if hasattr(sklreg, a.name)]
            if ours:
                edits.append((node.end_lineno, ours))
    for end, names in reversed(edits):
        spelled = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in names)
        lines.insert(end, f"from sklreg import {spelled}  # swapped in\n")
    return "".join(lines)


def copy_tests(dest, files):
    source_dir = Path(sklearn.__file__).parent / "linear_model" / "tests"
    for name in files:
        text = (source_dir / f"{name}.py").read_text()
        (dest / f"{name}.py").write_text(swap_imports(text))
    # scikit-learn's conftest (fixtures such as global_random_seed) is in sklearn/
    shutil.copy(Path(sklearn.__file__).parent / "conftest.py", dest / "conftest.py")


def outcomes(junit):
    """{test id: 'passed'|'failed'|'skipped'|'xfailed'} from a JUnit XML file."""
    result = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        module, *klass = case.get("classname").split(".")
        test_id = "::".join([module, *klass, case.get("name")])
        kinds = {child.tag for child in case}
        if "failure" in kinds or "error" in kinds:
            result[test_id] = "failed"
        elif "skipped" in kinds:
            skipped = case.find("skipped")
            xfail = skipped is not None and skipped.get("type") == "pytest.xfail"
            result[test_id] = "xfailed" if xfail else "skipped"
        else:
            result[test_id] = "passed"
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", default=FILES, choices=FILES)
    parser.add_argument("-k", default=None, help="pytest -k expression")
    parser.add_argument("--keep", default=None, help="write the copies here and keep them")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every failing test")
    args = parser.parse_args(argv)

    dest = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sklearn_suite_"))
    dest.mkdir(parents=True, exist_ok=True)
    copy_tests(dest, args.files)
    junit = dest / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-W", "ignore", f"--junitxml={junit}", "--rootdir", str(dest),
           "-o", "addopts=", "-o", "filterwarnings=", str(dest)]
    if args.k:
        cmd += ["-k", args.k]
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run(cmd, cwd=dest, env=env, stdout=subprocess.DEVNULL)
    results = outcomes(junit)

    print(f"scikit-learn {sklearn.__version__}'s linear_model tests with sklreg "
          f"{sklreg.__version__} swapped in\n")
    header = f"{'file':34s} {'pass':>6s} {'fail':>6s} {'skip':>6s} {'xfail':>6s} {'expected':>9s}"
    print(header)
    print("-" * len(header))
    unexpected, stale = [], []
    for name in args.files:
        mine = {t: r for t, r in results.items() if t.split("::")[0] == name}
        counts = {k: sum(r == k for r in mine.values())
                  for k in ("passed", "failed", "skipped", "xfailed")}
        listed = 0
        for test_id, outcome in sorted(mine.items()):
            reason = _expected_reason(test_id)
            if outcome == "failed" and reason is None:
                unexpected.append(test_id)
            elif outcome == "failed":
                listed += 1
            elif outcome == "passed" and reason is not None:
                stale.append(test_id)
        print(f"{name:34s} {counts['passed']:6d} {counts['failed']:6d} "
              f"{counts['skipped']:6d} {counts['xfailed']:6d} {listed:9d}")
    print()
    if unexpected:
        print(f"{len(unexpected)} unexpected failures:")
        for test_id in unexpected if args.verbose else unexpected[:50]:
            print("  ", test_id)
        if len(unexpected) > 50 and not args.verbose:
            print(f"   ... and {len(unexpected) - 50} more (-v lists them all)")
    if stale:
        print(f"{len(stale)} tests listed in expected.py now pass (remove them):")
        for test_id in stale:
            print("  ", test_id)
    if not args.keep:
        shutil.rmtree(dest, ignore_errors=True)
    # CI fails on a failure nobody explained; a listed test that now passes
    # is a note to tidy expected.py, not a failure
    if not results:
        print("no test outcome was read: the run itself failed")
        return 1
    return 1 if unexpected else 0


def _expected_reason(test_id):
    """The documented reason a test is expected to fail, or None.  Keys of
    EXPECTED are a test id or its prefix up to the parameter brackets."""
    if test_id in EXPECTED:
        return EXPECTED[test_id]
    return EXPECTED.get(test_id.split("[")[0])


if __name__ == "__main__":
    sys.exit(main())
