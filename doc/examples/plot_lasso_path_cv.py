"""
Lasso path with the cross-validated choice marked
=================================================

:class:`sklreg.LassoCV` fits one warm-started path per fold and picks
``alpha`` by the mean squared error on the held-out folds.
:func:`sklreg.plot_path` draws the coefficients of the whole path against
``log(alpha)`` and marks two choices: the alpha with the lowest mean CV error
(``alpha_min_``) and the largest alpha whose error is within one standard
error of it (``alpha_1se_``, a sparser model that predicts about as well).

The data are scikit-learn's diabetes data: ten standardised baseline
variables (age, sex, body-mass index, blood pressure and six blood serum
measurements) of 442 patients, and a measure of disease progression one year
later.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes

from sklreg import LassoCV, plot_path

X, y = load_diabetes(return_X_y=True, as_frame=True)
cv = LassoCV(cv=5, random_state=0).fit(X, y)

print(f"alpha_min_ = {cv.alpha_min_:.4f}: "
      f"{np.count_nonzero(cv.coef_)} of {X.shape[1]} features kept")
print(f"alpha_1se_ = {cv.alpha_1se_:.4f}")
print(f"certificate of the refit: dual_gap_ = {cv.dual_gap_:.2e}")

# %%
# The path, from the empty model (left, at ``alpha_max``) to the least-squares
# fit (right).  Feature names come from the data frame.

fig, ax = plt.subplots(figsize=(7, 4.5))
plot_path(cv, X, y, ax=ax)
ax.set_title("Lasso path on the diabetes data")
ax.legend(fontsize="x-small", ncol=2, loc="lower left")
plt.tight_layout()

# %%
# The same path is available as numbers from
# :func:`sklreg.regularization_path`: every alpha, its coefficients,
# intercept and the duality gap that certifies it.

from sklreg import Lasso, regularization_path

path = regularization_path(Lasso(), X, y, alphas=cv.alphas_)
print("non-zeros along the path (every 10th alpha):", path.n_nonzero[::10])

# Each point stops when its gap is at most tol * P(0), P(0) = var(y) / 2 here.
p0 = 0.5 * y.var()
print(f"largest dual gap on the path: {path.dual_gaps.max() / p0:.1e} * P(0) "
      f"(tol = {Lasso().tol})")
