"""Ridge and RidgeCV: least squares with a squared L2 penalty."""
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, StrOptions

from sklreg._core._design import Design
from sklreg._dask import is_dask_collection
from sklreg.linear_model._base import PenalizedRegressor
from sklreg.linear_model._base_cv import FittedPathMixin
from sklreg.model_selection import (cv_results, fold_scores, one_standard_error_alpha,
                                    prediction_scorer, warn_if_at_grid_edge)
from sklreg.problems import LeastSquaresProblem, RidgeUnits
from sklreg.problems._ridge import (DIRECT, GRAM_SPEEDUP, KERNEL_SPEEDUP, KRYLOV, KRYLOV_MARGIN,
                                    MIN_CG_BUDGET, SPARSE_DIRECT_MAX, RidgeProblem,
                                    resolve_solver)
from sklreg.solvers._ridge import CentredDesign, RidgeSpectrum, ridge_results, solve_direct
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._warnings import warn_at_caller
from sklreg.utils.validation import alpha_values, check_column_norms, split_params

STOCHASTIC = ("sag", "saga", "lbfgs")   # scikit-learn's names, run as 'auto' chooses
POSITIVE = ("auto", "lbfgs", "cd", "pg")    # the solvers that accept positive=True
CV_TOL = 1e-4               # certificate RidgeCV's closed-form solution must meet


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
        'pg' stop on the gap.  'auto' is exact to rounding whatever ``tol``
        says, as scikit-learn's is on dense X (its conjugate gradients go
        as far as Cholesky would), except where it picks 'sparse_cg' for
        large sparse X, as scikit-learn's does for sparse X.  Direct
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
          (dense X: ``min(n_samples, n_features) / (4 * s) >= {MIN_CG_BUDGET}``,
          where a syrk multiply-add costs about ``1/s`` of one in a pass
          over X, ``s = {GRAM_SPEEDUP}`` for ``X^T X`` and {KERNEL_SPEEDUP} for
          ``X X^T``, measured; sparse X: the sparse product and the dense
          factorisation against ``2 nnz`` per iteration) 'sparse_cg' runs
          first and, after 3 iterations, gives way to Cholesky if its
          observed rate projects more iterations than the Gram is worth
          (CG runs to Cholesky's accuracy, so it stays only on
          well-conditioned systems).
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
        "solver": [StrOptions({"auto", *DIRECT, *KRYLOV, *STOCHASTIC, "cd", "pg"})],
        "positive": ["boolean"],
        "random_state": ["random_state"],
    }
    _dask_moments = True       # Dask data: fitted from its moments (sklreg._dask)
    _column_y_as_1d = True     # y of shape (n, 1): coef_ (p,), as scikit-learn

    @property
    def _dense_order(self):
        # the closed forms take dense X in C order as well (no Fortran copy);
        # the compiled solvers need Fortran order
        compiled = self.positive or self.solver in ("cd", "pg")
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
        if self.positive and self.solver not in POSITIVE:
            raise ValueError(f"solver={self.solver!r} does not support positive fitting. "
                             "Please set the solver to 'auto' or 'lbfgs' (or 'cd', 'pg'), "
                             "or set `positive=False`")

    def _alphas(self, n_targets):
        alpha = alpha_values(self.alpha, "alpha", index_single=False)
        if alpha.size not in (1, n_targets):
            raise ValueError("Number of targets and number of penalties do not "
                             "correspond: %d != %d (alpha has one value per "
                             "target, or one for all)" % (alpha.size, n_targets))
        return np.broadcast_to(alpha, (n_targets,)).copy()

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        # single-threaded BLAS but for the Gram product (see gram_threads)
        with single_threaded_blas():
            return self._solve_all(X, Y, sample_weight)

    def _solve_all(self, X, Y, sample_weight):
        alphas = self._alphas(Y.shape[1])
        # scikit-learn's 'sag', 'saga' (no ``positive``) and 'lbfgs' (only
        # ``positive``) run as 'auto' does
        solver = resolve_solver("auto" if self.solver in STOCHASTIC else self.solver, X,
                                self.positive)
        if solver == "svd" and sp.issparse(X):
            raise ValueError("solver='svd' does not support sparse X; use 'auto', "
                             "'cholesky', 'lsqr' or 'sparse_cg'")
        if solver in ("cd", "pg"):
            self.solver_ = solver
            design = Design(X)          # a view of X, for the compiled solvers
            return [self._make_problem(X, y, sample_weight, design=design, solver=solver)
                    .solve(alpha) for y, alpha in zip(Y.T, alphas)]
        results, self.solver_ = self._ridge_problem(X, Y, sample_weight).solve(alphas, solver)
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


