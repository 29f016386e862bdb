"""CentredDesign (sklreg.solvers._centred): the weighted, centred Gram and
kernel of a sparse or dense X against NumPy's."""
import numpy as np

from sklreg.solvers._centred import CentredDesign
from tests.conftest import make_problem


def test_sparse_intercept_gram_and_kernel_match_dense_centring():
    X, y, s = make_problem(40, 25, sparse=True, weights=True, shift=2.0)
    design = CentredDesign(X, s, True)
    Xt = np.sqrt(s)[:, None] * (X.toarray() - np.average(X.toarray(), axis=0, weights=s))
    np.testing.assert_allclose(design.gram(), Xt.T @ Xt, atol=1e-10)
    np.testing.assert_allclose(design.kernel(), Xt @ Xt.T, atol=1e-10)
    Xf = np.asfortranarray(X.toarray())
    np.testing.assert_allclose(CentredDesign(Xf, s, True).gram(), Xt.T @ Xt, atol=1e-10)
