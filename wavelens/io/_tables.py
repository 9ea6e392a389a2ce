"""Wide tables of series (one row per series), shared by the Parquet reader and the
HDF5 reader (which reads tables written by :meth:`pandas.DataFrame.to_hdf` the same
way), and the small helpers that the Parquet, HDF5 and zarr readers share.

:func:`wide_plan` decides the role of each column of a wide table from its pyarrow
schema (a :class:`WidePlan`): the samples are the numeric columns (in file order, one
channel) or list-typed columns (one per channel, rows may differ in length); an id,
a label and a sampling-rate column, and metadata columns, are named by options or
found by their usual names (``AUTO_ID_NAMES``, ...). :func:`wide_rows` turns the rows
of a pyarrow Table into a SignalSet. pyarrow is imported inside functions, to keep
``import wavelens.io`` fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._sampling import _merge_fs

__all__ = [
    "AUTO_ID_NAMES",
    "AUTO_LABEL_NAMES",
    "AUTO_FS_NAMES",
    "build_set",
    "as_str_array",
    "decode_labels",
    "WidePlan",
    "wide_plan",
    "wide_rows",
]

# Column (or dataset/attribute) names found without being named by an option.
AUTO_ID_NAMES = ("id", "ids")
AUTO_LABEL_NAMES = ("label", "labels")
AUTO_FS_NAMES = ("fs", "sampling_rate", "sample_rate")


# -- helpers shared with the HDF5 and zarr readers --------------------------------------
def build_set(where: str, data: Any, **kwargs: Any) -> SignalSet:
    """A SignalSet, with any validation error re-raised naming the file it came from."""
    try:
        return SignalSet(data, **kwargs)
    except ValidationError as err:
        msg = str(err).removeprefix("SignalSet: ")
        raise DataFormatError(f"{where}: {msg}") from err


def as_str_array(values: Any) -> np.ndarray:
    """Strings (bytes decoded as UTF-8) as an object array, e.g. for ids and labels."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
    return out


def decode_labels(values: np.ndarray) -> np.ndarray:
    """Labels as stored, except bytes and NumPy's StringDType become str objects."""
    if values.dtype.kind in "SOT" and (
        values.dtype.kind != "O" or any(isinstance(v, bytes) for v in values)
    ):
        return as_str_array(values)
    return values


def _pick_column(
    explicit: str | bool | None, auto: Sequence[str], names: Sequence[str], *, option: str, where: str
) -> str | None:
    """The column named by an option; None: the first of ``auto`` present; False: none."""
    if explicit is False:
        return None
    if explicit is not None:
        if not isinstance(explicit, str):
            raise ValidationError(
                f"{where}: {option}={explicit!r} should be a column name, None or False."
            )
        if explicit not in names:
            raise DataFormatError(
                f"{where}: {option}={explicit!r} is not a column of the table; columns: "
                f"{_preview(names)}."
            )
        return explicit
    return next((n for n in auto if n in names), None)


def _first_null(col: Any) -> int:
    """Row of the first null in a pyarrow (chunked) array that has one."""
    return int(np.flatnonzero(np.asarray(col.is_null().to_numpy(zero_copy_only=False)))[0])


def _preview(names: Sequence[Any], limit: int = 20) -> str:
    names = list(names)
    if len(names) <= limit:
        return repr(names)
    return f"{names[:limit]!r} and {len(names) - limit} more"


