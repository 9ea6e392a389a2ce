"""Tests of the series-to-series transforms (wavelens.transforms._preprocess, _filters,
_derivatives): agreement with SciPy, invariants, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from scipy.interpolate import splev, splrep
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from wavelens.data import SignalSet
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.transforms import (
    ButterworthFilter,
    Detrend,
    Resample,
    SavgolDerivative,
    SplineDerivative,
    Standardize,
    butterworth_filter,
    detrend,
    resample,
    savgol_derivative,
    spline_derivative,
    standardize,
)

FS = 100.0


def ragged(seed: int = 0, lengths=(40, 57, 100, 33, 100, 64), n_channels: int = 2, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n_channels, n)).astype(dtype) for n in lengths]


def equal(seed: int = 0, shape=(5, 2, 300), dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def tone(freq: float, n: int = 2000, fs: float = FS) -> np.ndarray:
    return np.sin(2 * np.pi * freq * np.arange(n) / fs)


# ------------------------------------------------------------------------------ detrend
@pytest.mark.parametrize("kind", ["linear", "constant"])
def test_detrend_matches_scipy_equal_and_ragged(kind):
    X = equal() + np.linspace(-3, 5, 300)
    np.testing.assert_allclose(detrend(X, kind=kind), signal.detrend(X, type=kind, axis=-1), atol=1e-12)
    for x, y in zip(ragged(), detrend(ragged(), kind=kind)):
        np.testing.assert_allclose(y, signal.detrend(x, type=kind, axis=-1), atol=1e-12)


def test_detrend_removes_a_line_exactly_and_keeps_float32():
    t = np.arange(500, dtype=np.float32)
    X = (3.0 + 0.25 * t)[None, None].repeat(3, axis=0)
    Y = detrend(X)
    assert Y.dtype == np.float32 and Y.shape == X.shape
    np.testing.assert_allclose(Y, 0.0, atol=1e-4)


# ------------------------------------------------------------------------------ standardize
def test_standardize_z_scores_every_series_and_channel():
    X = equal() * 7.0 + 3.0
    Y = standardize(X)
    np.testing.assert_allclose(Y, (X - X.mean(-1, keepdims=True)) / X.std(-1, keepdims=True), atol=1e-12)
    for x, y in zip(ragged(), standardize(ragged())):
        np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-12)
        np.testing.assert_allclose(y.std(axis=1), 1.0, atol=1e-12)
        np.testing.assert_allclose(y, (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standardize_constant_series_gives_zeros(dtype):
    X = equal(dtype=dtype)
    X[1] = 0.1  # not exactly representable: the mean is off by rounding
    X[2, 0] = -7.25
    Y = standardize(X)
    assert Y.dtype == dtype
    assert np.all(Y[1] == 0.0) and np.all(Y[2, 0] == 0.0)
    np.testing.assert_allclose(Y[2, 1].std(), 1.0, rtol=1e-5)


# ------------------------------------------------------------------------------ Butterworth
@pytest.mark.parametrize(
    "btype, cutoff, order", [("band", (5.0, 20.0), 4), ("low", 10.0, 2), ("high", 3.0, 3)]
)
def test_butterworth_matches_sosfiltfilt(btype, cutoff, order):
    sos = signal.butter(order, cutoff, btype=btype, fs=FS, output="sos")
    X = equal()
    np.testing.assert_allclose(
        butterworth_filter(X, cutoff=cutoff, btype=btype, order=order, fs=FS),
        signal.sosfiltfilt(sos, X, axis=-1),
        atol=1e-12,
    )
    L = ragged(lengths=(80, 300, 121, 300, 95))
    for x, y in zip(L, butterworth_filter(L, cutoff=cutoff, btype=btype, order=order, fs=FS)):
        np.testing.assert_allclose(y, signal.sosfiltfilt(sos, x, axis=-1), atol=1e-12)


def test_butterworth_per_series_rates_design_per_rate():
    X = equal(shape=(4, 1, 400))
    fs = np.array([100.0, 200.0, 100.0, 50.0])
    Y = butterworth_filter(SignalSet(X, fs=fs), cutoff=8.0, btype="low")
    for i in range(4):
        sos = signal.butter(4, 8.0, fs=fs[i], output="sos")
        np.testing.assert_allclose(Y[i], signal.sosfiltfilt(sos, X[i]), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tone_in_pass_band_survives_and_stop_band_is_attenuated(dtype):
    inside, outside = tone(12.0), tone(35.0)
    X = np.stack([inside, outside])[:, None].astype(dtype)
    Y = ButterworthFilter(cutoff=(8.0, 16.0), fs=FS).fit_transform(X)
    assert Y.dtype == dtype
    mid = slice(300, -300)  # away from the edges
    rms = np.sqrt((Y[:, 0, mid].astype(np.float64) ** 2).mean(axis=1))
    assert abs(rms[0] - np.sqrt(0.5)) < 0.01 * np.sqrt(0.5)  # 12 Hz kept within 1 %
    assert rms[1] < 1e-3 * np.sqrt(0.5)  # 35 Hz down by more than 60 dB


def test_butterworth_errors():
    X = equal()
    with pytest.raises(ValidationError, match=r"cutoff 60\.0 Hz is at or above the Nyquist frequency 50\.0 Hz"):
        butterworth_filter(X, cutoff=60.0, btype="low", fs=FS)
    with pytest.raises(ValidationError, match=r"cutoff 50\.0 Hz .* Nyquist frequency 50\.0 Hz"):
        butterworth_filter(X, cutoff=(5.0, 50.0), fs=FS)
    with pytest.raises(ValidationError, match=r"fs is missing but cutoffs in Hz need it"):
        butterworth_filter(X, cutoff=10.0, btype="low")
    with pytest.raises(ValidationError, match=r"fs is missing"):
        ButterworthFilter(cutoff=10.0, btype="low").fit(X)
    with pytest.raises(ValidationError, match=r"low < high"):
        butterworth_filter(X, cutoff=(20.0, 5.0), fs=FS)
    with pytest.raises(ValidationError, match=r"btype='band' needs cutoff to be a pair"):
        butterworth_filter(X, cutoff=10.0, fs=FS)
    with pytest.raises(ValidationError, match=r"btype must be one of"):
        butterworth_filter(X, cutoff=10.0, btype="lowpass", fs=FS)
    with pytest.raises(ValidationError, match=r"order must be >= 1"):
        butterworth_filter(X, cutoff=10.0, btype="low", order=0, fs=FS)
    short = ragged(lengths=(200, 20, 200))
    with pytest.raises(ValidationError, match=r"series 1 \(id=.1.\) has n_times=20, .* needs at least 28 samples"):
        butterworth_filter(short, cutoff=(5.0, 20.0), order=4, fs=FS)
    ids = SignalSet(short, fs=FS, ids=["a", "b", "c"])
    with pytest.raises(ValidationError, match=r"series 1 \(id='b'\) has n_times=20"):
        ButterworthFilter(cutoff=(5.0, 20.0)).fit(ids).transform(ids)


def test_butterworth_uses_fit_rate_when_transform_data_has_none():
    X = equal()
    est = ButterworthFilter(cutoff=10.0, btype="low").fit(SignalSet(X, fs=FS))
    assert est.fs_ == FS and est.sos_.shape == (2, 6)
    np.testing.assert_allclose(est.transform(X), butterworth_filter(X, cutoff=10.0, btype="low", fs=FS))
    with pytest.raises(ValidationError, match=r"fs=200\.0 was given but the SignalSet says fs=100\.0"):
        ButterworthFilter(cutoff=10.0, btype="low", fs=200.0).fit(SignalSet(X, fs=FS))


# ------------------------------------------------------------------------------ resample
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_resample_matches_resample_poly(dtype):
    X = equal(dtype=dtype)
    Y = resample(X, up=3, down=2)
    assert Y.dtype == dtype and Y.shape == (5, 2, 450)
    np.testing.assert_array_equal(Y, signal.resample_poly(X, 3, 2, axis=-1))
    L = ragged(dtype=dtype)
    for x, y in zip(L, resample(L, target_fs=40.0, fs=FS)):
        assert y.dtype == dtype
        np.testing.assert_allclose(y, signal.resample_poly(x, 2, 5, axis=-1), atol=1e-6)


def test_resample_to_target_rate_and_per_series_rates():
    X = equal(shape=(3, 1, 1024))
    Y = resample(SignalSet(X, fs=1024.0), target_fs=100.0)
    np.testing.assert_allclose(Y, signal.resample_poly(X, 25, 256, axis=-1), atol=1e-12)
    Z = resample(SignalSet(X, fs=[100.0, 200.0, 50.0]), target_fs=100.0)
    assert isinstance(Z, list) and [z.shape[-1] for z in Z] == [1024, 512, 2048]
    np.testing.assert_allclose(Z[1], signal.resample_poly(X[1], 1, 2, axis=-1), atol=1e-12)
    est = Resample(target_fs=50.0).fit(SignalSet(X, fs=100.0))
    assert est.fs_out_ == 50.0 and est.transform(X).shape == (3, 1, 512)
    assert Resample(up=2, down=3).fit(SignalSet(X, fs=150.0)).fs_out_ == 100.0


def test_resample_errors():
    X = equal()
    with pytest.raises(ValidationError, match=r"either target_fs= .* or up= and down="):
        resample(X, target_fs=50.0, up=2, down=1, fs=FS)
    with pytest.raises(ValidationError, match=r"either target_fs="):
        resample(X)
    with pytest.raises(ValidationError, match=r"fs is missing but target_fs need it"):
        resample(X, target_fs=50.0)
    with pytest.raises(ValidationError, match=r"not a ratio of integers"):
        resample(X, target_fs=np.pi * 10, fs=FS)
    with pytest.raises(ValidationError, match=r"up must be >= 1"):
        resample(X, up=0, down=1)


# ------------------------------------------------------------------------------ spline derivatives
def spline_reference(x: np.ndarray, fs: float, der: int) -> np.ndarray:
    """The helicopter study's way: splrep(s=0)/splev row by row."""
    t = np.arange(x.shape[-1]) / fs
    return np.stack([splev(t, splrep(t, row, s=0), der=der) for row in x])


