"""Cross-validation: folds, one scoring of predictions, paths scored per
fold, and the one rule from test losses to alpha (best and 1-SE)."""
from sklreg.model_selection._folds import fold_scores, make_folds
from sklreg.model_selection._path_cv import cross_validate_path
from sklreg.model_selection._scoring import prediction_scorer, squared_error
from sklreg.model_selection._selection import (cv_results, one_standard_error_alpha,
                                               one_standard_error_index, select_alpha,
                                               warn_if_at_grid_edge)

__all__ = ["cross_validate_path", "cv_results", "fold_scores", "make_folds",
           "one_standard_error_alpha", "one_standard_error_index", "prediction_scorer",
           "select_alpha", "squared_error", "warn_if_at_grid_edge"]
