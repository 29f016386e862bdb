"""scikit-learn's own estimator checks, with no expected failures."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg import ElasticNet, Lasso, QuantileRegressor

ESTIMATORS = [Lasso(), ElasticNet(), Lasso(positive=True, selection="random"),
              QuantileRegressor(), QuantileRegressor(alpha=0.01, quantile=0.8, l1_ratio=0.7, tol=1e-10)]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