@pytest.mark.parametrize("fs", [FS, 1024.0])
def test_spline_derivative_matches_splrep_splev(fs):
    X = equal(shape=(4, 2, 500))
    Y = spline_derivative(X, deriv=(1, 2), fs=fs)
    for i in range(4):
        for j, der in enumerate((1, 2)):
            ref = spline_reference(X[i], fs, der)
            np.testing.assert_allclose(Y[i, 2 * j : 2 * j + 2], ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    L = ragged(lengths=(4, 5, 6, 97, 250, 33))
    for x, y in zip(L, spline_derivative(L, deriv=(2, 1), fs=fs)):
        for j, der in enumerate((2, 1)):
            ref = spline_reference(x, fs, der)
            np.testing.assert_allclose(y[2 * j : 2 * j + 2], ref, rtol=0, atol=1e-9 * np.abs(ref).max())


@pytest.mark.parametrize("n", [4, 5, 7, 64, 1001])
def test_spline_derivative_is_exact_on_cubics(n):
    rng = np.random.default_rng(n)
    fs = 8.0
    t = np.arange(n) / fs
    coef = rng.standard_normal((3, 4))  # three cubics a + b t + c t^2 + d t^3
    X = np.stack([a + b * t + c * t**2 + d * t**3 for a, b, c, d in coef])[:, None]
    Y = spline_derivative(X, deriv=(1, 2), fs=fs)
    for i, (a, b, c, d) in enumerate(coef):
        np.testing.assert_allclose(Y[i, 0], b + 2 * c * t + 3 * d * t**2, atol=1e-9 * (1 + t.max() ** 2))
        np.testing.assert_allclose(Y[i, 1], 2 * c + 6 * d * t, atol=1e-8 * (1 + t.max()))


def test_spline_derivative_layout_rate_and_dtype():
    X = equal(shape=(3, 2, 50), dtype=np.float32)
    Y = spline_derivative(X, deriv=(1, 2), include_raw=True)
    assert Y.shape == (3, 6, 50) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y[:, :2], X)
    d1 = spline_derivative(X, deriv=1)
    np.testing.assert_array_equal(Y[:, 2:4], d1)
    # per-sample units without a rate, per-second (times fs**k) with one
    np.testing.assert_allclose(spline_derivative(X, deriv=2, fs=10.0), 100.0 * spline_derivative(X, deriv=2), rtol=1e-5)
    est = SplineDerivative(deriv=(1, 2), include_raw=True).fit(SignalSet(X, fs=10.0))
    np.testing.assert_allclose(est.transform(X)[:, 2:4], 10.0 * d1, rtol=1e-5)


