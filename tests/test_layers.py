"""sklreg's imports run one way: down the layers, with no circle.

Every ``import`` statement of the package is read from the source (nested
ones too: an import inside a function is still an arrow), nothing is
imported.  The compiled layer counts too: the ``import``/``cimport``
statements of its ``.pyx`` and ``.pxd`` files and of the ``.pxi`` files
they ``include``.  A module may import its own layer or one below it; a new
top-level module must be given a layer here.
"""
import ast
from pathlib import Path
import re

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklreg"

# bottom -> top; a module belongs to the layer of its longest listed prefix
LAYERS = [
    ["sklreg._core"],
    ["sklreg.losses", "sklreg.penalties"],
    # Dask input is recognised in utils (path/ and the estimators ask); the
    # fits, paths and CV on Dask data sit above the path and CV layers they
    # use, below the estimators that dispatch to them
    ["sklreg.utils", "sklreg.datasets"],
    ["sklreg.solvers"],
    ["sklreg.problems"],
    ["sklreg.path"],
    ["sklreg.model_selection"],
    ["sklreg._dask"],
    ["sklreg.linear_model"],
    ["sklreg.plotting", "sklreg.inference", "sklreg._cli", "sklreg._cli_common",
     "sklreg._cli_output", "sklreg._csv", "sklreg._demo", "sklreg.__main__", "sklreg"],
]


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path):
    """The sklreg modules ``path`` imports, each with the line it does it on."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module]
            # ``from sklreg.pkg import module`` imports the module itself
            names = [f"{names[0]}.{alias.name}"
                     if (PACKAGE.parent / names[0].replace(".", "/") / alias.name).exists()
                     or (PACKAGE.parent / names[0].replace(".", "/")
                         / f"{alias.name}.py").exists()
                     else names[0] for alias in node.names]
        else:
            continue
        for name in names:
            if name == "sklreg" or name.startswith("sklreg."):
                yield name, node.lineno


CYTHON_IMPORT = re.compile(r"\s*(?:from\s+([\w.]+)\s+c?import\b|c?import\s+([\w., ]+))")
CYTHON_INCLUDE = re.compile(r"""\s*include\s+["']([^"']+)["']""")


def _code_lines(path):
    """(line number, line) of a Cython file, docstrings and comments blanked."""
    text = re.sub(r'"""[\s\S]*?"""', lambda m: "\n" * m.group().count("\n"),
                  path.read_text())
    return [(number, line.split("#")[0])
            for number, line in enumerate(text.splitlines(), start=1)]


def _includes(path):
    """The files ``path`` includes (Cython's ``include``), each once."""
    return [path.parent / match.group(1) for _, line in _code_lines(path)
            for match in [CYTHON_INCLUDE.match(line)] if match]


def _cython_imports(path, seen=()):
    """The sklreg modules a Cython file imports or cimports, each with
    ``file:line``, the files it includes read as part of it."""
    for number, line in _code_lines(path):
        match = CYTHON_IMPORT.match(line)
        if match:
            names = ([match.group(1)] if match.group(1)
                     else [n.split(" as ")[0].strip() for n in match.group(2).split(",")])
            for name in names:
                if name == "sklreg" or name.startswith("sklreg."):
                    yield name, f"{path.name}:{number}"
    for included in _includes(path):
        if included not in seen:
            yield from _cython_imports(included, seen + (path,))


def _graph():
    """{module: {imported module: line}} over every Python and Cython
    (.pyx, .pxd) file of sklreg."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        edges = graph.setdefault(_module_name(path), {})
        for name, line in _imports(path):
            edges.setdefault(name, line)
    for path in sorted([*PACKAGE.rglob("*.pyx"), *PACKAGE.rglob("*.pxd")]):
        edges = graph.setdefault(_module_name(path), {})
        for name, line in _cython_imports(path):
            if name != _module_name(path):        # a .pyx cimports its own .pxd
                edges.setdefault(name, line)
    return graph


def _layer(module):
    best, level = "", None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, level = prefix, index
    return level


def test_every_module_has_a_layer():
    unplaced = [m for m in _graph() if _layer(m) is None]
    assert not unplaced, f"give these modules a layer in LAYERS: {unplaced}"


def test_no_import_runs_up_the_layers():
    upward = [f"{module} (layer {_layer(module)}) imports {target} (layer "
              f"{_layer(target)}) on line {line}"
              for module, edges in _graph().items() for target, line in edges.items()
              if _layer(target) is not None and _layer(module) is not None
              and _layer(target) > _layer(module)]
    assert not upward, "\n".join(upward)


def _find_cycle(graph):
    """One import circle as a list of modules, or None (depth-first search)."""
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in graph.get(module, ()):
            if target not in graph:
                continue
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_no_import_circle():
    cycle = _find_cycle(_graph())
    assert cycle is None, " -> ".join(cycle)


CYTHON_FILES = sorted(p for p in (PACKAGE / "_core").iterdir()
                      if p.suffix in (".pyx", ".pxd", ".pxi"))


@pytest.mark.parametrize("path", CYTHON_FILES, ids=lambda p: p.name)
def test_compiled_core_imports_no_python_of_sklreg(path):
    """``_core`` is the bottom: its Cython (and what it includes) imports
    nothing of sklreg but itself."""
    outside = [f"{where}: {name}" for name, where in _cython_imports(path)
               if not (name == "sklreg._core" or name.startswith("sklreg._core."))]
    assert not outside, outside


def test_every_include_is_a_file_and_every_pxi_is_included():
    """An include names a file that exists, and no .pxi lies unused."""
    included = {p for path in CYTHON_FILES for p in _includes(path)}
    assert all(p.is_file() for p in included), sorted(map(str, included))
    orphans = [p.name for p in CYTHON_FILES if p.suffix == ".pxi" and p not in included]
    assert not orphans, orphans


def test_the_check_sees_an_upward_import_and_a_circle():
    """The checks themselves can fail: a made-up graph breaking both rules."""
    graph = {"sklreg.path": {"sklreg.linear_model": 1},
             "sklreg.linear_model": {"sklreg.model_selection": 1},
             "sklreg.model_selection": {"sklreg.path": 1}}
    assert _layer("sklreg.linear_model._lasso") > _layer("sklreg.path")
    # the path layer dispatches Dask data through the estimator: it may not
    # import sklreg._dask, which sits above it
    assert _layer("sklreg._dask") > _layer("sklreg.path._path")
    assert _layer("sklreg._dask") > _layer("sklreg.model_selection")
    assert _find_cycle(graph) is not None
    assert _find_cycle({"sklreg.a": {"sklreg.b": 1}, "sklreg.b": {}}) is None


def test_the_compiled_check_reads_includes_and_cimports(tmp_path):
    """A cimport in an included file counts as its includer's; docstrings
    and comments do not."""
    (tmp_path / "_kernel.pyx").write_text(
        '"""from sklreg.path import nothing"""\n'
        "from sklreg._core._design cimport Design  # from sklreg.solvers import no\n"
        'include "_part.pxi"\n')
    (tmp_path / "_part.pxi").write_text("cimport cython\nfrom sklreg.solvers._cd cimport x\n"
                                        "import sklreg.utils, numpy as np\n")
    found = sorted(_cython_imports(tmp_path / "_kernel.pyx"))
    assert found == [("sklreg._core._design", "_kernel.pyx:2"),
                     ("sklreg.solvers._cd", "_part.pxi:2"),
                     ("sklreg.utils", "_part.pxi:3")]
    assert _includes(tmp_path / "_kernel.pyx") == [tmp_path / "_part.pxi"]
    assert "sklreg._core._datafits" in _graph()["sklreg._core._cd"]
