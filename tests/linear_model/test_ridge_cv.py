"""RidgeCV on the shared CV conventions: fold_ids, alpha_selection, alpha_1se_."""
import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from sklreg import Ridge, RidgeCV
from sklreg.model_selection import one_standard_error_alpha
from tests.conftest import make_problem

ALPHAS = np.geomspace(1e-2, 1e4, 15)


@pytest.fixture(scope="module")
def data():
    X, y, s = make_problem(90, 30, weights=True, shift=1.0)
    return X, y, s, np.arange(len(y)) % 4


def folds_of(fold_ids):
    return list(PredefinedSplit(fold_ids).split())


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_fold_ids_equal_grid_search_over_ridge(data, scoring):
    X, y, _, fold_ids = data
    ours = RidgeCV(alphas=ALPHAS, scoring=scoring).fit(X, y, fold_ids=fold_ids)
    grid = GridSearchCV(Ridge(), {"alpha": ALPHAS}, cv=folds_of(fold_ids),
                        scoring=scoring).fit(X, y)
    assert ours.alpha_ == ours.alpha_min_ == grid.best_params_["alpha"]
    assert ours.best_score_ == pytest.approx(grid.best_score_, rel=1e-8)
    np.testing.assert_allclose(ours.coef_, grid.best_estimator_.coef_, rtol=1e-8, atol=1e-10)
    # the 1-SE alpha from the grid search's own per-split scores
    splits = np.column_stack([grid.cv_results_[f"split{k}_test_score"] for k in range(4)])
    assert ours.alpha_1se_ == one_standard_error_alpha(ALPHAS, splits) >= ours.alpha_


def test_fold_ids_equal_sklearn_ridgecv_on_the_same_folds(data):
    X, y, s, fold_ids = data
    ours = RidgeCV(alphas=ALPHAS).fit(X, y, sample_weight=s, fold_ids=fold_ids)
    ref = sk.RidgeCV(alphas=ALPHAS, cv=PredefinedSplit(fold_ids)).fit(X, y, sample_weight=s)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    # fold_ids override cv
    by_cv = RidgeCV(alphas=ALPHAS, cv=folds_of(fold_ids)).fit(X, y, sample_weight=s)
    overridden = RidgeCV(alphas=ALPHAS, cv=7).fit(X, y, sample_weight=s, fold_ids=fold_ids)
    assert by_cv.alpha_ == overridden.alpha_ == ours.alpha_


@pytest.mark.parametrize("k_fold", [False, True])
def test_one_standard_error_selection_refits_at_alpha_1se(data, k_fold):
    X, y, s, fold_ids = data
    fit = {"fold_ids": fold_ids} if k_fold else {}
    best = RidgeCV(alphas=ALPHAS).fit(X, y, sample_weight=s, **fit)
    one_se = RidgeCV(alphas=ALPHAS, alpha_selection="1se").fit(X, y, sample_weight=s, **fit)
    assert one_se.alpha_min_ == best.alpha_ and one_se.alpha_1se_ == best.alpha_1se_
    assert one_se.alpha_ == one_se.alpha_1se_ > one_se.alpha_min_
    assert one_se.best_score_ == best.best_score_             # the score at alpha_min_
    refit = Ridge(alpha=one_se.alpha_1se_).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(one_se.coef_, refit.coef_, rtol=1e-8, atol=1e-10)
    assert one_se.intercept_ == pytest.approx(refit.intercept_, rel=1e-8)


def test_one_standard_error_selection_per_target(data):
    X, y, _, _ = data
    Y = np.column_stack([y, np.sin(y) * 3])
    model = RidgeCV(alphas=ALPHAS, alpha_per_target=True, alpha_selection="1se").fit(X, Y)
    np.testing.assert_array_equal(model.alpha_, model.alpha_1se_)
    for k in range(2):
        refit = Ridge(alpha=model.alpha_[k]).fit(X, Y[:, k])
        np.testing.assert_allclose(model.coef_[k], refit.coef_, rtol=1e-8, atol=1e-10)


def test_leave_one_out_unchanged_by_the_new_parameters(data):
    X, y, s, _ = data
    ours = RidgeCV(alphas=ALPHAS, alpha_selection="min").fit(X, y, sample_weight=s)
    ref = sk.RidgeCV(alphas=ALPHAS).fit(X, y, sample_weight=s)
    assert ours.alpha_ == ours.alpha_min_ == ref.alpha_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("params, fit, match", [
    ({"alpha_selection": "max"}, {}, "alpha_selection"),
    ({"store_cv_results": True}, {"fold_ids": True}, "store_cv_results"),
    ({"alpha_per_target": True}, {"fold_ids": True}, "alpha_per_target"),
    ({}, {"fold_ids": "short"}, "fold_ids"),
])
def test_wrong_fold_ids_and_selection_raise(data, params, fit, match):
    X, y, _, fold_ids = data
    if fit.get("fold_ids") is True:
        fit = {"fold_ids": fold_ids}
    elif fit.get("fold_ids") == "short":
        fit = {"fold_ids": fold_ids[:-1]}
    with pytest.raises(ValueError, match=match):
        RidgeCV(alphas=ALPHAS, **params).fit(X, y, **fit)
