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
EXPECTED.update({
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
