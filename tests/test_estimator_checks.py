"""scikit-learn's own estimator checks, with no expected failures."""
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg import ElasticNet, ElasticNetCV, HuberRegressor, Lasso, LassoCV

# The CV estimators run at a tight tol: the weights-equal-repeated-rows check
# compares predictions of two different solves to 1e-7, and a certified gap
# bounds the prediction difference only by about sqrt(gap).  Its data stack
# copies of 15 rows against 30 features (rank 15), so the default grid ends
# near interpolation, where no solver certifies 1e-14 in 1000 passes: the
# grid stops at alpha_max / 100 instead.
ESTIMATORS = [Lasso(), ElasticNet(), Lasso(positive=True, selection="random"),
              LassoCV(tol=1e-14, eps=1e-2),
              ElasticNetCV(l1_ratio=[0.5, 1.0], tol=1e-14, eps=1e-2)]

# Known limitation: a few checks fit data the model interpolates, where the
# optimal scale tends to 0 (down to its floor) and the solver reaches the
# certified tol slowly; it then warns, honestly.  The checks themselves pass.
HUBER = [HuberRegressor(max_iter=1000),
         HuberRegressor(l1_ratio=0.5, positive=True, max_iter=1000)]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(HUBER)
def test_huber_sklearn_compatible(estimator, check):
    check(estimator)
