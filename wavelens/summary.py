"""A summary of a collection, computed chunk by chunk (what ``wavelens inspect`` prints).

NaN/inf and constant series are *reported* here, not rejected: inspecting is how a
user finds them before :func:`~wavelens.data.check_collection` would refuse them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import numpy as np

from .data import SignalSet
from .exceptions import ValidationError

__all__ = ["DataSummary", "summarize"]

_MAX_LISTED = 10


@dataclass
class DataSummary:
    """What is in a collection.

    Attributes
    ----------
    n_series, n_channels : int
    channels : list of str
    length_min, length_median, length_max : int
        Series lengths in samples.
    fs : list of float
        The distinct sampling rates (Hz) found; empty when unknown.
    dtype : str
    labels : dict
        Label → count; empty when the data has no labels.
    n_constant : int
        Series whose every channel is constant (all finite samples equal).
    constant_ids : list of str
        The first few of them.
    n_nonfinite : int
        Series holding NaN or inf.
    nonfinite_ids : list of str
        The first few of them.
    n_nan_values, n_inf_values : int
        Samples that are NaN / ±inf, over the whole collection.
    has_point_labels : bool
    """

    n_series: int = 0
    n_channels: int = 0
    channels: list[str] = field(default_factory=list)
    length_min: int = 0
    length_median: float = 0
    length_max: int = 0
    fs: list[float] = field(default_factory=list)
    dtype: str = ""
    labels: dict[str, int] = field(default_factory=dict)
    n_constant: int = 0
    constant_ids: list[str] = field(default_factory=list)
    n_nonfinite: int = 0
    nonfinite_ids: list[str] = field(default_factory=list)
    n_nan_values: int = 0
    n_inf_values: int = 0
    has_point_labels: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)

    def rows(self) -> list[tuple[str, str]]:
        """(field, value) pairs for a printed table."""

        def ids(n: int, listed: list[str]) -> str:
            if n == 0:
                return "0"
            more = f", … (+{n - len(listed)})" if n > len(listed) else ""
            return f"{n}: " + ", ".join(listed) + more

        fs = ", ".join(f"{f:g}" for f in self.fs[:5]) + (" …" if len(self.fs) > 5 else "") if self.fs else "unknown"
        labels = (
            ", ".join(f"{k}: {v}" for k, v in sorted(self.labels.items())) if self.labels else "none"
        )
        length = (
            f"{self.length_min}"
            if self.length_min == self.length_max
            else f"min {self.length_min}, median {self.length_median:g}, max {self.length_max}"
        )
        return [
            ("series", f"{self.n_series}"),
            ("channels", f"{self.n_channels} ({', '.join(self.channels[:8])}{' …' if len(self.channels) > 8 else ''})"),
            ("length (samples)", length),
            ("fs (Hz)", fs),
            ("dtype", self.dtype),
            ("labels", labels),
            ("point labels", "yes" if self.has_point_labels else "no"),
            ("constant series", ids(self.n_constant, self.constant_ids)),
            ("series with NaN/inf", ids(self.n_nonfinite, self.nonfinite_ids)),
            ("NaN / inf samples", f"{self.n_nan_values} / {self.n_inf_values}"),
        ]


def _per_series(chunk: SignalSet) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per series: has non-finite, is constant, NaN count, inf count."""
    if isinstance(chunk.data, np.ndarray):
        flat = chunk.data.reshape(len(chunk), chunk.n_channels, -1)
        finite = np.isfinite(flat)
        all_finite = finite.all(axis=(1, 2))
        n_nan = np.isnan(flat).sum(axis=(1, 2))
        n_inf = (~finite).sum(axis=(1, 2)) - n_nan
        with np.errstate(invalid="ignore"):
            lo = np.where(finite, flat, np.inf).min(axis=2)
            hi = np.where(finite, flat, -np.inf).max(axis=2)
        constant = ((lo == hi) | ~np.isfinite(lo)).all(axis=1)
        return ~all_finite, constant, n_nan, n_inf
    bad, const, nn, ni = [], [], [], []
    for s in chunk.data:
        finite = np.isfinite(s)
        bad.append(not finite.all())
        nn.append(int(np.isnan(s).sum()))
        ni.append(int((~finite).sum()) - nn[-1])
        with np.errstate(invalid="ignore"):
            lo = np.where(finite, s, np.inf).min(axis=1)
            hi = np.where(finite, s, -np.inf).max(axis=1)
        const.append(bool(((lo == hi) | ~np.isfinite(lo)).all()))
    return np.array(bad), np.array(const), np.array(nn), np.array(ni)


def summarize(chunks: SignalSet | Iterable[SignalSet]) -> DataSummary:
    """Summarise a collection, given whole or as an iterable of chunks.

    Parameters
    ----------
    chunks : SignalSet or iterable of SignalSet
        E.g. ``wavelens.io.iter_chunks(path)``, so memory stays bounded.

    Returns
    -------
    DataSummary

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens import SignalSet
    >>> X = np.random.default_rng(0).normal(size=(3, 1, 50)); X[1] = 2.0; X[2, 0, 7] = np.nan
    >>> s = summarize(SignalSet(X, fs=10.0))
    >>> s.n_series, s.constant_ids, s.nonfinite_ids
    (3, ['1'], ['2'])
    """
    if isinstance(chunks, SignalSet):
        chunks = [chunks]
    out = DataSummary()
    lengths: list[np.ndarray] = []
    fs_values: set[float] = set()
    label_counts: Counter[str] = Counter()
    any_labels = False
    dtypes: set[str] = set()
    for chunk in chunks:
        if out.n_series == 0:
            out.n_channels = chunk.n_channels
            out.channels = list(chunk.channels)
        elif chunk.n_channels != out.n_channels:
            raise ValidationError(
                f"summarize: a chunk has {chunk.n_channels} channels, earlier ones had {out.n_channels}."
            )
        out.n_series += len(chunk)
        lengths.append(chunk.lengths)
        dtypes.add(str(chunk.dtype))
        if chunk.fs is not None:
            fs_values.update(np.unique(chunk.fs_array).tolist())
        if chunk.labels is not None:
            any_labels = True
            vals, counts = np.unique(chunk.labels.astype(str), return_counts=True)
            label_counts.update(dict(zip(vals.tolist(), counts.tolist())))
        out.has_point_labels |= chunk.point_labels is not None
        bad, const, n_nan, n_inf = _per_series(chunk)
        out.n_nonfinite += int(bad.sum())
        out.n_constant += int(const.sum())
        out.n_nan_values += int(n_nan.sum())
        out.n_inf_values += int(n_inf.sum())
        room = _MAX_LISTED - len(out.nonfinite_ids)
        out.nonfinite_ids += [str(i) for i in chunk.ids[bad][:room]]
        room = _MAX_LISTED - len(out.constant_ids)
        out.constant_ids += [str(i) for i in chunk.ids[const][:room]]
    if out.n_series == 0:
        raise ValidationError("summarize: the input holds no series.")
    all_lengths = np.concatenate(lengths)
    out.length_min = int(all_lengths.min())
    out.length_median = float(np.median(all_lengths))
    out.length_max = int(all_lengths.max())
    out.fs = sorted(float(f) for f in fs_values)
    out.dtype = ", ".join(sorted(dtypes))
    out.labels = dict(label_counts) if any_labels else {}
    return out
