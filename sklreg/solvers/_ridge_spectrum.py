"""One eigendecomposition of the smaller Gram of ridge's centred design, every alpha.

Primal form (``p + intercept < n``): ``G = Xt^T Xt = V diag(lam) V^T``.
Kernel form (otherwise): ``K = Xt Xt^T``.  With an intercept, K's null
vector ``sqrt(s)`` (the centred columns are orthogonal to it) is deflated
exactly: K is decomposed in an orthonormal basis of its complement (a
Householder reflection), so the unpenalised intercept never mixes with the
directions of small eigenvalue.

Eigenvalues at most ``RANK_RTOL * max(n, p) * lam_max`` are below what the
Gram resolves (its rounding is ~eps lam_max): their directions are null, as
in ``numpy.linalg.lstsq``; the coefficients have no part along them, so at
alpha -> 0 the solution is the minimum-norm least-squares one.

Certificates are the exact suboptimality ``P(w) - P*`` of a quadratic:
``g^T (G + alpha I)^+ g`` with ``g = Xt^T r - alpha w`` (primal form), or
``rho^T (K + alpha I)^+ K rho`` with ``rho = yt - (K + alpha I) a`` (kernel
form), taken over the resolved directions; the residuals come from G or K
themselves, not from their eigenvectors, so they check the decomposition.
"""
import numpy as np
import scipy.linalg as la

RANK_RTOL = np.finfo(np.float64).eps
BLOCK = 2 ** 20     # entries of an (n_samples, block) product held at once,
BLOCK_SHARE = 8     # and at most this fraction of X's (with its temporaries, an
                    # X-sized block peaked at 1.4 size(X) at 4000 x 300)


def _groups(alphas):
    """Map each distinct alpha to the indices of the targets that use it."""
    alphas = np.asarray(alphas, dtype=np.float64)
    return {a: np.flatnonzero(alphas == a) for a in np.unique(alphas)}


def _complement_basis(u):
    """Orthonormal basis (n, n - 1) of the complement of the unit vector u:
    the last n - 1 columns of the Householder reflection mapping u to +-e1."""
    v = u.copy()
    v[0] += np.copysign(1.0, u[0])
    v /= np.linalg.norm(v)
    Q = -2.0 * np.outer(v, v[1:])
    Q[1:] += np.eye(u.size - 1)
    return Q


