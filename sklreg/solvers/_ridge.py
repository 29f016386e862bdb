"""Closed forms and Krylov solvers for ridge regression.

Objective (scikit-learn's ``Ridge``; ``s`` the sample weights)::

    sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||_2**2

The intercept is eliminated: ``b = ybar - mu . w`` with ``mu`` the weighted
column means, which leaves a plain ridge problem in the centred, weighted
design ``Xt = S^(1/2) (X - 1 mu^T)`` and target ``yt = S^(1/2) (y - ybar)``.
``Xt`` is never formed: ``CentredDesign`` applies it (products, the Gram
``Xt^T Xt`` and the kernel ``Xt Xt^T``) with the mean correction, so sparse X
stays sparse and dense X is not copied.

* ``solve_direct``: Cholesky of ``Xt^T Xt + alpha I`` (n >= p) or of the
  kernel ``Xt Xt^T + alpha I`` (p > n), or an SVD of ``Xt`` (dense only).
  One factorisation per distinct alpha serves every target.
* ``solve_krylov``: LSQR on ``[Xt; sqrt(alpha) I]`` or conjugate gradients on
  the normal equations (primal or kernel form, whichever is smaller).
* ``RidgeSpectrum``: one eigendecomposition of the smaller Gram, then the
  coefficients and the leave-one-out residuals at any alpha for O(np) or
  O(n^2) each (ridge paths, RidgeCV).
* ``ridge_result``: the honest certificate -- the duality gap at the returned
  coefficients, computed by the same compiled ``LeastSquares`` datafit as
  the coordinate-descent and proximal-gradient solvers (with
  ``l2 = alpha / n_w``, since that datafit is ``1/(2 n_w)`` times ours),
  rescaled by ``2 n_w`` to the ridge objective's units.
"""
import os

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from scipy.linalg.blas import get_blas_funcs
from scipy.sparse.linalg import LinearOperator, lsqr, svds

from sklreg._core._cd import LeastSquares
from sklreg._core._penalties import L1L2
from sklreg.solvers._base import SolverResult
from sklreg.solvers._cd import GAP_FLOOR
from sklreg.utils._blas import CholeskyFactor, blas_state, blas_threads, single_threaded_blas

ROW_BLOCK = 4096      # rows per block when a weighted Gram is accumulated


def gram_threads():
    """BLAS threads for a Gram product: the configured count, reduced to the
    cores left idle by the 1-minute load average (this process counted as
    one), as libgomp's dynamic mode does.  OpenBLAS threads synchronise by
    spinning; on a busy machine they are descheduled mid-product, and syrk
    with 2 threads ran 2.5x slower than with 1 (2 cores, load average 10)."""
    configured = blas_state()[1]
    try:
        load = os.getloadavg()[0]
    except OSError:
        return configured
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return int(max(1, min(configured, round((cpus or 1) + 1 - load))))


def _symmetrize(upper):
    """Fill the lower triangle of a matrix whose upper triangle is set."""
    return np.triu(upper) + np.triu(upper, 1).T


def _syrk(A, trans):
    """``A^T A`` (trans=1) or ``A A^T`` (trans=0) in float64, by BLAS syrk."""
    if A.flags.c_contiguous and not A.flags.f_contiguous:
        A, trans = A.T, 1 - trans          # the same matrix, Fortran-ordered
    syrk = get_blas_funcs("syrk", (A,))
    with blas_threads(gram_threads()):
        upper = syrk(1.0, A, trans=trans)
    return _symmetrize(upper).astype(np.float64, copy=False)


