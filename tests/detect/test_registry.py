"""Detectors by name."""

import pytest

from wavelens.detect import DTWKNN, KNN, LOF, OCSVM, IForest, KPCAResidual, Mahalanobis, PCAResidual
from wavelens.detect import detector_names, make_detector
from wavelens.exceptions import ValidationError


@pytest.mark.parametrize(
    "name, cls",
    [("lof", LOF), ("iforest", IForest), ("ocsvm", OCSVM), ("pca", PCAResidual), ("mahalanobis", Mahalanobis),
     ("knn", KNN), ("dtw-knn", DTWKNN), ("kpca", KPCAResidual), ("DTW_KNN", DTWKNN), (" LOF ", LOF)],
)
def test_every_name_builds_its_class(name, cls):
    assert type(make_detector(name)) is cls


def test_parameters_are_passed_on():
    det = make_detector("lof", n_neighbors=5, contamination=0.2)
    assert det.get_params() == {"n_neighbors": 5, "metric": "euclidean", "contamination": 0.2}


def test_names_listed():
    names = detector_names()
    assert names[-1] == "pyod:<Name>" and {"lof", "iforest", "ocsvm", "pca", "mahalanobis", "knn", "dtw-knn", "kpca"} <= set(names)


def test_unknown_name_lists_the_valid_ones():
    expected = r"unknown detector 'isolation'; valid names: \['dtw-knn', 'iforest', .*'pyod:<Name>'\]"
    with pytest.raises(ValidationError, match=expected):
        make_detector("isolation")


def test_unknown_parameter_lists_the_detector_parameters():
    expected = r"make_detector\('knn'\): unknown parameter\(s\) \['k'\]; KNN takes \['contamination', 'method', 'n_neighbors'\]"
    with pytest.raises(ValidationError, match=expected):
        make_detector("knn", k=3)


@pytest.mark.parametrize("name, message", [(3, r"name must be a string such as 'lof', found 3"),
                                           ("pyod:", r"'pyod:' names no PyOD model")])
def test_malformed_names(name, message):
    with pytest.raises(ValidationError, match=message):
        make_detector(name)
