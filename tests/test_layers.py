"""sklreg's imports run one way: down the layers, with no circle.

Every ``import`` statement of the package is read from the source (nested
ones too: an import inside a function is still an arrow), nothing is
imported.  A module may import its own layer or one below it; a new
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


def _graph():
    """{module: {imported module: line}} over every Python file of sklreg."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        edges = graph.setdefault(_module_name(path), {})
        for name, line in _imports(path):
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


@pytest.mark.parametrize("path", sorted(p for p in (PACKAGE / "_core").iterdir()
                                         if p.suffix in (".pyx", ".pxd")),
                         ids=lambda p: p.name)
def test_compiled_core_imports_no_python_of_sklreg(path):
    """``_core`` is the bottom: its Cython imports nothing of sklreg but itself."""
    outside = [line for line in path.read_text().splitlines()
               if re.match(r"\s*(from|import|cimport)\s+sklreg\b", line)
               and not re.match(r"\s*(from|cimport)\s+sklreg\._core\b", line)]
    assert not outside, outside


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
