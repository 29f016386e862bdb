"""Parallel folds: every ``*CV`` at ``n_jobs=1`` and ``n_jobs=2``, and
scikit-learn's at ``n_jobs=2``, on the same data and splits.

Issue 23's data: ``X = standard_normal((20000, 100))`` (QuantileRegressorCV:
5000 x 50 and 10 alphas, as reported), 5 folds, sklreg's default grid of
each estimator (100 alphas; 30 for Huber).  scikit-learn's peers:
``LassoCV``/``ElasticNetCV`` themselves, ``GridSearchCV`` over the same
alphas for Ridge, Huber and quantile regression (``HuberRegressor`` has no
L1 part: sklreg's row uses ``l1_ratio=0``, the same objective).  Runs are
interleaved and the median of ``--repeat`` is printed with the ratio
``n_jobs=2 / n_jobs=1`` (below 1: parallel folds pay).  BLAS keeps its
default thread count outside the fits, as a user's session would.

    PYTHONPATH=. python benchmarks/cv_jobs.py [--repeat 3] [--only lasso ridge]
"""
import argparse
import time
import warnings

import numpy as np

N_FOLDS = 5


def data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:10] = rng.uniform(1, 2, 10)
    y = X @ w + rng.standard_normal(n)
    y[: n // 20] += 20.0 * rng.standard_normal(n // 20)       # outliers, robust rows
    return X, y


def rows():
    """name -> (shape, sklreg CV estimator(n_jobs), scikit-learn peer(alphas, n_jobs),
    number of alphas)."""
    import sklearn.linear_model as sk
    from sklearn.model_selection import GridSearchCV
    import sklreg

    def grid_search(make):
        return lambda alphas, n_jobs: GridSearchCV(make(), {"alpha": list(alphas)},
                                                   cv=N_FOLDS, n_jobs=n_jobs)
    return {
        "LassoCV": ((20000, 100), lambda j: sklreg.LassoCV(cv=N_FOLDS, n_jobs=j),
                    lambda a, j: sk.LassoCV(alphas=a, cv=N_FOLDS, n_jobs=j), 100),
        "ElasticNetCV": ((20000, 100),
                         lambda j: sklreg.ElasticNetCV(cv=N_FOLDS, n_jobs=j),
                         lambda a, j: sk.ElasticNetCV(alphas=a, cv=N_FOLDS, n_jobs=j), 100),
        "RidgeCV(cv=5)": ((20000, 100),
                          lambda j: sklreg.RidgeCV(alphas=np.logspace(-2, 4, 30),
                                                   cv=N_FOLDS, n_jobs=j),
                          grid_search(sk.Ridge), 30),
        "HuberRegressorCV": ((20000, 100),
                             lambda j: sklreg.HuberRegressorCV(cv=N_FOLDS, alphas=30,
                                                               n_jobs=j),
                             grid_search(sk.HuberRegressor), 30),
        "QuantileRegressorCV": ((5000, 50),
                                lambda j: sklreg.QuantileRegressorCV(cv=N_FOLDS, alphas=10,
                                                                     n_jobs=j),
                                grid_search(lambda: sk.QuantileRegressor(solver="highs")),
                                10),
    }


def timed(fit):
    t0 = time.perf_counter()
    model = fit()
    return time.perf_counter() - t0, model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args(argv)
    table = rows()
    names = args.only or list(table)
    print(f"{'estimator':<22}{'shape':>14}{'sklreg 1 job':>14}{'sklreg 2 jobs':>15}"
          f"{'2/1':>7}{'sklearn 2 jobs':>16}{'sklearn/sklreg2':>17}", flush=True)
    for name in names:
        shape, ours, peer, _ = table[name]
        X, y = data(*shape)
        one, two = [], []
        for _ in range(args.repeat):                    # interleaved
            t, model = timed(lambda: ours(1).fit(X, y))
            one.append(t)
            t, parallel = timed(lambda: ours(2).fit(X, y))
            two.append(t)
            assert parallel.alpha_ == model.alpha_, name
        t1, t2 = float(np.median(one)), float(np.median(two))
        theirs = "-"
        if not args.no_sklearn:
            alphas = np.atleast_1d(getattr(model, "alphas_", model.alphas))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ts, _ = timed(lambda: peer(alphas, 2).fit(X, y))
            theirs = f"{ts:>16.2f}{ts / t2:>17.2f}"
        print(f"{name:<22}{str(shape):>14}{t1:>14.2f}{t2:>15.2f}{t2 / t1:>7.2f}{theirs}",
              flush=True)


if __name__ == "__main__":
    main()
