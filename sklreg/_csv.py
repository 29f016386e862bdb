"""Reading a numeric table from a CSV file for the command line.

The header is read here; the data by the fastest reader installed: pandas
when installed, else NumPy's ``loadtxt``.  Both read only the columns in
use, so text columns that are neither features nor the target cost
nothing.  When the fast reader rejects the file, or finds an empty or
non-finite value, the file is read again with the standard library to name
the first bad cell by column and line.
"""
import csv
import math

import numpy as np

from sklreg._cli_common import UsageError

OTHER_SEPARATORS = [";", "\t", "|", ","]


def read_table(path, sep=",", target=None, columns=None, drop=None, features=None):
    """Read the feature columns (and the target, if given) of a CSV file.

    Parameters
    ----------
    path : str
    sep : str, the field separator
    target : str or None, the column to predict
    columns : list of str or None, the features (default: every column but
        the target and ``drop``)
    drop : list of str or None, columns that are not features
    features : list of str or None, the exact features a saved model needs
        (for ``predict``; other columns are ignored)

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), Fortran-ordered float64
    y : ndarray of shape (n_samples,), or None without a target
    features : list of str
    """
    header, header_line = _read_header(path, sep)
    _check_header(header, path)
    wanted = [target] if target is not None else []
    if features is None:
        features = _choose_features(header, target, columns, drop, path, sep)
    wanted += list(features)
    missing = [name for name in wanted if name not in header]
    if missing:
        raise UsageError(_missing_message(missing, header, path, sep))
    positions = [header.index(name) for name in wanted]
    data = _fast_read(path, sep, header_line, positions)
    if data is None or not np.isfinite(data).all():
        _diagnose(path, sep, header, wanted)        # raises with the first bad cell
        raise UsageError(f"{path} could not be read as a numeric table")
    if data.shape[0] == 0:
        raise UsageError(f"{path} has a header but no data rows")
    y = data[:, 0] if target is not None else None
    X = data[:, 1:] if target is not None else data         # still Fortran-ordered
    return X, y, list(features)


def parse_names(text):
    """``"a,b, c"`` -> ``["a", "b", "c"]`` (the value of --columns/--drop)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _open(path):
    try:
        return open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _read_header(path, sep):
    with _open(path) as f:
        reader = csv.reader(f, delimiter=sep)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    return [name.strip() for name in row], reader.line_num
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"{path} is not a readable CSV text file: {exc}") from None
    raise UsageError(f"{path} is empty: expected a header row and data rows")


def _check_header(header, path):
    unnamed = [k + 1 for k, name in enumerate(header) if not name]
    if unnamed:
        raise UsageError(f"{path}: header column {unnamed[0]} has no name")
    seen = set()
    for name in header:
        if name in seen:
            raise UsageError(f"{path}: column name {name!r} appears twice in the header")
        seen.add(name)


def _choose_features(header, target, columns, drop, path, sep):
    if columns:
        if len(set(columns)) < len(columns):
            raise UsageError("--columns names a column twice")
        if target in columns:
            raise UsageError(f"--columns lists the target {target!r}")
        return list(columns)
    for name in drop or []:
        if name not in header:
            raise UsageError(_missing_message([name], header, path, sep, "--drop"))
    features = [name for name in header if name != target and name not in (drop or [])]
    if not features:
        raise UsageError(f"{path} has no feature column besides the target {target!r}")
    return features


def _missing_message(missing, header, path, sep, what="column"):
    message = (f"{what} {missing[0]!r} is not in {path}; its columns are: "
               + ", ".join(repr(h) for h in header))
    if len(header) == 1:
        guess = next((s for s in OTHER_SEPARATORS if s != sep and s in header[0]), None)
        if guess is not None:
            message += (f" (one column: are the fields separated by {guess!r}? "
                        f"then pass --sep {guess!r})")
    return message


def _fast_read(path, sep, header_line, positions):
    """The columns at ``positions`` (in that order) as float64, or None when
    the reader finds a value that is not a number."""
    used = sorted(set(positions))
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        try:    # dtype="float64" here would double the read time: checked below
            frame = pd.read_csv(path, sep=sep, header=None, skiprows=header_line,
                                usecols=used, encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError):        # pandas' ParserError included
            return None
        if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in frame.dtypes):
            return None
        by_position = {p: frame[p].to_numpy(dtype=np.float64) for p in used}
    else:
        try:
            data = np.loadtxt(path, delimiter=sep, skiprows=header_line, usecols=used,
                              ndmin=2, encoding="utf-8-sig", quotechar='"', comments=None,
                              dtype=np.float64)
        except (ValueError, UnicodeDecodeError):
            return None
        data = np.asfortranarray(data)
        by_position = {p: data[:, k] for k, p in enumerate(used)}
    n_samples = len(by_position[used[0]])
    columns = np.empty((n_samples, len(positions)), order="F")
    for k, p in enumerate(positions):       # contiguous column copies
        columns[:, k] = by_position[p]
    return columns


def _diagnose(path, sep, header, wanted):
    """Raise a UsageError naming the first bad cell of the ``wanted`` columns."""
    index = {name: header.index(name) for name in wanted}
    wanted = sorted(wanted, key=index.get)           # the first bad cell of the line
    with _open(path) as f:
        reader = csv.reader(f, delimiter=sep)
        try:
            rows = ((reader.line_num, row) for row in reader
                    if any(cell.strip() for cell in row))
            next(rows)                                          # the header
            n_rows = 0
            for line, row in rows:
                n_rows += 1
                if len(row) != len(header):
                    raise UsageError(f"{path}, line {line}: {len(row)} fields, but the "
                                     f"header has {len(header)}")
                for name in wanted:
                    _check_cell(row[index[name]], name, line, path)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"{path} is not a readable CSV text file: {exc}") from None
    if n_rows == 0:
        raise UsageError(f"{path} has a header but no data rows")


def _check_cell(cell, name, line, path):
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        shown = f"the value {cell.strip()!r}" if cell.strip() else "an empty value"
        raise UsageError(f"column {name!r} has {shown} on line {line} of {path}: every "
                         f"feature and the target must be a finite number (--drop or "
                         f"--columns leave other columns out)")
