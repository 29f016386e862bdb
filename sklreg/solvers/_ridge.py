"""Closed forms and Krylov solvers for ridge regression.

Objective (scikit-learn's ``Ridge``; ``s`` the sample weights)::

    sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||_2**2

The intercept is eliminated: ``b = ybar - mu . w`` with ``mu`` the weighted
column means, which leaves a plain ridge problem in the centred, weighted
design ``Xt = S^(1/2) (X - 1 mu^T)`` and target ``yt = S^(1/2) (y - ybar)``,
applied by ``CentredDesign`` (``_centred.py``) without forming it.

* ``solve_direct``: Cholesky of ``Xt^T Xt + alpha I`` (n >= p) or of the
  kernel ``Xt Xt^T + alpha I`` (p > n), or an SVD of ``Xt`` (dense only).
  One factorisation per distinct alpha serves every target.
* ``solve_lsqr`` / ``solve_cg``: LSQR on ``[Xt; sqrt(alpha) I]`` or conjugate
  gradients on the normal equations (primal or kernel form).
* ``RidgeSpectrum`` (``_ridge_spectrum.py``): one eigendecomposition, every
  alpha; the minimum-norm solution where the problem is ill-posed.

Every result carries a certificate that cannot read zero at a wrong point:
the exact suboptimality ``g^T (G + alpha I)^-1 g`` from the factor of an
accurately centred Gram (direct solvers), or the duality gap at the dual
point ``r`` with the residual ``r`` taken against X itself (``residual_gaps``).
"""
import numpy as np
import scipy.linalg as la
from scipy.sparse.linalg import lsqr, svds

from sklreg._core._penalties import L1L2
from sklreg.solvers._base import SolverResult, gap_target
from sklreg.solvers._centred import CentredDesign, gram_threads
from sklreg.solvers._ridge_spectrum import RidgeSpectrum, _groups
from sklreg.utils._blas import CholeskyFactor, blas_threads

ILL_POSED = 1e-12     # alpha below this times trace(Xt^T Xt): solved spectrally


def _dot(a, b):
    """Column-wise dot products of two (m, k) arrays."""
    return np.einsum("ik,ik->k", a, b)


def ill_posed(design, alpha):
    """Whether ``alpha`` is too small against the data for a factorisation or
    a Krylov method: the system is (numerically) singular, and the answer is
    the minimum-norm one of ``RidgeSpectrum``."""
    return alpha <= ILL_POSED * max(design.col_sqnorms().sum(), 0.0)


def kernel_refined(design, solve, alpha, A, Yt):
    """Kernel-form solution ``a`` refined once through X.

    The normal equations of the kernel square the condition number: with
    column scales 1..1e5, Cholesky's ``a`` left a gap at the dual point
    ``2 r`` above P(0) itself.  One step of iterative refinement, its
    residual ``rho = yt - Xt Xt^T a - alpha a`` taken through X (not the
    rounded K), brings ``rho`` to rounding level.  Two passes over X each.
    Returns (a, W of shape (k, p), rho, objectives).
    """
    def residuals(A):
        W = design.rmatvec(A)                       # (p, k)
        R = Yt - design.matvec(W)
        return W, R, R - alpha * A

    _, _, rho = residuals(A)
    A = A + solve(rho)
    W, R, rho = residuals(A)
    return A, W.T, rho, _dot(R, R) + alpha * _dot(W, W)


def solve_direct(design, Yt, alphas, method, XtY=None):
    """Coefficients of shape (k, p) for every target column of Yt, and their
    certificates ``(gaps, objectives, P(0)s)``.  Returns None when the
    system is numerically singular for Cholesky (alpha ``ill_posed`` or the
    factorisation failing): 'svd' or ``RidgeSpectrum`` solve it then.

    Parameters
    ----------
    design : CentredDesign
    Yt : ndarray of shape (n_samples, n_targets), centred and weighted
    alphas : ndarray of shape (n_targets,)
    method : {'cholesky', 'svd'}
    XtY : ndarray of shape (n_features, n_targets), optional
        ``Xt^T Yt`` when already computed (a pass over X saved).
    """
    n, p = design.shape
    W = np.empty((Yt.shape[1], p))
    if method == "svd":
        return _solve_svd(design, Yt, alphas)
    gaps, objectives = np.empty((2, Yt.shape[1]))
    yy = _dot(Yt, Yt)
    primal = p <= n
    if primal:
        M, rhs = design.gram(), design.rmatvec(Yt) if XtY is None else XtY
    else:
        M, rhs = design.kernel(), Yt
    if np.min(alphas) <= ILL_POSED * max(np.trace(M), 0.0):
        return None
    for alpha, idx in _groups(alphas).items():
        try:
            solve = CholeskyFactor(M + alpha * np.eye(M.shape[0])).solve
        except la.LinAlgError:
            return None
        weights = solve(rhs[:, idx])                            # w or dual a
        if primal:
            W[idx] = weights.T
            MW = M @ weights
            grad = rhs[:, idx] - MW - alpha * weights
            gaps[idx] = _dot(grad, solve(grad))                 # exact P(w) - P*
            objectives[idx] = (yy[idx] - 2 * _dot(weights, rhs[:, idx])
                               + _dot(weights, MW) + alpha * _dot(weights, weights))
        else:
            _, W[idx], rho, objectives[idx] = kernel_refined(design, solve, alpha,
                                                             weights, rhs[:, idx])
            # P(w) - P* = rho^T (K + alpha I)^-1 K rho
            gaps[idx] = _dot(rho, rho) - alpha * _dot(rho, solve(rho))
    return W, (np.maximum(gaps, 0.0), objectives, yy)


