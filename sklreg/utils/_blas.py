"""How many BLAS threads sklreg's solvers use: decided here, once.

The solvers' BLAS calls are mostly vector-sized (column products, residual
updates) or small factorisations.  Threads gain nothing on those, and
OpenBLAS threads synchronise by spinning: on shared or busy cores, or while
joblib runs folds in parallel, a threaded call was measured 3-60x slower
(2 cores, load average ~10).  So solvers run in ``single_threaded_blas()``;
only a large Gram product may ask for more (see ``solvers._ridge``), and
parallel cross-validation folds get one (``model_selection.run_parallel``).

The count is process-wide, and OpenBLAS (0.3.30 here) ignores a change
made from any other thread once the main thread has made one: a limit
meant for worker threads must be set by the thread that starts them.
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


_REQUESTS = []                  # thread counts asked for by open contexts, any thread
_SAVED = {}                     # each library's thread count before the first request
_REQUESTS_LOCK = threading.Lock()


@contextlib.contextmanager
def blas_threads(n_threads):
    """Context in which BLAS and LAPACK use at most ``n_threads`` threads.

    BLAS's thread count is process-wide, so every open context, in any
    thread, is one request and the smallest request holds: a Gram product
    asking for two threads inside a parallel fold (which asked for one) gets
    one.  The count is set when the smallest request changes and restored
    when the last context closes.  (Separate threadpoolctl limits
    overlapping in two threads restored each other's saved counts in the
    wrong order, leaving BLAS at one thread for good or at several inside a
    parallel fold.)
    """
    with _REQUESTS_LOCK:
        before = min(_REQUESTS, default=None)
        _REQUESTS.append(max(int(n_threads), 1))
        _apply(before)
    try:
        yield
    finally:
        with _REQUESTS_LOCK:
            before = min(_REQUESTS)
            _REQUESTS.remove(max(int(n_threads), 1))
            _apply(before)


def _apply(before):
    """Set the libraries' thread counts after a change of the requests
    (``before``: the smallest request until now, None if there was none)."""
    now = min(_REQUESTS, default=None)
    if now == before:
        return
    libraries = blas_state()[0].select(user_api="blas").lib_controllers
    if before is None:
        _SAVED.update((lib.filepath, lib.num_threads) for lib in libraries)
    for lib in libraries:
        lib.set_num_threads(_SAVED[lib.filepath] if now is None else now)
    if now is None:
        _SAVED.clear()


def single_threaded_blas():
    """Context in which BLAS and LAPACK use one thread (``blas_threads(1)``)."""
    return blas_threads(1)


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
