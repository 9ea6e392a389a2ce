"""``load`` and ``iter_chunks``: one entry point for a file, a folder or a glob."""

from __future__ import annotations

import glob as _glob
import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._registry import Format, default_chunk_size, detect_format, get_format, is_directory_store

__all__ = ["load", "iter_chunks", "resolve_paths"]


_SKIP_NAMES = {".ds_store", "readme", "readme.md", "readme.txt", "license", "thumbs.db"}

Source = "str | os.PathLike[str] | Sequence[str | os.PathLike[str]]"


def _expand_one(source: str | os.PathLike[str]) -> tuple[list[Path], Path | None]:
    """Files named by one source, and the folder they were found under (for labels)."""
    text = os.fspath(source)
    if any(ch in text for ch in "*?["):
        matches = sorted(Path(p) for p in _glob.glob(text, recursive=True))
        matches = [p for p in matches if p.is_file() or is_directory_store(p)]
        if not matches:
            raise ValidationError(f"The pattern {text!r} matches no file.")
        return matches, None
    path = Path(text)
    if not path.exists():
        raise ValidationError(f"{text!r}: no such file or folder.")
    if path.is_dir() and not is_directory_store(path):
        files: list[Path] = []
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rootp = Path(root)
            for d in list(dirs):
                if is_directory_store(rootp / d):
                    files.append(rootp / d)
                    dirs.remove(d)
            for n in sorted(names):
                if n.startswith(".") or n.lower() in _SKIP_NAMES:
                    continue
                files.append(rootp / n)
        if not files:
            raise ValidationError(f"{text!r}: the folder holds no file.")
        return sorted(files), path
    return [path], None


def resolve_paths(source: Any) -> list[tuple[Path, Path | None]]:
    """Expand a path, folder, glob or list of them into ``(file, folder_root)`` pairs."""
    if isinstance(source, (str, os.PathLike)):
        sources = [source]
    else:
        sources = list(source)
        if not sources:
            raise ValidationError("No input given: the list of paths is empty.")
    out: list[tuple[Path, Path | None]] = []
    for s in sources:
        files, root = _expand_one(s)
        out.extend((f, root) for f in files)
    return out


def _pick_format(path: Path, format: str | None, from_folder: bool) -> Format | None:
    if format is not None:
        return get_format(format)
    try:
        return detect_format(path)
    except DataFormatError:
        if from_folder:
            return None  # a stray file in a data folder is skipped, not fatal
        raise


def _label_from_folder(path: Path | list[Path], root: Path | None) -> str | None:
    if isinstance(path, list):
        path = path[0]
    if root is None:
        return None
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else None


def _file_ids(pairs: list[tuple[Path, Path | None]]) -> list[str]:
    """A unique id per file: the path below its folder root (or the file stem),
    lengthened with parent folders where two files would otherwise share one."""
    def parts(path: Path, root: Path | None) -> tuple[str, ...]:
        rel = path.relative_to(root) if root is not None else path
        stem = rel.name if path.is_dir() else rel.stem
        if path.is_dir() and "." in stem:
            stem = stem.rsplit(".", 1)[0]
        return tuple(p for p in rel.parent.parts if p not in ("/", "")) + (stem,)

    full = [parts(p, r) for p, r in pairs]
    depth = [1 if r is None else len(f) for f, (_, r) in zip(full, pairs)]
    while True:
        ids = ["/".join(f[-d:]) for f, d in zip(full, depth)]
        seen: dict[str, list[int]] = {}
        for k, i in enumerate(ids):
            seen.setdefault(i, []).append(k)
        clashes = [k for ks in seen.values() if len(ks) > 1 for k in ks if depth[k] < len(full[k])]
        if not clashes:
            return ids
        for k in clashes:
            depth[k] += 1


def _retag(s: SignalSet, path: Path, root: Path | None, fmt: Format, file_id: str | None) -> SignalSet:
    """Give series from one of several files unique ids, a file column and folder labels.

    With several files, a series' id is ``"<file id>"`` when its format holds one
    series per file (WAV), else ``"<file id>:<id in the file>"`` — the same whether
    the file is loaded whole or in chunks.
    """
    meta = s.metadata.copy()
    if "file" not in meta.columns and not isinstance(path, list):
        meta.insert(0, "file", str(path))
    ids = s.ids
    if fmt.reads_many:
        # the reader named the series (e.g. by station and time); a folder label,
        # passed as file_id, keeps groups from different sub-folders apart
        if file_id is not None:
            ids = np.array([f"{file_id}/{i}" for i in ids], dtype=object)
    elif file_id is not None:
        if fmt.one_series_per_file and len(s) == 1:
            ids = np.array([file_id], dtype=object)
        else:
            ids = np.array([f"{file_id}:{i}" for i in ids], dtype=object)
    labels = s.labels
    folder_label = _label_from_folder(path, root)
    if labels is None and folder_label is not None:
        labels = np.array([folder_label] * len(s), dtype=object)
    return SignalSet(
        s.data,
        fs=s.fs,
        ids=ids,
        channels=s.channels,
        labels=labels,
        point_labels=s.point_labels,
        metadata=meta,
    )


