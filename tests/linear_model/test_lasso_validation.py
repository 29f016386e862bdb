"""Lasso, ElasticNet, their CV and the path functions: parameters and shapes
as scikit-learn checks and returns them (issue 22 items 6, 7, 10; issue 28
items 8, 9)."""
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from sklreg import (ElasticNet, ElasticNetCV, HuberRegressor, Lasso, LassoCV, alpha_max,
                    enet_path, lasso_path, regularization_path)
from tests.conftest import make_problem

X, Y, _ = make_problem(30, 4, seed=3)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"eps": -1}, ValueError, "eps"),
    ({"eps": 0}, ValueError, "eps"),
    ({"alphas": 0}, ValueError, "alphas"),
    ({"alphas": 2.5}, ValueError, "alphas"),
    ({"alphas": [0.1, -0.1]}, ValueError, r"alphas\[1\] == -0.1, must be >= 0.0"),
    ({"alphas": [0.1, np.nan]}, ValueError, r"alphas\[1\] == nan, must be finite"),
    ({"alphas": [np.inf]}, ValueError, r"alphas\[0\] == inf, must be finite"),
    ({"alphas": [1.0, "a"]}, TypeError, r"alphas\[1\] must be an instance of float"),
    ({"coef_init": np.full(4, np.nan)}, ValueError, "coef_init"),
    ({"coef_init": np.zeros(3)}, ValueError, "coef_init"),
    ({"normalize": True}, ValueError, "Unexpected parameters in params"),
    ({"fit_intercept": True}, ValueError, "Unexpected parameters in params"),
    ({"penalty_factor": np.zeros(4)}, ValueError, "penalty_factor is 0 for every feature"),
])
@pytest.mark.parametrize("path", [lasso_path, enet_path])
def test_path_functions_validate_their_arguments(path, kwargs, error, match):
    with pytest.raises(error, match=match):
        path(X, Y, **kwargs)


def test_automatic_grid_needs_an_l1_part():
    msg = "Automatic alpha grid generation is not supported for l1_ratio=0"
    with pytest.raises(ValueError, match=msg):
        enet_path(X, Y, l1_ratio=0)
    with pytest.raises(ValueError, match=msg):
        ElasticNetCV(l1_ratio=0, cv=3).fit(X, Y)
    with pytest.raises(ValueError, match=msg):
        sk.ElasticNetCV(l1_ratio=0, cv=3).fit(X, Y)      # the same words
    with pytest.raises(ValueError, match="penalty_factor is 0 for every feature"):
        LassoCV(penalty_factor=np.zeros(4), cv=3).fit(X, Y)
    # explicit alphas need no alpha_max: an unpenalised path is least squares
    _, coefs, _ = lasso_path(X, Y, alphas=[1.0, 0.1], penalty_factor=np.zeros(4), tol=1e-12)
    ols = np.linalg.lstsq(X, Y, rcond=None)[0]
    np.testing.assert_allclose(coefs, np.column_stack([ols, ols]), rtol=1e-6)


@pytest.mark.parametrize("path", [lasso_path, enet_path])
def test_path_deprecations_warn_as_sklearn(path):
    for kwargs, match in [({"n_alphas": 3}, "'n_alphas' was deprecated in 1.9"),
                          ({"alphas": None}, "'alphas=None' is deprecated")]:
        with pytest.warns(FutureWarning, match=match):
            alphas, _, _ = path(X, Y, **kwargs)
        assert alphas.shape == (kwargs.get("n_alphas", 100),)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path(X, Y, alphas=5)


def test_regularization_path_checks_its_grid():
    with pytest.raises(ValueError, match=r"alphas\[2\] == nan"):
        regularization_path(Lasso(), X, Y, alphas=[0.1, 0.01, np.nan])
    with pytest.raises(TypeError, match="float"):
        regularization_path(Lasso(), X, Y, alphas=0.1)
    with pytest.raises(ValueError, match="eps"):
        regularization_path(Lasso(), X, Y, eps=-1.0)


