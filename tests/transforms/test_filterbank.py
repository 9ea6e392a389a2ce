"""Filter banks: kernels, responses against scipy, pooled features, estimators, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from wavelens.data import SignalSet
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.testing import make_collection
from wavelens.transforms import (
    POOLS,
    Difference,
    GaborBank,
    GaussianDerivativeBank,
    SobelFilter,
    difference_kernel,
    filter_bank_responses,
    filterbank_features,
    gabor_bank,
    gaussian_derivative_bank,
    sobel_kernel,
)

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
rng = np.random.default_rng(1234)


def _noise(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------------- kernels
def test_gabor_kernel_has_unit_gain_at_its_centre_frequency():
    k = gabor_bank([0.02, 0.1, 0.3, 0.5], [3.0, 12.0], kind="complex")
    assert k.shape == (8, 2 * int(4 * 12 + 0.5) + 1) and k.dtype == np.complex128
    half = k.shape[1] // 2
    t = np.arange(-half, half + 1)
    for f_idx, f in enumerate([0.02, 0.1, 0.3, 0.5]):
        for s_idx in range(2):
            row = k[2 * f_idx + s_idx]
            # real part: gain exactly 1 at f; imaginary part odd (no DC)
            assert np.sum(row.real * np.cos(2 * np.pi * f * t)) == pytest.approx(1.0, abs=1e-12)
            np.testing.assert_allclose(row.imag, -row.imag[::-1], atol=1e-15)
    real = gabor_bank([0.02, 0.1], [3.0], kind="real")
    assert real.dtype == np.float64
    np.testing.assert_allclose(real, gabor_bank([0.02, 0.1], [3.0]).real)


def test_gabor_units_hz_and_samples_agree():
    a = gabor_bank([10.0, 25.0], [0.04, 0.1], fs=100.0)
    b = gabor_bank([0.1, 0.25], [4.0, 10.0], units="samples")
    c = gabor_bank([0.1, 0.25], [4.0, 10.0], fs=100.0, units="samples")
    np.testing.assert_allclose(a, b, atol=1e-14)
    np.testing.assert_array_equal(b, c)
    # defaults are relative to the rate: the same kernels with or without fs
    np.testing.assert_allclose(gabor_bank(fs=1024.0), gabor_bank(), atol=1e-14)


def test_gaussian_kernels_match_scipy_impulse_responses():
    k = gaussian_derivative_bank([0.7, 2.5], orders=(0, 1, 2), truncate=3.0)
    half = k.shape[1] // 2
    impulse = np.zeros(4 * half + 1)
    impulse[2 * half] = 1.0
    i = 0
    for s in (0.7, 2.5):
        for order in (0, 1, 2):
            ref = ndi.gaussian_filter1d(impulse, s, order=order, truncate=3.0, mode="constant")
            np.testing.assert_allclose(k[i], ref[half : 3 * half + 1], atol=1e-15)
            i += 1
    assert k[0].sum() == pytest.approx(1.0)


def test_sobel_and_difference_kernels():
    np.testing.assert_array_equal(sobel_kernel(), [[1, 2, 0, -2, -1]])
    np.testing.assert_array_equal(sobel_kernel(normalize=True) * 8, sobel_kernel())
    # the 1-D Sobel is the central difference smoothed by [1, 2, 1] along time
    np.testing.assert_array_equal(sobel_kernel()[0], np.convolve([1, 2, 1], [1, 0, -1]))
    assert difference_kernel("forward").tolist() == [[1.0, -1.0, 0.0]]
    assert difference_kernel("central").tolist() == [[0.5, 0.0, -0.5]]


# ----------------------------------------------------- responses against scipy
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["fft", "direct", "auto"])
def test_gaussian_responses_equal_scipy_gaussian_filter1d(mode, method):
    x = _noise(3, 2, 257)
    sigmas = (0.8, 2.0, 9.0)
    y = filter_bank_responses(x, gaussian_derivative_bank(sigmas), mode=mode, method=method)
    assert y.shape == (3, 2, 9, 257) and y.dtype == np.float64
    i = 0
    for s in sigmas:
        for order in (0, 1, 2):
            ref = ndi.gaussian_filter1d(x, s, order=order, mode=mode, axis=-1)
            np.testing.assert_allclose(y[:, :, i], ref, atol=1e-12, err_msg=f"sigma={s} order={order}")
            i += 1


@pytest.mark.parametrize("mode", MODES)
def test_arbitrary_kernels_equal_scipy_convolve1d(mode):
    x = _noise(4, 1, 100, seed=3)
    kernels = _noise(3, 41, seed=4)
    kernels[1, :18] = kernels[1, -18:] = 0.0  # a short one among long ones
    for method in ("fft", "direct"):
        y = filter_bank_responses(x, kernels, mode=mode, method=method)
        for f in range(3):
            ref = ndi.convolve1d(x, kernels[f], axis=-1, mode=mode)
            np.testing.assert_allclose(y[:, :, f], ref, atol=1e-12)


def test_complex_gabor_equals_fftconvolve_and_magnitude_is_its_modulus():
    x = _noise(2, 3, 300, seed=5)
    k = gabor_bank([0.05, 0.2], [3.0, 8.0])
    z = filter_bank_responses(x, k, response="complex", mode="constant")
    assert z.dtype == np.complex128
    for f in range(4):
        ref = ss.fftconvolve(x, k[f][np.newaxis, np.newaxis, :], mode="same", axes=-1)
        np.testing.assert_allclose(z[:, :, f], ref, atol=1e-12)
    mag = filter_bank_responses(x, k, mode="constant")
    np.testing.assert_allclose(mag, np.abs(z), atol=1e-12)
    np.testing.assert_allclose(filter_bank_responses(x, k, response="complex", mode="constant", method="direct"), z,
                               atol=1e-12)
    np.testing.assert_allclose(filterbank_features(x, bank=k, pool=POOLS, method="direct"),
                               filterbank_features(x, bank=k, pool=POOLS, method="fft"), atol=1e-12)
    np.testing.assert_allclose(filter_bank_responses(x, k, response="imag", mode="constant"), z.imag, atol=1e-12)
    np.testing.assert_allclose(filter_bank_responses(x, k, response="real", mode="constant"), z.real, atol=1e-12)


def test_float32_responses_close_to_float64_and_threads_change_nothing():
    x = _noise(9, 2, 400, seed=6)
    k = gabor_bank([0.03, 0.11], [2.0, 15.0])
    y64 = filter_bank_responses(x, k)
    y32 = filter_bank_responses(x.astype(np.float32), k)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, y64, atol=2e-5)
    np.testing.assert_array_equal(filter_bank_responses(x, k, n_jobs=2), y64)
    np.testing.assert_array_equal(filter_bank_responses(x, k, n_jobs=-1), y64)


# ------------------------------------------------------------------ invariants
@pytest.mark.parametrize(
    "kernels",
    [gabor_bank(), gabor_bank(kind="real"), gaussian_derivative_bank(), sobel_kernel(), difference_kernel()],
    ids=["gabor", "gabor-real", "gaussian", "sobel", "difference"],
)
def test_zero_in_zero_out(kernels):
    x = np.zeros((3, 2, 200), np.float32)
    assert not filter_bank_responses(x, kernels).any()
    feats = filterbank_features(x, bank=kernels, pool=POOLS)
    assert feats.dtype == np.float32 and not feats.any()


def test_gaussian_smoothing_keeps_the_level_of_a_constant():
    x = np.full((2, 1, 150), 3.25)
    k = gaussian_derivative_bank([1.0, 4.0, 10.0], orders=(0, 1, 2))
    for mode in ("reflect", "mirror", "nearest", "wrap"):
        y = filter_bank_responses(x, k, mode=mode)
        np.testing.assert_allclose(y[:, :, 0::3], 3.25, atol=1e-12)  # order 0: the level
        np.testing.assert_allclose(y[:, :, 1::3], 0.0, atol=1e-12)  # slope: none (odd kernel)
        # curvature: the level times the kernel's sum, which truncation leaves slightly
        # off zero, as in scipy.ndimage (-2.3e-4 at sigma=1)
        level = np.broadcast_to(3.25 * k[2::3].sum(axis=1)[:, np.newaxis], y[:, :, 2::3].shape)
        np.testing.assert_allclose(y[:, :, 2::3], level, atol=1e-12)
        assert np.abs(y[:, :, 2::3]).max() < 1e-3
    feats = filterbank_features(x, bank=gaussian_derivative_bank([2.0], orders=(0,)), pool=("mean", "std", "max"))
    np.testing.assert_allclose(feats, [[3.25, 0.0, 3.25]] * 2, atol=1e-12)


@pytest.mark.parametrize("tone", [0.04, 0.09, 0.17, 0.31])
@pytest.mark.parametrize("kind", ["complex", "real"])
def test_gabor_bank_responds_most_to_its_own_frequency(tone, kind):
    freqs = [0.04, 0.09, 0.17, 0.31]
    t = np.arange(2000)
    x = np.cos(2 * np.pi * tone * t + 0.3)[np.newaxis, np.newaxis, :]
    feats = filterbank_features(x, bank=gabor_bank(freqs, [6.0, 15.0], kind=kind), pool=("std", "max"))
    per_filter = feats.reshape(len(freqs), 2, 2)  # frequency, sigma, pool
    best = np.unravel_index(np.argmax(per_filter[..., 1]), per_filter.shape[:2])
    assert freqs[best[0]] == tone
    # the tuned filters pass the tone with amplitude ~1 (unit gain at the centre; the
    # complex filters' magnitude ripples by the few % of the tone they see at -f)
    np.testing.assert_allclose(per_filter[freqs.index(tone), :, 1], 1.0, atol=0.05)


def test_sobel_and_difference_of_a_ramp_are_constant_inside():
    x = np.tile(np.arange(50, dtype=np.float32) * 0.5 + 2.0, (3, 2, 1))
    sob = SobelFilter().fit_transform(x)
    assert sob.dtype == np.float32 and sob.shape == x.shape
    np.testing.assert_allclose(sob[..., 2:-2], 8 * 0.5)
    np.testing.assert_allclose(SobelFilter(normalize=True).fit_transform(x)[..., 2:-2], 0.5)
    for kind, inside in (("backward", np.s_[1:]), ("forward", np.s_[:-1]), ("central", np.s_[1:-1])):
        d = Difference(kind=kind).fit_transform(x)
        np.testing.assert_allclose(d[..., inside], 0.5, err_msg=kind)
    np.testing.assert_allclose(Difference().fit_transform(x)[..., 1:], np.diff(x, axis=-1))


def test_series_filters_match_scipy_correlate1d():
    x = _noise(4, 3, 64, seed=8)
    for mode in MODES:
        np.testing.assert_allclose(
            SobelFilter(mode=mode).fit_transform(x), ndi.correlate1d(x, [-1, -2, 0, 2, 1], axis=-1, mode=mode), atol=1e-12
        )
        np.testing.assert_allclose(
            Difference(mode=mode).fit_transform(x), ndi.correlate1d(x, [-1, 1, 0], axis=-1, mode=mode), atol=1e-12
        )


@settings(max_examples=25, deadline=None)
@given(
    n_series=st.integers(1, 4),
    n_channels=st.integers(1, 3),
    n_times=st.integers(41, 120),
    a=st.floats(-3, 3),
    b=st.floats(-3, 3),
    mode=st.sampled_from(MODES),
    method=st.sampled_from(["auto", "fft", "direct"]),
)
def test_responses_are_linear(n_series, n_channels, n_times, a, b, mode, method):
    x, y = _noise(n_series, n_channels, n_times, seed=1), _noise(n_series, n_channels, n_times, seed=2)
    k = np.concatenate([gaussian_derivative_bank([1.0, 5.0]), np.pad(gabor_bank([0.1], [4.0], kind="real"), ((0, 0), (4, 4)))])
    lhs = filter_bank_responses(a * x + b * y, k, mode=mode, method=method)
    rhs = a * filter_bank_responses(x, k, mode=mode, method=method) + b * filter_bank_responses(y, k, mode=mode, method=method)
    np.testing.assert_allclose(lhs, rhs, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    n_series=st.integers(1, 5),
    n_channels=st.integers(1, 3),
    n_times=st.integers(81, 300),
    dtype=st.sampled_from([np.float32, np.float64]),
    pool=st.lists(st.sampled_from(POOLS), min_size=1, max_size=6, unique=True),
    kind=st.sampled_from(["complex", "real"]),
)
def test_shapes_and_dtypes(n_series, n_channels, n_times, dtype, pool, kind):
    x = _noise(n_series, n_channels, n_times, dtype=dtype)
    k = gabor_bank([0.1, 0.3], [2.0, 10.0], kind=kind)
    y = filter_bank_responses(x, k)
    assert y.shape == (n_series, n_channels, 4, n_times) and y.dtype == dtype
    f = filterbank_features(x, bank=k, pool=pool)
    assert f.shape == (n_series, n_channels * 4 * len(pool)) and f.dtype == dtype
    assert np.isfinite(f).all()


def test_pooled_features_equal_pooling_the_responses():
    x = _noise(5, 2, 333, seed=9)
    for k, response in ((gabor_bank([0.05, 0.2], [3.0, 9.0]), "magnitude"), (gabor_bank([0.05], [20.0]), "imag"),
                        (gaussian_derivative_bank([1.0, 6.0]), "real"), (gaussian_derivative_bank([2.0]), "magnitude")):
        y = filter_bank_responses(x, k, response=response)
        ref = np.stack([y.mean(-1), y.std(-1), y.max(-1), y.min(-1), np.abs(y).max(-1), np.abs(y).mean(-1)], -1)
        got = filterbank_features(x, bank=k, pool=POOLS, response=response)
        np.testing.assert_allclose(got, ref.reshape(5, -1), atol=1e-12)
        # a subset, in another order, picks the same numbers
        sub = filterbank_features(x, bank=k, pool=("max", "mean"), response=response)
        np.testing.assert_allclose(sub, ref[..., [2, 0]].reshape(5, -1), atol=1e-12)


def test_ragged_features_equal_per_series_features():
    X = make_collection(n_series=7, n_channels=2, n_times=300, ragged=True, min_times=100, random_state=3)
    assert not X.is_equal_length
    k = gabor_bank([0.1, 0.2], [4.0, 8.0])
    feats = filterbank_features(X, bank=k, pool=POOLS, n_jobs=2)
    assert feats.shape == (7, 2 * 4 * len(POOLS)) and feats.dtype == np.float32
    for i in range(7):
        np.testing.assert_array_equal(feats[i], filterbank_features(X[i][np.newaxis], bank=k, pool=POOLS)[0])


def test_constant_series_give_finite_documented_features():
    x = np.zeros((3, 1, 400), np.float32)
    x[1] = 7.0
    x[2] = _noise(1, 400, dtype=np.float32)
    for k in (gabor_bank(), gabor_bank(kind="real"), gaussian_derivative_bank()):
        f = filterbank_features(x, bank=k, pool=POOLS).reshape(3, len(k), len(POOLS))
        assert np.isfinite(f).all()
        assert not f[0].any()  # all-zero series: every pool 0
        np.testing.assert_allclose(f[1, :, 1], 0.0, atol=1e-4)  # constant series: std 0
    g = filterbank_features(x, bank=gaussian_derivative_bank([3.0], orders=(0,)), pool=("mean", "max"))
    np.testing.assert_allclose(g[1], [7.0, 7.0], rtol=1e-6)


# ------------------------------------------------------------------ estimators
def test_gabor_bank_estimator_matches_the_functions():
    X = make_collection(n_series=6, n_channels=2, n_times=500, fs=200.0, random_state=0)
    est = GaborBank(frequencies=[10.0, 30.0], sigmas=[0.02, 0.05], pool=("mean", "max"), n_jobs=2).fit(X)
    np.testing.assert_array_equal(est.kernels_, gabor_bank([10.0, 30.0], [0.02, 0.05], fs=200.0))
    out = est.transform(X)
    np.testing.assert_array_equal(out, filterbank_features(X, bank=est.kernels_, pool=("mean", "max")))
    names = est.get_feature_names_out()
    assert len(names) == out.shape[1] == 2 * 4 * 2
    assert names[0] == "ch0_gabor_f10Hz_s0.02s_mean" and names[-1] == "ch1_gabor_f30Hz_s0.05s_max"
    assert est.get_feature_names_out(["N", "E"])[0] == "N_gabor_f10Hz_s0.02s_mean"
    resp = est.responses(X)
    np.testing.assert_array_equal(resp, filter_bank_responses(X, est.kernels_))
    # the tutorial's bank: 9 filters x 3 pools = 27 features per channel
    assert GaborBank().fit(X).transform(X).shape == (6, 54)


def test_gaussian_bank_estimator_names_and_values():
    X = make_collection(n_series=4, n_channels=1, n_times=400, fs=100.0, random_state=1)
    est = GaussianDerivativeBank(sigmas=[0.01, 0.05], orders=(0, 2), units="hz").fit(X)
    assert est.get_feature_names_out()[:3].tolist() == ["ch0_gauss_d0_s0.01s_mean", "ch0_gauss_d0_s0.01s_std",
                                                        "ch0_gauss_d0_s0.01s_max"]
    ref = filterbank_features(X, bank=gaussian_derivative_bank([1.0, 5.0], orders=(0, 2)))
    np.testing.assert_allclose(est.transform(X), ref, rtol=1e-6)
    est = GaussianDerivativeBank(orders=(1,)).fit(X.to_numpy())
    assert est.get_feature_names_out()[0] == "ch0_gauss_d1_s1_mean"


def test_estimators_refuse_before_fit_and_check_channels_and_rate():
    X = make_collection(n_series=3, n_channels=2, n_times=300, fs=100.0, random_state=2)
    with pytest.raises(NotFittedError, match="not fitted"):
        GaborBank().transform(X)
    est = GaborBank().fit(X)
    with pytest.raises(ValidationError, match="fitted on 2 channels, but X has 1"):
        est.transform(X.to_numpy()[:, :1])
    with pytest.raises(ValidationError, match=r"built for fs=100.0 Hz, but X has fs=200.0"):
        est.transform(SignalSet(X.to_numpy(), fs=200.0))
    with pytest.raises(ValidationError, match="range from .* samples"):
        est.responses(make_collection(n_series=3, n_channels=2, n_times=300, ragged=True, min_times=200))
    with pytest.raises(ValidationError, match="fitted on 2 channels"):
        SobelFilter().fit(X).transform(X.to_numpy()[:, :1])


# ----------------------------------------------------------------------- errors
def test_filter_wider_than_a_series_names_the_series_and_both_lengths():
    X = SignalSet([np.zeros((1, 300)), np.zeros((1, 60)), np.zeros((1, 200))], ids=["a", "short", "c"])
    k = gabor_bank([0.1], [10.0])  # 81 taps
    msg = r"widest filter spans 81 samples but series 1 \(id='short'\) has n_times=60"
    with pytest.raises(ValidationError, match=msg):
        filterbank_features(X, bank=k)
    with pytest.raises(ValidationError, match=msg):
        GaborBank(frequencies=[0.1], sigmas=[10.0]).fit(X)
    with pytest.raises(ValidationError, match=r"widest filter spans 81 samples but series 0 \(id='0'\) has n_times=50"):
        filter_bank_responses(np.zeros((2, 1, 50)), k)
    est = GaborBank(frequencies=[0.1], sigmas=[10.0]).fit(np.zeros((2, 1, 100)))
    with pytest.raises(ValidationError, match="spans 81 samples but series 1 .* n_times=60"):
        est.transform(X)


def test_frequency_above_nyquist_is_named():
    with pytest.raises(ValidationError, match=r"centre frequency 60 Hz is outside \[0, 50\] Hz.*fs=100 Hz"):
        gabor_bank([10.0, 60.0], fs=100.0)
    with pytest.raises(ValidationError, match=r"centre frequency 0.7 cycles/sample is outside \[0, 0.5\]"):
        gabor_bank([0.7])
    with pytest.raises(ValidationError, match=r"GaborBank\(frequencies=\[5, 80\]\): centre frequency 80 Hz"):
        GaborBank(frequencies=[5, 80]).fit(make_collection(n_series=2, n_times=300, fs=100.0))
    with pytest.raises(ValidationError, match="centre frequency -1 Hz"):
        gabor_bank([-1.0], fs=100.0)


def test_fs_missing_when_hz_are_asked_for():
    with pytest.raises(ValidationError, match="units='hz' .* but fs is missing"):
        gabor_bank([5.0], [0.1], units="hz")
    with pytest.raises(ValidationError, match="units='hz' .* but fs is missing"):
        gaussian_derivative_bank([0.1], units="hz")
    with pytest.raises(ValidationError, match=r"GaborBank\(units='hz'\): units='hz' .* fs is missing"):
        GaborBank(units="hz").fit(np.zeros((2, 1, 300)))
    with pytest.raises(ValidationError, match="different sampling rates"):
        GaborBank().fit(SignalSet(np.zeros((2, 1, 300)), fs=[100.0, 200.0]))


def test_nan_is_rejected_with_the_series_named():
    x = _noise(4, 2, 200, dtype=np.float32)
    x[2, 1, 17] = np.nan
    X = SignalSet(x, ids=["w", "x", "y", "z"])
    for call in (lambda: filterbank_features(X, bank=gabor_bank()),
                 lambda: filter_bank_responses(X, sobel_kernel()),
                 lambda: GaussianDerivativeBank().fit(X),
                 lambda: Difference().fit(np.zeros((4, 2, 200))).transform(X)):
        with pytest.raises(ValidationError, match=r"series 2 \(id='y'\) contains NaN or inf"):
            call()


def test_bad_options_are_refused_with_what_was_found():
    x = np.zeros((2, 1, 100))
    k = gabor_bank([0.1], [3.0])
    cases = [
        (lambda: filter_bank_responses(x, np.ones(4)), "odd number of taps .* found 4"),
        (lambda: filter_bank_responses(x, np.ones((2, 2, 3))), r"shape \(2, 2, 3\)"),
        (lambda: filter_bank_responses(x, [[np.nan, 1.0, 0.0]]), "kernels contain NaN"),
        (lambda: filter_bank_responses(x, k, mode="periodic"), "mode must be one of .* found 'periodic'"),
        (lambda: filter_bank_responses(x, k, method="oa"), "method must be .* found 'oa'"),
        (lambda: filter_bank_responses(x, sobel_kernel(), response="imag"), "needs complex kernels"),
        (lambda: filter_bank_responses(x, k, response="phase"), "response must be one of"),
        (lambda: filterbank_features(x, bank=k, response="complex"), "cannot be pooled"),
        (lambda: filterbank_features(x, bank=k, pool=("mean", "median")), "pool must be .* found"),
        (lambda: filterbank_features(x, bank=k, pool=()), "pool must be"),
        (lambda: filterbank_features(x, bank=k, n_jobs=0), "n_jobs must be .* found 0"),
        (lambda: gabor_bank([0.1], [0.0]), "sigmas must be a positive number"),
        (lambda: gabor_bank([0.1], kind="sine"), "kind must be 'complex' or 'real', found 'sine'"),
        (lambda: gabor_bank([0.1], truncate=-1), "truncate must be a positive"),
        (lambda: gabor_bank([0.1], units="s"), "units must be"),
        (lambda: gaussian_derivative_bank([1.0], orders=(3,)), r"orders must be .* found \(3,\)"),
        (lambda: difference_kernel("sideways"), "kind must be one of"),
        (lambda: Difference(kind="sideways").fit(x), r"Difference\(kind='sideways'\): kind must be"),
        (lambda: SobelFilter(mode="edge").fit(x), r"SobelFilter\(mode='edge'\): mode must be"),
        (lambda: GaborBank(pool="median").fit(x), "pool must be"),
        (lambda: GaussianDerivativeBank(response="complex").fit(x), "needs complex kernels"),
        (lambda: GaborBank(response="complex").fit(np.zeros((2, 1, 200))), "cannot be pooled"),
    ]
    for call, match in cases:
        with pytest.raises(ValidationError, match=match):
            call()


def test_series_filters_refuse_ragged_input_with_length_in_the_message():
    X = make_collection(n_series=3, n_times=100, ragged=True, min_times=50, random_state=0)
    for est in (SobelFilter(), Difference()):
        with pytest.raises(ValidationError, match="equal length"):
            est.fit(X)
    with pytest.raises(ValidationError, match="equal length"):
        filter_bank_responses(X, sobel_kernel())


def test_non_numeric_grids_are_refused():
    with pytest.raises(ValidationError, match="frequencies must be a non-empty 1-D sequence of numbers, found 'high'"):
        gabor_bank("high")
    with pytest.raises(ValidationError, match=r"sigmas must be a non-empty 1-D sequence, found \['wide'\]"):
        gaussian_derivative_bank(["wide"])
    with pytest.raises(ValidationError, match="truncate must be a positive number of sigmas, found 'x'"):
        gabor_bank(truncate="x")