def test_spline_derivative_errors():
    with pytest.raises(ValidationError, match=r"series 1 \(id=.1.\) has n_times=3, .* at least 4 samples"):
        spline_derivative(ragged(lengths=(10, 3, 9)))
    with pytest.raises(ValidationError, match=r"deriv must be one of \(1, 2\)"):
        spline_derivative(equal(), deriv=3)
    with pytest.raises(ValidationError, match=r"distinct"):
        SplineDerivative(deriv=(1, 1)).fit(equal())


# ------------------------------------------------------------------------------ Savitzky–Golay
@pytest.mark.parametrize("window_length, polyorder", [(11, 3), (7, 2), (5, 4)])
def test_savgol_derivative_matches_savgol_filter(window_length, polyorder):
    X = equal()
    derivs = tuple(range(min(polyorder, 2) + 1))
    Y = savgol_derivative(X, window_length=window_length, polyorder=polyorder, deriv=derivs, fs=FS)
    L = ragged(lengths=(window_length, 40, 57, 300, 12))
    Z = savgol_derivative(L, window_length=window_length, polyorder=polyorder, deriv=derivs, fs=FS)
    for j, k in enumerate(derivs):
        ref = signal.savgol_filter(X, window_length, polyorder, deriv=k, delta=1 / FS, axis=-1)
        np.testing.assert_allclose(Y[:, 2 * j : 2 * j + 2], ref, atol=1e-9 * np.abs(ref).max())
        for x, z in zip(L, Z):
            ref = signal.savgol_filter(x, window_length, polyorder, deriv=k, delta=1 / FS, axis=-1)
            np.testing.assert_allclose(z[2 * j : 2 * j + 2], ref, atol=1e-9 * np.abs(ref).max())


