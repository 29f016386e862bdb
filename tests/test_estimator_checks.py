"""scikit-learn's own estimator checks, with no expected failures beyond the
ones scikit-learn declares for its namesake."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg import ElasticNet, Lasso, Ridge, RidgeCV

ESTIMATORS = [Lasso(), ElasticNet(), Lasso(positive=True, selection="random"),
              Lasso(solver="pg"), Ridge(), Ridge(solver="lsqr"), Ridge(solver="pg"),
              Ridge(positive=True), RidgeCV(), RidgeCV(cv=3)]


def expected_failed_checks(estimator):
    # scikit-learn declares the same for its Ridge: a direct solver has no
    # iterations, so n_iter_ is None
    if isinstance(estimator, Ridge) and estimator.solver in ("auto", "cholesky", "svd") \
            and not estimator.positive:
        return {"check_non_transformer_estimators_n_iter":
                "n_iter_ is None for direct solvers, as in scikit-learn's Ridge"}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
