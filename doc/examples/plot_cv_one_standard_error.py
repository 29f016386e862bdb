"""
Cross-validation curve and the one-standard-error rule
======================================================

Every ``*CV`` estimator of sklreg stores the test loss of every alpha on
every fold.  :func:`sklreg.plot_cv` draws the mean over the folds with one
standard error of that mean.  Two alphas are marked:

* ``alpha_min_``: the lowest mean CV loss;
* ``alpha_1se_``: the largest alpha whose mean loss is at most the lowest
  one plus its standard error (glmnet's ``lambda.1se``).  The losses at the
  two alphas cannot be told apart with the data at hand, so the simpler,
  more regularised model is a defensible choice.

``alpha_selection='1se'`` refits at ``alpha_1se_`` instead of
``alpha_min_``.  Here: a lasso on correlated synthetic data with 10
informative features out of 60.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklreg import LassoCV, plot_cv
from sklreg.datasets import make_correlated_data

X, y, w_true = make_correlated_data(n_samples=200, n_features=60, rho=0.5,
                                    n_informative=10, snr=2.0, random_state=0)

cv = LassoCV(cv=10, alphas=50, alpha_selection="1se").fit(X, y)

print(f"alpha_min_ = {cv.alpha_min_:.4f}, alpha_1se_ = {cv.alpha_1se_:.4f}")
print(f"refitted at alpha_ = {cv.alpha_:.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_cv(cv, ax=ax)
ax.set_ylabel("mean squared error on held-out folds")
ax.set_title("LassoCV: 10-fold CV curve")
plt.tight_layout()

# %%
# The 1-SE model is sparser.  Compare the supports with the true one:

from sklreg import Lasso

for name, alpha in [("alpha_min_", cv.alpha_min_), ("alpha_1se_", cv.alpha_1se_)]:
    coef = Lasso(alpha=alpha).fit(X, y).coef_
    found = np.flatnonzero(coef)
    true_found = np.intersect1d(found, np.flatnonzero(w_true)).size
    print(f"{name}: {found.size} non-zeros, {true_found} of the 10 true ones")

# %%
# The numbers behind the curve are in ``cv_results_`` (one column per fold,
# plus the mean, standard deviation and standard error):

res = cv.cv_results_
best = np.argmin(res["mean_test_loss"])
print(list(res)[:5], "...")
print(f"at alpha_min_: mean {res['mean_test_loss'][best]:.3f} "
      f"+- {res['sem_test_loss'][best]:.3f}")
