"""The common checks, run over every public estimator of wavelens."""

from __future__ import annotations

import importlib
import inspect

import pytest

from wavelens.base import WavelensEstimator
from wavelens.testing import estimator_checks

# Packages whose public estimators must pass the common checks; a package that
# needs an optional extra (torch) is skipped where the extra is missing.
_PACKAGES = ["wavelens.transforms", "wavelens.detect", "wavelens.models"]


def _estimators():
    found = []
    for name in _PACKAGES:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if inspect.isclass(obj) and issubclass(obj, WavelensEstimator) and not inspect.isabstract(obj):
                if obj.__name__.startswith("Base"):
                    continue
                for k, params in enumerate(obj._get_test_params()):
                    found.append(pytest.param(obj, params, id=f"{obj.__name__}-{k}"))
    return found


def _cases():
    cases = []
    for p in _estimators():
        cls, params = p.values
        for check_name, _ in estimator_checks(cls(**params)):
            cases.append(pytest.param(cls, params, check_name, id=f"{p.id}-{check_name}"))
    return cases


@pytest.mark.parametrize("cls, params, check_name", _cases())
def test_common_check(cls, params, check_name):
    checks = dict(estimator_checks(cls(**params)))
    checks[check_name]()
