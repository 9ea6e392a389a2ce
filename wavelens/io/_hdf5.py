"""HDF5 reader (h5py), and the core it shares with the zarr reader.

An HDF5 file holds named datasets in groups, with attributes on both; a zarr store
is the same picture. :class:`ArrayStore` is that picture, and the functions below it
(pick the data array, find ids/labels/fs beside it, read rows) work on any store;
``_H5Store`` adapts an open :class:`h5py.File` and ``wavelens.io._zarr`` adapts a
zarr group.

Tables written by :meth:`pandas.DataFrame.to_hdf` (groups with a ``pandas_type``
attribute) are read with pandas (needs PyTables) as wide tables, one row per
series, by the wide-table logic of :mod:`._tables` (shared with the Parquet reader).
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .._optional import import_optional
from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._sampling import _merge_fs, _out_dtype as _checked_dtype
from ._registry import Format, default_chunk_size, register
from ._tables import (
    AUTO_FS_NAMES,
    AUTO_ID_NAMES,
    AUTO_LABEL_NAMES,
    as_str_array,
    build_set,
    decode_labels,
    wide_plan,
    wide_rows,
)

__all__ = ["read_hdf5", "iter_hdf5", "ArrayStore", "ArrayPlan"]

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_PANDAS_FRAMES = ("frame", "frame_table")


# -- the array-store core (shared with zarr) ------------------------------------------------
class ArrayStore(ABC):
    """A container of named arrays in groups, with attributes: an HDF5 file, a zarr store.

    Paths have no leading slash; ``""`` is the root (a group, or for a zarr store
    that is one array, that array). Subclasses fill :attr:`arrays` and
    :attr:`groups` and implement :meth:`attrs` and :meth:`read`.

    Attributes
    ----------
    where : str
        The file, quoted, for messages.
    kind, a_kind : str
        What the format calls an array (``"dataset"``, ``"array"``), with its
        article (``"a dataset"``, ``"an array"``), for messages.
    container : str
        What the format calls the whole (``"file"``, ``"store"``), for messages.
    option : str
        The reader option that names the data array (``"dataset"``, ``"array"``).
    arrays : dict
        ``path -> (shape, dtype)`` of every array.
    groups : set of str
        Paths of the groups.
    """

    where: str
    kind: str
    a_kind: str
    container: str
    option: str
    arrays: dict[str, tuple[tuple[int, ...], np.dtype]]
    groups: set[str]

    @abstractmethod
    def attrs(self, path: str) -> Mapping[str, Any]:
        """The attributes of the array or group at ``path``."""

    @abstractmethod
    def read(self, path: str, sel: Any, dtype: np.dtype | None) -> np.ndarray:
        """``array[sel]`` cast to ``dtype`` (None: as stored)."""

    def describe(self) -> dict[str, str]:
        """What the store holds, for messages: ``{'/path': '(10, 100) float64', ...}``."""
        return {show(p): f"{shape!r} {dt}" for p, (shape, dt) in sorted(self.arrays.items())}

    def listing(self, limit: int = 20) -> str:
        """:meth:`describe`, cut to ``limit`` entries."""
        items = list(self.describe().items())
        more = f" and {len(items) - limit} more" if len(items) > limit else ""
        return f"{dict(items[:limit])!r}{more}"


def show(path: str) -> str:
    """How messages write a path inside a store: ``/group/name``."""
    return "/" + path


def _parents(path: str) -> list[str]:
    """Enclosing groups of ``path``, innermost first, ending at the root ``""``."""
    parts = path.split("/")[:-1] if path else []
    return ["/".join(parts[:i]) for i in range(len(parts), -1, -1)] if path else []


def _join(group: str, name: str) -> str:
    return f"{group}/{name}" if group else name


def _is_numeric(dt: np.dtype) -> bool:
    return dt.kind in "biuf"


def select_array(store: ArrayStore, name: str | None, tables: Sequence[str] = ()) -> str:
    """The path of the data array: ``name``, or the only 2-D/3-D numeric array.

    ``tables`` are further candidates that are not arrays (pandas tables in HDF5).
    """
    if name is not None:
        key = name.strip("/")
        if key in tables:
            return key
        if key in store.arrays:
            shape, dt = store.arrays[key]
            if not _is_numeric(dt):
                raise DataFormatError(
                    f"{store.where}: {store.kind} {show(key)!r} holds {dt} values; the samples must "
                    f"be numbers. {store.kind.capitalize()}s in the {store.container}: {store.listing()}."
                )
            if len(shape) not in (1, 2, 3):
                raise DataFormatError(
                    f"{store.where}: {store.kind} {show(key)!r} has shape {shape!r}; expected 2-D "
                    "(n_series, n_times), 3-D (n_series, n_channels, n_times) or 1-D (one series)."
                )
            return key
        if key in store.groups or key == "":
            inside = sorted(show(p) for p in store.arrays if p.startswith(key + "/") or key == "")
            raise DataFormatError(
                f"{store.where}: {store.option}={name!r} is a group, not {store.a_kind}; "
                f"{store.kind}s inside it: {inside[:20]!r}."
            )
        raise DataFormatError(
            f"{store.where}: there is no {store.kind} {show(key)!r}; {store.kind}s in the {store.container}: "
            f"{store.listing()}."
        )
    candidates = [
        p for p, (shape, dt) in store.arrays.items() if len(shape) in (2, 3) and _is_numeric(dt)
    ] + list(tables)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise DataFormatError(
            f"{store.where}: found no 2-D or 3-D numeric {store.kind} to read as series; "
            f"{store.kind}s in the {store.container}: {store.listing()}. Name one with {store.option}=."
        )
    raise DataFormatError(
        f"{store.where}: several {store.kind}s could hold the series: "
        f"{sorted(show(c) for c in candidates)!r}; choose one with {store.option}=."
    )


def find_aux(
    store: ArrayStore, data_path: str, name: str | bool | None, auto: Sequence[str], option: str
) -> tuple[Any, str] | None:
    """Find the ids, labels or fs of the data array: a named or usual-named array or attribute.

    A ``name`` is looked up as an array relative to the data array's group, then
    from the root, then as an attribute of the data array and of each enclosing
    group. Without a name, the ``auto`` names are looked up as arrays beside the
    data array and as attributes. ``name=False``: not looked up. Returns
    ``(value, description)`` or None.
    """
    if name is False:
        return None
    if name is not None and not isinstance(name, str):
        raise ValidationError(
            f"{store.where}: {option}={name!r} should be the name of {store.a_kind} or an "
            "attribute, None or False."
        )
    parent = _parents(data_path)[0] if data_path else ""
    holders = [data_path, *_parents(data_path)]
    if name is not None:
        key = name.strip("/")
        keys = [key] if name.startswith("/") else [_join(parent, key), key]
        for k in keys:
            if k in store.arrays and k != data_path:
                return store.read(k, ..., None), f"{store.kind} {show(k)!r}"
        for h in holders:
            attrs = store.attrs(h)
            if name in attrs:
                return attrs[name], f"attribute {name!r} of {show(h)!r}"
        found = sorted({a for h in holders for a in store.attrs(h)})
        raise DataFormatError(
            f"{store.where}: {option}={name!r} is neither {store.a_kind} nor an attribute of "
            f"{show(data_path)!r} or its groups; {store.kind}s: {store.listing()}; attributes: "
            f"{found[:20]!r}."
        )
    for n in auto:
        k = _join(parent, n)
        if k in store.arrays and k != data_path:
            return store.read(k, ..., None), f"{store.kind} {show(k)!r}"
        for h in holders:
            attrs = store.attrs(h)
            if n in attrs:
                return attrs[n], f"attribute {n!r} of {show(h)!r}"
    return None


def _per_series(
    store: ArrayStore, found: tuple[Any, str] | None, n: int, option: str, explicit: bool
) -> np.ndarray | None:
    """Ids or labels, one per series; an auto-found value of the wrong size is ignored."""
    if found is None:
        return None
    value, what = found
    a = np.asarray(value)
    if a.shape != (n,):
        msg = (
            f"{store.where}: {what} has shape {a.shape!r} but there are {n} series; "
            f"{option} needs one value per series."
        )
        if explicit:
            raise DataFormatError(msg)
        warnings.warn(
            msg + f" It is ignored; name another with {option}=, or pass {option}=False.",
            UserWarning,
            stacklevel=4,
        )
        return None
    return a


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as Python values, for readable messages."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value


def _fs_value(store: ArrayStore, found: tuple[Any, str] | None, n: int) -> float | np.ndarray | None:
    if found is None:
        return None
    value, what = found
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        a = None
    if a is None or a.shape not in ((), (1,), (n,)) or not np.all(np.isfinite(a) & (a > 0)):
        raise DataFormatError(
            f"{store.where}: {what} should be the sampling rate in Hz (a positive number, or one "
            f"per series: shape ({n},)), found {_plain(value)!r}."
        )
    return float(a.reshape(-1)[0]) if a.size == 1 else a


@dataclass(frozen=True)
class ArrayPlan:
    """What to read from a store: the data array and what was found beside it."""

    path: str
    shape: tuple[int, ...]
    ids: np.ndarray | None
    labels: np.ndarray | None
    fs: float | np.ndarray | None
    channels: list[str] | None

    @property
    def n_series(self) -> int:
        return 1 if len(self.shape) == 1 else int(self.shape[0])


def plan_array(
    store: ArrayStore,
    path: str,
    *,
    labels: str | bool | None,
    ids: str | bool | None,
    fs_key: str | bool | None,
    fs: Any,
) -> ArrayPlan:
    """Find the ids, labels, fs and channel names of the data array at ``path``."""
    shape = store.arrays[path][0]
    n = 1 if len(shape) == 1 else int(shape[0])
    if n == 0 or shape[-1] == 0:
        raise DataFormatError(
            f"{store.where}: {store.kind} {show(path)!r} has shape {shape!r}: no samples to read."
        )
    id_values = _per_series(
        store, find_aux(store, path, ids, AUTO_ID_NAMES, "ids"), n, "ids", ids is not None
    )
    label_values = _per_series(
        store, find_aux(store, path, labels, AUTO_LABEL_NAMES, "labels"), n, "labels", labels is not None
    )
    found = find_aux(store, path, fs_key, AUTO_FS_NAMES, "fs_key")
    if found is not None:
        fs = _merge_fs(fs, _fs_value(store, found, n), found[1], "fs_key=False", store.where)
    n_channels = shape[1] if len(shape) == 3 else 1
    channels = None
    names = store.attrs(path).get("channels")
    if names is not None:
        names = as_str_array(np.atleast_1d(np.asarray(names)))
        if len(names) == n_channels:
            channels = list(names)
        else:
            warnings.warn(
                f"{store.where}: attribute 'channels' of {show(path)!r} has {len(names)} names "
                f"but the data has {n_channels} channels; it is ignored.",
                UserWarning,
                stacklevel=3,
            )
    return ArrayPlan(
        path=path,
        shape=tuple(shape),
        ids=None if id_values is None else as_str_array(id_values),
        labels=None if label_values is None else decode_labels(label_values),
        fs=fs,
        channels=channels,
    )


def read_rows(store: ArrayStore, plan: ArrayPlan, start: int, stop: int, dtype: np.dtype | None) -> SignalSet:
    """Series ``start:stop`` of the plan's array (a 1-D array is one series)."""
    if len(plan.shape) == 1:
        data = store.read(plan.path, ..., dtype)[np.newaxis, np.newaxis, :]
    else:
        data = store.read(plan.path, slice(start, stop), dtype)
        if data.ndim == 2:
            data = data[:, np.newaxis, :]
    ids = plan.ids[start:stop] if plan.ids is not None else [str(i) for i in range(start, stop)]
    fs = plan.fs[start:stop] if isinstance(plan.fs, np.ndarray) else plan.fs
    return build_set(
        store.where,
        data,
        fs=fs,
        ids=ids,
        labels=None if plan.labels is None else plan.labels[start:stop],
        channels=plan.channels,
    )