def _plan_reads(source: Any, format: str | None) -> list[tuple[Format, Any, Path, Path | None, str | None]]:
    """What to read: ``(format, path or paths, first path, folder root, file id)``.

    Files of a format that ``reads_many`` are read together, one read per folder
    label (so labels from sub-folders survive); their ids come from the reader.
    """
    pairs = resolve_paths(source)
    file_ids = _file_ids(pairs) if len(pairs) > 1 else [None]
    plan: list[tuple[Format, Any, Path, Path | None, str | None]] = []
    groups: dict[tuple[str, Path | None, str | None], int] = {}
    for (path, root), fid in zip(pairs, file_ids):
        fmt = _pick_format(path, format, from_folder=root is not None)
        if fmt is None:
            continue
        if fmt.reads_many and len(pairs) > 1:
            label = _label_from_folder(path, root)
            key = (fmt.name, root, label)
            if key in groups:
                plan[groups[key]][1].append(path)
                continue
            groups[key] = len(plan)
            group = [path]
            # the group's list stands for "path": its series carry the reader's provenance
            plan.append((fmt, group, group, root, label))
            continue
        plan.append((fmt, path, path, root, fid))
    return plan


def load(
    source: Any,
    *,
    format: str | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    **options: Any,
) -> SignalSet:
    """Load series from a file, a folder, a glob or a list of them.

    Parameters
    ----------
    source : str, path, or list of them
        A file; a folder (read recursively, files of unknown format skipped; series
        in sub-folders get the sub-folder's name as label when the file carries
        none); a glob pattern (``"data/*.wav"``, ``"**"`` allowed); or a list of these.
    format : str, optional
        The format name (see :func:`wavelens.io.formats`); by default detected from
        the extension, then from the content.
    fs : float, optional
        Sampling rate in Hz, for formats that do not carry one. Where the file
        carries a rate, a different ``fs`` is an error (nothing is silently relabelled).
    dtype : str or numpy dtype, default="float32"
        Sample type of the result.
    **options
        The format's own options, e.g. ``field="wvfmdata"`` for structured NumPy
        arrays or ``label_column=1`` for text columns. An option the reader does not
        take is an error that lists the ones it does.

    Returns
    -------
    SignalSet
        One collection; from several files, series are concatenated in sorted path
        order, with ids ``"<file>"`` (one series per file) or ``"<file>:<id>"``.

    Examples
    --------
    >>> from wavelens.io import load
    >>> from wavelens.datasets import demo_path
    >>> s = load(demo_path())
    >>> s.n_channels
    1
    """
    sets = [
        _retag(fmt.call_read(target, fs=fs, dtype=dtype, **options), path, root, fmt, fid)
        for fmt, target, path, root, fid in _plan_reads(source, format)
    ]
    if not sets:
        raise ValidationError(
            f"{source!r}: no file in a known format was found. Pass format= to read others."
        )
    return SignalSet.concat(sets)


def iter_chunks(
    source: Any,
    *,
    chunk_size: int | None = None,
    format: str | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    **options: Any,
) -> Iterator[SignalSet]:
    """Yield a large input as SignalSets of at most ``chunk_size`` series each.

    Text rows, ``.npy`` (memory-mapped), zarr, HDF5 and Parquet files are read a
    block at a time, so a file larger than memory never has to fit in it. Other
    formats are read one file at a time and split.

    Parameters
    ----------
    source, format, fs, dtype, **options
        As for :func:`load`.
    chunk_size : int, optional
        Series per chunk. By default a chunk holds about 256 MiB of samples.

    Yields
    ------
    SignalSet
        Consecutive chunks, in the order :func:`load` would return the series.
    """
    if chunk_size is not None and (not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1):
        raise ValidationError(f"iter_chunks: chunk_size must be a positive integer, found {chunk_size!r}.")
    for fmt, target, path, root, fid in _plan_reads(source, format):
        if fmt.iter_chunks is not None:
            # chunk_size=None lets the reader choose (about DEFAULT_CHUNK_BYTES a chunk)
            for chunk in fmt.call_iter_chunks(target, chunk_size=chunk_size, fs=fs, dtype=dtype, **options):
                yield _retag(chunk, path, root, fmt, fid)
            continue
        s = _retag(fmt.call_read(target, fs=fs, dtype=dtype, **options), path, root, fmt, fid)
        size = chunk_size or default_chunk_size(int(s.lengths.max()), s.n_channels, s.dtype.itemsize)
        for start in range(0, len(s), size):
            yield s[start : start + size]