class CentredDesign:
    """``Xt = S^(1/2) (X - 1 mu^T)`` applied implicitly.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    fit_intercept : bool
        Without an intercept, mu = 0 (no centring).
    """

    def __init__(self, X, sample_weight, fit_intercept):
        n, p = X.shape
        self.X = X
        self.shape = (n, p)
        self.is_sparse = sp.issparse(X)
        self.s = None if sample_weight is None else np.asarray(sample_weight, np.float64)
        self.sqrt_s = np.ones(n) if self.s is None else np.sqrt(self.s)
        self.n_w = float(n if self.s is None else self.s.sum())
        self.fit_intercept = fit_intercept
        if fit_intercept:
            weights = np.ones(n) if self.s is None else self.s
            self.mu = np.asarray(X.T @ weights, dtype=np.float64).ravel() / self.n_w
        else:
            self.mu = np.zeros(p)

    def y_mean(self, Y):
        """Weighted means of the columns of Y (zeros without an intercept)."""
        if not self.fit_intercept:
            return np.zeros(Y.shape[1])
        return (Y.T @ (np.ones(Y.shape[0]) if self.s is None else self.s)) / self.n_w

    def centre_y(self, Y):
        """Return (yt of shape (n, k), ybar of shape (k,)) for Y of shape (n, k)."""
        ybar = self.y_mean(Y)
        return self.sqrt_s[:, None] * (Y - ybar), ybar

    def _weigh(self, V):
        """``S^(1/2) V`` along the first axis (no work without weights)."""
        if self.s is None:
            return V
        return self.sqrt_s.reshape((-1,) + (1,) * (V.ndim - 1)) * V

    def matvec(self, W):
        """``Xt @ W`` for W of shape (p,) or (p, k).  The product runs in X's
        dtype: a float64 vector would make NumPy cast a float32 X to a float64
        copy at every call (measured 50x slower)."""
        XW = np.asarray(self.X @ W.astype(self.X.dtype, copy=False), dtype=np.float64)
        if self.fit_intercept:
            XW = XW - (self.mu @ W)
        return self._weigh(XW)

    def rmatvec(self, R):
        """``Xt^T @ R`` for R of shape (n,) or (n, k)."""
        SR = self._weigh(R)
        XtR = np.asarray(self.X.T @ SR.astype(self.X.dtype, copy=False), dtype=np.float64)
        if self.fit_intercept:
            XtR = XtR - np.multiply.outer(self.mu, SR.sum(axis=0))
        return XtR

    def col_sqnorms(self):
        """The diagonal of ``Xt^T Xt`` (one pass over X)."""
        X = self.X
        if self.is_sparse:
            weights = np.ones(self.shape[0]) if self.s is None else self.s
            sq = np.asarray(X.multiply(X).T @ weights, dtype=np.float64).ravel()
        elif self.s is None:        # no n-by-p temporary
            sq = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        else:
            sq = np.einsum("ij,ij,i->j", X, X, self.s, dtype=np.float64)
        return sq - self.n_w * self.mu ** 2

    def _scaled(self, X):
        if self.s is None:
            return X
        if sp.issparse(X):
            return sp.diags(self.sqrt_s) @ X
        return X * self.sqrt_s[:, None]

    def gram(self):
        """``Xt^T Xt``, shape (p, p): BLAS syrk on row blocks, no copy of X."""
        X = self.X
        if self.is_sparse:
            Xs = self._scaled(X)
            G = np.asarray((Xs.T @ Xs).toarray(), dtype=np.float64)
        elif self.s is None:
            G = _syrk(X, trans=1)
        else:
            G = np.zeros((X.shape[1], X.shape[1]))
            for start in range(0, X.shape[0], ROW_BLOCK):
                block = slice(start, start + ROW_BLOCK)
                G += _syrk(np.asfortranarray(X[block] * self.sqrt_s[block, None]), 1)
        return G - self.n_w * np.outer(self.mu, self.mu)

    def kernel(self):
        """``Xt Xt^T``, shape (n, n), with the centring as a rank-2 correction."""
        X = self.X
        if self.is_sparse:
            K = np.asarray((X @ X.T).toarray(), dtype=np.float64)
        else:
            K = _syrk(X, trans=0)
        if self.fit_intercept:
            m = np.asarray(X @ self.mu, dtype=np.float64).ravel()
            K -= m[:, None] + m[None, :]
            K += self.mu @ self.mu
        return K * np.outer(self.sqrt_s, self.sqrt_s)

    def dense(self):
        """``Xt`` itself, a new dense array (dense X only)."""
        return self.sqrt_s[:, None] * (self.X - self.mu)

    def operator(self):
        """``Xt`` as a scipy LinearOperator (for LSQR)."""
        return LinearOperator(self.shape, matvec=self.matvec, rmatvec=self.rmatvec,
                              dtype=np.float64)

    def coef_to_intercept(self, W, ybar):
        """Intercepts ``ybar - mu . w`` for W of shape (k, p)."""
        return ybar - W @ self.mu if self.fit_intercept else np.zeros(W.shape[0])


