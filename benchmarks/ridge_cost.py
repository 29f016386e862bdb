"""What Ridge's exactness costs, counted in passes over X (issue 22, 26).

For each shape of the Ridge benchmark rows, sklreg's ``Ridge()`` ('auto':
exact to rounding on dense X, as scikit-learn's Cholesky is) is set beside
the iterative solvers at the default ``tol=1e-4`` (sklreg's 'sparse_cg' and
'lsqr', scikit-learn's 'lsqr' and 'sparse_cg').  Counted, not timed:

* ``passes``: products with X or X^T (one per column of the right-hand
  side), the column means, squared norms and the magnitude check, each one
  pass over X (sklreg's, by wrapping its functions); scikit-learn's
  iterative solvers as two passes per iteration (``n_iter_``, or its CG's
  callbacks), its centring not counted.
* ``syrk``: the Gram or kernel product, as its multiply-adds over those of
  a pass (``min(n, p) / 2``); one syrk multiply-add costs about 1/10 of a
  pass's (X^T X) or 1/4 (X X^T) on this machine, so divide by that for
  passes' worth.
* ``err``: ``max|w - w*| / max|w*|`` against scikit-learn's SVD solve.

    python benchmarks/ridge_cost.py            # the rows' full shapes
    python benchmarks/ridge_cost.py --quick    # the --quick shapes
"""
import argparse
import collections
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn import linear_model as sk

import sklreg
import sklreg.solvers._centred as centred
import sklreg.utils.validation as validation
from sklreg.datasets import make_correlated_data

COUNTS = collections.Counter()


def _count(module, name, weigh):
    original = getattr(module, name)

    def counted(*args, **kwargs):
        COUNTS["passes"] += weigh(*args, **kwargs)
        return original(*args, **kwargs)
    setattr(module, name, counted)


_count(centred, "times64", lambda X, V, transpose=False: 1 if np.ndim(V) == 1 else V.shape[1])
_count(centred, "weighted_sqnorms", lambda X, s: 1)
_count(validation, "check_magnitude", lambda est, a, name: int(name == "X"))
_count(centred, "syrk", lambda A, trans: 0)
_original_init = centred.CentredDesign.__init__


def _init(self, X, sample_weight, fit_intercept):
    COUNTS["passes"] += int(fit_intercept)          # the column means
    _original_init(self, X, sample_weight, fit_intercept)


centred.CentredDesign.__init__ = _init
_original_syrk = centred.syrk


def _syrk(A, trans):
    COUNTS["syrk"] += min(A.shape) / 2.0
    return _original_syrk(A, trans)


centred.syrk = _syrk


def _count_sklearn_cg():
    """scikit-learn's 'sparse_cg' reports no iterations: count them."""
    import sklearn.linear_model._ridge as sk_ridge
    original = sk_ridge._sparse_linalg_cg

    def cg(A, b, **kwargs):
        callback = kwargs.pop("callback", None)

        def counting(xk):
            COUNTS["sklearn_cg"] += 1
            if callback is not None:
                callback(xk)
        return original(A, b, callback=counting, **kwargs)
    sk_ridge._sparse_linalg_cg = cg


_count_sklearn_cg()

SHAPES = {"ridge_dense_n_gg_p": (20000, 500, 1.0), "ridge_dense_p_gg_n": (500, 5000, 1.0),
          "ridge_sparse": (50000, 20000, 0.001)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(f"{'row':20s} {'shape':>14s} {'solver':22s} {'ran':>10s} {'iter':>5s} "
          f"{'passes':>7s} {'syrk':>6s} {'err':>9s}")
    for row, (n, p, density) in SHAPES.items():
        if args.quick:
            n, p = max(n // 10, 200), max(p // 10, 50)
        X, y, _ = make_correlated_data(n, p, rho=0.5, density=density, random_state=0)
        if min(n, p) <= 5000:
            dense = X.toarray() if sp.issparse(X) else X
            w = sk.Ridge(alpha=1.0, solver="svd").fit(dense, y).coef_
        else:       # too large for a dense SVD: CG run to rounding
            w = sklreg.Ridge(alpha=1.0, solver="sparse_cg", tol=1e-14).fit(X, y).coef_
        fits = [("sklreg auto", lambda: sklreg.Ridge(alpha=1.0)),
                ("sklreg sparse_cg 1e-4", lambda: sklreg.Ridge(alpha=1.0, solver="sparse_cg")),
                ("sklreg lsqr 1e-4", lambda: sklreg.Ridge(alpha=1.0, solver="lsqr")),
                ("sklearn lsqr 1e-4", lambda: sk.Ridge(alpha=1.0, solver="lsqr")),
                ("sklearn sparse_cg 1e-4", lambda: sk.Ridge(alpha=1.0, solver="sparse_cg"))]
        for name, make in fits:
            COUNTS.clear()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make().fit(X, y)
            n_iter = (int(np.sum(model.n_iter_)) if model.n_iter_ is not None
                      else COUNTS["sklearn_cg"])
            ran = getattr(model, "solver_", model.solver)
            passes = COUNTS["passes"] if name.startswith("sklreg") else 2 * n_iter
            err = np.abs(model.coef_ - w).max() / np.abs(w).max()
            print(f"{row:20s} {str((n, p)):>14s} {name:22s} {ran:>10s} {n_iter:5d} "
                  f"{passes:7d} {COUNTS['syrk']:6.0f} {err:9.1e}", flush=True)


if __name__ == "__main__":
    main()
