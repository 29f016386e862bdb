"""The majoriser's inner solves (sklreg.solvers.huber._majorise)."""
import numpy as np
import pytest

from sklreg import HuberRegressor


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_majoriser_gradient_from_the_certificate_is_the_datafits(fit_intercept, monkeypatch):
    """Each inner solve starts from minus the majoriser's gradient taken
    from the certificate's X^T theta (no pass over X): it equals the
    weighted least-squares datafit's own, computed from X, to rounding;
    with a column whose mean dominates its spread none is passed (that
    sum would cancel).  The fit is the one inner solves reading X reach."""
    from sklreg.solvers.huber import _majorise
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 40)) + rng.uniform(-3, 3, 40)
    y = X[:, :5].sum(axis=1) + rng.standard_normal(300)
    y[:15] += 30.0
    s = rng.uniform(0.5, 2.0, 300)
    solve_cd, seen = _majorise.solve_cd, []

    def checked(datafit, penalty, w, **kwargs):
        given = kwargs.get("gradient")
        seen.append(given is not None)
        if given is not None:
            v = datafit.full_gap(penalty, w.copy())[2]
            np.testing.assert_allclose(given, v, rtol=0, atol=1e-10 * np.abs(v).max())
        return solve_cd(datafit, penalty, w, **kwargs)

    monkeypatch.setattr(_majorise, "solve_cd", checked)
    est = HuberRegressor(alpha=1.0, l1_ratio=0.5, fit_intercept=fit_intercept,
                         tol=1e-8).fit(X, y, sample_weight=s)
    assert seen and all(seen)
    # the same optimum as inner solves that read their first gradient from X
    monkeypatch.setattr(_majorise, "_majoriser_gradient", lambda *args: None)
    plain = HuberRegressor(alpha=1.0, l1_ratio=0.5, fit_intercept=fit_intercept,
                           tol=1e-8).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(est.coef_, plain.coef_, rtol=0,
                               atol=1e-5 * np.abs(plain.coef_).max())
    seen.clear()
    X[:, 0] = 1e6 + 1e-3 * rng.standard_normal(300)     # its mean dominates
    HuberRegressor(alpha=1.0, l1_ratio=0.5, fit_intercept=True, tol=1e-8).fit(
        X, y, sample_weight=s)
    assert seen and not any(seen)
