"""Finite values too large or too small for float64 sums of squares
(issue 28, item 6): a ValueError naming X or y, never NaN coefficients."""
import numpy as np
import pytest

import sklreg
from sklreg import Lasso, QuantileRegressor, Ridge


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet", "Ridge", "HuberRegressor",
                                  "QuantileRegressor", "LassoCV", "RidgeCV",
                                  "HuberRegressorCV", "QuantileRegressorCV"])
@pytest.mark.parametrize("where", ["X", "y"])
def test_value_of_1e308_is_a_clear_error(name, where):
    """One entry of 1e308: NaN coefficients, a LinAlgError or an IndexError
    before; now a ValueError naming the array (for X under coordinate
    descent, its first pass's error naming X), or, for the quantile
    estimators, whose solver rescales X's columns, a finite fit."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    (X if where == "X" else y)[3] = 1e308
    if where == "X" and name.startswith("Quantile"):
        # its solver rescales the column (test_quantile_exact checks the fit)
        est = getattr(sklreg, name)().fit(X, y)
        assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
        return
    with pytest.raises(ValueError, match=rf"\b{where}\b.*overflow"):
        getattr(sklreg, name)().fit(X, y)


def test_magnitude_limits_keep_awkward_but_valid_data():
    """Values of 1e150 (squares 1e300) and 1e-150 still fit: only sums of
    squares beyond float64's range are refused."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    for scale in (1e150, 1e-150):
        ref = Ridge(alpha=1.0).fit(X, y)
        est = Ridge(alpha=scale**2).fit(X * scale, y * scale)
        np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-8)


@pytest.mark.parametrize("where", ["X", "y"])
def test_values_whose_squares_underflow_are_a_clear_error(where):
    """X or y all of magnitude ~1e-160: their squares underflow to zero, and
    a fit would read the column (or y) as zero and return zeros."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    if where == "X":
        X = X * 1e-160
    else:
        y = y * 1e-160
    for est in (Lasso(alpha=1e-170), Ridge(alpha=1e-320), QuantileRegressor(alpha=0.0)):
        if where == "X" and not isinstance(est, Ridge):
            continue          # Lasso's kernel reads X first; the quantile solver scales it
        with pytest.raises(ValueError, match=rf"\b{where}\b.*too small.*underflows"):
            est.fit(X, y)
