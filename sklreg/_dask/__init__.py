"""Fits on Dask collections: least squares from statistics reduced in one pass.

X (a Dask array chunked by rows, or a Dask DataFrame) is reduced, block by
block on the workers, to weighted moments in float64 (``_moments``); the
client turns them into a p x p least-squares problem with the same objective
(``_reduced``) and runs the in-memory solvers on it.  Nothing here is
imported by ``import sklreg``: the estimators' ``fit`` and
``regularization_path`` ask ``is_dask_collection`` (which imports no Dask)
and only then import the rest.
"""


def is_dask_collection(*objects):
    """Whether any of ``objects`` is a Dask collection, without importing Dask
    (a collection's class lives in a ``dask`` module, and a module that made
    one has imported Dask already)."""
    for obj in objects:
        module = type(obj).__module__ or ""
        if module.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__"):
            return True
    return False
