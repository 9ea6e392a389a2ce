"""Parquet reader: wide tables (one row per series) and long tables (one row per sample).

Wide layout
    One row per series. The samples are either the numeric columns (in file order,
    one channel) or list-typed columns, one per channel, each row holding that
    channel's samples (rows may differ in length: a ragged set). Besides the
    samples, a table may carry an id column, a label column, a sampling-rate column
    and metadata columns, named by options or found by their usual names.
Long layout
    One row per sample: an id column, a value column, optionally a time column (the
    order of samples; otherwise file order) and a channel column (pivoted into
    channels). Series are grouped by id, in order of first appearance.

The wide-table logic lives in :mod:`._tables`, shared with the HDF5 reader, which
reads tables written by :meth:`pandas.DataFrame.to_hdf` the same way; so do the small
helpers at its top. pyarrow is a core dependency but is imported inside functions, to
keep ``import wavelens.io`` fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._sampling import _merge_fs, _out_dtype as _checked_dtype
from ._registry import Format, default_chunk_size, register
from ._tables import (
    AUTO_FS_NAMES,
    AUTO_ID_NAMES,
    AUTO_LABEL_NAMES,
    WidePlan,
    _first_null,
    _is_numeric,
    _is_numeric_list,
    _pick_column,
    _preview,
    _sample_dtype,
    as_str_array,
    build_set,
    decode_labels,
    wide_plan,
    wide_rows,
)

__all__ = ["read_parquet", "iter_parquet"]

_LAYOUTS = ("auto", "wide", "long")
_MAGIC = b"PAR1"


# -- long layout ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _LongPlan:
    id_column: str
    value_column: str
    time_column: str | None
    channel_column: str | None
    label_column: str | None
    fs_column: str | None
    metadata_columns: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        cols = [
            self.id_column,
            self.time_column,
            self.channel_column,
            self.value_column,
            self.label_column,
            self.fs_column,
            *self.metadata_columns,
        ]
        return [c for c in dict.fromkeys(cols) if c is not None]


def _looks_long(schema: Any, id_column: str | None, value_column: str | None) -> bool:
    names = list(schema.names)
    idc = id_column if id_column is not None else next((n for n in AUTO_ID_NAMES if n in names), None)
    valc = value_column or "value"
    return idc in names and valc in names and _is_numeric(schema.field(valc).type)


def _long_plan(schema: Any, where: str, opts: dict[str, Any]) -> _LongPlan:
    import pyarrow as pa

    names = list(schema.names)
    idc = _pick_column(opts["id_column"], AUTO_ID_NAMES, names, option="id_column", where=where)
    valc = _pick_column(opts["value_column"], ("value",), names, option="value_column", where=where)
    if idc is None or valc is None:
        needs = (("an id column ('id')", idc), ("a value column ('value')", valc))
        missing = [what for what, col in needs if col is None]
        raise DataFormatError(
            f"{where}: a long table (one row per sample) needs {' and '.join(missing)}; columns "
            f"found: {_preview(names)}. Name them with id_column= and value_column=, or use "
            "layout='wide' for one row per series."
        )
    vtype = schema.field(valc).type
    if not _is_numeric(vtype):
        hint = ""
        if _is_numeric_list(vtype):
            hint = " (a list column means one row per series: use layout='wide')"
        raise DataFormatError(
            f"{where}: value column {valc!r} has type {str(vtype)!r}; a long table needs one "
            f"number per row{hint}."
        )
    timec = _pick_column(opts["time_column"], ("time",), names, option="time_column", where=where)
    if timec is not None:
        ttype = schema.field(timec).type
        if not (_is_numeric(ttype) or pa.types.is_timestamp(ttype)):
            raise DataFormatError(
                f"{where}: time column {timec!r} has type {str(ttype)!r}; expected numbers or "
                "timestamps."
            )
    meta = tuple(opts["metadata_columns"] or ())
    for c in meta:
        _pick_column(c, (), names, option="metadata_columns entry", where=where)
    return _LongPlan(
        id_column=idc,
        value_column=valc,
        time_column=timec,
        channel_column=_pick_column(
            opts["channel_column"], ("channel",), names, option="channel_column", where=where
        ),
        label_column=_pick_column(
            opts["label_column"], AUTO_LABEL_NAMES, names, option="label_column", where=where
        ),
        fs_column=_pick_column(opts["fs_column"], AUTO_FS_NAMES, names, option="fs_column", where=where),
        metadata_columns=meta,
    )


def _codes(col: Any, what: str, where: str) -> tuple[np.ndarray, Any]:
    """Integer codes in order of first appearance, and the distinct values (pyarrow)."""
    if col.null_count:
        raise DataFormatError(f"{where}: {what} is empty in row {_first_null(col)}.")
    enc = col.combine_chunks().dictionary_encode()
    return np.asarray(enc.indices.to_numpy(), dtype=np.int64), enc.dictionary


def _time_values(col: Any, where: str, name: str) -> tuple[np.ndarray, bool]:
    """Times as int64 nanoseconds (timestamps) or numbers as stored (int64, float64); and which."""
    import pyarrow as pa

    if col.null_count:
        raise DataFormatError(f"{where}: time column {name!r} is empty in row {_first_null(col)}.")
    if pa.types.is_timestamp(col.type):
        ns = col.cast(pa.timestamp("ns", tz=col.type.tz))
        return np.asarray(ns.cast(pa.int64()).to_numpy(), dtype=np.int64), True
    kind = np.int64 if pa.types.is_integer(col.type) else np.float64
    return np.asarray(col.to_numpy(), dtype=kind), False


def _first_mismatch(sorted_values: np.ndarray, expected: np.ndarray) -> int | None:
    neq = np.asarray(sorted_values != expected, dtype=bool)
    if sorted_values.dtype.kind == "f":
        neq &= ~(np.isnan(sorted_values) & np.isnan(expected))
    hits = np.flatnonzero(neq)
    return int(hits[0]) if hits.size else None


def _long_rows(
    plan: _LongPlan,
    table: Any,
    *,
    where: str,
    fs: Any,
    dtype: np.dtype | None,
    channel_values: Any = None,
) -> SignalSet:
    """The rows of a long table as one series per id.

    ``channel_values`` fixes the channels and their order (the whole file's, when
    ``table`` holds some of its ids); by default, those of ``table`` in order of
    first appearance.
    """
    import pyarrow.compute as pc

    n_rows = table.num_rows
    if n_rows == 0:
        raise DataFormatError(f"{where}: the table holds no rows.")
    codes, id_values = _codes(table.column(plan.id_column), f"id column {plan.id_column!r}", where)
    ids = as_str_array(id_values.to_pylist())
    n_ids = len(ids)
    if plan.channel_column is not None:
        what = f"channel column {plan.channel_column!r}"
        ch, ch_values = _codes(table.column(plan.channel_column), what, where)
        if channel_values is not None:
            # recode this table's channels as positions in the whole file's list
            recode = pc.index_in(ch_values, value_set=channel_values).to_numpy()
            ch = np.asarray(recode, dtype=np.int64)[ch]
            ch_values = channel_values
        channels: list[str] | None = [str(c) for c in ch_values.to_pylist()]
    else:
        ch, channels = np.zeros(n_rows, dtype=np.int64), None
    n_ch = 1 if channels is None else len(channels)
    # Sort by id, then channel, then time (or file order): two stable sorts, which
    # is about twice as fast as np.lexsort on three keys.
    group = codes * n_ch + ch
    is_stamp = False
    if plan.time_column is not None:
        t, is_stamp = _time_values(table.column(plan.time_column), where, plan.time_column)
        by_time = np.argsort(t, kind="stable")
        order = by_time[np.argsort(group[by_time], kind="stable")]
    else:
        order = np.argsort(group, kind="stable")

    counts = np.bincount(group, minlength=n_ids * n_ch).reshape(n_ids, n_ch)
    ch_names = channels if channels is not None else [""]
    if (counts == 0).any():
        k, j = (int(v[0]) for v in np.nonzero(counts == 0))
        raise DataFormatError(
            f"{where}: series {ids[k]!r} has no rows for channel {ch_names[j]!r}; channels in the "
            f"file: {channels!r}. Every series needs every channel."
        )
    if (counts != counts[:, :1]).any():
        k, j = (int(v[0]) for v in np.nonzero(counts != counts[:, :1]))
        raise DataFormatError(
            f"{where}: series {ids[k]!r} has {int(counts[k, 0])} samples in channel "
            f"{ch_names[0]!r} but {int(counts[k, j])} in channel {ch_names[j]!r}; every channel of a "
            "series needs the same times."
        )
    n_t = counts[:, 0]
    starts = np.concatenate([[0], np.cumsum(n_t * n_ch)[:-1]]).astype(np.int64)
    codes_s, ch_s = codes[order], ch[order]

    fs_inferred = None
    if plan.time_column is not None:
        ts = t[order]
        same = (codes_s[1:] == codes_s[:-1]) & (ch_s[1:] == ch_s[:-1])
        dup = np.flatnonzero(same & (ts[1:] == ts[:-1]))
        if dup.size:
            i = int(dup[0]) + 1
            raise DataFormatError(
                f"{where}: series {ids[codes_s[i]]!r} has two rows at time "
                f"{table.column(plan.time_column)[int(order[i])].as_py()!r}"
                + (f" in channel {ch_names[int(ch_s[i])]!r}" if channels is not None else "")
                + "; times must be unique within a series."
            )
        if n_ch > 1:
            pos = np.arange(n_rows) - starts[codes_s]
            ref = starts[codes_s] + pos % n_t[codes_s]
            i = _first_mismatch(ts, ts[ref])
            if i is not None:
                raise DataFormatError(
                    f"{where}: series {ids[codes_s[i]]!r}: channel {ch_names[int(ch_s[i])]!r} has a "
                    f"sample at time {table.column(plan.time_column)[int(order[i])].as_py()!r} that "
                    f"channel {ch_names[0]!r} does not; every channel of a series needs the same times."
                )
        if is_stamp:
            fs_inferred = _fs_from_stamps(ts, codes_s, ch_s, starts, n_t)

    values = np.asarray(table.column(plan.value_column).to_numpy())
    out_dt = _sample_dtype([table.schema.field(plan.value_column).type], dtype)
    vs = values[order].astype(out_dt, copy=False)
    if np.all(n_t == n_t[0]):
        data: Any = vs.reshape(n_ids, n_ch, int(n_t[0]))
    else:
        data = [vs[s : s + n_ch * k].reshape(n_ch, int(k)) for s, k in zip(starts, n_t)]

    first_rows = order[starts]
    labels = None
    if plan.label_column is not None:
        lab = decode_labels(np.asarray(table.column(plan.label_column).to_numpy()))[order]
        i = _first_mismatch(lab, lab[starts][codes_s])
        if i is not None:
            raise DataFormatError(
                f"{where}: label column {plan.label_column!r} changes within series "
                f"{ids[codes_s[i]]!r} ({lab[starts][codes_s[i]]!r}, then {lab[i]!r}); a series has "
                "one label."
            )
        labels = lab[starts]
    if plan.fs_column is not None:
        fsv = np.asarray(table.column(plan.fs_column).to_numpy(), dtype=np.float64)[order]
        i = _first_mismatch(fsv, fsv[starts][codes_s])
        if i is not None:
            raise DataFormatError(
                f"{where}: fs column {plan.fs_column!r} changes within series {ids[codes_s[i]]!r} "
                f"({fsv[starts][codes_s[i]]!r}, then {fsv[i]!r}); a series has one sampling rate."
            )
        fs = _merge_fs(fs, fsv[starts], f"column {plan.fs_column!r}", "fs_column=False", where)
    elif fs is None:
        fs = fs_inferred  # a rate from timestamps is a guess: a given fs wins over it
    if plan.metadata_columns:
        metadata = table.select(list(plan.metadata_columns)).take(first_rows).to_pandas()
    else:
        metadata = pd.DataFrame(index=pd.RangeIndex(n_ids))
    if plan.time_column is not None and "start_time" not in metadata.columns:
        start = table.column(plan.time_column).take(first_rows)
        metadata["start_time"] = start.to_pandas().to_numpy()
    return build_set(where, data, fs=fs, ids=ids, channels=channels, labels=labels, metadata=metadata)


def _fs_from_stamps(
    ns: np.ndarray, codes_s: np.ndarray, ch_s: np.ndarray, starts: np.ndarray, n_t: np.ndarray
) -> np.ndarray | None:
    """Per-series fs from evenly spaced timestamps (within 1 %), else None."""
    if (n_t < 2).any():
        return None
    span = (ns[starts + n_t - 1] - ns[starts]).astype(np.float64)
    step = span / (n_t - 1)
    if (step <= 0).any():
        return None
    inner = (codes_s[1:] == codes_s[:-1]) & (ch_s[1:] == 0) & (ch_s[:-1] == 0)
    d = np.diff(ns).astype(np.float64)[inner]
    expected = step[codes_s[1:][inner]]
    if (np.abs(d - expected) > 0.01 * expected).any():
        return None
    return 1e9 / step


# -- the reader ---------------------------------------------------------------------------------
def _open(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise DataFormatError(f"{str(path)!r}: not a readable Parquet file ({err}).") from err


def _index_columns(schema: Any) -> list[str]:
    """Columns that hold a pandas index (``DataFrame.to_parquet`` with a named index)."""
    meta = schema.pandas_metadata or {}
    return [c for c in meta.get("index_columns", []) if isinstance(c, str) and c in schema.names]


def _plan(pf: Any, where: str, opts: dict[str, Any]) -> WidePlan | _LongPlan:
    layout = opts["layout"]
    if layout not in _LAYOUTS:
        raise ValidationError(
            f"{where}: layout={layout!r} is not one of {list(_LAYOUTS)!r}."
        )
    schema = pf.schema_arrow
    if layout == "long" or (
        layout == "auto" and _looks_long(schema, opts["id_column"], opts["value_column"])
    ):
        return _long_plan(schema, where, opts)
    for name in ("time_column", "value_column", "channel_column"):
        if opts[name] is not None:
            raise ValidationError(
                f"{where}: {name}={opts[name]!r} applies to the long layout, but the table is read "
                f"as wide (layout={layout!r}); pass layout='long'."
            )
    return wide_plan(
        schema,
        where=where,
        id_column=opts["id_column"],
        label_column=opts["label_column"],
        fs_column=opts["fs_column"],
        metadata_columns=opts["metadata_columns"],
        index_columns=_index_columns(schema),
    )


def read_parquet(
    path: Path,
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    id_column: str | bool | None = None,
    label_column: str | bool | None = None,
    fs_column: str | bool | None = None,
    time_column: str | None = None,
    value_column: str | None = None,
    channel_column: str | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> SignalSet:
    """Read a Parquet file of series, wide (one row per series) or long (one row per sample).

    Parameters
    ----------
    path : pathlib.Path
        The ``.parquet``/``.pq`` file.
    fs : float, optional
        Sampling rate in Hz, for tables that carry none. If an fs column disagrees
        (relative difference above 1e-6), :class:`ValidationError`; pass
        ``fs_column=False`` to ignore the column. A rate inferred from timestamps
        gives way to ``fs``.
    dtype : str or numpy dtype, default="float32"
        Float type of the samples; None keeps float32 columns as float32 and reads
        everything else as float64.
    layout : {"auto", "wide", "long"}, default="auto"
        ``"auto"`` reads the table as long when it has an id column and a numeric
        value column (``value_column``, default ``"value"``), otherwise as wide.
    id_column : str or False, optional
        Column of series ids. Default: a column named ``"id"`` or ``"ids"``; in a
        wide table written by pandas with a named index, that index; otherwise the
        row number (wide). Required (found or named) for the long layout. False
        (wide): row numbers, whatever the columns are called.
    label_column : str or False, optional
        Column of class labels, one per series. Default: ``"label"`` or ``"labels"``
        if present. False: no labels.
    fs_column : str or False, optional
        Column of sampling rates in Hz, one per series. Default: ``"fs"``,
        ``"sampling_rate"`` or ``"sample_rate"`` if present. False: no rate from
        the table.
    time_column : str, optional
        Long layout: the time of each sample (numbers or timestamps), which orders
        the samples. Default: ``"time"`` if present, otherwise file order. With
        evenly spaced timestamps (within 1 %) and no fs, fs is inferred per series.
    value_column : str, optional
        Long layout: the sample values. Default ``"value"``.
    channel_column : str, optional
        Long layout: the channel of each row; channels are pivoted in order of first
        appearance. Default: ``"channel"`` if present, otherwise one channel.
    metadata_columns : sequence of str, optional
        Columns copied into ``SignalSet.metadata`` (long layout: the value at each
        series' first sample).

    Returns
    -------
    SignalSet
        Wide: one series per row, in file order. Long: one series per id, in order
        of first appearance, samples ordered by time; series of unequal length
        make a ragged set; ``metadata["start_time"]`` holds each series' first time.

    Raises
    ------
    DataFormatError
        The file is not Parquet; a named column is missing; wide: non-numeric
        sample columns, list columns mixed with numeric ones, list columns of
        different lengths within a row; long: a series lacking a channel, duplicate
        times, channels with different times, a label or fs that changes within a
        series.
    ValidationError
        An unknown ``layout``, a non-float ``dtype``, long-layout options on a wide
        table, or an ``fs`` that disagrees with the fs column.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from wavelens.io import load
    >>> p = os.path.join(tempfile.mkdtemp(), "long.parquet")
    >>> pd.DataFrame({"id": ["a", "a", "b", "b", "b"], "time": [1, 0, 0, 1, 2],
    ...               "value": [2.0, 1.0, 5.0, 6.0, 7.0]}).to_parquet(p)
    >>> s = load(p)
    >>> s.ids.tolist(), s[0].tolist(), s.lengths.tolist()
    (['a', 'b'], [[1.0, 2.0]], [2, 3])
    """
    where = repr(str(path))
    dt = _checked_dtype(dtype)
    pf = _open(path)
    opts = dict(
        layout=layout, id_column=id_column, label_column=label_column, fs_column=fs_column,
        time_column=time_column, value_column=value_column, channel_column=channel_column,
        metadata_columns=metadata_columns,
    )
    plan = _plan(pf, where, opts)
    table = pf.read(columns=plan.columns)
    if isinstance(plan, WidePlan):
        return wide_rows(plan, table, where=where, fs=fs, dtype=dt)
    return _long_rows(plan, table, where=where, fs=fs, dtype=dt)


def iter_parquet(
    path: Path,
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    id_column: str | bool | None = None,
    label_column: str | bool | None = None,
    fs_column: str | bool | None = None,
    time_column: str | None = None,
    value_column: str | None = None,
    channel_column: str | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> Iterator[SignalSet]:
    """Yield a Parquet file as SignalSets of at most ``chunk_size`` series.

    Wide tables are read ``chunk_size`` rows at a time (pyarrow record batches).
    Long tables read the id column once, then the rows of ``chunk_size`` ids at a
    time (a filtered read per chunk: memory is bounded, the file is scanned once
    per chunk). Parameters are those of :func:`read_parquet`; ``chunk_size=None``
    aims at about 256 MiB of samples per chunk, estimated from the file's
    metadata.

    Yields
    ------
    SignalSet
        Consecutive chunks whose concatenation equals :func:`read_parquet`'s result.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    where = repr(str(path))
    dt = _checked_dtype(dtype)
    pf = _open(path)
    opts = dict(
        layout=layout, id_column=id_column, label_column=label_column, fs_column=fs_column,
        time_column=time_column, value_column=value_column, channel_column=channel_column,
        metadata_columns=metadata_columns,
    )
    plan = _plan(pf, where, opts)
    itemsize = (dt or np.dtype(np.float64)).itemsize
    md = pf.metadata
    if md.num_rows == 0:
        raise DataFormatError(f"{where}: the table holds no rows.")
    # Uncompressed bytes per row, taken as 8-byte numbers: a cheap size estimate.
    row_bytes = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups)) / md.num_rows
    if isinstance(plan, WidePlan):
        size = chunk_size or default_chunk_size(max(int(row_bytes / 8), 1), 1, itemsize)
        offset = 0
        for batch in pf.iter_batches(batch_size=size, columns=plan.columns):
            table = pa.Table.from_batches([batch])
            yield wide_rows(plan, table, where=where, fs=fs, dtype=dt, row_offset=offset)
            offset += table.num_rows
        return
    keys_table = pf.read(columns=[c for c in (plan.id_column, plan.channel_column) if c is not None])
    _, id_values = _codes(keys_table.column(plan.id_column), f"id column {plan.id_column!r}", where)
    channel_values = None
    if plan.channel_column is not None:
        _, channel_values = _codes(
            keys_table.column(plan.channel_column), f"channel column {plan.channel_column!r}", where
        )
    del keys_table
    n_ids = len(id_values)
    size = chunk_size or default_chunk_size(max(int(md.num_rows / n_ids), 1), 1, itemsize)
    for start in range(0, n_ids, size):
        keys = id_values.slice(start, size)
        table = pq.read_table(path, columns=plan.columns, filters=pc.field(plan.id_column).isin(keys))
        yield _long_rows(plan, table, where=where, fs=fs, dtype=dt, channel_values=channel_values)


def sniff(path: Path) -> bool:
    """True for a Parquet file: ``PAR1`` at its start and its end."""
    if not path.is_file() or path.stat().st_size < 12:
        return False
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(-4, 2)
        return head == _MAGIC and fh.read(4) == _MAGIC


register(
    Format(
        name="parquet",
        extensions=(".parquet", ".pq"),
        read=read_parquet,
        description="Apache Parquet: wide (one row per series) or long (id, time, value[, channel]) tables",
        iter_chunks=iter_parquet,
        sniff=sniff,
        options=(
            "layout", "id_column", "label_column", "fs_column", "time_column",
            "value_column", "channel_column", "metadata_columns",
        ),
    )
)
