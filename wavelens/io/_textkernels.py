"""The numba kernels behind :mod:`wavelens.io._text`: byte scans, field counts
and the parse of a segment of lines into the caller's arrays (the numbers
themselves are parsed by :mod:`wavelens.io._textnumbers`).

Private: the engine (:mod:`wavelens.io._textengine`) calls them, and is imported
on first use (numba takes a while to import). The kernels work on a block of bytes
that holds whole lines only (every line ends with ``b"\\n"``) followed by at least
:data:`PAD` bytes of padding, so that an 8-byte load that starts inside a token
never reads outside the array.

Two numba lessons, measured: no array may be created inside a kernel, not even a
slice view (numba then keeps reference counts inside the loop and the parse runs
at half speed); and the fast path of a conversion must be one flat test.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._textnumbers import (
    _B01, _B7F, _B80, _BNL, _TOK_BAD, _TOK_OK, _U0, _U7, _U56, _at, _load_u64, _parse_number, _put,
)  # fmt: skip

__all__ = [
    "PAD", "SPACE", "SEP", "NL", "COMMENT", "OK", "ERR_TOKEN", "ERR_EMPTY", "ERR_LENGTH", "ERR_SPECIAL",
    "ERR_CHANGED", "ERR_SLOW_FULL", "NONE_COLUMN", "char_classes", "count_newlines", "rfind_newline",
    "scan_segment", "count_fields_segment", "parse_segment", "compact_rows", "compact_columns",
]  # fmt: skip

PAD = 64  # bytes of padding the caller keeps after the valid data of a block (one blank mask)

# Character classes (index: byte value); everything else is 0, "part of a token".
SPACE = 1  # blank inside a line: skipped (and a separator in whitespace mode)
SEP = 2  # the separator character (character-separated mode only)
NL = 3  # end of line
COMMENT = 4  # the rest of the line is a comment

# Status codes of the kernels; the details of an error are in ``err``:
# err[0] code, err[1] line (0-based, counted from the first data line),
# err[2] field (0-based), err[3] byte position in the block, err[4] a count.
OK = 0
ERR_TOKEN = 1  # a field is not a number
ERR_EMPTY = 2  # an empty field between separators
ERR_LENGTH = 3  # a line holds another number of fields than the first one
ERR_SPECIAL = 4  # id/label/time column out of range for this line (ragged rows)
ERR_CHANGED = 5  # the field count differs from the counting pass (file changed)
ERR_SLOW_FULL = 6  # the list of tokens left to Python is full; retry with more room

NONE_COLUMN = -(1 << 62)  # "no such special column"

# -- bytes ------------------------------------------------------------------------
def char_classes(sep: int, comment: int) -> np.ndarray:
    """The 256-entry class table for separator byte ``sep`` (0: whitespace mode)."""
    cls = np.zeros(256, dtype=np.uint8)
    cls[ord(" ")] = SPACE
    cls[ord("\t")] = SPACE
    cls[ord("\r")] = SPACE
    if sep:
        cls[sep] = SEP
    cls[ord("\n")] = NL
    if comment >= 0:
        cls[comment] = COMMENT
    return cls


@njit(inline="always")
def _has_newline(v):
    x = v ^ _BNL
    return ((x - _B01) & ~x & _B80) != _U0


@njit(cache=True, nogil=True)
def count_newlines(buf, a, b):
    """Number of ``b"\\n"`` bytes in ``buf[a:b]`` (SWAR, 8 bytes per step)."""
    c = 0
    i = a
    while i + 8 <= b:
        x = _load_u64(buf, i) ^ _BNL
        # high bit of each byte set where the byte is zero (exact, no carries)
        y = ~(((x & _B7F) + _B7F) | x | _B7F)
        c += np.int64(((y >> _U7) * _B01) >> _U56)
        i += 8
    while i < b:
        if _at(buf, i) == 10:
            c += 1
        i += 1
    return c


@njit(inline="always")
def _find_newline(buf, i, b):
    """First ``j >= i`` with ``buf[j] == b"\\n"``, or ``b`` if none before ``b``."""
    while i + 8 <= b:
        if _has_newline(_load_u64(buf, i)):
            break
        i += 8
    while i < b and buf[i] != 10:
        i += 1
    return i


@njit(cache=True, nogil=True)
def rfind_newline(buf, a, b):
    """Last ``j`` in ``[a, b)`` with ``buf[j] == b"\\n"``, or -1."""
    i = b
    while i - 8 >= a:
        if _has_newline(_load_u64(buf, i - 8)):
            break
        i -= 8
    while i > a:
        i -= 1
        if _at(buf, i) == 10:
            return i
    return -1


@njit(cache=True, nogil=True)
def scan_segment(buf, a, b):
    """Newlines in ``buf[a:b]`` and the first line start at or after ``a``.

    Returns ``(n_newlines, q)``; a line starts at 0 and after every newline.
    """
    c = count_newlines(buf, a, b)  # (a separate pass: it vectorizes, a fused one does not)
    if a == 0:
        return c, 0
    return c, _find_newline(buf, a - 1, b) + 1


# -- lines ------------------------------------------------------------------------
@njit(inline="always")
def _skip_spaces(buf, i, cls):
    while _at(cls, buf[i]) == SPACE:
        i += 1
    return i


@njit(inline="always")
def _field_end(buf, i, cls, ws):
    """End of the raw field that starts at ``i`` (blanks at its end excluded)."""
    if ws:
        while _at(cls, _at(buf, i)) == 0:
            i += 1
        return i
    last = i
    while True:
        t = _at(cls, buf[i])
        if t == SEP or t == NL or t == COMMENT:
            return last
        i += 1
        if t != SPACE:
            last = i


@njit(inline="always")
def _count_fields(buf, i, cls, ws):
    """Fields from ``buf[i]`` to the end of the line, and the index of its newline.

    In whitespace mode a field is a run of token bytes; with a separator, a line
    that is not blank holds one more field than separators.
    """
    n = 0
    blank = True
    while True:
        t = _at(cls, _at(buf, i))
        if t == NL:
            break
        if t == COMMENT:
            i = _find_newline(buf, i, buf.shape[0])
            break
        if ws:
            if t == 0:
                n += 1
                while _at(cls, buf[i]) == 0:
                    i += 1
                continue
        else:
            if t == SEP:
                n += 1
                blank = False
            elif t == 0:
                blank = False
        i += 1
    if not ws and not blank:
        n += 1
    return n, i


@njit(cache=True, nogil=True)
def count_fields_segment(buf, q, b, line0, lo, hi, row0, cls, ws, counts):
    """Store the field count of each line starting in ``[q, b)`` (ragged rows).

    Line ``line0`` starts at ``q``; lines with index in ``[lo, hi)`` go to
    ``counts[row0 + line - lo]``. Returns the number of lines counted.
    """
    i = q
    line = line0
    done = 0
    while i < b:
        if line < lo:
            i = _find_newline(buf, i, buf.shape[0]) + 1
            line += 1
            continue
        if line >= hi:
            break
        n, i = _count_fields(buf, i, cls, ws)
        counts[row0 + line - lo] = n
        i += 1
        line += 1
        done += 1
    return done


@njit(inline="always")
def _set_error(err, code, line, field, pos, count):
    err[0] = code
    err[1] = line
    err[2] = field
    err[3] = pos
    err[4] = count


@njit(cache=True, nogil=True)
def parse_segment(
    buf,
    q,
    b,
    line0,
    lo,
    hi,
    row0,
    cls,
    ws,
    nf,
    nf_rows,
    sp,
    sp_span,
    sp_aux,
    out,
    row_stride,
    col_stride,
    offsets,
    aux,
    spans,
    row_nf,
    slow,
    err,
    work,
):
    """Parse the lines that start in ``buf[q:b]`` into preallocated outputs.

    Parameters
    ----------
    buf : uint8 array
        The block; whole lines, each ending with a newline, then padding.
    q, b : int
        ``q`` is a line start; lines starting before ``b`` are this segment's.
    line0 : int
        Index of the line at ``q`` (0 = first data line of the file).
    lo, hi, row0 : int
        Only lines with index in ``[lo, hi)`` are parsed; line ``lo`` goes to
        destination row ``row0``.
    cls : uint8 array of 256
        Character classes (:func:`char_classes`).
    ws : bool
        Whitespace mode: runs of blanks separate fields.
    nf : int
        Fields every line must hold, or -1 (ragged): then ``nf_rows[row]``.
    sp, sp_span, sp_aux : int64 arrays of 3
        The special columns (id, label, time): field index (resolved when
        ``nf >= 0``, possibly negative otherwise; :data:`NONE_COLUMN` if absent),
        and their slot in ``spans`` (raw text) or column in ``aux`` (a number), -1
        where not used.
    out : 1-D float32 or float64 array
        Values; field ``k`` (counting data fields only) of row ``r`` goes to
        ``out[base + k * col_stride]``, ``base = offsets[r]`` if ``offsets`` is not
        empty, else ``r * row_stride``.
    aux : 2-D float64 array (rows, n_aux)
    spans : 3-D int64 array (rows, n_span, 2)
        Byte range of each raw-text special field in ``buf``.
    row_nf : int32 array
        Fields found on each row (0 for a blank or comment line).
    slow : 2-D int64 array (capacity, 3)
        Tokens left to Python: destination (``>= 0``: index into ``out``;
        ``< 0``: ``-1 - index`` into ``aux.ravel()``), start, end.
    err : int64 array of 6
        Error details; ``err[5]``, the number of slow tokens in ``slow``, must be
        0 on a first call (more when a caller appends) and is updated.
    work : int64 array of 8
        Scratch.

    Returns
    -------
    int
        :data:`OK` or an error code.
    """
    i = q
    line = line0
    nslow = err[5]  # slow tokens already listed by the caller (0 on a first call)
    cap = slow.shape[0]
    n_aux = aux.shape[1]
    use_offsets = offsets.shape[0] > 0
    # The special columns of a line in increasing order, then a sentinel, go to
    # work[0:4] and their kinds to work[4:8]: one comparison per field tells whether
    # it is special. (No array is created in here, not even a view: numba then
    # keeps reference counts inside the loop, which halves its speed.)
    n_sp = 0
    for x in range(3):
        if sp[x] != NONE_COLUMN:
            n_sp += 1
    while i < b:
        if line < lo:
            i = _find_newline(buf, i, buf.shape[0]) + 1
            line += 1
            continue
        if line >= hi:
            break
        r = row0 + line - lo
        if nf >= 0:
            nfl = nf
        else:
            nfl = nf_rows[r]
            if nfl == 0:
                # blank in the counting pass: nothing to parse
                row_nf[r] = 0
                i = _find_newline(buf, i, buf.shape[0]) + 1
                line += 1
                continue
        m = 0
        for x in range(3):
            s = sp[x]
            if s == NONE_COLUMN:
                continue
            if s < 0:
                s += nfl
            if s < 0 or s >= nfl:
                _set_error(err, ERR_SPECIAL, line, x, i, nfl)
                return ERR_SPECIAL
            # insertion into the sorted list
            y = m
            while y > 0 and work[y - 1] > s:
                work[y] = work[y - 1]
                work[4 + y] = work[4 + y - 1]
                y -= 1
            work[y] = s
            work[4 + y] = x
            m += 1
        work[m] = nfl + 1
        nxt = work[0]
        p = 0
        if use_offsets:
            dst = offsets[r]
        else:
            dst = r * row_stride
        j = 0
        pending = False  # a separator was read: a field must follow
        while True:
            t = _at(cls, _at(buf, i))
            while t == SPACE:
                i += 1
                t = _at(cls, _at(buf, i))
            if t != 0:
                if t == SEP or pending:
                    _set_error(err, ERR_EMPTY, line, j, i, 0)
                    return ERR_EMPTY
                if t == COMMENT:
                    i = _find_newline(buf, i, buf.shape[0])
                break  # at the newline
            if j == nfl:
                extra, _ = _count_fields(buf, i, cls, ws)
                if nf >= 0:
                    _set_error(err, ERR_LENGTH, line, j, i, nf + extra)
                    return ERR_LENGTH
                _set_error(err, ERR_CHANGED, line, j + extra, i, nfl)
                return ERR_CHANGED
            start = i
            if j != nxt:
                status, val, i = _parse_number(buf, i)
                t = _at(cls, _at(buf, i))
                if status == _TOK_OK and t != 0:
                    _put(out, dst, val)
                else:
                    if status == _TOK_BAD or t == 0:
                        _set_error(err, ERR_TOKEN, line, j, start, 0)
                        return ERR_TOKEN
                    if nslow == cap:
                        _set_error(err, ERR_SLOW_FULL, line, j, start, nslow)
                        return ERR_SLOW_FULL
                    slow[nslow, 0] = dst
                    slow[nslow, 1] = start
                    slow[nslow, 2] = i
                    nslow += 1
                dst += col_stride
            else:
                x = work[4 + p]
                p += 1
                nxt = work[p]
                if sp_span[x] >= 0:
                    e = _field_end(buf, i, cls, ws)
                    spans[r, sp_span[x], 0] = i
                    spans[r, sp_span[x], 1] = e
                    i = e
                    t = _at(cls, _at(buf, i))
                else:
                    status, val, i = _parse_number(buf, i)
                    t = _at(cls, _at(buf, i))
                    if status == _TOK_BAD or t == 0:
                        _set_error(err, ERR_TOKEN, line, j, start, 0)
                        return ERR_TOKEN
                    if status == _TOK_OK:
                        aux[r, sp_aux[x]] = val
                    else:
                        if nslow == cap:
                            _set_error(err, ERR_SLOW_FULL, line, j, start, nslow)
                            return ERR_SLOW_FULL
                        slow[nslow, 0] = -1 - (r * n_aux + sp_aux[x])
                        slow[nslow, 1] = start
                        slow[nslow, 2] = i
                        nslow += 1
            j += 1
            if not ws:
                while t == SPACE:
                    i += 1
                    t = _at(cls, _at(buf, i))
                if t == SEP:
                    i += 1
                    pending = True
                elif t == 0:
                    # "1.5 2.5" between two separators: one field, not a number
                    _set_error(err, ERR_TOKEN, line, j - 1, start, 0)
                    return ERR_TOKEN
                else:
                    pending = False
        # i is at the newline
        if j > 0 and j != nfl:
            if nf >= 0:
                _set_error(err, ERR_LENGTH, line, j, i, j)
                return ERR_LENGTH
            _set_error(err, ERR_CHANGED, line, j, i, nfl)
            return ERR_CHANGED
        row_nf[r] = j
        i += 1
        line += 1
    err[5] = nslow
    return OK


# -- after the parse --------------------------------------------------------------
@njit(cache=True, nogil=True)
def compact_rows(a, keep):
    """Move the rows of ``a`` where ``keep`` is true to the front, in order."""
    j = 0
    for i in range(keep.shape[0]):
        if keep[i]:
            if i != j:
                a[j, :] = a[i, :]
            j += 1
    return j


@njit(cache=True, nogil=True)
def compact_columns(a, keep):
    """Move the columns of ``a`` where ``keep`` is true to the front, in order."""
    j = 0
    for i in range(keep.shape[0]):
        if keep[i]:
            if i != j:
                for c in range(a.shape[0]):
                    a[c, j] = a[c, i]
            j += 1
    return j
