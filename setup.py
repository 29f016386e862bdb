"""Build the compiled core.  Compiler directives are set once, here."""
import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

MODULES = ["_design", "_penalties", "_losses", "_cd", "_prox_grad", "_ipm", "_linalg"]

extensions = [
    Extension(
        f"sklreg._core.{name}",
        [f"sklreg/_core/{name}.pyx"],
        include_dirs=[np.get_include(), "sklreg/_core"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=["-O3", "-fopenmp-simd"],
    )
    for name in MODULES
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
        },
    ),
)
