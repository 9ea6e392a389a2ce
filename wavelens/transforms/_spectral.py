"""Spectral representations: spectrogram, periodogram, Welch, FFT magnitude, band power
and spectral summaries — each a plain function plus a thin scikit-learn transformer.

Every function runs the same blocked STFT engine: a block of series is cut into
frames (a strided view, no copy), windowed into a reused work buffer, transformed
with :func:`scipy.fft.rfft` (multi-threaded, float32 kept) and reduced to the output
in place. Memory stays bounded by the output plus a work buffer of a few MiB,
whatever the size of the collection.

Conventions shared by all functions here:

* ``fs=None`` means frequencies in cycles per sample and times in samples (as if
  ``fs=1``). Arguments given in Hz (``fmin``, ``fmax``, ``edges``) need ``fs``.
* ``noverlap=None`` means ``nperseg // 2`` everywhere (scipy.signal.spectrogram
  alone uses ``nperseg // 8``; pass it explicitly to reproduce scipy's frames).
* ``detrend=False`` by default everywhere (scipy's periodogram and welch remove the
  mean by default; wavelens never changes the signal unless asked).
* One-sided spectra; power and densities double every bin except DC and Nyquist,
  as scipy does, so that they sum to the mean square of the signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Iterator

import numpy as np
import scipy.fft
import scipy.signal

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ._framing import frame

__all__ = [
    "SPECTRAL_FEATURES",
    "spectrogram",
    "periodogram",
    "welch",
    "fft_magnitude",
    "band_power",
    "spectral_summary",
    "Spectrogram",
    "Periodogram",
    "Welch",
    "FFTMagnitude",
    "BandPower",
    "SpectralSummary",
]

#: Names accepted by ``spectral_summary(features=...)``, in their default order.
SPECTRAL_FEATURES = ("centroid", "bandwidth", "peak_frequency", "entropy", "rolloff", "flatness")

# Bytes of work memory per block (frames + complex spectrum + reduced spectrum).
# A few MiB keeps a block in cache between its FFT and its reduction; measured on
# the helicopter-scale benchmark, 2-8 MiB are equally fast and larger blocks slower.
_WORK_BYTES = 4 * 2**20
# Bytes of series stacked at once when equal-length groups are cut out of a ragged
# collection (or out of a collection with one sampling rate per series).
_STACK_BYTES = 64 * 2**20
_SCALINGS = ("magnitude", "power", "psd", "db")
_DETRENDS = (False, "constant", "linear")


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------
def _check_int(value: Any, name: str, caller: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValidationError(
            f"{caller}({name}={value!r}) needs an integer >= {minimum}, found {value!r}."
        )
    return int(value)


def _check_choice(value: Any, name: str, choices: tuple, caller: str) -> Any:
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValidationError(
            f"{caller}({name}={value!r}) must be one of {choices!r}, found {value!r}."
        )
    return value


def _check_hz(value: Any, name: str, caller: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value < 0:
        raise ValidationError(
            f"{caller}({name}={value!r}) needs a finite frequency >= 0 in Hz, found {value!r}."
        )
    return float(value)


def _check_amin(amin: Any, caller: str) -> float:
    if isinstance(amin, bool) or not isinstance(amin, Real) or not (np.isfinite(amin) and amin > 0):
        raise ValidationError(
            f"{caller}(amin={amin!r}) needs a positive finite floor, found {amin!r}."
        )
    return float(amin)


def _needs_fs(fs: Any, what: str, caller: str) -> None:
    if fs is None:
        raise ValidationError(
            f"{caller}({what}) is given in Hz, so it needs the sampling rate, but fs is "
            "missing. Pass fs= (in Hz) or use a SignalSet that has it."
        )


def _single_fs(fs: Any, caller: str) -> float | None:
    """The one sampling rate of a collection (None if unknown); refuse one per series."""
    if isinstance(fs, np.ndarray):
        raise ValidationError(
            f"{caller} needs one sampling rate for all series (its frequency axis is shared), "
            f"but fs ranges from {fs.min():g} to {fs.max():g} Hz. Resample the series to one "
            "rate first, or use band_power/spectral_summary, which accept a rate per series."
        )
    return fs


def _check_long_enough(meta: CollectionMeta, nperseg: int, caller: str) -> None:
    short = np.flatnonzero(meta.lengths < nperseg)
    if short.size:
        i = int(short[0])
        n = int(meta.lengths[i])
        raise ValidationError(
            f"{caller}(nperseg={nperseg}) needs nperseg <= n_times, but "
            f"{describe_series(i, meta.ids)} has n_times={n}. Use nperseg <= {n} or drop "
            "short series."
        )


def _get_window(window: Any, nperseg: int, caller: str, seg: str = "nperseg") -> np.ndarray:
    if isinstance(window, (np.ndarray, list)):
        w = np.asarray(window, dtype=np.float64)
        if w.shape != (nperseg,):
            raise ValidationError(
                f"{caller}(window=array) needs an array of {seg}={nperseg} values, found "
                f"shape {w.shape!r}."
            )
    else:
        try:
            w = scipy.signal.get_window(window, nperseg, fftbins=True)
        except (ValueError, TypeError) as err:
            raise ValidationError(
                f"{caller}(window={window!r}) is not a window scipy.signal.get_window knows "
                f"({err}). Use e.g. 'hann', 'boxcar', ('tukey', 0.25) or an array of "
                f"{seg}={nperseg} values."
            ) from err
        w = np.asarray(w, dtype=np.float64)
    if not np.isfinite(w).all() or not np.any(w != 0):
        raise ValidationError(
            f"{caller}(window={window!r}) must be finite and not all zero."
        )
    return w


def _resolve_fs(meta_fs: Any, fitted_fs: Any, caller: str) -> Any:
    """Rate for a transform: the data's, else the one seen in fit; one rate must agree.

    Rates given one per series belong to their own collection, so they are not
    compared with those seen in fit (nor carried over to another collection).
    """
    if meta_fs is None:
        if isinstance(fitted_fs, np.ndarray):
            raise ValidationError(
                f"{caller} was fitted on series with one sampling rate each, but X has no fs. "
                "Pass X as a SignalSet that has its rates, or pass fs=."
            )
        return fitted_fs
    if isinstance(meta_fs, np.ndarray) or isinstance(fitted_fs, np.ndarray) or fitted_fs is None:
        return meta_fs
    if not np.isclose(meta_fs, fitted_fs):
        raise ValidationError(
            f"{caller} was fitted with fs={fitted_fs!r} but X has fs={meta_fs!r}. Transform "
            "data sampled at the fitted rate or fit again."
        )
    return meta_fs


# --------------------------------------------------------------------------------------
# the blocked STFT engine
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """Everything the engine needs for series of one length (validated)."""

    n_times: int
    nperseg: int
    step: int
    nfft: int
    pad: int  # zeros before each series (center=True)
    padded_len: int  # length after padding
    n_frames: int
    window: np.ndarray  # float64, the scaling constant folded in
    power: bool  # |X|**2 (True) or |X| (False)
    bin_scale: np.ndarray | None  # per kept bin (one-sided doubling), or None
    k0: int  # kept bins: k0 <= k < k1
    k1: int
    detrend: Any
    center: bool

    @property
    def n_bins(self) -> int:
        return self.k1 - self.k0


def _make_plan(
    *,
    caller: str,
    n_times: int,
    fs: float | None,
    nperseg: int,
    noverlap: int | None,
    nfft: int | None,
    window: Any,
    scaling: str,
    detrend: Any,
    center: bool,
    fmin: float | None = None,
    fmax: float | None = None,
    single_frame: bool = False,
    norm_factor: float = 1.0,
) -> tuple[_Plan, np.ndarray, np.ndarray]:
    """Validate the framing options; return the plan, the kept frequencies and frame times.

    ``scaling``: ``"magnitude"`` |X|/sum(w); ``"spectrum"`` |X|²/sum(w)², doubled;
    ``"density"`` |X|²/(fs·sum(w²)), doubled; ``"fft"`` |X|·norm_factor.
    """
    _check_choice(detrend, "detrend", _DETRENDS, caller)
    if not isinstance(center, (bool, np.bool_)):
        raise ValidationError(f"{caller}(center={center!r}) must be True or False.")
    seg = "n_times" if single_frame else "nperseg"  # how messages name the frame length
    if single_frame:
        step = max(n_times, 1)
    else:
        if noverlap is None:
            noverlap = nperseg // 2
        noverlap = _check_int(noverlap, "noverlap", caller, 0)
        if noverlap >= nperseg:
            raise ValidationError(
                f"{caller}(noverlap={noverlap}) needs 0 <= noverlap < nperseg={nperseg}. "
                f"Use noverlap <= {nperseg - 1}."
            )
        step = nperseg - noverlap
    if nfft is None:
        nfft = nperseg
    nfft = _check_int(nfft, "nfft", caller, 1)
    if nfft < nperseg:
        raise ValidationError(
            f"{caller}(nfft={nfft}) needs nfft >= {seg}={nperseg} (zero padding), found "
            f"{nfft}. Use nfft=None or nfft >= {nperseg}."
        )
    w = _get_window(window, nperseg, caller, seg)
    fs_eff = 1.0 if fs is None else float(fs)
    if center:
        pad = nperseg // 2
        length = n_times + 2 * pad
        length += (-(length - nperseg)) % step  # complete the last frame with zeros
    else:
        pad, length = 0, n_times
    n_fr = 1 + (length - nperseg) // step

    n_freqs = nfft // 2 + 1
    freqs = scipy.fft.rfftfreq(nfft, d=1.0 / fs_eff)
    k0, k1 = 0, n_freqs
    if fmin is not None or fmax is not None:
        lo = -np.inf if fmin is None else fmin
        hi = np.inf if fmax is None else fmax
        if lo > hi:
            raise ValidationError(
                f"{caller}(fmin={fmin!r}, fmax={fmax!r}) needs fmin <= fmax."
            )
        keep = np.flatnonzero((freqs >= lo) & (freqs <= hi))
        if keep.size == 0:
            raise ValidationError(
                f"{caller}(fmin={fmin!r}, fmax={fmax!r}) keeps no frequency bin: the bins are "
                f"{freqs[1] - freqs[0]:g} Hz apart from 0 to {freqs[-1]:g} Hz. Widen the range "
                "or raise nfft."
            )
        k0, k1 = int(keep[0]), int(keep[-1]) + 1

    power = scaling in ("spectrum", "density")
    w_sum = float(w.sum())
    if scaling in ("magnitude", "spectrum") and w_sum == 0:
        raise ValidationError(
            f"{caller}(window={window!r}) sums to zero, so a {scaling} scaling (divided by "
            "sum(window)) is undefined. Use a window with a non-zero sum or a density scaling."
        )
    if scaling == "magnitude":
        const = 1.0 / w_sum
    elif scaling == "spectrum":
        const = 1.0 / abs(w_sum)  # squared by the power
    elif scaling == "density":
        const = float(np.sqrt(1.0 / (fs_eff * float((w * w).sum()))))
    else:  # "fft"
        const = norm_factor
    bin_scale = None
    if power:
        scale = np.full(n_freqs, 2.0)
        scale[0] = 1.0
        if nfft % 2 == 0:
            scale[-1] = 1.0
        bin_scale = scale[k0:k1] if n_freqs > 1 else None
    plan = _Plan(
        n_times=n_times,
        nperseg=nperseg,
        step=step,
        nfft=nfft,
        pad=pad,
        padded_len=length,
        n_frames=n_fr,
        window=w * const,
        power=power,
        bin_scale=bin_scale,
        k0=k0,
        k1=k1,
        detrend=detrend,
        center=bool(center),
    )
    times = (np.arange(n_fr) * step + nperseg / 2 - pad) / fs_eff
    return plan, freqs[k0:k1], times


def _check_finite(xb: np.ndarray, rows: np.ndarray, ids: Any, caller: str) -> None:
    """Raise, naming the series, if ``xb`` (b, ...) holds NaN or inf."""
    flat = xb.reshape(xb.shape[0], -1)
    with np.errstate(over="ignore", invalid="ignore"):
        sums = flat.sum(axis=1)
    for i in np.flatnonzero(~np.isfinite(sums)):
        if not np.isfinite(flat[i]).all():
            raise ValidationError(
                f"{caller}: {describe_series(int(rows[i]), ids)} contains NaN or inf. Remove "
                "or interpolate missing values before this step (wavelens inspect lists them)."
            )


def _detrend_linear(w: np.ndarray) -> None:
    n = w.shape[-1]
    t = np.arange(n, dtype=w.dtype) - w.dtype.type((n - 1) / 2)
    tt = float((t.astype(np.float64) ** 2).sum()) or 1.0
    w -= w.mean(axis=-1, keepdims=True)
    slope = (w @ t) / w.dtype.type(tt)
    w -= slope[..., None] * t


def _blocks(
    x: np.ndarray, plan: _Plan, rows: np.ndarray, ids: Any, caller: str, n_jobs: int
) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """Run the STFT over ``x`` (n, n_channels, n_times) block by block.

    Yields ``(s0, s1, f0, f1, S)``: ``S`` of shape ``(s1-s0, n_channels, f1-f0, n_bins)``
    holds the scaled |X| or |X|² of frames ``f0:f1`` of series ``s0:s1``. ``S`` is a
    reused buffer: consume it before the next iteration.
    """
    n, n_ch, _ = x.shape
    dt = x.dtype
    n_freqs = plan.nfft // 2 + 1
    per_frame = dt.itemsize * (plan.nperseg + 3 * n_freqs)
    max_frames = max(1, _WORK_BYTES // per_frame)
    F = plan.n_frames
    if n_ch * F <= max_frames:
        sb, fc = min(n, max_frames // (n_ch * F)), F
    else:  # very long series: one series per block, its frames in chunks
        sb, fc = 1, max(1, max_frames // n_ch)
    win = plan.window.astype(dt)
    scale = None if plan.bin_scale is None else plan.bin_scale.astype(dt)
    wbuf = np.empty(sb * n_ch * min(fc, F) * plan.nperseg, dt)
    sbuf = np.empty(sb * n_ch * min(fc, F) * plan.n_bins, dt)
    pbuf = np.zeros((sb, n_ch, plan.padded_len), dt) if plan.center else None
    trim = plan.k0 != 0 or plan.k1 != n_freqs
    # NaN/inf are rejected here rather than by a separate pass of check_collection:
    # a NaN or inf anywhere in a frame reaches every bin of its FFT, the DC bin (a
    # plain sum) included, even under a zero window weight (0·NaN is NaN). So the DC
    # bins are a free detector for the framed samples; the samples no frame covers
    # are scanned directly; any hit is confirmed on the input (so an FFT overflowing
    # on huge finite values is not mistaken for NaN).
    tail = max(0, (F - 1) * plan.step + plan.nperseg - plan.pad)
    for s0 in range(0, n, sb):
        s1 = min(n, s0 + sb)
        b = s1 - s0
        xb = x[s0:s1]
        if tail < plan.n_times:
            _check_finite(xb[:, :, tail:], rows[s0:s1], ids, caller)
        if pbuf is not None:
            pbuf[:b, :, plan.pad : plan.pad + plan.n_times] = xb
            xb = pbuf[:b]
        frames = frame(xb, plan.nperseg, plan.step)  # (b, n_ch, F, nperseg), a view
        for f0 in range(0, F, fc):
            f1 = min(F, f0 + fc)
            m = f1 - f0
            fr = frames[:, :, f0:f1]
            w = wbuf[: b * n_ch * m * plan.nperseg].reshape(b, n_ch, m, plan.nperseg)
            if plan.detrend is False:
                np.multiply(fr, win, out=w)
            else:
                np.copyto(w, fr)
                if plan.detrend == "constant":
                    w -= w.mean(axis=-1, keepdims=True)
                else:
                    _detrend_linear(w)
                w *= win
            z = scipy.fft.rfft(w.reshape(-1, plan.nperseg), n=plan.nfft, axis=-1, workers=n_jobs)
            if not np.isfinite(z[:, 0]).all():
                _check_finite(x[s0:s1], rows[s0:s1], ids, caller)
            if trim:
                z = z[:, plan.k0 : plan.k1]
            S = sbuf[: b * n_ch * m * plan.n_bins].reshape(-1, plan.n_bins)
            np.abs(z, out=S)
            if plan.power:
                np.square(S, out=S)
            if scale is not None:
                S *= scale
            yield s0, s1, f0, f1, S.reshape(b, n_ch, m, plan.n_bins)


def _mean_blocks(
    x: np.ndarray, plan: _Plan, rows: np.ndarray, ids: Any, caller: str, n_jobs: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Like :func:`_blocks`, but yields ``(s0, s1, mean over frames)`` in float64."""
    acc = None
    for s0, s1, f0, f1, S in _blocks(x, plan, rows, ids, caller, n_jobs):
        part = S.sum(axis=2, dtype=np.float64)
        acc = part if f0 == 0 else acc + part
        if f1 == plan.n_frames:
            if plan.n_frames > 1:
                acc /= plan.n_frames
            yield s0, s1, acc


