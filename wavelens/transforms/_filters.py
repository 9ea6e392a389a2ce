"""Filtering and resampling of series: zero-phase Butterworth filters and polyphase
resampling — each a plain function plus a thin scikit-learn transformer.

Conventions (containers, dtypes) as stated in :mod:`._seriestransform`; the work runs
block by block through :mod:`._blockmap`. Series with different sampling rates get
filters (or resampling factors) of their own rate.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from scipy import signal

from ..data import CollectionMeta, check_collection, describe_series, require_fs
from ..exceptions import ValidationError
from ._blockmap import _is_full, _map_series, _same_kind
from ._seriestransform import (
    _check_choice,
    _check_int,
    _fs_rows,
    _SeriesTransform,
    _transform_fs,
)

__all__ = ["butterworth_filter", "resample", "ButterworthFilter", "Resample"]


# --------------------------------------------------------------------------------------
# Butterworth filters (zero-phase)
# --------------------------------------------------------------------------------------
_BTYPES = ("low", "high", "band")


def _check_cutoff(caller: str, cutoff: Any, btype: str) -> tuple[float, ...]:
    """``cutoff`` as a tuple of positive finite Hz: one for low/high, two for band."""
    want = 2 if btype == "band" else 1
    values = np.atleast_1d(np.asarray(cutoff, dtype=object)).ravel()
    try:
        cut = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        cut = ()
    if len(cut) != want or not all(np.isfinite(c) and c > 0 for c in cut):
        what = "a pair (low, high) of frequencies" if want == 2 else "one frequency"
        raise ValidationError(
            f"{caller}: btype={btype!r} needs cutoff to be {what} in Hz, each positive and "
            f"finite; found cutoff={cutoff!r}."
        )
    if want == 2 and not cut[0] < cut[1]:
        raise ValidationError(
            f"{caller}: a band-pass needs cutoff=(low, high) with low < high, found {cutoff!r}."
        )
    return cut


def _butter_sos(caller: str, order: int, cut: tuple[float, ...], btype: str, fs: float, where: str) -> np.ndarray:
    nyquist = fs / 2.0
    for c in cut:
        if c >= nyquist:
            raise ValidationError(
                f"{caller}: cutoff {c!r} Hz is at or above the Nyquist frequency {nyquist!r} Hz "
                f"of {where} (fs={fs!r} Hz). Use cutoffs below {nyquist!r} Hz or resample first."
            )
    wn = cut[0] if len(cut) == 1 else list(cut)
    return signal.butter(order, wn, btype=btype, fs=fs, output="sos")


def _padlen(sos: np.ndarray) -> int:
    """The edge padding of :func:`scipy.signal.sosfiltfilt` for these sections."""
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * ntaps


def _sosfiltfilt_ragged(sos: np.ndarray, x: np.ndarray, lens: np.ndarray, edge: int) -> np.ndarray:
    """:func:`scipy.signal.sosfiltfilt` (odd padding) of zero-padded series of unequal length.

    The forward pass runs on the left-aligned rows (what follows a series cannot reach
    back into it); each row is then reversed about its own end, so the backward pass is
    also causal in the reversed order; one more gather puts the samples back in place.
    """
    b, c, width = x.shape
    rows = np.arange(b)[:, np.newaxis]
    k = np.arange(edge)
    ext = np.zeros((b, c, width + 2 * edge))
    ext[:, :, edge : edge + width] = x
    ext[:, :, :edge] = 2.0 * x[:, :, :1] - x[:, :, edge:0:-1]
    last = x[np.arange(b), :, lens - 1][:, :, np.newaxis]  # (b, c, 1)
    tail = 2.0 * last - np.moveaxis(x[rows, :, lens[:, np.newaxis] - 2 - k], 1, 2)
    ext[rows, :, lens[:, np.newaxis] + edge + k] = np.moveaxis(tail, 1, 2)
    zi = signal.sosfilt_zi(sos)[:, np.newaxis, np.newaxis, :]  # (sections, 1, 1, 2)
    y, _ = signal.sosfilt(sos, ext, axis=-1, zi=zi * ext[np.newaxis, :, :, :1])
    end = lens + 2 * edge - 1
    rev = np.clip(end[:, np.newaxis] - np.arange(ext.shape[-1]), 0, None)[:, np.newaxis, :]
    y = np.take_along_axis(y, rev, axis=-1)
    y, _ = signal.sosfilt(sos, y, axis=-1, zi=zi * y[np.newaxis, :, :, :1])
    back = np.clip((lens + edge - 1)[:, np.newaxis] - np.arange(width), 0, None)[:, np.newaxis, :]
    return np.take_along_axis(y, back, axis=-1)


def _designs(
    caller: str, order: int, cut: tuple[float, ...], btype: str, fs_rows: np.ndarray, meta: CollectionMeta
) -> dict[float, tuple[np.ndarray, int]]:
    """Second-order sections and edge padding for every distinct rate."""
    rates, first = np.unique(fs_rows, return_index=True)
    designs = {}
    for rate, i in zip(rates, first):
        where = "the data" if len(rates) == 1 else describe_series(int(i), meta.ids)
        sos = _butter_sos(caller, order, cut, btype, float(rate), where)
        designs[float(rate)] = (sos, _padlen(sos))
    return designs


def _butterworth(data: Any, meta: CollectionMeta, *, cutoff: Any, btype: str, order: int, fs: Any, caller: str) -> Any:
    cut = _check_cutoff(caller, cutoff, btype)
    fs_rows = _fs_rows(fs, meta.n_series)
    designs = _designs(caller, order, cut, btype, fs_rows, meta)
    rates, inverse = np.unique(fs_rows, return_inverse=True)
    need = np.array([designs[float(r)][1] + 1 for r in rates])[inverse]
    short = np.flatnonzero(meta.lengths < need)
    if short.size:
        i = int(short[0])
        raise ValidationError(
            f"{caller}: {describe_series(i, meta.ids)} has n_times={int(meta.lengths[i])}, but "
            f"this order-{order} {btype}-pass filter pads {int(need[i]) - 1} samples at each end "
            f"(zero-phase filtering) and needs at least {int(need[i])} samples. Use a lower order, "
            "drop short series or pad them."
        )

    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = block.astype(np.float64)
        out = np.empty_like(x)
        for rate in np.unique(fs_rows[idx]):
            rows = fs_rows[idx] == rate
            sos, edge = designs[float(rate)]
            if _is_full(block, lens[rows]):
                out[rows] = signal.sosfiltfilt(sos, x[rows], axis=-1)
            else:
                out[rows] = _sosfiltfilt_ragged(sos, x[rows], lens[rows], edge)
        return out

    return _map_series(
        data,
        meta.lengths,
        kernel,
        n_out_channels=meta.n_channels,
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=64,
    )


def butterworth_filter(
    X: Any, *, cutoff: Any, btype: str = "band", order: int = 4, fs: Any = None
) -> np.ndarray | list[np.ndarray]:
    """Zero-phase Butterworth low-, high- or band-pass filter of every series and channel.

    The filter is designed as second-order sections (:func:`scipy.signal.butter`) and
    applied forwards and backwards (:func:`scipy.signal.sosfiltfilt`, odd padding of
    its default length at both ends), so the phase is zero and the magnitude response
    is the square of the Butterworth response of ``order`` (attenuation doubled in dB).

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.
    cutoff : float or (float, float)
        Cutoff frequency in Hz for ``"low"``/``"high"``; ``(low, high)`` in Hz for
        ``"band"``. Every cutoff must be below the Nyquist frequency ``fs / 2``.
    btype : {"band", "low", "high"}, default="band"
    order : int, default=4
        Order of the Butterworth design, >= 1.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz; required unless ``X`` is a SignalSet that has it. Series
        with different rates get filters designed for their own rate.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Same container, shapes and dtype as the input.

    Raises
    ------
    ValidationError
        ``fs`` missing; a cutoff at or above the Nyquist frequency (named, with the
        Nyquist); a series shorter than the filter's edge padding plus one (named, with
        the minimum length); NaN/inf (the series named).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> x = np.sin(2 * np.pi * 2 * t) + np.sin(2 * np.pi * 30 * t)
    >>> y = butterworth_filter(x[None, None], cutoff=10.0, btype="low", fs=100.0)
    >>> bool(np.abs(y[0, 0, 200:800] - np.sin(2 * np.pi * 2 * t[200:800])).max() < 0.01)
    True
    """
    caller = f"butterworth_filter(btype={btype!r}, cutoff={cutoff!r}, order={order!r})"
    _check_choice(caller, "btype", btype, _BTYPES)
    order = _check_int(caller, "order", order, 1)
    data, meta = check_collection(X, fs=fs, caller=caller)
    rate = require_fs(meta, caller, "cutoffs in Hz")
    return _same_kind(X, _butterworth(data, meta, cutoff=cutoff, btype=btype, order=order, fs=rate, caller=caller))


# --------------------------------------------------------------------------------------
# resampling
# --------------------------------------------------------------------------------------
_MAX_DENOMINATOR = 1000


def _ratio(caller: str, target_fs: float, fs: float) -> tuple[int, int]:
    """``target_fs / fs`` as a ratio ``up / down`` of small integers."""
    frac = Fraction(target_fs / fs).limit_denominator(_MAX_DENOMINATOR)
    if frac.numerator == 0 or abs(frac.numerator / frac.denominator - target_fs / fs) > 1e-9 * (target_fs / fs):
        raise ValidationError(
            f"{caller}: target_fs / fs = {target_fs!r} / {fs!r} is not a ratio of integers with "
            f"a denominator up to {_MAX_DENOMINATOR}. Pass up= and down= instead."
        )
    return frac.numerator, frac.denominator


def _resample(
    data: Any, meta: CollectionMeta, *, ups: np.ndarray, downs: np.ndarray, window: Any
) -> Any:
    n_out = (meta.lengths * ups + downs - 1) // downs

    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        up, down = ups[idx], downs[idx]
        width = int(((block.shape[-1] * up + down - 1) // down).max())
        out = np.zeros((block.shape[0], block.shape[1], width), dtype=block.dtype)
        pairs = np.unique(np.stack([up, down], axis=1), axis=0)
        for u, d in pairs:
            rows = (up == u) & (down == d)
            # zero padding beyond a series' end is what resample_poly assumes anyway
            y = signal.resample_poly(block[rows], int(u), int(d), axis=-1, window=window)
            out[rows, :, : y.shape[-1]] = y
        return out

    return _map_series(
        data,
        meta.lengths,
        kernel,
        n_out_channels=meta.n_channels,
        out_lengths=n_out,
        dtype=meta.dtype,
        bytes_per_sample=8 * (2 + int(np.max(ups / downs) + 1)),
    )


def _resample_factors(
    caller: str, meta: CollectionMeta, fs: Any, target_fs: Any, up: Any, down: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per-series ``up`` and ``down`` from ``target_fs`` (and fs) or from ``up``/``down``."""
    if (target_fs is None) == (up is None and down is None):
        raise ValidationError(
            f"{caller}: pass either target_fs= (in Hz, needs fs) or up= and down=, not both "
            f"and not neither; found target_fs={target_fs!r}, up={up!r}, down={down!r}."
        )
    n = meta.n_series
    if target_fs is None:
        u = _check_int(caller, "up", 1 if up is None else up, 1)
        d = _check_int(caller, "down", 1 if down is None else down, 1)
        return np.full(n, u, dtype=np.int64), np.full(n, d, dtype=np.int64)
    if not isinstance(target_fs, (int, float, np.number)) or not np.isfinite(target_fs) or target_fs <= 0:
        raise ValidationError(f"{caller}: target_fs must be a positive number in Hz, found {target_fs!r}.")
    if fs is None:
        require_fs(meta, caller, "target_fs")
    fs_rows = _fs_rows(fs, n)
    rates, inverse = np.unique(fs_rows, return_inverse=True)
    pairs = np.array([_ratio(caller, float(target_fs), float(r)) for r in rates], dtype=np.int64)
    return pairs[inverse, 0], pairs[inverse, 1]