class RidgeCV(FittedPathMixin, PenalizedRegressor):
    __doc__ = f"""Ridge regression with the alpha chosen by cross-validation.

    Every candidate minimises, as :class:`sklearn.linear_model.Ridge`::
    {_OBJECTIVE}

    With ``cv=None`` (the default) the alphas are compared by efficient
    leave-one-out cross-validation, as :class:`sklearn.linear_model.RidgeCV`
    does: one eigendecomposition of the centred, weighted Gram matrix
    (``X^T X`` when n_samples > n_features, else ``X X^T``), after which each
    alpha costs O(n_samples * min(n_samples, n_features)); the intercept is
    unpenalised and its leverage ``s_i / n_w`` is added exactly.  With ``cv``
    (or ``fold_ids`` in ``fit``) given, each training fold is decomposed once
    and scored for every alpha; the folds run through
    :func:`sklreg.model_selection.fold_scores` (joblib), then the model is
    refitted on all data at ``alpha_``.  As every sklreg ``*CV`` estimator,
    it reports the one-standard-error alpha (``alpha_1se_``) and can refit
    with it (``alpha_selection='1se'``).

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or float, default=(0.1, 1.0, 10.0)
        Candidate penalty strengths (positive for leave-one-out).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        With ``cv=None``: None ranks alphas by the mean squared leave-one-out
        error (in the weighted space, as scikit-learn); a scorer is applied to
        the leave-one-out predictions, with the sample weights.  With ``cv``:
        None is R^2 on each test fold (scikit-learn's grid-search default);
        test folds are scored with their sample weights, as scikit-learn 1.9.
    cv : int, cross-validation generator, iterable or None, default=None
        None for efficient leave-one-out; otherwise scikit-learn's ``cv``.
        Explicit fold numbers per sample can be passed to ``fit`` as
        ``fold_ids`` (they override ``cv``).
    gcv_mode : {{'auto', 'svd', 'eigen'}} or None, default=None
        Accepted for scikit-learn compatibility: every mode uses the
        eigendecomposition of the smaller Gram matrix (same numbers).
    store_cv_results : bool, default=False
        Keep the per-sample leave-one-out values in ``cv_results_``
        (``cv=None`` only).
    alpha_per_target : bool, default=False
        Choose one alpha per target (``cv=None`` only).
    n_jobs : int, default=None
        Parallel folds when ``cv`` is given (an sklreg extension).
    alpha_selection : {{'min', '1se'}}, default='min'
        Refit at the alpha with the best mean score (scikit-learn's choice),
        or at the largest alpha within one standard error of it
        (``alpha_1se_``, glmnet's ``lambda.1se``).  An sklreg extension.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The alpha of the refitted model (``alpha_min_`` or ``alpha_1se_``,
        one per target with ``alpha_per_target``).
    alpha_min_ : float or ndarray of shape (n_targets,)
        The alpha with the best mean score.
    best_score_ : float or ndarray of shape (n_targets,)
        Mean cross-validation score at ``alpha_min_`` (higher is better).
    alpha_1se_ : float or ndarray of shape (n_targets,)
        The largest alpha whose mean score is within one standard error of
        the best (standard error over the samples for leave-one-out, over the
        folds otherwise).  With a ``scoring`` and ``cv=None`` there are no
        per-sample scores, and ``alpha_1se_`` is ``alpha_``.
    cv_results_ : dict of ndarrays, or ndarray with ``store_cv_results``
        As every sklreg ``*CV``'s: ``alpha``, ``mean_test_loss``,
        ``std_test_loss`` (``ddof=1``), ``sem_test_loss`` and, with ``cv``,
        ``split{{k}}_test_loss``.  The loss is the squared leave-one-out error
        (``cv=None``, no scoring; spread over the samples) or the negated
        score (per fold; with a scoring and ``cv=None`` only the mean is
        known, the spread is NaN); one column per target with
        ``alpha_per_target``.  With ``store_cv_results=True`` it is instead
        scikit-learn's array of shape (n_samples, n_alphas) or (n_samples,
        n_targets, n_alphas): squared leave-one-out errors (no scoring) or
        leave-one-out predictions (with a scoring); ``plot_cv`` still works.
    path_ : PathResult
        Ridge's path on all the data over ``alphas`` (computed at first
        use; see ``coef_at``).
    coef_, intercept_, dual_gap_, n_features_in_, feature_names_in_
        As in :class:`Ridge`, at ``alpha_``; ``dual_gap_`` certifies the
        closed-form solution.

    See Also
    --------
    Ridge
    sklearn.linear_model.RidgeCV : The scikit-learn estimator it mirrors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklreg import RidgeCV
    >>> X, y = make_regression(n_samples=60, n_features=8, noise=100, random_state=0)
    >>> alphas = np.logspace(-3, 3, 13)
    >>> model = RidgeCV(alphas=alphas).fit(X, y)
    >>> bool(alphas.min() < model.alpha_ < alphas.max())
    True
    >>> bool(model.alpha_1se_ >= model.alpha_)
    True
    """

    _parameter_constraints = {
        "alphas": ["array-like", Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "cv": ["cv_object"],
        "gcv_mode": [StrOptions({"auto", "svd", "eigen"}), None],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
        "n_jobs": [Integral, None],
        "alpha_selection": [StrOptions({"min", "1se"})],
    }
    _column_y_as_1d = True
    _dense_order = None         # closed forms only: C-ordered X is not copied

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False,
                 alpha_per_target=False, n_jobs=None, alpha_selection="min"):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.n_jobs = n_jobs
        self.alpha_selection = alpha_selection

    def _k_fold_given(self):
        return self.cv is not None or getattr(self, "_fold_ids", None) is not None

    def _check_params(self, n_features):
        k_fold = self._k_fold_given()
        # leave-one-out needs alpha > 0 (scikit-learn's check and wording)
        alpha_values(self.alphas, "alphas", strictly_positive=not k_fold,
                     index_single=False)
        if k_fold and self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible "
                             "(fold_ids count as a cv)")
        if k_fold and self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible "
                             "(fold_ids count as a cv)")

    def _solve_targets(self, X, Y, sample_weight, coef_init):
        alphas = alpha_values(self.alphas, "alphas", index_single=False)
        if self.gcv_mode == "svd" and sp.issparse(X) and not self._k_fold_given():
            warn_at_caller("The 'svd' mode is not supported for sparse X, we fallback to "
                          "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will "
                          "raise an error in 1.11, use the default or pass "
                          "`gcv_mode='eigen'` to suppress this warning.", FutureWarning)
        per_target = self.alpha_per_target and Y.shape[1] > 1
        if not self._k_fold_given():
            return self._leave_one_out(X, Y, sample_weight, alphas, per_target)
        return self._k_fold(X, Y, sample_weight, alphas)

    def _select(self, alphas, mean, per_target, n_targets, units=None):
        """Set alpha_min_, best_score_, alpha_1se_ and alpha_ from the mean
        scores (shape (n_alphas,) or (n_alphas, n_targets)) and, when there
        are any, the scores per fold or sample (``units``,
        (n_alphas, n_units[, k])).  Return the alpha of each target."""
        # the first best, as scikit-learn; an undefined (NaN) score ranks last
        ranked = np.where(np.isnan(mean), -np.inf, mean)
        warn_if_at_grid_edge(self, alphas, -ranked)
        best = np.argmax(ranked, axis=0)
        if per_target:
            self.alpha_min_ = alphas[best]
            self.best_score_ = mean[best, np.arange(n_targets)]
        else:
            self.alpha_min_ = float(alphas[best])
            self.best_score_ = float(mean[best])
            if self.alpha_per_target and self._y_ndim == 2:    # y of shape (n, 1)
                self.best_score_ = np.array([self.best_score_])   # scikit-learn's shape
        defined = units
        if units is not None:       # a fold whose score is undefined says nothing
            finite = np.isfinite(units).reshape(units.shape[0], units.shape[1], -1)
            defined = units[:, finite.all(axis=(0, 2))]
        self.alpha_1se_ = (self.alpha_min_ if defined is None or defined.shape[1] < 2
                           else one_standard_error_alpha(alphas, defined))
        # cv_results_ as every *CV's (store_cv_results replaces it with
        # scikit-learn's per-sample array; plot_cv reads the copy)
        losses = -(np.asarray(mean)[:, None] if units is None else units)
        self._cv_summary = self.cv_results_ = cv_results(alphas, losses,
                                                         splits=self._k_fold_given())
        self.alpha_ = self.alpha_1se_ if self.alpha_selection == "1se" else self.alpha_min_
        return np.broadcast_to(self.alpha_, (n_targets,))

    def _leave_one_out(self, X, Y, s, alphas, per_target):
        design = CentredDesign(X, s, self.fit_intercept)
        Yt, _ = design.centre_y(Y)
        spectrum = RidgeSpectrum(design, Yt)
        n, k = Y.shape
        single = self._y_ndim == 1
        score = None if self.scoring is None else prediction_scorer(self.scoring)
        stored, per_sample, means = [], [], []
        for looe in spectrum.loo_residuals(alphas):             # (n, k) per alpha
            if score is None:
                squared = looe ** 2
                stored.append(squared)
                per_sample.append(-squared if per_target else -squared.mean(axis=1))
            else:
                pred = Y - np.divide(looe, design.sqrt_s[:, None],
                                     out=np.zeros_like(looe),
                                     where=design.sqrt_s[:, None] > 0)
                stored.append(pred)
                if per_target:
                    means.append([score(pred[:, j], Y[:, j], s) for j in range(k)])
                else:
                    means.append(score(pred[:, 0] if single else pred,
                                       Y[:, 0] if single else Y, s))
        units = np.array(per_sample) if score is None else None   # (n_alphas, n[, k])
        mean = units.mean(axis=1) if score is None else np.array(means)
        chosen = self._select(alphas, mean, per_target, k, units)
        if self.store_cv_results:
            results = np.moveaxis(np.array(stored), 0, -1)      # (n, k, n_alphas)
            self.cv_results_ = results[:, 0] if single else results
        return ridge_results(design, Y, spectrum.coef(chosen),
                             spectrum.certificates(chosen), CV_TOL)

    def _k_fold(self, X, Y, s, alphas):
        score_fold = partial(_ridge_fold_scores, alphas, self.fit_intercept,
                             prediction_scorer(self.scoring), self._y_ndim == 1)
        scores = fold_scores(score_fold, X, Y, s, self.cv, fold_ids=self._fold_ids,
                             n_jobs=self.n_jobs, split_params=self._split_params).T
        chosen = self._select(alphas, scores.mean(axis=1), False, Y.shape[1], scores)
        design = CentredDesign(X, s, self.fit_intercept)
        Yt, _ = design.centre_y(Y)
        out = solve_direct(design, Yt, chosen, "cholesky")
        if out is None:         # singular: the minimum-norm solution
            spectrum = RidgeSpectrum(design, Yt)
            out = spectrum.coef(chosen), spectrum.certificates(chosen)
        return ridge_results(design, Y, *out, CV_TOL)

    def fit(self, X, y, sample_weight=None, fold_ids=None, check_input=True, **params):
        """Fit Ridge, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
        fold_ids : array-like of shape (n_samples,), default=None
            Fold number of each sample: k-fold cross-validation on those
            folds (overrides ``cv``).
        check_input : bool, default=True
            Accepted for compatibility; input is always checked.
        **params : dict
            Passed to the CV splitter (e.g. ``groups`` for ``GroupKFold``),
            as in scikit-learn: only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
        """
        if is_dask_collection(X, y, sample_weight, fold_ids):   # see sklreg._dask
            from sklreg._dask._cv import fit_ridge_cv
            return fit_ridge_cv(self, Ridge(fit_intercept=self.fit_intercept), X, y,
                                sample_weight, fold_ids, params)
        self._split_params = split_params(self, params, sample_weight)
        self._y_ndim = getattr(y, "ndim", None) or np.asarray(y).ndim
        self._fold_ids = fold_ids
        super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        self._keep_path(Ridge(fit_intercept=self.fit_intercept), X, y, sample_weight,
                        np.sort(np.atleast_1d(np.asarray(self.alphas, dtype=float)))[::-1])
        return self

    def _store_extra(self, results, single_target):
        self.n_iter_ = None

    def _cv_loss_label(self):
        if self.scoring is None and not self._k_fold_given():
            return "mean squared leave-one-out error"
        return "mean CV loss (negated score)"


def _ridge_fold_scores(alphas, fit_intercept, score, single, X_train, Y_train, s_train,
                       X_test, Y_test, s_test):
    """RidgeCV's scores of every alpha on one split: one decomposition of the
    training part serves them all.  A module function, so that process
    backends can pickle it."""
    design = CentredDesign(X_train, s_train, fit_intercept)
    Yt, ybar = design.centre_y(Y_train)
    spectrum = RidgeSpectrum(design, Yt)
    out = []
    for W in spectrum.coef_path(alphas):
        pred = np.asarray(X_test @ W.T) + design.coef_to_intercept(W, ybar)
        out.append(score(pred[:, 0], Y_test[:, 0], s_test) if single
                   else score(pred, Y_test, s_test))
    return np.array(out)
