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

import zipfile
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._npyfile import (
    _MAGIC,
    _Header,
    _pickle_refusal,
    _open_npy,
    _read_member,
    _member_header,
    _warn_skipped,
)
from ._npyparts import (
    _DATA_KEYS,
    _LABEL_KEYS,
    _ID_KEYS,
    _FS_KEYS,
    _SCALAR_KINDS,
    _column,
    _as_ids,
    _duplicates,
    _to_set,
    _prepare,
    _series_shape,
    _parts,
)
from ._registry import Format, default_chunk_size, register
from ._sampling import _check_rates, _out_dtype

__all__ = ["read_npy", "read_npz", "iter_chunks_npy"]


# Warnings point at the user's call: reader <- Format.call_read <- load <- user, and
# iter_chunks_npy (a generator) <- io.iter_chunks (a generator) <- user.
_FROM_LOAD = 4
_FROM_ITER_CHUNKS = 3


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
    _warn_skipped(h, where, stacklevel=_FROM_LOAD)
    struct_opts = dict(
        field=field, fs_field=fs_field, interval_field=interval_field, id_field=id_field, label_field=label_field
    )
    arr, plan = _prepare(a, h, where, layout, struct_opts)
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
    _warn_skipped(h, where, stacklevel=_FROM_ITER_CHUNKS)
    struct_opts = dict(
        field=field, fs_field=fs_field, interval_field=interval_field, id_field=id_field, label_field=label_field
    )
    arr, plan = _prepare(a, h, where, layout, struct_opts)
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
        _warn_skipped(h, dwhere, stacklevel=_FROM_LOAD)
        struct_opts = dict(
            field=field, fs_field=fs_field, interval_field=interval_field, id_field=id_field, label_field=label_field
        )
        arr, plan = _prepare(a, h, dwhere, layout, struct_opts)
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
