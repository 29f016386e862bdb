from sklreg.linear_model._lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV
from sklreg.linear_model._quantile import QuantileRegressor

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "QuantileRegressor"]
