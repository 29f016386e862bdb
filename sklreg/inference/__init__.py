"""Inference for fitted models: coefficient summaries and prediction intervals."""
from sklreg.inference._conformal import QuantileInterval
from sklreg.inference._summary import summary
from sklreg.inference._table import InferenceSummary

__all__ = ["InferenceSummary", "QuantileInterval", "summary"]