def iter_rows(
    store: ArrayStore, plan: ArrayPlan, chunk_size: int | None, dtype: np.dtype | None
) -> Iterator[SignalSet]:
    """The plan's array in chunks of ``chunk_size`` series, each read by slicing."""
    n_times = plan.shape[-1]
    n_channels = plan.shape[1] if len(plan.shape) == 3 else 1
    itemsize = (dtype or store.arrays[plan.path][1]).itemsize
    size = chunk_size or default_chunk_size(n_times, n_channels, itemsize)
    for start in range(0, plan.n_series, size):
        yield read_rows(store, plan, start, min(start + size, plan.n_series), dtype)


# -- HDF5 --------------------------------------------------------------------------------------
def _text(v: Any) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


class _H5Store(ArrayStore):
    """An open h5py file; pandas groups are recorded as tables, not walked into."""

    kind = "dataset"
    a_kind = "a dataset"
    container = "file"
    option = "dataset"

    def __init__(self, f: Any, where: str) -> None:
        import h5py

        self._f = f
        self.where = where
        self.arrays = {}
        self.groups = set()
        self.tables: dict[str, int] = {}  # pandas DataFrame key -> number of rows
        self.other_pandas: dict[str, str] = {}  # other pandas objects -> pandas_type

        def walk(group: Any, prefix: str) -> None:
            for name in group:
                try:
                    obj = group.get(name)  # None for a dangling soft link
                except (KeyError, OSError):  # an external link whose file is missing
                    continue
                path = prefix + name
                if isinstance(obj, h5py.Dataset):
                    self.arrays[path] = (tuple(obj.shape), obj.dtype)
                elif isinstance(obj, h5py.Group):
                    ptype = obj.attrs.get("pandas_type")
                    if ptype is None:
                        self.groups.add(path)
                        walk(obj, path + "/")
                    elif _text(ptype) in _PANDAS_FRAMES:
                        rows = obj.get("table" if _text(ptype) == "frame_table" else "axis1")
                        self.tables[path] = int(rows.shape[0]) if rows is not None else 0
                    else:
                        self.other_pandas[path] = _text(ptype)

        walk(f, "")

    def attrs(self, path: str) -> Mapping[str, Any]:
        return self._f[path].attrs if path else self._f.attrs

    def describe(self) -> dict[str, str]:
        out = super().describe()
        out.update({show(k): f"pandas table, {n} rows" for k, n in self.tables.items()})
        out.update({show(k): f"pandas {t}" for k, t in self.other_pandas.items()})
        return dict(sorted(out.items()))

    def read(self, path: str, sel: Any, dtype: np.dtype | None) -> np.ndarray:
        ds = self._f[path]
        if dtype is not None and _is_numeric(ds.dtype):
            return np.asarray(ds.astype(dtype)[sel])  # converted by HDF5 while reading
        return np.asarray(ds[sel])

    def index_is_positional(self, key: str) -> bool:
        """True when a pandas table's index is 0, 1, 2, ... (then it carries no ids)."""
        group = self._f[key]
        if "table" in group:
            ds = group["table"]
            if ds.dtype.names is None or "index" not in ds.dtype.names:
                return False
            index = ds.fields("index")[:]
        elif "axis1" in group:
            index = group["axis1"][:]
        else:
            return False
        return index.dtype.kind in "iu" and np.array_equal(index, np.arange(len(index)))