@pytest.mark.parametrize("alphas, error, match", [
    ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be >= 0.0."),
    ((1, 0.1, "a"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
    ((1, np.inf), ValueError, r"alphas\[1\] == inf, must be finite"),
    ((1, np.nan), ValueError, r"alphas\[1\] == nan, must be finite"),
])
@pytest.mark.parametrize("Estimator", [LassoCV, ElasticNetCV])
def test_cv_alphas_are_checked_entry_by_entry(Estimator, alphas, error, match):
    with pytest.raises(error, match=match):
        Estimator(alphas=alphas, cv=3).fit(X, Y)


def test_cv_parameters_as_sklearn():
    for eps in (1, 5.0):                      # any eps > 0, as scikit-learn
        ours = ElasticNetCV(eps=eps, alphas=3, cv=2).fit(X, Y)
        theirs = sk.ElasticNetCV(eps=eps, alphas=3, cv=2).fit(X, Y)
        np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-10)
    with pytest.raises(ValueError, match="non-empty"):
        ElasticNetCV(l1_ratio=[], cv=3).fit(X, Y)
    with pytest.raises(ValueError, match=r"l1_ratio\[1\] == 2.0, must be <= 1.0"):
        ElasticNetCV(l1_ratio=[0.5, 2.0], cv=3).fit(X, Y)
    with pytest.raises(ValueError, match="penalty_factor must have shape"):
        LassoCV(penalty_factor=np.ones(3), cv=3).fit(X, Y)


def test_explicit_alphas_with_several_l1_ratios_give_one_grid():
    alphas = [1.0, 0.1, 0.01]
    ours = ElasticNetCV(alphas=alphas, l1_ratio=[0.5, 0.9], cv=3).fit(X, Y)
    theirs = sk.ElasticNetCV(alphas=alphas, l1_ratio=[0.5, 0.9], cv=3).fit(X, Y)
    assert ours.alphas_.shape == theirs.alphas_.shape == (3,)
    assert ours.mse_path_.shape == theirs.mse_path_.shape == (2, 3, 3)
    auto = ElasticNetCV(alphas=4, l1_ratio=[0.5, 0.9], cv=3).fit(X, Y)
    assert auto.alphas_.shape == (2, 4)


def test_alpha_max_of_a_cv_estimator_is_its_grid_top():
    assert alpha_max(LassoCV(), X, Y) == alpha_max(Lasso(), X, Y)
    assert (alpha_max(ElasticNetCV(l1_ratio=0.3), X, Y)
            == alpha_max(ElasticNet(l1_ratio=0.3), X, Y))
    np.testing.assert_allclose(LassoCV(cv=3).fit(X, Y).alphas_[0], alpha_max(LassoCV(), X, Y))
    with pytest.raises(ValueError, match="single l1_ratio"):
        alpha_max(ElasticNetCV(l1_ratio=[0.1, 0.5]), X, Y)


@pytest.mark.parametrize("Estimator", [Lasso, ElasticNet])
def test_column_y_shapes_as_sklearn(Estimator):
    ours = Estimator(alpha=0.1).fit(X, Y.reshape(-1, 1))
    theirs = getattr(sk, Estimator.__name__)(alpha=0.1).fit(X, Y.reshape(-1, 1))
    assert ours.coef_.shape == theirs.coef_.shape == (4,)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_) == (1,)
    assert ours.predict(X).shape == theirs.predict(X).shape == (30,)
    assert np.shape(ours.dual_gap_) == np.shape(theirs.dual_gap_) == ()
    single = Estimator(alpha=0.1).fit(X, Y)
    np.testing.assert_array_equal(ours.coef_, single.coef_)


@pytest.mark.parametrize("Estimator", [LassoCV, ElasticNetCV])
def test_cv_column_y_shapes_as_sklearn(Estimator):
    with pytest.warns(Warning, match="column-vector y"):
        ours = Estimator(cv=3, alphas=5).fit(X, Y.reshape(-1, 1))
    assert ours.coef_.shape == (4,) and np.shape(ours.intercept_) == ()
    assert ours.predict(X).shape == (30,)


def test_alpha_zero_warns_as_sklearn():
    with pytest.warns(UserWarning, match="With alpha=0, this algorithm"):
        model = Lasso(alpha=0, tol=1e-12).fit(X, Y)
    ols = sk.LinearRegression().fit(X, Y)
    np.testing.assert_allclose(model.coef_, ols.coef_, rtol=1e-7)


