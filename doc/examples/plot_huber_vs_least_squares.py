"""
Huber regression against least squares, with outliers
=====================================================

A few gross outliers pull a least-squares fit (here :class:`sklreg.Ridge`
with a negligible penalty) towards them, because each sample's influence
grows with its residual.  The Huber loss is quadratic for residuals up to
``epsilon * scale_`` and linear beyond, so those samples pull with a bounded
force.  :class:`sklreg.HuberRegressor` estimates the scale jointly with the
coefficients (Owen's concomitant scale, as scikit-learn) and reports the
samples beyond the threshold in ``outliers_`` -- the gross errors, and also
the ordinary samples whose residual exceeds ``epsilon * scale_``: there the
loss is linear, not that those samples are wrong.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklreg import HuberRegressor, Ridge

rng = np.random.default_rng(0)
n = 80
x = rng.uniform(0, 10, n)
y = 1.0 + 0.5 * x + 0.4 * rng.standard_normal(n)
# 10% gross outliers, all on one side (e.g. a faulty sensor), at large x
bad = rng.choice(np.flatnonzero(x > 5), 8, replace=False)
y[bad] -= rng.uniform(6, 9, bad.size)
X = x[:, None]

ls = Ridge(alpha=1e-8).fit(X, y)
huber = HuberRegressor(epsilon=1.35, alpha=1e-8).fit(X, y)

print(f"true slope 0.5; least squares {ls.coef_[0]:.3f}, Huber {huber.coef_[0]:.3f}")
print(f"Huber scale_ = {huber.scale_:.3f}; outliers_ flags {huber.outliers_.sum()} "
      f"samples, all {huber.outliers_[bad].sum()} added outliers among them")
print(f"Huber's certificate: dual_gap_ = {huber.dual_gap_:.1e} "
      f"after {huber.n_iter_} iterations")

grid = np.linspace(0, 10, 2)[:, None]
fig, ax = plt.subplots(figsize=(7, 4.5))
clean = np.ones(n, dtype=bool)
clean[bad] = False
ax.scatter(x[clean], y[clean], s=15, color="tab:gray", label="samples")
ax.scatter(x[bad], y[bad], s=30, marker="x", color="tab:red",
           label="gross outliers (added)")
ax.plot(grid, 1.0 + 0.5 * grid, "k:", label="truth")
ax.plot(grid, ls.predict(grid), color="tab:orange", label="least squares")
ax.plot(grid, huber.predict(grid), color="tab:blue", label="Huber")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(fontsize="small")
ax.set_title("Outliers pull least squares, not Huber")
plt.tight_layout()

# %%
# ``epsilon`` trades efficiency on Gaussian noise for robustness: 1.35 keeps
# 95% of the efficiency of least squares when there are no outliers.  As it
# grows the fit approaches least squares.

for eps in [1.1, 1.35, 2.0, 3.0, 10.0]:
    fit = HuberRegressor(epsilon=eps, alpha=1e-8).fit(X, y)
    print(f"epsilon={eps:>5}: slope {fit.coef_[0]:.3f}, "
          f"{fit.outliers_.sum():2d} outliers")
