"""Linear solves shared by the solvers."""
import numpy as np
from scipy.linalg import lapack

from sklreg.utils._blas import CholeskyFactor


def psd_solver(A, min_rcond=0.0, cutoff=1e-14):
    """A function returning the solution of ``A x = rhs`` for a symmetric
    positive semi-definite ``A`` (rhs of shape (k,) or (k, m)).

    By Cholesky (the GIL released) when ``A`` is positive definite and the
    reciprocal of its condition number, as LAPACK estimates it, is at least
    ``min_rcond``; else the minimum-norm least-squares solution through
    ``A``'s eigendecomposition, eigenvalues below ``cutoff`` times the
    largest taken as zero (a singular ``A``: fewer samples than unknowns).
    ``A`` is not modified.
    """
    try:
        factor = CholeskyFactor(A)
    except np.linalg.LinAlgError:
        return _pseudo_inverse(A, cutoff)
    if min_rcond > 0:
        rcond, info = lapack.dpocon(factor.factor, np.linalg.norm(A, 1), uplo="L")
        if info != 0 or not rcond >= min_rcond:
            return _pseudo_inverse(A, cutoff)
    return factor.solve


def _pseudo_inverse(A, cutoff):
    vals, vecs = np.linalg.eigh(A)
    keep = vals > cutoff * max(vals.max(initial=0.0), 1e-300)
    inverse = np.where(keep, 1.0 / np.where(keep, vals, 1.0), 0.0)

    def solve(rhs):
        projected = vecs.T @ rhs
        return vecs @ (inverse.reshape((-1,) + (1,) * (projected.ndim - 1)) * projected)
    return solve
