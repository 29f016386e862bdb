"""The estimator registry (tests/conftest.py) holds every public estimator, so
that each suite enumerating estimators checks a new one without being told."""
import inspect

from sklearn.base import BaseEstimator

import sklreg
from tests.conftest import ESTIMATORS


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
