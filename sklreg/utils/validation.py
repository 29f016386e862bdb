"""Input validation: the one module that touches scikit-learn's validation API."""
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar
from sklearn.utils.metadata_routing import (MetadataRouter, MethodMapping,
                                            _raise_for_params, _routing_enabled,
                                            process_routing)
from sklearn.utils.validation import check_array, validate_data


def validate_X_y(estimator, X, y, sample_weight=None, *, reset=True, finite_X=True):
    """Check X, y and sample_weight once, before any work.

    ``finite_X=False`` leaves X's values unchecked, for a solver whose first
    pass over X finds non-finite values anyway (then ``check_finite_X``).
    Otherwise X and y must also be within float64's range for a fit's sums
    of squares (see ``check_magnitude``), X unless the estimator's
    ``_solver_scales_X`` says its solver rescales the columns itself.

    Returns X as a Fortran-ordered array or a CSC matrix of float32/float64
    (no copy when it already is one; never written to; an estimator whose
    ``_dense_order`` is None takes C order as well), y as float64 of
    shape (n_samples,) or (n_samples, n_targets), and the weights as float64
    or None.  An estimator whose tags say it is not multi-output gets
    scikit-learn's treatment of 2-D y: one column is raveled with a
    DataConversionWarning, more are an error.
    """
    X = check_sparse_structure(X)
    X, y = validate_data(
        estimator, X, y, reset=reset,
        accept_sparse="csc", dtype=[np.float64, np.float32],
        order=getattr(estimator, "_dense_order", "F"),
        multi_output=estimator.__sklearn_tags__().target_tags.multi_output,
        y_numeric=True, copy=False,
        ensure_all_finite=False,      # below, in the same pass as the magnitude
    )
    if not sp.issparse(X) and not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    if sp.issparse(X) and not X.has_canonical_format:
        # duplicate entries would break squared column norms; fix a copy
        X = X.copy()
        X.sum_duplicates()
    y = np.asarray(y, dtype=np.float64)
    if finite_X and not get_config()["assume_finite"]:
        # an estimator whose solver rescales X's columns itself says so
        if X.dtype == np.float64 and not getattr(estimator, "_solver_scales_X", False):
            check_magnitude(estimator, X, "X")
        else:        # float32 squares cannot overflow float64 sums
            check_finite_X(estimator, X)
    if not get_config()["assume_finite"]:
        check_magnitude(estimator, y, "y")
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


# A fit sums squares of X and y (column norms, Gram entries, residuals, the
# objective) and adds a few such sums together: float64 X and y are
# accepted when the sum of all their squares stays below 1/256 of the
# largest float64, and does not underflow when some value is non-zero.
# Beyond these limits a fit would return NaN or silently zero coefficients.
SQUARES_MAX = np.finfo(np.float64).max / 256
SQUARES_MIN = np.finfo(np.float64).tiny * 256


def check_magnitude(estimator, a, name):
    """Raise a ValueError naming ``name`` ("X" or "y") when the float64
    values of ``a`` (array or sparse) are non-finite or too large or too
    small to square and sum in float64.  One pass (a dot product), no copy
    of a Fortran- or C-ordered ``a``; NaN and infinity get scikit-learn's
    own error."""
    values = a.data if sp.issparse(a) else a.ravel(order="K")
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.dot(values, values))
    if SQUARES_MIN <= total <= SQUARES_MAX or total == 0.0:
        return
    if not np.isfinite(values).all():
        check_array(a, accept_sparse=True, dtype=None, ensure_all_finite=True,
                    ensure_2d=False, estimator=estimator, input_name=name, copy=False)
    largest = float(np.abs(values).max())
    if largest == 0.0:
        return
    problem = "overflows" if total > SQUARES_MAX else "underflows"
    raise ValueError(
        f"{name} has values too {'large' if total > SQUARES_MAX else 'small'} for "
        f"float64 arithmetic: the sum of their squares {problem} (largest "
        f"|{name}| = {largest:.3g}, {values.size} values). Rescale {name}, e.g. "
        f"divide it by a power of ten.")


