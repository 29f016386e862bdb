"""Regularization paths: alpha_max, the alpha grid, warm-started solves."""
from sklreg.path._grid import alpha_grid, alpha_max, grid_top, validated_alpha_max
from sklreg.path._path import PathData, regularization_path
from sklreg.path._result import PathResult, collect_results

__all__ = ["PathData", "PathResult", "alpha_grid", "alpha_max", "collect_results",
           "grid_top", "regularization_path", "validated_alpha_max"]
