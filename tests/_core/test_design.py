"""The compiled Design (sklreg._core._design): its products against NumPy."""
import numpy as np
import pytest

from sklreg._core._design import Design
from tests.conftest import make_problem


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_design_products_equal_numpy(sparse, dtype):
    # dense float64 X goes through one BLAS call unless w is mostly zero
    X, y, _ = make_problem(40, 30, sparse=sparse, dtype=dtype)
    dense = (X.toarray() if sparse else X).astype(np.float64)
    design, out = Design(X), np.empty(40)
    w = np.random.default_rng(1).standard_normal(30)
    for coef in (w, np.where(np.arange(30) < 5, w, 0.0), np.zeros(30)):
        design.matvec(coef, out)
        np.testing.assert_allclose(out, dense @ coef, rtol=1e-12, atol=1e-12)
    v = np.empty(30)
    design.rmatvec(y, v)
    np.testing.assert_allclose(v, dense.T @ y, rtol=1e-12)
