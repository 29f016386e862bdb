"""sklreg.utils.linalg: the one PSD solve with its fallback."""
import numpy as np


def test_psd_solver_cholesky_and_singular_fallback():
    """One PSD solve for the solvers: Cholesky when positive definite, else
    the minimum-norm least-squares solution (numpy's lstsq)."""
    from sklreg.utils.linalg import psd_solver

    rng = np.random.default_rng(1)
    B = rng.standard_normal((8, 5))
    A = B.T @ B                                      # positive definite
    rhs = rng.standard_normal(5)
    np.testing.assert_allclose(A @ psd_solver(A)(rhs), rhs, rtol=1e-10)
    np.testing.assert_allclose(A @ psd_solver(A)(np.c_[rhs, 2 * rhs]),
                               np.c_[rhs, 2 * rhs], rtol=1e-10)
    S = B[:3].T @ B[:3]                              # rank 3 of 5: singular
    expected = np.linalg.lstsq(S, rhs, rcond=1e-14)[0]
    np.testing.assert_allclose(psd_solver(S)(rhs), expected, atol=1e-8)
    # ill-conditioned beyond min_rcond: the least-squares solution too
    D = np.diag([1.0, 1e-20])
    np.testing.assert_allclose(psd_solver(D, min_rcond=1e-16)(np.ones(2)), [1.0, 0.0])
