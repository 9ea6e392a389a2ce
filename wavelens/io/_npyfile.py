"""The ``.npy`` container, read without :func:`numpy.load`: header, dtype, raw samples.

Parsing the header here lets a field whose type this platform's NumPy does not know
(the ``<f16`` long double of files written on x86-64 Linux) be skipped with a warning
instead of making the whole file unreadable, refuses anything that would need pickle,
and reports a truncated file with what is missing.
"""

from __future__ import annotations

import ast
import re
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..exceptions import DataFormatError

_MAGIC = b"\x93NUMPY"
# NumPy refuses headers above 10 kB by default (literal_eval cost); a structured
# dtype with many fields can be larger, so allow more but not without bound.
_MAX_HEADER_BYTES = 2**20

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


def _warn_skipped(h: _Header, where: str, stacklevel: int) -> None:
    """One warning naming the fields skipped; ``stacklevel`` counts from the reader function."""
    if not h.skipped:
        return
    names = [name for name, _ in h.skipped]
    codes = sorted({code for _, code in h.skipped})
    warnings.warn(
        f"{where}: field(s) {names!r} have type {', '.join(map(repr, codes))} (long double), "
        "which this platform's NumPy cannot read; they are skipped. Convert them to float64 on "
        "a machine that reads them (e.g. x86-64 Linux) to keep them.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
