"""Features of spectra: band power and spectral summaries (centroid, bandwidth, peak
frequency, entropy, rolloff, flatness) — each a plain function plus a thin
scikit-learn transformer.

Both run the blocked STFT engine of :mod:`._stft` (whose docstring states the
conventions shared by every spectral function) on the periodogram of the whole series
or the Welch average of its frames, and accept series of unequal length and one
sampling rate per series (``spectral_summary(per="frame")`` excepted: its frames need
equal lengths).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from ..base import check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ._spectral import _welch_plan
from ._stft import (
    _blocks,
    _check_amin,
    _check_choice,
    _check_int,
    _check_long_enough,
    _groups,
    _make_plan,
    _mean_blocks,
    _needs_fs,
    _Plan,
    _PlanAxes,
    _single_fs,
    _SpectralBase,
)

__all__ = [
    "SPECTRAL_FEATURES",
    "band_power",
    "spectral_summary",
    "BandPower",
    "SpectralSummary",
]

#: Names accepted by ``spectral_summary(features=...)``, in their default order.
SPECTRAL_FEATURES = ("centroid", "bandwidth", "peak_frequency", "entropy", "rolloff", "flatness")


# --------------------------------------------------------------------------------------
# band power
# --------------------------------------------------------------------------------------
def _check_edges(edges: Any, caller: str) -> np.ndarray:
    try:
        e = np.asarray(edges, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValidationError(
            f"{caller}(edges={edges!r}) needs a sequence of frequencies in Hz."
        ) from err
    if e.ndim != 1 or e.size < 2 or not np.isfinite(e).all() or e[0] < 0 or np.any(np.diff(e) <= 0):
        raise ValidationError(
            f"{caller}(edges={edges!r}) needs at least 2 finite, increasing frequencies >= 0 "
            "in Hz (band k is edges[k] <= f < edges[k+1]), e.g. (0, 100, 200, 300)."
        )
    return e


def _band_matrix(freqs: np.ndarray, edges: np.ndarray, fs: float, rows: np.ndarray,
                 meta: CollectionMeta, caller: str) -> np.ndarray:
    """0/1 matrix (n_freqs, n_bands): bin k is in band j if edges[j] <= f_k < edges[j+1]."""
    nyq = fs / 2
    hi = int(np.argmax(edges > nyq * (1 + 1e-12))) if np.any(edges > nyq * (1 + 1e-12)) else -1
    if hi >= 0:
        j = max(hi - 1, 0)
        who = ""
        if isinstance(meta.fs, np.ndarray):
            who = f" of {describe_series(int(rows[0]), meta.ids)}"
        raise ValidationError(
            f"{caller}(edges=...) band {j} [{edges[j]:g}, {edges[j + 1]:g}] Hz reaches above the "
            f"Nyquist frequency fs/2 = {nyq:g} Hz{who} (fs={fs:g} Hz). Use edges up to "
            f"{nyq:g} Hz or data sampled faster."
        )
    band = np.searchsorted(edges, freqs, side="right") - 1
    band[freqs == edges[-1]] = edges.size - 2  # the last band includes its upper edge
    n_bands = edges.size - 1
    M = np.zeros((freqs.size, n_bands))
    inside = (band >= 0) & (band < n_bands)
    M[np.flatnonzero(inside), band[inside]] = 1.0
    empty = np.flatnonzero(M.sum(axis=0) == 0)
    if empty.size:
        j = int(empty[0])
        df = freqs[1] - freqs[0] if freqs.size > 1 else fs
        raise ValidationError(
            f"{caller}(edges=...) band {j} [{edges[j]:g}, {edges[j + 1]:g}) Hz holds no frequency "
            f"bin for {describe_series(int(rows[0]), meta.ids)}: its bins are {df:g} Hz apart. "
            "Widen the band, or use longer series (method='periodogram') or a larger nperseg."
        )
    return M


def _band_setup(p: dict, caller: str) -> tuple[np.ndarray, str, Any]:
    edges = _check_edges(p["edges"], caller)
    method = _check_choice(p["method"], "method", ("periodogram", "welch"), caller)
    for name in ("relative", "log"):
        if not isinstance(p[name], (bool, np.bool_)):
            raise ValidationError(f"{caller}({name}={p[name]!r}) must be True or False.")
    _check_amin(p["amin"], caller)
    window = p["window"]
    if window is None:
        window = "boxcar" if method == "periodogram" else "hann"
    return edges, method, window


def _band_plan(
    caller: str, n_times: int, fs: float, p: dict, method: str, window: Any,
    edges: np.ndarray, rows: np.ndarray, meta: CollectionMeta,
) -> tuple[_Plan, np.ndarray]:
    if method == "periodogram":
        plan, freqs, _ = _make_plan(
            caller=caller, n_times=n_times, fs=fs, nperseg=n_times, noverlap=None, nfft=None,
            window=window, scaling="density", detrend=p["detrend"], center=False,
            single_frame=True,
        )
    else:
        q = dict(p, window=window, nfft=None)
        plan, freqs, _ = _welch_plan(caller, n_times, fs, q, "density")
    return plan, _band_matrix(freqs, edges, fs, rows, meta, caller)


def _group_keys(meta: CollectionMeta, fs: Any) -> list[tuple[np.ndarray, int, Any]]:
    """``(rows[:1], n_times, fs)`` for each distinct (length, rate) of the collection."""
    rate = np.asarray(np.nan if fs is None else fs, dtype=np.float64)
    keys = np.column_stack([meta.lengths, np.broadcast_to(rate, (meta.n_series,))])
    _, first = np.unique(keys, axis=0, return_index=True)
    per = isinstance(fs, np.ndarray)
    return [
        (np.array([i]), int(meta.lengths[i]), float(fs[i]) if per else fs) for i in np.sort(first)
    ]


def _band_power_core(data: Any, meta: CollectionMeta, fs: Any, p: dict, caller: str) -> np.ndarray:
    edges, method, window = _band_setup(p, caller)
    _needs_fs(fs, "edges=...", caller)
    if method == "welch":
        _check_long_enough(meta, _check_int(p["nperseg"], "nperseg", caller, 1), caller)
    n_bands = edges.size - 1
    out = np.empty((meta.n_series, meta.n_channels * n_bands), meta.dtype)
    for rows, x, fs_g in _groups(data, meta, fs):
        plan, M = _band_plan(caller, int(x.shape[2]), fs_g, p, method, window, edges, rows, meta)
        df = fs_g / plan.nfft
        for s0, s1, psd in _mean_blocks(x, plan, rows, meta.ids, caller, p["n_jobs"]):
            bp = (psd @ M) * df  # (b, n_channels, n_bands): density integrated over each band
            if p["relative"]:
                total = psd.sum(axis=-1, keepdims=True) * df
                bp = np.divide(bp, total, out=np.zeros_like(bp), where=total > 0)
            if p["log"]:
                bp = np.log10(np.maximum(bp, p["amin"]))
            out[rows[s0:s1]] = bp.reshape(s1 - s0, -1)
    return out


def band_power(
    X: Any,
    *,
    fs: Any = None,
    edges: Any = tuple(range(0, 1001, 100)),
    method: str = "periodogram",
    window: Any = None,
    nperseg: int = 256,
    noverlap: int | None = None,
    detrend: Any = False,
    relative: bool = False,
    log: bool = False,
    amin: float = 1e-10,
    n_jobs: int = -1,
) -> np.ndarray:
    """Power of every channel in frequency bands: features ``(n_series, n_channels*n_bands)``.

    The power in band ``[edges[k], edges[k+1])`` (the last band includes its upper
    edge) is the one-sided power spectral density integrated over the band's bins
    (sum × bin width), so bands covering 0 … fs/2 add up to the mean square of the
    (windowed) series. The default reproduces the speech tutorial's features: FFT
    power in 100 Hz bands up to 1 kHz.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series may differ in length and in sampling rate (a SignalSet with one fs per
        series).
    fs : float or array of shape (n_series,), optional
        Sampling rate in Hz; required (here or in the SignalSet): edges are in Hz.
    edges : sequence of float, default=(0, 100, 200, ..., 1000)
        Increasing band edges in Hz; the last must not exceed the Nyquist frequency.
    method : {"periodogram", "welch"}, default="periodogram"
        Spectrum of the whole series, or Welch's average over frames of ``nperseg``.
    window : str, tuple or array, optional
        Default "boxcar" for the periodogram, "hann" for Welch.
    nperseg : int, default=256
        Frame length for ``method="welch"``; every series needs ``n_times >= nperseg``.
    noverlap : int, optional
        For ``method="welch"``; default ``nperseg // 2``.
    detrend : {False, "constant", "linear"}, default=False
    relative : bool, default=False
        Divide by the channel's total power (all bins, 0 … fs/2); an all-zero channel
        gives 0 in every band.
    log : bool, default=False
        Return ``log10(max(power, amin))`` (so an empty or zero band gives ``log10(amin)``).
    amin : float, default=1e-10
        Floor before the logarithm.
    n_jobs : int, default=-1
        Threads of the FFT; -1 uses every core.

    Returns
    -------
    ndarray of shape (n_series, n_channels * n_bands)
        Channel-major (all bands of channel 0, then channel 1, …); input dtype.

    Raises
    ------
    ValidationError
        fs missing; an edge above Nyquist (names the band and Nyquist); a band without
        any frequency bin (too narrow for the resolution).

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import band_power
    >>> x = np.sin(2 * np.pi * 250 * np.arange(4000) / 4000.0)
    >>> bp = band_power(x[None, None, :], fs=4000.0)
    >>> bp.shape, int(bp.argmax()), round(float(bp.max()), 6)
    ((1, 10), 2, 0.5)
    """
    caller = "band_power"
    data, meta = check_collection(X, fs=fs, allow_nan=True, caller=caller)
    p = dict(edges=edges, method=method, window=window, nperseg=nperseg, noverlap=noverlap,
             nfft=None, detrend=detrend, relative=relative, log=log, amin=amin, n_jobs=n_jobs)
    return _band_power_core(data, meta, meta.fs, p, caller)


# --------------------------------------------------------------------------------------
# spectral summaries
# --------------------------------------------------------------------------------------
def _spectral_features(
    P: np.ndarray, freqs: np.ndarray, names: tuple, rolloff: float
) -> np.ndarray:
    """Features of spectra ``P`` (..., n_freqs) >= 0, float64: ``(..., len(names))``.

    A spectrum that is zero everywhere (an all-zero series) gives 0 for every feature.
    """
    P = np.asarray(P, dtype=np.float64)
    total = P.sum(axis=-1)
    has = total > 0
    safe_total = np.where(has, total, 1.0)
    p = P / safe_total[..., None]  # a distribution over bins (zero where no power)
    centroid = p @ freqs
    out = np.empty(P.shape[:-1] + (len(names),))
    for j, name in enumerate(names):
        if name == "centroid":
            v = centroid
        elif name == "bandwidth":
            v = np.sqrt((p * (freqs - centroid[..., None]) ** 2).sum(axis=-1))
        elif name == "peak_frequency":
            v = freqs[np.argmax(P, axis=-1)]
        elif name == "entropy":
            plogp = np.zeros_like(p)
            np.multiply(p, np.log(p, out=np.zeros_like(p), where=p > 0), out=plogp, where=p > 0)
            n_bins = P.shape[-1]
            v = -plogp.sum(axis=-1) / np.log(n_bins) if n_bins > 1 else np.zeros(total.shape)
            v = np.maximum(v, 0.0)
        elif name == "rolloff":
            below = (np.cumsum(p, axis=-1) < rolloff * (1 - 1e-12)).sum(axis=-1)
            v = freqs[np.minimum(below, P.shape[-1] - 1)]
        else:  # flatness: geometric over arithmetic mean, bins floored 1e-10 below the peak
            floor = np.maximum(P.max(axis=-1), np.finfo(np.float64).tiny) * 1e-10
            logs = np.log(np.maximum(P, floor[..., None])).mean(axis=-1)
            mean = np.where(has, total / P.shape[-1], 1.0)
            v = np.where(has, np.exp(logs - np.log(mean)), 0.0)
        out[..., j] = np.where(has, v, 0.0)
    return out


def _summary_check(p: dict, caller: str) -> tuple[tuple, float]:
    feats = p["features"]
    if isinstance(feats, str):
        feats = (feats,)
    feats = tuple(feats)
    bad = [f for f in feats if f not in SPECTRAL_FEATURES]
    if not feats or bad:
        raise ValidationError(
            f"{caller}(features={p['features']!r}) must name one or more of "
            f"{SPECTRAL_FEATURES!r}; unknown: {bad!r}."
        )
    _check_choice(p["per"], "per", ("series", "frame"), caller)
    _check_choice(p["spectrum"], "spectrum", ("power", "magnitude"), caller)
    r = p["rolloff"]
    if isinstance(r, bool) or not isinstance(r, Real) or not 0 < r <= 1:
        raise ValidationError(f"{caller}(rolloff={r!r}) needs a fraction in (0, 1], found {r!r}.")
    return feats, float(r)


def _summary_plan(caller: str, n_times: int, fs: Any, p: dict) -> _PlanAxes:
    nperseg = n_times if p["nperseg"] is None else _check_int(p["nperseg"], "nperseg", caller, 1)
    return _make_plan(
        caller=caller, n_times=n_times, fs=fs, nperseg=nperseg, noverlap=p["noverlap"],
        nfft=None, window=p["window"],
        scaling="spectrum" if p["spectrum"] == "power" else "magnitude",
        detrend=p["detrend"], center=p["center"], single_frame=p["nperseg"] is None,
    )


def _summary_core(data: Any, meta: CollectionMeta, fs: Any, p: dict, caller: str) -> np.ndarray:
    feats, rolloff = _summary_check(p, caller)
    if p["nperseg"] is not None:
        _check_long_enough(meta, _check_int(p["nperseg"], "nperseg", caller, 1), caller)
    per_frame = p["per"] == "frame"
    if per_frame and not meta.is_equal_length:
        raise ValidationError(
            f"{caller}(per='frame') needs series of equal length (the number of frames depends "
            f"on it), but they range from {int(meta.lengths.min())} to "
            f"{int(meta.lengths.max())} samples. Use per='series' or cut the series into windows."
        )
    if per_frame:
        fs = _single_fs(fs, caller)
    nf, C = len(feats), meta.n_channels
    out = None
    for rows, x, fs_g in _groups(data, meta, fs):
        plan, freqs, _ = _summary_plan(caller, int(x.shape[2]), fs_g, p)
        if per_frame:
            if out is None:
                out = np.empty((meta.n_series, C, nf, plan.n_frames), meta.dtype)
            for s0, s1, f0, f1, S in _blocks(x, plan, rows, meta.ids, caller, p["n_jobs"]):
                v = _spectral_features(S, freqs, feats, rolloff)  # (b, C, m, nf)
                out[rows[s0:s1], :, :, f0:f1] = v.transpose(0, 1, 3, 2)
        else:
            if out is None:
                out = np.empty((meta.n_series, C * nf), meta.dtype)
            for s0, s1, mean in _mean_blocks(x, plan, rows, meta.ids, caller, p["n_jobs"]):
                v = _spectral_features(mean, freqs, feats, rolloff)
                out[rows[s0:s1]] = v.reshape(s1 - s0, -1)
    return out


def spectral_summary(
    X: Any,
    *,
    fs: Any = None,
    features: Any = SPECTRAL_FEATURES,
    per: str = "series",
    nperseg: int | None = 256,
    noverlap: int | None = None,
    window: Any = "hann",
    detrend: Any = False,
    center: bool = False,
    spectrum: str = "power",
    rolloff: float = 0.85,
    n_jobs: int = -1,
) -> np.ndarray:
    """Summary numbers of each channel's spectrum, per series or per frame.

    Features (``P`` the one-sided spectrum, ``p = P / sum(P)``, ``f`` the bin
    frequencies):

    ``centroid``  mean frequency ``sum(f·p)``;
    ``bandwidth``  standard deviation of the frequency, ``sqrt(sum((f - centroid)²·p))``;
    ``peak_frequency``  frequency of the largest bin (the lowest one on ties);
    ``entropy``  Shannon entropy of ``p`` divided by ``log(n_freqs)``, in [0, 1];
    ``rolloff``  lowest frequency below which ``rolloff`` of the power lies;
    ``flatness``  geometric over arithmetic mean of ``P`` (bins floored at 1e-10 of the
    peak), in [0, 1]: ~1 for white noise, ~0 for a tone.

    Never NaN: an all-zero series (or frame) gives 0 for every feature. A constant
    series has its power at 0 Hz, plus the window's leakage into the first bins
    (none with ``window="boxcar"``), so its centroid, bandwidth, entropy and rolloff
    are 0 or close to it and its peak frequency is 0; with ``detrend="constant"`` it
    becomes all-zero.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        With ``per="series"`` series may differ in length and sampling rate.
    fs : float or array of shape (n_series,), optional
        Sampling rate in Hz (a SignalSet's when None); without one, frequencies are in
        cycles per sample.
    features : str or sequence of str, default=SPECTRAL_FEATURES
        Any of ``"centroid", "bandwidth", "peak_frequency", "entropy", "rolloff",
        "flatness"``, in the order wanted.
    per : {"series", "frame"}, default="series"
        ``"series"``: features of the Welch spectrum (frames' spectra averaged);
        ``"frame"``: features of every frame of the spectrogram.
    nperseg : int or None, default=256
        Frame length; ``None`` takes each whole series as one frame (its periodogram).
    noverlap : int, optional
        Default ``nperseg // 2``.
    window : str, tuple or array, default="hann"
    detrend : {False, "constant", "linear"}, default=False
    center : bool, default=False
        As in :func:`spectrogram` (True pads like ``scipy.signal.stft``).
    spectrum : {"power", "magnitude"}, default="power"
        Which spectrum the features weigh: power (as MATLAB's ``meanfreq``) or magnitude
        (as librosa).
    rolloff : float, default=0.85
        Fraction of the power for ``"rolloff"``, in (0, 1].
    n_jobs : int, default=-1
        Threads of the FFT; -1 uses every core.

    Returns
    -------
    ndarray
        ``per="series"``: shape ``(n_series, n_channels * n_features)``, channel-major.
        ``per="frame"``: shape ``(n_series, n_channels, n_features, n_frames)``, frames
        as in :func:`spectrogram` with the same ``nperseg``/``noverlap``/``center``.
        Input dtype.

    Examples
    --------
    The helicopter study's "mean frequency per second" (61 values per 1-minute row at
    1024 Hz):

    >>> import numpy as np
    >>> from wavelens.transforms import spectral_summary
    >>> x = np.sin(2 * np.pi * 50 * np.arange(61440) / 1024.0)[None, None, :]
    >>> c = spectral_summary(x, fs=1024.0, features="centroid", per="frame",
    ...                      nperseg=1024, noverlap=0, center=True)
    >>> c.shape, round(float(c[0, 0, 0, 30]), 3)
    ((1, 1, 1, 61), 50.0)
    """
    caller = "spectral_summary"
    data, meta = check_collection(X, fs=fs, allow_nan=True, caller=caller)
    p = dict(features=features, per=per, nperseg=nperseg, noverlap=noverlap, window=window,
             detrend=detrend, center=center, spectrum=spectrum, rolloff=rolloff, n_jobs=n_jobs)
    return _summary_core(data, meta, meta.fs, p, caller)


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
class BandPower(_SpectralBase):
    """Band-power features ``(n_series, n_channels * n_bands)`` (see :func:`band_power`).

    Accepts series of unequal length and one sampling rate per series.

    Parameters
    ----------
    fs : float, optional
        Required here or in the SignalSet (edges are in Hz).
    edges : sequence of float, default=(0, 100, ..., 1000)
    method : {"periodogram", "welch"}, default="periodogram"
    window : str, tuple or array, optional
    nperseg : int, default=256
    noverlap : int, optional
    detrend : {False, "constant", "linear"}, default=False
    relative : bool, default=False
    log : bool, default=False
    amin : float, default=1e-10
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None
    edges_ : ndarray of float64, shape (n_bands + 1,)
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import BandPower
    >>> bp = BandPower(fs=100.0, edges=(0, 10, 25, 50)).fit(np.zeros((2, 1, 200)))
    >>> bp.get_feature_names_out().tolist()
    ['ch0_band_0-10Hz', 'ch0_band_10-25Hz', 'ch0_band_25-50Hz']
    """

    _tags = {"output": "features", "requires_fs": True}
    _ragged_ok = True

    def __init__(self, *, fs=None, edges=tuple(range(0, 1001, 100)), method="periodogram",
                 window=None, nperseg=256, noverlap=None, detrend=False, relative=False,
                 log=False, amin=1e-10, n_jobs=-1):
        self.fs = fs
        self.edges = edges
        self.method = method
        self.window = window
        self.nperseg = nperseg
        self.noverlap = noverlap
        self.detrend = detrend
        self.relative = relative
        self.log = log
        self.amin = amin
        self.n_jobs = n_jobs

    def _p(self) -> dict:
        return dict(self._params(), nfft=None)

    def fit(self, X: Any, y: Any = None) -> "BandPower":
        data, meta = self._check_fit(X)
        p, name = self._p(), "BandPower"
        self.edges_, method, window = _band_setup(p, name)
        _needs_fs(meta.fs, "edges=...", name)
        if method == "welch":
            _check_long_enough(meta, _check_int(self.nperseg, "nperseg", name, 1), name)
        # every option, and the edges against every rate's Nyquist, checked without data
        for rows, n_times, fs in _group_keys(meta, meta.fs):
            _band_plan(name, n_times, fs, p, method, window, self.edges_, rows, meta)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Band powers of ``X``: ndarray ``(n_series, n_channels * n_bands)``."""
        data, meta, fs = self._check_transform(X)
        return _band_power_core(data, meta, fs, self._p(), "BandPower")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``"<channel>_band_<lo>-<hi>Hz"``, channel-major."""
        check_is_fitted(self, "edges_")
        e = self.edges_
        return np.array(
            [f"{ch}_band_{lo:g}-{hi:g}Hz" for ch in self.channels_ for lo, hi in zip(e[:-1], e[1:])],
            dtype=object,
        )

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [
            {"edges": (0, 5, 10, 20, 50)},
            {"edges": (1, 10, 25), "method": "welch", "nperseg": 64, "relative": True, "log": True},
        ]


class SpectralSummary(_SpectralBase):
    """Spectral summary features (see :func:`spectral_summary`), always 2-D.

    ``per="series"``: ``(n_series, n_channels * n_features)``, series may differ in
    length. ``per="frame"``: ``(n_series, n_channels * n_features * n_frames)`` (the
    function's 4-D output flattened channel, feature, frame), series of the length
    seen in fit. The helicopter study's 61 "mean frequency per second" features are
    ``SpectralSummary(features="centroid", per="frame", nperseg=1024, noverlap=0,
    center=True)`` on 61,440 samples at 1,024 Hz.

    Parameters
    ----------
    fs : float, optional
    features : str or sequence of str, default=SPECTRAL_FEATURES
    per : {"series", "frame"}, default="series"
    nperseg : int or None, default=256
    noverlap : int, optional
    window : str, tuple or array, default="hann"
    detrend : {False, "constant", "linear"}, default=False
    center : bool, default=False
    spectrum : {"power", "magnitude"}, default="power"
    rolloff : float, default=0.85
    n_jobs : int, default=-1

    Attributes
    ----------
    n_channels_ : int
    n_times_ : int
        Only with ``per="frame"``.
    fs_ : float, ndarray or None
    features_ : tuple of str
    times_ : ndarray of float64, shape (n_frames,)
        Only with ``per="frame"``: frame centres (seconds, or samples without fs).
    channels_ : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import SpectralSummary
    >>> X = np.random.default_rng(0).standard_normal((4, 1, 61440))
    >>> SpectralSummary(fs=1024.0, features="centroid", per="frame", nperseg=1024,
    ...                 noverlap=0, center=True).fit_transform(X).shape
    (4, 61)
    """

    _tags = {"output": "features"}

    def __init__(self, *, fs=None, features=SPECTRAL_FEATURES, per="series", nperseg=256,
                 noverlap=None, window="hann", detrend=False, center=False, spectrum="power",
                 rolloff=0.85, n_jobs=-1):
        self.fs = fs
        self.features = features
        self.per = per
        self.nperseg = nperseg
        self.noverlap = noverlap
        self.window = window
        self.detrend = detrend
        self.center = center
        self.spectrum = spectrum
        self.rolloff = rolloff
        self.n_jobs = n_jobs

    def _is_ragged_ok(self) -> bool:
        return self.per != "frame"

    def fit(self, X: Any, y: Any = None) -> "SpectralSummary":
        data, meta = self._check_fit(X)
        p = self._params()
        self.features_, _ = _summary_check(p, "SpectralSummary")
        if self.nperseg is not None:
            name = "SpectralSummary"
            _check_long_enough(meta, _check_int(self.nperseg, "nperseg", name, 1), name)
        for _, n_times, fs in _group_keys(meta, meta.fs):
            plan, _, times = _summary_plan("SpectralSummary", n_times, fs, p)
        if self.per == "frame":
            _single_fs(meta.fs, "SpectralSummary")
            self.times_ = times
            self._n_frames = plan.n_frames
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Features of ``X``: ndarray ``(n_series, n_features_out)``."""
        data, meta, fs = self._check_transform(X)
        out = _summary_core(data, meta, fs, self._params(), "SpectralSummary")
        return out.reshape(out.shape[0], -1)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``"<channel>_<feature>"`` or, per frame, ``"<channel>_<feature>_t<frame>"``."""
        check_is_fitted(self, "features_")
        if self.per == "frame":
            names = [f"{ch}_{f}_t{j}" for ch in self.channels_ for f in self.features_
                     for j in range(self._n_frames)]
        else:
            names = [f"{ch}_{f}" for ch in self.channels_ for f in self.features_]
        return np.array(names, dtype=object)

    @classmethod
    def _get_test_params(cls) -> list[dict]:
        return [
            {"nperseg": 64},
            {"nperseg": 32, "per": "frame", "features": ("centroid", "entropy", "flatness"),
             "center": True},
            {"nperseg": None, "spectrum": "magnitude", "detrend": "constant",
             "features": ("rolloff", "peak_frequency", "bandwidth"), "rolloff": 0.5},
        ]