def _groups(alphas):
    """Map each distinct alpha to the indices of the targets that use it."""
    alphas = np.asarray(alphas, dtype=np.float64)
    return {a: np.flatnonzero(alphas == a) for a in np.unique(alphas)}


def _factorised(A, alpha):
    """A function solving ``(A + alpha I) X = B``: by Cholesky, by least
    squares if that matrix is singular."""
    A = A + alpha * np.eye(A.shape[0])
    try:
        return CholeskyFactor(A).solve      # releases the GIL (scipy's does not)
    except la.LinAlgError:
        return lambda B: la.lstsq(A, B, check_finite=False)[0]


def kernel_refined(design, solve, alpha, A, Yt):
    """Kernel-form solution ``a`` refined once, and certified at the dual
    point ``2 alpha a``.

    The normal equations of the kernel square the condition number: with
    column scales 1..1e5, Cholesky's ``a`` left a gap at the dual point
    ``2 r`` above P(0) itself.  One step of iterative refinement, its
    residual ``rho = yt - Xt Xt^T a - alpha a`` taken through X (not the
    rounded K), brings ``rho`` to rounding level; the gap at the dual point
    ``2 alpha a`` is exactly ``|rho|^2`` (no division by alpha).  Two passes
    over X each.  Returns (a, W of shape (k, p), gaps |rho|^2, objectives).
    """
    def residuals(A):
        W = design.rmatvec(A)                       # (p, k)
        R = Yt - design.matvec(W)
        return W, R, R - alpha * A

    _, _, rho = residuals(A)
    A = A + solve(rho)
    W, R, rho = residuals(A)
    dot = lambda a, b: np.einsum("ik,ik->k", a, b)      # noqa: E731
    return A, W.T, dot(rho, rho), dot(R, R) + alpha * dot(W, W)


def solve_direct(design, Yt, alphas, method):
    """Coefficients of shape (k, p) for every target column of Yt, and their
    certificates ``(gaps, objectives, P(0)s)`` from the Gram matrix (None
    for 'svd', which has no Gram matrix).

    Parameters
    ----------
    design : CentredDesign
    Yt : ndarray of shape (n_samples, n_targets), centred and weighted
    alphas : ndarray of shape (n_targets,)
    method : {'cholesky', 'svd'}
    """
    n, p = design.shape
    W = np.empty((Yt.shape[1], p))
    if method == "svd":
        Xt = design.dense()                         # SVD needs the matrix itself
        U, sv, Vt = la.svd(Xt, full_matrices=False, check_finite=False)
        keep = sv > 1e-15 * max(sv.max(initial=0.0), 1e-300)
        UtY = U[:, keep].T @ Yt
        for alpha, idx in _groups(alphas).items():
            d = sv[keep] / (sv[keep] ** 2 + alpha)
            W[idx] = (Vt[keep].T @ (d[:, None] * UtY[:, idx])).T
        return W, None
    gaps, objectives = np.empty((2, Yt.shape[1]))
    yy = np.einsum("ik,ik->k", Yt, Yt)
    primal = p <= n
    M, rhs = (design.gram(), design.rmatvec(Yt)) if primal else (design.kernel(), Yt)
    for alpha, idx in _groups(alphas).items():
        solve = _factorised(M, alpha)
        weights = solve(rhs[:, idx])                            # w or dual a
        if primal:
            W[idx] = weights.T
            gaps[idx], objectives[idx] = gram_gap(alpha, weights, M, rhs[:, idx],
                                                  yy[idx], True)
            continue
        weights, W[idx], rho_gaps, objectives[idx] = kernel_refined(
            design, solve, alpha, weights, rhs[:, idx])
        # the better of the two dual points, 2 alpha a and 2 r
        gaps[idx] = np.minimum(rho_gaps, gram_gap(alpha, weights, M, rhs[:, idx],
                                                  yy[idx], False)[0])
    return W, (gaps, objectives, yy)


