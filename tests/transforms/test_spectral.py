"""Tests of wavelens.transforms spectral functions and estimators.

Agreement with scipy/numpy, physical invariants (Parseval, tones land in their bins
and bands, zero in → zero out), the two studies' shapes, chunking, errors.
"""

from __future__ import annotations

import glob
import re

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

import wavelens.transforms._stft as stft_mod
from wavelens.data import SignalSet
from wavelens.exceptions import ValidationError
from wavelens.transforms import (
    SPECTRAL_FEATURES,
    BandPower,
    FFTMagnitude,
    Periodogram,
    SpectralSummary,
    Spectrogram,
    Welch,
    band_power,
    fft_magnitude,
    periodogram,
    spectral_summary,
    spectrogram,
    welch,
)

LEELA = sorted(glob.glob("/work/shared/data/leela/*.npy"))


def _noise(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tone(freq, fs, n, amp=1.0, phase=0.3):
    return amp * np.sin(2 * np.pi * freq * np.arange(n) / fs + phase)


def _tol(dtype):
    return 2e-5 if dtype == np.float32 else 1e-12


def _assert_rel(a, b, dtype):
    """Agreement relative to the largest value (float32 FFTs differ in the last bits)."""
    assert a.shape == b.shape
    scale = max(float(np.abs(b).max()), 1e-300)
    np.testing.assert_allclose(a / scale, b / scale, rtol=0, atol=_tol(dtype))


# -------------------------------------------------------------------------- spectrogram
SPEC_CASES = [
    dict(nperseg=64),
    dict(nperseg=100, noverlap=10, nfft=128, window=("tukey", 0.25)),
    dict(nperseg=33, noverlap=5, detrend="linear", window="hamming"),
    dict(nperseg=64, noverlap=0, detrend="constant", window="boxcar"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", SPEC_CASES)
@pytest.mark.parametrize(
    "scaling, mode, sc",
    [("magnitude", "magnitude", "spectrum"), ("psd", "psd", "density"), ("power", "psd", "spectrum")],
)
def test_spectrogram_matches_scipy(dtype, kw, scaling, mode, sc):
    X = _noise((3, 2, 1000), dtype)
    ref_kw = dict(kw)
    ref_kw.setdefault("noverlap", kw["nperseg"] // 2)
    ref_kw.setdefault("window", "hann")
    ref_kw["detrend"] = ref_kw.get("detrend", False)
    f_ref, t_ref, ref = scipy.signal.spectrogram(X, fs=50.0, mode=mode, scaling=sc, **ref_kw)
    S, f, t = spectrogram(X, fs=50.0, scaling=scaling, return_axes=True, **kw)
    assert S.dtype == dtype
    _assert_rel(S, ref, dtype)
    np.testing.assert_allclose(f, f_ref)
    np.testing.assert_allclose(t, t_ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_spectrogram_center_matches_stft_and_helicopter_shape(dtype):
    X = _noise((2, 1, 700), dtype)
    _, t_ref, Z = scipy.signal.stft(X, fs=20.0, nperseg=64, noverlap=40)
    S, _, t = spectrogram(X, fs=20.0, nperseg=64, noverlap=40, center=True, return_axes=True)
    _assert_rel(S, np.abs(Z), dtype)
    np.testing.assert_allclose(t, t_ref)
    # the helicopter study's STFT magnitudes: 513 x 121 per 1-minute row at 1024 Hz
    row = _noise((1, 61440), np.float32, seed=3)
    heli = spectrogram(row, fs=1024.0, nperseg=1024, noverlap=512, center=True)
    assert heli.shape == (1, 1, 513, 121)
    assert spectrogram(row, fs=1024.0, nperseg=1024, noverlap=512).shape == (1, 1, 513, 119)


def test_spectrogram_db_normalize_and_zero_series():
    X = np.stack([_noise((1, 512)), np.zeros((1, 512)), 5.0 * _noise((1, 512), seed=1)])
    power = spectrogram(X, nperseg=64, scaling="power")
    db = spectrogram(X, nperseg=64, scaling="db")
    np.testing.assert_allclose(db, 10 * np.log10(np.maximum(power, 1e-10)))
    assert np.all(db[1] == -100.0)  # silence is the floor, not -inf
    norm = spectrogram(X, nperseg=64, normalize="max")
    assert norm[0].max() == 1.0 and norm[2].max() == 1.0
    assert np.all(norm[1] == 0.0)  # an all-zero series stays zero
    mag = spectrogram(X, nperseg=64)
    np.testing.assert_allclose(norm[2], mag[2] / mag[2].max())
    db_norm = spectrogram(X, nperseg=64, scaling="db", normalize="max")
    assert db_norm[0].max() == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(db_norm).all()


@pytest.mark.skipif(not LEELA, reason="LEELA lightning files not present")
def test_lightning_study_13_by_18_images():
    rec = np.load(LEELA[0], allow_pickle=False)
    chunks = rec["wvfmdata"][:40]
    fs = 1.0 / float(rec["sampleinterval"][0])
    assert chunks.shape[1] == 1024 and 109e3 < fs < 110e3
    S, f, t = spectrogram(chunks, fs=fs, nperseg=64, noverlap=8, fmax=22e3, normalize="max",
                          return_axes=True)
    assert S.shape == (40, 1, 13, 18)
    assert f[0] == 0.0 and 20e3 < f[-1] <= 22e3
    np.testing.assert_allclose(S.max(axis=(1, 2, 3)), 1.0)
    # the study's images: scipy.signal.spectrogram with its defaults, bins <= 22 kHz,
    # divided by their own maximum
    S2 = spectrogram(chunks, fs=fs, nperseg=64, noverlap=8, fmax=22e3, normalize="max",
                     window=("tukey", 0.25), detrend="constant", scaling="psd")
    _, _, ref = scipy.signal.spectrogram(chunks, fs, nperseg=64)
    ref = ref[:, :13]
    ref = ref / ref.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(S2[:, 0], ref, atol=1e-12)


def test_spectrogram_fmin_fmax_keep_the_right_bins():
    X = _noise((2, 1, 512))
    full, f_full, _ = spectrogram(X, fs=100.0, nperseg=64, return_axes=True)
    part, f, _ = spectrogram(X, fs=100.0, nperseg=64, fmin=10.0, fmax=30.0, return_axes=True)
    keep = (f_full >= 10.0) & (f_full <= 30.0)
    np.testing.assert_array_equal(f, f_full[keep])
    np.testing.assert_allclose(part, full[:, :, keep])


def test_pure_tone_peaks_in_its_bin_at_every_frame():
    fs, freq = 1000.0, 125.0  # exactly bin 16 of a 128-point FFT
    X = np.stack([[_tone(freq, fs, 4000)], [_tone(freq, fs, 4000, amp=3.0, phase=1.0)]])
    for center in (False, True):
        S, f, _ = spectrogram(X, fs=fs, nperseg=128, noverlap=64, center=center, return_axes=True)
        inner = S[..., 1:-1] if center else S  # edge frames of center=True are half zeros
        assert np.all(f[inner.argmax(axis=2)] == freq)
    S = spectrogram(X, fs=fs, nperseg=128, noverlap=64)
    # magnitude scaling: a sinusoid of amplitude A shows A/2 in its bin
    np.testing.assert_allclose(S[0, 0, 16], 0.5, rtol=1e-9)
    np.testing.assert_allclose(S[1, 0, 16], 1.5, rtol=1e-9)


def test_spectrogram_out_parameter_and_chunking(monkeypatch):
    X = _noise((7, 2, 3000), np.float32)
    kw = dict(fs=100.0, nperseg=100, noverlap=30, scaling="db", normalize="max", center=True,
              detrend="constant")
    ref = spectrogram(X, **kw)
    out = np.full(ref.shape, np.nan, np.float32)
    assert spectrogram(X, out=out, **kw) is out
    np.testing.assert_array_equal(out, ref)
    welch_ref = welch(X, fs=100.0, nperseg=100)
    frame_ref = spectral_summary(X, fs=100.0, nperseg=100, per="frame")
    # small work buffers: several series per block; one series per block with its
    # frames in chunks of 9; one frame at a time
    for work in (200_000, 20_000, 1):
        monkeypatch.setattr(stft_mod, "_WORK_BYTES", work)
        np.testing.assert_allclose(spectrogram(X, **kw), ref, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(welch(X, fs=100.0, nperseg=100), welch_ref, rtol=1e-5)
        np.testing.assert_allclose(spectral_summary(X, fs=100.0, nperseg=100, per="frame"),
                                   frame_ref, rtol=1e-4, atol=1e-5)
    wrong = ref.shape[:3] + (ref.shape[3] - 1,)
    msg = f"out=...) needs an array of shape {ref.shape!r} and dtype float32"
    with pytest.raises(ValidationError, match=re.escape(msg)):
        spectrogram(X, out=np.empty(wrong, np.float32), **kw)
    with pytest.raises(ValidationError, match="dtype float32"):
        spectrogram(X, out=np.empty(ref.shape, np.float64), **kw)


# ------------------------------------------------------------------ periodogram / welch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [999, 1000])
@pytest.mark.parametrize("scaling", ["density", "spectrum"])
def test_periodogram_matches_scipy(dtype, n, scaling):
    X = _noise((3, 2, n), dtype)
    f_ref, ref = scipy.signal.periodogram(X, fs=40.0, scaling=scaling, detrend=False)
    P, f = periodogram(X, fs=40.0, scaling=scaling, return_axes=True)
    assert P.dtype == dtype and P.shape == (3, 2, n // 2 + 1)
    _assert_rel(P, ref, dtype)
    np.testing.assert_allclose(f, f_ref)
    _, ref = scipy.signal.periodogram(X, fs=40.0, window="hann", nfft=1500, scaling=scaling,
                                      detrend="linear")
    P = periodogram(X, fs=40.0, window="hann", nfft=1500, scaling=scaling, detrend="linear")
    _assert_rel(P, ref, dtype)


def test_periodogram_options_are_checked():
    X = _noise((2, 1, 256))
    with pytest.raises(ValidationError, match=r"periodogram\(nfft=100\) needs nfft >= n_times=256"):
        periodogram(X, nfft=100)
    with pytest.raises(ValidationError, match=r"needs an array of n_times=256 values"):
        periodogram(X, window=np.ones(64))
    with pytest.raises(
        ValidationError,
        match=r"scaling='psd'\) must be one of \('density', 'spectrum'\)",
    ):
        Periodogram(scaling="psd").fit(X)


@pytest.mark.parametrize("n", [255, 256])
def test_periodogram_parseval(n):
    X = _noise((4, 3, n)) + 0.7  # a mean, so DC counts
    ms = (X**2).mean(axis=-1)
    np.testing.assert_allclose(periodogram(X, fs=10.0, scaling="spectrum").sum(axis=-1), ms, rtol=1e-12)
    dens, f = periodogram(X, fs=10.0, return_axes=True)
    np.testing.assert_allclose(dens.sum(axis=-1) * (f[1] - f[0]), ms, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scaling", ["density", "spectrum"])
def test_welch_matches_scipy_and_accepts_ragged(dtype, scaling):
    X = _noise((3, 2, 1000), dtype)
    f_ref, ref = scipy.signal.welch(X, fs=30.0, nperseg=128, scaling=scaling, detrend=False)
    P, f = welch(X, fs=30.0, nperseg=128, scaling=scaling, return_axes=True)
    _assert_rel(P, ref, dtype)
    np.testing.assert_allclose(f, f_ref)
    ragged = [X[0], X[1, :, :700], X[2, :, :300]]
    P = welch(SignalSet(ragged, fs=30.0), nperseg=128, noverlap=100, scaling=scaling)
    for i, s in enumerate(ragged):
        _, ref = scipy.signal.welch(s, fs=30.0, nperseg=128, noverlap=100, scaling=scaling,
                                    detrend=False)
        _assert_rel(P[i], ref, dtype)


# ------------------------------------------------------------------------ fft magnitude
@pytest.mark.parametrize("n", [None, 300, 1024])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_fft_magnitude_matches_numpy(n, norm):
    X = _noise((3, 2, 500))
    ref = np.abs(np.fft.rfft(X, n=n, norm=norm))
    np.testing.assert_allclose(fft_magnitude(X, n=n, norm=norm), ref, atol=1e-12)


def test_fft_magnitude_ragged_needs_n():
    ragged = [_noise((1, 100)), _noise((1, 60), seed=1)]
    A, f = fft_magnitude(SignalSet(ragged, fs=8.0), n=128, return_axes=True)
    for i, s in enumerate(ragged):
        np.testing.assert_allclose(A[i], np.abs(np.fft.rfft(s, n=128)), atol=1e-12)
    np.testing.assert_allclose(f, np.fft.rfftfreq(128, 1 / 8.0))
    with pytest.raises(ValidationError, match=r"n=None\) needs series of equal length.*60 to 100"):
        fft_magnitude(ragged)


# --------------------------------------------------------------------------- band power
def test_band_power_tone_lands_in_its_band_and_parseval():
    fs = 4000.0
    X = np.stack([[_tone(250.0, fs, 4000)], [_tone(730.0, fs, 4000, amp=2.0)]])
    bp = band_power(X, fs=fs)  # the tutorial's 100 Hz bands up to 1 kHz
    assert bp.shape == (2, 10)
    assert bp[0].argmax() == 2 and bp[1].argmax() == 7
    np.testing.assert_allclose([bp[0, 2], bp[1, 7]], [0.5, 2.0], rtol=1e-9)  # A^2 / 2
    full = band_power(X, fs=fs, edges=(0, 500, 1000, 2000))
    np.testing.assert_allclose(full.sum(axis=1), (X**2).mean(axis=(1, 2)), rtol=1e-12)
    rel = band_power(X, fs=fs, edges=(0, 500, 1000, 2000), relative=True)
    np.testing.assert_allclose(rel.sum(axis=1), 1.0, rtol=1e-12)
    lg = band_power(X, fs=fs, log=True)
    np.testing.assert_allclose(lg, np.log10(np.maximum(bp, 1e-10)))
    w = band_power(X, fs=fs, method="welch", nperseg=400)
    assert w[0].argmax() == 2 and w[1].argmax() == 7


def test_band_power_ragged_and_per_series_rate():
    fs = np.array([1000.0, 2000.0, 1000.0])
    series = [_tone(150.0, 1000.0, 900)[None], _tone(150.0, 2000.0, 2000)[None],
              _tone(320.0, 1000.0, 500)[None]]
    ss = SignalSet(series, fs=fs)
    edges = (0, 100, 200, 300, 400, 500)
    bp = band_power(ss, edges=edges)
    for i, s in enumerate(series):
        np.testing.assert_allclose(bp[i], band_power(s[None], fs=fs[i], edges=edges)[0], rtol=1e-12)
    assert list(bp.argmax(axis=1)) == [1, 1, 3]
    est = BandPower(edges=edges).fit(ss)
    np.testing.assert_allclose(est.transform(ss), bp)
    # rates given per series belong to their collection: another one brings its own
    np.testing.assert_allclose(est.transform(ss[[2, 0]]), bp[[2, 0]])
    with pytest.raises(
        ValidationError,
        match=r"fitted on series with one sampling rate each, but X has no fs",
    ):
        est.transform([s for s in series])
    assert est.get_feature_names_out().tolist()[:2] == ["ch0_band_0-100Hz", "ch0_band_100-200Hz"]


def test_band_power_errors():
    X = _noise((2, 1, 500))
    with pytest.raises(
        ValidationError,
        match=r"band 2 \[200, 300\] Hz reaches above the Nyquist frequency fs/2 = 250 "
        r"Hz",
    ):
        band_power(X, fs=500.0)
    with pytest.raises(
        ValidationError,
        match=r"edges=\.\.\.\) is given in Hz, so it needs the sampling rate, but fs "
        r"is missing",
    ):
        band_power(X, edges=(0, 10, 20))
    with pytest.raises(
        ValidationError,
        match=r"band 0 \[0.2, 0.6\) Hz holds no frequency bin for series 0 \(id='0'\): "
        r"its bins are 1 Hz apart",
    ):
        band_power(X, fs=500.0, edges=(0.2, 0.6, 100))
    with pytest.raises(ValidationError, match=r"increasing frequencies"):
        band_power(X, fs=500.0, edges=(0, 100, 50))
    with pytest.raises(ValidationError, match=r"band 1 \[100, 300\] Hz .* of series 1 \(id='b'\)"):
        band_power(SignalSet([X[0], X[1]], fs=[1000.0, 500.0], ids=["a", "b"]), edges=(0, 100, 300))
    with pytest.raises(ValidationError, match="fs is missing"):
        BandPower(edges=(0, 10)).fit(X)


# --------------------------------------------------------------------- spectral summary
def test_spectral_summary_features_of_a_tone_and_of_noise():
    fs = 1000.0
    tone = _tone(125.0, fs, 4096)[None, None]
    noise = _noise((1, 1, 4096))
    names = SPECTRAL_FEATURES
    t = dict(zip(names, spectral_summary(tone, fs=fs, nperseg=256)[0]))
    n = dict(zip(names, spectral_summary(noise, fs=fs, nperseg=256)[0]))
    assert t["peak_frequency"] == 125.0
    assert t["centroid"] == pytest.approx(125.0, abs=0.5)
    assert t["rolloff"] == pytest.approx(125.0, abs=4.0)
    assert t["bandwidth"] < 5.0 < n["bandwidth"]
    assert t["entropy"] < 0.3 < 0.9 < n["entropy"] <= 1.0
    assert t["flatness"] < 1e-3 and n["flatness"] > 0.5
    assert n["centroid"] == pytest.approx(250.0, rel=0.05)  # white noise: mid-band
    # magnitude weighting (librosa's convention) gives the same peak
    m = spectral_summary(tone, fs=fs, nperseg=256, spectrum="magnitude", features="peak_frequency")
    assert m[0, 0] == 125.0


def test_spectral_summary_matches_direct_computation_per_frame():
    X = _noise((2, 2, 2048))
    fs = 200.0
    C = spectral_summary(X, fs=fs, features=("centroid", "bandwidth"), per="frame", nperseg=128,
                         noverlap=32)
    S, f, _ = spectrogram(X, fs=fs, nperseg=128, noverlap=32, scaling="power", return_axes=True)
    p = S / S.sum(axis=2, keepdims=True)
    centroid = (p * f[:, None]).sum(axis=2)
    bandwidth = np.sqrt((p * (f[:, None] - centroid[:, :, None]) ** 2).sum(axis=2))
    assert C.shape == (2, 2, 2, S.shape[-1])
    np.testing.assert_allclose(C[:, :, 0], centroid, rtol=1e-10)
    np.testing.assert_allclose(C[:, :, 1], bandwidth, rtol=1e-10)


def test_helicopter_mean_frequency_per_second():
    fs = 1024.0
    t = np.arange(61440) / fs
    x = np.sin(2 * np.pi * (40 + 0.5 * t) * t)  # a chirp: the mean frequency rises
    est = SpectralSummary(fs=fs, features="centroid", per="frame", nperseg=1024, noverlap=0,
                          center=True)
    F = est.fit_transform(x[None, None].astype(np.float32))
    assert F.shape == (1, 61) and F.dtype == np.float32
    assert est.get_feature_names_out()[60] == "ch0_centroid_t60"
    np.testing.assert_allclose(est.times_, np.arange(61.0))
    inner = F[0, 1:-1]
    assert np.all(np.diff(inner) > 0)
    np.testing.assert_allclose(inner, 40 + 2 * 0.5 * est.times_[1:-1], atol=1.5)


def test_spectral_summary_ragged_per_series_equals_each_alone():
    series = [_noise((2, 900)), _noise((2, 400), seed=1), _noise((2, 900), seed=2)]
    out = spectral_summary(SignalSet(series, fs=50.0), nperseg=128)
    assert out.shape == (3, 2 * len(SPECTRAL_FEATURES))
    for i, s in enumerate(series):
        alone = spectral_summary(s[None], fs=50.0, nperseg=128)[0]
        np.testing.assert_allclose(out[i], alone, rtol=1e-12)
    whole = spectral_summary(series, nperseg=None, features=("centroid",))  # periodogram of each
    assert whole.shape == (3, 2)
    with pytest.raises(
        ValidationError,
        match=r"per='frame'\) needs series of equal length.*400 to 900",
    ):
        spectral_summary(series, per="frame", nperseg=128)


# ------------------------------------------------------------ zero, constant, invariants
def _all_outputs(X, fs):
    return {
        "spectrogram": spectrogram(X, fs=fs, nperseg=32),
        "spectrogram db": spectrogram(X, fs=fs, nperseg=32, scaling="db", normalize="max"),
        "spectrogram psd": spectrogram(X, fs=fs, nperseg=32, scaling="psd", detrend="linear"),
        "periodogram": periodogram(X, fs=fs),
        "welch": welch(X, fs=fs, nperseg=32),
        "fft": fft_magnitude(X),
        "band_power": band_power(X, fs=fs, edges=(0, 10, 25, 50)),
        "band_power rel log": band_power(X, fs=fs, edges=(0, 10, 50), relative=True, log=True),
        "summary": spectral_summary(X, fs=fs, nperseg=32),
        "summary frame": spectral_summary(X, fs=fs, nperseg=32, per="frame", center=True),
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_in_zero_out(dtype):
    for name, out in _all_outputs(np.zeros((2, 2, 256), dtype), 100.0).items():
        assert out.dtype == dtype, name
        if name == "spectrogram db":  # 10*log10(amin), amin=1e-10 in the input's dtype
            np.testing.assert_allclose(out, -100.0, rtol=1e-6, err_msg=name)
        elif name == "band_power rel log":
            np.testing.assert_allclose(out, -10.0, rtol=1e-6, err_msg=name)
        else:
            assert np.all(out == 0.0), name


def test_constant_series_give_finite_values():
    X = np.full((2, 1, 256), 3.5, np.float32)
    for name, out in _all_outputs(X, 100.0).items():
        assert np.isfinite(out).all(), name
    summ = spectral_summary(X, fs=100.0, nperseg=32, window="boxcar")
    feats = dict(zip(SPECTRAL_FEATURES, summ[0]))
    assert feats["centroid"] == 0 and feats["peak_frequency"] == 0 and feats["entropy"] == 0
    # with a tapering window, the DC leaks into the first bin only
    hann = dict(zip(SPECTRAL_FEATURES, spectral_summary(X, fs=100.0, nperseg=32)[0]))
    assert hann["peak_frequency"] == 0 and 0 < hann["centroid"] < 100.0 / 32
    assert np.all(spectral_summary(X, fs=100.0, nperseg=32, detrend="constant") == 0)


@settings(max_examples=60, deadline=None)
@given(
    n_series=st.integers(1, 3),
    n_channels=st.integers(1, 2),
    n_times=st.integers(16, 300),
    nperseg_frac=st.floats(0.05, 1.0),
    overlap_frac=st.floats(0.0, 0.9),
    center=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    scaling=st.sampled_from(["magnitude", "power", "psd", "db"]),
)
def test_property_spectrogram_shapes_and_dtype(n_series, n_channels, n_times, nperseg_frac,
                                               overlap_frac, center, dtype, scaling):
    nperseg = max(2, int(nperseg_frac * n_times))
    noverlap = min(nperseg - 1, int(overlap_frac * nperseg))
    X = _noise((n_series, n_channels, n_times), dtype, seed=n_times)
    S, f, t = spectrogram(X, fs=10.0, nperseg=nperseg, noverlap=noverlap, center=center,
                          scaling=scaling, return_axes=True)
    step = nperseg - noverlap
    if center:
        length = n_times + 2 * (nperseg // 2)
        n_frames = 1 + -(-(length - nperseg) // step)
    else:
        n_frames = 1 + (n_times - nperseg) // step
    assert S.shape == (n_series, n_channels, nperseg // 2 + 1, n_frames)
    assert S.dtype == dtype and f.shape == (S.shape[2],) and t.shape == (n_frames,)
    assert np.isfinite(S).all()
    if scaling != "db":
        assert (S >= 0).all()
    assert spectral_summary(X, fs=10.0, nperseg=nperseg, noverlap=noverlap).dtype == dtype
    P = welch(X, fs=10.0, nperseg=nperseg, noverlap=noverlap)
    assert P.shape == (n_series, n_channels, nperseg // 2 + 1)


@settings(max_examples=60, deadline=None)
@given(
    c=st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-3),
    n_times=st.integers(2, 400),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_property_power_scales_with_c_squared(c, n_times, dtype):
    x = _noise((2, 1, n_times), dtype, seed=n_times)
    cx = (x.astype(np.float64) * c).astype(dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    a, b = fft_magnitude(x) ** 2, fft_magnitude(cx) ** 2
    np.testing.assert_allclose(b, c**2 * a, rtol=rtol, atol=rtol * c**2 * float(a.max()))
    p, q = periodogram(x, scaling="spectrum"), periodogram(cx, scaling="spectrum")
    np.testing.assert_allclose(q, c**2 * p, rtol=rtol, atol=rtol * c**2 * float(p.max()))
    # scale-free features do not change at all
    s, t = spectral_summary(x, nperseg=None), spectral_summary(cx, nperseg=None)
    np.testing.assert_allclose(t, s, rtol=10 * rtol, atol=10 * rtol * float(np.abs(s).max()))


# ------------------------------------------------------------------------------- errors
def test_nperseg_longer_than_a_series_names_it():
    X = _noise((3, 1, 1024))
    with pytest.raises(
        ValidationError,
        match=r"spectrogram\(nperseg=4096\) needs nperseg <= n_times, but series 0 "
        r"\(id='0'\) has n_times=1024\. Use nperseg <= 1024 or drop short series",
    ):
        spectrogram(X, nperseg=4096)
    ragged = SignalSet([_noise((1, 2000)), _noise((1, 1024))], ids=["test_0011", "test_0012"])
    with pytest.raises(
        ValidationError,
        match=r"Welch\(nperseg=1500\) needs nperseg <= n_times, but series 1 "
        r"\(id='test_0012'\) has n_times=1024\. Use nperseg <= 1024",
    ):
        Welch(nperseg=1500).fit(ragged)
    with pytest.raises(ValidationError, match=r"series 1 \(id='test_0012'\) has n_times=1024"):
        spectral_summary(ragged, nperseg=2000)


@pytest.mark.parametrize(
    "call",
    [
        lambda X: spectrogram(X, nperseg=32),
        lambda X: periodogram(X),
        lambda X: welch(X, nperseg=32),
        lambda X: fft_magnitude(X),
        lambda X: band_power(X, fs=100.0, edges=(0, 10)),
        lambda X: spectral_summary(X, nperseg=32, per="frame"),
        lambda X: welch(list(X), nperseg=32),
        lambda X: welch([X[0], X[1], X[2][:, :100], X[3], X[4]], nperseg=32),  # ragged groups
        lambda X: band_power([X[0][:, :90], X[1], X[2], X[3], X[4]], fs=100.0, edges=(0, 10)),
        lambda X: Spectrogram(nperseg=32).fit(X[:2]).transform(X),
    ],
)
def test_nan_and_inf_rejected_with_series_named(call):
    X = _noise((5, 2, 128))
    X[3, 1, 70] = np.nan
    with pytest.raises(ValidationError, match=r"series 3 \(id='3'\) contains NaN or inf"):
        call(X)
    X[3, 1, 70] = -np.inf
    with pytest.raises(ValidationError, match=r"series 3 \(id='3'\) contains NaN or inf"):
        call(X)


def test_nan_outside_every_frame_is_rejected_and_overflow_is_not_nan():
    X = _noise((3, 1, 128), np.float32)
    X[2, 0, 125] = np.nan  # frames of 30 with no overlap cover samples 0..119 only
    with pytest.raises(ValidationError, match=r"series 2 \(id='2'\) contains NaN or inf"):
        spectrogram(X, nperseg=30, noverlap=0)
    with pytest.raises(ValidationError, match=r"series 2 \(id='2'\) contains NaN or inf"):
        fft_magnitude(X, n=64)  # samples after n are not used, but NaN is still refused
    # huge finite values overflow the float32 FFT (as numpy's rfft does); the input
    # holds no NaN, so it is not refused as if it did
    A = fft_magnitude(np.full((1, 1, 8), 3e38, np.float32))
    assert np.isinf(A[0, 0, 0])


def test_hz_arguments_need_fs():
    X = _noise((2, 1, 256))
    with pytest.raises(
        ValidationError,
        match=r"fmin=None, fmax=30.0\) is given in Hz, so it needs the sampling rate, "
        r"but fs is missing",
    ):
        spectrogram(X, nperseg=32, fmax=30.0)
    with pytest.raises(ValidationError, match="fs is missing"):
        Spectrogram(nperseg=32, fmin=5.0).fit(X)
    with pytest.raises(ValidationError, match="fs is missing"):
        BandPower().fit(X)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(noverlap=32), r"noverlap=32\) needs 0 <= noverlap < nperseg=32"),
        (dict(scaling="amplitude"), r"scaling='amplitude'\) must be one of"),
        (dict(window="nope"), r"window='nope'\) is not a window scipy.signal.get_window knows"),
        (dict(window=np.ones(5)), r"needs an array of nperseg=32 values, found shape \(5,\)"),
        (dict(nfft=16), r"nfft=16\) needs nfft >= nperseg=32"),
        (dict(window=np.r_[np.ones(16), -np.ones(16)]), r"sums to zero, so a magnitude scaling"),
        (dict(detrend=True), r"detrend=True\) must be one of"),
        (dict(fs=100.0, fmin=40.7, fmax=43.0), r"keeps no frequency bin"),
        (dict(fs=100.0, fmin=30.0, fmax=20.0), r"needs fmin <= fmax"),
        (dict(normalize="l2"), r"normalize='l2'\) must be one of"),
        (dict(nperseg=0), r"nperseg=0\) needs an integer >= 1"),
    ],
)
def test_spectrogram_bad_options(kw, match):
    params = dict(nperseg=32)
    params.update(kw)
    with pytest.raises(ValidationError, match=match):
        spectrogram(_noise((2, 1, 256)), **params)
    with pytest.raises(ValidationError, match=match):
        Spectrogram(**params).fit(_noise((2, 1, 256)))


def test_time_frequency_outputs_refuse_ragged_and_mixed_rates():
    ragged = [_noise((1, 300)), _noise((1, 200))]
    for call in (lambda: spectrogram(ragged, nperseg=32), lambda: periodogram(ragged),
                 lambda: Spectrogram(nperseg=32).fit(ragged)):
        with pytest.raises(ValidationError, match="length"):
            call()
    mixed = SignalSet(_noise((2, 1, 300)), fs=[100.0, 200.0])
    with pytest.raises(
        ValidationError,
        match=r"needs one sampling rate for all series.*100 to 200 Hz",
    ):
        spectrogram(mixed, nperseg=32)
    with pytest.raises(ValidationError, match="one sampling rate"):
        welch(mixed, nperseg=32)


def test_summary_bad_options():
    X = _noise((2, 1, 256))
    with pytest.raises(
        ValidationError,
        match=r"features=\('centroid', 'loudness'\)\) must name one or more of .* "
        r"unknown: \['loudness'\]",
    ):
        spectral_summary(X, features=("centroid", "loudness"))
    with pytest.raises(ValidationError, match=r"rolloff=1.5\) needs a fraction in \(0, 1\]"):
        spectral_summary(X, rolloff=1.5)
    with pytest.raises(ValidationError, match=r"per='window'\) must be one of"):
        SpectralSummary(per="window").fit(X)


# --------------------------------------------------------------------------- estimators
def test_estimators_axes_and_fitted_shape_rules():
    X = SignalSet(_noise((3, 2, 512), np.float32), fs=100.0, channels=["x", "z"])
    sp = Spectrogram(nperseg=64, fmax=20.0).fit(X)
    S, f, t = spectrogram(X, nperseg=64, fmax=20.0, return_axes=True)
    np.testing.assert_array_equal(sp.transform(X), S)
    np.testing.assert_array_equal(sp.frequencies_, f)
    np.testing.assert_array_equal(sp.times_, t)
    assert sp.fs_ == 100.0 and sp.n_times_ == 512 and sp.n_channels_ == 2
    # a bare array takes the fitted rate; a different rate or length is refused
    np.testing.assert_array_equal(sp.transform(X.to_numpy()), S)
    with pytest.raises(ValidationError, match=r"fitted with fs=100.0 but X has fs=200.0"):
        sp.transform(SignalSet(X.to_numpy(), fs=200.0))
    with pytest.raises(
        ValidationError,
        match=r"fitted on series of length n_times=512 but X has n_times=400",
    ):
        sp.transform(X.to_numpy()[:, :, :400])
    with pytest.raises(ValidationError, match=r"fitted on 2 channels but X has 1"):
        sp.transform(X.to_numpy()[:, :1])
    pg = Periodogram().fit(X)
    np.testing.assert_allclose(pg.frequencies_, np.fft.rfftfreq(512, 1 / 100.0))
    wl = Welch(nperseg=64).fit(X)
    assert wl.transform(X).shape == (3, 2, wl.frequencies_.size)
    fm = FFTMagnitude().fit(X)
    assert fm.transform(X).shape == (3, 2, fm.frequencies_.size) and fm.frequencies_[-1] == 50.0
    ss = SpectralSummary(nperseg=64, features=("centroid", "flatness")).fit(X)
    names = ss.get_feature_names_out().tolist()
    assert names == ["x_centroid", "x_flatness", "z_centroid", "z_flatness"]
    assert ss.transform(X).shape == (3, 4)
