"""What a non-editable install ships: every package and compiled source of sklreg.

``pip install .`` (and a wheel) copies only the packages and data files that
pyproject.toml selects; an editable install, which CI and the README use,
hides a package left out.  The selection is read as setuptools reads it
(``packages.find`` includes by glob over dotted names, package-data by glob
over file names) and held against the tree.
"""
from fnmatch import fnmatch
from pathlib import Path
import tomllib

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _packages():
    return {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "sklreg").rglob("__init__.py")}


def _selected(package):
    listed = SETUPTOOLS.get("packages")
    if isinstance(listed, list):
        return package in listed
    find = listed.get("find", {}) if isinstance(listed, dict) else {}
    return (any(fnmatch(package, pattern) for pattern in find.get("include", ["*"]))
            and not any(fnmatch(package, pattern) for pattern in find.get("exclude", [])))


def test_every_package_of_sklreg_is_installed():
    missing = sorted(package for package in _packages() if not _selected(package))
    assert not missing, f"left out of a non-editable install: {missing}"


def test_the_compiled_core_ships_its_sources():
    patterns = SETUPTOOLS.get("package-data", {}).get("sklreg._core", [])
    core = ROOT / "sklreg" / "_core"
    sources = [path.name for ext in ("pyx", "pxd", "pxi", "h") for path in core.glob(f"*.{ext}")]
    missing = sorted(name for name in sources if not any(fnmatch(name, pattern) for pattern in patterns))
    assert not missing, f"compiled sources a build from an sdist would miss: {missing}"
