"""Preprocessing of series: detrend, standardise, Butterworth filters, resampling, derivatives.

Every transform here maps series to series and is a plain function plus a thin
scikit-learn transformer that calls it.

Containers and dtypes
---------------------
A 3-D array ``(n_series, n_channels, n_times)`` in gives a 3-D array out (a 2-D
``(n_series, n_times)`` or 1-D array is one channel, and gives a 3-D array); a list of
``(n_channels, n_times_i)`` arrays in gives a list out, each series keeping its length
(after :func:`resample`, its new length). A :class:`~wavelens.data.SignalSet`
in gives its data's container (array or list), not a SignalSet: outputs are plain
arrays, as everywhere in wavelens, in the order of the input, so the set's ``ids`` and
``labels`` still apply position by position. The rate is not carried along: in a
``Pipeline``, give ``fs=`` to the steps after the first that need it (after
``Resample``, the new rate, ``Resample.fs_out_``). float32 in gives float32 out, float64
gives float64; the arithmetic is float64 (except resampling, which filters in the
input's dtype, as :func:`scipy.signal.resample_poly` does).

Work is done in blocks of series (about 64 MiB of float64 at a time; ragged series are
sorted by length so that a block wastes little padding) and written into one output
allocated up front, so memory stays bounded on large collections.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
from numba import njit, prange
from scipy import signal
from scipy.ndimage import convolve1d

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, SignalSet, check_collection, describe_series, require_fs
from ..exceptions import ValidationError

__all__ = [
    "detrend",
    "standardize",
    "butterworth_filter",
    "resample",
    "spline_derivative",
    "savgol_derivative",
    "Detrend",
    "Standardize",
    "ButterworthFilter",
    "Resample",
    "SplineDerivative",
    "SavgolDerivative",
]

_BLOCK_BYTES = 64 * 2**20

# A series whose standard deviation is below this many units of its dtype's rounding
# error, relative to its mean, is constant: its z-score is rounding noise, set to 0.
_CONSTANT_RTOL = 16


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------
def _check_choice(caller: str, name: str, value: Any, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(
            f"{caller}: {name} must be one of {tuple(choices)!r}, found {value!r}."
        )
    return value


def _check_int(caller: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValidationError(
            f"{caller}: {name} must be an integer >= {minimum}, found {value!r}."
        )
    if value < minimum:
        raise ValidationError(f"{caller}: {name} must be >= {minimum}, found {value!r}.")
    return int(value)


def _check_derivs(caller: str, deriv: Any, allowed: Sequence[int]) -> tuple[int, ...]:
    """``deriv`` as a tuple of derivative orders, each in ``allowed``."""
    items = (deriv,) if isinstance(deriv, (int, np.integer)) and not isinstance(deriv, bool) else deriv
    try:
        orders = tuple(items)
    except TypeError:
        orders = ()
    ok = len(orders) > 0 and all(
        isinstance(k, (int, np.integer)) and not isinstance(k, bool) and int(k) in allowed for k in orders
    )
    if not ok or len(set(int(k) for k in orders)) != len(orders):
        raise ValidationError(
            f"{caller}: deriv must be one of {tuple(allowed)!r} or a non-empty sequence of "
            f"distinct ones (e.g. (1, 2)), found {deriv!r}."
        )
    return tuple(int(k) for k in orders)


def _fs_rows(fs: float | np.ndarray | None, n_series: int) -> np.ndarray | None:
    """The sampling rate of every series, float64 ``(n_series,)``, or None."""
    if fs is None:
        return None
    return np.broadcast_to(np.asarray(fs, dtype=np.float64), (n_series,))


def _first_short(lengths: np.ndarray, minimum: int) -> int | None:
    short = np.flatnonzero(lengths < minimum)
    return int(short[0]) if short.size else None


# --------------------------------------------------------------------------------------
# block machinery: run a per-block kernel over a collection, write one output
# --------------------------------------------------------------------------------------
Kernel = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _ragged_blocks(sorted_lengths: np.ndarray, samples_per_block: int) -> list[tuple[int, int]]:
    """Cut series sorted by length into consecutive blocks of bounded padded size."""
    blocks = []
    a, n = 0, len(sorted_lengths)
    while a < n:
        # padded size of rows a..a+k-1 is k * L[a+k-1]: increasing in k
        padded = np.arange(1, n - a + 1) * sorted_lengths[a:]
        k = max(1, int(np.searchsorted(padded, samples_per_block, side="right")))
        blocks.append((a, a + k))
        a += k
    return blocks


def _padded(data: list[np.ndarray], idx: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Series ``idx`` of a list as one zero-padded array ``(len(idx), C, max length)``."""
    lens = lengths[idx]
    block = np.zeros((len(idx), data[0].shape[0], int(lens.max())), dtype=data[0].dtype)
    mask = np.arange(block.shape[-1]) < lens[:, np.newaxis]
    block.transpose(1, 0, 2)[:, mask] = np.concatenate([data[i] for i in idx], axis=1)
    return block


