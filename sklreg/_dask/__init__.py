"""Fits on Dask collections: least squares from statistics reduced in one pass.

X (a Dask array chunked by rows, or a Dask DataFrame) is reduced, block by
block on the workers, to weighted moments in float64 (``_moments``); the
client turns them into a p x p least-squares problem with the same objective
(``_reduced``) and runs the in-memory solvers on it.  Nothing here is
imported by ``import sklreg``: the estimators' ``fit`` and
``regularization_path`` ask ``sklreg.utils._dask_input.is_dask_collection``
(which imports no Dask) and only then import the rest.
"""
