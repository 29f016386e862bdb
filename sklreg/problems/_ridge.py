"""Ridge: ``sum_i s_i r_i**2 + alpha ||w||^2`` for every target.

``solve_ridge`` is the solver policy: which solver a name stands for,
the fallback when a system is singular (Krylov or Cholesky -> SVD /
eigendecomposition), the conjugate-gradient trial that 'auto' makes before
Cholesky, and the tightening of a Krylov solve whose certificate falls
short.  ``RidgeProblem`` holds the closed forms on the validated data,
leave-one-out and per-fold scoring included; the coordinate-descent and
proximal-gradient fits (``solver='cd'/'pg'``, ``positive=True``) are a
``LeastSquaresProblem`` built by the estimator.
"""
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from sklreg._core._design import Design
from sklreg.solvers._base import gap_target
from sklreg.solvers._centred import CentredDesign, gram_threads
from sklreg.solvers._ridge import (ill_posed, kernel_certificate, residual_gaps,
                                   ridge_alpha_grid, ridge_path, ridge_results, solve_cg,
                                   solve_direct, solve_lsqr)
from sklreg.solvers._ridge_spectrum import RidgeSpectrum
from sklreg.utils._blas import blas_threads, single_threaded_blas

DIRECT = ("cholesky", "svd")
KRYLOV = ("lsqr", "sparse_cg")
COMPILED = ("cd", "pg")
STOCHASTIC = ("sag", "saga", "lbfgs")   # scikit-learn's names, run as 'auto' chooses
POSITIVE = ("auto", "lbfgs", *COMPILED)    # the solvers that accept positive=True
SPARSE_DIRECT_MAX = 2000    # 'auto' uses Cholesky on sparse X up to this min(n, p)
# a multiply-add in the syrk of the smaller Gram costs ~1/10 of one in a pass
# over X (measured on 20000 x 500 and 5000 x 1000; the kernel's, p > n, is
# slower, 1/2 to 1/6, but CG to Cholesky's accuracy rarely fits in a budget
# there either, and a failed trial costs its 3 iterations)
BLAS3_SPEEDUP = 10
VECTOR_OPS = 8              # vector operations of length n or p in a CG iteration
MIN_CG_BUDGET = 8           # 'auto' tries CG only if the Gram is worth that many iterations
# 'lsqr' and 'sparse_cg' stop at this fraction of scikit-learn's rule (normal-
# equation residual <= tol * its right-hand side): their iterates differ from
# scikit-learn's (Jacobi preconditioning, LSQR's estimates), and at the rule
# itself ended up to 4x less accurate than scikit-learn's (measured)
KRYLOV_MARGIN = 0.1
# CG tried by 'auto' in place of Cholesky on dense X goes as far as
# Cholesky's own rounding: scikit-learn's 'auto' is a direct solve there
EXACT_RTOL = 4 * np.finfo(np.float64).eps


def cg_budget(shape, nnz=None):
    """CG iterations that cost as much as the direct solve.

    Dense X: the smaller Gram is ``n p min(n, p) / 2`` multiply-adds at
    syrk's speed, a CG iteration ``2 n p`` at the speed of a pass over X.
    Sparse X (``nnz`` stored values): the sparse product (about ``nnz^2 /
    n`` multiply-adds for the Gram, ``nnz^2 / p`` for the kernel) and the
    dense factorisation of the ``m x m`` result, against ``2 nnz`` plus a
    few vector operations per iteration.
    """
    n, p = shape
    m = min(n, p)
    if nnz is None:
        return m / (4.0 * BLAS3_SPEEDUP)
    direct = nnz ** 2 / max(n if n >= p else p, 1) + m ** 3 / (3.0 * BLAS3_SPEEDUP)
    return direct / (2.0 * nnz + VECTOR_OPS * (n + p))


def _budget(X):
    return cg_budget(X.shape, X.nnz if sp.issparse(X) else None)


