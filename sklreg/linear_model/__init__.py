from sklreg.linear_model._huber import HuberRegressor
from sklreg.linear_model._lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV

__all__ = ["ElasticNet", "ElasticNetCV", "HuberRegressor", "Lasso", "LassoCV"]
