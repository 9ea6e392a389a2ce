"""The summary that `wavelens inspect` prints: counts, lengths, constant and NaN series."""

import numpy as np

from wavelens import SignalSet
from wavelens.summary import summarize
from wavelens.testing import make_collection


def test_counts_lengths_labels():
    s = make_collection(12, 2, 200, ragged=True, min_times=100, n_classes=3, random_state=0)
    out = summarize(s)
    assert out.n_series == 12 and out.n_channels == 2
    assert out.length_min == s.lengths.min() and out.length_max == s.lengths.max()
    assert sum(out.labels.values()) == 12
    assert out.fs == [100.0] and out.dtype == "float32"
    assert out.n_constant == 0 and out.n_nonfinite == 0


def test_constant_and_nonfinite_reported_not_raised():
    X = np.random.default_rng(0).normal(size=(6, 2, 50))
    X[1] = 0.0
    X[2, 0] = 4.0  # one channel constant only: not a constant series
    X[4, 1, 3] = np.nan
    X[5, 0, 0] = np.inf
    X[5, 0, 1] = np.nan
    out = summarize(SignalSet(X, ids=[f"r{i}" for i in range(6)]))
    assert out.constant_ids == ["r1"]
    assert out.nonfinite_ids == ["r4", "r5"]
    assert out.n_nan_values == 2 and out.n_inf_values == 1
    rows = dict(out.rows())
    assert rows["constant series"] == "1: r1"
    assert rows["NaN / inf samples"] == "2 / 1"


def test_chunks_equal_whole():
    s = make_collection(30, 1, 64, random_state=1)
    whole = summarize(s)
    parts = summarize(s[i : i + 7] for i in range(0, 30, 7))
    assert whole.to_dict() == parts.to_dict()
