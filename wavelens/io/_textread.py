"""Rows and columns assembly of the text readers: a :class:`_Reader` (a plan, an
engine and the special columns, and the error messages), :class:`_Rows` (one
series per line, whole or in chunks) and :func:`_load_columns` (one series down
the lines).

Private: the readers of :mod:`wavelens.io._text` use it. The parsing machinery
(:mod:`wavelens.io._textengine`) is imported on first use.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._textsniff import (
    _SPECIAL_NAMES, _Plan, _check_column, _check_dtype, _check_flag, _check_n_jobs, _make_plan,
)  # fmt: skip


def _tp() -> ModuleType:
    """The parsing machinery, imported on first use (numba is slow to import)."""
    from . import _textengine

    return _textengine


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
        bound beyond half the memory falls back to counting the lines first. The
        rows of each block are backed with (small) pages by this thread before the
        block is parsed (:func:`~wavelens.io._textengine.prefault`).
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
        tp.small_pages(out)
        sink = self.sink(out)
        n_lines = 0
        for blk in self.reader.blocks():
            n_lines = blk.line0 + blk.n_lines
            if n_lines > cap:  # many blank or comment lines: grow (in place if it can)
                self.reader.sync()
                cap = max(n_lines, 2 * cap)
                sink.out = tp.EMPTY_F64  # no view of ``out`` may outlive a resize
                out.resize((cap, self.n_data), refcheck=False)
                tp.small_pages(out)
                sink = self._regrow(sink, out)
            # this thread backs the block's rows while the pool parses the one before
            tp.prefault(out, blk.line0, n_lines)
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