class RidgeSpectrum:
    """Eigendecomposition of ``G`` (primal) or ``K`` (kernel form) of a
    ``CentredDesign``, and what follows from it at any alpha.

    Parameters
    ----------
    design : CentredDesign
    Yt : ndarray of shape (n_samples, n_targets), centred and weighted
    """

    def __init__(self, design, Yt):
        n, p = design.shape
        self.design, self.Yt = design, Yt
        self.primal = p + int(design.fit_intercept) < n
        self.yy = np.einsum("ik,ik->k", Yt, Yt)     # P(0) of each target
        if self.primal:
            self.G = design.gram()
            lam, self.V = la.eigh(self.G, driver="evd", check_finite=False)
            self.XtY = design.rmatvec(Yt)            # Xt^T yt, shape (p, k)
            self.proj = self.V.T @ self.XtY
        else:
            self.K = design.kernel()
            if design.fit_intercept and n > 1:
                Q = _complement_basis(design.sqrt_s / np.sqrt(design.n_w))
                lam, U = la.eigh(Q.T @ self.K @ Q, driver="evd", check_finite=False)
                self.V = Q @ U
            else:
                lam, self.V = la.eigh(self.K, driver="evd", check_finite=False)
            self.proj = self.V.T @ Yt
        tiny = RANK_RTOL * max(n, p) * max(lam.max(initial=0.0), 0.0)
        self.resolved = lam > tiny
        self.eigvals = np.where(self.resolved, lam, 0.0)
        self._A2 = None

    def coef_factors(self, alpha):
        """``1 / (lam + alpha)`` on the resolved directions, 0 on the null ones."""
        return np.where(self.resolved, 1.0 / np.where(self.resolved,
                                                      self.eigvals + alpha, 1.0), 0.0)

    def _per_target(self, alpha):
        alpha = np.broadcast_to(np.asarray(alpha, np.float64), (self.Yt.shape[1],))
        return _groups(alpha).items()

    def _mode_weights(self, alpha, idx):
        return self.coef_factors(alpha)[:, None] * self.proj[:, idx]

    def coef(self, alpha):
        """Coefficients of shape (k, p) at one alpha (scalar or per target)."""
        k = self.Yt.shape[1]
        weights = np.empty((self.V.shape[1], k))
        for a, idx in self._per_target(alpha):
            weights[:, idx] = self._mode_weights(a, idx)
        return self._to_coef(weights).T

    def coef_path(self, alphas):
        """Coefficients of shape (n_alphas, k, p), one product for them all."""
        weights = np.concatenate([self._mode_weights(a, slice(None)) for a in alphas],
                                 axis=1)
        return self._to_coef(weights).T.reshape(len(alphas), self.Yt.shape[1], -1)

    def _to_coef(self, weights):
        """Coefficients (p, m) of mode weights (r, m): ``V`` in primal form,
        ``Xt^T V`` in kernel form, applied as a product with X (never formed:
        it would be as large as X dense)."""
        if self.primal:
            return self.V @ weights
        return self.design.rmatvec(self.V @ weights)

    def certificates(self, alpha):
        """(suboptimalities, objectives, P(0)s) of ``coef(alpha)``, each of
        shape (k,); see the module docstring."""
        gaps, primals = np.empty((2, self.Yt.shape[1]))
        dot = lambda a, b: np.einsum("ik,ik->k", a, b)      # noqa: E731
        for a, idx in self._per_target(alpha):
            weights = self.V @ self._mode_weights(a, idx)   # w, or the dual a
            c = self.coef_factors(a)[:, None]
            if self.primal:
                GW = self.G @ weights
                grad = self.XtY[:, idx] - GW - a * weights
                gaps[idx] = dot(self.V.T @ grad, c * (self.V.T @ grad))
                rr = self.yy[idx] - 2 * dot(weights, self.XtY[:, idx]) + dot(weights, GW)
                primals[idx] = rr + a * dot(weights, weights)
            else:
                KA = self.K @ weights
                r = self.Yt[:, idx] - KA
                rho = self.V.T @ (r - a * weights)
                gaps[idx] = dot(rho, self.eigvals[:, None] * c * rho)
                primals[idx] = dot(r, r) + a * dot(weights, KA)
        return np.maximum(gaps, 0.0), primals, self.yy

    def loo_residuals(self, alphas):
        """Leave-one-out residuals in the weighted space at every alpha, shape
        (n_alphas, n, k): ``sqrt(s_i) (y_i - yhat_{-i})``.  All alphas go
        through two matrix products (BLAS 3), not one pass per alpha.

        Kernel form: ``r_i / (1 - H_ii)`` with both as sums over the modes of
        ``alpha / (lam + alpha)`` (positive terms: no cancellation as
        ``H_ii -> 1``, the fit interpolating).  Primal form: the hat
        matrix's diagonal from its modes, the intercept's ``s_i / n_w`` added.
        """
        alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        k = self.Yt.shape[1]
        if self.primal:
            H = np.column_stack([self.coef_factors(a) for a in alphas])
            leverage, fitted = self._hat_diagonal_and_fit(H)
            if self.design.fit_intercept:
                leverage += (self.design.sqrt_s ** 2 / self.design.n_w)[:, None]
            num = self.Yt[:, None, :] - fitted.reshape(-1, len(alphas), k)
            den = np.maximum(1.0 - leverage, np.finfo(float).eps)
        else:
            A = self.V
            if self._A2 is None:
                self._A2 = A * A
            R = np.column_stack([a / (self.eigvals + a) for a in alphas])
            num = A @ (R[:, :, None] * self.proj[:, None, :]).reshape(len(R), -1)
            num = num.reshape(-1, len(alphas), k)
            den = self._A2 @ R
        return np.moveaxis(num / den[:, :, None], 1, 0)

    def _hat_diagonal_and_fit(self, H):
        """Primal form, ``A = Xt V`` (n, r) taken in column blocks so that no
        (n, r) array is held: the hat matrices' diagonals ``(A*A) @ H`` (n,
        n_alphas) and the fits ``A @ (H * proj)`` (n, n_alphas * k)."""
        n, r = self.design.shape[0], self.V.shape[1]
        weights = (H[:, :, None] * self.proj[:, None, :]).reshape(r, -1)
        leverage, fitted = np.zeros((n, H.shape[1])), np.zeros((n, weights.shape[1]))
        entries = min(BLOCK, n * self.design.shape[1] // BLOCK_SHARE)
        step = max(1, entries // max(n, 1))
        for start in range(0, r, step):
            block = slice(start, start + step)
            A = self.design.matvec(self.V[:, block])
            fitted += A @ weights[block]
            A *= A
            leverage += A @ H[block]
        return leverage, fitted
