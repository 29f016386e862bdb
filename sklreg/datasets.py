"""Synthetic regression problems shared by tests, examples and benchmarks."""
import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state


def make_correlated_data(n_samples=100, n_features=50, *, rho=0.5,
                         n_informative=10, snr=3.0, density=1.0,
                         dtype=np.float64, random_state=None):
    """Gaussian design with Toeplitz correlation ``rho ** |i - j|``.

    Parameters
    ----------
    n_samples, n_features : int
    rho : float in [0, 1), default=0.5
        Correlation between neighbouring features (dense X only).
    n_informative : int, default=10
        Number of non-zero true coefficients, spread evenly.
    snr : float, default=3.0
        Ratio ``||X w||/||noise||``.
    density : float in (0, 1], default=1.0
        Below 1, X is a CSC matrix with that fraction of non-zeros
        (independent columns).
    dtype : float32 or float64
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray (Fortran-ordered) or CSC matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    w_true : ndarray of shape (n_features,)
    """
    rng = check_random_state(random_state)
    if density < 1.0:
        X = sp.random(n_samples, n_features, density=density, format="csc",
                      random_state=rng, data_rvs=rng.standard_normal)
    else:
        X = np.empty((n_samples, n_features), order="F")
        X[:, 0] = rng.standard_normal(n_samples)
        # AR(1) across columns gives corr(X_i, X_j) = rho ** |i - j|
        scale = np.sqrt(1.0 - rho ** 2)
        for j in range(1, n_features):
            X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n_samples)
    w_true = np.zeros(n_features)
    support = np.linspace(0, n_features - 1, min(n_informative, n_features)).astype(int)
    w_true[support] = rng.choice([-1.0, 1.0], support.size) * rng.uniform(1, 2, support.size)
    signal = X @ w_true
    noise = rng.standard_normal(n_samples)
    y = signal + noise * np.linalg.norm(signal) / (snr * np.linalg.norm(noise) + 1e-300)
    return X.astype(dtype), y, w_true
