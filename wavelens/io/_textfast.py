"""The fast path of the text readers: whitespace-separated lines of numbers.

Private: the engine (:mod:`wavelens.io._textengine`) runs :func:`parse_segment_ws`
instead of :func:`wavelens.io._textkernels.parse_segment` for whitespace-separated
files of equal-length rows without id, label or time columns (the helicopter
files), and on nothing else.

Why it is faster
----------------
The general kernel finds where a token ends by parsing it, so the next token's
start waits on the previous token's bytes: a chain of dependent loads of about
30 cycles per token that no out-of-order core can shorten (measured: finding the
token ends alone takes as long as the whole parse). Here a line is cut first, 64
bytes at a time: a vector compare gives the blanks of a window as a bit mask, the
token starts and ends are bit operations on it, and the windows' addresses depend
on nothing, so the cut runs at several tokens per nanosecond. The tokens, with
their ends known, are then converted independently of each other (the digits by
vector multiply-adds, see :func:`wavelens.io._textnumbers._digits16`), which the
core overlaps.

A line is taken if every field is a number and the line holds the file's number
of fields; blanks are runs of spaces, tabs and carriage returns, as in the general
kernel. Anything else (a blank or comment line, a token for Python's ``float``, a
bad token, a wrong count) sends that one line to the general kernel, which parses
it (or reports its error) exactly as it would have; the fast path then goes on
with the next line. Both paths give the same values and errors.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from ._textkernels import OK, _find_newline, parse_segment
from ._textnumbers import (
    _P10, _SIMD, _TOK_OK, _TWO53, _U0, _U1, _at, _cttz, _digit_mask16, _digits16, _parse_number, _put,
)  # fmt: skip

__all__ = ["parse_segment_ws", "WINDOW", "TOKENS"]

WINDOW = 64  # bytes of one blank mask; the caller keeps this much padding
TOKENS = 8192  # tokens cut ahead of their conversion (scratch of the caller: TOKENS + WINDOW)
_U63 = np.uint64(63)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mask_intrinsic(bytes_: tuple[int, ...], doc: str):
    @intrinsic
    def mask(typingctx, arr, idx):
        if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
            return None
        sig = types.uint64(arr, types.intp)

        def codegen(context, builder, signature, args):
            ary = context.make_array(signature.args[0])(context, builder, args[0])
            vty = ir.VectorType(ir.IntType(8), WINDOW)
            ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), vty.as_pointer())
            v = builder.load(ptr, align=1)
            hit = None
            for byte in bytes_:
                eq = builder.icmp_unsigned("==", v, ir.Constant(vty, [byte] * WINDOW))
                hit = eq if hit is None else builder.or_(hit, eq)
            return builder.bitcast(hit, ir.IntType(WINDOW))

        return sig, codegen

    mask.__doc__ = doc
    return mask


_blank_mask = _mask_intrinsic(
    (32, 9, 13, 10), "Bit k set where arr[idx + k] is a space, tab, CR or newline (k < 64)."
)
_newline_mask = _mask_intrinsic((10,), "Bit k set where arr[idx + k] is a newline (k < 64).")


@intrinsic
def _popcount(typingctx, x):
    """Set bits of a uint64."""
    if x != types.uint64:
        return None
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


@njit(inline="always")
def _extract(bits, base, dst, n):
    """Append ``base + k`` for each set bit ``k`` of ``bits`` to ``dst[n:]``.

    Eight entries are written whatever the count (those past it are garbage that
    the next call overwrites), so that a window of up to eight tokens costs no
    branch on their number: a loop would mispredict its exit once a window.
    ``dst`` needs eight entries of slack.
    """
    cnt = np.int64(_popcount(bits))
    for u in range(8):
        dst[n + u] = base + np.int64(_cttz(bits))
        bits &= bits - _U1
    if cnt > 8:
        k = n + 8
        while bits != _U0:
            dst[k] = base + np.int64(_cttz(bits))
            bits &= bits - _U1
            k += 1
    return n + cnt


@njit(inline="always")
def _cut(buf, i, ts, te, cap):
    """Cut the line from ``i`` (a line start or a token start) into tokens.

    Token ``k`` is ``buf[ts[k]:te[k]]``. Stops at the line's newline, or at the
    first window boundary after ``cap`` tokens. Returns ``(n_starts, n_ends, at)``:
    ``at >= 0`` is the index of the newline (then every token is whole); else
    the cut stopped at the window boundary ``-1 - at``, ``n_ends`` tokens are whole
    and the rest of the line begins at ``ts[n_ends]`` if ``n_starts > n_ends``
    (a token across the boundary), else at the boundary.
    """
    wbase = i - (i & (WINDOW - 1))
    off = i - wbase
    ns = 0
    ne = 0
    prev_blank = _U1  # the byte before ``i`` counts as a blank
    while True:
        mb = _blank_mask(buf, wbase)
        mn = _newline_mask(buf, wbase)
        if off > 0:
            low = (_U1 << np.uint64(off)) - _U1
            mb |= low  # bytes before ``i``: blanks
            mn &= ~low
            off = 0
        if mn != _U0:
            stop = _cttz(mn)
            mb |= _ALL << stop  # from the newline on: blank
        nb = ~mb
        starts = nb & ((mb << _U1) | prev_blank)
        ends = mb & ((nb << _U1) | (prev_blank ^ _U1))
        prev_blank = mb >> _U63
        ns = _extract(starts, wbase, ts, ns)
        ne = _extract(ends, wbase, te, ne)
        if mn != _U0:
            return ns, ne, wbase + np.int64(_cttz(mn))
        wbase += WINDOW
        if ns >= cap:
            return ns, ne, -1 - wbase


@njit(inline="always")
def _number(buf, s, e):
    """``(ok, value)`` of the token ``buf[s:e]`` if it is ``[+-]digits[.digits]``
    in at most 15 bytes after the sign, optionally followed by an exponent of one
    to three digits, and Clinger's fast path applies: then it is the value the
    general parser gives (the same mantissa and exponent, the same one rounding),
    found without a loop over the digits. ``ok`` is False for any other token,
    which the general parser then takes."""
    c = _at(buf, s)
    neg = c == 45
    p = s + (np.int64(neg) | np.int64(c == 43))
    mask = _digit_mask16(buf, p)
    ni = np.int64(_cttz(~mask))
    if ni == 0:
        return False, 0.0
    m = p + ni  # end of the mantissa
    nfr = 0
    if _at(buf, m) == 46:  # '.'
        nfr = np.int64(_cttz(~(mask >> np.uint64(ni + 1))))
        if nfr == 0:
            return False, 0.0
        m += 1 + nfr
    if m - p >= 16:  # the digits may go on past the mask
        return False, 0.0
    q = -nfr
    if m != e:
        if _at(buf, m) | np.uint8(0x20) != 101:  # 'e' or 'E'
            return False, 0.0
        j = m + 1
        c = _at(buf, j)
        eneg = c == 45
        j += np.int64(eneg) | np.int64(c == 43)
        if e - j < 1 or e - j > 3:
            return False, 0.0
        ex = 0
        while j < e:
            d = np.int64(_at(buf, j)) - 48
            if d < 0 or d > 9:
                return False, 0.0
            ex = ex * 10 + d
            j += 1
        q += -ex if eneg else ex
        if q < -22 or q > 22:
            return False, 0.0
    w = _digits16(buf, p, ni, ni + nfr)
    if w > _TWO53:
        return False, 0.0
    x = np.float64(w)
    if q < 0:
        x = x / _at(_P10, -q)
    elif q > 0:
        x = x * _at(_P10, q)
    return True, -x if neg else x


@njit(inline="always")
def _convert_tokens(buf, ts, te, n, out, dst, col_stride):
    """Convert tokens ``[0, n)`` into ``out[dst + k * col_stride]``; False on a
    token neither parser takes whole."""
    for k in range(n):
        s = _at(ts, k)
        e = _at(te, k)
        ok, val = _number(buf, s, e)
        if not ok:
            status, val, end = _parse_number(buf, s)
            if status != _TOK_OK or end != e:
                return False
        _put(out, dst + k * col_stride, val)
    return True


@njit(inline="always")
def _fast_line(buf, i, nf, out, dst, col_stride, ts, te):
    """Parse the line at ``i`` if every field is a number and there are ``nf``;
    ``(ok, next line start)``. On failure some fields may have been written."""
    j = 0
    while True:
        ns, ne, nl = _cut(buf, i, ts, te, TOKENS)
        if j + ne > nf:
            return False, i
        if not _convert_tokens(buf, ts, te, ne, out, dst + j * col_stride, col_stride):
            return False, i
        j += ne
        if nl >= 0:
            if j != nf or j == 0:
                return False, i
            return True, nl + 1
        i = _at(ts, ne) if ns > ne else -1 - nl


@njit(cache=True, nogil=True, error_model="numpy")
def parse_segment_ws(
    buf, q, b, line0, lo, hi, row0, cls, ws, nf, nf_rows, sp, sp_span, sp_aux, out, row_stride,
    col_stride, offsets, aux, spans, row_nf, slow, err, work, ts, te,
):  # fmt: skip
    """:func:`~wavelens.io._textkernels.parse_segment`, faster on simple lines.

    The same arguments, outputs and return values, and two scratch arrays ``ts``
    and ``te`` (int64, at least ``TOKENS + WINDOW``); the caller guarantees
    whitespace mode (``ws``), ``nf >= 0``, no special column, an empty
    ``offsets`` and :data:`WINDOW` readable bytes after the last line.
    ``err[5]`` must be 0 on entry (the number of slow tokens so far).
    """
    i = q
    line = line0
    end = buf.shape[0]
    while i < b and line < lo:
        i = _find_newline(buf, i, end) + 1
        line += 1
    while i < b and line < hi:
        r = row0 + line - lo
        ok = False
        nxt = i
        if _SIMD:
            ok, nxt = _fast_line(buf, i, nf, out, r * row_stride, col_stride, ts, te)
        if ok:
            row_nf[r] = nf
            i = nxt
        else:
            # this one line, as the general kernel reads it (values, errors, slow tokens)
            status = parse_segment(
                buf, i, i + 1, line, line, line + 1, r, cls, ws, nf, nf_rows, sp, sp_span, sp_aux, out,
                row_stride, col_stride, offsets, aux, spans, row_nf, slow, err, work,
            )  # fmt: skip
            if status != OK:
                return status
            i = _find_newline(buf, i, end) + 1
        line += 1
    return OK