def solve_lsqr(design, yt, alpha, tol_abs, *, max_iter):
    """One target by LSQR on ``[Xt; sqrt(alpha) I]``; returns (w, iterations).

    LSQR stops when ``|A^T r| <= atol * |A|_est * |r|``, and ``A^T r`` is
    the ridge gradient ``g = Xt^T r - alpha w``, whose square over alpha is
    the gap.  Since ``|A|_est <= |A|_F`` and ``|r| <= |yt|``, the atol below
    makes its stop imply ``|g|^2 / alpha <= tol_abs`` (conservatively).
    """
    frobenius = np.sqrt(max(design.col_sqnorms().sum(), 0.0) + design.shape[1] * alpha)
    yy = float(yt @ yt)
    atol = np.sqrt(alpha * tol_abs / max(yy, 1e-300)) / max(frobenius, 1e-300)
    out = lsqr(design.operator(), yt, damp=np.sqrt(alpha), atol=max(atol, 1e-16),
               btol=1e-16, iter_lim=max_iter)
    return out[0], int(out[2])


def pcg(matvec, b, atol, max_iter, *, x0=None, diag=None, budget=None):
    """Preconditioned conjugate gradients on ``A x = b`` (A symmetric positive
    definite, applied by ``matvec``), stopping when ``|b - A x| <= atol``.

    ``diag`` is a Jacobi preconditioner (the diagonal of A).  ``budget``:
    give up (return converged=False early) when, after 3 iterations, the
    observed contraction of the residual projects more than ``budget``
    iterations in all.  Returns (x, iterations, converged).
    """
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=np.float64)
    r = b - matvec(x) if x0 is not None and x.any() else b.copy()
    z = r if diag is None else r / diag
    d, rz = z.copy(), float(r @ z)
    norm0 = norm = float(np.linalg.norm(r))
    for it in range(max_iter):
        if norm <= atol:
            return x, it, True
        if budget is not None and it >= 3:
            rate = (norm / norm0) ** (1.0 / it)
            if rate >= 1 or it + np.log(atol / norm) / np.log(rate) > budget:
                return x, it, False
        q = matvec(d)
        step = rz / float(d @ q)
        x += step * d
        r -= step * q
        z = r if diag is None else r / diag
        rz, rz_old = float(r @ z), rz
        d = z + (rz / rz_old) * d
        norm = float(np.linalg.norm(r))
    return x, max_iter, norm <= atol


def solve_cg(design, yt, alpha, tol_abs, *, max_iter, x0=None, budget=None):
    """One target by conjugate gradients, with a stop that certifies the gap.

    Primal form (``p <= n``, or a warm start): ``(Xt^T Xt + alpha I) w =
    Xt^T yt``, Jacobi-preconditioned; its residual g is the ridge gradient
    and the gap at the dual point ``2 r`` is ``|g|^2 / alpha``, so CG stops
    at ``|g| <= sqrt(alpha * tol_abs)``.  Kernel form (``p > n``):
    ``(Xt Xt^T + alpha I) a = yt``, ``w = Xt^T a``; at the dual point
    ``2 alpha a`` the gap is exactly ``|rho|^2``, rho its residual, so CG
    stops at ``|rho| <= sqrt(tol_abs)``.  Each iteration is two passes over X.

    Returns (w, dual, iterations, converged): ``dual`` is ``a`` in kernel
    form, None in primal form.
    """
    n, p = design.shape
    if p <= n or x0 is not None:
        diag = np.maximum(design.col_sqnorms(), 0.0) + alpha
        diag = np.where(diag > 0, diag, 1.0)
        w, it, ok = pcg(lambda v: design.rmatvec(design.matvec(v)) + alpha * v,
                        design.rmatvec(yt), np.sqrt(alpha * tol_abs), max_iter,
                        x0=x0, diag=diag, budget=budget)
        return w, None, it, ok
    a, it, ok = pcg(lambda v: design.matvec(design.rmatvec(v)) + alpha * v,
                    np.array(yt, dtype=np.float64), np.sqrt(tol_abs), max_iter,
                    budget=budget)
    return design.rmatvec(a), a, it, ok