def _open_h5(path: Path, where: str) -> Any:
    h5py = import_optional("h5py", purpose="Reading HDF5 files")
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise DataFormatError(f"{where}: not a readable HDF5 file ({err}).") from err


@dataclass(frozen=True)
class _TableRequest:
    """A pandas table in an HDF5 file, and how to read it."""

    key: str
    n_rows: int
    positional_index: bool
    where: str
    ids: str | bool | None
    labels: str | bool | None
    fs_key: str | bool | None
    fs: Any  # the caller's fs
    fs_attribute: tuple[Any, str] | None  # fs from an attribute of the table or its groups, described
    attributes: tuple[str, ...]  # the attributes looked at, for messages
    metadata_columns: Sequence[str] | None


def _choose(
    store: _H5Store,
    dataset: str | None,
    labels: str | bool | None,
    ids: str | bool | None,
    fs_key: str | bool | None,
    fs: Any,
    metadata_columns: Sequence[str] | None,
) -> ArrayPlan | _TableRequest:
    """Pick what to read: a dataset (an ArrayPlan) or a pandas table."""
    if dataset is not None and dataset.strip("/") in store.other_pandas:
        key = dataset.strip("/")
        raise DataFormatError(
            f"{store.where}: {show(key)!r} holds a pandas {store.other_pandas[key]!r}; wavelens "
            "reads pandas DataFrames (one row per series) and numeric datasets."
        )
    key = select_array(store, dataset, tables=list(store.tables))
    if key not in store.tables:
        if metadata_columns:
            raise ValidationError(
                f"{store.where}: metadata_columns applies to pandas tables, but {show(key)!r} is "
                "a dataset."
            )
        return plan_array(store, key, labels=labels, ids=ids, fs_key=fs_key, fs=fs)
    where = f"{store.where}, table {show(key)!r}"
    n_rows = store.tables[key]
    if n_rows == 0:
        raise DataFormatError(f"{where}: the table holds no rows.")
    # The table's columns are known once pandas reads it; attributes are known now.
    holders = [key, *_parents(key)]
    names = () if fs_key is False else (fs_key,) if fs_key is not None else AUTO_FS_NAMES
    fs_attribute = None
    for h in holders:
        attrs = store.attrs(h)
        name = next((n for n in names if n in attrs), None)
        if name is not None:
            what = f"attribute {name!r} of {show(h)!r}"
            fs_attribute = (_fs_value(store, (attrs[name], what), n_rows), what)
            break
    return _TableRequest(
        key=key,
        n_rows=n_rows,
        positional_index=store.index_is_positional(key),
        where=where,
        ids=ids,
        labels=labels,
        fs_key=fs_key,
        fs=fs,
        fs_attribute=fs_attribute,
        attributes=tuple(sorted({a for h in holders for a in store.attrs(h)})),
        metadata_columns=metadata_columns,
    )