def _solve_svd(design, Yt, alphas):
    """``solve_direct`` by an SVD of the explicitly centred ``Xt`` (dense X).

    Singular values at most ``eps * max(n, p) * s_max`` are zero, as in
    ``numpy.linalg.lstsq``: at alpha = 0 this is the minimum-norm solution.
    The certificate is the exact suboptimality over the kept directions,
    ``sum_i (v_i . g)^2 / (s_i^2 + alpha)``, with the gradient
    ``g = Xt^T r - alpha w`` from the residual against ``Xt`` itself.
    """
    n, p = design.shape
    Xt = design.dense()
    U, sv, Vt = la.svd(Xt, full_matrices=False, check_finite=False)
    keep = sv > np.finfo(float).eps * max(n, p) * max(sv.max(initial=0.0), 1e-300)
    U, sv, Vt = U[:, keep], sv[keep], Vt[keep]
    UtY = U.T @ Yt
    W = np.empty((Yt.shape[1], p))
    gaps, objectives = np.empty((2, Yt.shape[1]))
    for alpha, idx in _groups(alphas).items():
        W[idx] = (Vt.T @ ((sv / (sv ** 2 + alpha))[:, None] * UtY[:, idx])).T
        R = Yt[:, idx] - Xt @ W[idx].T
        grad = Vt @ (Xt.T @ R - alpha * W[idx].T)
        gaps[idx] = _dot(grad, grad / (sv ** 2 + alpha)[:, None])
        objectives[idx] = _dot(R, R) + alpha * _dot(W[idx].T, W[idx].T)
    return W, (gaps, objectives, _dot(Yt, Yt))


def residual_gaps(design, Yt, W, alphas):
    """Duality gaps and objectives, shape (k,), of coefficients W (k, p),
    from the residual ``R = Yt - Xt W^T`` taken against X (two passes).

    At the dual point ``R`` the gap ``P(w) - D(R)`` equals
    ``|Xt^T R - alpha w|^2 / alpha`` plus the square of the residual's
    rounding (so it errs by that little, never by a cancellation); it is
    infinite at alpha = 0 unless the gradient vanishes.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    R = Yt - design.matvec(W.T)
    grad = design.rmatvec(R) - alphas * W.T                     # (p, k)
    gg = _dot(grad, grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = np.where(gg > 0, gg / alphas, 0.0)
    return gaps, _dot(R, R) + alphas * np.einsum("kj,kj->k", W, W)


def solve_lsqr(design, yt, alpha, tol_abs, *, max_iter, rtol=1e-16):
    """One target by LSQR on ``[Xt; sqrt(alpha) I]``; returns (w, iterations).

    LSQR stops when ``|A^T r| <= atol * |A|_est * |r|``, and ``A^T r`` is
    the ridge gradient ``g = Xt^T r - alpha w``, whose square over alpha is
    the gap.  Since ``|A|_est <= |A|_F`` and ``|r| <= |yt|``, the atol below
    makes its stop imply ``|g|^2 / alpha <= tol_abs`` (conservatively);
    ``rtol`` caps atol (scikit-learn passes its tol there).
    """
    frobenius = np.sqrt(max(design.col_sqnorms().sum(), 0.0) + design.shape[1] * alpha)
    yy = float(yt @ yt)
    atol = np.sqrt(alpha * tol_abs / max(yy, 1e-300)) / max(frobenius, 1e-300)
    out = lsqr(design.operator(), yt, damp=np.sqrt(alpha), atol=max(min(atol, rtol), 1e-16),
               btol=1e-16, iter_lim=max_iter)
    return out[0], int(out[2])


def pcg(matvec, b, atol, max_iter, *, x0=None, diag=None, budget=None):
    """Preconditioned conjugate gradients on ``A x = b`` (A symmetric positive
    definite, applied by ``matvec``), stopping when ``|b - A x| <= atol``.

    ``diag`` is a Jacobi preconditioner (the diagonal of A).  ``budget``:
    give up (return converged=False early) when, after 3 iterations, the
    observed contraction of the residual projects more than ``budget``
    iterations in all.  A direction of non-positive curvature (A singular
    or indefinite in rounding) ends the run unconverged.  Returns (x,
    iterations, converged).
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
        curvature = float(d @ q)
        if not curvature > 0 or not np.isfinite(curvature) or rz == 0:
            return x, it, False
        step = rz / curvature
        x += step * d
        r -= step * q
        z = r if diag is None else r / diag
        rz, rz_old = float(r @ z), rz
        d = z + (rz / rz_old) * d
        norm = float(np.linalg.norm(r))
    return x, max_iter, norm <= atol