def kernel_certificate(design, yt, alpha, w, a, ybar, tol, n_iter):
    """SolverResult for ``w = Xt^T a`` certified at the dual point ``2 alpha a``:
    gap ``|r - alpha a|^2`` with ``r = yt - Xt w`` (one pass over X)."""
    r = yt - design.matvec(w)
    rho = r - alpha * a
    yy = float(yt @ yt)
    return SolverResult(coef=w, intercept=float(design.coef_to_intercept(w[None], ybar)[0]),
                        gap=float(rho @ rho), primal=float(r @ r + alpha * (w @ w)),
                        tol_abs=max(tol, GAP_FLOOR) * yy, n_iter=n_iter)


def ridge_penalty(alpha, n_w, n_features, positive=False):
    """The compiled L1L2 penalty (``l2 / 2 * w**2`` per coordinate) equal to
    ridge's ``alpha ||w||^2`` once the objective is divided by ``2 n_w``:
    ``l2 / 2 = alpha / (2 n_w)``, so ``l2 = alpha / n_w``."""
    return L1L2(np.zeros(n_features), np.full(n_features, alpha / n_w), positive)


def ridge_result(design, y, sample_weight, fit_intercept, alpha, w, *, tol,
                 n_iter, positive=False):
    """Certify w (float64, shape (p,)): the ridge duality gap at w.

    ``design`` is the compiled ``Design`` of X.  Gap, objective and target
    are in the units of the ridge objective.
    """
    datafit = LeastSquares(design, y, sample_weight, w, fit_intercept)
    gap, primal, _ = datafit.full_gap(
        ridge_penalty(alpha, datafit.n_w, w.shape[0], positive), w)
    result = SolverResult(coef=w, intercept=datafit.intercept, gap=gap, primal=primal,
                          tol_abs=max(tol, GAP_FLOOR) * datafit.primal_at_zero,
                          n_iter=n_iter)
    return to_ridge_units(result, datafit.n_w)


def gram_results(design, Y, W, certificates, tol):
    """One SolverResult per target for coefficients W (k, p) certified by
    ``gram_gap``; ``certificates`` is its (gaps, primals, P(0)s)."""
    gaps, primals, p0 = certificates
    intercepts = design.coef_to_intercept(W, design.y_mean(Y))
    return [SolverResult(coef=W[k], intercept=float(intercepts[k]), gap=float(gaps[k]),
                         primal=float(primals[k]), tol_abs=max(tol, GAP_FLOOR) * p0[k],
                         n_iter=None) for k in range(W.shape[0])]


def to_ridge_units(result, n_w):
    """Rescale a result of the ``1/(2 n_w)`` datafit to the ridge objective."""
    scale = 2.0 * n_w
    result.gap, result.primal, result.tol_abs = (
        scale * result.gap, scale * result.primal, scale * result.tol_abs)
    return result


def gram_gap(alpha, weights, M, rhs, yy, primal):
    """Ridge duality gaps, shape (k,), from the Gram matrix alone.

    Primal form: ``M = G = Xt^T Xt``, ``rhs = Xt^T yt``, weights = w (p, k).
    Kernel form: ``M = K = Xt Xt^T``, ``rhs = yt``, weights = a (n, k) with
    ``w = Xt^T a``.  ``yy = |yt|^2``.  With ``r = yt - Xt w``, at the dual
    point ``2 r`` the gap is
    ``2 |r|^2 - 2 r . yt + alpha |w|^2 + |Xt^T r|^2 / alpha``
    (O(r^2) per target: no pass over X).  Returns (gaps, objectives).
    """
    dot = lambda a, b: np.einsum("ik,ik->k", a, b)      # noqa: E731
    if primal:
        Mw = M @ weights
        fit_y = dot(weights, rhs)                        # (Xt w) . yt
        rr = yy - 2 * fit_y + dot(weights, Mw)
        ww = dot(weights, weights)
        grad = rhs - Mw                                  # Xt^T r
        gg = dot(grad, grad)
    else:
        r = rhs - M @ weights
        rr = dot(r, r)
        fit_y = yy - dot(r, rhs)
        ww = dot(weights, M @ weights)
        gg = dot(r, M @ r)
    ry = yy - fit_y
    primal = rr + alpha * ww
    if alpha > 0:
        return 2 * rr - 2 * ry + alpha * ww + gg / alpha, primal
    # no dual without a penalty: 0 only at an exact normal-equation solution
    return np.where(gg > 1e-24 * np.maximum(yy, 1e-300) ** 2, np.inf, 0.0), primal


