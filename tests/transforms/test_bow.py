"""Tests of wavelens.transforms._bow.BagOfWords."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from wavelens.data import SignalSet
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.testing import make_collection
from wavelens.transforms import BagOfWords, Detrend, Statistics, make_windows


def two_shapes(n_per_class: int = 12, n_times: int = 512, seed: int = 0, ragged: bool = False):
    """Class 0: sinusoids; class 1: square waves — same frequency range, different shapes."""
    rng = np.random.default_rng(seed)
    series, labels = [], []
    for label in (0, 1):
        for _ in range(n_per_class):
            n = int(rng.integers(n_times // 2, n_times + 1)) if ragged else n_times
            t = np.arange(n)
            phase = np.sin(2 * np.pi * t / rng.uniform(20, 30) + rng.uniform(0, 2 * np.pi))
            x = np.sign(phase) if label else phase
            series.append((x + 0.05 * rng.standard_normal(n))[None].astype(np.float32))
            labels.append(label)
    return series, np.array(labels)


def test_histograms_are_normalised_and_keep_dtype():
    X = make_collection(n_series=10, n_channels=2, n_times=300, random_state=0)
    for dtype in (np.float32, np.float64):
        Xd = X.astype(dtype)
        H = BagOfWords(window=32, step=16, n_words=6, random_state=0).fit(Xd).transform(Xd)
        assert H.shape == (10, 6) and H.dtype == dtype
        np.testing.assert_allclose(H.sum(axis=1), 1.0, rtol=1e-6)
        assert np.all(H >= 0)


def test_histogram_counts_the_words_of_each_series():
    X = make_collection(n_series=6, n_times=256, random_state=1)
    bow = BagOfWords(window=32, step=32, n_words=4, tail="drop", random_state=0).fit(X)
    H = bow.transform(X)
    # recompute the words by hand from the fitted parts
    W, wmap = make_windows(X, size=32, step=32)
    z = (W - W.mean(axis=-1, keepdims=True)) / W.std(axis=-1, keepdims=True)
    desc = (z.reshape(len(W), -1).astype(np.float64) - bow.descriptor_mean_) / bow.descriptor_scale_
    words = bow.kmeans_.predict(desc)
    for i in range(6):
        expect = np.bincount(words[wmap.windows_of(i)], minlength=4) / 8
        np.testing.assert_allclose(H[i], expect, rtol=1e-6)
    assert bow.vocabulary_.shape == (4, 32) and bow.n_windows_fit_ == 48


def test_same_seed_same_result():
    X = make_collection(n_series=8, n_times=400, random_state=2)
    a = BagOfWords(window=40, n_words=5, random_state=7).fit(X)
    b = BagOfWords(window=40, n_words=5, random_state=7).fit(X)
    np.testing.assert_array_equal(a.vocabulary_, b.vocabulary_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_ragged_series_give_their_own_histogram():
    series, _ = two_shapes(n_per_class=5, ragged=True)
    bow = BagOfWords(window=48, n_words=6, random_state=0).fit(series)
    H = bow.transform(series)
    assert H.shape == (10, 6)
    for i in (0, 7):
        np.testing.assert_allclose(bow.transform([series[i]])[0], H[i], rtol=1e-6)


def two_rates(n_per_class: int = 12, n_times: int = 400, seed: int = 0):
    """Class 0: slow oscillations (period 40-60 samples); class 1: fast ones (8-12)."""
    rng = np.random.default_rng(seed)
    series, labels = [], []
    for label, (lo, hi) in enumerate([(40, 60), (8, 12)]):
        for _ in range(n_per_class):
            t = np.arange(n_times)
            x = np.sin(2 * np.pi * t / rng.uniform(lo, hi) + rng.uniform(0, 2 * np.pi))
            series.append((x + 0.1 * rng.standard_normal(n_times))[None])
            labels.append(label)
    return series, np.array(labels)


def test_words_separate_two_kinds_of_window_in_cross_validation():
    series, y = two_rates()
    pipe = make_pipeline(BagOfWords(window=32, step=8, n_words=8, random_state=0), LogisticRegression())
    scores = cross_val_score(pipe, series, y, cv=3)
    assert scores.mean() >= 0.9


def test_statistics_descriptor_tells_sines_from_square_waves():
    series, y = two_shapes(n_per_class=8)
    descriptor = Statistics(stats=("std", "skewness", "kurtosis", "crest_factor"))
    bow = BagOfWords(descriptor=descriptor, window=32, step=16, n_words=4, random_state=0).fit(series)
    assert bow.descriptor_ is not descriptor and type(bow.descriptor_) is type(descriptor)
    assert bow.vocabulary_.shape == (4, 4)
    H = bow.transform(series)
    np.testing.assert_allclose(H.sum(axis=1), 1.0, rtol=1e-6)
    # crest factor and kurtosis differ whatever the phase: the two classes use different words
    assert np.abs(H[y == 0].mean(axis=0) - H[y == 1].mean(axis=0)).max() > 0.3


def test_series_transform_as_descriptor_is_flattened():
    series, _ = two_shapes(n_per_class=4)
    bow = BagOfWords(descriptor=Detrend(kind="constant"), window=32, step=16, n_words=4,
                     scale_descriptors=False, random_state=0).fit(series)
    # the centres are means of mean-free windows, flattened to 32 values
    assert bow.vocabulary_.shape == (4, 32)
    np.testing.assert_allclose(bow.vocabulary_.mean(axis=1), 0.0, atol=1e-6)
    np.testing.assert_allclose(bow.transform(series).sum(axis=1), 1.0, rtol=1e-6)


def test_descriptor_is_a_clonable_nested_parameter():
    bow = BagOfWords(descriptor=Detrend(kind="constant"), window=16)
    params = bow.get_params(deep=True)
    assert params["descriptor__kind"] == "constant"
    twin = clone(bow.set_params(descriptor__kind="linear"))
    assert twin.descriptor is not bow.descriptor and twin.descriptor.kind == "linear"


class _RateEcho(TransformerMixin, BaseEstimator):
    """A descriptor that reports the rate it was given (the windows' SignalSet fs)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        fs = X.fs_array if isinstance(X, SignalSet) else np.zeros(len(X))
        return np.column_stack([fs, np.asarray(X.data if isinstance(X, SignalSet) else X).std(axis=(1, 2))])


def test_rate_is_passed_to_the_descriptor():
    X = make_collection(n_series=4, n_times=200, fs=250.0, random_state=3)
    bow = BagOfWords(descriptor=_RateEcho(), window=50, n_words=2, scale_descriptors=False, random_state=0).fit(X)
    np.testing.assert_allclose(bow.vocabulary_[:, 0], 250.0)
    bow_arr = BagOfWords(descriptor=_RateEcho(), window=50, n_words=2, fs=250.0, scale_descriptors=False,
                         random_state=0).fit(X.to_numpy())
    np.testing.assert_array_equal(bow_arr.transform(X.to_numpy()), bow.transform(X))


class _NaNOnConstant(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        a = np.asarray(X)
        return a.std(axis=-1) / a.std(axis=-1)  # NaN for a constant window


def test_errors():
    X = make_collection(n_series=4, n_times=200, random_state=4)
    too_many = r"n_words=500 needs at least 500 training windows, but the 4 series give 48"
    with pytest.raises(ValidationError, match=too_many):
        BagOfWords(window=32, step=None, n_words=500).fit(X)
    short = SignalSet([np.zeros((1, 100)), np.zeros((1, 20))], ids=["long", "short"])
    too_short = r"series 1 \(id='short'\) has n_times=20, shorter than the window size=64"
    with pytest.raises(ValidationError, match=too_short):
        BagOfWords().fit(short)
    with pytest.raises(ValidationError, match=r"descriptor must be None or a transformer"):
        BagOfWords(descriptor="stats").fit(X)
    with pytest.raises(ValidationError, match=r"n_words must be >= 2"):
        BagOfWords(n_words=1).fit(X)
    with pytest.raises(NotFittedError):
        BagOfWords().transform(X)
    bow = BagOfWords(window=32, n_words=3, random_state=0).fit(X)
    with pytest.raises(ValidationError, match=r"fitted on series with 1 channels, but X has 2"):
        bow.transform(np.zeros((2, 2, 100)))
    bad = X.to_numpy().copy()
    bad[2, 0, 10] = np.inf
    with pytest.raises(ValidationError, match=r"series 2 \(id='s002'\) contains NaN or inf"):
        bow.transform(SignalSet(bad, ids=X.ids))
    flat = X.to_numpy().copy()
    flat[1] = 3.0
    with pytest.raises(ValidationError, match=r"gave NaN or inf for window 12 \(start 0\) of series 1"):
        with np.errstate(invalid="ignore"):
            BagOfWords(descriptor=_NaNOnConstant(), window=32, n_words=3).fit(flat)


def test_constant_series_get_a_finite_histogram():
    X = make_collection(n_series=6, n_times=256, random_state=5).to_numpy().copy()
    bow = BagOfWords(window=32, n_words=4, random_state=0).fit(X)
    X[0] = 0.0
    X[1] = -2.0
    H = bow.transform(X)
    assert np.isfinite(H).all()
    np.testing.assert_array_equal(H[0], H[1])  # every constant window is the zero shape
