"""How many BLAS threads sklreg's solvers use: decided here, once.

The solvers' BLAS calls are mostly vector-sized (column products, residual
updates) or small factorisations.  Threads gain nothing on those, and
OpenBLAS threads synchronise by spinning: on shared or busy cores, or while
joblib runs folds in parallel, a threaded call was measured 3-60x slower
(2 cores, load average ~10).  So solvers run in ``single_threaded_blas()``;
only a large Gram product may ask for more (see ``solvers._ridge``).
"""
import contextlib
import threading

import numpy as np
from threadpoolctl import ThreadpoolController

_STATE = []      # (controller, configured thread count), made at first use:
                 # building a controller scans the loaded libraries (~2 ms)


def blas_state():
    """Return (ThreadpoolController, the configured BLAS thread count)."""
    if not _STATE:
        controller = ThreadpoolController()
        counts = [c.num_threads for c in controller.select(user_api="blas").lib_controllers]
        _STATE.append((controller, max(counts, default=1)))
    return _STATE[0]


_OPEN = {"count": 0, "limiter": None}   # single_threaded_blas contexts, any thread
_OPEN_LOCK = threading.Lock()


@contextlib.contextmanager
def single_threaded_blas():
    """Context in which BLAS and LAPACK use one thread.

    BLAS's thread count is process-wide, so nested or concurrent contexts
    share one limit: the first to open sets it (threadpoolctl's, ~25 us; a
    solver enters this once per alpha of a path), the last to close restores
    it.  (Separate limits overlapping in two threads restored each other's
    saved counts in the wrong order, leaving BLAS at one thread for good.)
    """
    with _OPEN_LOCK:
        if _OPEN["count"] == 0:
            _OPEN["limiter"] = blas_state()[0].limit(limits=1, user_api="blas")
        _OPEN["count"] += 1
    try:
        yield
    finally:
        with _OPEN_LOCK:
            _OPEN["count"] -= 1
            if _OPEN["count"] == 0:
                _OPEN["limiter"].restore_original_limits()
                _OPEN["limiter"] = None


class CholeskyFactor:
    """The Cholesky factor of a symmetric positive definite matrix, computed
    and applied with the GIL released (``sklreg._core._linalg``; SciPy's
    ``cho_factor`` / ``cho_solve`` hold it for the whole LAPACK call, so
    fits in threads serialised on their factorisations).

    Raises ``numpy.linalg.LinAlgError`` (SciPy's ``LinAlgError`` is the same
    class) when the matrix is not positive definite.
    """

    def __init__(self, H, copy=True):
        from sklreg._core._linalg import potrf_lower
        # copy=False: H (float64, Fortran-ordered or a block of such an
        # array) is overwritten by its factor
        self.factor = np.array(H, dtype=np.float64, order="F") if copy else H
        info = potrf_lower(self.factor)
        if info != 0:
            raise np.linalg.LinAlgError(
                f"leading minor of order {info} is not positive definite")

    @classmethod
    def from_lower(cls, lower):
        """Wrap a lower Cholesky factor already computed: a Fortran-ordered
        array or a block of one, not copied (only its lower triangle is
        read)."""
        factor = cls.__new__(cls)
        factor.factor = lower
        return factor

    def solve(self, rhs):
        """Return the solution of ``H x = rhs`` (rhs of shape (n,) or (n, k))."""
        from sklreg._core._linalg import potrs_lower
        return self._apply(potrs_lower, rhs)

    def solve_lower(self, rhs, transpose=False):
        """Return ``L^{-1} rhs`` (``L^{-T} rhs`` if ``transpose``): half of
        ``solve``, reading the factor once."""
        from sklreg._core._linalg import trsm_lower
        return self._apply(lambda factor, out: trsm_lower(factor, out, transpose), rhs)

    def _apply(self, routine, rhs):
        # LAPACK-style routines overwrite a Fortran-ordered copy of rhs
        rhs = np.asarray(rhs, dtype=np.float64)
        out = np.array(rhs[:, None] if rhs.ndim == 1 else rhs, order="F")
        routine(self.factor, out)
        return out.reshape(rhs.shape)