def _shrinkage(eigvals, alpha):
    """``1 / (lambda + alpha)``; at alpha = 0 the null directions get 0."""
    eigvals = np.maximum(eigvals, 0.0)
    if alpha > 0:
        return 1.0 / (eigvals + alpha)
    tiny = 1e-12 * max(eigvals.max(initial=0.0), 1e-300)
    return np.where(eigvals > tiny, 1.0 / np.maximum(eigvals, tiny), 0.0)


class RidgeSpectrum:
    """One eigendecomposition of the smaller Gram of ``Xt``, every alpha.

    With p < n, ``G = Xt^T Xt = V diag(lam) V^T``; with n <= p,
    ``K = Xt Xt^T = U diag(lam) U^T``.  Then, for any alpha, the
    coefficients cost O(p * r) (r = min(n, p)), the leave-one-out residuals
    O(n * r) (the unpenalised intercept's leverage ``s_i / n_w`` added
    exactly), and the duality gap O(r^2), from G (or K) itself rather than
    from its eigenvectors, so it checks the decomposition.

    Parameters
    ----------
    design : CentredDesign
    Yt : ndarray of shape (n_samples, n_targets), centred and weighted
    """

    def __init__(self, design, Yt):
        n, p = design.shape
        self.design, self.Yt = design, Yt
        self.primal = p < n
        self.yy = np.einsum("ik,ik->k", Yt, Yt)     # P(0) of each target
        if self.primal:
            self.G = design.gram()
            lam, self.V = la.eigh(self.G, driver="evd", check_finite=False)
            self.XtY = design.rmatvec(Yt)            # Xt^T yt, shape (p, k)
            self.proj = self.V.T @ self.XtY
        else:
            self.K = design.kernel()
            lam, self.V = la.eigh(self.K, driver="evd", check_finite=False)
            self.proj = self.V.T @ Yt
            self._basis = None
        self.eigvals = np.maximum(lam, 0.0)
        self._A = self._A2 = None

    @property
    def basis(self):
        """Maps mode weights to coefficients: V (primal) or Xt^T U (kernel)."""
        if self.primal:
            return self.V
        if self._basis is None:
            self._basis = self.design.rmatvec(self.V)
        return self._basis

    @property
    def A(self):
        """``Xt V`` (primal) or U (kernel): maps mode weights to fitted values."""
        if self._A is None:
            self._A = self.design.matvec(self.V) if self.primal else self.V
        return self._A

    def _factors(self, alpha):
        """Per-mode factors of the coefficients and of the hat matrix."""
        d = _shrinkage(self.eigvals, alpha)
        return d, (d if self.primal else self.eigvals * d)

    def _per_target(self, alpha):
        alpha = np.broadcast_to(np.asarray(alpha, np.float64), (self.Yt.shape[1],))
        return _groups(alpha).items()

    def coef(self, alpha):
        """Coefficients of shape (k, p) at one alpha (scalar or per target)."""
        W = np.empty((self.Yt.shape[1], self.design.shape[1]))
        for a, idx in self._per_target(alpha):
            d, _ = self._factors(a)
            W[idx] = (self.basis @ (d[:, None] * self.proj[:, idx])).T
        return W

    def certificates(self, alpha):
        """(gaps, objectives, P(0)s) of ``coef(alpha)``, each of shape (k,),
        the gaps computed from G or K by ``gram_gap``."""
        gaps, primals = np.empty((2, self.Yt.shape[1]))
        for a, idx in self._per_target(alpha):
            d, _ = self._factors(a)
            weights = self.V @ (d[:, None] * self.proj[:, idx])   # w or dual a
            gaps[idx], primals[idx] = gram_gap(
                a, weights, self.G if self.primal else self.K,
                (self.XtY if self.primal else self.Yt)[:, idx], self.yy[idx], self.primal)
        return gaps, primals, self.yy

    def loo_residuals(self, alphas):
        """Leave-one-out residuals in the weighted space at every alpha, shape
        (n_alphas, n, k): ``sqrt(s_i) (y_i - yhat_{-i})``.  All alphas go
        through two matrix products (BLAS 3), not one pass per alpha."""
        alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        H = np.column_stack([self._factors(a)[1] for a in alphas])   # (r, n_alphas)
        if self._A2 is None:
            self._A2 = self.A * self.A
        leverage = self._A2 @ H                                      # (n, n_alphas)
        if self.design.fit_intercept:
            leverage += (self.design.sqrt_s ** 2 / self.design.n_w)[:, None]
        k = self.Yt.shape[1]
        # fitted[:, a, j] = A @ (H[:, a] * proj[:, j])
        fitted = self.A @ (H[:, :, None] * self.proj[:, None, :]).reshape(len(H), -1)
        fitted = fitted.reshape(-1, len(alphas), k)
        out = (self.Yt[:, None, :] - fitted) / (1.0 - leverage)[:, :, None]
        return np.moveaxis(out, 1, 0)


