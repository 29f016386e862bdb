from sklreg.linear_model._lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV
from sklreg.linear_model._ridge import Ridge, RidgeCV

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "Ridge", "RidgeCV"]
