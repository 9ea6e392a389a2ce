"""The block engine of the text readers: reads a file in blocks of whole lines
and runs the kernels of :mod:`wavelens.io._textkernels` on them.

Private: ``_textread.py`` is the only caller, and imports this module on first use
(numba takes a while to import). It also hands on the kernels' constants and the
functions the readers call directly (``__all__``), so that one module is the
parsing machinery's interface.

Engine
------
:class:`Engine` reads a file from a byte offset in blocks of whole lines (32 MiB,
doubled only for a longer line) into two buffers used in turn. Each block is cut
into segments at byte offsets and a pass over them counts their newlines (8 bytes
per step), so that every line knows its index; the segments are then parsed on a
thread pool (the kernels release the GIL) while the caller's thread reads the next
block into the other buffer. A block's results are checked (errors raised, tokens
left to Python converted) before its buffer is reused, so peak memory is the
caller's output plus the two buffers. Results go straight into caller-allocated
arrays (a :class:`Sink`).

Whitespace-separated rows without special columns (the common large file) are
parsed by the fast kernel of :mod:`wavelens.io._textfast`, which gives the same
results; everything else by :func:`parse_segment`. :func:`small_pages` and
:func:`prefault` let the caller back its output with memory in one system call
per block, on the reading thread, instead of a page fault per page in the parse.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ._textkernels import (
    COMMENT, ERR_CHANGED, ERR_EMPTY, ERR_LENGTH, ERR_SLOW_FULL, ERR_SPECIAL, ERR_TOKEN, NL, NONE_COLUMN, OK,
    PAD, SEP, SPACE, char_classes, compact_columns, compact_rows, count_fields_segment, count_newlines,
    parse_segment, rfind_newline, scan_segment,
)  # fmt: skip
from ._textfast import TOKENS, WINDOW, parse_segment_ws
from ._textnumbers import _SIMD, parse_token

__all__ = [
    "Engine", "Sink", "Block", "ParseError", "PAD", "SPACE", "SEP", "NL", "COMMENT", "OK", "ERR_TOKEN",
    "ERR_EMPTY", "ERR_LENGTH", "ERR_SPECIAL", "ERR_CHANGED", "ERR_SLOW_FULL", "NONE_COLUMN", "EMPTY_F64",
    "char_classes", "count_newlines", "rfind_newline", "scan_segment", "count_fields_segment",
    "parse_segment", "compact_rows", "compact_columns", "parse_token", "small_pages", "prefault",
]  # fmt: skip

# -- the output's memory ----------------------------------------------------------
_MADV_NOHUGEPAGE = 15
_MADV_POPULATE_WRITE = 23  # Linux 5.14
_PAGE = 4096
_libc: list[Any] = []  # [madvise or None], looked up once


def _madvise() -> Any:
    if not _libc:
        fn = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                fn = ctypes.CDLL(None, use_errno=True).madvise
                fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):  # pragma: no cover - no libc symbol
                fn = None
        _libc.append(fn)
    return _libc[0]


def _advise(a: np.ndarray, start: int, stop: int, advice: int) -> bool:
    """madvise the pages of bytes ``[start, stop)`` of ``a``'s buffer; False if not done."""
    fn = _madvise()
    if fn is None or stop <= start:
        return False
    base = a.__array_interface__["data"][0]
    lo = (base + start) // _PAGE * _PAGE
    hi = -(-(base + stop) // _PAGE) * _PAGE
    return fn(lo, hi - lo, advice) == 0


def small_pages(a: np.ndarray) -> None:
    """Back the large array ``a`` with 4 KiB pages, not transparent huge pages.

    Measured on this project's virtual machines: the first write to a new
    393 MiB output took 0.05-0.9 s with huge pages (the host backs each 2 MiB of
    never-used guest memory on demand) and a steady 0.12-0.18 s with small pages
    filled by :func:`prefault`. Only advice: nothing changes where it fails.
    """
    _advise(a, 0, a.nbytes, _MADV_NOHUGEPAGE)


def prefault(a: np.ndarray, r0: int, r1: int) -> None:
    """Back rows ``[r0, r1)`` of the C-contiguous array ``a`` with memory now, in one
    system call (``MADV_POPULATE_WRITE``) rather than one page fault per page
    while the parse threads write them; the contents are unchanged. Only advice."""
    row = a.nbytes // max(a.shape[0], 1)
    _advise(a, r0 * row, min(r1, a.shape[0]) * row, _MADV_POPULATE_WRITE)


# -- the engine -------------------------------------------------------------------
# The parse buffer (two of them); grows only for a longer line. 32 MiB rather than
# 8: a quarter of the tasks and of their overhead (measured: 6 % less CPU time).
BLOCK_BYTES = 32 * 2**20
_MIN_SEGMENT = 2**20  # bytes of a block per parallel task, at least
_SLOW_CAPACITY = 1024  # tokens per task handed back to Python before a retry
_EMPTY_I64 = np.zeros(0, dtype=np.int64)
EMPTY_F64 = np.zeros(0, dtype=np.float64)


class ParseError(Exception):
    """A kernel error, in the engine's terms; the reader words the message.

    Attributes
    ----------
    code : int
        One of the ``ERR_*`` codes.
    line : int
        Index of the line from the first data line (0-based).
    field : int
        Field index (0-based); for :data:`ERR_SPECIAL`, which special column.
    count : int
        Fields found (:data:`ERR_LENGTH`) or expected (:data:`ERR_CHANGED`,
        :data:`ERR_SPECIAL`).
    token : str
        The offending field (:data:`ERR_TOKEN`), else "".
    char : int
        1-based character position of the error in its line.
    """

    def __init__(self, code: int, line: int, field: int, count: int, token: str, char: int) -> None:
        super().__init__(f"code {code} at line {line}, field {field}")
        self.code = code
        self.line = line
        self.field = field
        self.count = count
        self.token = token
        self.char = char


@dataclass
class Block:
    """Whole lines in ``buf[:end]`` and where each segment's first line starts."""

    buf: np.ndarray
    end: int
    line0: int  # index of the block's first line (0 = first data line)
    n_lines: int
    q: list[int]  # first line start of each segment (beyond ``b`` if none)
    b: list[int]  # segment ends
    first: list[int]  # index of the line at ``q``
    slot: int = 0  # which of the engine's buffers holds it


@dataclass
class _Pending:
    """A parse submitted to the pool, checked later by :meth:`Engine.sync`."""

    blk: Block
    sink: Sink
    lo: int
    hi: int
    row0: int
    tasks: list[int]
    runs: list[Callable[[], int]]
    futures: list[Any]  # Future or int (run inline)
    scratch: list[tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class Sink:
    """Destination of a parse; see :func:`parse_segment` for the meaning of each."""

    out: np.ndarray
    row_stride: int
    col_stride: int
    nf: int
    row_nf: np.ndarray
    aux: np.ndarray
    spans: np.ndarray
    nf_rows: np.ndarray = field(default_factory=lambda: _EMPTY_I64)
    offsets: np.ndarray = field(default_factory=lambda: _EMPTY_I64)
    texts: list[np.ndarray] = field(default_factory=list)  # decoded spans, per slot


class Engine:
    """Parse the lines of ``path`` from byte ``start`` on a pool of ``n_jobs`` threads.

    Parameters
    ----------
    path : Path
    start : int
        Byte offset of the first data line.
    sep : int
        Separator byte; 0 for runs of blanks.
    comment : int
        Comment byte, or -1.
    n_jobs : int
        Threads.
    block_bytes : int, optional
        Size of the read buffer; :data:`BLOCK_BYTES` by default.
    """

    def __init__(
        self, path: Path, start: int, sep: int, comment: int, n_jobs: int, block_bytes: int | None = None
    ) -> None:
        block_bytes = BLOCK_BYTES if block_bytes is None else block_bytes
        self.path = path
        self.start = start
        self.sep = sep
        self.ws = sep == 0
        self.n_jobs = n_jobs
        self.block_bytes = block_bytes
        self.cls = char_classes(sep, comment)
        # the fast kernel reads blanks and numbers only; a comment character that
        # could be part of a number would be read differently, so it is not used then
        # (and it needs SSE4.1: on other CPUs it is never compiled)
        self.fast = (
            _SIMD and self.ws and (comment < 0 or not (chr(comment).isalnum() or chr(comment) in "+-."))
        )
        self.buf = np.empty(block_bytes + PAD + 1, dtype=np.uint8)
        self.pool: ThreadPoolExecutor | None = None
        self.pending: list[_Pending] = []  # parses submitted and not yet checked
        self._local = threading.local()
        none = np.full(3, -1, dtype=np.int64)
        self.sp = np.full(3, NONE_COLUMN, dtype=np.int64)
        self.sp_span = none
        self.sp_aux = none.copy()

    def set_specials(self, sp: np.ndarray, sp_span: np.ndarray, sp_aux: np.ndarray) -> None:
        """Id, label and time columns: index, raw-text slot, aux column (see kernel)."""
        self.sp, self.sp_span, self.sp_aux = sp, sp_span, sp_aux

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def _map(self, func: Callable[[int], Any], n: int) -> list[Any]:
        if n == 1 or self.n_jobs == 1:
            return [func(k) for k in range(n)]
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=self.n_jobs, thread_name_prefix="wavelens-text")
        return list(self.pool.map(func, range(n)))

    def _bounds(self, n: int) -> list[int]:
        s = max(1, min(4 * self.n_jobs, n // _MIN_SEGMENT))
        return [k * n // s for k in range(s + 1)]

    # -- reading ----------------------------------------------------------------------
    def _fill(self, take: Callable[[int], np.ndarray | None]) -> Iterator[tuple[np.ndarray, int]]:
        """Yield ``(buf, end)``: whole lines in ``buf[:end]``, each ending in a newline.

        ``take(size)`` gives the buffer to fill next (at least ``size + PAD + 1``
        bytes), or None to stop; the partial line at the end of one buffer is
        copied to the start of the next.
        """
        cap = self.block_bytes
        prev: np.ndarray | None = None
        tail = (0, 0)
        eof = False
        with open(self.path, "rb", buffering=0) as f:
            f.seek(self.start)
            while True:
                buf = take(cap)
                if buf is None:
                    return
                carry = tail[1] - tail[0]
                if carry:
                    src = prev[tail[0] : tail[1]]
                    buf[:carry] = src.copy() if prev is buf else src
                n = carry
                while True:
                    view = memoryview(buf)
                    while n < cap and not eof:
                        got = f.readinto(view[n:cap])
                        if got:
                            n += got
                        else:
                            eof = True
                    view.release()
                    end = n if eof else rfind_newline(buf, 0, n) + 1
                    if end > 0 or n == 0:
                        break
                    # one line longer than the buffer: double it and read on
                    cap *= 2
                    bigger = np.empty(cap + PAD + 1, dtype=np.uint8)
                    bigger[:n] = buf[:n]
                    buf = bigger
                if n == 0:
                    return
                if eof and buf[n - 1] != 10:
                    buf[n] = 10  # buffers keep one byte for this newline
                    n += 1
                    end = n
                yield buf, end
                if eof and end == n:
                    return
                prev, tail = buf, (end, n)

    def _own_buffer(self, cap: int) -> np.ndarray:
        if self.buf.shape[0] < cap + PAD + 1:
            self.buf = np.empty(cap + PAD + 1, dtype=np.uint8)
        return self.buf

    def count_lines(self) -> int:
        """Lines from ``start`` to the end of the file."""
        total = 0
        for buf, end in self._fill(self._own_buffer):
            bd = self._bounds(end)
            total += sum(self._map(lambda k: count_newlines(buf, bd[k], bd[k + 1]), len(bd) - 1))
        return total

    def _locate(self, buf: np.ndarray, end: int, line0: int) -> Block:
        """Cut a block into segments and find where their lines start.

        Serial: at 8 bytes a step it costs less than a round trip to the pool.
        """
        bd = self._bounds(end)
        scans = [scan_segment(buf, bd[k], bd[k + 1]) for k in range(len(bd) - 1)]
        first = []
        before = 0
        for k, (c, q) in enumerate(scans):
            first.append(line0 + before + (1 if q > bd[k] else 0))
            before += int(c)
        return Block(buf, end, line0, before, [int(q) for _, q in scans], bd[1:], first)

    def blocks(self) -> Iterator[Block]:
        """Consecutive blocks, in two buffers used in turn.

        While the pool parses one block, the caller's thread reads and locates
        the next into the other buffer; a buffer is refilled only after the
        parses of its previous block are finished and checked (which raises
        their errors). A block is valid until the next but one is asked for.
        """
        bufs: list[np.ndarray | None] = [self.buf, None]
        slot = 1

        def take(cap: int) -> np.ndarray:
            nonlocal slot
            slot ^= 1
            self._finish(slot)
            buf = bufs[slot]
            if buf is None or buf.shape[0] < cap + PAD + 1:
                buf = bufs[slot] = np.empty(cap + PAD + 1, dtype=np.uint8)
            return buf

        line0 = 0
        for buf, end in self._fill(take):
            blk = self._locate(buf, end, line0)
            blk.slot = slot
            line0 += blk.n_lines
            yield blk

    # -- parsing ----------------------------------------------------------------------
    def _tasks(self, blk: Block, lo: int, hi: int) -> list[int]:
        """Segments holding lines of ``[lo, hi)``."""
        tasks = []
        for k in range(len(blk.q)):
            last = blk.first[k + 1] if k + 1 < len(blk.q) else blk.line0 + blk.n_lines
            if blk.q[k] < blk.b[k] and blk.first[k] < hi and last > lo:
                tasks.append(k)
        return tasks

    def count_fields(self, blk: Block, lo: int, hi: int) -> np.ndarray:
        """Fields on each line ``[lo, hi)`` of the block (0 for blank lines)."""
        counts = np.zeros(hi - lo, dtype=np.int64)
        tasks = self._tasks(blk, lo, hi)

        def run(t: int) -> int:
            k = tasks[t]
            return count_fields_segment(
                blk.buf, blk.q[k], blk.b[k], blk.first[k], lo, hi, 0, self.cls, self.ws, counts
            )

        self._map(run, len(tasks))
        return counts

    def parse(self, blk: Block, sink: Sink, lo: int, hi: int, row0: int) -> None:
        """Start parsing the block's lines ``[lo, hi)`` into ``sink`` from row ``row0``.

        The results are there after :meth:`sync` (or once the block's buffer is
        reused), which raises :class:`ParseError` for the first bad line.
        """
        tasks = self._tasks(blk, lo, hi)
        scratch = [  # per task: slow tokens, error details, kernel work space
            (np.empty((_SLOW_CAPACITY, 3), np.int64), np.zeros(6, np.int64), np.zeros(8, np.int64))
            for _ in tasks
        ]
        fast = (
            self.fast and sink.nf >= 0 and sink.offsets.shape[0] == 0 and bool((self.sp == NONE_COLUMN).all())
        )
        runs = [self._runner(blk, sink, lo, hi, row0, k, scratch, t, fast) for t, k in enumerate(tasks)]
        if self.n_jobs == 1 or len(runs) == 1 and not self.pending:
            futures: list[Any] = [run() for run in runs]
        else:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=self.n_jobs, thread_name_prefix="wavelens-text")
            futures = [self.pool.submit(run) for run in runs]
        self.pending.append(_Pending(blk, sink, lo, hi, row0, tasks, runs, futures, scratch))

    def _runner(
        self, blk: Block, sink: Sink, lo: int, hi: int, row0: int, k: int, scratch: list, t: int, fast: bool
    ) -> Callable[[], int]:
        def run() -> int:
            slow, err, work = scratch[t]
            err[5] = 0  # no slow token yet (also on a retry with a larger list)
            if fast:
                toks = getattr(self._local, "tokens", None)  # one scratch per thread, kept
                if toks is None:
                    toks = self._local.tokens = np.empty((2, TOKENS + WINDOW), np.int64)
                return parse_segment_ws(
                    blk.buf, blk.q[k], blk.b[k], blk.first[k], lo, hi, row0, self.cls, self.ws,
                    sink.nf, sink.nf_rows, self.sp, self.sp_span, self.sp_aux,
                    sink.out, sink.row_stride, sink.col_stride, sink.offsets,
                    sink.aux, sink.spans, sink.row_nf, slow, err, work, toks[0], toks[1],
                )  # fmt: skip
            return parse_segment(
                blk.buf, blk.q[k], blk.b[k], blk.first[k], lo, hi, row0, self.cls, self.ws,
                sink.nf, sink.nf_rows, self.sp, self.sp_span, self.sp_aux,
                sink.out, sink.row_stride, sink.col_stride, sink.offsets,
                sink.aux, sink.spans, sink.row_nf, slow, err, work,
            )  # fmt: skip

        return run

    def sync(self) -> None:
        """Wait for every parse started and check it (in file order)."""
        self._finish(None)

    def _finish(self, slot: int | None) -> None:
        """Check the pending parses up to the last one in buffer ``slot`` (None: all)."""
        last = len(self.pending) - 1
        if slot is not None:
            while last >= 0 and self.pending[last].blk.slot != slot:
                last -= 1
        done, self.pending = self.pending[: last + 1], self.pending[last + 1 :]
        try:
            for job in done:
                self._check(job)
        except BaseException:
            # nothing may still write into the outputs once the caller moves on
            for job in done + self.pending:
                for f in job.futures:
                    if not isinstance(f, int):
                        f.exception()
            self.pending = []
            raise

    def _check(self, job: _Pending) -> None:
        for t, f in enumerate(job.futures):
            # tasks in file order: the first error found is the first in the file
            status = f if isinstance(f, int) else f.result()
            slow, err, work = job.scratch[t]
            while status == ERR_SLOW_FULL:
                job.scratch[t] = (np.empty((4 * slow.shape[0], 3), dtype=np.int64), err, work)
                slow = job.scratch[t][0]
                status = job.runs[t]()
            if status != OK:
                raise self._error(job.blk.buf, err)
            n = int(err[5])
            if n:
                self._resolve_slow(job.blk.buf, slow[:n], job.sink)
        if job.sink.spans.shape[1]:
            self._decode_spans(job.blk.buf, job.sink, job.row0, job.row0 + job.hi - job.lo)

    @staticmethod
    def _resolve_slow(buf: np.ndarray, slow: np.ndarray, sink: Sink) -> None:
        """Convert the tokens the kernel left to Python's correctly rounded float()."""
        aux = sink.aux.reshape(-1)
        with np.errstate(over="ignore"):  # beyond float32: inf, as the kernel's cast gives
            for dst, a, b in slow.tolist():
                v = float(buf[a:b].tobytes())
                if dst >= 0:
                    sink.out[dst] = v
                else:
                    aux[-1 - dst] = v

    @staticmethod
    def _decode_spans(buf: np.ndarray, sink: Sink, r0: int, r1: int) -> None:
        if not sink.texts:
            sink.texts = [np.empty(sink.row_nf.shape[0], dtype=object) for _ in range(sink.spans.shape[1])]
        for r in np.flatnonzero(sink.row_nf[r0:r1]).tolist():
            for slot in range(sink.spans.shape[1]):
                a, b = sink.spans[r0 + r, slot]
                sink.texts[slot][r0 + r] = buf[a:b].tobytes().decode("utf-8", errors="replace")

    def _error(self, buf: np.ndarray, err: np.ndarray) -> ParseError:
        code, line, fld, pos, count = (int(v) for v in err[:5])
        start = rfind_newline(buf, 0, pos) + 1
        token = ""
        if code == ERR_TOKEN:
            stop = (b" ", b"\t", b"\r", b"\n") if self.ws else (bytes([self.sep]), b"\n")
            end = pos
            while end < pos + 80 and buf[end : end + 1].tobytes() not in stop:
                end += 1
            token = buf[pos:end].tobytes().decode("utf-8", errors="replace").rstrip(" \t\r")
        return ParseError(code, line, fld, count, token, pos - start + 1)