def resample(
    X: Any,
    *,
    target_fs: float | None = None,
    up: int | None = None,
    down: int | None = None,
    fs: Any = None,
    window: Any = ("kaiser", 5.0),
) -> np.ndarray | list[np.ndarray]:
    """Change the sampling rate by polyphase filtering (:func:`scipy.signal.resample_poly`).

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.
    target_fs : float, optional
        New rate in Hz; needs ``fs``. ``target_fs / fs`` must be a ratio of integers
        with a denominator up to 1000 (e.g. 1024 → 100 Hz is 25/256).
    up, down : int, optional
        Upsampling and downsampling factors (>= 1), instead of ``target_fs``; the new
        rate is ``fs * up / down``.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz (or a SignalSet's). Series with different rates get their
        own factors when ``target_fs`` is given.
    window : str, tuple or array_like, default=("kaiser", 5.0)
        The anti-aliasing FIR window, as in :func:`scipy.signal.resample_poly`.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_out) or list of ndarray
        ``n_out = ceil(n_times * up / down)`` samples per series; dtype kept. A list when
        the input was a list, or when series at different rates end at different lengths.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((3, 2, 1024)).astype(np.float32)
    >>> Y = resample(X, target_fs=100.0, fs=1024.0)
    >>> Y.shape, Y.dtype
    ((3, 2, 100), dtype('float32'))
    """
    caller = f"resample(target_fs={target_fs!r}, up={up!r}, down={down!r})"
    data, meta = check_collection(X, fs=fs, caller=caller)
    ups, downs = _resample_factors(caller, meta, meta.fs, target_fs, up, down)
    return _same_kind(X, _resample(data, meta, ups=ups, downs=downs, window=window))


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
class ButterworthFilter(_SeriesTransform):
    """Zero-phase Butterworth low-, high- or band-pass filter (see :func:`butterworth_filter`).

    Parameters
    ----------
    cutoff : float or (float, float), default=(1.0, 10.0)
        Cutoff in Hz (low/high) or ``(low, high)`` in Hz (band); below ``fs / 2``.
    btype : {"band", "low", "high"}, default="band"
    order : int, default=4
    fs : float or array-like, optional
        Sampling rate in Hz; by default a SignalSet's. Needed in ``fit``.

    Attributes
    ----------
    n_channels_ : int
    fs_ : float or ndarray
        The rate seen in ``fit``; used at ``transform`` when neither ``fs`` nor the
        data give one.
    sos_ : ndarray of shape (n_sections, 6)
        The second-order sections for ``fs_`` (the first rate when per series).

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.data import SignalSet
    >>> t = np.arange(2000) / 200.0
    >>> X = SignalSet(np.sin(2 * np.pi * 60 * t)[None, None], fs=200.0)
    >>> Y = ButterworthFilter(cutoff=(5.0, 20.0)).fit_transform(X)
    >>> bool(np.abs(Y[0, 0, 500:1500]).max() < 1e-3)
    True
    """

    _tags = {"requires_fs": True}

    def __init__(self, cutoff: Any = (1.0, 10.0), btype: str = "band", order: int = 4, fs: Any = None) -> None:
        self.cutoff = cutoff
        self.btype = btype
        self.order = order
        self.fs = fs

    def _validate(self, caller: str) -> None:
        _check_choice(caller, "btype", self.btype, _BTYPES)
        _check_int(caller, "order", self.order, 1)
        _check_cutoff(caller, self.cutoff, self.btype)

    def _check_fit_data(self, data: Any, meta: CollectionMeta, caller: str) -> None:
        fs_rows = _fs_rows(require_fs(meta, caller, "cutoffs in Hz"), meta.n_series)
        cut = _check_cutoff(caller, self.cutoff, self.btype)
        designs = _designs(caller, int(self.order), cut, self.btype, fs_rows, meta)
        self.sos_ = designs[float(fs_rows[0])][0]

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        self._validate(caller)
        rate = _transform_fs(self, meta)
        if rate is None:
            require_fs(meta, caller, "cutoffs in Hz")
        return _butterworth(
            data, meta, cutoff=self.cutoff, btype=self.btype, order=int(self.order), fs=rate, caller=caller
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"cutoff": (5.0, 20.0), "btype": "band"},
            {"cutoff": 10.0, "btype": "low", "order": 2},
            {"cutoff": 3.0, "btype": "high", "order": 3},
        ]