def solve_cg(design, yt, alpha, tol_abs, *, max_iter, x0=None, budget=None,
             rtol=None, xty=None):
    """One target by conjugate gradients, with a stop that certifies the gap.

    Primal form (``p <= n``, or a warm start): ``(Xt^T Xt + alpha I) w =
    Xt^T yt``, Jacobi-preconditioned; its residual g is the ridge gradient
    and the gap at the dual point ``2 r`` is ``|g|^2 / alpha``, so CG stops
    at ``|g| <= sqrt(alpha * tol_abs)``.  Kernel form (``p > n``):
    ``(Xt Xt^T + alpha I) a = yt``, ``w = Xt^T a``; at the dual point
    ``2 alpha a`` the gap is exactly ``|rho|^2``, rho its residual, so CG
    stops at ``|rho| <= sqrt(tol_abs)``.  ``rtol`` bounds the residual
    further, relative to the right-hand side (scikit-learn's stop); ``xty``
    is the primal right-hand side ``Xt^T yt`` when already computed.  Each
    iteration is two passes over X.

    Returns (w, dual, iterations, converged): ``dual`` is ``a`` in kernel
    form, None in primal form.
    """
    n, p = design.shape
    primal = p <= n or x0 is not None
    if primal:
        diag = np.maximum(design.col_sqnorms(), 0.0) + alpha
        diag = np.where(diag > 0, diag, 1.0)
        b = design.rmatvec(yt) if xty is None else xty
        atol = np.sqrt(alpha * tol_abs)
    else:
        b = np.array(yt, dtype=np.float64)
        atol = np.sqrt(tol_abs)
    if rtol is not None:
        atol = min(atol, rtol * float(np.linalg.norm(b)))
    if primal:
        w, it, ok = pcg(lambda v: design.rmatvec(design.matvec(v)) + alpha * v,
                        b, atol, max_iter, x0=x0, diag=diag, budget=budget)
        return w, None, it, ok
    a, it, ok = pcg(lambda v: design.matvec(design.rmatvec(v)) + alpha * v,
                    b, atol, max_iter, budget=budget)
    return design.rmatvec(a), a, it, ok


def kernel_certificate(design, yt, alpha, w, a):
    """(gap, objective) of ``w = Xt^T a`` at the dual point ``2 alpha a``:
    gap ``|r - alpha a|^2`` with ``r = yt - Xt w`` (one pass over X)."""
    r = yt - design.matvec(w)
    rho = r - alpha * a
    return float(rho @ rho), float(r @ r + alpha * (w @ w))


def ridge_penalty(alpha, n_w, n_features, positive=False):
    """The compiled L1L2 penalty (``l2 / 2 * w**2`` per coordinate) equal to
    ridge's ``alpha ||w||^2`` once the objective is divided by ``2 n_w``:
    ``l2 / 2 = alpha / (2 n_w)``, so ``l2 = alpha / n_w``."""
    return L1L2(np.zeros(n_features), np.full(n_features, alpha / n_w), positive)


def ridge_results(design, Y, W, certificates, tol, n_iter=None):
    """One SolverResult per target for coefficients W (k, p) and their
    certificates ``(gaps, objectives, P(0)s)``."""
    gaps, primals, p0 = certificates
    intercepts = design.coef_to_intercept(W, design.y_mean(Y))
    n_iter = [n_iter] * W.shape[0] if np.ndim(n_iter) == 0 else n_iter
    return [SolverResult(coef=W[k], intercept=float(intercepts[k]), gap=float(gaps[k]),
                         primal=float(primals[k]), tol_abs=gap_target(tol, p0[k]),
                         n_iter=n_iter[k]) for k in range(W.shape[0])]


def to_ridge_units(result, n_w):
    """Rescale a result of the ``1/(2 n_w)`` datafit to the ridge objective."""
    scale = 2.0 * n_w
    result.gap, result.primal, result.tol_abs = (
        scale * result.gap, scale * result.primal, scale * result.tol_abs)
    return result


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
    intercepts (n_alphas, k) and certificates (n_alphas, k: the exact
    suboptimality, never negative) in the ridge objective's units, and
    P(0) of each target, shape (k,).
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
    coefs = spectrum.coef_path(alphas)
    intercepts = np.array([design.coef_to_intercept(W, ybar) for W in coefs])
    gaps = np.array([spectrum.certificates(a)[0] for a in alphas])
    return alphas, coefs, intercepts, gaps, spectrum.yy
