from sklreg.linear_model._lasso import ElasticNet, Lasso
from sklreg.linear_model._quantile import QuantileRegressor

__all__ = ["ElasticNet", "Lasso", "QuantileRegressor"]