def test_overflowing_columns_are_a_value_error_not_nan_coefficients():
    rng = np.random.RandomState(0)
    big = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    target = rng.randint(0, 2, size=10)
    with pytest.raises(ValueError, match="large values"):
        ElasticNet(alpha=0.1).fit(big, target)


def test_warm_start_after_a_change_of_features_starts_cold():
    model = Lasso(alpha=0.1, warm_start=True).fit(X, Y)
    model.fit(X[:, :3], Y)
    cold = Lasso(alpha=0.1).fit(X[:, :3], Y)
    np.testing.assert_allclose(model.coef_, cold.coef_, rtol=1e-6, atol=1e-10)


def test_a_given_gram_matrix_is_checked_as_sklearn():
    Xc = X - X.mean(axis=0)
    garbage = np.random.RandomState(0).standard_normal(X.shape)
    for Estimator in (ElasticNet, sk.ElasticNet):
        with pytest.raises(ValueError, match="Gram matrix.*did not pass validation"):
            Estimator(alpha=0.01, precompute=garbage.T @ garbage).fit(Xc, Y)
        with pytest.warns(UserWarning, match="Gram matrix was provided but X was centered"):
            Estimator(alpha=0.01, precompute=X.T @ X).fit(X, Y)
    s = np.random.RandomState(1).uniform(0.5, 2.0, 30)
    Xw = X - np.average(X, axis=0, weights=s)
    gram = Xw.T @ (Xw * (s * 30 / s.sum())[:, None])
    model = ElasticNet(alpha=0.01, precompute=gram).fit(Xw, Y, sample_weight=s)
    np.testing.assert_allclose(model.coef_, ElasticNet(alpha=0.01).fit(
        Xw, Y, sample_weight=s).coef_)


def test_nan_fold_ids_are_rejected():
    with pytest.raises(ValueError, match="fold_ids"):
        LassoCV().fit(X, Y, fold_ids=np.r_[np.zeros(15), np.full(15, np.nan)])
    ids = np.repeat([0.0, 1.0, 2.0], 10)                # float but whole: fine
    LassoCV(alphas=3).fit(X, Y, fold_ids=ids)


@pytest.mark.parametrize("Estimator", [Lasso, HuberRegressor])
def test_path_coef_init_is_only_a_start(Estimator):
    est = Estimator(tol=1e-10, max_iter=10_000)
    grid = [0.3, 0.03]
    cold = regularization_path(est, X, Y, alphas=grid)
    warm = regularization_path(est, X, Y, alphas=grid, coef_init=np.ones(4))
    np.testing.assert_allclose(warm.coefs, cold.coefs, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fit", [
    lambda X, y: Lasso().fit(X, y),
    lambda X, y: LassoCV(cv=3).fit(X, y),
    lambda X, y: lasso_path(X, y),
    lambda X, y: lasso_path(X, y, alphas=[0.1]),
    lambda X, y: alpha_max(Lasso(), X, y),
])
def test_overflowing_column_is_a_clear_error(fit):
    # issue 28, item 6: an entry of 1e308 gave NaN coefficients, and LassoCV
    # or lasso_path blamed penalty_factor
    X_big = np.array(X, copy=True)
    X_big[0, 0] = 1e308
    with pytest.raises(ValueError, match="overflows"):
        fit(X_big, Y)


def test_all_zero_weight_training_fold_names_the_fold():
    # issue 28, item 9: the message blamed the user's weights as a whole
    s = np.ones(len(Y))
    s[:10] = 0
    folds = [(np.arange(10), np.arange(10, 30)), (np.arange(10, 30), np.arange(10))]
    with pytest.raises(ValueError, match="zero on every training sample of fold 1"):
        LassoCV(cv=folds).fit(X, Y, sample_weight=s)


def test_convergence_warning_starts_with_sklearn_sentence():
    # code written for scikit-learn matches its warning's first sentence
    with pytest.warns(ConvergenceWarning, match="Objective did not converge. You might "
                      "want to increase the number of iterations.*duality gap"):
        Lasso(alpha=1e-10, tol=1e-14, max_iter=1).fit(X, Y)
