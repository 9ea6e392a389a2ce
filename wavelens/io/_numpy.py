"""Readers for NumPy ``.npy`` and ``.npz`` files, plain or structured (record) arrays.

Formats ``npy`` and ``npz``. Files are never unpickled (NumPy's
``allow_pickle=False``): an array of Python objects is refused with a message that
says how to convert it. The ``.npy`` header is parsed here rather than by
:func:`numpy.load`, so that a field whose type this platform's NumPy does not know
(the ``<f16`` long double of files written on x86-64 Linux cannot be read on
Windows or macOS/arm64) is skipped with a warning instead of making the whole file
unreadable, and so that a truncated file is reported with what is missing.

Plain arrays
    1-D ``(n_times,)`` is one series; 2-D ``(n_series, n_times)``; 3-D
    ``(n_series, n_channels, n_times)``. ``layout=`` names the axes of other
    arrangements, e.g. ``layout="times,series"`` or ``"series,times,channels"``.
Structured arrays
    One record per series. The samples are in one field holding a sub-array per
    record (``(n_times,)`` → one channel, ``(n_channels, n_times)`` → several) or in
    several fields of shape ``(n_times,)`` (one channel each). The sampling rate,
    ids and labels may come from scalar fields; every scalar field except the
    sample field(s) becomes a metadata column.
``.npz`` archives
    The data array is chosen by ``key=``; labels, ids and the sampling rate may come
    from other members (``y``/``labels``, ``ids``, ``fs``), and any other 1-D member
    with one value per series becomes a metadata column.
"""

from __future__ import annotations

import ast
import re
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._registry import Format, default_chunk_size, register

__all__ = ["read_npy", "read_npz", "iter_chunks_npy"]

_MAGIC = b"\x93NUMPY"
# NumPy refuses headers above 10 kB by default (literal_eval cost); a structured
# dtype with many fields can be larger, so allow more but not without bound.
_MAX_HEADER_BYTES = 2**20

_AXES = ("series", "channels", "times")
_DEFAULT_LAYOUTS = {
    1: ("times",),
    2: ("series", "times"),
    3: ("series", "channels", "times"),
}
# Field names recognised (case-insensitively) when fs_field / interval_field are not given.
_FS_NAMES = ("fs", "sample_rate", "samplerate", "sampling_rate", "sampling_frequency", "sr")
_INTERVAL_NAMES = (
    "sampleinterval",
    "sample_interval",
    "sampling_interval",
    "dt",
    "delta",
    "delta_t",
    "sample_period",
    "sampleperiod",
)
_DATA_KEYS = ("X", "data")
_LABEL_KEYS = ("y", "labels")
_ID_KEYS = ("ids",)
_FS_KEYS = ("fs",)
_SCALAR_KINDS = "biufcMmUS"


# ---------------------------------------------------------------------------------
# The .npy container: header, dtype, raw samples
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Header:
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    offset: int
    skipped: tuple[tuple[str, str], ...]  # (field, type code) this platform cannot read


def _pickle_refusal(where: str, what: str) -> DataFormatError:
    return DataFormatError(
        f"{where}: {what}, which could only be read by unpickling. wavelens never uses "
        "pickle (allow_pickle=False), because unpickling a file can run arbitrary code. "
        "Convert the data where it was made into a numeric array, e.g. "
        "np.save('series.npy', np.asarray(data, dtype=np.float64)); for series of unequal "
        "length, save one .npy file per series in a folder and load the folder."
    )


def _dtype_ok(code: str) -> bool:
    """True when this platform's NumPy understands the type code.

    ``'<f16'`` (long double) exists on x86-64 Linux but not on Windows or macOS/arm64.
    """
    try:
        np.dtype(code)
    except TypeError:
        return False
    return True


def _code_size(code: str, where: str) -> int:
    m = re.fullmatch(r"[<>|=]?[A-Za-z](\d+)", code)
    if m is None:
        raise DataFormatError(f"{where}: the header names the type {code!r}, which this platform cannot read.")
    return int(m.group(1))


def _replace_unreadable(items: list[Any], where: str, prefix: str, skipped: list[tuple[str, str]]) -> list[Any]:
    """A structured descr with the fields this platform cannot read turned into raw bytes."""
    out = []
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) < 2:
            raise DataFormatError(f"{where}: the .npy header has a malformed field description {item!r}.")
        name, code, *rest = item
        label = name[1] if isinstance(name, tuple) else name
        if isinstance(code, list):
            out.append((name, _replace_unreadable(code, where, f"{prefix}{label}.", skipped), *rest))
        elif isinstance(code, str) and not _dtype_ok(code):
            skipped.append((f"{prefix}{label}", code))
            out.append((name, f"|V{_code_size(code, where)}", *rest))
        else:
            out.append(tuple(item))
    return out


def _header_dtype(descr: Any, where: str) -> tuple[np.dtype, tuple[tuple[str, str], ...]]:
    if isinstance(descr, str) and not _dtype_ok(descr):
        raise DataFormatError(
            f"{where}: the samples have type {descr!r}, which this platform's NumPy cannot "
            "read (long double is not portable). Convert the file to float64 on the machine "
            "that wrote it: np.save(path, np.load(path).astype(np.float64))."
        )
    skipped: list[tuple[str, str]] = []
    if isinstance(descr, list):
        descr = _replace_unreadable(descr, where, "", skipped)
    try:
        dt = np.lib.format.descr_to_dtype(descr)
    except (TypeError, ValueError) as err:
        raise DataFormatError(f"{where}: the .npy header has an invalid dtype {descr!r} ({err}).") from err
    return dt, tuple(skipped)


