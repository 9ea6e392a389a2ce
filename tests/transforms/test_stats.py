"""Summary statistics: agreement with numpy/scipy, defined values, ragged input, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from wavelens.data import SignalSet
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.testing import make_collection
from wavelens.transforms import STATISTICS, Statistics, statistics


def _reference(x: np.ndarray, about_mean: bool = True) -> np.ndarray:
    """Every statistic of STATISTICS from numpy/scipy, float64, shape (n_series, n_channels, 10)."""
    x = x.astype(np.float64)
    mean = x.mean(-1)
    level = mean[..., np.newaxis] if about_mean else 0.0
    above = x >= level
    zcr = (above[..., 1:] != above[..., :-1]).sum(-1) / (x.shape[-1] - 1)
    max_abs = np.abs(x).max(-1)
    rms = np.sqrt((x**2).mean(-1))
    return np.stack(
        [mean, x.std(-1), x.min(-1), x.max(-1), max_abs, rms,
         scipy.stats.skew(x, axis=-1), scipy.stats.kurtosis(x, axis=-1), zcr, max_abs / rms],
        axis=-1,
    )


def test_statistics_agree_with_numpy_and_scipy_on_non_constant_data():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.gamma(2.0, size=(4, 3, 999)) - 1.0, rng.uniform(-2, 5, size=(4, 3, 999))])
    got = statistics(x).reshape(8, 3, len(STATISTICS))
    np.testing.assert_allclose(got, _reference(x), rtol=1e-10, atol=1e-12)
    got0 = statistics(x, crossing_level="zero").reshape(8, 3, len(STATISTICS))
    np.testing.assert_allclose(got0, _reference(x, about_mean=False), rtol=1e-10, atol=1e-12)


def test_float32_input_is_accumulated_in_float64_and_returned_as_float32():
    rng = np.random.default_rng(1)
    # a large offset: float32 accumulators (or E[x^2] - E[x]^2) lose the spread entirely
    x = (1e4 + rng.standard_normal((3, 1, 200_000))).astype(np.float32)
    got = statistics(x, stats=("mean", "std", "skewness", "kurtosis"))
    assert got.dtype == np.float32
    ref = _reference(x)[:, 0, [0, 1, 6, 7]]
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=2e-6)


def test_constant_and_all_zero_series_give_documented_values():
    x = np.zeros((3, 2, 500), np.float32)
    x[1, 0] = 2.5
    x[1, 1] = -0.1  # 0.1 is not exact in binary: the mean's rounding must not make noise
    x[2] = np.random.default_rng(2).standard_normal((2, 500))
    got = statistics(x).reshape(3, 2, len(STATISTICS))
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got[0], 0.0)  # all zero: crest factor 0 too
    expect = {"mean": [2.5, -0.1], "std": 0, "min": [2.5, -0.1], "max": [2.5, -0.1], "max_abs": [2.5, 0.1],
              "rms": [2.5, 0.1], "skewness": 0, "kurtosis": 0, "zero_crossing_rate": 0, "crest_factor": 1}
    for name, value in expect.items():
        np.testing.assert_allclose(got[1, :, STATISTICS.index(name)], value, rtol=1e-6, err_msg=name)
    # scipy gives NaN where wavelens gives 0
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        assert np.isnan(scipy.stats.skew(np.full(10, 2.5, np.float32)))
    # one sample: nothing varies, no step to cross
    np.testing.assert_array_equal(statistics(np.array([[[4.0]]]), stats=("std", "skewness", "zero_crossing_rate")),
                                  [[0.0, 0.0, 0.0]])


def test_zero_crossing_rate_about_the_mean_or_about_zero():
    t = np.arange(1000)
    x = (3.0 + np.sin(2 * np.pi * t / 100))[np.newaxis, np.newaxis, :]  # 10 periods above zero
    about_mean = statistics(x, stats=("zero_crossing_rate",))[0, 0]
    about_zero = statistics(x, stats=("zero_crossing_rate",), crossing_level="zero")[0, 0]
    assert about_mean == pytest.approx(20 / 999, abs=1.5 / 999) and about_zero == 0.0
    # alternating signs cross at every step
    alt = np.tile([1.0, -1.0], 50)[np.newaxis, np.newaxis, :]
    assert statistics(alt, stats=("zero_crossing_rate",))[0, 0] == 1.0


@settings(max_examples=30, deadline=None)
@given(
    n_series=st.integers(1, 5),
    n_channels=st.integers(1, 3),
    n_times=st.integers(2, 300),
    dtype=st.sampled_from([np.float32, np.float64]),
    stats=st.lists(st.sampled_from(STATISTICS), min_size=1, max_size=10, unique=True),
    scale=st.floats(0.1, 100.0),
    offset=st.floats(-50.0, 50.0),
)
def test_shapes_dtypes_and_affine_invariance(n_series, n_channels, n_times, dtype, stats, scale, offset):
    x = np.random.default_rng(n_times).standard_normal((n_series, n_channels, n_times)).astype(dtype)
    got = statistics(x, stats=stats)
    assert got.shape == (n_series, n_channels * len(stats)) and got.dtype == dtype
    assert np.isfinite(got).all()
    # shape statistics do not change under x -> scale * x + offset (scale > 0)
    shape = ("skewness", "kurtosis", "zero_crossing_rate")
    a = statistics(x.astype(np.float64), stats=shape)
    b = statistics(scale * x.astype(np.float64) + offset, stats=shape)
    np.testing.assert_allclose(a[:, 0::3], b[:, 0::3], atol=1e-6)
    np.testing.assert_allclose(a[:, 1::3], b[:, 1::3], atol=1e-6)
    # crossings can only move where a sample sits within rounding of the mean
    assert np.abs(a[:, 2::3] - b[:, 2::3]).max() <= 2.0 / max(n_times - 1, 1)


def test_ragged_statistics_equal_per_series_statistics():
    X = make_collection(n_series=9, n_channels=2, n_times=400, ragged=True, min_times=3, random_state=4)
    assert not X.is_equal_length
    got = statistics(X, n_jobs=2)
    assert got.shape == (9, 2 * len(STATISTICS)) and got.dtype == np.float32
    for i in range(9):
        np.testing.assert_array_equal(got[i], statistics(X[i][np.newaxis])[0])
        ref = _reference(X[i][np.newaxis])[0].reshape(-1)
        np.testing.assert_allclose(got[i], ref, rtol=1e-5, atol=1e-5)


def test_threads_change_nothing():
    x = np.random.default_rng(5).standard_normal((13, 2, 777))
    np.testing.assert_array_equal(statistics(x, n_jobs=2), statistics(x))
    np.testing.assert_array_equal(statistics(x, n_jobs=-1), statistics(x))


def test_estimator_matches_the_function_and_names_its_features():
    X = make_collection(n_series=6, n_channels=3, n_times=250, random_state=6)
    est = Statistics(stats=("rms", "kurtosis"), crossing_level="zero")
    assert est.fit(X) is est
    np.testing.assert_array_equal(est.transform(X), statistics(X, stats=("rms", "kurtosis"), crossing_level="zero"))
    assert est.get_feature_names_out().tolist() == ["ch0_rms", "ch0_kurtosis", "ch1_rms", "ch1_kurtosis",
                                                    "ch2_rms", "ch2_kurtosis"]
    assert est.get_feature_names_out(["N", "E", "Z"])[2] == "E_rms"
    named = SignalSet(X.to_numpy(), channels=["N", "E", "Z"])
    assert Statistics().fit(named).get_feature_names_out()[0] == "N_mean"
    assert Statistics().fit(X).transform(X).shape == (6, 3 * len(STATISTICS))


def test_errors_name_what_is_wrong():
    x = np.random.default_rng(7).standard_normal((4, 2, 50)).astype(np.float32)
    bad = x.copy()
    bad[3, 0, 9] = np.inf
    with pytest.raises(ValidationError, match=r"series 3 \(id='d'\) contains NaN or inf"):
        statistics(SignalSet(bad, ids=list("abcd")))
    with pytest.raises(ValidationError, match=r"stats must be .* found \('mean', 'median'\)"):
        statistics(x, stats=("mean", "median"))
    with pytest.raises(ValidationError, match="stats must be"):
        statistics(x, stats=("mean", "mean"))
    with pytest.raises(ValidationError, match="crossing_level must be 'mean' or 'zero', found 'median'"):
        statistics(x, crossing_level="median")
    with pytest.raises(ValidationError, match="n_jobs must be"):
        statistics(x, n_jobs=1.5)
    with pytest.raises(NotFittedError, match="not fitted"):
        Statistics().transform(x)
    with pytest.raises(ValidationError, match="fitted on 2 channels, but X has 1"):
        Statistics().fit(x).transform(x[:, :1])
    with pytest.raises(ValidationError, match=r"Statistics\(stats='iqr'\): stats must be"):
        Statistics(stats="iqr").fit(x)
    with pytest.raises(ValidationError, match="2 names for 3 channels"):
        Statistics().fit(np.zeros((2, 3, 10))).get_feature_names_out(["a", "b"])
