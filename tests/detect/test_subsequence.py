"""SubsequenceDetector and find_period: anomalies within one long series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wavelens.detect import SubsequenceDetector, find_period, load_detector, make_detector, save_detector
from wavelens.detect._subsequence import subsequence_scores
from wavelens.evaluate import roc_auc
from wavelens.exceptions import NotFittedError, ValidationError

_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "ecg-mba"


def _periodic(n=8000, period=50, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / period) + 0.3 * np.sin(4 * np.pi * t / period) + 0.05 * rng.standard_normal(n)


@pytest.mark.parametrize("period", [20, 50, 137])
def test_find_period_of_sine(period):
    x = np.sin(2 * np.pi * np.arange(5000) / period)
    assert abs(find_period(x) - period) <= 1


def test_find_period_constant_gets_documented_fallback():
    assert find_period(np.full(1000, 2.0)) == 50  # max(min_period, n // 20)


@pytest.mark.parametrize("kind", ["bump", "flat", "recurring"])
def test_planted_anomalies_found_self_join(kind):
    x = _periodic()
    labels = np.zeros(x.size, dtype=np.int64)
    spots = [3000] if kind != "recurring" else [1500, 3000, 4500, 6000]  # twins: 1-NN would miss them
    for s in spots:
        if kind == "flat":
            x[s : s + 40] = 0.0
        else:
            x[s : s + 40] += np.hanning(40) * 1.5
        labels[s : s + 40] = 1
    scores = SubsequenceDetector().score_points(x)
    assert scores.shape == x.shape and scores.dtype == np.float64 and np.isfinite(scores).all()
    assert roc_auc(labels, scores) > 0.95
    assert any(s - 80 <= int(np.argmax(scores)) < s + 120 for s in spots)


def test_constant_stretch_and_constant_series_finite():
    x = _periodic()
    x[2000:4000] = 1.0
    for normalize in ("mean", "zscore", "none"):
        s = SubsequenceDetector(window=60, normalize=normalize).score_points(x)
        assert np.isfinite(s).all()
    s = SubsequenceDetector().score_points(np.zeros(2000))
    assert np.isfinite(s).all() and s.shape == (2000,)


def test_reference_mode_and_collections():
    clean = _periodic(seed=1)
    test = _periodic(n=5000, seed=2)
    test[2500:2540] += 2.0
    det = SubsequenceDetector(window=75).fit(clean[np.newaxis, np.newaxis])
    s = det.score_points(test)
    assert s.shape == (5000,) and 2400 <= int(np.argmax(s)) < 2640
    # ragged collection: one score per series, per-sample lists of the right lengths
    other = _periodic(n=3000, seed=3)
    scores = det.decision_function([test[np.newaxis], other[np.newaxis]])
    assert scores.shape == (2,) and scores[0] > scores[1]
    pts = det.point_scores([test[np.newaxis], other[np.newaxis]])
    assert [p.shape for p in pts] == [(5000,), (3000,)]
    w, wmap = det.window_scores([other[np.newaxis]])
    assert w.shape == (wmap.n_windows,)
    np.testing.assert_allclose(subsequence_scores(test, window=75, reference=clean), s)


def test_errors():
    with pytest.raises(ValidationError, match=r"n_neighbors must be an integer >= 1"):
        SubsequenceDetector(n_neighbors=0).score_points(_periodic())
    with pytest.raises(ValidationError, match=r"normalize must be one of"):
        SubsequenceDetector(normalize="l2").score_points(_periodic())
    with pytest.raises(ValidationError, match=r"n_times=50, shorter than the window=100"):
        SubsequenceDetector(window=100).score_points(np.arange(50.0))
    det = SubsequenceDetector(window=100).fit(_periodic()[None, None])
    with pytest.raises(ValidationError, match=r"series 1 .*n_times=60.*100"):
        det.decision_function([_periodic(n=500)[None], _periodic(n=60)[None]])
    with pytest.raises(ValidationError, match=r"one series"):
        SubsequenceDetector().score_points(np.zeros((2, 3, 100)))
    with pytest.raises(NotFittedError):
        SubsequenceDetector().decision_function(_periodic()[None, None])


def test_registry_and_save_load(tmp_path):
    det = make_detector("subsequence", window=50, n_neighbors=5).fit(_periodic()[None, None])
    again = load_detector(save_detector(det, tmp_path / "d"))
    x = _periodic(n=3000, seed=5)
    np.testing.assert_array_equal(again.score_points(x), det.score_points(x))


@pytest.mark.skipif(not _DATA.is_dir(), reason="shared ECG data not present")
def test_real_ecg_slice():
    a = np.loadtxt(_DATA / "MBA_ECG805_data.out", delimiter=",", max_rows=40_000)
    scores = SubsequenceDetector().score_points(a[:, 0])
    # measured 0.990 (first 40,000 samples of MBA ECG 805); the floor leaves a margin
    assert roc_auc(a[:, 1].astype(np.int64), scores) > 0.97
