"""The blocked STFT engine under every spectral transform, its argument checks, and
the estimator shell shared by the spectral transformers.

Every function of :mod:`._spectral` (spectrogram, periodogram, Welch, FFT magnitude)
and of :mod:`._spectral_features` (band power, spectral summaries) runs the same
blocked STFT engine: a block of series is cut into frames (a strided view, no copy),
windowed into a reused work buffer, transformed with :func:`scipy.fft.rfft`
(multi-threaded, float32 kept) and reduced to the output in place. Memory stays
bounded by the output plus a work buffer of a few MiB, whatever the size of the
collection.

:func:`_make_plan` validates the framing options (frame length, overlap, FFT length,
window, scaling, detrending, centring, kept band) into a :class:`_Plan` and gives the
frequency and time axes; :func:`_blocks` runs the STFT block by block,
:func:`_mean_blocks` averages each series' frames, and :func:`_groups` cuts a ragged
collection (or one with a rate per series) into equal-length, equal-rate blocks.

Conventions shared by all spectral functions:

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
from ._channels import _channel_names
from ._framing import frame

__all__: list[str] = []

# Bytes of work memory per block (frames + complex spectrum + reduced spectrum).
# A few MiB keeps a block in cache between its FFT and its reduction; measured on
# the helicopter-scale benchmark, 2-8 MiB are equally fast and larger blocks slower.
_WORK_BYTES = 4 * 2**20
# Bytes of series stacked at once when equal-length groups are cut out of a ragged
# collection (or out of a collection with one sampling rate per series).
_STACK_BYTES = 64 * 2**20
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


_PlanAxes = tuple[_Plan, np.ndarray, np.ndarray]  # plan, kept frequencies, frame times


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
# estimators: the shell every spectral transformer shares
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
        self.channels_ = _channel_names(meta)
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
