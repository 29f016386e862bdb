import os

# scikit-learn runs its array-API input check only with this set before scipy loads
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
import scipy.sparse as sp

from sklreg.datasets import make_correlated_data


def make_problem(n, p, *, sparse=False, dtype=np.float64, weights=False,
                 seed=0, shift=0.0):
    """A regression problem; ``shift`` offsets the columns (non-zero means)."""
    X, y, _ = make_correlated_data(n, p, density=0.3 if sparse else 1.0,
                                   random_state=seed)
    if shift and not sparse:
        X = X + shift
    if sparse and shift:
        X = sp.csc_matrix(X)
        X.data += shift
    y = y + 3.0
    X = X.astype(dtype)
    s = np.random.default_rng(seed + 1).uniform(0.2, 2.0, n) if weights else None
    return X, y, s


@pytest.fixture
def rng():
    return np.random.default_rng(0)
