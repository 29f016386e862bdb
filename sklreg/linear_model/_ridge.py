"""Ridge: least squares with a squared L2 penalty."""
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg._core._design import Design
from sklreg.linear_model._base import PenalizedRegressor
from sklreg.problems import LeastSquaresProblem, RidgeUnits
from sklreg.problems._ridge import (BLAS3_SPEEDUP, COMPILED, DIRECT, KRYLOV, KRYLOV_MARGIN,
                                    MIN_CG_BUDGET, SPARSE_DIRECT_MAX, STOCHASTIC,
                                    RidgeProblem, check_solver, solve_ridge)
from sklreg.utils.validation import alpha_values, check_column_norms


_OBJECTIVE = """
        sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||_2**2

    where ``s`` are the sample weights (all ones by default).  There is no
    ``1/n`` factor, as in scikit-learn.  The coordinate-descent and
    proximal-gradient solvers work on the same objective divided by
    ``2 n_w`` (``n_w = sum_i s_i``), that is the elastic-net datafit with
    the L2 part ``l2 / 2 * ||w||^2``, ``l2 = alpha / n_w``, and no L1 part; ``dual_gap_`` is reported in
    the units of the objective above."""


class Ridge(PenalizedRegressor):
    __doc__ = f"""Linear least squares with a squared L2 penalty.

    Minimises, exactly as :class:`sklearn.linear_model.Ridge`::
    {_OBJECTIVE}

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength, non-negative; one per target is allowed.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.  X is never centred in memory: the
        centring enters the Gram matrix, the kernel and the operator
        products as a rank-one correction, so sparse X stays sparse.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility; X is never modified.
    max_iter : int, default=None
        Iteration budget of 'lsqr' and 'sparse_cg' (``2 * n_features`` and
        ``10 * min(n_samples, n_features)`` when None) and of 'cd' and 'pg'
        (1000 when None).
    tol : float, default=1e-4
        'lsqr' and 'sparse_cg' stop when the duality gap is at most
        ``tol * P(0)`` (``P(0)``: the objective at ``w = 0`` with the best
        intercept) and the residual of the normal equations is at most
        ``{KRYLOV_MARGIN} * tol`` times their right-hand side: scikit-learn's
        rule for these solvers, tightened so that the coefficients are at
        least as accurate as scikit-learn's at the same ``tol``.  'cd' and
        'pg' stop on the gap.  On dense X 'auto' is exact to rounding
        whatever ``tol`` says, as scikit-learn's is (its conjugate gradients
        go as far as Cholesky would); on sparse X its conjugate gradients
        stop at the 'sparse_cg' rule, as scikit-learn's 'auto' is its
        'sparse_cg' there (Cholesky, where it runs instead, is exact).  Direct
        solvers ignore ``tol``, but their gap is computed and checked all
        the same.
    solver : {{'auto', 'cholesky', 'svd', 'lsqr', 'sparse_cg', 'cd', 'pg', \
'sag', 'saga', 'lbfgs'}}, default='auto'
        - 'cholesky': Cholesky factorisation of ``Xc^T Xc + alpha I``
          (``n_samples >= n_features``) or of the kernel ``Xc Xc^T + alpha I``
          (otherwise); one factorisation per distinct alpha serves all
          targets.  Sparse X is fine (with the intercept too).
        - 'svd': SVD of the centred X (dense X only).
        - 'lsqr': LSQR (scipy) on the implicitly centred X.
        - 'sparse_cg': conjugate gradients on the normal equations, primal
          (``n_samples >= n_features``, Jacobi-preconditioned) or kernel form,
          stopped by the duality gap itself (at the dual point ``2 r`` the
          primal gap is ``|g|^2 / alpha``, g the CG residual; in kernel form,
          at ``2 alpha a``, it is ``|rho|^2``, rho the CG residual).
        - 'cd', 'pg': sklreg's compiled coordinate descent / accelerated
          proximal gradient; with 'auto' and 'lbfgs', the ones that support
          ``positive=True``.
        - 'sag', 'saga', 'lbfgs': scikit-learn's stochastic and quasi-Newton
          solvers are not implemented; these names run what 'auto' chooses
          (with ``positive=True``, 'cd'), which reaches the same optimum,
          and ``solver_`` says which ran.  Unlike scikit-learn, 'saga' fits
          an intercept on sparse X and 'lbfgs' needs no ``positive``.
        - 'auto': 'cd' when ``positive``; 'sparse_cg' for sparse X with
          ``min(n_samples, n_features) > {SPARSE_DIRECT_MAX}`` (the Gram would
          be large and dense); otherwise Cholesky, except that when the
          smaller Gram matrix costs at least {MIN_CG_BUDGET} CG iterations
          (dense X: ``min(n_samples, n_features) / (4 * {BLAS3_SPEEDUP}) >= {MIN_CG_BUDGET}``,
          a syrk multiply-add costing about 1/{BLAS3_SPEEDUP} of one in a
          pass over X, measured; sparse X: the sparse product and the dense
          factorisation against ``2 nnz`` per iteration) and even a design
          of independent columns of that shape (the best conditioned short
          of orthogonal ones) could be solved within that many iterations
          at that alpha, 'sparse_cg' runs
          first and, after 3 iterations, gives way to Cholesky if its
          observed rate projects more iterations than the Gram is worth
          (on dense X CG runs to Cholesky's accuracy, so it stays only on
          well-conditioned systems; on sparse X to the 'sparse_cg' rule).
          ``solver_`` says which ran.

        The iterative solvers are run, with tighter internal tolerances if
        needed, until the duality gap certifies ``tol``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative ('cd', 'pg', 'auto').
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility (no solver here is random).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of X.
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the returned solution, in the objective's units, for
        every solver (direct ones included): the objective is within it of
        the optimum.
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations of the iterative solvers; None for 'cholesky' and 'svd'.
    solver_ : str
        The solver that ran: one of the names above but 'auto', 'sag',
        'saga' and 'lbfgs', or 'eigen' (a numerically singular system on
        sparse X, solved by one eigendecomposition of the smaller Gram).
        A singular system on dense X is solved by 'svd' whatever was asked.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    RidgeCV : Ridge with the alpha chosen by (efficient) cross-validation.
    sklearn.linear_model.Ridge : The scikit-learn estimator it mirrors.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklreg import Ridge
    >>> X, y = make_regression(n_samples=50, n_features=5, random_state=0)
    >>> model = Ridge(alpha=1.0).fit(X, y)
    >>> model.solver_
    'cholesky'
    >>> bool(model.dual_gap_ <= 1e-10 * ((y - y.mean()) ** 2).sum())
    True
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", *DIRECT, *KRYLOV, *STOCHASTIC, *COMPILED})],
        "positive": ["boolean"],
        "random_state": ["random_state"],
    }
    _dask_moments = True       # Dask data: fitted from its moments (sklreg._dask)
    _column_y_as_1d = True     # y of shape (n, 1): coef_ (p,), as scikit-learn

    @property
    def _dense_order(self):
        # the closed forms take dense X in C order as well (no Fortran copy);
        # the compiled solvers need Fortran order
        compiled = self.positive or self.solver in COMPILED
        return "F" if compiled else None

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None,
                 tol=1e-4, solver="auto", positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def _check_params(self, n_features):
        alpha_values(self.alpha, "alpha", index_single=False)
        check_solver(self.solver, self.positive)

    def _alphas(self, n_targets):
        alpha = alpha_values(self.alpha, "alpha", index_single=False)
        if alpha.size not in (1, n_targets):
            raise ValueError("Number of targets and number of penalties do not "
                             "correspond: %d != %d (alpha has one value per "
                             "target, or one for all)" % (alpha.size, n_targets))
        return np.broadcast_to(alpha, (n_targets,)).copy()

    def _solve_targets(self, X, Y, sample_weight, coef_init, exact=False):
        results, self.solver_ = solve_ridge(
            X, Y, sample_weight, self._alphas(Y.shape[1]), fit_intercept=self.fit_intercept,
            solver=self.solver, positive=self.positive, tol=self.tol, max_iter=self.max_iter,
            compiled_problem=lambda y, design, solver: self._make_problem(
                X, y, sample_weight, design=design, solver=solver), exact=exact)
        return results

    def _ridge_problem(self, X, Y, sample_weight):
        """The closed forms' problem of every target of ``Y`` (validated)."""
        return RidgeProblem(X, Y, sample_weight, self.fit_intercept, tol=self.tol,
                            max_iter=self.max_iter)

    def _make_problem(self, X, y, sample_weight, coef_init=None, design=None, solver="cd"):
        """The compiled solvers' problem of target ``y`` (ridge's objective
        divided by ``2 n_w``; results in ridge's units)."""
        p = X.shape[1]
        problem = LeastSquaresProblem(
            Design(X) if design is None else design, y, sample_weight, self.fit_intercept,
            RidgeUnits(p, self.positive), tol=self.tol, max_iter=self.max_iter or 1000,
            coef_init=coef_init, solver=solver)
        check_column_norms(self, X, problem.datafit)
        return problem

    def _store_extra(self, results, single_target):
        if self.solver_ in (*DIRECT, "eigen"):
            self.n_iter_ = None
        else:
            self.n_iter_ = np.array([r.n_iter for r in results], dtype=np.int32)