def _grid(top, n_alphas, eps):
    top = max(top, np.finfo(float).tiny)
    return np.geomspace(top, top * eps, n_alphas)


def ridge_alpha_grid(X, sample_weight, fit_intercept, n_alphas, eps=1e-3):
    """The default ridge grid without the eigendecomposition: from the
    largest eigenvalue of ``Xt^T Xt`` (by ARPACK on the implicit operator)
    down to ``eps`` times it."""
    design = CentredDesign(X, sample_weight, fit_intercept)
    n, p = design.shape
    if min(n, p) <= 2:          # too small for ARPACK: form Xt
        Xt = design.matvec(np.eye(p)) if p <= n else design.rmatvec(np.eye(n)).T
        top = la.svdvals(Xt)[0] ** 2
    else:
        top = svds(design.operator(), k=1, return_singular_vectors=False,
                   random_state=0)[0] ** 2
    return _grid(top, n_alphas, eps)


def ridge_path(X, Y, sample_weight, fit_intercept, alphas, eps=1e-3):
    """Ridge solutions at every alpha from one eigendecomposition.

    ``alphas`` is the grid, or an int: that many alphas on a geometric grid
    from the largest eigenvalue of ``Xt^T Xt`` (where the leading direction
    is shrunk by half) down to ``eps`` times it.

    Returns alphas (n_alphas,), decreasing, coefs (n_alphas, k, p),
    intercepts (n_alphas, k) and duality gaps (n_alphas, k) in the ridge
    objective's units, and P(0) of each target, shape (k,).
    """
    with blas_threads(gram_threads()):
        return _ridge_path(X, Y, sample_weight, fit_intercept, alphas, eps)


def _ridge_path(X, Y, sample_weight, fit_intercept, alphas, eps):
    design = CentredDesign(X, sample_weight, fit_intercept)
    Yt, ybar = design.centre_y(Y)
    spectrum = RidgeSpectrum(design, Yt)
    if np.ndim(alphas) == 0:
        alphas = _grid(spectrum.eigvals.max(initial=0.0), int(alphas), eps)
    alphas = np.sort(np.asarray(alphas, dtype=np.float64))[::-1]
    coefs = np.array([spectrum.coef(a) for a in alphas])
    intercepts = np.array([design.coef_to_intercept(W, ybar) for W in coefs])
    gaps = np.array([spectrum.certificates(a)[0] for a in alphas])
    return alphas, coefs, intercepts, gaps, spectrum.yy
