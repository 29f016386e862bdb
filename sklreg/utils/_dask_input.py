"""Recognising Dask input, without importing Dask: the estimators' ``fit``,
``regularization_path`` and ``alpha_max`` ask, and then hand the data to
the estimator's one-pass route (``sklreg._dask``, a layer above them)."""


def is_dask_collection(*objects):
    """Whether any of ``objects`` is a Dask collection, without importing Dask
    (a collection's class lives in a ``dask`` module, and a module that made
    one has imported Dask already)."""
    for obj in objects:
        module = type(obj).__module__ or ""
        if module.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__"):
            return True
    return False