def _is_numeric(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(t) or pa.types.is_floating(t)


def _is_numeric_list(t: Any) -> bool:
    import pyarrow as pa

    is_list = pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
    return is_list and _is_numeric(t.value_type)


def _sample_dtype(types: Sequence[Any], dtype: np.dtype | None) -> np.dtype:
    """The sample dtype: the one asked for, else float32 if every column is float32."""
    import pyarrow as pa

    if dtype is not None:
        return dtype
    if types and all(pa.types.is_float32(t) for t in types):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


# -- wide layout ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WidePlan:
    """Which columns of a wide table hold what (decided once from the schema)."""

    id_column: str | None
    label_column: str | None
    fs_column: str | None
    metadata_columns: tuple[str, ...]
    sample_columns: tuple[str, ...]
    list_samples: bool
    sample_types: tuple[Any, ...]
    fs_option: str = "fs_column"  # the reader's option naming the fs column, for messages

    @property
    def columns(self) -> list[str]:
        extra = [self.id_column, self.label_column, self.fs_column, *self.metadata_columns]
        return [c for c in dict.fromkeys(extra) if c is not None] + list(self.sample_columns)


def wide_plan(
    schema: Any,
    *,
    where: str,
    id_column: str | bool | None,
    label_column: str | bool | None,
    fs_column: str | bool | None,
    metadata_columns: Sequence[str] | None,
    index_columns: Sequence[str] = (),
    option_names: tuple[str, str, str] = ("id_column", "label_column", "fs_column"),
) -> WidePlan:
    """Decide the role of each column of a wide table from its schema.

    ``index_columns`` are columns that hold a pandas index: never samples, and the
    ids when no id column is named or found. ``option_names`` are how the calling
    reader calls the id, label and fs options, for messages.
    """
    names = list(schema.names)
    idc = _pick_column(id_column, AUTO_ID_NAMES, names, option=option_names[0], where=where)
    if idc is None and id_column is None and len(index_columns) == 1:
        idc = index_columns[0]
    labc = _pick_column(label_column, AUTO_LABEL_NAMES, names, option=option_names[1], where=where)
    fsc = _pick_column(fs_column, AUTO_FS_NAMES, names, option=option_names[2], where=where)
    meta = tuple(metadata_columns or ())
    for c in meta:
        _pick_column(c, (), names, option="metadata_columns entry", where=where)
    reserved = {idc, labc, fsc, *meta, *index_columns}
    rest = [n for n in names if n not in reserved]
    if not rest:
        raise DataFormatError(
            f"{where}: no sample columns are left once the id, label, fs and metadata columns "
            f"are set aside; columns: {_preview(names)}."
        )
    types = {n: schema.field(n).type for n in rest}
    lists = [n for n in rest if _is_numeric_list(types[n])]
    scalars = [n for n in rest if _is_numeric(types[n])]
    bad = [n for n in rest if n not in lists and n not in scalars]
    if bad:
        found = {n: str(types[n]) for n in bad[:10]}
        raise DataFormatError(
            f"{where}: a wide table needs numeric sample columns (or list columns of numbers), "
            f"but column(s) {_preview(bad)} are not numeric (types: {found!r}). Name id, label "
            f"or fs columns with {option_names[0]}=, {option_names[1]}=, {option_names[2]}=, keep "
            "others with metadata_columns=, or use layout='long' for one row per sample."
        )
    if lists and scalars:
        raise DataFormatError(
            f"{where}: the table mixes list columns {_preview(lists)} with numeric columns "
            f"{_preview(scalars)}; samples are either one numeric column per time step or one "
            "list column per channel. Name the others with metadata_columns=."
        )
    samples = lists or scalars
    return WidePlan(
        id_column=idc,
        label_column=labc,
        fs_column=fsc,
        metadata_columns=meta,
        sample_columns=tuple(samples),
        list_samples=bool(lists),
        sample_types=tuple(types[n] for n in samples),
        fs_option=option_names[2],
    )


def wide_rows(
    plan: WidePlan,
    table: Any,
    *,
    where: str,
    fs: Any,
    dtype: np.dtype | None,
    row_offset: int = 0,
) -> SignalSet:
    """The rows of a wide table (a pyarrow Table) as a SignalSet.

    Rows without an id column get ids ``str(row_offset + row)``, their row number in
    the file, so that chunks read separately have the ids the whole file would.
    """
    n = table.num_rows
    if n == 0:
        raise DataFormatError(f"{where}: the table holds no rows.")
    if plan.id_column is not None:
        col = table.column(plan.id_column)
        if col.null_count:
            raise DataFormatError(
                f"{where}: id column {plan.id_column!r} is empty in row {row_offset + _first_null(col)}."
            )
        ids = as_str_array(col.to_pylist())
    else:
        ids = np.array([str(row_offset + i) for i in range(n)], dtype=object)
    out_dt = _sample_dtype(
        [t.value_type for t in plan.sample_types] if plan.list_samples else plan.sample_types, dtype
    )
    if plan.list_samples:
        data: Any = _list_samples(plan, table, ids, out_dt, where)
        channels: list[str] | None = list(plan.sample_columns)
    else:
        data = np.empty((n, 1, len(plan.sample_columns)), dtype=out_dt)
        for j, c in enumerate(plan.sample_columns):
            data[:, 0, j] = table.column(c).to_numpy()
        channels = None
    labels = None
    if plan.label_column is not None:
        labels = decode_labels(np.asarray(table.column(plan.label_column).to_numpy()))
    if plan.fs_column is not None:
        file_fs = np.asarray(table.column(plan.fs_column).to_numpy(), dtype=np.float64)
        fs = _merge_fs(fs, file_fs, f"column {plan.fs_column!r}", f"{plan.fs_option}=False", where)
    metadata = None
    if plan.metadata_columns:
        metadata = table.select(list(plan.metadata_columns)).to_pandas()
    return build_set(
        where, data, fs=fs, ids=ids, channels=channels, labels=labels, metadata=metadata
    )


def _list_samples(
    plan: WidePlan, table: Any, ids: np.ndarray, out_dt: np.dtype, where: str
) -> np.ndarray | list[np.ndarray]:
    import pyarrow.compute as pc

    n = table.num_rows
    flats, lengths = [], None
    for c in plan.sample_columns:
        arr = table.column(c).combine_chunks()
        if arr.null_count:
            raise DataFormatError(
                f"{where}: list column {c!r} is empty (null) in the row of series "
                f"{ids[_first_null(arr)]!r}."
            )
        ln = np.asarray(pc.list_value_length(arr).to_numpy(zero_copy_only=False), dtype=np.int64)
        if (ln == 0).any():
            row = int(np.flatnonzero(ln == 0)[0])
            raise DataFormatError(
                f"{where}: list column {c!r} holds no samples for series {ids[row]!r}."
            )
        if lengths is None:
            lengths = ln
        elif not np.array_equal(ln, lengths):
            row = int(np.flatnonzero(ln != lengths)[0])
            raise DataFormatError(
                f"{where}: series {ids[row]!r} has {int(lengths[row])} samples in column "
                f"{plan.sample_columns[0]!r} but {int(ln[row])} in column {c!r}; the channels of "
                "a series must have the same length."
            )
        flats.append(
            np.asarray(arr.flatten().to_numpy(zero_copy_only=False)).astype(out_dt, copy=False)
        )
    assert lengths is not None
    if np.all(lengths == lengths[0]):
        return np.stack([f.reshape(n, int(lengths[0])) for f in flats], axis=1)
    bounds = np.cumsum(lengths)[:-1]
    parts = [np.split(f, bounds) for f in flats]
    return [np.stack([p[i] for p in parts]) for i in range(n)]
