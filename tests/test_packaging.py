"""What a non-editable install ships: every module and compiled source of sklreg.

``pip install .`` (and a wheel) copies only the packages pyproject.toml
selects; an editable install, which CI and the README use, hides a package
left out.  ``build_py`` copies them as the wheel would, without compiling.
"""
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("*.py", "*.pyx", "*.pxd", "*.pxi", "*.h")


def _sources(top):
    return {path.relative_to(top) for pattern in SHIPPED for path in (top / "sklreg").rglob(pattern)
            if "__pycache__" not in path.parts}


def test_a_build_ships_every_module_of_the_package(tmp_path):
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    missing = _sources(ROOT) - _sources(tmp_path)
    assert not missing, f"left out of a non-editable install: {sorted(map(str, missing))}"
