"""The data model: :class:`SignalSet` and the one input checker, :func:`check_collection`.

A *collection* of series is either a 3-D array ``(n_series, n_channels, n_times)``
(equal length) or a list of 2-D arrays ``(n_channels, n_times_i)`` (unequal length),
the convention of aeon and sktime. A :class:`SignalSet` carries a collection plus
what a loader knows about it: the sampling rate ``fs`` (scalar or one per series),
``ids``, ``channels``, optional per-series ``labels``, optional per-sample
``point_labels`` and a metadata table.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .exceptions import ValidationError

__all__ = [
    "SignalSet",
    "CollectionMeta",
    "check_collection",
    "describe_series",
    "require_fs",
]

_FLOAT_KINDS = (np.float32, np.float64)


def describe_series(index: int, ids: Sequence[Any] | None) -> str:
    """``"series 12 (id='test_0012')"`` — how errors name a series."""
    if ids is not None and index < len(ids):
        return f"series {index} (id={ids[index]!r})"
    return f"series {index}"


def _as_float(a: np.ndarray, dtype: Any) -> np.ndarray:
    """Keep float32/float64 as given (dtype=None) or cast to the requested dtype."""
    if dtype is None:
        if a.dtype in _FLOAT_KINDS:
            return a
        if a.dtype.kind in "biuf":
            return a.astype(np.float64)
        raise ValidationError(
            f"Expected numeric samples, found dtype {a.dtype!r}. "
            "Convert the data to float32 or float64 first."
        )
    if a.dtype.kind not in "biuf":
        raise ValidationError(
            f"Expected numeric samples, found dtype {a.dtype!r}. "
            "Convert the data to float32 or float64 first."
        )
    return a.astype(dtype, copy=False)


def _normalise_series_list(items: Sequence[Any], dtype: Any, name: str) -> list[np.ndarray]:
    out = []
    for i, s in enumerate(items):
        a = np.asarray(s)
        if a.ndim == 1:
            a = a[np.newaxis, :]
        if a.ndim != 2:
            raise ValidationError(
                f"{name}: series {i} has {a.ndim} dimensions, expected 1 (n_times,) or "
                f"2 (n_channels, n_times); found shape {a.shape!r}."
            )
        out.append(_as_float(a, dtype))
    return out


class SignalSet:
    """A collection of series plus what is known about them.

    Parameters
    ----------
    data : ndarray or list of ndarray
        A 3-D array ``(n_series, n_channels, n_times)``, a 2-D array
        ``(n_series, n_times)`` (one channel), or a list of arrays
        ``(n_channels, n_times_i)`` or ``(n_times_i,)``. Float32 and float64 are kept;
        other numeric types become float64. A list whose series all have the same
        length is kept as a list; use :meth:`to_numpy` for a 3-D array.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz, one for all series or one per series. Per-series rates
        that agree within a relative 1e-6 (one rate stored with rounding) become
        one scalar rate, their median.
    ids : sequence of str, optional
        One identifier per series; defaults to ``"0", "1", ...``. Must be unique.
    channels : sequence of str, optional
        One name per channel; defaults to ``"ch0", "ch1", ...``.
    labels : array-like of shape (n_series,), optional
        One class label per series.
    point_labels : list of array-like, optional
        One label per sample for each series (e.g. 1 inside an anomalous beat),
        each of shape ``(n_times_i,)``.
    metadata : pandas.DataFrame, optional
        One row per series, in series order; any columns.

    Notes
    -----
    Indexing with an integer returns that series as an array ``(n_channels, n_times)``;
    indexing with a slice, an integer array or a boolean mask returns a new
    ``SignalSet`` holding those series with their fs, ids, labels and metadata.
    NaN and inf are allowed inside a ``SignalSet`` (a loader keeps what the file
    holds, and ``wavelens inspect`` reports it); :func:`check_collection` rejects them.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.data import SignalSet
    >>> s = SignalSet(np.zeros((4, 3, 100), np.float32), fs=100.0)
    >>> len(s), s.n_channels, s.is_equal_length
    (4, 3, True)
    >>> s[1:3].ids.tolist()
    ['1', '2']
    """

    def __init__(
        self,
        data: Any,
        *,
        fs: Any = None,
        ids: Sequence[Any] | None = None,
        channels: Sequence[Any] | None = None,
        labels: Any = None,
        point_labels: Sequence[Any] | None = None,
        metadata: pd.DataFrame | None = None,
    ) -> None:
        if isinstance(data, np.ndarray) and data.dtype != object:
            a = data
            if a.ndim == 2:
                a = a[:, np.newaxis, :]
            if a.ndim != 3:
                raise ValidationError(
                    f"SignalSet: data must be 3-D (n_series, n_channels, n_times) or 2-D "
                    f"(n_series, n_times); found shape {a.shape!r}."
                )
            self.data: np.ndarray | list[np.ndarray] = _as_float(a, None)
        elif isinstance(data, (list, tuple, np.ndarray)):
            self.data = _normalise_series_list(list(data), None, "SignalSet")
        else:
            raise ValidationError(
                f"SignalSet: data must be an array or a list of arrays, found {type(data).__name__}."
            )
        n = len(self.data)
        if n == 0:
            raise ValidationError("SignalSet: the collection is empty (0 series).")
        if isinstance(self.data, list):
            nch = {s.shape[0] for s in self.data}
            if len(nch) > 1:
                first = self.data[0].shape[0]
                bad = next(i for i, s in enumerate(self.data) if s.shape[0] != first)
                raise ValidationError(
                    f"SignalSet: all series must have the same number of channels; series 0 "
                    f"has {first}, series {bad} has {self.data[bad].shape[0]}."
                )
            dts = {s.dtype for s in self.data}
            if len(dts) > 1:
                self.data = [s.astype(np.float64) for s in self.data]

        self.ids = self._check_ids(ids, n)
        nch = self.n_channels
        if channels is None:
            channels = [f"ch{i}" for i in range(nch)]
        channels = [str(c) for c in channels]
        if len(channels) != nch:
            raise ValidationError(
                f"SignalSet: channels has {len(channels)} names but the data has {nch} channels."
            )
        self.channels = channels
        self.fs = self._check_fs(fs, n)
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape != (n,):
                raise ValidationError(
                    f"SignalSet: labels must have shape ({n},), one per series; found {labels.shape!r}."
                )
        self.labels = labels
        if point_labels is not None:
            pl = [np.asarray(p) for p in point_labels]
            if len(pl) != n:
                raise ValidationError(
                    f"SignalSet: point_labels has {len(pl)} entries for {n} series."
                )
            lengths = self.lengths
            for i, p in enumerate(pl):
                if p.shape != (lengths[i],):
                    raise ValidationError(
                        f"SignalSet: point_labels of {describe_series(i, self.ids)} has shape "
                        f"{p.shape!r}, expected ({lengths[i]},) (one per sample)."
                    )
            point_labels = pl
        self.point_labels = point_labels
        if metadata is None:
            metadata = pd.DataFrame(index=pd.RangeIndex(n))
        elif not isinstance(metadata, pd.DataFrame):
            metadata = pd.DataFrame(metadata)
        if len(metadata) != n:
            raise ValidationError(
                f"SignalSet: metadata has {len(metadata)} rows for {n} series."
            )
        self.metadata = metadata.reset_index(drop=True)

    # -- validation helpers -------------------------------------------------------
    @staticmethod
    def _check_ids(ids: Sequence[Any] | None, n: int) -> np.ndarray:
        if ids is None:
            return np.array([str(i) for i in range(n)], dtype=object)
        out = np.array([str(i) for i in ids], dtype=object)
        if out.shape != (n,):
            raise ValidationError(f"SignalSet: ids has {len(out)} entries for {n} series.")
        uniq, counts = np.unique(out.astype(str), return_counts=True)
        if (counts > 1).any():
            dup = uniq[counts > 1][:3].tolist()
            raise ValidationError(f"SignalSet: ids must be unique; repeated: {dup!r}.")
        return out

    @staticmethod
    def _check_fs(fs: Any, n: int) -> float | np.ndarray | None:
        if fs is None:
            return None
        a = np.asarray(fs, dtype=np.float64)
        if a.ndim == 0:
            if not np.isfinite(a) or a <= 0:
                raise ValidationError(f"SignalSet: fs must be a positive finite number in Hz, found {float(a)!r}.")
            return float(a)
        if a.shape != (n,):
            raise ValidationError(
                f"SignalSet: fs must be a scalar or have shape ({n},), found shape {a.shape!r}."
            )
        if not np.all(np.isfinite(a) & (a > 0)):
            bad = int(np.flatnonzero(~(np.isfinite(a) & (a > 0)))[0])
            raise ValidationError(f"SignalSet: fs of series {bad} is {a[bad]!r}; expected a positive number in Hz.")
        # rates that agree to 1e-6 are one rate stored with rounding (the LEELA files'
        # sample intervals differ in the 7th digit): keep one, the median
        med = float(np.median(a))
        if np.all(np.abs(a - med) <= 1e-6 * med):
            return med
        return a

    # -- shape ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.data)

    @property
    def n_series(self) -> int:
        return len(self.data)

    @property
    def n_channels(self) -> int:
        return int(self.data.shape[1]) if isinstance(self.data, np.ndarray) else int(self.data[0].shape[0])

    @property
    def lengths(self) -> np.ndarray:
        """Number of samples of each series, int64 array ``(n_series,)``."""
        if isinstance(self.data, np.ndarray):
            return np.full(len(self.data), self.data.shape[2], dtype=np.int64)
        return np.array([s.shape[1] for s in self.data], dtype=np.int64)

    @property
    def is_equal_length(self) -> bool:
        lengths = self.lengths
        return bool(np.all(lengths == lengths[0]))

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype if isinstance(self.data, np.ndarray) else self.data[0].dtype

    @property
    def fs_array(self) -> np.ndarray | None:
        """Sampling rate of every series, float64 ``(n_series,)``, or None if unknown."""
        if self.fs is None:
            return None
        return np.broadcast_to(np.asarray(self.fs, dtype=np.float64), (self.n_series,)).copy()

    # -- access ---------------------------------------------------------------------
    def __iter__(self):
        for i in range(len(self)):
            yield self.data[i]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"series index {key} out of range for {n} series")
            return self.data[int(key)]
        idx = np.arange(len(self))[key]
        idx = np.atleast_1d(idx)
        return self.take(idx)

    def take(self, indices: Iterable[int]) -> "SignalSet":
        """A new SignalSet with the series at ``indices``, in that order."""
        idx = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices, dtype=np.int64)
        if isinstance(self.data, np.ndarray):
            data: Any = self.data[idx]
        else:
            data = [self.data[i] for i in idx]
        fs = self.fs if not isinstance(self.fs, np.ndarray) else self.fs[idx]
        return SignalSet(
            data,
            fs=fs,
            ids=self.ids[idx],
            channels=self.channels,
            labels=None if self.labels is None else self.labels[idx],
            point_labels=None if self.point_labels is None else [self.point_labels[i] for i in idx],
            metadata=self.metadata.iloc[idx],
        )

    def to_numpy(self) -> np.ndarray:
        """The collection as a 3-D array; raises if the series differ in length."""
        if isinstance(self.data, np.ndarray):
            return self.data
        if not self.is_equal_length:
            lengths = self.lengths
            raise ValidationError(
                f"SignalSet.to_numpy: the series differ in length (min {lengths.min()}, max "
                f"{lengths.max()}); use to_padded() for a padded array and a mask."
            )
        return np.stack(self.data)

    def to_list(self) -> list[np.ndarray]:
        """The collection as a list of ``(n_channels, n_times_i)`` arrays."""
        return list(self.data)

    def to_padded(self, fill_value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """A padded 3-D array and a mask of the real samples.

        Returns
        -------
        X : ndarray of shape (n_series, n_channels, max_n_times)
            Series padded at the end with ``fill_value``; dtype kept.
        mask : ndarray of bool, shape (n_series, max_n_times)
            True where a sample is real, False where it is padding.
        """
        lengths = self.lengths
        m = int(lengths.max())
        X = np.full((len(self), self.n_channels, m), fill_value, dtype=self.dtype)
        for i, s in enumerate(self.data):
            X[i, :, : s.shape[1]] = s
        mask = np.arange(m)[np.newaxis, :] < lengths[:, np.newaxis]
        return X, mask

    def astype(self, dtype: Any) -> "SignalSet":
        """A copy with samples cast to ``dtype``."""
        if isinstance(self.data, np.ndarray):
            data: Any = self.data.astype(dtype)
        else:
            data = [s.astype(dtype) for s in self.data]
        return self._replace(data)

    def _replace(self, data: Any) -> "SignalSet":
        return SignalSet(
            data,
            fs=self.fs,
            ids=self.ids,
            channels=self.channels,
            labels=self.labels,
            point_labels=self.point_labels,
            metadata=self.metadata,
        )

    @classmethod
    def concat(cls, sets: Sequence["SignalSet"]) -> "SignalSet":
        """Join several sets with the same channels into one (e.g. chunks, files)."""
        sets = list(sets)
        if not sets:
            raise ValidationError("SignalSet.concat: nothing to join (0 sets).")
        if len(sets) == 1:
            return sets[0]
        nch = sets[0].n_channels
        for k, s in enumerate(sets):
            if s.n_channels != nch:
                raise ValidationError(
                    f"SignalSet.concat: set {k} has {s.n_channels} channels, set 0 has {nch}."
                )
            if s.channels != sets[0].channels:
                raise ValidationError(
                    f"SignalSet.concat: set {k} has channels {s.channels!r} but set 0 has "
                    f"{sets[0].channels!r}; load files with different channels separately or "
                    "select the same channels in each."
                )
        lengths = np.concatenate([s.lengths for s in sets])
        dtype = np.result_type(*[s.dtype for s in sets])
        if np.all(lengths == lengths[0]):
            data: Any = np.concatenate([s.to_numpy().astype(dtype, copy=False) for s in sets])
        else:
            data = [a.astype(dtype, copy=False) for s in sets for a in s.data]
        if all(s.fs is None for s in sets):
            fs = None
        elif any(s.fs is None for s in sets):
            raise ValidationError("SignalSet.concat: some sets have fs and others do not.")
        else:
            fs = np.concatenate([s.fs_array for s in sets])
        labels = None
        if all(s.labels is not None for s in sets):
            labels = np.concatenate([s.labels for s in sets])
        elif any(s.labels is not None for s in sets):
            missing = [k for k, s in enumerate(sets) if s.labels is None]
            warnings.warn(
                f"SignalSet.concat: sets {missing[:5]!r} have no labels, so the joined set has none.",
                stacklevel=2,
            )
        point_labels = None
        if all(s.point_labels is not None for s in sets):
            point_labels = [p for s in sets for p in s.point_labels]
        meta = pd.concat([s.metadata for s in sets], ignore_index=True)
        return cls(
            data,
            fs=fs,
            ids=np.concatenate([s.ids for s in sets]),
            channels=sets[0].channels,
            labels=labels,
            point_labels=point_labels,
            metadata=meta,
        )

    def __repr__(self) -> str:
        lengths = self.lengths
        length = (
            f"n_times={int(lengths[0])}"
            if self.is_equal_length
            else f"n_times={int(lengths.min())}..{int(lengths.max())}"
        )
        fs = "fs=None" if self.fs is None else (
            f"fs={self.fs:g}" if not isinstance(self.fs, np.ndarray) else "fs=per series"
        )
        lab = "" if self.labels is None else f", labels={len(np.unique(self.labels.astype(str)))} classes"
        return (
            f"SignalSet(n_series={len(self)}, n_channels={self.n_channels}, {length}, "
            f"{fs}, dtype={self.dtype}{lab})"
        )


@dataclass
class CollectionMeta:
    """What :func:`check_collection` learnt about a collection.

    Attributes
    ----------
    n_series, n_channels : int
    lengths : ndarray of int64, shape (n_series,)
    fs : float, ndarray of shape (n_series,), or None
    ids : ndarray of object (str), shape (n_series,)
    labels : ndarray or None
    is_equal_length : bool
    dtype : numpy dtype of the samples
    signal_set : SignalSet or None
        The set passed in, if one was.
    """

    n_series: int
    n_channels: int
    lengths: np.ndarray
    fs: float | np.ndarray | None
    ids: np.ndarray
    labels: np.ndarray | None
    is_equal_length: bool
    dtype: np.dtype
    signal_set: SignalSet | None = field(default=None, repr=False)

    def series_name(self, index: int) -> str:
        return describe_series(index, self.ids)


def _first_nonfinite(a: np.ndarray) -> int | None:
    """Index of the first series (axis 0) holding NaN/inf, or None."""
    # Sum is a fast finiteness test: any NaN/inf makes the row sum non-finite.
    # (Overflowing finite values can make the sum inf, so confirm with isfinite.)
    flat = a.reshape(a.shape[0], -1)
    with np.errstate(over="ignore", invalid="ignore"):
        # in the data's own dtype: half the memory traffic of float64 for float32 data;
        # a sum that overflows on large finite values is caught by the confirmation below
        sums = flat.sum(axis=1)
    suspects = np.flatnonzero(~np.isfinite(sums))
    for i in suspects:
        if not np.isfinite(flat[i]).all():
            return int(i)
    return None


def check_collection(
    X: Any,
    *,
    fs: Any = None,
    allow_ragged: bool = True,
    allow_nan: bool = False,
    dtype: Any = None,
    min_length: int = 1,
    caller: str = "input",
) -> tuple[np.ndarray | list[np.ndarray], CollectionMeta]:
    """Check a collection of series and return its array(s) plus what is known of it.

    The one input checker: every public entry point of wavelens starts here.

    Parameters
    ----------
    X : SignalSet, ndarray or list of ndarray
        A :class:`SignalSet`; a 3-D array ``(n_series, n_channels, n_times)``; a 2-D
        array ``(n_series, n_times)`` (one channel); a 1-D array ``(n_times,)`` (one
        series, one channel); or a list of ``(n_channels, n_times_i)`` or
        ``(n_times_i,)`` arrays.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz. If ``X`` is a SignalSet that has ``fs``, a different
        value here is an error.
    allow_ragged : bool, default=True
        If False, series of unequal length raise :class:`ValidationError` naming the
        caller (for estimators whose output has a time axis).
    allow_nan : bool, default=False
        If False, NaN or inf anywhere raises an error naming the first such series.
    dtype : numpy dtype, optional
        Cast samples to this dtype. By default float32 and float64 are kept and other
        numeric types become float64.
    min_length : int, default=1
        Shortest series accepted.
    caller : str, default="input"
        Who is checking, for messages, e.g. ``"Spectrogram(nperseg=256)"``.

    Returns
    -------
    X : ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        A 3-D array when all series have the same length (a list of equal-length
        series is stacked), otherwise a list of ``(n_channels, n_times_i)`` arrays.
    meta : CollectionMeta

    Raises
    ------
    ValidationError
        Empty collection, zero-length or too-short series, mixed channel counts,
        NaN/inf, unequal lengths where ``allow_ragged=False``, non-numeric data.
    """
    signal_set = None
    ids = None
    labels = None
    set_fs = None
    if isinstance(X, SignalSet):
        signal_set = X
        data: Any = X.data
        ids = X.ids
        labels = X.labels
        set_fs = X.fs
    elif isinstance(X, np.ndarray) and X.dtype != object:
        data = X
        if data.ndim == 1:
            data = data[np.newaxis, np.newaxis, :]
        elif data.ndim == 2:
            data = data[:, np.newaxis, :]
        elif data.ndim != 3:
            raise ValidationError(
                f"{caller}: expected a 3-D array (n_series, n_channels, n_times), a 2-D "
                f"array (n_series, n_times) or a list of series; found a {data.ndim}-D array "
                f"of shape {data.shape!r}."
            )
    elif isinstance(X, (list, tuple, np.ndarray)):
        data = list(X)
    else:
        raise ValidationError(
            f"{caller}: expected a SignalSet, an array or a list of arrays; found "
            f"{type(X).__name__}."
        )

    if isinstance(data, np.ndarray):
        data = _as_float(data, dtype)
        if data.shape[0] == 0:
            raise ValidationError(f"{caller}: the collection is empty (0 series).")
        if data.shape[1] == 0:
            raise ValidationError(f"{caller}: the series have 0 channels.")
        n_series, n_channels, n_times = data.shape
        lengths = np.full(n_series, n_times, dtype=np.int64)
    else:
        if len(data) == 0:
            raise ValidationError(f"{caller}: the collection is empty (0 series).")
        data = _normalise_series_list(data, dtype, caller)
        n_series = len(data)
        n_channels = data[0].shape[0]
        for i, s in enumerate(data):
            if s.shape[0] != n_channels:
                raise ValidationError(
                    f"{caller}: all series must have the same number of channels; "
                    f"{describe_series(0, ids)} has {n_channels}, {describe_series(i, ids)} "
                    f"has {s.shape[0]}."
                )
        if n_channels == 0:
            raise ValidationError(f"{caller}: the series have 0 channels.")
        lengths = np.array([s.shape[1] for s in data], dtype=np.int64)
        dts = {s.dtype for s in data}
        if len(dts) > 1:
            data = [s.astype(np.float64) for s in data]
        if np.all(lengths == lengths[0]) and lengths[0] > 0:
            data = np.stack(data)

    short = np.flatnonzero(lengths < max(min_length, 1))
    if short.size:
        i = int(short[0])
        if lengths[i] == 0:
            raise ValidationError(f"{caller}: {describe_series(i, ids)} has no samples (length 0).")
        raise ValidationError(
            f"{caller}: needs series of at least {min_length} samples, but "
            f"{describe_series(i, ids)} has n_times={int(lengths[i])}. Drop or pad short series."
        )
    equal = bool(np.all(lengths == lengths[0]))
    if not equal and not allow_ragged:
        raise ValidationError(
            f"{caller}: needs series of equal length, but they range from {int(lengths.min())} "
            f"to {int(lengths.max())} samples. Cut them into windows or pad them first."
        )
    if not allow_nan:
        if isinstance(data, np.ndarray):
            bad = _first_nonfinite(data)
        else:
            bad = next((i for i, s in enumerate(data) if not np.isfinite(s).all()), None)
        if bad is not None:
            raise ValidationError(
                f"{caller}: {describe_series(bad, ids)} contains NaN or inf. Remove or "
                "interpolate missing values before this step (wavelens inspect lists them)."
            )

    if fs is not None:
        fs_checked = SignalSet._check_fs(fs, n_series)
        if set_fs is not None and not np.allclose(np.asarray(set_fs), np.asarray(fs_checked)):
            raise ValidationError(
                f"{caller}: fs={fs!r} was given but the SignalSet says fs={set_fs!r}; pass one or "
                "make them agree."
            )
        set_fs = fs_checked
    if ids is None:
        ids = np.array([str(i) for i in range(n_series)], dtype=object)
    dt = data.dtype if isinstance(data, np.ndarray) else data[0].dtype
    meta = CollectionMeta(
        n_series=n_series,
        n_channels=n_channels,
        lengths=lengths,
        fs=set_fs,
        ids=ids,
        labels=labels,
        is_equal_length=equal,
        dtype=dt,
        signal_set=signal_set,
    )
    return data, meta


def require_fs(meta: CollectionMeta, caller: str, why: str = "frequencies in Hz") -> float | np.ndarray:
    """Return ``meta.fs`` or raise an error saying that ``fs`` is needed and why."""
    if meta.fs is None:
        raise ValidationError(
            f"{caller}: fs is missing but {why} need it. Pass fs= (in Hz) or load the data "
            "with a loader that knows the sampling rate."
        )
    return meta.fs