def _frame_to_arrow(df: pd.DataFrame, positional: bool) -> tuple[Any, list[str]]:
    """A DataFrame as a pyarrow Table; a meaningful index becomes column(s)."""
    import pyarrow as pa

    if positional or isinstance(df.index, pd.RangeIndex):
        df = df.reset_index(drop=True)
        index_columns: list[str] = []
    else:
        before = set(df.columns)
        df = df.reset_index()
        index_columns = [c for c in df.columns if c not in before]
    df.columns = [str(c) for c in df.columns]
    return pa.Table.from_pandas(df, preserve_index=False), [str(c) for c in index_columns]


def _table_plan(req: _TableRequest, schema: Any, index_columns: list[str]) -> tuple[Any, Any]:
    """The wide-table plan of a pandas table, and the fs to pass with each chunk.

    The rate comes from a column (checked against the caller's fs chunk by chunk),
    else from an attribute (checked here), else from the caller.
    """
    fs_column: str | bool | None = None if req.fs_key is None else False
    if isinstance(req.fs_key, str):
        if req.fs_key in schema.names:
            fs_column = req.fs_key
        elif req.fs_attribute is None:
            raise DataFormatError(
                f"{req.where}: fs_key={req.fs_key!r} is neither a column of the table nor an "
                f"attribute of it or its groups; columns: {list(schema.names)[:20]!r}; attributes: "
                f"{list(req.attributes)[:20]!r}."
            )
    plan = wide_plan(
        schema,
        where=req.where,
        id_column=req.ids,
        label_column=req.labels,
        fs_column=fs_column,
        metadata_columns=req.metadata_columns,
        index_columns=index_columns,
        option_names=("ids", "labels", "fs_key"),
    )
    if plan.fs_column is None and req.fs_attribute is not None:
        value, what = req.fs_attribute
        return plan, _merge_fs(req.fs, value, what, "fs_key=False", req.where)
    return plan, req.fs


