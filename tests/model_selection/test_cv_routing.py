"""``*CV.fit(**params)``: scikit-learn's metadata routing to the splitter."""
import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GroupKFold

from sklreg import RidgeCV
from tests.conftest import ESTIMATORS as REGISTRY
from tests.conftest import estimator_names, make_problem

# every CV estimator of the registry; a second l1_ratio routes through the
# (l1_ratio, fold) grid too
OVERRIDES = {"ElasticNetCV": dict(l1_ratio=[0.3, 0.8]), "HuberRegressorCV": dict(alphas=4),
             "QuantileRegressorCV": dict(alphas=4),
             "MultiTaskElasticNetCV": dict(l1_ratio=[0.3, 0.8])}
ESTIMATORS = [REGISTRY[name].make(**OVERRIDES.get(name, {}))
              for name in estimator_names("cv") + estimator_names("cv", multitask=True)]


@pytest.fixture(scope="module")
def problem():
    X, y, s = make_problem(80, 6, weights=True)
    groups = np.repeat(np.arange(8), 10)
    return X, y, s, groups


@pytest.fixture
def data(problem, est):
    """The problem, with two targets for a multi-task estimator."""
    X, y, s, groups = problem
    if REGISTRY[type(est).__name__].multitask:
        y = np.column_stack([y, 0.5 * y + X[:, 0]])
    return X, y, s, groups


def summary(est):
    return est.alpha_, np.asarray(est.coef_), est.best_score_ if isinstance(
        est, RidgeCV) else est.cv_results_["mean_test_loss"]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("weighted", [False, True])
def test_groups_are_routed_to_the_splitter(data, est, weighted):
    X, y, s, groups = data
    s = s if weighted else None
    splits = list(GroupKFold(4).split(X, y, groups))
    explicit = summary(sklearn.clone(est).set_params(cv=splits).fit(X, y, sample_weight=s))
    with sklearn.config_context(enable_metadata_routing=True):
        routed = summary(sklearn.clone(est).set_params(cv=GroupKFold(4)).fit(
            X, y, sample_weight=s, groups=groups))
    assert routed[0] == explicit[0]
    np.testing.assert_array_equal(routed[1], explicit[1])
    np.testing.assert_array_equal(routed[2], explicit[2])


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_params_without_routing_are_scikit_learns_error(data, est):
    X, y, _, groups = data
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        sklearn.clone(est).set_params(cv=GroupKFold(4)).fit(X, y, groups=groups)


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_unrequested_metadata_is_an_error_with_routing(data, est):
    X, y, _, _ = data
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises((TypeError, ValueError), match="unexpected|not requested|routed"):
            sklearn.clone(est).set_params(cv=3).fit(X, y, colour=np.ones(len(y)))
