"""scikit-learn's own estimator checks, with no expected failures."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg import ElasticNet, HuberRegressor, Lasso

ESTIMATORS = [Lasso(), ElasticNet(), Lasso(positive=True, selection="random"),
              HuberRegressor(), HuberRegressor(l1_ratio=0.5, positive=True)]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
