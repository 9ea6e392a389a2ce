"""Cutting series into windows, and the map back from windows to series and samples.

:func:`make_windows` cuts every series of a collection (equal-length or ragged) into
windows of ``size`` samples every ``step`` samples and returns them as one 3-D array
``(n_windows, n_channels, size)`` with a :class:`WindowMap` that says where each
window came from. With the map, values computed per window (anomaly scores,
features, reconstructions) go back to the series: :func:`aggregate` gives one value per
series (max, mean, median, mean of the top k, a quantile), :func:`spread` one value per
sample, :func:`reassemble` the series themselves from windows of samples.

There is deliberately no ``Windows`` transformer: windowing changes the number of rows
(series → windows) and the rows must come back together afterwards, which a
scikit-learn ``Pipeline`` cannot express (``transform`` must keep the rows). The
functions plus the map do it in three explicit lines; estimators that work on windows
internally (``BagOfWords``, windowed detectors) call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ._framing import frame
from ._seriestransform import _check_choice, _check_int

__all__ = ["WindowMap", "make_windows", "aggregate", "spread", "reassemble"]

_TAILS = ("drop", "pad", "keep_last", "error")
_HOWS = ("max", "mean", "median", "topk_mean", "quantile")
# bound on the samples (or window samples) handled at once by the gathers below
_CHUNK = 1 << 22


@dataclass(frozen=True, eq=False)
class WindowMap:
    """Where each window of :func:`make_windows` came from.

    The windows of series ``i`` are rows ``offsets[i]:offsets[i + 1]`` of the window
    array, in time order; every series has at least one window.

    Attributes
    ----------
    series : ndarray of int64, shape (n_windows,)
        Index of the series each window was cut from.
    start : ndarray of int64, shape (n_windows,)
        First sample of each window within its series.
    n_valid : ndarray of int64, shape (n_windows,)
        Samples of each window that lie inside the series (``< size`` only for windows
        padded at the end, ``tail="pad"``).
    offsets : ndarray of int64, shape (n_series + 1,)
        Window rows of each series.
    lengths : ndarray of int64, shape (n_series,)
        Length of each series, in samples.
    ids : ndarray of object, shape (n_series,)
        Identifier of each series (a SignalSet's ids, else ``"0", "1", ...``).
    end_aligned : ndarray of bool, shape (n_series,)
        True where the last window of the series was added to end exactly at its end
        (``tail="keep_last"``); it is not on the ``step`` grid.
    size, step : int
        Window length and hop, in samples.
    tail : str
        The tail policy the windows were cut with.
    """

    series: np.ndarray
    start: np.ndarray
    n_valid: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    ids: np.ndarray
    end_aligned: np.ndarray
    size: int
    step: int
    tail: str

    @property
    def n_series(self) -> int:
        return len(self.lengths)

    @property
    def n_windows(self) -> int:
        return len(self.series)

    @property
    def counts(self) -> np.ndarray:
        """Number of windows of each series, int64 ``(n_series,)``."""
        return np.diff(self.offsets)

    def windows_of(self, index: int) -> slice:
        """The rows of the window array that belong to series ``index``."""
        return slice(int(self.offsets[index]), int(self.offsets[index + 1]))

    def __repr__(self) -> str:
        return (
            f"WindowMap(n_series={self.n_series}, n_windows={self.n_windows}, size={self.size}, "
            f"step={self.step}, tail={self.tail!r})"
        )


# --------------------------------------------------------------------------------------
# cutting
# --------------------------------------------------------------------------------------
def _plan(lengths: np.ndarray, ids: Any, size: int, step: int, tail: str, caller: str) -> WindowMap:
    """The window map of series of these lengths (no samples touched)."""
    L = lengths
    if tail == "pad":
        n_reg = 1 + (np.maximum(L - size, 0) + step - 1) // step
        n_reg = np.minimum(n_reg, (L + step - 1) // step)  # no window starts past the end
        aligned = np.zeros(len(L), dtype=bool)
    else:
        short = np.flatnonzero(L < size)
        if short.size:
            i = int(short[0])
            raise ValidationError(
                f"{caller}: {describe_series(i, ids)} has n_times={int(L[i])}, shorter than the "
                f"window size={size}. Use tail='pad' to pad it, a smaller size, or drop short series."
            )
        n_reg = 1 + (L - size) // step
        aligned = (n_reg - 1) * step + size < L
        if tail == "error" and aligned.any():
            i = int(np.flatnonzero(aligned)[0])
            left = int(L[i] - (n_reg[i] - 1) * step - size)
            raise ValidationError(
                f"{caller}: windows of {size} samples every {step} do not end at the end of "
                f"{describe_series(i, ids)} (n_times={int(L[i])}): {left} samples are left over. "
                "Use tail='drop', 'keep_last' or 'pad', or a size and step that fit."
            )
        if tail != "keep_last":
            aligned = np.zeros(len(L), dtype=bool)
    counts = n_reg + aligned
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    series = np.repeat(np.arange(len(L), dtype=np.int64), counts)
    k = np.arange(offsets[-1], dtype=np.int64) - offsets[series]
    start = k * step
    extra = aligned[series] & (k == n_reg[series])
    start[extra] = L[series[extra]] - size
    n_valid = np.minimum(size, L[series] - start)
    return WindowMap(
        series=series, start=start, n_valid=n_valid, offsets=offsets, lengths=L.astype(np.int64),
        ids=np.asarray(ids, dtype=object), end_aligned=aligned, size=size, step=step, tail=tail,
    )


def _cut(data: Any, meta: CollectionMeta, wmap: WindowMap, fill_value: float) -> np.ndarray:
    """Gather the windows of ``wmap`` from the samples (one allocation for the output)."""
    size, n_ch = wmap.size, meta.n_channels
    out = np.empty((wmap.n_windows, n_ch, size), dtype=meta.dtype)
    regular = not wmap.end_aligned.any() and bool(np.all(wmap.n_valid == size))
    if isinstance(data, np.ndarray) and regular:
        n_reg = int(wmap.counts[0])
        frames = frame(data, size, wmap.step)[:, :, :n_reg]  # (n, C, n_reg, size) view
        out.reshape(meta.n_series, n_reg, n_ch, size)[...] = frames.transpose(0, 2, 1, 3)
        return out
    if isinstance(data, np.ndarray):
        take = lambda c, rows, t: data[rows[:, np.newaxis], c, t]  # noqa: E731
    else:
        flat = np.concatenate(data, axis=1)
        first = np.concatenate([[0], np.cumsum(wmap.lengths)[:-1]])
        take = lambda c, rows, t: flat[c, first[rows][:, np.newaxis] + t]  # noqa: E731
    per = max(1, _CHUNK // size)
    offs = np.arange(size)
    for a in range(0, wmap.n_windows, per):
        b = min(wmap.n_windows, a + per)
        rows = wmap.series[a:b]
        t = wmap.start[a:b, np.newaxis] + offs
        pad = offs >= wmap.n_valid[a:b, np.newaxis]
        t = np.minimum(t, wmap.lengths[rows][:, np.newaxis] - 1)
        for c in range(n_ch):
            out[a:b, c] = take(c, rows, t)
        if pad.any():
            out[a:b].transpose(1, 0, 2)[:, pad] = fill_value
    return out


def make_windows(
    X: Any, *, size: int, step: int | None = None, tail: str = "drop", fill_value: float = 0.0
) -> tuple[np.ndarray, WindowMap]:
    """Cut every series into windows of ``size`` samples every ``step`` samples.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted (each series is cut on its own and the
        windows are concatenated in series order).
    size : int
        Window length in samples, >= 1.
    step : int, optional
        Hop between window starts, >= 1; default ``size`` (no overlap). ``step > size``
        leaves gaps.
    tail : {"drop", "pad", "keep_last", "error"}, default="drop"
        What to do with the end of a series that whole windows on the grid do not reach:

        - ``"drop"``: leave it out;
        - ``"pad"``: add windows until the end is covered, the last one filled with
          ``fill_value`` beyond the end (a series shorter than ``size`` gives one padded
          window; no window starts past the end);
        - ``"keep_last"``: add one window aligned to end exactly at the end of the
          series (it overlaps the previous one);
        - ``"error"``: raise, naming the series, unless the windows end exactly at its end.

        With every policy but ``"pad"``, a series shorter than ``size`` is an error
        that names it with both lengths.
    fill_value : float, default=0.0
        Value of the padded samples (``tail="pad"``).

    Returns
    -------
    windows : ndarray of shape (n_windows, n_channels, size)
        Same dtype as the input (float32 or float64); a copy, not a view.
    window_map : WindowMap
        Series index, start and valid length of each window, plus the series' ids and
        lengths, for :func:`aggregate`, :func:`spread` and :func:`reassemble`.

    Examples
    --------
    >>> import numpy as np
    >>> X = [np.arange(10.0)[None], np.arange(7.0)[None]]
    >>> W, wmap = make_windows(X, size=4, tail="keep_last")
    >>> W[:, 0].tolist()
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [6.0, 7.0, 8.0, 9.0], [0.0, 1.0, 2.0, 3.0], [3.0, 4.0, 5.0, 6.0]]
    >>> wmap.series.tolist(), wmap.start.tolist()
    ([0, 0, 0, 1, 1], [0, 4, 6, 0, 3])
    """
    caller = f"make_windows(size={size!r}, step={step!r}, tail={tail!r})"
    size = _check_int(caller, "size", size, 1)
    step = size if step is None else _check_int(caller, "step", step, 1)
    _check_choice(caller, "tail", tail, _TAILS)
    data, meta = check_collection(X, caller=caller)
    return _make_windows(data, meta, size=size, step=step, tail=tail, fill_value=fill_value, caller=caller)


def _make_windows(
    data: Any, meta: CollectionMeta, *, size: int, step: int, tail: str, fill_value: float, caller: str
) -> tuple[np.ndarray, WindowMap]:
    """:func:`make_windows` on data already checked by :func:`check_collection`."""
    wmap = _plan(meta.lengths, meta.ids, size, step, tail, caller)
    return _cut(data, meta, wmap, fill_value), wmap


# --------------------------------------------------------------------------------------
# window values back to series
# --------------------------------------------------------------------------------------
def _check_values(values: Any, wmap: Any, caller: str) -> tuple[np.ndarray, np.dtype]:
    """Window values as a ``(n_windows, n_features)`` float array, and its dtype."""
    if not isinstance(wmap, WindowMap):
        raise ValidationError(
            f"{caller}: window_map must be the WindowMap returned by make_windows, found "
            f"{type(wmap).__name__}."
        )
    v = np.asarray(values)
    if v.ndim not in (1, 2) or v.shape[0] != wmap.n_windows:
        raise ValidationError(
            f"{caller}: window_values must have shape ({wmap.n_windows},) or ({wmap.n_windows}, "
            f"n_features), one row per window of the map; found shape {v.shape!r}."
        )
    if v.dtype.kind not in "biuf":
        raise ValidationError(f"{caller}: window_values must be numeric, found dtype {v.dtype!r}.")
    dtype = np.dtype(np.float32) if v.dtype == np.float32 else np.dtype(np.float64)
    v = v.reshape(wmap.n_windows, -1).astype(dtype, copy=False)
    bad = np.flatnonzero(~np.isfinite(v).all(axis=1))
    if bad.size:
        w = int(bad[0])
        raise ValidationError(
            f"{caller}: window {w} (of {describe_series(int(wmap.series[w]), wmap.ids)}, start "
            f"{int(wmap.start[w])}) has a NaN or inf value. Fix the step that computed the values."
        )
    return v, dtype


def _sort_within_groups(v: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Sort each column of ``v`` within runs of equal, non-decreasing ``group``."""
    by_value = np.argsort(v, axis=0, kind="stable")
    # a stable sort by group keeps the value order inside every group
    by_group = np.argsort(group[by_value], axis=0, kind="stable")
    return np.take_along_axis(v, np.take_along_axis(by_value, by_group, axis=0), axis=0)


