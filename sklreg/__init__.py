"""sklreg: regularized linear regression, scikit-learn compatible, certified."""
from sklreg.linear_model import ElasticNet, HuberRegressor, Lasso
from sklreg.path import PathResult, alpha_max, enet_path, lasso_path, regularization_path

__version__ = "0.1.0.dev0"

__all__ = [
    "ElasticNet",
    "HuberRegressor",
    "Lasso",
    "PathResult",
    "alpha_max",
    "enet_path",
    "lasso_path",
    "regularization_path",
]
