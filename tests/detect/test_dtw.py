"""DTW nearest-neighbour detector: against the Euclidean case, on ragged input, on real data."""

import sys

import numpy as np
import pytest

from wavelens.detect import DTWKNN, KNN
from wavelens.evaluate import pr_auc, roc_auc
from wavelens.exceptions import MissingDependencyError, ValidationError
from wavelens.testing import make_collection

aeon_datasets = pytest.importorskip("aeon.datasets")


def test_band_zero_is_the_euclidean_distance(train, test_set):
    dtw = DTWKNN(n_neighbors=3, band=0.0).fit(train)
    knn = KNN(n_neighbors=3).fit(train)
    np.testing.assert_allclose(dtw.decision_function(test_set), knn.decision_function(test_set), rtol=1e-9)
    np.testing.assert_allclose(dtw.decision_scores_, knn.decision_scores_, rtol=1e-9)


def test_warping_forgives_a_time_shift_that_euclid_does_not():
    t = np.linspace(0, 1, 120)
    train = np.stack([np.sin(2 * np.pi * 4 * (t - s)) * np.exp(-3 * t) for s in (0.0, 0.002, 0.004, 0.006)])
    shifted = np.sin(2 * np.pi * 4 * (t - 0.04)) * np.exp(-3 * t)  # a normal pattern, a bit late
    euclid = DTWKNN(n_neighbors=1, band=0.0).fit(train).decision_function(shifted[None])[0]
    warped = DTWKNN(n_neighbors=1, band=0.1).fit(train).decision_function(shifted[None])[0]
    assert warped < 0.5 * euclid


def test_training_scores_leave_each_series_out(train):
    det = DTWKNN(n_neighbors=2, band=0.1, method="max").fit(train)
    from aeon.distances import dtw_pairwise_distance

    D = np.sqrt(dtw_pairwise_distance(train.to_numpy().astype(np.float64), window=0.1))
    np.fill_diagonal(D, np.inf)
    np.testing.assert_allclose(det.decision_scores_, np.sort(D, axis=1)[:, 1], rtol=1e-12)


def test_ragged_series_are_scored_one_by_one_the_same():
    ragged = make_collection(n_series=14, n_channels=2, n_times=200, ragged=True, random_state=3)
    det = DTWKNN(n_neighbors=2).fit(ragged[:10])
    batch = det.decision_function(ragged[10:])
    single = [det.decision_function(ragged[[i]])[0] for i in range(10, 14)]
    np.testing.assert_allclose(batch, single, rtol=1e-12)
    assert isinstance(det.X_fit_, list) and det.n_times_ is None


@pytest.mark.parametrize(
    "params, message",
    [
        ({"band": 1.5}, r"band must be a fraction of the series length in \[0, 1\] or None, found 1.5"),
        ({"band": "wide"}, r"band must be a fraction .* found 'wide'"),
        ({"n_neighbors": 0}, r"n_neighbors must be an integer >= 1, found 0"),
        ({"method": "sum"}, r"method must be one of \('mean', 'max'\), found 'sum'"),
        ({"n_jobs": 0}, r"n_jobs must be -1 or a positive integer, found 0"),
    ],
)
def test_bad_parameters(params, message, train):
    with pytest.raises(ValidationError, match=message):
        DTWKNN(**params).fit(train)


def test_missing_aeon_says_how_to_install(monkeypatch, train):
    monkeypatch.setitem(sys.modules, "aeon.distances", None)
    expected = r"needs aeon, which is not installed\. Install with: pip install 'wavelens\[aeon\]'"
    with pytest.raises(MissingDependencyError, match=expected):
        DTWKNN().fit(train)


# -- real data: GunPoint (UCR), shipped inside aeon --------------------------------------
@pytest.fixture(scope="module")
def gunpoint():
    X_train, y_train = aeon_datasets.load_gunpoint(split="train")
    X_test, y_test = aeon_datasets.load_gunpoint(split="test")
    return X_train, y_train, X_test, y_test


@pytest.mark.parametrize(
    "normal, floor",
    # measured with these settings: 0.975 (Gun normal) and 0.845 (Point normal); the
    # Euclidean 1-NN (band=0) gets 0.883 and 0.809
    [("1", 0.96), ("2", 0.83)],
)
def test_gunpoint_one_class_against_the_other(gunpoint, normal, floor):
    X_train, y_train, X_test, y_test = gunpoint
    det = DTWKNN(n_neighbors=1, band=0.1).fit(X_train[y_train == normal])
    scores = det.decision_function(X_test)
    labels = (y_test != normal).astype(int)
    auc = roc_auc(labels, scores)
    assert auc > floor
    assert pr_auc(labels, scores) > floor - 0.05
    euclid = DTWKNN(n_neighbors=1, band=0.0).fit(X_train[y_train == normal]).decision_function(X_test)
    assert auc > roc_auc(labels, euclid) + 0.03  # warping helps on these gestures