def aggregate(
    window_values: Any, window_map: WindowMap, *, how: str = "mean", k: int = 3, q: float = 0.9
) -> np.ndarray:
    """One value per series from values per window (e.g. window anomaly scores → series score).

    Parameters
    ----------
    window_values : array-like of shape (n_windows,) or (n_windows, n_features)
        One value (or row of features) per window, in the order of :func:`make_windows`.
    window_map : WindowMap
        The map returned with the windows.
    how : {"mean", "max", "median", "topk_mean", "quantile"}, default="mean"
        ``"topk_mean"`` is the mean of the ``k`` largest values of the series (of all
        of them when it has fewer than ``k`` windows); ``"quantile"`` is the ``q``
        quantile with linear interpolation (as :func:`numpy.quantile`), ``"median"``
        the 0.5 quantile.
    k : int, default=3
        For ``"topk_mean"``, >= 1.
    q : float, default=0.9
        For ``"quantile"``, in [0, 1].

    Returns
    -------
    ndarray of shape (n_series,) or (n_series, n_features)
        float32 for float32 values, float64 otherwise.

    Raises
    ------
    ValidationError
        A wrong shape, a NaN/inf value (the window and its series named), bad options.

    Examples
    --------
    >>> import numpy as np
    >>> X = [np.zeros((1, 8)), np.zeros((1, 4))]
    >>> W, wmap = make_windows(X, size=2)
    >>> scores = np.array([1.0, 5.0, 2.0, 4.0, 7.0, 3.0])
    >>> aggregate(scores, wmap, how="max").tolist(), aggregate(scores, wmap, how="topk_mean", k=2).tolist()
    ([5.0, 7.0], [4.5, 5.0])
    """
    caller = f"aggregate(how={how!r})"
    _check_choice(caller, "how", how, _HOWS)
    k = _check_int(caller, "k", k, 1)
    if not isinstance(q, (int, float, np.number)) or not 0.0 <= float(q) <= 1.0:
        raise ValidationError(f"{caller}: q must be a number in [0, 1], found {q!r}.")
    v, dtype = _check_values(window_values, window_map, caller)
    starts, ends = window_map.offsets[:-1], window_map.offsets[1:]
    counts = (ends - starts)[:, np.newaxis]
    if how == "max":
        out = np.maximum.reduceat(v, starts, axis=0)
    elif how == "mean":
        out = np.add.reduceat(v, starts, axis=0, dtype=np.float64) / counts
    else:
        s = _sort_within_groups(v, window_map.series)
        if how == "topk_mean":
            kk = np.minimum(k, counts)  # (n_series, 1)
            back = np.arange(k)
            idx = ends[:, np.newaxis] - 1 - np.minimum(back, kk - 1)  # (n_series, k)
            take = (back < kk)[:, :, np.newaxis]
            out = np.where(take, s[idx], 0.0).sum(axis=1, dtype=np.float64) / kk
        else:
            qq = 0.5 if how == "median" else float(q)
            pos = qq * (counts[:, 0] - 1)
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, counts[:, 0] - 1)
            frac = (pos - lo)[:, np.newaxis]
            a, b = s[starts + lo].astype(np.float64), s[starts + hi].astype(np.float64)
            out = a + (b - a) * frac
    out = out.astype(dtype, copy=False)
    return out[:, 0] if np.ndim(window_values) == 1 else out


