from sklreg.linear_model._huber import HuberRegressor
from sklreg.linear_model._lasso import ElasticNet, Lasso

__all__ = ["ElasticNet", "HuberRegressor", "Lasso"]