class Resample(_SeriesTransform):
    """Change the sampling rate by polyphase filtering (see :func:`resample`).

    Parameters
    ----------
    target_fs : float, optional
        New rate in Hz (needs the data's rate).
    up, down : int, optional
        Factors instead of ``target_fs``.
    fs : float or array-like, optional
        Sampling rate in Hz; by default a SignalSet's.
    window : str, tuple or array_like, default=("kaiser", 5.0)

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None
        The rate seen in ``fit``.
    fs_out_ : float, ndarray or None
        The rate of the output for the fit data (``target_fs``, or ``fs_ * up / down``);
        the output arrays do not carry it, so pass it to the next step that needs it.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((2, 1, 300), dtype=np.float32)
    >>> Resample(up=2, down=3).fit_transform(X).shape
    (2, 1, 200)
    """

    def __init__(
        self,
        target_fs: float | None = None,
        up: int | None = None,
        down: int | None = None,
        fs: Any = None,
        window: Any = ("kaiser", 5.0),
    ) -> None:
        self.target_fs = target_fs
        self.up = up
        self.down = down
        self.fs = fs
        self.window = window

    def _check_fit_data(self, data: Any, meta: CollectionMeta, caller: str) -> None:
        ups, downs = _resample_factors(caller, meta, meta.fs, self.target_fs, self.up, self.down)
        if self.target_fs is not None:
            self.fs_out_ = float(self.target_fs)
        elif meta.fs is None:
            self.fs_out_ = None
        else:
            self.fs_out_ = meta.fs * ups[0] / downs[0]

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        fs = _transform_fs(self, meta)
        ups, downs = _resample_factors(caller, meta, fs, self.target_fs, self.up, self.down)
        return _resample(data, meta, ups=ups, downs=downs, window=self.window)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"target_fs": 50.0}, {"up": 3, "down": 2}]
