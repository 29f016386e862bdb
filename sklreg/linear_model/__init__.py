from sklreg.linear_model._lasso import ElasticNet, Lasso

__all__ = ["ElasticNet", "Lasso"]
