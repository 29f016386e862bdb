"""
Cross-validation on a Dask cluster
==================================

The folds of every ``*CV`` estimator run through :mod:`joblib`.  Inside
``joblib.parallel_backend("dask")`` they are sent to the workers of a
:class:`dask.distributed.Client` instead -- a laptop's
:class:`~dask.distributed.LocalCluster` here, a real cluster in the same way
(pass its scheduler address to ``Client``).  The estimator code does not
change, and the result is the same as a local run.

To keep the gallery quick and self-contained this cluster runs its two
workers as threads (``processes=False``); the compiled solvers release the
GIL, so threads do run in parallel.
"""

import time

import joblib
import matplotlib.pyplot as plt
from dask.distributed import Client, LocalCluster

from sklreg import QuantileRegressorCV, plot_cv
from sklreg.datasets import make_correlated_data

X, y, _ = make_correlated_data(n_samples=400, n_features=30, n_informative=5,
                               random_state=0)
model = QuantileRegressorCV(quantile=0.9, cv=4, alphas=20, n_jobs=-1)

with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    print("workers:", len(client.scheduler_info()["workers"]))
    start = time.perf_counter()
    with joblib.parallel_backend("dask"):
        model.fit(X, y)
    print(f"4 folds x 20 alphas on the cluster: {time.perf_counter() - start:.2f} s")

local = QuantileRegressorCV(quantile=0.9, cv=4, alphas=20).fit(X, y)
print(f"alpha_ on the cluster {model.alpha_:.5f}, locally {local.alpha_:.5f}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_cv(model, ax=ax)
ax.set_ylabel("mean pinball loss (tau = 0.9)")
ax.set_title("QuantileRegressorCV, folds computed on a Dask cluster")
plt.tight_layout()