def cg_may_converge(design, alphas, budget, rtol):
    """Whether CG to the relative residual ``rtol`` might take at most
    ``budget`` iterations on the centred design.

    CG's residual falls by ``(sqrt(k) - 1) / (sqrt(k) + 1)`` per iteration
    at condition number k; the best conditioned design of a shape, columns
    of independent entries, still spreads the Gram's eigenvalues over
    ``mean * (1 -+ sqrt(m / M))**2`` (Marchenko-Pastur; m, M the smaller and
    larger dimension, ``mean`` the mean eigenvalue).  When the budget cannot
    cover that spread, shifted by the smallest alpha, the trial would only
    spend its 3 iterations (6 passes over X) before Cholesky: 20000 x 500
    and 500 x 5000 need 1.9 and 3.7 against 1.26 for a budget of 12.5
    iterations.  Designs better conditioned than independent columns
    (orthogonal ones) lose the trial: Cholesky answers, at the price the
    budget puts on it.  The mean eigenvalue is read (one pass over X) only
    when alpha may decide.
    """
    n, p = design.shape
    ratio = min(n, p) / max(n, p, 1)
    rate = np.exp(np.log(rtol / 2) / max(budget, 1e-300))
    limit = ((1 + rate) / (1 - rate)) ** 2
    low, high = (1 - np.sqrt(ratio)) ** 2, (1 + np.sqrt(ratio)) ** 2
    if high <= limit * low:
        return True
    mean = max(design.col_sqnorms().sum(), 0.0) / max(min(n, p), 1)
    alpha = float(np.min(alphas))
    return high * mean + alpha <= limit * (low * mean + alpha)


def resolve_solver(solver, X, positive):
    """The solver 'auto' stands for: 'cd' with ``positive``, 'sparse_cg' on
    a large sparse X, else 'try_cg' where conjugate gradients may beat the
    direct solve (then Cholesky if they do not), else 'cholesky'."""
    if solver != "auto":
        return solver
    if positive:
        return "cd"
    if sp.issparse(X) and min(X.shape) > SPARSE_DIRECT_MAX:
        return "sparse_cg"
    return "try_cg" if _budget(X) >= MIN_CG_BUDGET else "cholesky"


def check_solver(solver, positive):
    """Raise scikit-learn's ValueError when ``solver`` cannot fit ``positive``."""
    if positive and solver not in POSITIVE:
        raise ValueError(f"solver={solver!r} does not support positive fitting. "
                         "Please set the solver to 'auto' or 'lbfgs' (or 'cd', 'pg'), "
                         "or set `positive=False`")


def solve_ridge(X, Y, sample_weight, alphas, *, fit_intercept, solver="auto",
                positive=False, tol=1e-4, max_iter=None, compiled_problem=None,
                exact=False):
    """Ridge on validated data for every target: (one SolverResult per
    target, the name of the solver that ran).

    ``solver`` is a name of ``Ridge``'s: scikit-learn's 'sag', 'saga' (no
    ``positive``) and 'lbfgs' (only ``positive``) run as 'auto' does;
    'cd' and 'pg' solve ``compiled_problem(y, design, solver)`` (the
    estimator's ``LeastSquaresProblem`` of target y) for each target, the
    others the closed forms of ``RidgeProblem``.  The compiled solvers run
    BLAS single-threaded; the closed forms and Krylov solvers, made of
    products with all of X and factorisations, on as many threads as
    ``gram_threads`` finds idle cores for (one inside a parallel CV fold,
    whose request holds).  ``exact``: the conjugate gradients 'auto' tries
    go to Cholesky's rounding on sparse X too (``ElasticNet(l1_ratio=0)``,
    solved as a ridge, is exact where the Gram is not too large).
    """
    check_solver(solver, positive)
    solver = resolve_solver("auto" if solver in STOCHASTIC else solver, X, positive)
    if solver == "svd" and sp.issparse(X):
        raise ValueError("solver='svd' does not support sparse X; use 'auto', "
                         "'cholesky', 'lsqr' or 'sparse_cg'")
    if solver in COMPILED:
        with single_threaded_blas():
            design = Design(X)          # a view of X, for the compiled solvers
            return [compiled_problem(y, design, solver).solve(alpha)
                    for y, alpha in zip(Y.T, alphas)], solver
    with blas_threads(gram_threads()):
        problem = RidgeProblem(X, Y, sample_weight, fit_intercept, tol=tol,
                               max_iter=max_iter, exact=exact)
        return problem.solve(alphas, solver)


