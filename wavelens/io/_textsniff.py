"""Options and the first lines of a text file: the checks of the readers'
options, the separator and header found in the first data lines (a :class:`_Plan`),
content sniffing for files of other extensions, and the choice of layout.

Private: the readers of :mod:`wavelens.io._text` and :mod:`wavelens.io._textread`
use it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..exceptions import DataFormatError, ValidationError

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


# -- layout -----------------------------------------------------------------------
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

