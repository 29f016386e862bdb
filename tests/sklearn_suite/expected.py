"""scikit-learn tests that fail with sklreg on purpose, each with the reason.

Keys are ``file::test`` (every parametrisation) or ``file::test[params]``
(one).  ``doc/compat.rst`` shows this table; keep the two in step.
"""
EXPECTED = {}

# test_coordinate_descent and test_sparse_coordinate_descent
EXPECTED.update({
})

# test_ridge
EXPECTED.update({
})

# test_huber
EXPECTED.update({
})

# test_quantile
EXPECTED.update({
})
