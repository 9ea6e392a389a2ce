"""Turning the contents of a ``.npy``/``.npz`` into series: samples, sampling rates,
axis layouts of plain arrays, and which field of a structured array is what."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._npyfile import _Header
from ._sampling import _check_rates, _merge_fs, _out_dtype

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
# Samples and sampling rate
# ---------------------------------------------------------------------------------
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
    a: np.ndarray, h: _Header, where: str, layout: Any, struct_opts: dict[str, Any]
) -> tuple[np.ndarray, _RecordPlan | None]:
    """The array as ``(n_series, n_channels, n_times)`` (plain) or 1-D records, and the plan.

    ``struct_opts`` holds the structured-array options (field, fs_field, interval_field,
    id_field, label_field); for a plain array any of them given is an error.
    """
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
