from sklreg.linear_model._huber import HuberRegressor, HuberRegressorCV
from sklreg.linear_model._information_criterion import (ElasticNetIC, LassoIC,
                                                        QuantileRegressorIC)
from sklreg.linear_model._lasso import ElasticNet, Lasso
from sklreg.linear_model._lasso_cv import ElasticNetCV, LassoCV
from sklreg.linear_model._lasso_path import enet_path, lasso_path
from sklreg.linear_model._multitask import MultiTaskElasticNet, MultiTaskLasso
from sklreg.linear_model._multitask_cv import MultiTaskElasticNetCV, MultiTaskLassoCV
from sklreg.linear_model._quantile import QuantileRegressor
from sklreg.linear_model._quantile_cv import QuantileRegressorCV
from sklreg.linear_model._ridge import Ridge
from sklreg.linear_model._ridge_cv import RidgeCV

__all__ = ["ElasticNet", "ElasticNetCV", "ElasticNetIC", "HuberRegressor", "HuberRegressorCV",
           "Lasso", "LassoCV", "LassoIC", "MultiTaskElasticNet",
           "MultiTaskElasticNetCV", "MultiTaskLasso", "MultiTaskLassoCV",
           "QuantileRegressor", "QuantileRegressorCV", "QuantileRegressorIC", "Ridge",
           "RidgeCV", "enet_path", "lasso_path"]