def check_finite_X(estimator, X):
    """Raise scikit-learn's error for X's NaN or infinite values, if any."""
    check_array(X, accept_sparse="csc", dtype=None, ensure_all_finite=True,
                estimator=estimator, input_name="X", copy=False)


def check_column_norms(estimator, X, datafit):
    """Raise unless coordinate descent can run on X: a ValueError when a
    column's squared norm (``datafit.finite_norms``, computed anyway) is
    not finite -- scikit-learn's error for NaN or inf in X, else an
    overflow (an entry near 1e154 or above)."""
    if datafit.finite_norms:
        return
    check_finite_X(estimator, X)
    raise ValueError(
        "Coordinate descent cannot run on this X: the squared norm of a column "
        "overflows float64. The input data may contain large values and need to "
        "be preprocessed.")


def check_gram(gram, X, sample_weight, fit_intercept):
    """scikit-learn's check of a user's Gram matrix: one entry against X
    (centred and weighted as the fit sees it), or a warning that it cannot
    be used when X is not centred and an intercept is fitted."""
    n_samples, n_features = X.shape
    gram = np.asarray(gram)
    if gram.shape != (n_features, n_features):
        raise ValueError(f"precompute must be a Gram matrix of shape ({n_features}, "
                         f"{n_features}); got shape {gram.shape}")
    s = (np.ones(n_samples) if sample_weight is None
         else sample_weight * (n_samples / sample_weight.sum()))
    mu = (np.asarray(X.T @ s).ravel() / n_samples if fit_intercept
          else np.zeros(n_features))
    if fit_intercept and not np.allclose(mu, 0):
        warnings.warn("Gram matrix was provided but X was centered to fit intercept: "
                      "recomputing Gram matrix.", UserWarning, stacklevel=4)
        return
    f1 = n_features // 2
    f2 = min(f1 + 1, n_features - 1)
    column = lambda f: np.asarray(X[:, [f]].todense()).ravel() if sp.issparse(X) else X[:, f]  # noqa: E731
    expected = np.dot(s * (column(f1) - mu[f1]), column(f2) - mu[f2])
    actual = gram[f1, f2]
    rtol = 1e-4 if np.float32 in (gram.dtype, X.dtype) else 1e-7
    if not np.isclose(expected, actual, rtol=rtol, atol=1e-5):
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter did not pass validation "
            "when a single element was checked - please check that it was computed "
            f"properly. For element ({f1},{f2}) we computed {expected} but the "
            f"user-supplied value was {actual}.")