class RidgeProblem:
    """Ridge on validated data, all targets of ``Y`` (n_samples, n_targets).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
    fit_intercept : bool
    tol : float
        Each target's certificate must reach ``tol * P(0)``.
    max_iter : int or None
        Budget of the Krylov solvers (None: their default).
    exact : bool, default=False
        The conjugate gradients that 'auto' tries run to Cholesky's rounding
        on sparse X as on dense X (else to the 'sparse_cg' rule there).
    """

    def __init__(self, X, Y, sample_weight, fit_intercept, *, tol, max_iter=None,
                 exact=False):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.fit_intercept, self.tol, self.max_iter = fit_intercept, tol, max_iter
        self.exact = exact

    @cached_property
    def centred(self):
        """X centred (implicitly) and weighted: the closed forms' operator."""
        return CentredDesign(self.X, self.sample_weight, self.fit_intercept)

    @cached_property
    def Yt(self):
        return self.centred.centre_y(self.Y)[0]

    @cached_property
    def XtY(self):
        """``Xt^T Yt``, shape (n_features, n_targets): the primal right-hand
        side, shared by the CG trial and the direct solve after it."""
        return self.centred.rmatvec(self.Yt)

    @cached_property
    def spectrum(self):
        """One eigendecomposition of the smaller Gram: every alpha."""
        return RidgeSpectrum(self.centred, self.Yt)

    def spectral_results(self, alphas):
        """Results at ``alphas`` (one per target) from the spectrum: the
        minimum-norm solution where the system is singular."""
        spectrum = self.spectrum
        return ridge_results(self.centred, self.Y, spectrum.coef(alphas),
                             spectrum.certificates(alphas), self.tol)

    def exact_results(self, alphas):
        """Results at ``alphas`` by Cholesky, or from the spectrum when the
        system is singular."""
        out = solve_direct(self.centred, self.Yt, alphas, "cholesky")
        if out is None:
            return self.spectral_results(alphas)
        return ridge_results(self.centred, self.Y, *out, self.tol)

    def loo_residuals(self, alphas):
        """Leave-one-out residuals (weighted), shape (n_samples, n_targets),
        for each alpha in turn: closed forms from the spectrum, the
        intercept's leverage included."""
        return self.spectrum.loo_residuals(alphas)

    def test_scores(self, alphas, X_test, Y_test, s_test, score, single):
        """``score(pred, y, s)`` of every alpha's solution on a test part."""
        ybar = self.centred.y_mean(self.Y)
        out = []
        for W in self.spectrum.coef_path(alphas):
            pred = np.asarray(X_test @ W.T) + self.centred.coef_to_intercept(W, ybar)
            out.append(score(pred[:, 0], Y_test[:, 0], s_test) if single
                       else score(pred, Y_test, s_test))
        return np.array(out)

    def default_grid(self, n_alphas, eps):
        """``n_alphas`` alphas from the largest eigenvalue of the centred,
        weighted Gram matrix down to ``eps`` times it (no decomposition)."""
        return ridge_alpha_grid(self.X, self.sample_weight, self.fit_intercept, n_alphas, eps)

    def path(self, alphas, eps=1e-3):
        """Every alpha from one eigendecomposition: ``alphas`` (the grid, or
        its size), coefs (n_alphas, n_targets, n_features), intercepts and
        gaps (n_alphas, n_targets), P(0) per target; see ``ridge_path``."""
        return ridge_path(self.X, self.Y, self.sample_weight, self.fit_intercept, alphas, eps)

    def solve(self, alphas, solver):
        """(one SolverResult per target, the solver that produced them) at
        ``alphas`` (one per target), by ``solver`` as ``resolve_solver``
        gives it; a singular system falls back to 'svd' (dense) or 'eigen'."""
        centred, Y, Yt = self.centred, self.Y, self.Yt
        if solver == "try_cg":
            # in kernel form a singular system shows as a CG breakdown or a
            # failed certificate: no pass over X to ask beforehand
            solver = "cholesky"
            n, p = centred.shape
            budget, rtol = _budget(self.X), self._trial_rtol()
            if (p > n or not any(ill_posed(centred, a) for a in alphas)) and (
                    cg_may_converge(centred, alphas, budget, rtol)):
                results = self._solve_each(alphas, "sparse_cg", budget=budget, rtol=rtol)
                if results is not None:
                    return results, "sparse_cg"
        if solver in KRYLOV:
            results = None
            if not any(ill_posed(centred, a) for a in alphas):
                results = self._solve_each(alphas, solver)
            if results is not None:
                return results, solver
        elif solver == "cholesky":
            out = solve_direct(centred, Yt, alphas, solver,
                               XtY=self.XtY if centred.shape[1] <= centred.shape[0] else None)
            if out is not None:
                results = ridge_results(centred, Y, *out, self.tol)
                if all(r.converged for r in results):
                    return results, solver
        return self._solve_spectral(alphas)

    def _solve_spectral(self, alphas):
        """The solvers that handle a singular system (minimum-norm solution
        below the numerical rank): an SVD of the centred X when it is dense,
        else one eigendecomposition of the smaller Gram ('eigen')."""
        if self.centred.is_sparse:
            return self.spectral_results(alphas), "eigen"
        W, certificates = solve_direct(self.centred, self.Yt, alphas, "svd")
        return ridge_results(self.centred, self.Y, W, certificates, self.tol), "svd"

    def _trial_rtol(self):
        """How far the CG that 'auto' tries goes: as far as Cholesky's rounding
        on dense X (scikit-learn's 'auto' is Cholesky there, exact whatever
        tol says), to the 'sparse_cg' rule on sparse X (scikit-learn's 'auto'
        is its 'sparse_cg' at tol there), unless ``exact``."""
        if self.centred.is_sparse and not self.exact:
            return KRYLOV_MARGIN * max(self.tol, np.finfo(float).eps)
        return EXACT_RTOL

    def _solve_each(self, alphas, solver, budget=None, rtol=None):
        """Krylov solves target by target; None when one breaks down (or, with
        a ``budget``, projects more iterations than that)."""
        results = []
        n, p = self.centred.shape
        for k in range(self.Y.shape[1]):
            # the primal CG's right-hand side is kept for the direct solve
            xty = self.XtY[:, k] if solver == "sparse_cg" and p <= n else None
            results.append(self._solve_krylov(self.Y[:, k], self.Yt[:, k], alphas[k],
                                              solver, budget=budget, xty=xty, rtol=rtol))
            if results[-1] is None:
                return None
        return results

    def _solve_krylov(self, y, yt, alpha, solver, budget=None, xty=None, rtol=None):
        """LSQR / CG run until the duality gap certifies ``tol * P(0)`` and
        the residual of the normal equations is at most ``KRYLOV_MARGIN *
        tol`` relative to their right-hand side (``rtol`` when given: 'auto'
        trying CG, with a ``budget``); should the recursions' rounding
        leave the gap short, go on with a tighter target.  None if CG breaks
        down, or exceeds its ``budget``."""
        centred = self.centred
        n, p = centred.shape
        limit = self.max_iter or (2 * p if solver == "lsqr" else 10 * min(n, p))
        tol_abs = gap_target(self.tol, float(yt @ yt))
        if rtol is None:
            rtol = KRYLOV_MARGIN * max(self.tol, np.finfo(float).eps)
        target, done, w = tol_abs, 0, None
        while True:
            if solver == "lsqr":
                (w, n_iter), a = solve_lsqr(centred, yt, alpha, target, rtol=rtol,
                                            max_iter=max(limit - done, 1)), None
            else:
                w, a, n_iter, ok = solve_cg(centred, yt, alpha, target, rtol=rtol, xty=xty,
                                            max_iter=max(limit - done, 1), x0=w,
                                            budget=budget)
                if not ok and n_iter < limit - done and (budget is None or done == 0):
                    return None         # breakdown, or over budget
            done += n_iter
            if a is not None:
                gap, primal = kernel_certificate(centred, yt, alpha, w, a)
            else:
                gaps, primals = residual_gaps(centred, yt[:, None], w[None], [alpha])
                gap, primal = gaps[0], primals[0]
            result = ridge_results(centred, y[:, None], w[None],
                                   ([gap], [primal], [float(yt @ yt)]), self.tol,
                                   n_iter=done)[0]
            if result.converged or done >= limit or target < 1e-6 * tol_abs:
                return result
            target *= 1e-2
