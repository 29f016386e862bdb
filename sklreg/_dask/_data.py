"""Dask input: checked before any work, then handed out block by block."""
from numbers import Number

import numpy as np

from sklreg._dask._moments import MAX_FEATURES


def _is_frame(obj):
    return hasattr(obj, "divisions") and hasattr(obj, "to_delayed")


class DaskData:
    """X, y and sample_weight as aligned row blocks.

    X is a Dask array with one chunk of columns and known row chunks, or a
    Dask DataFrame; y (and sample_weight, unless None or a number) is a Dask
    array, Series or one-column DataFrame of the same kind, or a NumPy array
    beside a Dask array X.  With ``targets``, y may have several columns
    (one chunk of them): ``y_ndim`` and ``n_targets`` say what it was.
    """

    def __init__(self, X, y, sample_weight=None, targets=False):
        import dask.array as da

        self.y_ndim, self.n_targets = 1, 1

        self.frame = _is_frame(X)
        if self.frame:
            self.n_features = len(X.columns)
            names = np.asarray(X.columns, dtype=object)
            self.feature_names = (names if len(names) and all(isinstance(c, str) for c in names)
                                  else None)
            bad = [c for c, t in X.dtypes.items() if not (np.issubdtype(t, np.number)
                                                          or np.issubdtype(t, np.bool_))]
            if bad:
                raise ValueError(f"X must be numeric; columns {bad[:5]} are not")
            self.dtype = (np.dtype(np.float32) if len(X.dtypes) and all(
                t == np.float32 for t in X.dtypes) else np.dtype(np.float64))
            self.n_blocks = X.npartitions
            self._X = X.to_delayed(optimize_graph=False)
            self._y = self._frame_part(y, "y", targets)
            self._s = self._frame_part(sample_weight, "sample_weight")
        else:
            if not isinstance(X, da.Array) or X.ndim != 2:
                raise TypeError(f"X must be a 2-D Dask array or a Dask DataFrame; got "
                                f"{type(X).__name__}" + (f" with {X.ndim} dimensions"
                                                          if hasattr(X, "ndim") else ""))
            if any(np.isnan(c) for c in X.chunks[0]):
                raise ValueError("X has unknown chunk sizes: call X.compute_chunk_sizes() "
                                 "(or give lengths) before fitting")
            if len(X.chunks[1]) != 1:
                raise ValueError(f"X is chunked along its columns (column chunks "
                                 f"{X.chunks[1]}): the fit needs whole rows in each "
                                 f"block; rechunk with X.rechunk({{1: -1}})")
            if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
                raise ValueError(f"X must be numeric; got dtype {X.dtype}")
            self.n_features = X.shape[1]
            self.feature_names = None
            self.dtype = np.dtype(np.float32 if X.dtype == np.float32 else np.float64)
            self.row_chunks = X.chunks[0]
            self.n_blocks = len(self.row_chunks)
            self._X = X.to_delayed(optimize_graph=False).ravel()
            self._y = self._array_part(y, "y", targets)
            self._s = self._array_part(sample_weight, "sample_weight")
        if self.n_features == 0:
            raise ValueError("X has no features (0 columns)")
        if self.n_features > MAX_FEATURES:
            raise ValueError(
                f"X has {self.n_features} features: sklreg fits Dask data from its "
                f"{self.n_features} x {self.n_features} Gram matrix, gathered on the "
                f"client, which it does for at most {MAX_FEATURES} features. For wider "
                "data, select features first (screening, or a fit on a sample of rows "
                "in memory), or fit in memory on one machine")

    def _array_part(self, v, name, targets=False):
        import dask.array as da

        if v is None or isinstance(v, Number):
            return [v] * self.n_blocks
        if _is_frame(v):
            raise TypeError(f"{name} is a Dask DataFrame/Series but X is a Dask array: "
                            f"give both as arrays (e.g. {name}.to_dask_array(lengths=True))")
        if not isinstance(v, da.Array):
            v = np.asarray(v)
        if targets and v.ndim == 2:
            self._set_targets(v.shape[1])
            if isinstance(v, da.Array) and len(v.chunks[1]) != 1:
                v = v.rechunk({1: -1})
        elif v.ndim == 2 and v.shape[1] == 1:
            v = v.reshape(-1) if isinstance(v, np.ndarray) else v[:, 0]
        if v.ndim != (self.y_ndim if targets else 1):
            raise ValueError(f"{name} must be {'1-D or 2-D' if targets else '1-D'} for "
                             f"Dask data; got shape {v.shape}")
        n = sum(self.row_chunks)
        if isinstance(v, da.Array) and any(np.isnan(c) for c in v.chunks[0]):
            raise ValueError(f"{name} has unknown chunk sizes: call "
                             f"{name}.compute_chunk_sizes() before fitting")
        if v.shape[0] != n:
            raise ValueError(f"{name} has {v.shape[0]} entries but X has {n} rows")
        if isinstance(v, np.ndarray):
            return list(np.split(v, np.cumsum(self.row_chunks)[:-1]))
        chunks = (self.row_chunks,) + v.chunks[1:]
        return list(v.rechunk(chunks).to_delayed(optimize_graph=False).ravel())

    def _set_targets(self, n_targets):
        if n_targets == 0:
            raise ValueError("y has no columns (0 targets)")
        self.y_ndim, self.n_targets = 2, int(n_targets)

    def _frame_part(self, v, name, targets=False):
        if v is None or isinstance(v, Number):
            return [v] * self.n_blocks
        if not _is_frame(v):
            raise TypeError(f"{name} must be a Dask Series (or None) when X is a Dask "
                            f"DataFrame; got {type(v).__name__}")
        if targets and v.ndim == 2:
            self._set_targets(len(v.columns))
        elif v.ndim == 2 and len(v.columns) != 1:
            raise ValueError(f"{name} must be a single column; got {len(v.columns)}")
        if v.npartitions != self.n_blocks:
            raise ValueError(f"{name} has {v.npartitions} partitions but X has "
                             f"{self.n_blocks}: give them as columns of one DataFrame")
        return list(v.to_delayed(optimize_graph=False))

    def blocks(self):
        """(X, y, sample_weight) per block, as Dask delayed objects."""
        return zip(self._X, self._y, self._s)

    def where(self, i):
        """Names block i in error messages."""
        if self.frame:
            return f"partition {i}"
        start = int(sum(self.row_chunks[:i]))
        return f"block {i} (rows {start} to {start + self.row_chunks[i] - 1})"

    def fold_blocks(self, fold_ids):
        """A user's ``fold_ids`` as blocks aligned with X's."""
        if self.frame:
            return self._frame_part(fold_ids, "fold_ids")
        return self._array_part(fold_ids, "fold_ids")


def refuse_bounds(estimator):
    """Huber's fits on Dask data take no per-coefficient bounds."""
    for name in ("lower_bounds", "upper_bounds"):
        if getattr(estimator, name, None) is not None:
            raise ValueError(
                f"{type(estimator).__name__} on Dask data takes no {name}; got "
                f"{name}={getattr(estimator, name)!r}: its Newton steps there are "
                "proximal for an L1 part and signs only (a box needs projected steps and "
                "the bounded certificate, not built). Fit in memory for bounds")
