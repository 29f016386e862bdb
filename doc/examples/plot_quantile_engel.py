"""
Quantile regression bands on Engel's food-expenditure data
==========================================================

Engel's data (1857) relate the annual food expenditure of 235 Belgian
working-class households to their income.  The spread of expenditure grows
with income (heteroscedasticity), so one mean line says little about a
given household.  Three :class:`sklreg.QuantileRegressor` fits, at the
0.1, 0.5 and 0.9 quantiles, draw a band that holds about 80% of the
households at every income and widens with it.

``alpha=0`` gives the unpenalised quantile regression (scikit-learn's
default ``alpha=1.0`` would penalise the slope).  The data ship with
statsmodels.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from statsmodels.datasets import engel

from sklreg import QuantileRegressor, Ridge

data = engel.load_pandas().data
X, y = data[["income"]], data["foodexp"]

fits = {tau: QuantileRegressor(quantile=tau, alpha=0.0).fit(X, y)
        for tau in (0.1, 0.5, 0.9)}
mean = Ridge(alpha=0.0).fit(X, y)

for tau, fit in fits.items():
    below = np.mean(y <= fit.predict(X))
    print(f"tau={tau}: slope {fit.coef_[0]:.4f}, intercept {fit.intercept_:7.2f}, "
          f"share of households at or below the line {below:.2f}, "
          f"dual_gap_ {fit.dual_gap_:.1e}")
print(f"least squares: slope {mean.coef_[0]:.4f}")

grid = np.linspace(X["income"].min(), X["income"].max(), 2)
frame = pd.DataFrame({"income": grid})      # the fits know the column name
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.scatter(X["income"], y, s=10, color="tab:gray", alpha=0.7, label="households")
ax.fill_between(grid, fits[0.1].predict(frame), fits[0.9].predict(frame),
                color="tab:blue", alpha=0.15, label="0.1 - 0.9 quantile band")
for tau, style in [(0.1, "--"), (0.5, "-"), (0.9, "--")]:
    ax.plot(grid, fits[tau].predict(frame), style, color="tab:blue",
            label=f"quantile {tau}")
ax.plot(grid, mean.predict(frame), ":", color="tab:orange", label="least squares (mean)")
ax.set_xlabel("household income (Belgian francs)")
ax.set_ylabel("food expenditure")
ax.set_title("Engel's data: conditional quantiles of food expenditure")
ax.legend(fontsize="small", loc="upper left")
plt.tight_layout()

# %%
# The slopes differ: richer households are more spread out, so the 0.9
# quantile rises faster than the median and the 0.1 quantile more slowly.
# Such a band is a prediction interval that needs no assumption of constant
# or Gaussian noise.  On a log scale, where the spread is nearly constant,
# the three lines are close to parallel:

logX, logy = np.log(X), np.log(y)
for tau in (0.1, 0.5, 0.9):
    slope = QuantileRegressor(quantile=tau, alpha=0.0).fit(logX, logy).coef_[0]
    print(f"tau={tau}: elasticity {slope:.3f}")
