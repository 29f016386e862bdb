"""What the command line's modules (``_cli``, ``_csv``, ``_demo``) share."""


class UsageError(Exception):
    """Bad input or options: reported as ``error: ...`` with exit code 2."""


def use_agg():
    """Select matplotlib's file-only backend; a UsageError without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plots need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def ridge_grid(X, y, n_alphas=100, eps=1e-6):
    """A geometric alpha grid for Ridge: from the largest eigenvalue of the
    centred Gram matrix down by a factor ``eps``."""
    from sklreg import Ridge, regularization_path

    return regularization_path(Ridge(), X, y, alphas=n_alphas, eps=eps).alphas
