"""Input validation: the one module that touches scikit-learn's validation API."""
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data


def validate_X_y(estimator, X, y, sample_weight=None, *, reset=True, finite_X=True):
    """Check X, y and sample_weight once, before any work.

    ``finite_X=False`` leaves X's values unchecked, for a solver whose first
    pass over X finds non-finite values anyway (then ``check_finite_X``).

    Returns X as a Fortran-ordered array or a CSC matrix of float32/float64
    (no copy when it already is one; never written to), y as float64 of
    shape (n_samples,) or (n_samples, n_targets), and the weights as float64
    or None.  An estimator whose tags say it is not multi-output gets
    scikit-learn's treatment of 2-D y: one column is raveled with a
    DataConversionWarning, more are an error.
    """
    X = check_sparse_structure(X)
    X, y = validate_data(
        estimator, X, y, reset=reset,
        accept_sparse="csc", dtype=[np.float64, np.float32], order="F",
        multi_output=estimator.__sklearn_tags__().target_tags.multi_output,
        y_numeric=True, copy=False, ensure_all_finite=finite_X,
    )
    if sp.issparse(X) and not X.has_canonical_format:
        # duplicate entries would break squared column norms; fix a copy
        X = X.copy()
        X.sum_duplicates()
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has no target columns: shape %r" % (y.shape,))
    return X, y, check_sample_weight(sample_weight, X.shape[0])


def validate_X(estimator, X):
    """Check X for ``predict``: the features seen in fit, a float dtype."""
    X = check_sparse_structure(X)
    return validate_data(estimator, X, accept_sparse=["csr", "csc", "coo"],
                         dtype=[np.float64, np.float32], reset=False)


def check_sparse_structure(X):
    """Raise a ValueError if sparse X's index arrays are out of range.

    scipy does not check them when a matrix is built from given arrays (or
    they are changed later), and compiled code -- scipy's format
    conversions and products, sklreg's kernels -- reads them without
    bounds checks: an index past the end crashes the process or reads
    other memory.  One O(nnz) pass over the indices, before anything else
    reads them.  Formats without index arrays (LIL, DOK, DIA) are turned
    into COO (numpy code only) and checked as such; the COO is returned.
    """
    if not sp.issparse(X):
        return X
    if X.format in ("csr", "csc", "bsr"):
        _check_compressed(X)
        return X
    if X.format != "coo":
        X = X.tocoo()
    if X.ndim != 2 or len(X.coords) != 2:
        return X      # scikit-learn's checks reject it
    for axis, name in ((0, "row"), (1, "column")):
        index = np.asarray(X.coords[axis])
        if index.shape != X.data.shape:
            raise ValueError("X is a malformed COO sparse matrix: %d %s indices "
                             "for %d values" % (index.size, name, X.data.size))
        _check_range(index, X.shape[axis], name)
    return X


def _check_compressed(X):
    """Index pointer and indices of a CSR, CSC or BSR X (see above)."""
    block = getattr(X, "blocksize", (1, 1))
    by_row = X.format != "csc"
    major, minor = (0, 1) if by_row else (1, 0)
    n_major = X.shape[major] // block[major]
    n_minor = X.shape[minor] // block[minor]
    indptr, indices = np.asarray(X.indptr), np.asarray(X.indices)
    kind = "%s sparse matrix" % X.format.upper()
    if indptr.ndim != 1 or indptr.size != n_major + 1:
        raise ValueError("X is a malformed %s: its index pointer has %d entries, "
                         "expected %d" % (kind, indptr.size, n_major + 1))
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
        raise ValueError("X is a malformed %s: its index pointer must start at 0 "
                         "and never decrease" % kind)
    nnz = int(indptr[-1])
    if nnz > min(indices.size, len(X.data)):
        raise ValueError("X is a malformed %s: its index pointer ends at %d, past "
                         "its %d stored indices and %d values"
                         % (kind, nnz, indices.size, len(X.data)))
    _check_range(indices[:nnz], n_minor, "row" if minor == 0 else "column")


def _check_range(index, size, name):
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index < 0) | (index >= size)][0]
        raise ValueError("X is a malformed sparse matrix: %s index %d is outside "
                         "[0, %d)" % (name, bad, size))


def check_finite_X(estimator, X):
    """Raise scikit-learn's error for X's NaN or infinite values, if any."""
    check_array(X, accept_sparse="csc", dtype=None, ensure_all_finite=True,
                estimator=estimator, input_name="X", copy=False)


def check_sample_weight(sample_weight, n_samples):
    """Return sample_weight as float64 of shape (n_samples,), or None."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, float(sample_weight))
    s = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                    input_name="sample_weight", copy=False)
    if s.ndim != 1 or s.shape[0] != n_samples:
        raise ValueError(
            "sample_weight must have shape (%d,), got %r" % (n_samples, s.shape))
    if np.any(s < 0):
        raise ValueError("sample_weight must be non-negative; got min %g" % s.min())
    if not np.any(s > 0):
        raise ValueError("sample_weight must have at least one positive entry; "
                         "all are zero")
    return s


def check_penalty_factor(penalty_factor, n_features):
    """Return penalty_factor as float64 of shape (n_features,)."""
    if penalty_factor is None:
        return np.ones(n_features)
    pf = check_array(penalty_factor, ensure_2d=False, dtype=np.float64,
                     input_name="penalty_factor", copy=True)
    if pf.ndim != 1 or pf.shape[0] != n_features:
        raise ValueError("penalty_factor must have shape (%d,), got %r"
                         % (n_features, pf.shape))
    if np.any(pf < 0):
        raise ValueError("penalty_factor must be non-negative; got min %g" % pf.min())
    return pf


def check_alphas(alphas):
    """A user-given alpha grid as float64, sorted decreasingly; each alpha
    must be finite and non-negative."""
    grid = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError("alphas must be an int or a non-empty 1-D array; got shape %r"
                         % (grid.shape,))
    if not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError("alphas must be finite and non-negative; got %r" % (alphas,))
    return np.sort(grid)[::-1]


def validate_params(estimator):
    """Check the constructor parameters against ``_parameter_constraints``."""
    estimator._validate_params()
