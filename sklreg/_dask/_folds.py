"""Folds of Dask data without moving rows: a row's fold is the user's
``fold_ids`` (aligned with X) or a seeded hash of its block and position,
and each fold trains on the merge of the others' moments (merged, not
subtracted: no cancellation)."""
from numbers import Integral

import numpy as np
from sklearn.model_selection import KFold

from sklreg._dask._moments import block_fold_ids, merge_all

NEVER_TESTED = -1       # PredefinedSplit's label of rows that are only trained on


def hashed_folds(cv):
    """(n_folds, seed) of the hashed folds standing for ``cv``."""
    if cv is None:
        return 5, 0
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        return int(cv), 0
    if type(cv) is KFold:
        seed = cv.random_state if isinstance(cv.random_state, Integral) else 0
        return cv.n_splits, int(seed)
    raise ValueError(
        f"cv={cv!r} is not available on Dask data, whose rows are not shuffled: give "
        "cv as an int or a KFold (folds then come from a seeded hash of each row's "
        "block and position), or fold numbers per row as fold_ids")


def hashed_fold_ids(X, cv=None):
    """The fold labels (a Dask array) that a ``*CV``'s ``fit`` on Dask ``X``
    uses when no ``fold_ids`` are given, to reproduce its folds elsewhere."""
    import dask.array as da

    n_folds, seed = hashed_folds(cv)
    rows = X.to_dask_array(lengths=True)[:, 0] if hasattr(X, "divisions") else X[:, 0]
    return da.map_blocks(lambda b, block_info=None: block_fold_ids(
        b, block_info[0]["chunk-location"][0], n_folds, seed), rows, dtype=np.int64)


def split_folds(labelled):
    """[(train moments, test moments)] per fold, the total and the folds'
    labels, from the moments of each fold label."""
    tested = sorted(label for label in labelled if label != NEVER_TESTED)
    if len(tested) < 2:
        raise ValueError(f"cross-validation needs at least 2 folds; got {len(tested)}")
    folds = []
    for k, label in enumerate(tested):
        train = merge_all([m for other, m in labelled.items() if other != label])
        if train.weight <= 0:
            raise ValueError(
                f"sample_weight is zero on every training sample of fold {k + 1}: nothing "
                "to fit there. Give those samples weight or choose other folds.")
        if labelled[label].weight <= 0:
            raise ValueError(f"sample_weight is zero on every test sample of fold {k + 1}: "
                             "its loss is undefined. Choose other folds.")
        folds.append((train, labelled[label]))
    return folds, merge_all(list(labelled.values())), tested