def test_savgol_derivative_errors():
    with pytest.raises(ValidationError, match=r"series 2 \(id=.2.\) has n_times=8, shorter than window_length=11"):
        savgol_derivative(ragged(lengths=(30, 20, 8)))
    with pytest.raises(ValidationError, match=r"window_length must be odd"):
        savgol_derivative(equal(), window_length=10)
    with pytest.raises(ValidationError, match=r"polyorder must be less than window_length"):
        SavgolDerivative(window_length=5, polyorder=5).fit(equal())
    with pytest.raises(ValidationError, match=r"deriv must be one of \(0, 1, 2\)"):
        savgol_derivative(equal(), polyorder=2, deriv=3)


# ------------------------------------------------------------------------------ shared behaviour
ESTIMATORS = [
    Detrend(),
    Detrend(kind="constant"),
    Standardize(),
    ButterworthFilter(cutoff=(5.0, 20.0)),
    ButterworthFilter(cutoff=10.0, btype="low"),
    Resample(up=2, down=3),
    SplineDerivative(deriv=(1, 2), include_raw=True),
    SavgolDerivative(deriv=(1, 2)),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_zero_in_zero_out_and_constant_finite(est):
    X = np.zeros((3, 2, 200), dtype=np.float32)
    X[2] = 4.5
    Y = clone(est).fit(SignalSet(X, fs=FS)).transform(SignalSet(X, fs=FS))
    assert np.all(Y[:2] == 0.0)
    assert np.isfinite(Y).all()


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_nan_series_is_named_and_not_fitted_is_refused(est):
    X = equal(shape=(4, 2, 200))
    X[2, 1, 17] = np.nan
    data = SignalSet(X, fs=FS, ids=["a", "b", "c", "d"])
    with pytest.raises(ValidationError, match=r"series 2 \(id='c'\) contains NaN or inf"):
        clone(est).fit(data)
    with pytest.raises(NotFittedError, match=r"not fitted yet"):
        clone(est).transform(data)


@settings(max_examples=25, deadline=None)
@given(
    n_series=st.integers(1, 4),
    n_channels=st.integers(1, 3),
    lengths=st.lists(st.integers(60, 140), min_size=1, max_size=4),
    dtype=st.sampled_from([np.float32, np.float64]),
    is_ragged=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_shapes_and_dtypes_are_kept(n_series, n_channels, lengths, dtype, is_ragged, seed):
    rng = np.random.default_rng(seed)
    if is_ragged:
        X = [rng.standard_normal((n_channels, n)).astype(dtype) for n in lengths]
    else:
        X = rng.standard_normal((n_series, n_channels, lengths[0])).astype(dtype)
    cases = [
        (detrend(X), 1, 1),
        (standardize(X), 1, 1),
        (butterworth_filter(X, cutoff=(5.0, 20.0), fs=FS), 1, 1),
        (spline_derivative(X, deriv=(1, 2), include_raw=True), 3, 1),
        (savgol_derivative(X, deriv=(1, 2)), 2, 1),
        (resample(X, up=3, down=2), 1, 1.5),
    ]
    for Y, channel_factor, time_factor in cases:
        assert type(Y) is type(X)
        for x, y in zip(X, Y):
            assert y.dtype == dtype
            assert y.shape == (n_channels * channel_factor, int(np.ceil(x.shape[-1] * time_factor)))
            assert np.isfinite(y).all()


@settings(max_examples=20, deadline=None)
@given(
    a=st.floats(-10, 10),
    b=st.floats(-10, 10),
    lengths=st.lists(st.integers(4, 90), min_size=1, max_size=5),
)
def test_linearity_of_the_linear_transforms(a, b, lengths):
    rng = np.random.default_rng(len(lengths))
    X = [rng.standard_normal((2, n)) for n in lengths]
    Z = [rng.standard_normal((2, n)) for n in lengths]
    mix = [a * x + b * z for x, z in zip(X, Z)]
    for fn in (detrend, lambda v: spline_derivative(v, deriv=(1, 2))):
        for y, u, w in zip(fn(mix), fn(X), fn(Z)):
            scale = (1 + abs(a) + abs(b)) * (1 + np.abs(u).max() + np.abs(w).max())
            np.testing.assert_allclose(y, a * u + b * w, atol=1e-9 * scale)


def test_series_transforms_compose_in_a_pipeline():
    X = SignalSet(equal(shape=(4, 1, 1024)), fs=1024.0)
    # outputs are plain arrays: the steps after the first are given the rate they need
    pipe = make_pipeline(
        Detrend(), Resample(target_fs=256.0, fs=1024.0), ButterworthFilter(cutoff=(5.0, 50.0), fs=256.0), Standardize()
    )
    Y = pipe.fit_transform(X)
    assert Y.shape == (4, 1, 256)
    np.testing.assert_allclose(Y.std(axis=-1), 1.0, rtol=1e-9)
