"""Spectra: spectrogram, periodogram, Welch and FFT magnitude — each a plain function
plus a thin scikit-learn transformer.

All run the blocked STFT engine of :mod:`._stft`, which states the conventions every
spectral function shares (``fs=None``, ``noverlap=None``, ``detrend=False``, one-sided
spectra). The features computed from spectra (band power, spectral summaries) are in
:mod:`._spectral_features`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.fft

from ..base import check_is_fitted
from ..data import CollectionMeta, check_collection
from ..exceptions import ValidationError
from ._stft import (
    _blocks,
    _check_amin,
    _check_choice,
    _check_hz,
    _check_int,
    _check_long_enough,
    _groups,
    _make_plan,
    _mean_blocks,
    _needs_fs,
    _PlanAxes,
    _single_fs,
    _SpectralBase,
)

__all__ = [
    "spectrogram",
    "periodogram",
    "welch",
    "fft_magnitude",
    "Spectrogram",
    "Periodogram",
    "Welch",
    "FFTMagnitude",
]

_SCALINGS = ("magnitude", "power", "psd", "db")


# --------------------------------------------------------------------------------------
# spectrogram
# --------------------------------------------------------------------------------------


def _spectrogram_plan(caller: str, meta: CollectionMeta, n_times: int, fs: Any, p: dict) -> _PlanAxes:
    """Check the options and the series' lengths; the plan for ``n_times`` samples at ``fs``."""
    fs = _single_fs(fs, caller)
    nperseg = _check_int(p["nperseg"], "nperseg", caller, 1)
    _check_long_enough(meta, nperseg, caller)
    _check_choice(p["scaling"], "scaling", _SCALINGS, caller)
    _check_choice(p["normalize"], "normalize", (None, "max"), caller)
    fmin = _check_hz(p["fmin"], "fmin", caller)
    fmax = _check_hz(p["fmax"], "fmax", caller)
    if fmin is not None or fmax is not None:
        _needs_fs(fs, f"fmin={fmin!r}, fmax={fmax!r}", caller)
    _check_amin(p["amin"], caller)
    scaling = {"magnitude": "magnitude", "power": "spectrum", "db": "spectrum", "psd": "density"}[
        p["scaling"]
    ]
    return _make_plan(
        caller=caller,
        n_times=n_times,
        fs=fs,
        nperseg=nperseg,
        noverlap=p["noverlap"],
        nfft=p["nfft"],
        window=p["window"],
        scaling=scaling,
        detrend=p["detrend"],
        center=p["center"],
        fmin=fmin,
        fmax=fmax,
    )


