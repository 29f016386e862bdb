"""The estimator registry (tests/conftest.py) holds every public estimator, so
that each suite enumerating estimators checks a new one without being told."""
import inspect

import numpy as np
from sklearn.base import BaseEstimator

import sklreg
from tests.conftest import ESTIMATORS, estimator_names


def test_every_public_estimator_is_registered_under_its_name():
    public = {name for name in sklreg.__all__
              if inspect.isclass(getattr(sklreg, name))
              and issubclass(getattr(sklreg, name), BaseEstimator)}
    assert public == set(ESTIMATORS)
    for name, entry in ESTIMATORS.items():
        assert entry.cls is getattr(sklreg, name)


def test_every_entry_builds_its_small_and_checked_instances():
    for name, entry in ESTIMATORS.items():
        assert entry.kind in ("fit", "cv", "ic", "interval"), name
        assert entry.checks, f"{name}: scikit-learn's checks need at least one instance"
        for params in [entry.small, *entry.checks]:
            est = entry.cls(**params)
            assert {k: est.get_params()[k] for k in params} == params, name


def test_every_one_alpha_estimator_has_its_reference_specs():
    # the property, hard-problem and fuzz suites judge a fit by its family's
    # objective written in NumPy: a new one-alpha estimator needs its spec there
    from tests.estimators import test_fuzz_extremes, test_hard_problems, test_properties
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    d = dict(fit_intercept=True, alpha_fraction=0.1, quantile=0.5)
    one_alpha = {ESTIMATORS[name].cls for name in estimator_names("fit")}
    assert one_alpha <= {type(spec.make(X, y, None, d))
                         for spec in test_properties.SPECS.values()}
    assert one_alpha <= {type(make(0.1)) for make in test_hard_problems.ESTIMATORS.values()}
    assert one_alpha <= {type(spec.make()) for spec in test_fuzz_extremes.SPECS.values()}