def _table_chunks(
    path: Path, req: _TableRequest, size: int, dtype: np.dtype | None
) -> Iterator[SignalSet]:
    import_optional("tables", purpose="Reading pandas tables from HDF5 files")
    plan = fs = None
    for start in range(0, req.n_rows, size):
        stop = min(start + size, req.n_rows)
        df = pd.read_hdf(path, key=req.key, start=start, stop=stop)
        table, index_columns = _frame_to_arrow(df, req.positional_index)
        if plan is None:
            plan, fs = _table_plan(req, table.schema, index_columns)
        chunk_fs = fs[start:stop] if isinstance(fs, np.ndarray) else fs
        yield wide_rows(plan, table, where=req.where, fs=chunk_fs, dtype=dtype, row_offset=start)


def read_hdf5(
    path: Path,
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    dataset: str | None = None,
    labels: str | bool | None = None,
    ids: str | bool | None = None,
    fs_key: str | bool | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> SignalSet:
    """Read series from an HDF5 file: a numeric dataset, or a pandas table.

    Parameters
    ----------
    path : pathlib.Path
        The ``.h5``/``.hdf5``/``.hdf``/``.he5`` file.
    fs : float, optional
        Sampling rate in Hz, for files that carry none. If the file gives one that
        disagrees (relative difference above 1e-6), :class:`ValidationError`; pass
        ``fs_key=False`` to ignore the file's rate.
    dtype : str or numpy dtype, default="float32"
        Float type of the samples (converted by HDF5 while reading); None keeps
        float32/float64 as stored and reads integers as float64.
    dataset : str, optional
        Path of the data inside the file (``"/group/signals"``): a numeric dataset
        of shape ``(n_series, n_times)``, ``(n_series, n_channels, n_times)`` or
        ``(n_times,)`` (one series), or the key of a pandas DataFrame. Default: the
        only 2-D/3-D numeric dataset or DataFrame in the file.
    labels : str or False, optional
        Where the class labels are: a dataset (relative to the data's group, or
        absolute), an attribute of the data or of an enclosing group, or for a
        pandas table a column; one value per series. Default: a dataset or
        attribute named ``"label"``/``"labels"`` beside the data (a column of that
        name in a table), if any. False: no labels.
    ids : str or False, optional
        Where the series ids are, as for ``labels``. Default: ``"id"``/``"ids"``
        beside the data; for a table, a column of that name or a non-trivial index;
        otherwise the row numbers. False: row numbers.
    fs_key : str or False, optional
        Where the sampling rate is, in Hz: a scalar or per-series dataset or
        attribute, or a table column. Default: a dataset or attribute named ``"fs"``,
        ``"sampling_rate"`` or ``"sample_rate"`` on/beside the data or on an
        enclosing group (for a table, also such a column). False: no rate from the file.
    metadata_columns : sequence of str, optional
        Pandas tables only: columns copied into ``SignalSet.metadata``.

    Returns
    -------
    SignalSet
        One series per row of the dataset (or table), in file order. An attribute
        ``channels`` on the dataset names its channels.

    Raises
    ------
    DataFormatError
        Not an HDF5 file; the dataset is missing (the message lists the datasets
        present), not numeric, or of the wrong shape; no or several candidate
        datasets; ids/labels/fs not found or of the wrong size; a table with
        non-numeric sample columns.
    ValidationError
        An ``fs`` that disagrees with the file's rate, ``metadata_columns`` for a
        dataset, or a non-float ``dtype``.
    MissingDependencyError
        h5py (or PyTables, for pandas tables) is not installed.

    Examples
    --------
    >>> import h5py, numpy as np, tempfile, os
    >>> from wavelens.io import load
    >>> p = os.path.join(tempfile.mkdtemp(), "x.h5")
    >>> with h5py.File(p, "w") as f:
    ...     f["signals"] = np.zeros((4, 3, 100))
    ...     f["labels"] = [0, 1, 0, 1]
    ...     f.attrs["fs"] = 250.0
    >>> s = load(p)
    >>> len(s), s.n_channels, s.fs, s.labels.tolist()
    (4, 3, 250.0, [0, 1, 0, 1])
    """
    where = repr(str(path))
    dt = _checked_dtype(dtype)
    with _open_h5(path, where) as f:
        store = _H5Store(f, where)
        choice = _choose(store, dataset, labels, ids, fs_key, fs, metadata_columns)
        if isinstance(choice, ArrayPlan):
            return read_rows(store, choice, 0, choice.n_series, dt)
    return next(_table_chunks(path, choice, choice.n_rows, dt))  # one chunk of every row


def iter_hdf5(
    path: Path,
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    dataset: str | None = None,
    labels: str | bool | None = None,
    ids: str | bool | None = None,
    fs_key: str | bool | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> Iterator[SignalSet]:
    """Yield an HDF5 file as SignalSets of at most ``chunk_size`` series.

    A dataset is read by slicing, ``chunk_size`` rows at a time, so it never has to
    fit in memory; a pandas table is read with ``pandas.read_hdf(start=, stop=)``.
    Parameters are those of :func:`read_hdf5`; ``chunk_size=None`` aims at about
    256 MiB of samples per chunk.

    Yields
    ------
    SignalSet
        Consecutive chunks whose concatenation equals :func:`read_hdf5`'s result.
    """
    where = repr(str(path))
    dt = _checked_dtype(dtype)
    with _open_h5(path, where) as f:
        store = _H5Store(f, where)
        choice = _choose(store, dataset, labels, ids, fs_key, fs, metadata_columns)
        if isinstance(choice, ArrayPlan):
            yield from iter_rows(store, choice, chunk_size, dt)
            return
    size = chunk_size or _table_chunk_rows(path, choice)
    yield from _table_chunks(path, choice, size, dt)


def _table_chunk_rows(path: Path, req: _TableRequest) -> int:
    """Rows per chunk for a pandas table: about DEFAULT_CHUNK_BYTES, from one row's width."""
    import_optional("tables", purpose="Reading pandas tables from HDF5 files")
    first = pd.read_hdf(path, key=req.key, start=0, stop=1)
    return default_chunk_size(max(first.shape[1], 1), 1, 8)


def sniff(path: Path) -> bool:
    """True for an HDF5 file: its signature at offset 0 or after a user block (512, 1024, 2048)."""
    if not path.is_file():
        return False
    size = path.stat().st_size
    with open(path, "rb") as fh:
        for offset in (0, 512, 1024, 2048):
            if offset + 8 > size:
                break
            fh.seek(offset)
            if fh.read(8) == _SIGNATURE:
                return True
    return False


register(
    Format(
        name="hdf5",
        extensions=(".h5", ".hdf5", ".hdf", ".he5"),
        read=read_hdf5,
        description="HDF5: a numeric dataset (h5py) or a pandas DataFrame (one row per series)",
        iter_chunks=iter_hdf5,
        sniff=sniff,
        options=("dataset", "labels", "ids", "fs_key", "metadata_columns"),
    )
)