def _parse_header(f: IO[bytes], where: str) -> _Header:
    """Read a .npy header from ``f``, leaving ``f`` at the first data byte."""
    magic = f.read(len(_MAGIC))
    if magic != _MAGIC:
        if magic[:1] == b"\x80":
            raise _pickle_refusal(where, "the file is a Python pickle, not a NumPy array")
        if not magic:
            raise DataFormatError(f"{where}: the file is empty (0 bytes); expected a NumPy .npy array.")
        raise DataFormatError(
            f"{where}: not a NumPy .npy file: it starts with {magic!r} instead of the .npy "
            f"magic string {_MAGIC!r}. Save arrays with numpy.save."
        )
    version = f.read(2)
    if len(version) < 2:
        raise DataFormatError(f"{where}: the file is truncated inside the .npy header.")
    major = version[0]
    if major == 1:
        size_fmt, encoding = "<H", "latin1"
    elif major in (2, 3):
        size_fmt, encoding = "<I", "latin1" if major == 2 else "utf8"
    else:
        raise DataFormatError(
            f"{where}: .npy format version {major}.{version[1]} is not known (1.0 to 3.0 are)."
        )
    size_bytes = f.read(struct.calcsize(size_fmt))
    if len(size_bytes) < struct.calcsize(size_fmt):
        raise DataFormatError(f"{where}: the file is truncated inside the .npy header.")
    (header_len,) = struct.unpack(size_fmt, size_bytes)
    if header_len > _MAX_HEADER_BYTES:
        raise DataFormatError(
            f"{where}: the .npy header claims {header_len} bytes (more than {_MAX_HEADER_BYTES}); "
            "the file is corrupt."
        )
    raw = f.read(header_len)
    if len(raw) < header_len:
        raise DataFormatError(f"{where}: the file is truncated inside the .npy header.")
    try:
        header = ast.literal_eval(raw.decode(encoding))
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError) as err:
        raise DataFormatError(f"{where}: the .npy header is corrupt ({err}).") from err
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= set(header):
        raise DataFormatError(
            f"{where}: the .npy header is corrupt: expected a dict with 'descr', 'fortran_order' "
            f"and 'shape', found {header!r}."
        )
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise DataFormatError(f"{where}: the .npy header has an invalid shape {shape!r}.")
    dt, skipped = _header_dtype(header["descr"], where)
    if dt.hasobject:
        raise _pickle_refusal(where, f"the array has dtype {dt.descr!r}, which holds Python objects")
    return _Header(dt, shape, bool(header["fortran_order"]), f.tell(), skipped)


def _n_items(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=np.int64)) if shape else 1


def _check_not_empty(h: _Header, where: str) -> None:
    if _n_items(h.shape) == 0:
        raise DataFormatError(f"{where}: the array is empty (shape {h.shape!r}); it holds no series.")


def _truncated(where: str, h: _Header, have: int) -> DataFormatError:
    need = _n_items(h.shape) * h.dtype.itemsize
    return DataFormatError(
        f"{where}: the file is truncated: its header promises shape {h.shape!r} of dtype "
        f"{h.dtype.str if h.dtype.names is None else 'structured'} ({need} bytes of data), but "
        f"only {have} bytes follow the header. Re-copy or re-save the file."
    )


def _open_npy(path: Path, *, mmap: bool) -> tuple[np.ndarray, _Header]:
    """The array of a .npy file, memory-mapped (read-only) or read into memory."""
    where = repr(str(path))
    try:
        with open(path, "rb") as f:
            h = _parse_header(f, where)
    except OSError as err:
        raise DataFormatError(f"{where}: cannot read the file ({err.strerror or err}).") from err
    _check_not_empty(h, where)
    n = _n_items(h.shape)
    have = path.stat().st_size - h.offset
    if have < n * h.dtype.itemsize:
        raise _truncated(where, h, have)
    order = "F" if h.fortran_order else "C"
    if mmap:
        a = np.memmap(path, dtype=h.dtype, mode="r", offset=h.offset, shape=h.shape, order=order)
    else:
        a = np.fromfile(path, dtype=h.dtype, count=n, offset=h.offset)
        a = a.reshape(h.shape, order=order)
    return a, h


def _read_member(zf: zipfile.ZipFile, member: str, where: str) -> tuple[np.ndarray, _Header]:
    try:
        with zf.open(member) as f:
            h = _parse_header(f, where)
            _check_not_empty(h, where)
            need = _n_items(h.shape) * h.dtype.itemsize
            raw = f.read(need)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
        raise DataFormatError(f"{where}: the archive member is corrupt ({err}).") from err
    if len(raw) < need:
        raise _truncated(where, h, len(raw))
    a = np.frombuffer(raw, dtype=h.dtype, count=_n_items(h.shape))
    return a.reshape(h.shape, order="F" if h.fortran_order else "C"), h


def _member_header(zf: zipfile.ZipFile, member: str, where: str) -> _Header:
    try:
        with zf.open(member) as f:
            return _parse_header(f, where)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
        raise DataFormatError(f"{where}: the archive member is corrupt ({err}).") from err