def _groups(
    data: np.ndarray | list[np.ndarray], meta: CollectionMeta, fs: Any
) -> Iterator[tuple[np.ndarray, np.ndarray, float | None]]:
    """Yield ``(rows, x, fs)``: equal-length, equal-rate 3-D blocks of the collection.

    ``rows`` are the indices of ``x``'s series in the collection. An equal-length
    collection with one rate is a single group, without a copy; otherwise series are
    grouped by (length, rate) and stacked at most ``_STACK_BYTES`` at a time.
    """
    fs_arr = fs if isinstance(fs, np.ndarray) else None
    if isinstance(data, np.ndarray) and fs_arr is None:
        yield np.arange(meta.n_series), data, fs
        return
    lengths = meta.lengths
    if fs_arr is None:
        order = np.argsort(lengths, kind="stable")
        keys = lengths[order].astype(np.float64)[:, None]
    else:
        order = np.lexsort((fs_arr, lengths))
        keys = np.column_stack([lengths[order], fs_arr[order]])
    cuts = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
    itemsize = np.dtype(meta.dtype).itemsize
    for idx in np.split(order, cuts):
        per_series = meta.n_channels * int(lengths[idx[0]]) * itemsize
        chunk = max(1, _STACK_BYTES // max(per_series, 1))
        for c0 in range(0, idx.size, chunk):
            rows = idx[c0 : c0 + chunk]
            if isinstance(data, np.ndarray):
                x = data[rows]
            else:
                x = np.stack([data[i] for i in rows])
            yield rows, x, (fs if fs_arr is None else float(fs_arr[rows[0]]))


# --------------------------------------------------------------------------------------
# spectrogram
# --------------------------------------------------------------------------------------
_PlanAxes = tuple[_Plan, np.ndarray, np.ndarray]  # plan, kept frequencies, frame times


def _spectrogram_plan(caller: str, n_times: int, fs: Any, p: dict) -> _PlanAxes:
    nperseg = _check_int(p["nperseg"], "nperseg", caller, 1)
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
    fs = _single_fs(fs, caller)
    _check_long_enough(meta, _check_int(p["nperseg"], "nperseg", caller, 1), caller)
    plan, freqs, times = _spectrogram_plan(caller, int(data.shape[2]), fs, p)
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


def _periodogram_core(
    data: np.ndarray, meta: CollectionMeta, fs: Any, p: dict, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    fs = _single_fs(fs, caller)
    n_times = int(data.shape[2])
    plan, freqs, _ = _make_plan(
        caller=caller, n_times=n_times, fs=fs, nperseg=n_times, noverlap=None, nfft=p["nfft"],
        window=p["window"], scaling=_density_or_spectrum(p["scaling"], caller),
        detrend=p["detrend"], center=False, single_frame=True,
    )
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
class _SpectralBase(BaseTransform):
    """Shared fit/transform plumbing: the thin shell around a core function."""

    _ragged_ok = False  # overridden per class or per instance (_is_ragged_ok)

    def _is_ragged_ok(self) -> bool:
        return self._ragged_ok

    def get_tags(self) -> dict:
        tags = super().get_tags()
        tags["capability:ragged"] = self._is_ragged_ok()
        return tags

    def _params(self) -> dict:
        return self.get_params(deep=False)

    def _check_fit(self, X: Any) -> tuple[Any, CollectionMeta]:
        name = type(self).__name__
        data, meta = check_collection(X, fs=self.fs, allow_ragged=self._is_ragged_ok(), caller=name)
        self.n_channels_ = meta.n_channels
        self.fs_ = meta.fs
        if meta.signal_set is not None:
            self.channels_ = list(meta.signal_set.channels)
        else:
            self.channels_ = [f"ch{c}" for c in range(meta.n_channels)]
        if not self._is_ragged_ok():
            self.n_times_ = int(meta.lengths[0])
        return data, meta

    def _check_transform(self, X: Any) -> tuple[Any, CollectionMeta, Any]:
        check_is_fitted(self, "n_channels_")
        name = type(self).__name__
        data, meta = check_collection(
            X, fs=self.fs, allow_ragged=self._is_ragged_ok(), allow_nan=True, caller=name
        )
        if meta.n_channels != self.n_channels_:
            raise ValidationError(
                f"{name} was fitted on {self.n_channels_} channels but X has "
                f"{meta.n_channels}. Transform series with the fitted channels or fit again."
            )
        if not self._is_ragged_ok() and int(meta.lengths[0]) != self.n_times_:
            raise ValidationError(
                f"{name} was fitted on series of length n_times={self.n_times_} but X has "
                f"n_times={int(meta.lengths[0])}, so its output would not match the fitted "
                f"axes. Use series of {self.n_times_} samples or fit again."
            )
        return data, meta, _resolve_fs(meta.fs, self.fs_, name)


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
        fs = _single_fs(meta.fs, "Spectrogram")
        name = "Spectrogram"
        _check_long_enough(meta, _check_int(self.nperseg, "nperseg", name, 1), name)
        _, self.frequencies_, self.times_ = _spectrogram_plan(
            "Spectrogram", self.n_times_, fs, self._params()
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
        _, self.frequencies_, _ = _make_plan(
            caller="Periodogram", n_times=self.n_times_, fs=fs, nperseg=self.n_times_,
            noverlap=None, nfft=self.nfft, window=self.window,
            scaling=_density_or_spectrum(self.scaling, "Periodogram"), detrend=self.detrend,
            center=False, single_frame=True,
        )
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
