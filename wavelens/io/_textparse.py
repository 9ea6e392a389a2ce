"""The text parsing machinery behind :mod:`wavelens.io._text`: numba kernels and
the block engine that feeds them.

Private: ``_text.py`` is the only caller, and imports this module on first use
(numba takes a while to import). The kernels work on a block of bytes that holds
whole lines only (every line ends with ``b"\\n"``) followed by at least
:data:`PAD` bytes of padding, so that an 8-byte load that starts inside a token
never reads outside the array.

Engine
------
:class:`Engine` reads a file from a byte offset in blocks of whole lines (8 MiB,
doubled only for a longer line) into two buffers used in turn. Each block is cut
into segments at byte offsets and a pass over them counts their newlines (8 bytes
per step), so that every line knows its index; the segments are then parsed on a
thread pool (the kernels release the GIL) while the caller's thread reads the next
block into the other buffer. A block's results are checked (errors raised, tokens
left to Python converted) before its buffer is reused, so peak memory is the
caller's output plus the two buffers. Results go straight into caller-allocated
arrays (a :class:`Sink`).

Two numba lessons, measured: no array may be created inside a kernel, not even a
slice view (numba then keeps reference counts inside the loop and the parse runs
at half speed); and the fast path of a conversion must be one flat test.

Numbers
-------
A token is parsed to the correctly rounded float64 (then cast to the output dtype,
as ``numpy.loadtxt(...).astype(float32)`` does):

* Clinger's fast path: an integer mantissa ``w <= 2**53`` and a decimal exponent
  ``|q| <= 22`` give ``w * 10**q`` (or ``w / 10**-q``) exactly rounded, because both
  operands are exact doubles and IEEE multiplication/division rounds once.
* Otherwise the Eisel-Lemire algorithm (128-bit truncated powers of ten; the same
  algorithm and table as Go's ``strconv`` and ``fast_float``) for mantissas of up to
  19 significant digits; for longer mantissas it is run on the truncated mantissa
  ``w`` and on ``w + 1`` and accepted when both agree.
* The rare tokens it cannot decide (halfway ambiguities, subnormals, a disagreement
  above) are reported back as "slow" and converted by Python's ``float``, which is
  correctly rounded.

Fraction digits are converted eight at a time with the SWAR technique (one
unaligned 64-bit load, a digit test and three multiplications), and a last run of
one to seven digits in one step too (its length from the trailing zeros of the
non-digit mask), which breaks the serial ``w = 10 * w + d`` dependency chain that
otherwise dominates the parse time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = [
    "Engine", "Sink", "Block", "ParseError", "PAD", "SPACE", "SEP", "NL", "COMMENT", "OK", "ERR_TOKEN",
    "ERR_EMPTY", "ERR_LENGTH", "ERR_SPECIAL", "ERR_CHANGED", "ERR_SLOW_FULL", "NONE_COLUMN", "EMPTY_F64",
    "char_classes", "count_newlines", "rfind_newline", "scan_segment", "count_fields_segment",
    "parse_segment", "compact_rows", "compact_columns", "parse_token",
]  # fmt: skip

PAD = 16  # bytes of padding the caller keeps after the valid data of a block

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

# Status of one parsed token.
_TOK_OK = 0
_TOK_SLOW = 1
_TOK_BAD = 2

# -- typed constants (numba types an int literal as int64, and uint64 op int64 as
# float64, so every constant that meets a uint64 is itself a uint64) ------------
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U3 = np.uint64(3)
_U4 = np.uint64(4)
_U7 = np.uint64(7)
_U8 = np.uint64(8)
_U9 = np.uint64(9)
_U10 = np.uint64(10)
_U16 = np.uint64(16)
_U32 = np.uint64(32)
_U48 = np.uint64(48)
_U52 = np.uint64(52)
_U53 = np.uint64(53)
_U56 = np.uint64(56)
_U63 = np.uint64(63)
_M32 = np.uint64(0xFFFFFFFF)
_M1FF = np.uint64(0x1FF)
_MANT = np.uint64(0x000FFFFFFFFFFFFF)
_ALL1 = np.uint64(0xFFFFFFFFFFFFFFFF)
_E8 = np.uint64(10**8)
_E11 = np.uint64(10**11)
_E18 = np.uint64(10**18)
_TWO53 = np.uint64(2**53)
_B01 = np.uint64(0x0101010101010101)
_B80 = np.uint64(0x8080808080808080)
_B7F = np.uint64(0x7F7F7F7F7F7F7F7F)
_BNL = np.uint64(0x0A0A0A0A0A0A0A0A)
_BF0 = np.uint64(0xF0F0F0F0F0F0F0F0)
_B06 = np.uint64(0x0606060606060606)
_B33 = np.uint64(0x3333333333333333)
_B0F = np.uint64(0x0F0F0F0F0F0F0F0F)
_BFF = np.uint64(0x00FF00FF00FF00FF)
_BFFFF = np.uint64(0x0000FFFF0000FFFF)
_MUL1 = np.uint64(2561)  # 10 * 256 + 1
_MUL2 = np.uint64(6553601)  # 100 * 65536 + 1
_MUL3 = np.uint64(42949672960001)  # 10000 * 2**32 + 1

_P10 = np.array([10.0**k for k in range(23)], dtype=np.float64)  # exact doubles
_P10I = np.array([10**k for k in range(20)], dtype=np.uint64)


def _powers_of_ten_128() -> tuple[np.ndarray, np.ndarray]:
    """128-bit mantissas of 10**q, q in [-348, 347], truncated (rounded down).

    Row ``q + 348`` holds the high and low 64 bits of the 128-bit number ``m`` with
    ``2**127 <= m < 2**128`` and ``10**q = m * 2**k`` (rounded down) for some k.
    """
    hi = np.empty(696, dtype=np.uint64)
    lo = np.empty(696, dtype=np.uint64)
    for q in range(-348, 348):
        if q >= 0:
            v = 10**q
            b = v.bit_length()
            v = v >> (b - 128) if b > 128 else v << (128 - b)
        else:
            d = 10 ** (-q)
            v = (1 << (127 + d.bit_length())) // d
        hi[q + 348] = v >> 64
        lo[q + 348] = v & 0xFFFFFFFFFFFFFFFF
    return hi, lo


_PT_HI, _PT_LO = _powers_of_ten_128()


# -- intrinsics -------------------------------------------------------------------
@intrinsic
def _load_u64(typingctx, arr, idx):
    """Unaligned little-endian 64-bit load of ``arr[idx:idx + 8]`` (uint8 array)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
        return None
    sig = types.uint64(arr, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(ary.data, [args[1]])
        ptr64 = builder.bitcast(ptr, ir.IntType(64).as_pointer())
        return builder.load(ptr64, align=1)

    return sig, codegen


@intrinsic
def _cttz(typingctx, x):
    """Trailing zero bits of a uint64 (64 for 0)."""
    if x != types.uint64:
        return None
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return sig, codegen


@intrinsic
def _at(typingctx, arr, idx):
    """``arr[idx]`` of a contiguous 1-D array, without the negative-index wraparound
    that numba adds to every signed index (a compare and a select per byte read:
    without them the parse runs about 20 % faster). ``idx`` must be in range."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"):
        return None
    sig = arr.dtype(arr, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load(builder.gep(ary.data, [args[1]]))

    return sig, codegen


@intrinsic
def _put(typingctx, arr, idx, val):
    """``arr[idx] = val`` (cast to the array's dtype), as :func:`_at`."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C" and arr.mutable):
        return None
    sig = types.void(arr, types.intp, val)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        value = context.cast(builder, args[2], signature.args[2], signature.args[0].dtype)
        builder.store(value, builder.gep(ary.data, [args[1]]))
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _bits_to_f64(typingctx, bits):
    """Reinterpret a uint64 as the float64 with the same bits."""
    if bits != types.uint64:
        return None
    sig = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


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


# -- numbers ----------------------------------------------------------------------
@njit(inline="always")
def _non_digits(v):
    """Nonzero bytes where ``v`` holds no ASCII digit, exact up to the first one.

    (A byte >= 0xFA can carry into the next byte, which only ever lies after a
    non-digit.)
    """
    return ((v & _BF0) | (((v + _B06) & _BF0) >> _U4)) ^ _B33


@njit(inline="always")
def _eight_digits(v):
    v = v & _B0F
    v = (v * _MUL1) >> _U8
    v = ((v & _BFF) * _MUL2) >> _U16
    return ((v & _BFFFF) * _MUL3) >> _U32


@njit(inline="always")
def _mul128(a, b):
    """``a * b`` as (high, low) 64-bit halves."""
    a0 = a & _M32
    a1 = a >> _U32
    b0 = b & _M32
    b1 = b >> _U32
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    p11 = a1 * b1
    mid = (p00 >> _U32) + (p01 & _M32) + (p10 & _M32)
    lo = (mid << _U32) | (p00 & _M32)
    hi = p11 + (p01 >> _U32) + (p10 >> _U32) + (mid >> _U32)
    return hi, lo


@njit(inline="always")
def _leading_zeros(x):
    n = 0
    if (x >> _U32) == _U0:
        n += 32
        x = x << _U32
    if (x >> np.uint64(48)) == _U0:
        n += 16
        x = x << _U16
    if (x >> _U56) == _U0:
        n += 8
        x = x << _U8
    if (x >> np.uint64(60)) == _U0:
        n += 4
        x = x << _U4
    if (x >> np.uint64(62)) == _U0:
        n += 2
        x = x << np.uint64(2)
    if (x >> _U63) == _U0:
        n += 1
    return n


@njit(cache=True, nogil=True)
def _eisel_lemire(w, q):
    """Correctly rounded ``w * 10**q`` for ``0 < w < 2**64``, or ``(False, 0.0)``.

    Fails (rarely) on a halfway ambiguity, for subnormal or overflowing results and
    for ``q`` outside [-348, 347]; the caller then falls back to an exact method.
    """
    if q < -348 or q > 347:
        return False, 0.0
    clz = _leading_zeros(w)
    w = w << np.uint64(clz)
    exp2 = ((217706 * q) >> 16) + 64 + 1023 - clz
    x_hi, x_lo = _mul128(w, _at(_PT_HI, q + 348))
    if (x_hi & _M1FF) == _M1FF and (x_lo + w) < w:
        y_hi, y_lo = _mul128(w, _at(_PT_LO, q + 348))
        m_hi = x_hi
        m_lo = x_lo + y_hi
        if m_lo < x_lo:
            m_hi += _U1
        if (m_hi & _M1FF) == _M1FF and m_lo == _ALL1 and (y_lo + w) < w:
            return False, 0.0
        x_hi = m_hi
        x_lo = m_lo
    msb = x_hi >> _U63
    mant = x_hi >> (msb + _U9)
    exp2 -= 1 - np.int64(msb)
    if x_lo == _U0 and (x_hi & _M1FF) == _U0 and (mant & _U3) == _U1:
        return False, 0.0
    mant += mant & _U1
    mant = mant >> _U1
    if (mant >> _U53) > _U0:
        mant = mant >> _U1
        exp2 += 1
    if exp2 <= 0 or exp2 >= 0x7FF:
        return False, 0.0
    return True, _bits_to_f64((np.uint64(exp2) << _U52) | (mant & _MANT))


@njit(cache=True, nogil=True)
def _convert_slow(w, q, inexact):
    """float64 of ``w * 10**q`` off Clinger's fast path."""
    if w == _U0:
        return _TOK_OK, 0.0
    if q >= 309:
        return _TOK_OK, np.inf  # w >= 1, so the value exceeds the largest double
    if q < -345:
        return _TOK_OK, 0.0  # w < 1e19, so the value is below half the least subnormal
    if not inexact:
        if 22 < q <= 22 + 15 and w <= _TWO53:
            # w * 10**(q - 22) is still an exact integer below 2**53
            f = _at(_P10I, q - 22)
            if w <= _TWO53 // f:
                return _TOK_OK, np.float64(w * f) * _at(_P10, 22)
        ok, v = _eisel_lemire(w, q)
        if ok:
            return _TOK_OK, v
        return _TOK_SLOW, 0.0
    ok1, v1 = _eisel_lemire(w, q)
    ok2, v2 = _eisel_lemire(w + _U1, q)
    if ok1 and ok2 and v1 == v2:
        return _TOK_OK, v1
    return _TOK_SLOW, 0.0


@njit(inline="always")
def _convert(w, q, inexact):
    """float64 of ``w * 10**q`` (``inexact``: nonzero digits were cut off ``w``)."""
    # One flat test keeps the hot path short (nested tests here halve the speed).
    if inexact or w > _TWO53 or q < -22 or q > 22:
        return _convert_slow(w, q, inexact)
    if q < 0:
        return _TOK_OK, np.float64(w) / _at(_P10, -q)
    return _TOK_OK, np.float64(w) * _at(_P10, q)


@njit(inline="always")
def _lower(c):
    return c | np.uint8(0x20)


@njit(inline="always")
def _parse_number(buf, i):
    """Parse the number starting at ``buf[i]``.

    Returns ``(status, value, end)`` with ``end`` the index after the last byte
    consumed. The caller checks that ``buf[end]`` ends the field.
    """
    neg = False
    c = _at(buf, i)
    if c == 45:  # '-'
        neg = True
        i += 1
    elif c == 43:  # '+'
        i += 1
    w = _U0
    q = 0
    inexact = False
    nd = 0
    # integer part: usually short, so one digit at a time
    d = np.uint64(_at(buf, i)) - _U48
    while d < _U10:
        if w < _E18:
            w = w * _U10 + d
        else:
            q += 1
            if d != _U0:
                inexact = True
        i += 1
        nd += 1
        d = np.uint64(_at(buf, i)) - _U48
    if _at(buf, i) == 46:  # '.'
        i += 1
        # fraction: eight digits at a time while they fit; the last run of 1..7
        # digits at once too (its length from the trailing zeros of the
        # non-digit mask); digits beyond 19 one at a time
        while w < _E11:
            v = _load_u64(buf, i)
            z = _non_digits(v)
            if z != _U0:
                n = np.int64(_cttz(z) >> _U3)
                if n > 0:
                    # the n digits to the top bytes; zero bytes above read as 0
                    w = w * _at(_P10I, n) + _eight_digits(v << np.uint64(64 - 8 * n))
                    i += n
                    nd += n
                    q -= n
                break
            w = w * _E8 + _eight_digits(v)
            i += 8
            nd += 8
            q -= 8
        d = np.uint64(_at(buf, i)) - _U48
        while d < _U10:
            if w < _E18:
                w = w * _U10 + d
                q -= 1
            elif d != _U0:
                inexact = True
            i += 1
            nd += 1
            d = np.uint64(_at(buf, i)) - _U48
    if nd == 0:
        # no digit: nan, inf, infinity (any case), or not a number
        c = _lower(_at(buf, i))
        if c == 110 and _lower(_at(buf, i + 1)) == 97 and _lower(_at(buf, i + 2)) == 110:
            return _TOK_OK, np.nan, i + 3
        if c == 105 and _lower(_at(buf, i + 1)) == 110 and _lower(_at(buf, i + 2)) == 102:
            i += 3
            if (
                _lower(_at(buf, i)) == 105
                and _lower(_at(buf, i + 1)) == 110
                and _lower(_at(buf, i + 2)) == 105
                and _lower(_at(buf, i + 3)) == 116
                and _lower(_at(buf, i + 4)) == 121
            ):
                i += 5
            return _TOK_OK, (-np.inf if neg else np.inf), i
        return _TOK_BAD, 0.0, i
    c = _at(buf, i)
    if c == 101 or c == 69:  # 'e', 'E'
        i += 1
        eneg = False
        c = _at(buf, i)
        if c == 45:
            eneg = True
            i += 1
        elif c == 43:
            i += 1
        d = np.uint64(_at(buf, i)) - _U48
        if d >= _U10:
            return _TOK_BAD, 0.0, i
        ex = 0
        while d < _U10:
            if ex < 1000000:
                ex = ex * 10 + np.int64(d)
            i += 1
            d = np.uint64(_at(buf, i)) - _U48
        q += -ex if eneg else ex
    status, v = _convert(w, q, inexact)
    return status, (-v if neg else v), i


@njit(cache=True, nogil=True)
def parse_token(buf, i):
    """Parse one number at ``buf[i]`` (for tests): ``(status, value, end)``."""
    return _parse_number(buf, i)


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
        Error details; ``err[5]`` receives the number of slow tokens.
    work : int64 array of 8
        Scratch.

    Returns
    -------
    int
        :data:`OK` or an error code.
    """
    i = q
    line = line0
    nslow = 0
    cap = slow.shape[0]
    n_aux = aux.shape[1]
    use_offsets = offsets.shape[0] > 0
    err[5] = 0
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


# -- the engine -------------------------------------------------------------------
BLOCK_BYTES = 8 * 2**20  # the parse buffer; grows only for a longer line
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
        self.buf = np.empty(block_bytes + PAD + 1, dtype=np.uint8)
        self.pool: ThreadPoolExecutor | None = None
        self.pending: list[_Pending] = []  # parses submitted and not yet checked
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
        runs = [self._runner(blk, sink, lo, hi, row0, k, scratch, t) for t, k in enumerate(tasks)]
        if self.n_jobs == 1 or len(runs) == 1 and not self.pending:
            futures: list[Any] = [run() for run in runs]
        else:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=self.n_jobs, thread_name_prefix="wavelens-text")
            futures = [self.pool.submit(run) for run in runs]
        self.pending.append(_Pending(blk, sink, lo, hi, row0, tasks, runs, futures, scratch))

    def _runner(
        self, blk: Block, sink: Sink, lo: int, hi: int, row0: int, k: int, scratch: list, t: int
    ) -> Callable[[], int]:
        def run() -> int:
            slow, err, work = scratch[t]
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