def _warn_skipped(h: _Header, where: str) -> None:
    for name, code in h.skipped:
        warnings.warn(
            f"{where}: field {name!r} has type {code!r} (long double), which this platform's "
            "NumPy cannot read; the field is skipped. Convert it to float64 on a machine that "
            "reads it (e.g. x86-64 Linux) to keep it.",
            UserWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------------------
# Samples and sampling rate
# ---------------------------------------------------------------------------------
def _out_dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise ValidationError(f"dtype={dtype!r} is not a NumPy dtype; use 'float32' or 'float64'.") from err
    if dt.kind != "f":
        raise ValidationError(f"dtype={dtype!r} is not a floating-point type; use 'float32' or 'float64'.")
    return dt


def _samples(x: np.ndarray, dtype: Any, where: str) -> np.ndarray:
    """A C-ordered copy of ``x`` (never a view of a memory map) with the output dtype."""
    kind = x.dtype.kind
    if kind not in "biuf":
        what = "complex" if kind == "c" else "non-numeric"
        raise DataFormatError(
            f"{where}: the samples are {what} (dtype {x.dtype.str!r}); expected real numbers. "
            + ("Take the real part or the magnitude and save again." if kind == "c" else "")
        )
    dt = _out_dtype(dtype)
    if dt is None:
        dt = x.dtype if x.dtype in (np.dtype(np.float32), np.dtype(np.float64)) else np.dtype(np.float64)
    return np.array(x, dtype=dt, order="C", copy=True)


def _fs_text(fs: Any) -> str:
    a = np.atleast_1d(np.asarray(fs, dtype=np.float64))
    lo, hi = float(a.min()), float(a.max())
    return f"{lo:g}" if np.isclose(lo, hi, rtol=1e-9, atol=0) else f"{lo:g}..{hi:g}"


def _merge_fs(user_fs: Any, file_fs: np.ndarray | None, source: str, switch: str, where: str) -> Any:
    """The file's sampling rate, checked against one the user gave."""
    if file_fs is None:
        return user_fs
    if user_fs is None:
        return file_fs
    try:
        u = np.asarray(user_fs, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"fs={user_fs!r} is not a number in Hz.") from err
    if not np.allclose(file_fs, u, rtol=1e-6, atol=0):
        raise ValidationError(
            f"{where}: fs={user_fs!r} was given, but {source} says fs={_fs_text(file_fs)} Hz. "
            f"Drop fs= to use the file's rate, or pass {switch} to ignore it."
        )
    return file_fs


def _check_rates(fs: np.ndarray, where: str, source: str, start: int) -> np.ndarray:
    bad = np.flatnonzero(~(np.isfinite(fs) & (fs > 0)))
    if bad.size:
        i = int(bad[0])
        raise DataFormatError(
            f"{where}: {source} gives fs={float(fs[i])!r} Hz for series {start + i}; expected a "
            "positive finite rate."
        )
    return fs


# ---------------------------------------------------------------------------------
# Plain arrays: layout
# ---------------------------------------------------------------------------------
def _parse_layout(layout: Any, shape: tuple[int, ...], where: str) -> tuple[str, ...]:
    ndim = len(shape)
    if layout is None:
        if ndim not in _DEFAULT_LAYOUTS:
            raise DataFormatError(
                f"{where}: a {ndim}-D array of shape {shape!r} is not a collection of series; "
                "expected 1-D (n_times,), 2-D (n_series, n_times) or 3-D (n_series, n_channels, "
                "n_times). Pass layout= naming its axes, e.g. layout='series,times,channels'."
            )
        return _DEFAULT_LAYOUTS[ndim]
    if isinstance(layout, str):
        axes = tuple(a.strip() for a in layout.split(","))
    elif isinstance(layout, (tuple, list)) and all(isinstance(a, str) for a in layout):
        axes = tuple(layout)
    else:
        raise ValidationError(
            f"layout={layout!r} must be a string of comma-separated axis names such as "
            "'series,channels,times'."
        )
    unknown = [a for a in axes if a not in _AXES]
    if unknown or len(set(axes)) != len(axes) or "times" not in axes:
        raise ValidationError(
            f"layout={layout!r} must name each axis once, using {list(_AXES)!r}, and include "
            "'times'."
        )
    if len(axes) != ndim:
        raise ValidationError(
            f"{where}: layout={layout!r} names {len(axes)} axes but the array has shape "
            f"{shape!r} ({ndim} axes)."
        )
    return axes


def _arrange(a: np.ndarray, axes: Sequence[str]) -> np.ndarray:
    """A view of ``a`` as ``(n_series, n_channels, n_times)``."""
    b = a.transpose([axes.index(n) for n in _AXES if n in axes])
    if "series" not in axes:
        b = b[np.newaxis]
    if "channels" not in axes:
        b = b[:, np.newaxis]
    return b


# ---------------------------------------------------------------------------------
# Structured arrays: which field is what
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _RecordPlan:
    fields: tuple[str, ...]  # the sample field(s)
    axes: tuple[str, ...]  # layout of rec[field] (records first); unused for several fields
    fs_field: str | None
    fs_is_interval: bool
    fs_explicit: bool
    id_field: str | None
    id_explicit: bool
    label_field: str | None
    meta_fields: tuple[str, ...]


def _describe_fields(dt: np.dtype, skipped: Sequence[str] = ()) -> str:
    parts = []
    for name in dt.names:
        fdt = dt.fields[name][0]
        if name in skipped:
            parts.append(f"{name} (skipped: long double)")
        elif fdt.shape:
            parts.append(f"{name} ({fdt.base.str} {fdt.shape})")
        else:
            parts.append(f"{name} ({fdt.str})")
    return ", ".join(parts)


def _field_dtype(dt: np.dtype, name: str) -> np.dtype:
    return dt.fields[name][0]


def _require_field(dt: np.dtype, name: Any, option: str, where: str, skipped: Sequence[str]) -> str:
    if not isinstance(name, str):
        raise ValidationError(f"{option}={name!r} must be a field name (a string).")
    if name not in dt.names:
        raise ValidationError(
            f"{where}: {option}={name!r} is not a field of the array; its fields are: "
            f"{_describe_fields(dt, skipped)}."
        )
    if name in skipped:
        raise ValidationError(
            f"{where}: {option}={name!r} names a long-double field that this platform cannot read."
        )
    return name


def _is_scalar_field(dt: np.dtype, name: str) -> bool:
    fdt = _field_dtype(dt, name)
    return not fdt.shape and fdt.names is None and fdt.kind in _SCALAR_KINDS


def _require_scalar(dt: np.dtype, name: str, option: str, where: str, numeric: bool) -> None:
    fdt = _field_dtype(dt, name)
    ok = _is_scalar_field(dt, name) and (not numeric or fdt.kind in "biuf")
    if not ok:
        want = "one number per record" if numeric else "one value per record"
        raise ValidationError(
            f"{where}: {option}={name!r} must hold {want}, but the field has type "
            f"{fdt.base.str} with shape {fdt.shape!r}."
        )


def _find_named(dt: np.dtype, candidates: Sequence[str], numeric: bool, skipped: Sequence[str]) -> str | None:
    by_lower = {n.lower(): n for n in dt.names if n not in skipped}
    for cand in candidates:
        name = by_lower.get(cand)
        if name is not None and _is_scalar_field(dt, name):
            if not numeric or _field_dtype(dt, name).kind in "biuf":
                return name
    return None


def _plan_records(
    dt: np.dtype,
    n_records: int,
    where: str,
    skipped: Sequence[str],
    *,
    field: Any,
    layout: Any,
    fs_field: Any,
    interval_field: Any,
    id_field: Any,
    label_field: Any,
) -> _RecordPlan:
    # -- the sample field(s)
    if field is None:
        cands = [
            n
            for n in dt.names
            if n not in skipped and _field_dtype(dt, n).shape and _field_dtype(dt, n).base.kind in "biuf"
        ]
        if len(cands) != 1:
            how = "no field holds" if not cands else f"{len(cands)} fields ({cands!r}) hold"
            raise ValidationError(
                f"{where}: cannot tell which field holds the samples: {how} an array of numbers "
                f"per record. Fields: {_describe_fields(dt, skipped)}. Pass field=NAME (or a list "
                "of names, one channel each)."
            )
        fields: tuple[str, ...] = (cands[0],)
    elif isinstance(field, str):
        fields = (_require_field(dt, field, "field", where, skipped),)
    elif isinstance(field, (list, tuple)) and field:
        fields = tuple(_require_field(dt, f, "field", where, skipped) for f in field)
    else:
        raise ValidationError(f"field={field!r} must be a field name or a non-empty list of field names.")
    for f in fields:
        fdt = _field_dtype(dt, f)
        if fdt.base.kind not in "biuf":
            raise ValidationError(
                f"{where}: field {f!r} has type {fdt.base.str!r}; the samples must be numbers."
            )
        if not fdt.shape:
            raise ValidationError(
                f"{where}: field {f!r} holds one value per record, not a waveform. Name the field "
                f"that holds an array per record; fields: {_describe_fields(dt, skipped)}."
            )
    if len(fields) > 1:
        if layout is not None:
            raise ValidationError(
                "layout= applies to one sample field; with several fields (one channel each) "
                "each field must have shape (n_times,)."
            )
        shapes = {_field_dtype(dt, f).shape for f in fields}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            desc = {f: _field_dtype(dt, f).shape for f in fields}
            raise ValidationError(
                f"{where}: with several sample fields, each must have the same shape (n_times,); "
                f"found {desc!r}."
            )
        axes: tuple[str, ...] = ("series", "channels", "times")
    else:
        fshape = (n_records,) + _field_dtype(dt, fields[0]).shape
        axes = _parse_layout(layout, fshape, f"{where}, field {fields[0]!r} (records first)")
        if axes[0] != "series":
            raise ValidationError(
                f"layout={layout!r}: in a structured array the records are the series, so the "
                "layout must start with 'series'."
            )

    # -- the sampling rate
    for opt, val in (("fs_field", fs_field), ("interval_field", interval_field)):
        if val is not None and val is not False and not isinstance(val, str):
            raise ValidationError(f"{opt}={val!r} must be a field name, None (detect) or False (none).")
    if isinstance(fs_field, str) and isinstance(interval_field, str):
        raise ValidationError(
            f"Pass fs_field={fs_field!r} or interval_field={interval_field!r}, not both."
        )
    fs_name: str | None = None
    is_interval = False
    explicit = False
    if isinstance(fs_field, str):
        fs_name, explicit = _require_field(dt, fs_field, "fs_field", where, skipped), True
        _require_scalar(dt, fs_name, "fs_field", where, numeric=True)
    elif isinstance(interval_field, str):
        fs_name, is_interval, explicit = (
            _require_field(dt, interval_field, "interval_field", where, skipped),
            True,
            True,
        )
        _require_scalar(dt, fs_name, "interval_field", where, numeric=True)
    elif fs_field is None and interval_field is None:
        fs_name = _find_named(dt, _FS_NAMES, True, skipped)
        if fs_name is None:
            fs_name = _find_named(dt, _INTERVAL_NAMES, True, skipped)
            is_interval = fs_name is not None

    # -- ids and labels
    id_name: str | None = None
    id_explicit = False
    if isinstance(id_field, str):
        id_name, id_explicit = _require_field(dt, id_field, "id_field", where, skipped), True
        _require_scalar(dt, id_name, "id_field", where, numeric=False)
    elif id_field is None:
        id_name = _find_named(dt, ("id",), False, skipped)
    elif id_field is not False:
        raise ValidationError(f"id_field={id_field!r} must be a field name, None (detect 'id') or False.")
    label_name: str | None = None
    if label_field is not None:
        label_name = _require_field(dt, label_field, "label_field", where, skipped)
        _require_scalar(dt, label_name, "label_field", where, numeric=False)

    meta = tuple(n for n in dt.names if n not in fields and n not in skipped and _is_scalar_field(dt, n))
    return _RecordPlan(fields, axes, fs_name, is_interval, explicit, id_name, id_explicit, label_name, meta)


def _column(values: np.ndarray) -> np.ndarray:
    """A metadata / label column: long double → float64, bytes → str, always a copy."""
    kind = values.dtype.kind
    if kind == "f" and values.dtype.itemsize > 8:
        return values.astype(np.float64)
    if kind == "c" and values.dtype.itemsize > 16:
        return values.astype(np.complex128)
    if kind == "S":
        return np.array([v.decode("utf-8", "replace") for v in values.tolist()], dtype=object)
    if kind == "U":
        return values.astype(object)
    return np.array(values)


def _as_ids(values: np.ndarray) -> np.ndarray:
    return np.array([str(v) for v in _column(values).tolist()], dtype=object)


def _duplicates(values: np.ndarray) -> list[Any]:
    uniq, counts = np.unique(_column(values), return_counts=True)
    return uniq[counts > 1][:3].tolist()


def _resolve_id_field(rec: np.ndarray, plan: _RecordPlan, where: str) -> _RecordPlan:
    """Drop an auto-detected id field whose values repeat; refuse a named one that does."""
    if plan.id_field is None:
        return plan
    dup = _duplicates(rec[plan.id_field])
    if not dup:
        return plan
    if plan.id_explicit:
        raise ValidationError(
            f"{where}: id_field={plan.id_field!r} does not identify the records: values repeat, "
            f"e.g. {dup!r}. Choose a unique field or pass id_field=False for row numbers."
        )
    return replace(plan, id_field=None)


@dataclass
class _Parts:
    data: np.ndarray
    fs: np.ndarray | None
    fs_source: str | None
    fs_switch: str
    fs_explicit: bool
    ids: np.ndarray | None
    ids_explicit: bool
    labels: np.ndarray | None
    metadata: pd.DataFrame
    channels: list[str] | None


def _record_parts(rec: np.ndarray, plan: _RecordPlan, start: int, dtype: Any, where: str) -> _Parts:
    if len(plan.fields) == 1:
        f = plan.fields[0]
        data = _samples(_arrange(rec[f], plan.axes), dtype, f"{where}, field {f!r}")
        channels = None
    else:
        data = np.stack(
            [_samples(rec[f], dtype, f"{where}, field {f!r}") for f in plan.fields], axis=1
        )
        channels = list(plan.fields)
    fs = None
    source = None
    if plan.fs_field is not None:
        v = rec[plan.fs_field].astype(np.float64)
        with np.errstate(divide="ignore"):
            fs = 1.0 / v if plan.fs_is_interval else v
        kind = "interval_field" if plan.fs_is_interval else "fs_field"
        source = f"the {kind} {plan.fs_field!r}"
        fs = _check_rates(fs, where, source, start)
    ids = _as_ids(rec[plan.id_field]) if plan.id_field is not None else None
    labels = _column(rec[plan.label_field]) if plan.label_field is not None else None
    meta = pd.DataFrame({n: _column(rec[n]) for n in plan.meta_fields}, index=pd.RangeIndex(len(rec)))
    return _Parts(
        data=data,
        fs=fs,
        fs_source=source,
        fs_switch="fs_field=False",
        fs_explicit=plan.fs_explicit,
        ids=ids,
        ids_explicit=plan.id_explicit,
        labels=labels,
        metadata=meta,
        channels=channels,
    )


def _plain_parts(view: np.ndarray, dtype: Any, where: str) -> _Parts:
    return _Parts(
        data=_samples(view, dtype, where),
        fs=None,
        fs_source=None,
        fs_switch="",
        fs_explicit=False,
        ids=None,
        ids_explicit=False,
        labels=None,
        metadata=pd.DataFrame(index=pd.RangeIndex(len(view))),
        channels=None,
    )


def _to_set(parts: _Parts, fs: Any, start: int, where: str) -> SignalSet:
    n = parts.data.shape[0]
    if parts.data.shape[2] == 0:
        raise DataFormatError(f"{where}: the series have no samples (n_times=0).")
    ids = parts.ids if parts.ids is not None else [str(start + i) for i in range(n)]
    rate = _merge_fs(fs, parts.fs, parts.fs_source or "", parts.fs_switch, where)
    return SignalSet(
        parts.data,
        fs=rate,
        ids=ids,
        channels=parts.channels,
        labels=parts.labels,
        metadata=parts.metadata,
    )


def _prepare(
    a: np.ndarray,
    h: _Header,
    where: str,
    *,
    layout: Any,
    field: Any,
    fs_field: Any,
    interval_field: Any,
    id_field: Any,
    label_field: Any,
) -> tuple[np.ndarray, _RecordPlan | None]:
    """The array as ``(n_series, n_channels, n_times)`` (plain) or 1-D records, and the plan."""
    struct_opts = {
        "field": field,
        "fs_field": fs_field,
        "interval_field": interval_field,
        "id_field": id_field,
        "label_field": label_field,
    }
    if a.dtype.names is None:
        given = [k for k, v in struct_opts.items() if v is not None]
        if given:
            raise ValidationError(
                f"{where}: option(s) {given!r} apply to structured arrays, but this array is a "
                f"plain {a.dtype.str!r} array of shape {a.shape!r}."
            )
        axes = _parse_layout(layout, a.shape, where)
        return _arrange(a, axes), None
    if a.ndim > 1:
        raise DataFormatError(
            f"{where}: a structured array must be 1-D (one record per series); found shape "
            f"{a.shape!r}."
        )
    rec = a.reshape(1) if a.ndim == 0 else a
    skipped = [name for name, _ in h.skipped]
    plan = _plan_records(a.dtype, len(rec), where, skipped, layout=layout, **struct_opts)
    return rec, _resolve_id_field(rec, plan, where)


def _series_shape(arr: np.ndarray, plan: _RecordPlan | None) -> tuple[int, int]:
    """``(n_channels, n_times)`` of every series, from the shapes alone (nothing is read)."""
    if plan is None:
        return int(arr.shape[1]), int(arr.shape[2])
    if len(plan.fields) > 1:
        return len(plan.fields), int(arr.dtype.fields[plan.fields[0]][0].shape[0])
    shape = _arrange(arr[:1][plan.fields[0]], plan.axes).shape
    return int(shape[1]), int(shape[2])


def _parts(arr: np.ndarray, plan: _RecordPlan | None, start: int, dtype: Any, where: str) -> _Parts:
    if plan is None:
        return _plain_parts(arr, dtype, where)
    return _record_parts(arr, plan, start, dtype, where)


# ---------------------------------------------------------------------------------
# .npy
# ---------------------------------------------------------------------------------
def read_npy(
    path: Path,
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str | Sequence[str] | None = None,
    field: str | Sequence[str] | None = None,
    fs_field: str | bool | None = None,
    interval_field: str | bool | None = None,
    id_field: str | bool | None = None,
    label_field: str | None = None,
) -> SignalSet:
    """Read a NumPy ``.npy`` file, plain or structured, without unpickling.

    Parameters
    ----------
    path : pathlib.Path
        The ``.npy`` file.
    fs : float, optional
        Sampling rate in Hz. If the file has a rate field that disagrees (relative
        difference above 1e-6), :class:`ValidationError`; pass ``fs_field=False`` to
        ignore the field.
    dtype : str or numpy dtype, default="float32"
        Floating-point type of the samples; None keeps float32/float64 as stored.
    layout : str or sequence of str, optional
        The axes of the array (plain) or of the sample field with the records first
        (structured), named from ``"series"``, ``"channels"``, ``"times"``, e.g.
        ``"times,series"`` for columns of series. Default: ``"times"`` (1-D),
        ``"series,times"`` (2-D), ``"series,channels,times"`` (3-D).
    field : str or list of str, optional
        Structured arrays: the field holding the samples, ``(n_times,)`` or
        ``(n_channels, n_times)`` per record; or several ``(n_times,)`` fields, one
        channel each (channels are then named after the fields). Default: the only
        field holding a numeric sub-array.
    fs_field, interval_field : str or False, optional
        Structured arrays: the field holding the sampling rate in Hz, or the sample
        interval in seconds (``fs = 1 / interval``); one value per record. By default
        a field named (case-insensitively) ``fs``, ``sample_rate``, ``sampling_rate``,
        ``sr`` ..., else ``sampleinterval``, ``sample_interval``, ``dt`` ... is used.
        False for either: no rate from the file.
    id_field : str or False, optional
        Structured arrays: the field whose values (as strings) are the ids; they must
        be unique. Default: a field named ``id`` if its values are unique, else row
        numbers. False: row numbers.
    label_field : str, optional
        Structured arrays: the field holding one class label per record.

    Returns
    -------
    SignalSet
        ``(n_series, n_channels, n_times)`` samples of ``dtype``. Ids are the row
        numbers ``"0", "1", ...`` unless an id field is used. For structured arrays,
        every scalar field except the sample field(s) is also a metadata column
        (long doubles as float64, bytes decoded as UTF-8); sub-array fields other
        than the sample field are not read.

    Raises
    ------
    DataFormatError
        Not a ``.npy`` file, truncated, corrupt header, empty, an object array (needs
        pickle), non-numeric samples, or an invalid rate in the file.
    ValidationError
        A named field that the array lacks (the message lists its fields), an
        ambiguous sample field, a layout that does not fit, or an ``fs`` that
        disagrees with the file.

    Warns
    -----
    UserWarning
        A long-double (``<f16``) field that this platform's NumPy cannot read is
        skipped; the warning names it.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.npy"
    >>> np.save(p, np.zeros((5, 2, 100)))
    >>> read_npy(p, fs=100.0)
    SignalSet(n_series=5, n_channels=2, n_times=100, fs=100, dtype=float32)
    """
    path = Path(path)
    where = repr(str(path))
    a, h = _open_npy(path, mmap=False)
    _warn_skipped(h, where)
    arr, plan = _prepare(
        a,
        h,
        where,
        layout=layout,
        field=field,
        fs_field=fs_field,
        interval_field=interval_field,
        id_field=id_field,
        label_field=label_field,
    )
    return _to_set(_parts(arr, plan, 0, dtype, where), fs, 0, where)


def iter_chunks_npy(
    path: Path,
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str | Sequence[str] | None = None,
    field: str | Sequence[str] | None = None,
    fs_field: str | bool | None = None,
    interval_field: str | bool | None = None,
    id_field: str | bool | None = None,
    label_field: str | None = None,
) -> Iterator[SignalSet]:
    """Yield a ``.npy`` file as SignalSets of at most ``chunk_size`` series.

    The file is memory-mapped read-only; each chunk is copied out, so only one chunk
    is in memory at a time. Options as for :func:`read_npy`; joining the chunks gives
    what :func:`read_npy` returns (ids are global row numbers or the id field).

    Parameters
    ----------
    path : pathlib.Path
        The ``.npy`` file.
    chunk_size : int, optional
        Series per chunk; by default about ``DEFAULT_CHUNK_BYTES`` of samples.
    fs, dtype, layout, field, fs_field, interval_field, id_field, label_field
        As for :func:`read_npy`.

    Yields
    ------
    SignalSet
        Consecutive chunks of ``(n, n_channels, n_times)`` samples.
    """
    path = Path(path)
    where = repr(str(path))
    if chunk_size is not None and (not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1):
        raise ValidationError(f"chunk_size must be a positive integer, found {chunk_size!r}.")
    a, h = _open_npy(path, mmap=True)
    _warn_skipped(h, where)
    arr, plan = _prepare(
        a,
        h,
        where,
        layout=layout,
        field=field,
        fs_field=fs_field,
        interval_field=interval_field,
        id_field=id_field,
        label_field=label_field,
    )
    n = arr.shape[0]
    if chunk_size is None:
        out = _out_dtype(dtype)
        n_channels, n_times = _series_shape(arr, plan)
        chunk_size = default_chunk_size(n_times, n_channels, out.itemsize if out is not None else 8)
    for start in range(0, n, int(chunk_size)):
        block = arr[start : start + int(chunk_size)]
        yield _to_set(_parts(block, plan, start, dtype, where), fs, start, where)


# ---------------------------------------------------------------------------------
# .npz
# ---------------------------------------------------------------------------------
def _pick_key(option: str, value: Any, defaults: Sequence[str], keys: Sequence[str], where: str) -> str | None:
    if value is False:
        return None
    if value is None:
        return next((k for k in defaults if k in keys), None)
    if not isinstance(value, str):
        raise ValidationError(f"{option}={value!r} must be an array name in the archive, None or False.")
    if value not in keys:
        raise ValidationError(f"{where}: {option}={value!r} is not in the archive; its arrays are {list(keys)!r}.")
    return value


def read_npz(
    path: Path,
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    key: str | None = None,
    labels_key: str | bool | None = None,
    ids_key: str | bool | None = None,
    fs_key: str | bool | None = None,
    layout: str | Sequence[str] | None = None,
    field: str | Sequence[str] | None = None,
    fs_field: str | bool | None = None,
    interval_field: str | bool | None = None,
    id_field: str | bool | None = None,
    label_field: str | None = None,
) -> SignalSet:
    """Read a NumPy ``.npz`` archive without unpickling.

    Parameters
    ----------
    path : pathlib.Path
        The ``.npz`` file (``numpy.savez`` or ``numpy.savez_compressed``).
    fs : float, optional
        Sampling rate in Hz; if the archive also gives one and they disagree,
        :class:`ValidationError` (pass ``fs_key=False`` / ``fs_field=False`` to
        ignore the archive's).
    dtype : str or numpy dtype, default="float32"
        Floating-point type of the samples; None keeps float32/float64 as stored.
    key : str, optional
        The array holding the series. Default: the only array besides the label, id
        and rate arrays; else ``X``; else ``data``.
    labels_key, ids_key, fs_key : str or False, optional
        Arrays holding one label per series, one id per series (unique), and the
        sampling rate in Hz (a scalar or one per series). Defaults: ``y`` or
        ``labels``; ``ids``; ``fs`` — each if present. False: not read.
    layout, field, fs_field, interval_field, id_field, label_field
        As for :func:`read_npy`, applied to the ``key`` array. A field named with an
        ``*_field`` option wins over the matching array; an array wins over a field
        found by name.

    Returns
    -------
    SignalSet
        Ids are row numbers unless an ids array or id field gives them. Every other
        1-D array in the archive with one scalar per series becomes a metadata column
        named after it.

    Raises
    ------
    DataFormatError
        Not a zip archive, a corrupt or truncated member, an object array (needs
        pickle), or label/id/rate arrays whose shape does not match the series.
    ValidationError
        A named key that the archive lacks (the message lists its arrays), no way to
        tell the data array, or an ``fs`` that disagrees with the archive.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.npz"
    >>> np.savez(p, X=np.zeros((4, 50)), y=np.array(["a", "b", "a", "b"]), fs=50.0)
    >>> s = read_npz(p)
    >>> s.fs, s.labels.tolist()
    (50.0, ['a', 'b', 'a', 'b'])
    """
    path = Path(path)
    where = repr(str(path))
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        with open(path, "rb") as f:
            start = f.read(len(_MAGIC))
        if start == _MAGIC:
            raise DataFormatError(
                f"{where}: this is a single-array .npy file, not a .npz archive. Rename it to "
                ".npy or pass format='npy'."
            ) from err
        if start[:1] == b"\x80":
            raise _pickle_refusal(where, "the file is a Python pickle, not a NumPy archive") from err
        raise DataFormatError(
            f"{where}: not a NumPy .npz archive (not a readable zip file: {err}). Save archives "
            "with numpy.savez."
        ) from err
    except OSError as err:
        raise DataFormatError(f"{where}: cannot read the file ({err.strerror or err}).") from err
    with zf:
        members = {n[: -len(".npy")]: n for n in zf.namelist() if n.endswith(".npy")}
        keys = list(members)
        if not keys:
            raise DataFormatError(f"{where}: the archive holds no .npy array; it holds {zf.namelist()!r}.")
        lab_k = _pick_key("labels_key", labels_key, _LABEL_KEYS, keys, where)
        ids_k = _pick_key("ids_key", ids_key, _ID_KEYS, keys, where)
        fs_k = _pick_key("fs_key", fs_key, _FS_KEYS, keys, where)
        if key is not None:
            if not isinstance(key, str) or key not in members:
                raise ValidationError(f"{where}: key={key!r} is not in the archive; its arrays are {keys!r}.")
            data_k = key
            lab_k, ids_k, fs_k = (None if k == key else k for k in (lab_k, ids_k, fs_k))
        else:
            rest = [k for k in keys if k not in (lab_k, ids_k, fs_k)]
            if len(rest) == 1:
                data_k = rest[0]
            else:
                data_k = next((k for k in _DATA_KEYS if k in rest), None)
                if data_k is None:
                    raise ValidationError(
                        f"{where}: cannot tell which array holds the series: the archive holds "
                        f"{keys!r}. Pass key=NAME (or name it 'X' or 'data')."
                    )

        def member(k: str) -> tuple[np.ndarray, _Header]:
            return _read_member(zf, members[k], f"{where}, array {k!r}")

        a, h = member(data_k)
        dwhere = f"{where}, array {data_k!r}"
        _warn_skipped(h, dwhere)
        arr, plan = _prepare(
            a,
            h,
            dwhere,
            layout=layout,
            field=field,
            fs_field=fs_field,
            interval_field=interval_field,
            id_field=id_field,
            label_field=label_field,
        )
        parts = _parts(arr, plan, 0, dtype, dwhere)
        n = parts.data.shape[0]

        def per_series(k: str) -> np.ndarray:
            v, _ = member(k)
            if v.shape != (n,):
                raise DataFormatError(
                    f"{where}: array {k!r} has shape {v.shape!r}, but {data_k!r} holds {n} series; "
                    f"expected shape ({n},)."
                )
            if v.dtype.kind not in _SCALAR_KINDS:
                raise DataFormatError(f"{where}: array {k!r} has dtype {v.dtype.str!r}; expected scalars.")
            return v

        if lab_k is not None and parts.labels is None:
            parts.labels = _column(per_series(lab_k))
        if ids_k is not None and not parts.ids_explicit:
            ids = per_series(ids_k)
            dup = _duplicates(ids)
            if dup:
                raise DataFormatError(f"{where}: array {ids_k!r} holds repeated ids, e.g. {dup!r}.")
            parts.ids = _as_ids(ids)
        if fs_k is not None and not parts.fs_explicit:
            v, _ = member(fs_k)
            if v.dtype.kind not in "biuf" or v.size not in (1, n):
                raise DataFormatError(
                    f"{where}: array {fs_k!r} should hold the sampling rate in Hz, one number or one "
                    f"per series ({n}); found dtype {v.dtype.str!r}, shape {v.shape!r}."
                )
            rate = v.astype(np.float64).reshape(-1)
            parts.fs = _check_rates(np.broadcast_to(rate, (n,)).copy(), where, f"array {fs_k!r}", 0)
            parts.fs_source = f"the array {fs_k!r}"
            parts.fs_switch = "fs_key=False"
        used = {data_k, lab_k, ids_k, fs_k}
        for k in keys:
            if k in used or k in parts.metadata.columns:
                continue
            mh = _member_header(zf, members[k], f"{where}, array {k!r}")
            if mh.shape == (n,) and mh.dtype.kind in _SCALAR_KINDS and mh.dtype.names is None:
                parts.metadata[k] = _column(member(k)[0])
    return _to_set(parts, fs, 0, where)


register(
    Format(
        name="npy",
        extensions=(".npy",),
        read=read_npy,
        iter_chunks=iter_chunks_npy,
        description="NumPy .npy array, plain (1-D/2-D/3-D) or structured (one record per series)",
        options=("layout", "field", "fs_field", "interval_field", "id_field", "label_field"),
    )
)
register(
    Format(
        name="npz",
        extensions=(".npz",),
        read=read_npz,
        description="NumPy .npz archive: a data array plus optional labels (y), ids and fs arrays",
        options=(
            "key",
            "labels_key",
            "ids_key",
            "fs_key",
            "layout",
            "field",
            "fs_field",
            "interval_field",
            "id_field",
            "label_field",
        ),
    )
)
