"""sklreg.utils._blas: the GIL-free Cholesky factor and the single-threaded
BLAS context."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sklreg import Lasso
from tests.conftest import make_problem


def test_cholesky_factor_without_the_gil_solves_and_raises():
    """The GIL-free Cholesky used by the interior point and Ridge's direct
    solver: the same solutions as SciPy's, LinAlgError when not definite."""
    import scipy.linalg as la
    from sklreg.utils._blas import CholeskyFactor
    rng = np.random.default_rng(0)
    A = rng.standard_normal((40, 40))
    H = A @ A.T + np.eye(40)
    b = rng.standard_normal((40, 3))
    ref = la.cho_factor(H, lower=True)
    factor = CholeskyFactor(H)
    np.testing.assert_allclose(factor.solve(b), la.cho_solve(ref, b), rtol=1e-12)
    np.testing.assert_allclose(factor.solve(b[:, 0]), la.cho_solve(ref, b[:, 0]), rtol=1e-12)
    assert factor.solve(b[:, 0]).shape == (40,)
    with pytest.raises(la.LinAlgError):
        CholeskyFactor(-H)
    assert CholeskyFactor(np.zeros((0, 0))).solve(np.zeros(0)).shape == (0,)


def test_blas_limit_is_restored_after_nested_and_concurrent_fits():
    # only the outermost single_threaded_blas context sets (and restores)
    # the process-wide limit, whatever the nesting or the threads
    from threadpoolctl import threadpool_info
    from sklreg.utils._blas import single_threaded_blas

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    with single_threaded_blas():
        assert all(n == 1 for n in blas_threads())
        with single_threaded_blas():
            assert all(n == 1 for n in blas_threads())
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before
    X, y, _ = make_problem(200, 300)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda a: Lasso(alpha=a).fit(X, y), [0.01, 0.02, 0.05, 0.1] * 3))
    assert blas_threads() == before
