"""Sphinx configuration of the sklreg documentation (``make -C doc html``)."""
import os
import re
import sys
import warnings

# Prefer the installed package (CI: ``pip install -e ".[doc]"``); fall back
# on the repository root, where ``python setup.py build_ext --inplace`` puts
# the compiled modules.
try:
    import sklreg
except ImportError:
    sys.path.insert(0, os.path.abspath(".."))
    import sklreg

import matplotlib

matplotlib.use("Agg")

project = "sklreg"
author = "the sklreg developers"
copyright = "2026, " + author
version = release = sklreg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/GALLERY_HEADER.rst",
                    "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip"]
root_doc = "index"
# `x` is code, as in scikit-learn's docstrings
default_role = "literal"

# API reference: one generated page per public name (doc/generated/).
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# Runnable examples: doc/examples/*.py -> doc/auto_examples/.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "expected_failing_examples": [],
    "abort_on_example_error": True,
    # "Examples using X" on every API page
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklreg",),
    "inspect_global_variables": False,
}

# Plot directive (the pictures of the 'Choosing a loss and a penalty' guide).
plot_include_source = False
plot_html_show_source_link = True
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.figsize": (6.4, 3.6)}

html_theme = "alabaster"
html_theme_options = {
    "description": "Regularized linear regression, scikit-learn compatible, certified",
    "fixed_sidebar": True,
    "page_width": "1200px",
    "sidebar_width": "230px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_static_path = []
html_title = "sklreg"

# joblib's and sklearn's own warnings are not documentation errors.
warnings.filterwarnings("ignore", category=UserWarning,
                        message="Matplotlib is currently using agg")


def _skip_metadata_routing(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing methods
    (``set_fit_request`` and friends): they are scikit-learn's API, and their
    docstrings point into scikit-learn's own documentation."""
    if name == "get_metadata_routing" or (name.startswith("set_")
                                         and name.endswith("_request")):
        return True
    return skip


_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _unlink_sklearn_roles(app, what, name, obj, options, lines):
    """Inherited scikit-learn methods (``score``, ``get_params``) cite labels
    of scikit-learn's documentation (``:ref:`User Guide <r2_score>```);
    without it (no network for intersphinx) keep their text only."""
    if getattr(obj, "__module__", "") and obj.__module__.startswith("sklearn"):
        lines[:] = [_SKLEARN_ROLE.sub(lambda m: m.group(1) or "", line)
                    for line in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_routing)
    app.connect("autodoc-process-docstring", _unlink_sklearn_roles)
