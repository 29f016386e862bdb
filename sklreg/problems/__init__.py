"""Problems: a datafit, a penalty family and validated data, built once by an
estimator (``est._make_problem(X, y, sample_weight)``).  A problem owns P(0),
``alpha_max``, ``solve(alpha)`` and ``path(alphas)``; paths, cross-validation
and the estimators' fits go through it."""
from sklreg.problems._least_squares import ElasticNetUnits, LeastSquaresProblem, RidgeUnits
from sklreg.problems._ridge import RidgeProblem

__all__ = ["ElasticNetUnits", "LeastSquaresProblem", "RidgeProblem", "RidgeUnits"]