def _map_series(
    data: np.ndarray | list[np.ndarray],
    lengths: np.ndarray,
    kernel: Kernel,
    *,
    n_out_channels: int,
    out_lengths: np.ndarray,
    dtype: Any,
    bytes_per_sample: int,
) -> np.ndarray | list[np.ndarray]:
    """Apply ``kernel`` to blocks of series and assemble its outputs.

    ``kernel(block, block_lengths, block_index)`` receives ``(b, C, L)`` samples in the
    input dtype, zero beyond each series' length, and returns ``(b, n_out_channels,
    L_out)`` values (any float dtype) whose first ``out_lengths[i]`` samples are kept.
    A 3-D array with equal output lengths gives a 3-D array; anything else a list of
    ``(n_out_channels, out_lengths[i])`` views into one buffer.
    """
    n = len(lengths)
    n_channels = data.shape[1] if isinstance(data, np.ndarray) else data[0].shape[0]
    per_block = max(1, _BLOCK_BYTES // (bytes_per_sample * n_channels))
    if isinstance(data, np.ndarray):
        rows = max(1, per_block // data.shape[2])
        blocks = [np.arange(a, min(n, a + rows)) for a in range(0, n, rows)]
        if np.all(out_lengths == out_lengths[0]):
            out = np.empty((n, n_out_channels, int(out_lengths[0])), dtype=dtype)
            for idx in blocks:
                sl = slice(int(idx[0]), int(idx[-1]) + 1)
                out[sl] = kernel(data[sl], lengths[sl], idx)[..., : out.shape[2]]
            return out
        get = lambda idx: data[int(idx[0]) : int(idx[-1]) + 1]  # noqa: E731
    else:
        order = np.argsort(lengths, kind="stable")
        blocks = [order[a:b] for a, b in _ragged_blocks(lengths[order], per_block)]
        get = lambda idx: _padded(data, idx, lengths)  # noqa: E731

    # list output laid out in processing order: each block fills a contiguous range
    sizes = n_out_channels * out_lengths
    processed = np.concatenate(blocks)
    offsets = np.empty(n, dtype=np.int64)
    offsets[processed] = np.cumsum(sizes[processed]) - sizes[processed]
    buf = np.empty(int(sizes.sum()), dtype=dtype)
    pos = 0
    for idx in blocks:
        res = kernel(get(idx), lengths[idx], idx)
        keep = np.arange(res.shape[-1]) < out_lengths[idx][:, np.newaxis]
        vals = res[np.broadcast_to(keep[:, np.newaxis, :], res.shape)]
        buf[pos : pos + vals.size] = vals
        pos += vals.size
    return [
        buf[offsets[i] : offsets[i] + sizes[i]].reshape(n_out_channels, int(out_lengths[i]))
        for i in range(n)
    ]


def _same_kind(X: Any, out: Any) -> Any:
    """A list when the caller gave a list (or a SignalSet holding one), even of equal lengths."""
    given = X.data if isinstance(X, SignalSet) else X
    if isinstance(out, np.ndarray) and isinstance(given, (list, tuple)):
        return list(out)
    return out


def _is_full(block: np.ndarray, lens: np.ndarray) -> bool:
    """True when no series of the block is padded."""
    return bool(np.all(lens == block.shape[-1]))


# --------------------------------------------------------------------------------------
# detrend and standardise
# --------------------------------------------------------------------------------------
def _detrend_kernel(kind: str) -> Kernel:
    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = block.astype(np.float64)
        n = lens.astype(np.float64)[:, np.newaxis, np.newaxis]
        mean = x.sum(axis=-1, keepdims=True) / n  # padding is zero
        if kind == "constant":
            x -= mean
            return x
        # least-squares line through (t, x) with t centred on each series' middle
        x -= mean
        if not _is_full(block, lens):
            x *= np.arange(x.shape[-1]) < lens[:, np.newaxis, np.newaxis]
        t = np.arange(x.shape[-1], dtype=np.float64)
        stt = n * (n * n - 1.0) / 12.0
        # x sums to 0 over each series (and is 0 beyond), so sum(x * (t - centre)) = x @ t
        stx = np.matmul(x, t)[..., np.newaxis]
        slope = np.divide(stx, stt, out=np.zeros_like(stx), where=stt > 0)
        x -= slope * (t - (n - 1.0) / 2.0)
        return x

    return kernel


def _detrend(data: Any, meta: CollectionMeta, kind: str) -> Any:
    return _map_series(
        data,
        meta.lengths,
        _detrend_kernel(kind),
        n_out_channels=meta.n_channels,
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=32,
    )


def detrend(X: Any, *, kind: str = "linear") -> np.ndarray | list[np.ndarray]:
    """Remove the mean or the least-squares line from every series and channel.

    The semantics of :func:`scipy.signal.detrend` (``type="constant"`` or
    ``"linear"``, no breakpoints), for all series at once, in float64.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.
    kind : {"linear", "constant"}, default="linear"
        ``"constant"`` subtracts the mean, ``"linear"`` the least-squares line.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Same container, shapes and dtype (float32 or float64) as the input. A constant
        series gives zeros (up to rounding); a one-sample series gives 0.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12, dtype=np.float32).reshape(1, 2, 6) ** 2
    >>> Y = detrend(X, kind="linear")
    >>> Y.shape, Y.dtype, bool(np.allclose(Y.sum(axis=-1), 0, atol=1e-4))
    ((1, 2, 6), dtype('float32'), True)
    """
    caller = f"detrend(kind={kind!r})"
    _check_choice(caller, "kind", kind, ("linear", "constant"))
    data, meta = check_collection(X, caller=caller)
    return _same_kind(X, _detrend(data, meta, kind))


def _standardize_kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
    x = block.astype(np.float64)
    n = lens.astype(np.float64)[:, np.newaxis, np.newaxis]
    mean = x.sum(axis=-1, keepdims=True) / n
    x -= mean
    if not _is_full(block, lens):
        x *= np.arange(x.shape[-1]) < lens[:, np.newaxis, np.newaxis]
    std = np.sqrt(np.einsum("bct,bct->bc", x, x)[..., np.newaxis] / n)
    eps = np.finfo(block.dtype).eps
    constant = std <= _CONSTANT_RTOL * eps * np.abs(mean)
    scale = np.divide(1.0, std, out=np.zeros_like(std), where=~constant & (std > 0))
    x *= scale
    return x


def _standardize(data: Any, meta: CollectionMeta) -> Any:
    return _map_series(
        data,
        meta.lengths,
        _standardize_kernel,
        n_out_channels=meta.n_channels,
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=24,
    )


def standardize(X: Any) -> np.ndarray | list[np.ndarray]:
    """Z-score every series and channel: subtract its mean, divide by its standard deviation.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Same container, shapes and dtype as the input; each channel of each series has
        mean 0 and (population, ``ddof=0``) standard deviation 1.

    Notes
    -----
    A constant channel gives zeros, never NaN. "Constant" means a standard deviation
    of 0 or at the level of the dtype's rounding error relative to the mean
    (``std <= 16 * eps * |mean|``, ``eps`` of float32 or float64 as given), where the
    z-score would only amplify rounding noise.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]]])
    >>> standardize(X).round(3).tolist()
    [[[-1.342, -0.447, 0.447, 1.342], [0.0, 0.0, 0.0, 0.0]]]
    """
    data, meta = check_collection(X, caller="standardize")
    return _same_kind(X, _standardize(data, meta))


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
# derivatives
# --------------------------------------------------------------------------------------
_SPLINE_MIN_LENGTH = 4


@njit(cache=True)
def _spline_factor(n: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Elimination factors of the slope system of the not-a-knot cubic spline.

    The slopes ``m`` at ``n`` unit-spaced knots solve a tridiagonal system: interior
    rows are the C2 conditions ``m[j-1] + 4 m[j] + m[j+1] = 3 (d[j-1] + d[j])``
    (``d[j] = y[j+1] - y[j]``); the not-a-knot conditions (continuous third derivative
    at the second and the second-to-last knot), each combined with its neighbouring
    row, give the end rows ``m[0] + 2 m[1] = (5 d[0] + d[1]) / 2`` and ``2 m[n-2] +
    m[n-1] = (d[n-3] + 5 d[n-2]) / 2``. Rows ``0..n-2`` are the same for every length,
    so the elimination factors of the longest series serve all (only the last pivot
    depends on the length, and is computed where it is used). The pivots are 1, 2,
    3.5, ... → 2 + sqrt(3), and about 0.46 for the last row: no pivoting needed.

    Returns ``cp`` (super-diagonal over pivot) and ``inv_p`` (1 / pivot), ``(n,)`` each.
    """
    cp = np.empty(n)
    inv_p = np.empty(n)
    inv_p[0] = 1.0
    cp[0] = 2.0
    for j in range(1, n):
        p = 4.0 - cp[j - 1]
        inv_p[j] = 1.0 / p
        cp[j] = inv_p[j]
    return cp, inv_p


@njit(cache=True, parallel=True)
def _spline_kernel(y, lens, cp, inv_p, scale, ch_raw, ch1, ch2, out):  # pragma: no cover - compiled
    """Spline slopes and second derivatives of every (series, channel) row, into ``out``.

    ``y`` ``(n, c, width)`` holds series of ``lens[i]`` samples (anything beyond is
    ignored); the raw samples, ``fs * m`` and ``fs**2 * s2`` go to channels ``ch_raw + k``,
    ``ch1 + k``, ``ch2 + k`` of ``out`` (a negative channel: not wanted). Arithmetic in
    float64 whatever the dtypes.
    """
    n_series, n_ch = y.shape[0], y.shape[1]
    for q in prange(n_series * n_ch):
        i = q // n_ch
        k = q % n_ch
        n = lens[i]
        row = y[i, k]
        z = np.empty(n)
        # forward elimination, right-hand side built on the fly
        d_prev = np.float64(row[1]) - np.float64(row[0])
        d_next = np.float64(row[2]) - np.float64(row[1])
        z[0] = 2.5 * d_prev + 0.5 * d_next
        for j in range(1, n - 1):
            d_j = np.float64(row[j + 1]) - np.float64(row[j])
            z[j] = (3.0 * (d_prev + d_j) - z[j - 1]) * inv_p[j]
            d_prev = d_j
        d_a = np.float64(row[n - 2]) - np.float64(row[n - 3])
        r = 0.5 * d_a + 2.5 * d_prev
        z[n - 1] = (r - 2.0 * z[n - 2]) / (1.0 - 2.0 * cp[n - 2])
        # back substitution
        for j in range(n - 2, -1, -1):
            z[j] -= cp[j] * z[j + 1]
        s = scale[i]
        if ch_raw >= 0:
            for j in range(n):
                out[i, ch_raw + k, j] = row[j]
        if ch1 >= 0:
            for j in range(n):
                out[i, ch1 + k, j] = z[j] * s
        if ch2 >= 0:
            s2 = s * s
            for j in range(n - 1):
                d_j = np.float64(row[j + 1]) - np.float64(row[j])
                out[i, ch2 + k, j] = (6.0 * d_j - 4.0 * z[j] - 2.0 * z[j + 1]) * s2
            out[i, ch2 + k, n - 1] = (-6.0 * d_prev + 2.0 * z[n - 2] + 4.0 * z[n - 1]) * s2


def _derivative_output(
    block: np.ndarray,
    parts: dict[int, np.ndarray],
    derivs: tuple[int, ...],
    include_raw: bool,
    scale: np.ndarray | None,
) -> np.ndarray:
    """Stack ``[raw,] d_k ...`` as channel blocks, scaled by ``fs ** k`` per series."""
    c = block.shape[1]
    out = np.empty((block.shape[0], c * (len(derivs) + include_raw), block.shape[2]))
    if include_raw:
        out[:, :c] = block
    for j, k in enumerate(derivs):
        dst = out[:, (j + include_raw) * c : (j + include_raw + 1) * c]
        dst[...] = parts[k]
        if scale is not None:
            dst *= (scale**k)[:, np.newaxis, np.newaxis]
    return out


def _spline_derivative(
    data: Any, meta: CollectionMeta, *, derivs: tuple[int, ...], include_raw: bool, fs: Any, caller: str
) -> Any:
    i = _first_short(meta.lengths, _SPLINE_MIN_LENGTH)
    if i is not None:
        raise ValidationError(
            f"{caller}: {describe_series(i, meta.ids)} has n_times={int(meta.lengths[i])}, but an "
            f"interpolating cubic spline needs at least {_SPLINE_MIN_LENGTH} samples. Drop or pad "
            "short series."
        )
    n, c = meta.n_series, meta.n_channels
    scale = np.ones(n) if fs is None else np.ascontiguousarray(_fs_rows(fs, n))
    cp, inv_p = _spline_factor(int(meta.lengths.max()))
    blocks = [0] * include_raw + list(derivs)
    slot = {k: j * c for j, k in enumerate(blocks)}
    ch_raw, ch1, ch2 = (slot.get(k, -1) for k in (0, 1, 2))
    n_out = c * len(blocks)
    if isinstance(data, np.ndarray):
        # one pass, straight into the output: no temporaries
        out = np.empty((n, n_out, data.shape[2]), dtype=meta.dtype)
        _spline_kernel(data, meta.lengths, cp, inv_p, scale, ch_raw, ch1, ch2, out)
    else:
        def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
            res = np.empty((block.shape[0], n_out, block.shape[2]), dtype=block.dtype)
            _spline_kernel(block, lens, cp, inv_p, scale[idx], ch_raw, ch1, ch2, res)
            return res

        out = _map_series(
            data, meta.lengths, kernel, n_out_channels=n_out, out_lengths=meta.lengths,
            dtype=meta.dtype, bytes_per_sample=meta.dtype.itemsize * (1 + len(blocks)),
        )
    return out


def spline_derivative(
    X: Any, *, deriv: int | Sequence[int] = 1, include_raw: bool = False, fs: Any = None
) -> np.ndarray | list[np.ndarray]:
    """Derivatives of the interpolating cubic spline of every series, at its samples.

    The spline is the not-a-knot cubic interpolating spline through the samples — the
    one that ``scipy.interpolate.splrep(t, y, s=0)`` builds — and the derivatives are its
    own at the sample times (``splev(t, tck, der=k)``). For equally spaced samples
    its slopes at the knots solve one tridiagonal system shared by every series of a
    length; it is factored once and solved for all series and channels together.
    Exact on cubic polynomials.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of at least 4 samples; ragged lists are accepted.
    deriv : {1, 2} or sequence of them, default=1
        Which derivatives; ``(1, 2)`` gives the first and the second.
    include_raw : bool, default=False
        Put the series itself first, before the derivatives, as channels.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz (or a SignalSet's): derivatives are per second
        (``d^k/dt^k`` with ``t = arange(n_times) / fs``). Without a rate, samples are
        one unit apart (derivatives per sample).

    Returns
    -------
    ndarray of shape (n_series, n_channels * n_blocks, n_times) or list of ndarray
        Channel blocks in the order ``[raw,] deriv[0], deriv[1], ...``, each block
        holding the ``n_channels`` input channels; ``n_blocks = len(deriv) +
        include_raw``. Same container and dtype as the input (computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8) / 4.0
    >>> Y = spline_derivative(t[None, None] ** 3, deriv=(1, 2), fs=4.0)
    >>> bool(np.allclose(Y[0, 0], 3 * t**2) and np.allclose(Y[0, 1], 6 * t))
    True
    """
    caller = f"spline_derivative(deriv={deriv!r})"
    derivs = _check_derivs(caller, deriv, (1, 2))
    data, meta = check_collection(X, fs=fs, caller=caller)
    out = _spline_derivative(data, meta, derivs=derivs, include_raw=bool(include_raw), fs=meta.fs, caller=caller)
    return _same_kind(X, out)


def _savgol_edges(window_length: int, polyorder: int, deriv: int) -> tuple[np.ndarray, np.ndarray]:
    """Linear maps from the first/last window to the first/last half-window of outputs.

    ``savgol_filter(mode="interp")`` fits a polynomial to each edge window and evaluates
    its derivative there: a fixed linear map of the window's samples.
    """
    half = window_length // 2
    t = np.arange(window_length, dtype=np.float64) - half
    vander = np.vander(t, polyorder + 1, increasing=True)  # (w, p+1)
    powers = np.arange(polyorder + 1)
    coef = np.zeros_like(powers, dtype=np.float64)
    ok = powers >= deriv
    # d^k/dt^k of t^p is p!/(p-k)! t^(p-k)
    coef[ok] = [np.prod(np.arange(p - deriv + 1, p + 1)) for p in powers[ok]]
    dvander = np.zeros_like(vander)
    dvander[:, ok] = coef[ok] * t[:, np.newaxis] ** (powers[ok] - deriv)
    proj = dvander @ np.linalg.pinv(vander)  # (w, w)
    return proj[:half], proj[window_length - half :]


def _savgol_derivative(
    data: Any,
    meta: CollectionMeta,
    *,
    window_length: int,
    polyorder: int,
    derivs: tuple[int, ...],
    include_raw: bool,
    fs: Any,
    caller: str,
) -> Any:
    i = _first_short(meta.lengths, window_length)
    if i is not None:
        raise ValidationError(
            f"{caller}: {describe_series(i, meta.ids)} has n_times={int(meta.lengths[i])}, "
            f"shorter than window_length={window_length}. Use window_length <= "
            f"{int(meta.lengths.min())} (odd) or drop short series."
        )
    fs_rows = _fs_rows(fs, meta.n_series)
    half = window_length // 2
    coeffs = {k: signal.savgol_coeffs(window_length, polyorder, deriv=k) for k in derivs}
    edges = {k: _savgol_edges(window_length, polyorder, k) for k in derivs}

    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = block.astype(np.float64)
        parts = {}
        if _is_full(block, lens):
            for k in derivs:
                parts[k] = signal.savgol_filter(x, window_length, polyorder, deriv=k, axis=-1, mode="interp")
        else:
            rows = np.arange(len(lens))[:, np.newaxis]
            last = (lens[:, np.newaxis] - window_length + np.arange(window_length))  # (b, w)
            head, tail = x[:, :, :window_length], np.moveaxis(x[rows, :, last], 1, 2)
            for k in derivs:
                y = convolve1d(x, coeffs[k], axis=-1, mode="constant")
                left, right = edges[k]
                y[:, :, :half] = np.einsum("hw,bcw->bch", left, head)
                dst = lens[:, np.newaxis] - half + np.arange(half)
                y[rows, :, dst] = np.moveaxis(np.einsum("hw,bcw->bch", right, tail), 1, 2)
                parts[k] = y
        scale = None if fs_rows is None else fs_rows[idx]
        return _derivative_output(block, parts, derivs, include_raw, scale)

    return _map_series(
        data,
        meta.lengths,
        kernel,
        n_out_channels=meta.n_channels * (len(derivs) + include_raw),
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=8 * (3 + 2 * len(derivs) + include_raw),
    )


def _check_savgol(caller: str, window_length: Any, polyorder: Any, deriv: Any) -> tuple[int, int, tuple[int, ...]]:
    window_length = _check_int(caller, "window_length", window_length, 1)
    if window_length % 2 == 0:
        raise ValidationError(f"{caller}: window_length must be odd, found {window_length!r}.")
    polyorder = _check_int(caller, "polyorder", polyorder, 0)
    if polyorder >= window_length:
        raise ValidationError(
            f"{caller}: polyorder must be less than window_length, found polyorder={polyorder!r} "
            f"and window_length={window_length!r}."
        )
    derivs = _check_derivs(caller, deriv, tuple(range(polyorder + 1)))
    return window_length, polyorder, derivs


def savgol_derivative(
    X: Any,
    *,
    window_length: int = 11,
    polyorder: int = 3,
    deriv: int | Sequence[int] = 1,
    include_raw: bool = False,
    fs: Any = None,
) -> np.ndarray | list[np.ndarray]:
    """Savitzky–Golay derivatives (least-squares polynomial in a sliding window).

    :func:`scipy.signal.savgol_filter` with ``deriv=k`` and ``mode="interp"`` (the
    edges come from a polynomial fitted to the first and last window), for all series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of at least ``window_length`` samples; ragged lists are accepted.
    window_length : int, default=11
        Odd number of samples in the window.
    polyorder : int, default=3
        Degree of the fitted polynomial, ``< window_length``.
    deriv : int or sequence of int, default=1
        Derivative order(s), each in ``[0, polyorder]`` (0 is smoothing).
    include_raw : bool, default=False
        Put the series itself first, before the derivatives, as channels.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz (or a SignalSet's): derivatives per second. Without a rate,
        samples are one unit apart.

    Returns
    -------
    ndarray of shape (n_series, n_channels * n_blocks, n_times) or list of ndarray
        Channel blocks ``[raw,] deriv[0], ...`` as in :func:`spline_derivative`; same
        container and dtype as the input (computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(50) / 10.0
    >>> Y = savgol_derivative((t**2)[None, None], window_length=7, polyorder=2, fs=10.0)
    >>> bool(np.allclose(Y[0, 0], 2 * t))
    True
    """
    caller = f"savgol_derivative(window_length={window_length!r}, polyorder={polyorder!r}, deriv={deriv!r})"
    window_length, polyorder, derivs = _check_savgol(caller, window_length, polyorder, deriv)
    data, meta = check_collection(X, fs=fs, caller=caller)
    out = _savgol_derivative(
        data, meta, window_length=window_length, polyorder=polyorder, derivs=derivs,
        include_raw=bool(include_raw), fs=meta.fs, caller=caller,
    )
    return _same_kind(X, out)


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
def _caller(est: Any) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in est.get_params(deep=False).items() if k != "fs")
    return f"{type(est).__name__}({params})"


def _transform_fs(est: Any, meta: CollectionMeta) -> float | np.ndarray | None:
    """The rate at transform: ``fs=``/the SignalSet's, else the one seen in ``fit``."""
    if meta.fs is not None:
        return meta.fs
    fitted = est.fs_
    if fitted is None or np.ndim(fitted) == 0 or np.shape(fitted) == (meta.n_series,):
        return fitted
    raise ValidationError(
        f"{_caller(est)}: fs is missing and the per-series rates seen in fit do not match "
        f"{meta.n_series} series. Pass fs= (in Hz) or a SignalSet that has it."
    )


class _SeriesTransform(BaseTransform):
    """Shared shell: validate in ``fit``, remember channels and rate, transform series."""

    _tags = {"capability:ragged": True, "output": "series", "preserves_dtype": True}

    def _validate(self, caller: str) -> None:
        """Check hyperparameters (raises ValidationError)."""

    def fit(self, X: Any, y: Any = None) -> "_SeriesTransform":
        """Check the hyperparameters and the data; remember ``n_channels_`` and ``fs_``.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        y : ignored

        Returns
        -------
        self
        """
        caller = _caller(self)
        self._validate(caller)
        data, meta = check_collection(X, fs=getattr(self, "fs", None), caller=caller)
        self._check_fit_data(data, meta, caller)
        self.n_channels_ = meta.n_channels
        self.fs_ = meta.fs
        return self

    def _check_fit_data(self, data: Any, meta: CollectionMeta, caller: str) -> None:
        """Extra checks on the fit data (e.g. the rate against the cutoffs)."""

    def transform(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Transform every series.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray

        Returns
        -------
        ndarray of shape (n_series, n_channels_out, n_times_out) or list of ndarray
            Same container kind and dtype as ``X`` (see the class docstring).
        """
        check_is_fitted(self, "n_channels_")
        caller = _caller(self)
        data, meta = check_collection(X, fs=getattr(self, "fs", None), caller=caller)
        return _same_kind(X, self._apply(data, meta, caller))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        raise NotImplementedError


class Detrend(_SeriesTransform):
    """Remove the mean or the least-squares line from every series and channel.

    A thin shell around :func:`detrend`; stateless (``fit`` only checks).

    Parameters
    ----------
    kind : {"linear", "constant"}, default="linear"

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.
    fs_ : None
        Detrending does not use the rate.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 20, dtype=np.float32).reshape(2, 1, 10)
    >>> bool(np.allclose(Detrend().fit_transform(X), 0, atol=1e-6))
    True
    """

    def __init__(self, kind: str = "linear") -> None:
        self.kind = kind

    def _validate(self, caller: str) -> None:
        _check_choice(caller, "kind", self.kind, ("linear", "constant"))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        self._validate(caller)
        return _detrend(data, meta, self.kind)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"kind": "linear"}, {"kind": "constant"}]


class Standardize(_SeriesTransform):
    """Z-score every series and channel; a constant channel gives zeros.

    A thin shell around :func:`standardize`; stateless (each series is scaled by its
    own mean and standard deviation, not by statistics learnt in ``fit``).

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.
    fs_ : None

    Examples
    --------
    >>> import numpy as np
    >>> Y = Standardize().fit_transform(np.arange(8.0).reshape(2, 1, 4))
    >>> Y.mean(axis=-1).ravel().tolist(), Y.std(axis=-1).round(6).ravel().tolist()
    ([0.0, 0.0], [1.0, 1.0])
    """

    def __init__(self) -> None:
        pass

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        return _standardize(data, meta)


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


class SplineDerivative(_SeriesTransform):
    """Derivatives of the interpolating cubic spline at the samples (see :func:`spline_derivative`).

    ``SplineDerivative(deriv=(1, 2), include_raw=True)`` is the helicopter study's
    "raw + spline 1st and 2nd derivatives" as three channel blocks.

    Parameters
    ----------
    deriv : {1, 2} or sequence of them, default=1
    include_raw : bool, default=False
    fs : float or array-like, optional
        Sampling rate in Hz (derivatives per second); by default a SignalSet's, and
        per sample when neither is known.

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None

    Examples
    --------
    >>> import numpy as np
    >>> X = (np.arange(10.0) ** 2).reshape(1, 1, 10)
    >>> SplineDerivative(deriv=2).fit_transform(X).ravel().round(6).tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    """

    _tags = {"min_length": _SPLINE_MIN_LENGTH}

    def __init__(self, deriv: int | Sequence[int] = 1, include_raw: bool = False, fs: Any = None) -> None:
        self.deriv = deriv
        self.include_raw = include_raw
        self.fs = fs

    def _validate(self, caller: str) -> None:
        _check_derivs(caller, self.deriv, (1, 2))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        derivs = _check_derivs(caller, self.deriv, (1, 2))
        return _spline_derivative(
            data, meta, derivs=derivs, include_raw=bool(self.include_raw), fs=_transform_fs(self, meta), caller=caller
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"deriv": 1}, {"deriv": (1, 2), "include_raw": True}]


class SavgolDerivative(_SeriesTransform):
    """Savitzky–Golay derivatives (see :func:`savgol_derivative`).

    Parameters
    ----------
    window_length : int, default=11
        Odd.
    polyorder : int, default=3
    deriv : int or sequence of int, default=1
    include_raw : bool, default=False
    fs : float or array-like, optional
        Sampling rate in Hz (derivatives per second); by default a SignalSet's, and
        per sample when neither is known.

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(30.0).reshape(1, 1, 30)
    >>> bool(np.allclose(SavgolDerivative(window_length=5, polyorder=2).fit_transform(X), 1.0))
    True
    """

    _tags = {"min_length": 11}

    def __init__(
        self,
        window_length: int = 11,
        polyorder: int = 3,
        deriv: int | Sequence[int] = 1,
        include_raw: bool = False,
        fs: Any = None,
    ) -> None:
        self.window_length = window_length
        self.polyorder = polyorder
        self.deriv = deriv
        self.include_raw = include_raw
        self.fs = fs

    def _validate(self, caller: str) -> None:
        _check_savgol(caller, self.window_length, self.polyorder, self.deriv)

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        wl, po, derivs = _check_savgol(caller, self.window_length, self.polyorder, self.deriv)
        return _savgol_derivative(
            data, meta, window_length=wl, polyorder=po, derivs=derivs,
            include_raw=bool(self.include_raw), fs=_transform_fs(self, meta), caller=caller,
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"window_length": 11, "polyorder": 3, "deriv": 1},
            {"window_length": 9, "polyorder": 2, "deriv": (1, 2)},
        ]