def _spectrogram_core(
    data: np.ndarray, meta: CollectionMeta, fs: Any, p: dict, caller: str, out: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    plan, freqs, times = _spectrogram_plan(caller, meta, int(data.shape[2]), fs, p)
    shape = (meta.n_series, meta.n_channels, plan.n_bins, plan.n_frames)
    if out is None:
        out = np.empty(shape, data.dtype)
    elif not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != data.dtype:
        found = (out.shape, out.dtype) if isinstance(out, np.ndarray) else type(out).__name__
        raise ValidationError(
            f"{caller}(out=...) needs an array of shape {shape!r} and dtype {data.dtype}, found "
            f"{found!r}. Allocate it with np.empty({shape!r}, {data.dtype.name!r})."
        )
    elif not out.flags.writeable:
        raise ValidationError(f"{caller}(out=...) is read-only; pass a writeable array.")
    db, normalize = p["scaling"] == "db", p["normalize"] == "max"
    rows = np.arange(meta.n_series)
    for s0, s1, f0, f1, S in _blocks(data, plan, rows, meta.ids, caller, p["n_jobs"]):
        o = out[s0:s1]
        np.copyto(o[:, :, :, f0:f1], S.transpose(0, 1, 3, 2))
        if f1 < plan.n_frames:
            continue
        if normalize:  # per series, over channels, frequencies and frames
            peak = o.max(axis=(1, 2, 3))
            peak[peak == 0] = 1  # an all-zero series stays zero
            o /= peak[:, None, None, None]
        if db:
            np.maximum(o, o.dtype.type(p["amin"]), out=o)
            np.log10(o, out=o)
            o *= 10
    return out, freqs, times


def spectrogram(
    X: Any,
    *,
    fs: Any = None,
    nperseg: int = 256,
    noverlap: int | None = None,
    nfft: int | None = None,
    window: Any = "hann",
    scaling: str = "magnitude",
    fmin: float | None = None,
    fmax: float | None = None,
    normalize: str | None = None,
    detrend: Any = False,
    center: bool = False,
    amin: float = 1e-10,
    return_axes: bool = False,
    out: np.ndarray | None = None,
    n_jobs: int = -1,
) -> Any:
    """Short-time Fourier spectrogram of every channel of every series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of equal length (a ragged collection is refused: the number of frames
        depends on the length). float32 stays float32, float64 stays float64.
    fs : float, optional
        Sampling rate in Hz; a SignalSet's is used when None. Without one, frequencies
        are in cycles per sample and times in samples.
    nperseg : int, default=256
        Frame length in samples, ``1 <= nperseg <= n_times``.
    noverlap : int, optional
        Samples shared by consecutive frames, ``0 <= noverlap < nperseg``; default
        ``nperseg // 2``. (scipy.signal.spectrogram's default is ``nperseg // 8``.)
    nfft : int, optional
        FFT length, ``>= nperseg`` (frames are zero-padded); default ``nperseg``.
    window : str, tuple or array of shape (nperseg,), default="hann"
        Anything :func:`scipy.signal.get_window` accepts (periodic form), or the values.
    scaling : {"magnitude", "power", "psd", "db"}, default="magnitude"
        ``"magnitude"``: ``|X| / sum(w)`` (a sinusoid of amplitude A shows A/2, as
        ``scipy.signal.stft``); ``"power"``: ``|X|² / sum(w)²``, one-sided (bins other
        than DC and Nyquist doubled); ``"psd"``: ``|X|² / (fs·sum(w²))``, one-sided, in
        units² per Hz; ``"db"``: ``10·log10(max(power, amin))``.
    fmin, fmax : float, optional
        Keep only the bins with ``fmin <= f <= fmax`` (Hz; need ``fs``).
    normalize : {None, "max"}, default=None
        ``"max"``: divide each series (all its channels, bins and frames) by its own
        maximum, as the lightning study did; an all-zero series stays zero. With
        ``scaling="db"`` the division is done on the power, so the peak is 0 dB.
    detrend : {False, "constant", "linear"}, default=False
        Remove each frame's mean or least-squares line before windowing.
    center : bool, default=False
        False: frames start at sample 0 and only whole frames are kept, as
        ``scipy.signal.spectrogram`` (``1 + (n_times - nperseg) // step`` frames).
        True: pad ``nperseg // 2`` zeros at both ends and complete the last frame with
        zeros, as ``scipy.signal.stft`` (``boundary="zeros", padded=True``), so frame
        ``j`` is centred on sample ``j * step``.
    amin : float, default=1e-10
        Floor of the power before the logarithm of ``scaling="db"`` (so silence gives
        -100 dB, not -inf).
    return_axes : bool, default=False
        Also return the frequencies and the frame times.
    out : ndarray of shape (n_series, n_channels, n_freqs, n_frames), optional
        Preallocated output of the input's dtype, filled block by block. If a series
        turns out to hold NaN, the error is raised with ``out`` partly filled.
    n_jobs : int, default=-1
        Threads of the FFT (``scipy.fft`` workers); -1 uses every core.

    Returns
    -------
    S : ndarray of shape (n_series, n_channels, n_freqs, n_frames)
        Same dtype as the input.
    frequencies : ndarray of float64, shape (n_freqs,)
        Only with ``return_axes``: bin frequencies (Hz, or cycles per sample).
    times : ndarray of float64, shape (n_frames,)
        Only with ``return_axes``: time of each frame's centre, ``(start + nperseg/2)``
        in the series' own clock (seconds, or samples).

    Notes
    -----
    Memory is the output plus a work buffer of a few MiB: series are processed in
    blocks (frames are strided views, the window product, FFT and magnitude reuse
    buffers and land in the output block by block).

    The lightning study's 13 × 18 images (1024-sample chunks at fs = 1/9.14 µs ≈
    109.4 kHz) are ``nperseg=64, noverlap=8, fmax=22e3, normalize="max"``: the
    noverlap of ``scipy.signal.spectrogram``'s default (``nperseg // 8``) gives
    ``1 + (1024 - 64) // 56 = 18`` frames, and the bins up to 22 kHz are the 13 bins
    0 … 20.5 kHz (1.709 kHz apart). Add ``window=("tukey", 0.25), detrend="constant",
    scaling="psd"`` to reproduce that function's other defaults too.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import spectrogram
    >>> t = np.arange(1000) / 100.0
    >>> X = np.sin(2 * np.pi * 12.5 * t)[None, None, :].astype(np.float32)
    >>> S, f, times = spectrogram(X, fs=100.0, nperseg=64, return_axes=True)
    >>> S.shape, S.dtype
    ((1, 1, 33, 30), dtype('float32'))
    >>> float(f[S[0, 0, :, 0].argmax()])
    12.5
    """
    caller = "spectrogram"
    data, meta = check_collection(X, fs=fs, allow_ragged=False, allow_nan=True, caller=caller)
    p = dict(
        nperseg=nperseg, noverlap=noverlap, nfft=nfft, window=window, scaling=scaling,
        fmin=fmin, fmax=fmax, normalize=normalize, detrend=detrend, center=center,
        amin=amin, n_jobs=n_jobs,
    )
    S, freqs, times = _spectrogram_core(data, meta, meta.fs, p, caller, out)
    return (S, freqs, times) if return_axes else S


# --------------------------------------------------------------------------------------
# periodogram, Welch, FFT magnitude
# --------------------------------------------------------------------------------------
def _density_or_spectrum(scaling: Any, caller: str) -> str:
    return _check_choice(scaling, "scaling", ("density", "spectrum"), caller)


def _periodogram_plan(caller: str, n_times: int, fs: Any, p: dict) -> _PlanAxes:
    return _make_plan(
        caller=caller, n_times=n_times, fs=fs, nperseg=n_times, noverlap=None, nfft=p["nfft"],
        window=p["window"], scaling=_density_or_spectrum(p["scaling"], caller),
        detrend=p["detrend"], center=False, single_frame=True,
    )


def _periodogram_core(
    data: np.ndarray, meta: CollectionMeta, fs: Any, p: dict, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    fs = _single_fs(fs, caller)
    plan, freqs, _ = _periodogram_plan(caller, int(data.shape[2]), fs, p)
    out = np.empty((meta.n_series, meta.n_channels, plan.n_bins), data.dtype)
    rows = np.arange(meta.n_series)
    for s0, s1, _, _, S in _blocks(data, plan, rows, meta.ids, caller, p["n_jobs"]):
        out[s0:s1] = S[:, :, 0, :]
    return out, freqs


def periodogram(
    X: Any,
    *,
    fs: Any = None,
    window: Any = "boxcar",
    nfft: int | None = None,
    scaling: str = "density",
    detrend: Any = False,
    return_axes: bool = False,
    n_jobs: int = -1,
) -> Any:
    """One-sided periodogram of every channel of every series (one window, whole series).

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of equal length (the frequency grid depends on the length).
    fs : float, optional
        Sampling rate in Hz (a SignalSet's when None); without one, frequencies are in
        cycles per sample and densities per cycle per sample.
    window : str, tuple or array of shape (n_times,), default="boxcar"
    nfft : int, optional
        FFT length, ``>= n_times`` (zero padding); default ``n_times``.
    scaling : {"density", "spectrum"}, default="density"
        ``"density"``: ``|X|² / (fs·sum(w²))`` in units² per Hz; ``"spectrum"``:
        ``|X|² / sum(w)²`` in units². Bins other than DC and Nyquist are doubled.
        With the boxcar window, ``"spectrum"`` sums to the mean square of the series
        (Parseval) and ``"density"`` times the bin width does.
    detrend : {False, "constant", "linear"}, default=False
        scipy's periodogram removes the mean by default; wavelens does not.
    return_axes : bool, default=False
        Also return the frequencies.
    n_jobs : int, default=-1
        Threads of the FFT; -1 uses every core.

    Returns
    -------
    P : ndarray of shape (n_series, n_channels, nfft // 2 + 1)
        Same dtype as the input.
    frequencies : ndarray of float64, shape (nfft // 2 + 1,)
        Only with ``return_axes``.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import periodogram
    >>> x = np.sin(2 * np.pi * 10 * np.arange(200) / 100.0)
    >>> P, f = periodogram(x[None, None, :], fs=100.0, scaling="spectrum", return_axes=True)
    >>> P.shape, float(f[P[0, 0].argmax()]), round(float(P.sum()), 6)
    ((1, 1, 101), 10.0, 0.5)
    """
    caller = "periodogram"
    data, meta = check_collection(X, fs=fs, allow_ragged=False, allow_nan=True, caller=caller)
    p = dict(window=window, nfft=nfft, scaling=scaling, detrend=detrend, n_jobs=n_jobs)
    P, freqs = _periodogram_core(data, meta, meta.fs, p, caller)
    return (P, freqs) if return_axes else P


def _welch_plan(caller: str, n_times: int, fs: Any, p: dict, scaling: str) -> _PlanAxes:
    nperseg = _check_int(p["nperseg"], "nperseg", caller, 1)
    return _make_plan(
        caller=caller, n_times=n_times, fs=fs, nperseg=nperseg, noverlap=p["noverlap"],
        nfft=p["nfft"], window=p["window"], scaling=scaling, detrend=p["detrend"],
        center=p.get("center", False),
    )


def _welch_core(
    data: Any, meta: CollectionMeta, fs: Any, p: dict, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    fs = _single_fs(fs, caller)
    nperseg = _check_int(p["nperseg"], "nperseg", caller, 1)
    scaling = _density_or_spectrum(p["scaling"], caller)
    _check_long_enough(meta, nperseg, caller)
    freqs = None
    out = None
    for rows, x, fs_g in _groups(data, meta, fs):
        plan, freqs, _ = _welch_plan(caller, int(x.shape[2]), fs_g, p, scaling)
        if out is None:
            out = np.empty((meta.n_series, meta.n_channels, plan.n_bins), meta.dtype)
        for s0, s1, mean in _mean_blocks(x, plan, rows, meta.ids, caller, p["n_jobs"]):
            out[rows[s0:s1]] = mean
    return out, freqs


def welch(
    X: Any,
    *,
    fs: Any = None,
    nperseg: int = 256,
    noverlap: int | None = None,
    nfft: int | None = None,
    window: Any = "hann",
    scaling: str = "density",
    detrend: Any = False,
    return_axes: bool = False,
    n_jobs: int = -1,
) -> Any:
    """Welch's averaged periodogram of every channel of every series.

    The mean, over frames, of the one-sided periodograms of windowed frames (as
    ``scipy.signal.welch`` with ``average="mean"``). The frequency grid depends only
    on ``nperseg``/``nfft``, so series of unequal length are accepted.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Every series needs ``n_times >= nperseg``.
    fs : float, optional
        Sampling rate in Hz (a SignalSet's when None); one rate for all series.
        Without one, frequencies are in cycles per sample.
    nperseg : int, default=256
    noverlap : int, optional
        Default ``nperseg // 2`` (as scipy.signal.welch).
    nfft : int, optional
        FFT length ``>= nperseg``; default ``nperseg``.
    window : str, tuple or array of shape (nperseg,), default="hann"
    scaling : {"density", "spectrum"}, default="density"
        As in :func:`periodogram`.
    detrend : {False, "constant", "linear"}, default=False
        Per frame. (scipy.signal.welch removes each frame's mean by default.)
    return_axes : bool, default=False
        Also return the frequencies.
    n_jobs : int, default=-1
        Threads of the FFT; -1 uses every core.

    Returns
    -------
    P : ndarray of shape (n_series, n_channels, nfft // 2 + 1)
        Same dtype as the input.
    frequencies : ndarray of float64, shape (nfft // 2 + 1,)
        Only with ``return_axes``.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import welch
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal((2, 1000)), rng.standard_normal((2, 700))]
    >>> welch(X, fs=100.0, nperseg=128).shape
    (2, 2, 65)
    """
    caller = "welch"
    data, meta = check_collection(X, fs=fs, allow_nan=True, caller=caller)
    p = dict(nperseg=nperseg, noverlap=noverlap, nfft=nfft, window=window, scaling=scaling,
             detrend=detrend, n_jobs=n_jobs)
    P, freqs = _welch_core(data, meta, meta.fs, p, caller)
    return (P, freqs) if return_axes else P


_FFT_NORMS = ("backward", "ortho", "forward")


def _fft_core(data: Any, meta: CollectionMeta, p: dict, caller: str) -> np.ndarray:
    n = p["n"]
    norm = _check_choice(p["norm"], "norm", _FFT_NORMS, caller)
    if n is None:
        if not meta.is_equal_length:
            raise ValidationError(
                f"{caller}(n=None) needs series of equal length (the frequency grid depends on "
                f"it), but they range from {int(meta.lengths.min())} to "
                f"{int(meta.lengths.max())} samples. Pass n= to pad or cut every series to n "
                "samples."
            )
        n = int(meta.lengths[0])
    n = _check_int(n, "n", caller, 1)
    factor = {"backward": 1.0, "ortho": 1.0 / np.sqrt(n), "forward": 1.0 / n}[norm]
    out = np.empty((meta.n_series, meta.n_channels, n // 2 + 1), meta.dtype)
    for rows, x, _ in _groups(data, meta, None):
        n_times = int(x.shape[2])
        # one frame of the first min(n_times, n) samples, as numpy's rfft(x, n); the
        # samples after it are not used but still checked for NaN
        plan, _, _ = _make_plan(
            caller=caller, n_times=n_times, fs=None, nperseg=min(n_times, n), noverlap=None,
            nfft=n, window="boxcar", scaling="fft", detrend=False, center=False,
            single_frame=True, norm_factor=factor,
        )
        for s0, s1, _, _, S in _blocks(x, plan, rows, meta.ids, caller, p["n_jobs"]):
            out[rows[s0:s1]] = S[:, :, 0, :]
    return out


def fft_magnitude(
    X: Any,
    *,
    n: int | None = None,
    norm: str = "backward",
    fs: Any = None,
    return_axes: bool = False,
    n_jobs: int = -1,
) -> Any:
    """Magnitude of the one-sided FFT, ``|rfft(x, n)|``, of every channel of every series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of unequal length are accepted when ``n`` is given.
    n : int, optional
        FFT length: longer series are cut to their first ``n`` samples, shorter ones
        zero-padded (numpy's rule). Default: the common length of the series.
    norm : {"backward", "ortho", "forward"}, default="backward"
        numpy's normalisation: none, ``1/sqrt(n)``, ``1/n``.
    fs : float, optional
        Only labels the frequencies returned with ``return_axes`` (Hz, else cycles per
        sample); a SignalSet's is used when None.
    return_axes : bool, default=False
        Also return the frequencies.
    n_jobs : int, default=-1
        Threads of the FFT; -1 uses every core.

    Returns
    -------
    A : ndarray of shape (n_series, n_channels, n // 2 + 1)
        Same dtype as the input; no one-sided doubling.
    frequencies : ndarray of float64, shape (n // 2 + 1,)
        Only with ``return_axes``.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import fft_magnitude
    >>> fft_magnitude(np.ones((1, 1, 8))).ravel().tolist()
    [8.0, 0.0, 0.0, 0.0, 0.0]
    """
    caller = "fft_magnitude"
    data, meta = check_collection(X, fs=fs, allow_nan=True, caller=caller)
    A = _fft_core(data, meta, dict(n=n, norm=norm, n_jobs=n_jobs), caller)
    if not return_axes:
        return A
    rate = _single_fs(meta.fs, caller)
    nfft = int(meta.lengths[0]) if n is None else int(n)
    return A, scipy.fft.rfftfreq(nfft, d=1.0 / (1.0 if rate is None else rate))


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
class Spectrogram(_SpectralBase):
    """Spectrogram transformer: ``(n_series, n_channels, n_freqs, n_frames)``.

    A thin shell around :func:`spectrogram`; parameters have the same meaning.

    Parameters
    ----------
    fs : float, optional
        Sampling rate in Hz; a SignalSet's is used when None.
    nperseg : int, default=256
    noverlap : int, optional
        Default ``nperseg // 2``.
    nfft : int, optional
    window : str, tuple or array, default="hann"
    scaling : {"magnitude", "power", "psd", "db"}, default="magnitude"
    fmin, fmax : float, optional
        In Hz; need fs.
    normalize : {None, "max"}, default=None
    detrend : {False, "constant", "linear"}, default=False
    center : bool, default=False
    amin : float, default=1e-10
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the series seen in fit; transform needs the same.
    fs_ : float or None
        The sampling rate used.
    frequencies_ : ndarray of float64, shape (n_freqs,)
    times_ : ndarray of float64, shape (n_frames,)
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import Spectrogram
    >>> X = np.random.default_rng(0).standard_normal((3, 1, 1024)).astype(np.float32)
    >>> sp = Spectrogram(fs=1 / 9.14e-6, nperseg=64, noverlap=8, fmax=22e3, normalize="max")
    >>> sp.fit_transform(X).shape, sp.frequencies_.shape, sp.times_.shape
    ((3, 1, 13, 18), (13,), (18,))
    """

    _tags = {"output": "timefreq"}

    def __init__(self, *, fs=None, nperseg=256, noverlap=None, nfft=None, window="hann",
                 scaling="magnitude", fmin=None, fmax=None, normalize=None, detrend=False,
                 center=False, amin=1e-10, n_jobs=-1):
        self.fs = fs
        self.nperseg = nperseg
        self.noverlap = noverlap
        self.nfft = nfft
        self.window = window
        self.scaling = scaling
        self.fmin = fmin
        self.fmax = fmax
        self.normalize = normalize
        self.detrend = detrend
        self.center = center
        self.amin = amin
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> "Spectrogram":
        data, meta = self._check_fit(X)
        _, self.frequencies_, self.times_ = _spectrogram_plan(
            "Spectrogram", meta, self.n_times_, meta.fs, self._params()
        )
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Spectrogram of ``X``: ndarray ``(n_series, n_channels, n_freqs, n_frames)``."""
        data, meta, fs = self._check_transform(X)
        return _spectrogram_core(data, meta, fs, self._params(), "Spectrogram", None)[0]

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [
            {"nperseg": 64},
            {"nperseg": 32, "noverlap": 8, "scaling": "db", "normalize": "max", "fmax": 30.0,
             "center": True, "detrend": "constant"},
            {"nperseg": 50, "nfft": 64, "scaling": "psd", "window": ("tukey", 0.25),
             "detrend": "linear"},
        ]


class Periodogram(_SpectralBase):
    """Periodogram transformer: ``(n_series, n_channels, n_freqs)`` (see :func:`periodogram`).

    Parameters
    ----------
    fs : float, optional
    window : str, tuple or array, default="boxcar"
    nfft : int, optional
    scaling : {"density", "spectrum"}, default="density"
    detrend : {False, "constant", "linear"}, default=False
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_, n_times_ : int
    fs_ : float or None
    frequencies_ : ndarray of float64, shape (n_freqs,)
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import Periodogram
    >>> Periodogram(fs=100.0).fit_transform(np.zeros((2, 3, 64))).shape
    (2, 3, 33)
    """

    _tags = {"output": "series"}

    def __init__(self, *, fs=None, window="boxcar", nfft=None, scaling="density", detrend=False,
                 n_jobs=-1):
        self.fs = fs
        self.window = window
        self.nfft = nfft
        self.scaling = scaling
        self.detrend = detrend
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> "Periodogram":
        data, meta = self._check_fit(X)
        fs = _single_fs(meta.fs, "Periodogram")
        _, self.frequencies_, _ = _periodogram_plan("Periodogram", self.n_times_, fs, self._params())
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Periodogram of ``X``: ndarray ``(n_series, n_channels, n_freqs)``."""
        data, meta, fs = self._check_transform(X)
        return _periodogram_core(data, meta, fs, self._params(), "Periodogram")[0]

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [{}, {"scaling": "spectrum", "window": "hann", "detrend": "linear", "nfft": 300}]


class Welch(_SpectralBase):
    """Welch spectrum transformer: ``(n_series, n_channels, n_freqs)`` (see :func:`welch`).

    Accepts series of unequal length (each ``>= nperseg``).

    Parameters
    ----------
    fs : float, optional
    nperseg : int, default=256
    noverlap : int, optional
    nfft : int, optional
    window : str, tuple or array, default="hann"
    scaling : {"density", "spectrum"}, default="density"
    detrend : {False, "constant", "linear"}, default=False
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_ : int
    fs_ : float or None
    frequencies_ : ndarray of float64, shape (n_freqs,)
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import Welch
    >>> X = [np.ones((1, 300)), np.ones((1, 500))]
    >>> Welch(fs=100.0, nperseg=64).fit_transform(X).shape
    (2, 1, 33)
    """

    _tags = {"output": "series"}
    _ragged_ok = True

    def __init__(self, *, fs=None, nperseg=256, noverlap=None, nfft=None, window="hann",
                 scaling="density", detrend=False, n_jobs=-1):
        self.fs = fs
        self.nperseg = nperseg
        self.noverlap = noverlap
        self.nfft = nfft
        self.window = window
        self.scaling = scaling
        self.detrend = detrend
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> "Welch":
        data, meta = self._check_fit(X)
        fs = _single_fs(meta.fs, "Welch")
        nperseg = _check_int(self.nperseg, "nperseg", "Welch", 1)
        _check_long_enough(meta, nperseg, "Welch")
        scaling = _density_or_spectrum(self.scaling, "Welch")
        n_times = int(meta.lengths.min())
        _, self.frequencies_, _ = _welch_plan("Welch", n_times, fs, self._params(), scaling)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Welch spectrum of ``X``: ndarray ``(n_series, n_channels, n_freqs)``."""
        data, meta, fs = self._check_transform(X)
        return _welch_core(data, meta, fs, self._params(), "Welch")[0]

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [{"nperseg": 64}, {"nperseg": 32, "noverlap": 16, "scaling": "spectrum", "nfft": 40}]


class FFTMagnitude(_SpectralBase):
    """FFT magnitude transformer: ``(n_series, n_channels, n // 2 + 1)``; see :func:`fft_magnitude`.

    With ``n`` set, series of unequal length are accepted (each cut or zero-padded to
    ``n`` samples); with ``n=None`` transform needs the length seen in fit.

    Parameters
    ----------
    n : int, optional
    norm : {"backward", "ortho", "forward"}, default="backward"
    fs : float, optional
        Only labels ``frequencies_``.
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_ : int
    n_times_ : int
        Only when ``n=None``.
    fs_ : float or None
        The sampling rate when all series share one, else None.
    frequencies_ : ndarray of float64, shape (n // 2 + 1,)
        In Hz when ``fs_`` is known, else in cycles per sample.
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import FFTMagnitude
    >>> FFTMagnitude(n=16).fit_transform([np.ones((1, 10)), np.ones((1, 30))]).shape
    (2, 1, 9)
    """

    _tags = {"output": "series"}

    def __init__(self, *, n=None, norm="backward", fs=None, n_jobs=-1):
        self.n = n
        self.norm = norm
        self.fs = fs
        self.n_jobs = n_jobs

    def _is_ragged_ok(self) -> bool:
        return self.n is not None

    def fit(self, X: Any, y: Any = None) -> "FFTMagnitude":
        data, meta = self._check_fit(X)
        _check_choice(self.norm, "norm", _FFT_NORMS, "FFTMagnitude")
        n = self.n_times_ if self.n is None else _check_int(self.n, "n", "FFTMagnitude", 1)
        if isinstance(self.fs_, np.ndarray):
            self.fs_ = None  # one rate per series: no common frequency axis in Hz
        self.frequencies_ = scipy.fft.rfftfreq(n, d=1.0 / (1.0 if self.fs_ is None else self.fs_))
        return self

    def transform(self, X: Any) -> np.ndarray:
        """FFT magnitude of ``X``: ndarray ``(n_series, n_channels, n // 2 + 1)``."""
        check_is_fitted(self, "n_channels_")
        name = "FFTMagnitude"
        data, meta = check_collection(
            X, fs=self.fs, allow_ragged=self._is_ragged_ok(), allow_nan=True, caller=name
        )
        if meta.n_channels != self.n_channels_ or (
            self.n is None and int(meta.lengths[0]) != self.n_times_
        ):
            raise ValidationError(
                f"{name} was fitted on {self.n_channels_} channels"
                + ("" if self.n is not None else f" of length n_times={self.n_times_}")
                + f" but X has {meta.n_channels} channels of length n_times="
                f"{int(meta.lengths[0])}. Transform matching series, set n=, or fit again."
            )
        return _fft_core(data, meta, self._params(), name)

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [{}, {"n": 128, "norm": "ortho"}]
