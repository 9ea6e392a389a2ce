"""WindowedDetector: any detector on windows, aggregated per series or spread per sample."""

from __future__ import annotations

import numpy as np
import pytest

from wavelens.detect import KNN, WindowedDetector, load_detector, make_detector, save_detector
from wavelens.evaluate import roc_auc
from wavelens.exceptions import ValidationError
from wavelens.testing import make_collection, plant_anomalies


def _periodic(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (np.sin(2 * np.pi * t / 50) + 0.05 * rng.standard_normal(n))[np.newaxis]


def test_planted_anomaly_in_long_series_found():
    det = WindowedDetector(window=100, step=25).fit([_periodic(6000, 0)])
    x = _periodic(8000, 1)  # a different length than in fit
    x[0, 5000:5060] += 2.0 * np.hanning(60)
    pts = det.point_scores([x])
    assert len(pts) == 1 and pts[0].shape == (8000,) and np.isfinite(pts[0]).all()
    labels = np.zeros(8000, dtype=np.int64)
    labels[5000:5060] = 1
    assert roc_auc(labels, pts[0]) > 0.95
    assert 4900 <= int(np.argmax(pts[0])) < 5160


@pytest.mark.parametrize("how", ["max", "mean", "topk_mean"])
def test_aggregation_matches_window_scores(how):
    train = make_collection(n_series=10, n_times=600, random_state=0)
    test = make_collection(n_series=4, n_times=700, random_state=1)
    det = WindowedDetector(detector=KNN(n_neighbors=3), window=100, step=50, aggregate=how, k=2).fit(train)
    w, wmap = det.window_scores(test)
    series = [w[wmap.windows_of(i)] for i in range(4)]
    expected = {
        "max": [s.max() for s in series],
        "mean": [s.mean() for s in series],
        "topk_mean": [np.sort(s)[-2:].mean() for s in series],
    }[how]
    np.testing.assert_allclose(det.decision_function(test), expected)


def test_ranks_planted_series_and_constant_is_finite():
    train = make_collection(n_series=20, n_times=1024, random_state=0)
    test, _ = plant_anomalies(make_collection(n_series=8, n_times=1500, random_state=1),
                              kind="burst", indices=[2], random_state=0)
    det = WindowedDetector(window=256, step=128).fit(train)
    assert int(np.argmax(det.decision_function(test))) == 2
    flat = test.to_numpy().copy()
    flat[4] = 0.0
    assert np.isfinite(det.decision_function(flat)).all()


def test_short_series_error_and_pad():
    det = WindowedDetector(detector=KNN(n_neighbors=3), window=100).fit([_periodic(1000, 0)])
    with pytest.raises(ValidationError, match=r"series 1.*n_times=40.*size=100"):
        det.decision_function([_periodic(500, 1), _periodic(40, 2)])
    padded = WindowedDetector(detector=KNN(n_neighbors=3), window=100, tail="pad").fit([_periodic(1000, 0)])
    assert padded.decision_function([_periodic(40, 2)]).shape == (1,)


def test_bad_parameters():
    X = [_periodic(1000, 0)]
    with pytest.raises(ValidationError, match=r"aggregate must be one of"):
        WindowedDetector(aggregate="median", window=100).fit(X)
    with pytest.raises(ValidationError, match=r"window must be an integer >= 1"):
        WindowedDetector(window=0).fit(X)
    with pytest.raises(ValidationError, match=r"detector must be a wavelens detector"):
        WindowedDetector(detector="knn", window=100).fit(X)


def test_registry_and_save_load(tmp_path):
    train = make_collection(n_series=10, n_times=600, random_state=0)
    det = make_detector("windowed", window=100, step=50).fit(train)
    again = load_detector(save_detector(det, tmp_path / "w"))
    test = make_collection(n_series=3, n_times=800, random_state=2)
    np.testing.assert_array_equal(again.decision_function(test), det.decision_function(test))
