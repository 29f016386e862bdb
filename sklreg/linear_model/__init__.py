from sklreg.linear_model._lasso import ElasticNet, Lasso
from sklreg.linear_model._ridge import Ridge, RidgeCV

__all__ = ["ElasticNet", "Lasso", "Ridge", "RidgeCV"]
