"""sklreg: regularized linear regression, scikit-learn compatible, certified."""
from sklreg.linear_model import (ElasticNet, ElasticNetCV, ElasticNetIC, HuberRegressor,
                                 HuberRegressorCV, Lasso, LassoCV, LassoIC, MultiTaskElasticNet,
                                 MultiTaskElasticNetCV, MultiTaskLasso, MultiTaskLassoCV,
                                 QuantileRegressor,
                                 QuantileRegressorCV, QuantileRegressorIC, Ridge, RidgeCV,
                                 enet_path, lasso_path)
from sklreg.inference import InferenceSummary, QuantileInterval, summary
from sklreg.path import PathResult, alpha_max, regularization_path
from sklreg.plotting import CVDisplay, PathDisplay, plot_cv, plot_path

__version__ = "0.1.0.dev0"

__all__ = [
    "CVDisplay",
    "PathDisplay",
    "plot_cv",
    "plot_path",
    "ElasticNet",
    "ElasticNetCV",
    "ElasticNetIC",
    "HuberRegressor",
    "HuberRegressorCV",
    "InferenceSummary",
    "Lasso",
    "LassoCV",
    "LassoIC",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "PathResult",
    "QuantileRegressor",
    "QuantileInterval",
    "QuantileRegressorCV",
    "QuantileRegressorIC",
    "alpha_max",
    "enet_path",
    "lasso_path",
    "regularization_path",
    "summary",
    "Ridge",
    "RidgeCV",
]
