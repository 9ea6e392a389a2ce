"""Text readers: one series per row (``text-rows``) or one series down the lines
(``text-columns``).

Formats
-------
``text``
    The format that detection picks for ``.csv .txt .tsv .dat .out .asc`` (by
    extension) and for files of other names that hold numbers (by content). Its
    ``layout="auto"`` option chooses between the two layouts below from the first
    data line: *columns* when it holds one field, or at most 8 fields in a file of
    at least ``max(16, 10 * fields)`` lines (a long recording with a few channels,
    such as the ECG files ``value,label``); *rows* otherwise (the helicopter files:
    61,440 values a line). Options that exist in one layout only decide it:
    ``id_column`` or ``ragged=True`` mean rows, ``time_column`` means columns.
``text-rows``, ``text-columns``
    The two layouts by name, to skip the guess. They are registered after ``text``
    with the same extensions, so detection always lands on ``text``.

A *rows* file gives a collection ``(n_series, 1, n_times)`` (or a ragged list with
``ragged=True``), with optional id and label columns. A *columns* file gives one
series, one channel per numeric column; an optional label column becomes
``point_labels`` (one int per sample) and an optional time column gives ``fs``.

Common rules: fields are separated by runs of blanks, or by one ``,`` ``\\t`` ``;``
(detected from the first data lines, or ``sep=``); blanks around fields, a UTF-8
byte-order mark, CRLF line ends, blank lines and ``#`` comments are allowed, as in
``numpy.loadtxt``; a first line with a field that is not a number (among its first
1,000 and its last) is a header.
Values are parsed to the correctly rounded float64 and then cast, so a file loads
to exactly ``numpy.loadtxt(path).astype(dtype)``; ``nan``, ``inf`` and
``infinity`` (any case, signed) are read as such and
:func:`~wavelens.data.check_collection` rejects them later. Text files carry no
sampling rate: ``fs`` comes from the ``fs=`` argument (or the time column).

Memory: the file is read in blocks (:mod:`wavelens.io._textparse`); the text is
never held whole. Rows of equal length go into one array reserved for an upper
bound on the number of lines (address space, not memory) and shrunk in place at
the end, so peak memory is the result plus an 8 MiB buffer; ragged rows are views
into one buffer per block.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._registry import Format, default_chunk_size, register

__all__ = ["read_text", "read_text_rows", "read_text_columns", "iter_text", "iter_text_rows", "sniff_text"]

EXTENSIONS = (".csv", ".txt", ".tsv", ".dat", ".out", ".asc")

_SNIFF_BYTES = 2**20
_BOM = b"\xef\xbb\xbf"
_SEP_NAMES = {0: "blanks", ord(","): "','", ord("\t"): "tabs", ord(";"): "';'"}
_NUMBER = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)",
    re.IGNORECASE | re.ASCII,
)
_MAX_COLUMNS_FIELDS = 8  # auto layout: more fields than this on a line means rows
_HEADER_FIELDS = 1000  # fields of the first line checked for a header (and the last)
_SPECIAL_NAMES = ("id_column", "label_column", "time_column")


def _tp() -> ModuleType:
    """The parsing machinery, imported on first use (numba is slow to import)."""
    from . import _textparse

    return _textparse


# -- options ----------------------------------------------------------------------
def _check_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValidationError(f"Text readers: dtype must be float32 or float64, found {dtype!r}.")
    return dt


def _check_char(value: Any, name: str) -> int:
    if not isinstance(value, str) or len(value) != 1 or not value.isascii():
        raise ValidationError(f"Text readers: {name} must be one ASCII character, found {value!r}.")
    if value in "0123456789.+-eE\n\r" or (name == "comments" and value in " \t"):
        raise ValidationError(
            f"Text readers: {name}={value!r} cannot be told apart from a number, a blank or a line end."
        )
    return ord(value)


_SEP_ALIASES = {"whitespace": " ", "space": " ", "tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


def _check_sep(sep: Any) -> int | None:
    """None (detect), 0 (runs of blanks) or the separator byte."""
    if sep is None:
        return None
    sep = _SEP_ALIASES.get(sep, sep) if isinstance(sep, str) else sep
    if sep == " ":
        return 0
    return _check_char(sep, "sep")


def _check_column(value: Any, name: str) -> int | str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    raise ValidationError(
        f"Text readers: {name} must be a column index (an int; negative counts from the end of the "
        f"line) or a header name (a str), found {value!r}."
    )


def _check_flag(value: Any, name: str, allow_none: bool = False) -> bool | None:
    if isinstance(value, bool) or (allow_none and value is None):
        return value
    allowed = "None, True or False" if allow_none else "True or False"
    raise ValidationError(f"Text readers: {name} must be {allowed}, found {value!r}.")


def _check_n_jobs(n_jobs: Any) -> int:
    if n_jobs is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    if isinstance(n_jobs, (int, np.integer)) and not isinstance(n_jobs, bool) and n_jobs >= 1:
        return int(n_jobs)
    raise ValidationError(f"Text readers: n_jobs must be None or a positive integer, found {n_jobs!r}.")


def _check_chunk_size(chunk_size: Any) -> int | None:
    if chunk_size is None or (
        isinstance(chunk_size, (int, np.integer)) and not isinstance(chunk_size, bool) and chunk_size >= 1
    ):
        return None if chunk_size is None else int(chunk_size)
    raise ValidationError(f"iter_chunks: chunk_size must be a positive integer, found {chunk_size!r}.")


# -- the first lines --------------------------------------------------------------
@dataclass
class _Plan:
    """What the first lines of a file say about the rest."""

    path: Path
    size: int
    data_start: int  # byte offset of the first data line
    lines_before: int  # file lines before it (blank, comment, header)
    sep: int  # separator byte, 0 for runs of blanks
    comment: int  # comment byte or -1
    header: list[str] | None
    n_fields: int  # fields on the first data line
    est_lines: float  # data lines in the file, estimated from the sample

    @property
    def name(self) -> str:
        return repr(str(self.path))

    @property
    def sep_name(self) -> str:
        return _SEP_NAMES.get(self.sep, repr(chr(self.sep)))


def _split(line: str, sep: int) -> list[str]:
    """Fields as the kernels see them: blanks are space, tab and CR only."""
    if sep == 0:
        return [t for t in line.replace("\t", " ").replace("\r", " ").split(" ") if t]
    return [t.strip(" \t\r") for t in line.split(chr(sep))]


def _strip_comment(line: str, comment: int) -> str:
    k = line.find(chr(comment)) if comment >= 0 else -1
    return line if k < 0 else line[:k]


def _detect_sep(lines: Sequence[str]) -> int:
    """The candidate that splits the lines into equally many fields (most, on a tie)."""
    best: tuple[tuple[bool, int], int] | None = None
    for cand in (",", "\t", ";"):
        counts = [ln.count(cand) for ln in lines]
        if counts[-1] == 0:
            continue
        key = (len(set(counts)) == 1, counts[-1])
        if best is None or key > best[0]:
            best = (key, ord(cand))
    return 0 if best is None else best[1]


def _all_numbers(tokens: Sequence[str]) -> bool:
    return all(_NUMBER.fullmatch(t) for t in tokens)


def _read_head(path: Path, size: int) -> bytes:
    """The start of the file: at least three lines, or the whole file."""
    with open(path, "rb") as f:
        head = f.read(min(size, _SNIFF_BYTES))
        while len(head) < size and head.count(b"\n") < 3:
            more = f.read(max(len(head), _SNIFF_BYTES))
            if not more:
                break
            head += more
    return head


def _plan(
    path: Path, *, sep: int | None, header: bool | None, comment: int, text_columns: Sequence[Any]
) -> _Plan:
    """Find the first data line, the separator and the header of ``path``.

    ``text_columns`` are the id/label/time options: columns that may hold text, so
    the header test skips them; a name among them implies a header.
    """
    try:
        size = path.stat().st_size
    except OSError as err:
        raise DataFormatError(f"{str(path)!r}: cannot read the file ({err}).") from err
    if size == 0:
        raise DataFormatError(f"{str(path)!r} is empty (0 bytes): there are no series to read.")
    head = _read_head(path, size)
    complete = len(head) == size
    pos = len(_BOM) if head.startswith(_BOM) else 0
    lines: list[tuple[int, str]] = []  # (byte offset, text) of lines with data
    while pos < len(head) and len(lines) < 3:
        nl = head.find(b"\n", pos)
        if nl < 0:
            if not complete:
                break  # the sample ends inside a line
            nl = len(head)
        raw = head[pos:nl]
        if b"\x00" in raw:
            line = head.count(b"\n", 0, pos) + 1
            raise DataFormatError(
                f"{str(path)!r}, line {line} holds NUL bytes: this is not a text file. Pass format= "
                "with its format."
            )
        text = _strip_comment(raw.decode("utf-8", errors="replace"), comment)
        if text.strip(" \t\r"):
            lines.append((pos, text))
        pos = nl + 1
    if not lines:
        raise DataFormatError(f"{str(path)!r} holds no data line ({size} bytes of blank or comment lines).")
    texts = [t for _, t in lines]
    if sep is None:
        sep = _detect_sep(texts[:2])
    first = _split(texts[0], sep)
    if header is None:
        if any(isinstance(c, str) for c in text_columns):
            header = True
        else:
            # the first fields decide (a header of 61,440 names has names up front)
            skip = {c if c >= 0 else c + len(first) for c in text_columns if isinstance(c, int)}
            some = [t for k, t in enumerate(first[:_HEADER_FIELDS]) if k not in skip]
            header = not _all_numbers(some + ([first[-1]] if len(first) - 1 not in skip else []))
    names = None
    if header:
        names = [t.strip("\"'") for t in first]
        if len(lines) < 2:
            raise DataFormatError(f"{str(path)!r} holds a header line and no data line after it.")
        lines, texts = lines[1:], texts[1:]
    data_pos = lines[0][0]
    sample = head[data_pos:] if complete else head[data_pos : head.rfind(b"\n") + 1]
    n_sample = sum(1 for ln in sample.split(b"\n") if ln.strip())  # blank lines are no samples
    est = float(n_sample) if complete else (size - data_pos) / max(len(sample), 1) * n_sample
    return _Plan(
        path=path,
        size=size,
        data_start=data_pos,
        lines_before=head.count(b"\n", 0, data_pos),
        sep=sep,
        comment=comment,
        header=names,
        n_fields=len(_split(texts[0], sep)),
        est_lines=est,
    )


def _make_plan(path: Path, sep: Any, header: Any, comments: Any, text_columns: Sequence[Any]) -> _Plan:
    return _plan(
        path,
        sep=_check_sep(sep),
        header=_check_flag(header, "header", allow_none=True),
        comment=-1 if comments is None else _check_char(comments, "comments"),
        text_columns=text_columns,
    )


def sniff_text(path: Path) -> bool:
    """True when ``path`` (of an unknown extension) starts with lines of numbers."""
    if path.is_dir():
        return False
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if not head or b"\x00" in head:
        return False
    try:
        text = head.removeprefix(_BOM).decode("ascii")
    except UnicodeDecodeError:
        return False
    lines = [ln for ln in text.split("\n")[:-1] if ln.strip() and not ln.lstrip().startswith("#")]
    data = lines[1:3] if len(lines) > 1 else lines
    if not data:
        return False
    fields = _split(data[0], _detect_sep(data))
    return bool(fields) and _all_numbers(fields)


# -- the reader -------------------------------------------------------------------
def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


class _Reader:
    """A plan, an engine and the special columns; turns engine errors into messages."""

    def __init__(
        self,
        plan: _Plan,
        n_jobs: Any,
        layout: str,
        specials: Sequence[Any],
        kinds: Sequence[str],
        ragged: bool,
    ) -> None:
        tp = _tp()
        self.plan = plan
        self.layout = layout
        self.raw = tuple(specials)
        nf = None if ragged else plan.n_fields
        sp = np.full(3, tp.NONE_COLUMN, dtype=np.int64)
        sp_span = np.full(3, -1, dtype=np.int64)
        sp_aux = np.full(3, -1, dtype=np.int64)
        for x, (col, kind) in enumerate(zip(specials, kinds)):
            if col is None:
                continue
            sp[x] = self._resolve(col, _SPECIAL_NAMES[x], nf)
            slots = sp_span if kind == "text" else sp_aux
            slots[x] = int((slots >= 0).sum())
        used = [int(s) for s in sp if s != tp.NONE_COLUMN]
        if len(set(used)) < len(used):
            named = {_SPECIAL_NAMES[x]: specials[x] for x in range(3) if specials[x] is not None}
            raise ValidationError(f"{plan.name}: {named!r} name the same column twice.")
        self.sp = sp
        self.n_span = int((sp_span >= 0).sum())
        self.n_aux = int((sp_aux >= 0).sum())
        self.n_special = len(used)
        self.engine = tp.Engine(plan.path, plan.data_start, plan.sep, plan.comment, _check_n_jobs(n_jobs))
        self.engine.set_specials(sp, sp_span, sp_aux)

    def _resolve(self, col: int | str, name: str, nf: int | None) -> int:
        """Field index of a special column (negative kept for ragged rows)."""
        plan = self.plan
        if isinstance(col, str):
            if plan.header is None or col not in plan.header:
                where = plan.header if plan.header is not None else "no header line"
                raise ValidationError(f"{plan.name}: {name}={col!r} names no column; the file has {where!r}.")
            return plan.header.index(col)
        if nf is None:
            return col
        k = col + nf if col < 0 else col
        if not 0 <= k < nf:
            raise ValidationError(
                f"{plan.name}: {name}={col!r} is out of range: line {plan.lines_before + 1} has {nf} "
                f"fields (valid: {-nf} .. {nf - 1})."
            )
        return k

    def __enter__(self) -> "_Reader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.engine.close()

    def blocks(self) -> Iterator[Any]:
        tp = _tp()
        try:
            yield from self.engine.blocks()
        except tp.ParseError as exc:  # a parse checked before its buffer is reused
            raise self.error(exc) from None

    def parse(self, blk: Any, sink: Any, lo: int, hi: int, row0: int) -> None:
        """Start a parse; its results (and errors) come with :meth:`sync`."""
        self.engine.parse(blk, sink, lo, hi, row0)

    def sync(self) -> None:
        tp = _tp()
        try:
            self.engine.sync()
        except tp.ParseError as exc:
            raise self.error(exc) from None

    def error(self, exc: Any) -> DataFormatError:
        tp = _tp()
        plan = self.plan
        where = f"{plan.name}, line {plan.lines_before + exc.line + 1}"
        first = plan.lines_before + 1
        if exc.code == tp.ERR_TOKEN:
            hint = "decimal numbers are expected (nan and inf allowed)"
            if "," in exc.token and plan.sep != ord(","):
                hint += "; decimal commas are not read, use '.'"
            return DataFormatError(
                f"{where}, column {exc.field + 1} (character {exc.char}): {exc.token!r} is not a number; "
                f"{hint}. Pass id_column= or label_column= for a column of names, header=True for a header "
                f"line, or sep= if fields are not separated by {plan.sep_name}."
            )
        if exc.code == tp.ERR_EMPTY:
            return DataFormatError(
                f"{where}, column {exc.field + 1}: empty field (a separator {plan.sep_name} at the start "
                "or end of the line, or two in a row). Fill in the value or remove the separator."
            )
        if exc.code == tp.ERR_LENGTH:
            fix = (
                "pass ragged=True to load rows of unequal length as a list of series"
                if self.layout == "rows"
                else "each line of a columns file holds one sample of every column"
            )
            return DataFormatError(
                f"{where} has {_fields(exc.count)} but line {first} has {plan.n_fields} (separated by "
                f"{plan.sep_name}); {fix}."
            )
        if exc.code == tp.ERR_SPECIAL:
            return DataFormatError(
                f"{where} has {_fields(exc.count)}, too few for "
                f"{_SPECIAL_NAMES[exc.field]}={self.raw[exc.field]!r}."
            )
        return DataFormatError(f"{where}: the file changed while it was read; read it again.")


# -- rows -------------------------------------------------------------------------
def _labels_from_text(texts: np.ndarray) -> np.ndarray:
    """Integers if all are, else floats if all are, else strings."""
    items = texts.tolist()
    for conv, dt in ((int, np.int64), (float, np.float64)):
        try:
            return np.array([conv(t) for t in items], dtype=dt)
        except (ValueError, OverflowError):
            continue
    return np.array([str(t) for t in items], dtype=object)


class _Rows:
    """Reads a rows file into SignalSets."""

    def __init__(
        self, path: Path, *, fs: Any, dtype: Any, id_column: Any, label_column: Any, ragged: Any, n_jobs: Any,
        sep: Any, header: Any, comments: Any, plan: _Plan | None = None,
    ) -> None:  # fmt: skip
        self.dtype = _check_dtype(dtype)
        self.ragged = _check_flag(ragged, "ragged")
        cols = (_check_column(id_column, "id_column"), _check_column(label_column, "label_column"), None)
        self.plan = plan if plan is not None else _make_plan(path, sep, header, comments, cols)
        self.fs = fs
        self.reader = _Reader(self.plan, n_jobs, "rows", cols, ("text", "text", "number"), self.ragged)
        self.has_id, self.has_label = cols[0] is not None, cols[1] is not None
        self.n_data = self.plan.n_fields - self.reader.n_special
        if not self.ragged and self.n_data < 1:
            raise DataFormatError(
                f"{self.plan.name}, line {self.plan.lines_before + 1}: no value left after the id and "
                f"label columns ({self.plan.n_fields} fields)."
            )

    def sink(self, out: np.ndarray) -> Any:
        rows = out.shape[0]
        return _tp().Sink(
            out=out.reshape(-1), row_stride=self.n_data, col_stride=1, nf=self.plan.n_fields,
            row_nf=np.zeros(rows, dtype=np.int32), aux=np.empty((rows, 0)),
            spans=np.zeros((rows, self.reader.n_span, 2), dtype=np.int64),
        )  # fmt: skip

    def finish(
        self, data: Any, keep: np.ndarray, texts: list[np.ndarray], line0: int, row0: int
    ) -> SignalSet:
        """The SignalSet of the kept lines (``keep`` masks lines from ``line0``)."""
        plan = self.plan
        lines = np.flatnonzero(keep) + line0 + plan.lines_before + 1
        if self.has_id:
            ids = texts[0][keep].astype(str)
            uniq, counts = np.unique(ids, return_counts=True)
            if (counts > 1).any():
                dup = str(uniq[counts > 1][0])
                a, b = lines[ids == dup][:2].tolist()
                raise DataFormatError(f"{plan.name}: id {dup!r} is on lines {a} and {b}; ids must be unique.")
        else:
            ids = np.arange(row0, row0 + len(lines)).astype(str)
        labels = _labels_from_text(texts[int(self.has_id)][keep]) if self.has_label else None
        return SignalSet(data, fs=self.fs, ids=ids, labels=labels, metadata=pd.DataFrame({"line": lines}))

    def load(self) -> SignalSet:
        """All rows of equal length in one array, allocated once.

        A line holds at least two bytes per field (a character and a separator or
        the newline), which bounds the number of lines without a counting pass. The
        array is reserved for that bound (address space: pages are touched as rows
        are written) and shrunk in place at the end (``ndarray.resize`` is a
        ``realloc``, which unmaps the tail of a large block without copying). A
        bound beyond half the memory falls back to counting the lines first.
        """
        if self.ragged:
            return SignalSet.concat(list(self.iter(None)))
        tp, plan, engine = _tp(), self.plan, self.reader.engine
        cap = (plan.size - plan.data_start) // (2 * plan.n_fields) + 1
        try:
            limit = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
        except (AttributeError, ValueError, OSError):
            limit = 2**33
        out = None
        if cap * self.n_data * self.dtype.itemsize <= limit:
            try:
                out = np.empty((cap, self.n_data), dtype=self.dtype)
            except MemoryError:
                out = None
        if out is None:
            cap = max(engine.count_lines(), 1)
            out = np.empty((cap, self.n_data), dtype=self.dtype)
        sink = self.sink(out)
        n_lines = 0
        for blk in self.reader.blocks():
            n_lines = blk.line0 + blk.n_lines
            if n_lines > cap:  # many blank or comment lines: grow (in place if it can)
                self.reader.sync()
                cap = max(n_lines, 2 * cap)
                sink.out = tp.EMPTY_F64  # no view of ``out`` may outlive a resize
                out.resize((cap, self.n_data), refcheck=False)
                sink = self._regrow(sink, out)
            self.reader.parse(blk, sink, blk.line0, n_lines, blk.line0)
        self.reader.sync()
        keep = sink.row_nf[:n_lines] != 0
        n = int(keep.sum())
        if n == 0:
            raise DataFormatError(f"{plan.name} holds no data line.")
        if n < n_lines:
            tp.compact_rows(out, keep)
        texts = [t[:n_lines] for t in sink.texts]
        sink.out = tp.EMPTY_F64
        out.resize((n, self.n_data), refcheck=False)
        return self.finish(out, keep, texts, 0, 0)

    def _regrow(self, sink: Any, out: np.ndarray) -> Any:
        new = self.sink(out)
        old = sink.row_nf.shape[0]
        new.row_nf[:old] = sink.row_nf
        new.spans[:old] = sink.spans
        for t in sink.texts:
            grown = np.empty(out.shape[0], dtype=object)
            grown[:old] = t
            new.texts.append(grown)
        return new

    def iter(self, chunk_lines: int | None) -> Iterator[SignalSet]:
        """Rows of consecutive runs of ``chunk_lines`` lines (None: all, ragged only)."""
        tp = _tp()
        rows_done = chunk_lo = 0
        state: dict[str, Any] = {"sink": None, "out": None, "parts": []}
        yielded = False

        def finish() -> SignalSet | None:
            nonlocal rows_done
            self.reader.sync()
            sink, out, parts = state["sink"], state["out"], state["parts"]
            if self.ragged:
                series = [a for p in parts for a in p[0]]
                if not series:
                    return None
                keep = np.concatenate([p[1] for p in parts])
                texts = [np.concatenate([p[2][x] for p in parts]) for x in range(self.reader.n_span)]
                s = self.finish(series, keep, texts, chunk_lo, rows_done)
            else:
                keep = sink.row_nf != 0
                n = int(keep.sum())
                if n == 0:
                    return None
                if n < keep.shape[0]:  # blank lines, or the last chunk: shrink in place
                    tp.compact_rows(out, keep)
                    sink.out = tp.EMPTY_F64
                    out.resize((n, self.n_data), refcheck=False)
                s = self.finish(out, keep, sink.texts, chunk_lo, rows_done)
            rows_done += len(s)
            state.update(sink=None, out=None, parts=[])
            return s

        for blk in self.reader.blocks():
            lo, b_hi = blk.line0, blk.line0 + blk.n_lines
            while lo < b_hi:
                hi = chunk_lo + chunk_lines if chunk_lines is not None else 1 << 62
                part_hi = min(b_hi, hi)
                if self.ragged:
                    state["parts"].append(self._ragged_part(blk, lo, part_hi))
                else:
                    if state["sink"] is None:
                        state["out"] = np.empty((hi - chunk_lo, self.n_data), dtype=self.dtype)
                        state["sink"] = self.sink(state["out"])
                    self.reader.parse(blk, state["sink"], lo, part_hi, lo - chunk_lo)
                lo = part_hi
                if part_hi == hi:
                    s = finish()
                    chunk_lo = hi
                    if s is not None:
                        yielded = True
                        yield s
        if state["sink"] is not None or state["parts"]:
            s = finish()
            if s is not None:
                yielded = True
                yield s
        if not yielded:
            raise DataFormatError(f"{self.plan.name} holds no data line.")

    def _ragged_part(self, blk: Any, lo: int, hi: int) -> tuple[list[np.ndarray], np.ndarray, list[Any]]:
        """Lines ``[lo, hi)`` of a block: ((1, n_i) views into one buffer, kept lines, texts)."""
        tp, plan = _tp(), self.plan
        counts = self.reader.engine.count_fields(blk, lo, hi)
        n_data = np.where(counts > 0, counts - self.reader.n_special, 0)
        empty = np.flatnonzero((counts > 0) & (n_data < 1))
        if empty.size:
            raise DataFormatError(
                f"{plan.name}, line {plan.lines_before + lo + int(empty[0]) + 1} has "
                f"{_fields(int(counts[empty[0]]))} and no value after the id and label columns."
            )
        offsets = np.zeros(hi - lo, dtype=np.int64)
        np.cumsum(n_data[:-1], out=offsets[1:])
        flat = np.empty(int(n_data.sum()), dtype=self.dtype)
        sink = tp.Sink(
            out=flat, row_stride=0, col_stride=1, nf=-1, row_nf=np.zeros(hi - lo, dtype=np.int32),
            aux=np.empty((hi - lo, 0)), spans=np.zeros((hi - lo, self.reader.n_span, 2), dtype=np.int64),
            nf_rows=counts, offsets=offsets,
        )  # fmt: skip
        self.reader.parse(blk, sink, lo, hi, 0)
        self.reader.sync()
        keep = sink.row_nf != 0
        pieces = zip(offsets[keep].tolist(), n_data[keep].tolist())
        series = [flat[o : o + c].reshape(1, c) for o, c in pieces]
        texts = sink.texts or [np.empty(hi - lo, dtype=object) for _ in range(self.reader.n_span)]
        return series, keep, texts


# -- columns ----------------------------------------------------------------------
def _load_columns(
    path: Path, *, fs: Any, dtype: Any, label_column: Any, time_column: Any, n_jobs: Any, sep: Any,
    header: Any, comments: Any, plan: _Plan | None = None,
) -> SignalSet:  # fmt: skip
    tp = _tp()
    dt = _check_dtype(dtype)
    cols = (None, _check_column(label_column, "label_column"), _check_column(time_column, "time_column"))
    plan = plan if plan is not None else _make_plan(path, sep, header, comments, cols)
    nf = plan.n_fields
    with _Reader(plan, n_jobs, "columns", cols, ("text", "number", "number"), False) as reader:
        special = {int(s) for s in reader.sp if s != tp.NONE_COLUMN}
        data_cols = [k for k in range(nf) if k not in special]
        if not data_cols:
            raise DataFormatError(
                f"{plan.name}, line {plan.lines_before + 1}: no value column left after the label and "
                f"time columns ({nf} fields)."
            )
        n_lines = reader.engine.count_lines()
        out = np.empty((len(data_cols), n_lines), dtype=dt)
        sink = tp.Sink(
            out=out.reshape(-1), row_stride=1, col_stride=n_lines, nf=nf,
            row_nf=np.zeros(n_lines, dtype=np.int32), aux=np.empty((n_lines, reader.n_aux)),
            spans=np.zeros((n_lines, 0, 2), dtype=np.int64),
        )  # fmt: skip
        for blk in reader.blocks():
            seen = blk.line0 + blk.n_lines
            if seen > n_lines:
                raise reader.error(tp.ParseError(tp.ERR_CHANGED, n_lines, 0, 0, "", 1))
            reader.parse(blk, sink, blk.line0, seen, blk.line0)
        reader.sync()
        sp_aux = reader.engine.sp_aux
    keep = sink.row_nf != 0
    n = int(keep.sum())
    if n == 0:
        raise DataFormatError(f"{plan.name} holds no data line.")
    aux = sink.aux
    if n < n_lines:
        tp.compact_columns(out, keep)
        out = np.ascontiguousarray(out[:, :n])
        aux = aux[keep]
    point_labels = None
    meta = None
    if sp_aux[1] >= 0:
        lab = aux[:, sp_aux[1]]
        whole = np.isfinite(lab) & (lab == np.round(lab))
        if not whole.all():
            k = int(np.flatnonzero(~whole)[0])
            line = int(np.flatnonzero(keep)[k]) + plan.lines_before + 1
            raise DataFormatError(
                f"{plan.name}, line {line}, column {int(reader.sp[1]) + 1}: the label {float(lab[k])!r} is "
                "not an integer; label_column must hold integer point labels (e.g. 1 inside an anomaly)."
            )
        point_labels = [lab.astype(np.int64)]
    if sp_aux[2] >= 0:
        t = aux[:, sp_aux[2]]
        meta = pd.DataFrame({"t0": [float(t[0])]})
        if fs is None and n > 1:
            fs = _fs_from_time(t, plan)
    channels = None
    if plan.header is not None:
        if len(plan.header) != nf:
            raise DataFormatError(
                f"{plan.name}: the header line has {len(plan.header)} names but line "
                f"{plan.lines_before + 1} has {nf} fields."
            )
        channels = [plan.header[k] for k in data_cols]
    return SignalSet(out[np.newaxis], fs=fs, channels=channels, point_labels=point_labels, metadata=meta)


def _fs_from_time(t: np.ndarray, plan: _Plan) -> float | None:
    """1 / step of a uniformly increasing time column, or None (with a warning)."""
    dt = np.diff(t)
    step = float(np.median(dt))
    if step > 0 and np.all(np.abs(dt - step) <= 1e-3 * step):
        return 1.0 / step
    warnings.warn(
        f"{plan.name}: the time column does not increase in equal steps (steps from {dt.min()!r} to "
        f"{dt.max()!r}), so fs is left unset. Pass fs= to set it.",
        stacklevel=2,
    )
    return None


# -- layout -----------------------------------------------------------------------
def _open(
    path: Path, layout: Any, o: dict[str, Any], *, fs: Any, dtype: Any, n_jobs: Any
) -> SignalSet | _Rows:
    """A columns file read whole, or a rows file ready to read."""
    chosen, plan = _choose_layout(path, layout, o)
    if chosen == "columns":
        return _load_columns(
            path, fs=fs, dtype=dtype, label_column=o["label_column"], time_column=o["time_column"],
            n_jobs=n_jobs, sep=o["sep"], header=o["header"], comments=o["comments"], plan=plan,
        )  # fmt: skip
    return _Rows(
        path, fs=fs, dtype=dtype, id_column=o["id_column"], label_column=o["label_column"],
        ragged=o["ragged"], n_jobs=n_jobs, sep=o["sep"], header=o["header"], comments=o["comments"],
        plan=plan,
    )  # fmt: skip


def _choose_layout(path: Path, layout: Any, o: dict[str, Any]) -> tuple[str, _Plan]:
    if layout not in ("auto", "rows", "columns"):
        raise ValidationError(f"text: layout must be 'auto', 'rows' or 'columns', found {layout!r}.")
    # ``is not None``, ``is True``: id_column=0 is a column, and 0 == False
    given = {"id_column": o["id_column"] is not None, "ragged": o["ragged"] is True}
    rows_only = [n for n, on in given.items() if on]
    cols_only = ["time_column"] if o["time_column"] is not None else []
    if rows_only and cols_only or (layout == "columns" and rows_only) or (layout == "rows" and cols_only):
        raise ValidationError(
            f"text: {rows_only + cols_only!r} with layout={layout!r}: id_column and ragged are options "
            "of the rows layout, time_column of the columns layout."
        )
    cols = tuple(_check_column(o[n], n) for n in _SPECIAL_NAMES)
    plan = _make_plan(path, o["sep"], o["header"], o["comments"], cols)
    if layout == "auto":
        nf = plan.n_fields
        columns = nf == 1 or (nf <= _MAX_COLUMNS_FIELDS and plan.est_lines >= max(16, 10 * nf))
        layout = "rows" if rows_only else "columns" if cols_only or columns else "rows"
    return layout, plan


# -- public readers ---------------------------------------------------------------
_I = "\n        "  # the indent of a parameter's description in a docstring
_DOCS = {
    "path": f"path : str or path{_I}The file.",
    "fs": f"fs : float, optional{_I}Sampling rate in Hz (text files carry none).",
    "dtype": (
        f'dtype : {{"float32", "float64"}}, default="float32"{_I}Sample type; values equal '
        "``numpy.loadtxt(path).astype(dtype)``."
    ),
    "sep": (
        f'sep : str, optional{_I}One separator character (``","``, ``"\\t"``, ``";"``, ...; also '
        f'``"tab"``,{_I}``"comma"``, ``"semicolon"``), or ``" "`` (``"whitespace"``) for runs of{_I}blanks. '
        "By default detected from the first data lines."
    ),
    "header": (
        f"header : bool, optional{_I}Whether the first line with data is a header. By default it is"
        f"{_I}one when a field (outside the id, label and time columns) is not a{_I}number."
    ),
    "comments": f'comments : str or None, default="#"{_I}The rest of a line after it is ignored.',
    "id_column": (
        f"id_column : int or str, optional{_I}Column of series ids (text, unique): an index (negative "
        f"counts{_I}from the end of the line) or a header name. By default the ids are{_I}the row "
        'numbers ``"0", "1", ...``.'
    ),
    "ragged": (
        f"ragged : bool, default=False{_I}Allow rows of unequal length: the data are then a list of"
        f"{_I}``(1, n_i)`` arrays. Otherwise unequal rows are an error naming the line."
    ),
    "time_column": (
        f"time_column : int or str, optional{_I}Column of sample times: not a channel; its first value "
        f'is{_I}``metadata["t0"]`` and its step gives ``fs`` when ``fs`` is None (if{_I}the steps are '
        "equal within 0.1 %)."
    ),
    "n_jobs": f"n_jobs : int, optional{_I}Parsing threads; by default one per available CPU.",
    "chunk_size": (
        f"chunk_size : int, optional{_I}Lines per chunk (blank and comment lines count, so a chunk may "
        f"hold{_I}fewer series); by default about 256 MiB of samples."
    ),
    "raises": (
        f"DataFormatError{_I}An empty file; a field that is not a number; an empty field; a line of"
        f"{_I}another length. The message names the file, line and column."
    ),
}


def _doc(func: Callable[..., Any]) -> Callable[..., Any]:
    """Fill ``{name}`` fields of a docstring with the shared parameter texts."""
    func.__doc__ = (func.__doc__ or "").format(**_DOCS)
    return func


@_doc
def read_text_rows(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file that holds one series per line.

    Parameters
    ----------
    {path}
    {fs}
    {dtype}
    {sep}
    {header}
    {comments}
    {id_column}
    label_column : int or str, optional
        Column of per-series labels: ints if all are, else floats if all are, else str.
    {ragged}
    {n_jobs}

    Returns
    -------
    SignalSet
        ``data`` of shape ``(n_series, 1, n_times)`` and dtype ``dtype`` (a list of
        ``(1, n_i)`` arrays with ``ragged=True``); ``metadata["line"]`` is the file
        line of each series.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "rows.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("id,a,b,c\\nx,1,2,3\\ny,4,5,6.5\\n")
    >>> s = load(path, format="text-rows", id_column=0)
    >>> s.data.shape, s.ids.tolist(), s.data[1, 0].tolist()
    ((2, 1, 3), ['x', 'y'], [4.0, 5.0, 6.5])
    """
    rows = _Rows(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments, id_column=id_column,
        label_column=label_column, ragged=ragged, n_jobs=n_jobs,
    )  # fmt: skip
    with rows.reader:
        return rows.load()


