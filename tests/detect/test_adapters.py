"""PyODDetector: parameters without PyOD, the missing-dependency message, and PyOD itself."""

import sys

import numpy as np
import pytest
from sklearn.base import clone

from wavelens.detect import FeatureDetector, PyODDetector, make_detector
from wavelens.exceptions import MissingDependencyError, ValidationError
from wavelens.testing import plant_anomalies


def test_pyod_hyperparameters_are_estimator_parameters():
    det = PyODDetector("IForest", n_estimators=50, random_state=0)
    assert det.get_params() == {"name": "IForest", "contamination": 0.1, "n_estimators": 50, "random_state": 0}
    twin = clone(det)
    assert twin.get_params() == det.get_params() and twin is not det
    det.set_params(n_estimators=80, max_features=0.5)
    assert det.n_estimators == 80 and det.get_params()["max_features"] == 0.5
    assert "n_estimators=80" in repr(det) and "name='IForest'" in repr(det)


def test_parameter_names_that_clash_are_refused():
    expected = r"parameter name\(s\) \['fit'\] clash with this estimator's own attributes"
    with pytest.raises(ValidationError, match=expected):
        PyODDetector("KNN", fit=3)
    with pytest.raises(ValidationError, match=r"'threshold_' clashes with this estimator's own attributes"):
        PyODDetector("KNN").set_params(threshold_=1.0)


def test_missing_pyod_says_how_to_install(monkeypatch, blob):
    monkeypatch.setitem(sys.modules, "pyod", None)
    expected = (
        r"PyODDetector\('ECOD'\) \(a PyOD detector\) needs PyOD, which is not installed\. "
        r"Install with: pip install 'wavelens\[pyod\]'"
    )
    with pytest.raises(MissingDependencyError, match=expected):
        PyODDetector("ECOD").fit(blob)


def test_a_malformed_name_is_refused_before_importing(blob):
    expected = r"name must be the class name of a PyOD detector such as 'IForest' or 'ECOD', found 'os.system'"
    with pytest.raises(ValidationError, match=expected):
        PyODDetector("os.system").fit(blob)


def test_registry_prefix_builds_the_adapter():
    det = make_detector("pyod:HBOS", n_bins=5)
    assert isinstance(det, PyODDetector) and det.name == "HBOS" and det.n_bins == 5


# -- with PyOD installed -------------------------------------------------------------------
def test_pyod_scores_pass_through_unchanged(blob):
    pytest.importorskip("pyod")
    det = PyODDetector("KNN", n_neighbors=3).fit(blob)
    queries = np.vstack([blob[:5], [[8.0, 8.0, 8.0, 8.0]]])
    np.testing.assert_array_equal(det.decision_function(queries), det.model_.decision_function(queries))
    np.testing.assert_array_equal(det.decision_scores_, det.model_.decision_scores_)
    assert det.decision_function(queries)[-1] > det.threshold_ > det.decision_function(np.zeros((1, 4)))[0]


def test_pyod_unknown_model_and_parameter(blob):
    pytest.importorskip("pyod")
    expected = r"PyOD has no detector named 'NoSuchModel' \(looked for pyod\.models\.nosuchmodel\.NoSuchModel"
    with pytest.raises(ValidationError, match=expected):
        PyODDetector("NoSuchModel").fit(blob)
    with pytest.raises(ValidationError, match=r"unknown parameter\(s\) \['bogus'\] for PyOD's KNN; it takes \["):
        PyODDetector("KNN", bogus=1).fit(blob)


def test_pyod_behind_a_representation(train, test_set):
    pytest.importorskip("pyod")
    bad, _ = plant_anomalies(test_set, kind="constant", indices=[5], random_state=0)
    det = FeatureDetector("statistics", detector=PyODDetector("KNN", n_neighbors=3)).fit(train)
    assert int(np.argmax(det.decision_function(bad))) == 5
