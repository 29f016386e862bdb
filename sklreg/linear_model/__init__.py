from sklreg.linear_model._lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV"]