@_doc
def iter_text_rows(
    path: str | os.PathLike[str],
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> Iterator[SignalSet]:
    """Yield the rows of a text file as SignalSets of at most ``chunk_size`` series.

    The file is read a block at a time and one chunk of values is in memory. Ids
    continue across chunks (the file's row numbers ``"0" .. "N-1"``, or the id
    column). Options as for :func:`read_text_rows`.

    Parameters
    ----------
    {chunk_size}

    Yields
    ------
    SignalSet
        Consecutive chunks; together, the series :func:`read_text_rows` returns.
    """
    chunk = _check_chunk_size(chunk_size)
    rows = _Rows(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments, id_column=id_column,
        label_column=label_column, ragged=ragged, n_jobs=n_jobs,
    )  # fmt: skip
    yield from _iter_rows(rows, chunk)


def _iter_rows(rows: _Rows, chunk: int | None) -> Iterator[SignalSet]:
    if chunk is None:
        chunk = default_chunk_size(max(rows.n_data, 1), 1, rows.dtype.itemsize)
    with rows.reader:
        yield from rows.iter(chunk)


@_doc
def read_text_columns(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file that holds one series down its lines, one channel per column.

    Parameters
    ----------
    {path}
    fs : float, optional
        Sampling rate in Hz; by default from ``time_column``, else unset.
    {dtype}
    {sep}
    {header}
        Header names become channel names.
    {comments}
    label_column : int or str, optional
        Column of integer per-sample labels (e.g. 1 inside an anomalous beat),
        stored as ``point_labels``.
    {time_column}
    {n_jobs}

    Returns
    -------
    SignalSet
        One series: ``data`` of shape ``(1, n_channels, n_times)``.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "ecg.out")
    >>> with open(path, "w") as f:
    ...     _ = f.write("".join(f"{{0.1 * k:.1f}},{{int(k > 20)}}\\n" for k in range(32)))
    >>> s = load(path, label_column=1)
    >>> s.data.shape, int(s.point_labels[0].sum())
    ((1, 1, 32), 11)
    """
    return _load_columns(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments,
        label_column=label_column, time_column=time_column, n_jobs=n_jobs,
    )  # fmt: skip


@_doc
def read_text(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file of numbers: one series per line (rows) or down the lines (columns).

    Parameters
    ----------
    layout : {{"auto", "rows", "columns"}}, default="auto"
        ``"rows"``: as :func:`read_text_rows`; ``"columns"``: as
        :func:`read_text_columns`; ``"auto"``: columns when the first data line
        holds 1 field, or at most 8 in a file of at least ``max(16, 10 * fields)``
        lines, else rows. ``id_column`` or ``ragged=True`` mean rows,
        ``time_column`` means columns.
    fs, dtype, sep, header, comments, id_column, time_column, ragged, n_jobs
        As for :func:`read_text_rows` and :func:`read_text_columns`.
    label_column : int or str, optional
        Per-series labels (rows) or integer per-sample labels (columns).

    Returns
    -------
    SignalSet

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("0.5 1e-3 -2\\n3 4 5\\n")
    >>> load(path).data.shape
    (2, 1, 3)
    """
    o = dict(sep=sep, header=header, comments=comments, id_column=id_column, label_column=label_column,
             time_column=time_column, ragged=ragged)  # fmt: skip
    opened = _open(Path(path), layout, o, fs=fs, dtype=dtype, n_jobs=n_jobs)
    if isinstance(opened, SignalSet):
        return opened
    with opened.reader:
        return opened.load()


@_doc
def iter_text(
    path: str | os.PathLike[str],
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> Iterator[SignalSet]:
    """Yield a text file in chunks: rows as :func:`iter_text_rows`; a columns file
    is one series, yielded whole. Options as for :func:`read_text`.

    Parameters
    ----------
    {chunk_size}

    Yields
    ------
    SignalSet
    """
    chunk = _check_chunk_size(chunk_size)
    o = dict(sep=sep, header=header, comments=comments, id_column=id_column, label_column=label_column,
             time_column=time_column, ragged=ragged)  # fmt: skip
    opened = _open(Path(path), layout, o, fs=fs, dtype=dtype, n_jobs=n_jobs)
    if isinstance(opened, SignalSet):
        yield opened
    else:
        yield from _iter_rows(opened, chunk)


register(
    Format(
        name="text",
        extensions=EXTENSIONS,
        read=read_text,
        description="Numbers in text (CSV, TSV, blank-separated): one series per line, or one series "
        "down the lines (layout='auto'|'rows'|'columns').",
        iter_chunks=iter_text,
        sniff=sniff_text,
        options=("layout", "sep", "header", "comments", "id_column", "label_column", "time_column", "ragged",
                 "n_jobs"),  # fmt: skip
    )
)
register(
    Format(
        name="text-rows",
        extensions=EXTENSIONS,
        read=read_text_rows,
        description="Numbers in text, one series per line (id and label columns; ragged=True for "
        "lines of unequal length).",
        iter_chunks=iter_text_rows,
        options=("sep", "header", "comments", "id_column", "label_column", "ragged", "n_jobs"),
    )
)
register(
    Format(
        name="text-columns",
        extensions=EXTENSIONS,
        read=read_text_columns,
        description="Numbers in text, one series down the lines, one channel per column (a per-sample "
        "label column, a time column).",
        one_series_per_file=True,
        options=("sep", "header", "comments", "label_column", "time_column", "n_jobs"),
    )
)
