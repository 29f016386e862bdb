"""Build the compiled core.  Compiler directives are set once, here.

The build is kept short:
- Cython's memoryview and helper code, identical in every module, is
  generated and compiled once, as the shared module ``_cyutility``;
- the extensions are translated and compiled in parallel, one job per core
  (``build_ext -j N`` overrides);
- translation to C happens in ``build_ext`` only, not each time pip asks
  this file for metadata;
- when every extension already built in the source tree (by an earlier
  ``pip install -e .`` or ``build_ext --inplace``) is newer than the
  ``.pyx``/``.pxd``/``.h`` sources and this file, they are reused, not
  compiled again: the second ``pip install -e ".[extra]"`` only installs
  the extra packages.  ``build_ext --force`` (or deleting
  ``sklreg/_core/*.so``) rebuilds.
"""
import glob
import os
import shutil

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

MODULES = ["_design", "_penalties", "_losses", "_huber_datafit", "_datafits", "_anderson", "_screening", "_gram",
           "_cd", "_prox_grad", "_ipm", "_linalg", "_multitask"]
SHARED = "sklreg._core._cyutility"
# Reuse is all or nothing: the modules and the shared one must come from
# the same Cython translation.
SOURCES = sorted(glob.glob("sklreg/_core/*.pyx") + glob.glob("sklreg/_core/*.pxd")
                 + glob.glob("sklreg/_core/*.pxi")
                 + glob.glob("sklreg/_core/*.h")) + [os.path.abspath(__file__)]
DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "nonecheck": False,
}


def _newest_mtime(paths):
    return max(os.path.getmtime(p) for p in paths)


class BuildExt(build_ext):
    """Parallel by default; reuses up-to-date extensions of the source tree."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1

    def _built_in_tree(self):
        """Up-to-date in-tree extension files by target path, or None."""
        built = {}
        for ext in self.extensions:
            in_tree = self.get_ext_filename(ext.name)
            if (self.force or not os.path.exists(in_tree)
                    or os.path.getmtime(in_tree) < _newest_mtime(SOURCES)):
                return None
            # setuptools builds into build_lib even for --inplace (then copies)
            built[os.path.join(self.build_lib, in_tree)] = in_tree
        return built

    def run(self):
        built = self._built_in_tree()
        if built is not None:
            for target, in_tree in built.items():
                print(f"reusing {in_tree} (newer than its sources)")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(in_tree, target)
            return
        translated = cythonize(
            self.extensions,
            nthreads=self.parallel,
            force=self.force,
            shared_utility_qualified_name=SHARED,
            compiler_directives=DIRECTIVES,
        )
        sources = {ext.name: ext.sources for ext in translated}
        for ext in self.extensions:
            ext.sources = sources[ext.name]
        super().run()


def extension(name, sources):
    return Extension(
        name,
        sources,
        include_dirs=[np.get_include(), "sklreg/_core"],
        depends=sorted(glob.glob("sklreg/_core/*.h") + glob.glob("sklreg/_core/*.pxi")),
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=["-O3", "-fopenmp-simd"],
    )


setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=[extension(f"sklreg._core.{name}", [f"sklreg/_core/{name}.pyx"])
                 for name in MODULES]
    # its C source is written by cythonize (in BuildExt.run)
    + [extension(SHARED, [])],
)