def _series_chunks(lengths: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive runs of series holding about ``_CHUNK`` samples (at least one series)."""
    ends = np.cumsum(lengths)
    chunks, a = [], 0
    while a < len(lengths):
        base = ends[a - 1] if a else 0
        b = max(a + 1, int(np.searchsorted(ends, base + _CHUNK, side="right")))
        chunks.append((a, b))
        a = b
    return chunks


def _samples(wmap: WindowMap, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Series index and time of every sample of series ``a..b-1``."""
    lens = wmap.lengths[a:b]
    sid = np.repeat(np.arange(a, b), lens)
    first = np.concatenate([[0], np.cumsum(lens)[:-1]])
    t = np.arange(int(lens.sum())) - np.repeat(first, lens)
    return sid, t


def _covering(wmap: WindowMap, sid: np.ndarray, t: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(covered, window)`` pairs listing every window that covers each sample.

    A sample is covered by at most ``ceil(size / step)`` windows on the grid, the
    latest of which starts at or before it; plus the end-aligned window, if any.
    """
    n_reg = wmap.counts[sid] - wmap.end_aligned[sid]
    base = wmap.offsets[sid]
    latest = np.minimum(t // wmap.step, n_reg - 1)
    for r in range(-(-wmap.size // wmap.step)):
        k = latest - r
        yield (k >= 0) & (t < k * wmap.step + wmap.size), base + np.maximum(k, 0)
    if wmap.end_aligned.any():
        yield wmap.end_aligned[sid] & (t >= wmap.lengths[sid] - wmap.size), wmap.offsets[sid + 1] - 1


def _nearest(wmap: WindowMap, sid: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The window nearest to each (uncovered) sample; ties go to the earlier window."""
    n_reg = wmap.counts[sid] - wmap.end_aligned[sid]
    base = wmap.offsets[sid]
    latest = np.minimum(t // wmap.step, n_reg - 1)
    best = base + latest
    dist = (t - (latest * wmap.step + wmap.size - 1)).astype(np.float64)
    nxt = latest + 1
    d_next = np.where(nxt < n_reg, nxt * wmap.step - t, np.inf)
    closer = d_next < dist
    best = np.where(closer, base + nxt, best)
    dist = np.where(closer, d_next, dist)
    if wmap.end_aligned.any():
        e_start = wmap.lengths[sid] - wmap.size
        d_end = np.where(wmap.end_aligned[sid] & (t < e_start), e_start - t, np.inf)
        best = np.where(d_end < dist, wmap.offsets[sid + 1] - 1, best)
    return best


def _per_series(acc_chunks: list[np.ndarray], wmap: WindowMap, n_rows: int, dtype: Any, squeeze: bool) -> Any:
    """Assemble ``(n_rows, samples)`` chunks into an array (equal lengths) or a list."""
    flat = np.concatenate(acc_chunks, axis=1) if len(acc_chunks) > 1 else acc_chunks[0]
    flat = flat.astype(dtype, copy=False)
    L = wmap.lengths
    if np.all(L == L[0]):
        out = np.ascontiguousarray(flat.reshape(n_rows, wmap.n_series, int(L[0])).transpose(1, 0, 2))
        return out[:, 0] if squeeze else out
    first = np.concatenate([[0], np.cumsum(L)])
    if squeeze:
        return [flat[0, first[i] : first[i + 1]] for i in range(wmap.n_series)]
    return [flat[:, first[i] : first[i + 1]] for i in range(wmap.n_series)]


def spread(window_values: Any, window_map: WindowMap, *, how: str = "mean") -> np.ndarray | list[np.ndarray]:
    """Values per window spread back onto the samples they cover.

    Each sample gets the mean (or the max) of the values of the windows that cover
    it. A sample that no window covers (the tail left by ``tail="drop"``, the gaps of
    ``step > size``) gets the value of the nearest window (ties: the earlier one).

    Parameters
    ----------
    window_values : array-like of shape (n_windows,) or (n_windows, n_features)
    window_map : WindowMap
    how : {"mean", "max"}, default="mean"

    Returns
    -------
    ndarray or list of ndarray
        ``(n_series, n_times)`` (or ``(n_series, n_features, n_times)``) when the series
        have equal length, else a list of ``(n_times_i,)`` (or ``(n_features,
        n_times_i)``) arrays; float32 for float32 values, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> W, wmap = make_windows(np.zeros((1, 1, 6)), size=4, step=2)
    >>> spread(np.array([1.0, 3.0]), wmap).tolist()
    [[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]]
    """
    caller = f"spread(how={how!r})"
    _check_choice(caller, "how", how, ("mean", "max"))
    v, dtype = _check_values(window_values, window_map, caller)
    chunks = []
    for a, b in _series_chunks(window_map.lengths):
        sid, t = _samples(window_map, a, b)
        if how == "mean":
            acc = np.zeros((v.shape[1], t.size))
        else:
            acc = np.full((v.shape[1], t.size), -np.inf)
        count = np.zeros(t.size, dtype=np.int64)
        for covered, w in _covering(window_map, sid, t):
            vals = v[w[covered]].T
            if how == "mean":
                acc[:, covered] += vals
            else:
                acc[:, covered] = np.maximum(acc[:, covered], vals)
            count += covered
        if how == "mean":
            np.divide(acc, count, out=acc, where=count > 0)
        alone = count == 0
        if alone.any():
            acc[:, alone] = v[_nearest(window_map, sid[alone], t[alone])].T
        chunks.append(acc)
    return _per_series(chunks, window_map, v.shape[1], dtype, squeeze=np.ndim(window_values) == 1)


def reassemble(windows: Any, window_map: WindowMap, *, fill_value: float = 0.0) -> np.ndarray | list[np.ndarray]:
    """Put windows of samples back together into series, averaging where they overlap.

    The inverse of :func:`make_windows` (exact with ``step == size``), also for windows
    computed from the cut ones (e.g. an autoencoder's reconstructions).

    Parameters
    ----------
    windows : ndarray of shape (n_windows, n_channels, size)
    window_map : WindowMap
    fill_value : float, default=0.0
        Value of samples that no window covers (the tail left by ``tail="drop"``, the
        gaps of ``step > size``).

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        A 3-D array when the series have equal length, else a list of
        ``(n_channels, n_times_i)`` arrays; dtype of ``windows`` (float32/float64).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12.0).reshape(2, 1, 6)
    >>> W, wmap = make_windows(X, size=3, step=2, tail="pad")
    >>> bool(np.array_equal(reassemble(W, wmap), X))
    True
    """
    caller = "reassemble"
    if not isinstance(window_map, WindowMap):
        raise ValidationError(
            f"{caller}: window_map must be the WindowMap returned by make_windows, found "
            f"{type(window_map).__name__}."
        )
    W = np.asarray(windows)
    if W.ndim != 3 or W.shape[0] != window_map.n_windows or W.shape[2] != window_map.size:
        raise ValidationError(
            f"{caller}: windows must have shape ({window_map.n_windows}, n_channels, "
            f"{window_map.size}) to match the map; found {W.shape!r}."
        )
    dtype = W.dtype if W.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    chunks = []
    for a, b in _series_chunks(window_map.lengths):
        sid, t = _samples(window_map, a, b)
        acc = np.zeros((W.shape[1], t.size))
        count = np.zeros(t.size, dtype=np.int64)
        for covered, w in _covering(window_map, sid, t):
            wc = w[covered]
            acc[:, covered] += W[wc, :, t[covered] - window_map.start[wc]].T
            count += covered
        np.divide(acc, count, out=acc, where=count > 0)
        acc[:, count == 0] = fill_value
        chunks.append(acc)
    return _per_series(chunks, window_map, W.shape[1], dtype, squeeze=False)
