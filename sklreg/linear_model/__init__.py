from sklreg.linear_model._huber import HuberRegressor
from sklreg.linear_model._lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV
from sklreg.linear_model._quantile import QuantileRegressor
from sklreg.linear_model._ridge import Ridge, RidgeCV

__all__ = ["ElasticNet", "ElasticNetCV", "HuberRegressor", "Lasso", "LassoCV",
           "QuantileRegressor", "Ridge", "RidgeCV"]
