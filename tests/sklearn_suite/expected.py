"""scikit-learn tests that fail with sklreg on purpose, each with the reason.

Keys are ``file::test`` (every parametrisation) or ``file::test[params]``
(one).  ``doc/compat.rst`` shows this table; keep the two in step.
"""
EXPECTED = {}
SAG = ("solver_ says what ran: 'sag' and 'saga' run what 'auto' chooses (here "
       "'cholesky'), not scikit-learn's stochastic solvers")
FIT = ("sklreg fits an intercept on sparse X with every solver but 'svd' "
       "(scikit-learn's 'saga' and 'cholesky' cannot); valid input must fit")

# test_coordinate_descent and test_sparse_coordinate_descent
_MULTI_TASK_REFERENCE = (
    "compares ElasticNetCV / LassoCV on y with MultiTask*CV on y[:, None] to 1e-7 at "
    "tol=1e-4; both pick the same alpha_, and the single-task refit is exact (within "
    "2e-15 of the optimum, exact finishing) where the block-CD multi-task refit is "
    "certified to tol, 5.6e-5 from it (scikit-learn's own: 1.1e-4)")
EXPECTED.update({
    "test_coordinate_descent::test_1d_multioutput_enet_and_multitask_enet_cv":
        _MULTI_TASK_REFERENCE,
    "test_coordinate_descent::test_1d_multioutput_lasso_and_multitask_lasso_cv":
        _MULTI_TASK_REFERENCE,
    "test_coordinate_descent::test_check_input_false":
        "expects a ValueError for C-ordered X with check_input=False (scikit-learn's "
        "kernel would compute garbage); sklreg reads any layout correctly and fits",
    "test_coordinate_descent::test_enet_copy_X_False_check_input_False":
        "expects X overwritten with copy_X=False; sklreg never modifies the caller's "
        "arrays (it centres inside the solver)",
    "test_coordinate_descent::test_enet_nonfinite_params":
        "wording: the same ValueError for an X whose squared column norm overflows, "
        "raised before the solve, says so instead of 'Coordinate descent iterations "
        "resulted in non-finite parameter values'",
    "test_coordinate_descent::test_lasso_dual_gap":
        "compares dual_gap_ with its own formula to rtol=1e-7; on its 10 x 30 data "
        "sklreg's fit is exact (its support of rank size is finished), so both gaps "
        "are rounding noise (5e-16 against -6e-16)",
    "test_coordinate_descent::test_lassoCV_does_not_set_precompute":
        "monkeypatches scikit-learn's private _coordinate_descent.Lasso; sklreg's "
        "LassoCV fits its folds by paths and never calls it",
    "test_coordinate_descent::test_warm_start":
        "iterate counts: expects 5 + 5 warm-started passes to equal 10 passes, which "
        "holds for a solver whose state is w alone; sklreg's working sets restart "
        "with each fit.  Both fits are unconverged and warn; converged fits agree",
})

# test_ridge
EXPECTED.update({
    "test_ridge::test_ridge_gcv_cv_results_not_stored[ridge0-make_regression]":
        "RidgeCV always has cv_results_, the per-alpha mean and spread of the CV "
        "loss with the keys of every sklreg *CV (plot_cv draws it); "
        "store_cv_results=True replaces it with scikit-learn's per-sample array",
    "test_ridge::test_ridge_regression[long-42-True-sag]": SAG,
    "test_ridge::test_ridge_regression[long-42-True-saga]": SAG,
    "test_ridge::test_ridge_regression[long-42-False-sag]": SAG,
    "test_ridge::test_ridge_regression[long-42-False-saga]": SAG,
    "test_ridge::test_ridge_regression[wide-42-True-sag]": SAG,
    "test_ridge::test_ridge_regression[wide-42-True-saga]": SAG,
    "test_ridge::test_ridge_regression[wide-42-False-sag]": SAG,
    "test_ridge::test_ridge_regression[wide-42-False-saga]": SAG,
    "test_ridge::test_ridge_fit_intercept_sparse_error[csr_matrix-saga]": FIT,
    "test_ridge::test_ridge_fit_intercept_sparse_error[csr_matrix-cholesky]": FIT,
    "test_ridge::test_ridge_fit_intercept_sparse_error[csr_array-saga]": FIT,
    "test_ridge::test_ridge_fit_intercept_sparse_error[csr_array-cholesky]": FIT,
    "test_ridge::test_ridge_fit_intercept_sparse_sag":
        "no 'sag' runs, so no warning that it needs many iterations on sparse X with "
        "an intercept; the fit itself passes",
    "test_ridge::test_n_iter":
        "'sag' and 'saga' run what 'auto' chooses (a direct solve here: n_iter_ is "
        "None), and 'sparse_cg' reports its iterations where scikit-learn's gives None",
    "test_ridge::test_lbfgs_solver_error":
        "'lbfgs' with positive=True runs coordinate descent, which solves this 2x2 "
        "problem (orthogonal columns) exactly in its one pass: nothing to warn about",
})

# test_huber
EXPECTED.update({
})

# test_quantile
EXPECTED.update({
})
