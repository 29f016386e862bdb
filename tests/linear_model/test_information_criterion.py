"""LassoIC, ElasticNetIC, QuantileRegressorIC: alpha by AIC / BIC on one path."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LassoLarsIC
from sklearn.linear_model import QuantileRegressor as SkQuantileRegressor

from sklreg import ElasticNetIC, LassoIC, QuantileRegressorIC
from tests.conftest import make_problem


@pytest.mark.parametrize("criterion", ["aic", "bic"])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_ic_equals_lars_ic_at_the_knots_of_the_lars_path(criterion, positive):
    X, y = load_diabetes(return_X_y=True)
    ref = LassoLarsIC(criterion=criterion, positive=positive).fit(X, y)
    knots = ref.alphas_[ref.alphas_ > 0]
    ours = LassoIC(criterion=criterion, positive=positive, alphas=knots, tol=1e-14,
                   max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.criterion_, ref.criterion_[:len(knots)], rtol=1e-6)
    # LARS ends its path at alpha = 0 (least squares), not on our grid
    best = np.argmin(ref.criterion_[:len(knots)])
    assert ours.alpha_ == knots[best]
    ref_coef = ref.coef_path_[:, best] if hasattr(ref, "coef_path_") else None
    if ref.alpha_ == ours.alpha_:
        ref_coef = ref.coef_
    if ref_coef is not None:
        np.testing.assert_allclose(ours.coef_, ref_coef, atol=1e-6 * np.abs(ref_coef).max())


def gaussian_criterion(X, y, coefs, intercepts, df, sigma2, factor):
    rss = ((y[:, None] - X @ coefs.T - intercepts) ** 2).sum(axis=0)
    return len(y) * np.log(2 * np.pi * sigma2) + rss / sigma2 + factor * df


def test_lasso_ic_criterion_along_its_own_grid():
    X, y, _ = make_problem(120, 15)
    est = LassoIC(criterion="bic", alphas=30, tol=1e-10).fit(X, y)
    path = est.path_
    Xc = np.c_[np.ones(len(y)), X]
    ols = np.linalg.lstsq(Xc, y, rcond=None)[0]
    sigma2 = np.sum((y - Xc @ ols) ** 2) / (len(y) - X.shape[1] - 1)
    expected = gaussian_criterion(X, y, path.coefs, path.intercepts,
                                  (path.coefs != 0).sum(axis=1), sigma2, np.log(len(y)))
    np.testing.assert_allclose(est.criterion_, expected, rtol=1e-12)
    best = np.argmin(expected)
    assert est.alpha_ == path.alphas[best]
    np.testing.assert_array_equal(est.coef_, path.coefs[best])
    np.testing.assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_)


def test_elastic_net_ic_degrees_of_freedom_is_the_trace_of_the_active_set_smoother():
    X, y, _ = make_problem(100, 12)
    l1_ratio, sigma2 = 0.4, 2.0
    est = ElasticNetIC(l1_ratio=l1_ratio, alphas=15, tol=1e-12,
                       noise_variance=sigma2).fit(X, y)
    path, n = est.path_, len(y)
    df = []
    for alpha, coef in zip(path.alphas, path.coefs):
        A = X[:, coef != 0] - X[:, coef != 0].mean(axis=0)
        smoother = A @ np.linalg.solve(A.T @ A + n * alpha * (1 - l1_ratio) * np.eye(A.shape[1]),
                                       A.T)
        df.append(np.trace(smoother))
    expected = gaussian_criterion(X, y, path.coefs, path.intercepts, np.array(df), sigma2, 2.0)
    np.testing.assert_allclose(est.criterion_, expected, rtol=1e-10)
    assert est.noise_variance_ == sigma2


@pytest.mark.parametrize("Estimator", [LassoIC, ElasticNetIC])
def test_noise_variance_is_required_when_n_samples_is_too_small(Estimator):
    X, y, _ = make_problem(20, 19)
    with pytest.raises(ValueError, match="noise_variance"):
        Estimator().fit(X, y)
    fitted = Estimator(noise_variance=1.0).fit(X, y)
    assert fitted.noise_variance_ == 1.0 and np.isfinite(fitted.criterion_).all()


@pytest.mark.parametrize("Estimator", [LassoIC, ElasticNetIC, QuantileRegressorIC])
def test_sparse_x_and_frequency_weights(Estimator):
    X, y, _ = make_problem(80, 10)
    dense = Estimator(alphas=12, tol=1e-12).fit(X, y)
    sparse = Estimator(alphas=12, tol=1e-12).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.criterion_, dense.criterion_, rtol=1e-7)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-6)
    counts = np.random.default_rng(0).integers(1, 4, len(y))
    weighted = Estimator(alphas=dense.alphas_, tol=1e-12).fit(X, y, sample_weight=counts)
    repeated = Estimator(alphas=dense.alphas_, tol=1e-12).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.criterion_, repeated.criterion_, rtol=1e-6)
    assert weighted.alpha_ == repeated.alpha_


def pinball(y, pred, tau):
    r = y - pred
    return np.mean(np.maximum(tau * r, (tau - 1) * r))


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_quantile_ic_criterion_and_the_chosen_fit(criterion):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((250, 10))
    y = 2 * X[:, 0] - X[:, 3] + rng.standard_t(3, 250)
    tau = 0.7
    est = QuantileRegressorIC(quantile=tau, criterion=criterion, alphas=25).fit(X, y)
    path, n = est.path_, len(y)
    factor = 2.0 if criterion == "aic" else np.log(n)
    expected = [np.log(pinball(y, X @ c + b, tau)) + factor * np.count_nonzero(c) / (2 * n)
                for c, b in zip(path.coefs, path.intercepts)]
    np.testing.assert_allclose(est.criterion_, expected, rtol=1e-10)
    assert set(np.flatnonzero(est.coef_)) >= {0, 3}
    # the model at alpha_ is the exact linear-programming solution there
    ref = SkQuantileRegressor(quantile=tau, alpha=est.alpha_, solver="highs").fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)


def test_bic_selects_a_sparser_model_than_aic_on_diabetes():
    X, y = load_diabetes(return_X_y=True)
    aic = LassoIC(criterion="aic").fit(X, y)
    bic = LassoIC(criterion="bic").fit(X, y)
    assert bic.alpha_ >= aic.alpha_
    assert np.count_nonzero(bic.coef_) <= np.count_nonzero(aic.coef_)


def test_two_dimensional_y_is_an_error_and_a_column_is_raveled():
    X, y, _ = make_problem(60, 5)
    with pytest.raises(ValueError):
        LassoIC().fit(X, np.c_[y, y])
    with pytest.warns(Warning, match="column-vector y"):
        column = LassoIC().fit(X, y[:, None])
    assert column.coef_.shape == (5,)
