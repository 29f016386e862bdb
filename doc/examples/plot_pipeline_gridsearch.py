"""
A Pipeline and GridSearchCV
===========================

sklreg estimators are scikit-learn estimators: they go in a
:class:`~sklearn.pipeline.Pipeline`, are cloned by
:class:`~sklearn.model_selection.GridSearchCV`, and take ``set_params``
with the pipeline's ``step__param`` names.  Here an elastic net on
standardised features with an added polynomial expansion of the diabetes
data, tuned over ``alpha`` and ``l1_ratio``.

For the alpha of a single estimator the ``*CV`` classes are much faster
(one warm-started path per fold instead of a fit from scratch per alpha and
fold); a grid search is the tool when the search crosses pipeline steps.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from sklreg import ElasticNet

X, y = load_diabetes(return_X_y=True)

pipe = make_pipeline(PolynomialFeatures(degree=2, include_bias=False),
                     StandardScaler(), ElasticNet(max_iter=5000))
alphas = np.geomspace(0.05, 20, 8)
l1_ratios = [0.2, 0.6, 1.0]
search = GridSearchCV(
    pipe,
    {"elasticnet__alpha": alphas, "elasticnet__l1_ratio": l1_ratios},
    cv=KFold(5, shuffle=True, random_state=0),
    scoring="neg_mean_squared_error",
)
search.fit(X, y)

best = search.best_estimator_[-1]
best_alpha = search.best_params_["elasticnet__alpha"]
best_ratio = search.best_params_["elasticnet__l1_ratio"]
print(f"best: alpha={best_alpha:.3g}, l1_ratio={best_ratio}")
print(f"non-zeros: {np.count_nonzero(best.coef_)} of {best.coef_.size} expanded features")
print(f"certificate: dual_gap_ = {best.dual_gap_:.2g} <= tol * P(0) = "
      f"{best.tol * 0.5 * y.var():.2g}")

# %%
# Mean cross-validated error of every (alpha, l1_ratio) pair:

mse = -search.cv_results_["mean_test_score"].reshape(len(alphas), len(l1_ratios))
fig, ax = plt.subplots(figsize=(7, 4.5))
for k, ratio in enumerate(l1_ratios):
    ax.plot(alphas, mse[:, k], "o-", markersize=3, label=f"l1_ratio={ratio}")
ax.axvline(best_alpha, color="black", linestyle="--",
           linewidth=1, label="best alpha")
ax.set_xscale("log")
ax.set_xlabel("alpha (log scale)")
ax.set_ylabel("mean squared error (5-fold CV)")
ax.set_title("GridSearchCV over a Pipeline ending in sklreg.ElasticNet")
ax.legend(fontsize="small")
plt.tight_layout()
