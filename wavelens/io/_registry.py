"""The registry from format name to reader.

A reader module describes itself with a :class:`Format` and calls :func:`register`
when :mod:`wavelens.io` is imported. Readers import their heavy optional
dependencies inside their functions, so registering costs nothing.

Reader contract
---------------
``read(path, *, fs=None, dtype="float32", **options) -> SignalSet``
    ``path`` is a :class:`pathlib.Path` to one file (or one directory store, for
    zarr). ``fs`` supplies the sampling rate where the file carries none; where it
    carries one, a different ``fs`` is a ValidationError. ``options`` are the
    format's own keyword-only arguments; an unknown option is a clear error.
``iter_chunks(path, *, chunk_size=None, fs=None, dtype="float32", **options)``
    Optional. Yields SignalSets of at most ``chunk_size`` series (None: about
    ``DEFAULT_CHUNK_BYTES`` of samples each), never holding
    the whole file in memory.
``sniff(path) -> bool``
    Optional. True when the file is in this format although its extension says
    nothing (e.g. a miniSEED file without an extension).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError

# A chunk holds about this many bytes of samples unless chunk_size says otherwise.
DEFAULT_CHUNK_BYTES = 256 * 2**20


def default_chunk_size(n_times: int, n_channels: int = 1, itemsize: int = 4) -> int:
    """Series per chunk so that a chunk holds about ``DEFAULT_CHUNK_BYTES`` of samples."""
    return max(1, DEFAULT_CHUNK_BYTES // max(int(n_times) * int(n_channels) * int(itemsize), 1))


__all__ = ["Format", "register", "formats", "get_format", "detect_format"]


@dataclass(frozen=True)
class Format:
    """One file format wavelens reads.

    Attributes
    ----------
    name : str
        Short name used by ``load(..., format=name)`` and ``--format``.
    extensions : tuple of str
        Lower-case file suffixes, with the dot (``".npy"``).
    read : callable
        ``read(path, *, fs, dtype, **options) -> SignalSet``.
    description : str
        One line for ``wavelens inspect --formats`` and error messages.
    iter_chunks : callable, optional
        ``iter_chunks(path, *, chunk_size, fs, dtype, **options) -> Iterator[SignalSet]``.
    sniff : callable, optional
        ``sniff(path) -> bool`` for files whose extension is not in ``extensions``.
    is_directory_store : bool
        True for formats stored as a directory (zarr).
    one_series_per_file : bool
        True when a file holds one (possibly multichannel) series, so that a folder
        of such files is a collection with ids from the file names.
    reads_many : bool
        True when ``read`` also takes a list of paths and reads them together
        (seismic: one component per SAC file joins into one 3-channel series); the
        series' ids then come from the reader, not from the file names.
    """

    name: str
    extensions: tuple[str, ...]
    read: Callable[..., SignalSet]
    description: str
    iter_chunks: Callable[..., Iterator[SignalSet]] | None = None
    sniff: Callable[[Path], bool] | None = None
    is_directory_store: bool = False
    one_series_per_file: bool = False
    reads_many: bool = False
    options: tuple[str, ...] = field(default=())

    def call_read(self, path: Path, **kwargs: Any) -> SignalSet:
        _check_options(self, self.read, kwargs)
        return self.read(path, **kwargs)

    def call_iter_chunks(self, path: Path, **kwargs: Any) -> Iterator[SignalSet]:
        assert self.iter_chunks is not None
        _check_options(self, self.iter_chunks, kwargs)
        return self.iter_chunks(path, **kwargs)


_FORMATS: dict[str, Format] = {}


def _check_options(fmt: Format, func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        raise ValidationError(
            f"The {fmt.name!r} reader does not take option(s) {unknown!r}; it accepts "
            f"{sorted(accepted)!r}."
        )


def register(fmt: Format) -> Format:
    """Add a format to the registry (a later registration of the same name replaces it)."""
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """All registered formats, by name."""
    return dict(_FORMATS)


def get_format(name: str) -> Format:
    """The format called ``name``; an unknown name lists the known ones."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise ValidationError(
            f"Unknown format {name!r}; known formats: {sorted(_FORMATS)!r}."
        ) from None


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for ext in (".tar.gz",):
        if name.endswith(ext):
            return ext
    return path.suffix.lower()


def is_directory_store(path: Path) -> bool:
    """True when ``path`` is a directory that is itself one dataset (e.g. a zarr store)."""
    if not path.is_dir():
        return False
    suffix = _suffix(path)
    for fmt in _FORMATS.values():
        if fmt.is_directory_store and (
            suffix in fmt.extensions or (fmt.sniff is not None and fmt.sniff(path))
        ):
            return True
    return False


def detect_format(path: Path) -> Format:
    """Guess the format of ``path`` from its extension, then by sniffing its content."""
    suffix = _suffix(path)
    for fmt in _FORMATS.values():
        if suffix in fmt.extensions and (fmt.is_directory_store == path.is_dir()):
            return fmt
    for fmt in _FORMATS.values():
        if fmt.sniff is not None and fmt.is_directory_store == path.is_dir():
            try:
                if fmt.sniff(path):
                    return fmt
            except Exception:  # a sniffer that cannot read the file just says no
                continue
    known = sorted({e for f in _FORMATS.values() for e in f.extensions})
    raise DataFormatError(
        f"{str(path)!r}: cannot tell the format from the extension {suffix!r} or the content. "
        f"Known extensions: {known!r}; or pass format= (--format) with one of "
        f"{sorted(_FORMATS)!r}."
    )