def check_sample_weight(sample_weight, n_samples):
    """Return sample_weight as float64 of shape (n_samples,), or None."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, float(sample_weight))
    s = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                    input_name="sample_weight", copy=False)
    if s.ndim != 1:     # scikit-learn's wording
        raise ValueError("Sample weights must be 1D array or scalar; got sample_weight "
                         "of shape %r" % (s.shape,))
    if s.shape[0] != n_samples:
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


def check_bounds(lower_bounds, upper_bounds, n_features, positive=False):
    """Return (lower, upper), the coefficients' bounds as float64 arrays of
    shape (n_features,) (None: unbounded on that side), checked: a scalar
    or one entry per feature, no NaN, ``lower <= upper``, ``lower < inf``,
    ``upper > -inf``, and no negative lower bound with ``positive=True``
    (which is ``lower_bounds=0``)."""
    bounds = []
    for name, value, default in (("lower_bounds", lower_bounds, -np.inf),
                                 ("upper_bounds", upper_bounds, np.inf)):
        if value is None:
            bounds.append(np.full(n_features, default))
            continue
        array = check_array(np.atleast_1d(value), ensure_2d=False, dtype=np.float64,
                            input_name=name, ensure_all_finite=False)
        if array.ndim != 1 or array.shape[0] not in (1, n_features):
            raise ValueError(f"{name} must be a scalar or have shape ({n_features},); "
                             f"got shape {array.shape}")
        if np.any(np.isnan(array)):
            raise ValueError(f"{name} must not contain NaN")
        if np.any(array == -default):
            raise ValueError(f"{name} must not be {-default}: no coefficient would be "
                             f"feasible")
        bounds.append(np.broadcast_to(array, (n_features,)).copy())
    lower, upper = bounds
    if positive and lower_bounds is not None and np.any(lower < 0):
        raise ValueError(f"positive=True (lower_bounds=0) conflicts with lower_bounds "
                         f"below 0 (min {lower.min():g}): pass one or the other")
    if positive:
        lower = np.maximum(lower, 0.0)
    wrong = np.flatnonzero(lower > upper)
    if wrong.size:
        j = wrong[0]
        raise ValueError(f"lower_bounds must be at most upper_bounds; feature {j} has "
                         f"lower_bounds={lower[j]:g} > upper_bounds={upper[j]:g}"
                         + (" (positive=True sets lower_bounds=0)" if positive else ""))
    return lower, upper


def alpha_values(alphas, name="alphas", *, strictly_positive=False, index_single=True):
    """User-given alphas (a float or a 1-D sequence) as float64 of shape
    (n_alphas,), in the given order.

    Each entry is checked as scikit-learn checks a CV estimator's alphas
    (``alphas[2] must be an instance of float, not str``, ``alphas[1] ==
    -1, must be >= 0.0``; ``> 0.0`` with ``strictly_positive``), and must
    also be finite.  A single entry is named without its index unless
    ``index_single``.
    """
    if isinstance(alphas, str) or np.ndim(alphas) > 1:
        raise ValueError(f"{name} must be a float or a 1-D array of floats; got {alphas!r}")
    values = np.atleast_1d(alphas) if np.ndim(alphas) == 0 else list(alphas)
    if len(values) == 0:
        raise ValueError(f"{name} must be a float or a non-empty 1-D array; got {alphas!r}")
    bounds = "neither" if strictly_positive else "left"
    for index, alpha in enumerate(values):
        label = f"{name}[{index}]" if index_single or len(values) > 1 else name
        check_scalar(alpha, label, target_type=numbers.Real, min_val=0.0,
                     include_boundaries=bounds)
        if not np.isfinite(alpha):
            raise ValueError(f"{label} == {alpha}, must be finite.")
    return np.asarray(values, dtype=np.float64)


def check_alphas(alphas, name="alphas"):
    """A user-given alpha grid as float64, each entry checked by
    ``alpha_values``, sorted decreasingly."""
    if isinstance(alphas, str) or np.ndim(alphas) > 1:
        raise ValueError(f"{name} must be an int or a 1-D array of floats; got {alphas!r}")
    if np.ndim(alphas) == 1 and len(alphas) == 0:
        raise ValueError(f"{name} must be an int or a non-empty 1-D array; got {alphas!r}")
    return np.sort(alpha_values(alphas, name))[::-1]


def validate_params(estimator):
    """Check the constructor parameters against ``_parameter_constraints``."""
    estimator._validate_params()


def cv_metadata_router(estimator, cv):
    """A cross-validated estimator's metadata routing: its own ``fit``
    metadata (``sample_weight``) and the splitter's ``split`` (e.g.
    ``groups``), as scikit-learn's ``LassoCV`` routes them."""
    return (MetadataRouter(owner=estimator).add_self_request(estimator)
            .add(splitter=None if cv is None else check_cv(cv),
                 method_mapping=MethodMapping().add(caller="fit", callee="split")))


def split_params(estimator, params, sample_weight=None):
    """The splitter's arguments among a ``*CV`` fit's extra ``params``.

    Without ``sklearn.set_config(enable_metadata_routing=True)`` any such
    parameter is scikit-learn's ValueError; with it they are routed by
    ``estimator.get_metadata_routing()`` (scikit-learn's error for one no
    consumer requested).
    """
    _raise_for_params(params, estimator, "fit")
    if not _routing_enabled():
        return {}
    metadata = dict(params)
    if sample_weight is not None:
        metadata["sample_weight"] = sample_weight
    routed = process_routing(estimator, "fit", **metadata)
    return dict(routed.splitter.split) if "splitter" in routed else {}
