"""Number parsing kernels of the text readers: a token of bytes to the correctly
rounded float64, with the typed constants, the intrinsics and the table of
128-bit powers of ten that the kernels of :mod:`wavelens.io._textkernels` share.

Private, imported on first use with the rest of the parsing machinery
(:mod:`wavelens.io._textengine`).


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

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["parse_token"]

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


def _has_sse41() -> bool:
    """Whether numba compiles for an x86 CPU with SSSE3 and SSE4.1 (the 16-byte path)."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "x86"):
        return False
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features()
        return bool(features.get("ssse3")) and bool(features.get("sse4.1"))
    except Exception:  # pragma: no cover - an llvmlite without the query
        return False


_SIMD = _has_sse41()  # a compile-time constant of the kernels
_V16 = ir.VectorType(ir.IntType(8), 16)


def _x86(builder, name, ret, args):
    fn = builder.module.declare_intrinsic(name, fnty=ir.FunctionType(ret, [a.type for a in args]))
    return builder.call(fn, args)


@intrinsic
def _digit_mask16(typingctx, arr, idx):
    """Bit ``k`` set where ``arr[idx + k]`` is an ASCII digit, ``k < 16``."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
        return None
    sig = types.uint64(arr, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), _V16.as_pointer())
        d = builder.sub(builder.load(ptr, align=1), ir.Constant(_V16, [48] * 16))
        hit = builder.icmp_unsigned("<", d, ir.Constant(_V16, [10] * 16))
        return builder.zext(builder.bitcast(hit, ir.IntType(16)), ir.IntType(64))

    return sig, codegen


@intrinsic
def _digits16(typingctx, arr, idx, ni, nd):
    """The integer of the ``nd`` digits at ``arr[idx:]`` with a point after the first
    ``ni`` (skipped when ``nd > ni``); ``nd <= 15`` and every one a digit.

    SSSE3/SSE4.1: one shuffle right-aligns the digits and drops the point, then
    multiply-adds combine them pairwise (10, 100, 10**4) into two eight-digit
    halves: five vector instructions instead of a loop over the digits.
    """
    if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
        return None
    sig = types.uint64(arr, types.intp, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i8, i16, i32, i64 = (ir.IntType(n) for n in (8, 16, 32, 64))
        v8x16, v16x8, v32x4 = _V16, ir.VectorType(i16, 8), ir.VectorType(i32, 4)
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), v8x16.as_pointer())
        d = builder.sub(builder.load(ptr, align=1), ir.Constant(v8x16, [48] * 16))

        def splat(x):
            x8 = builder.trunc(x, i8)
            vec = builder.insert_element(ir.Constant(v8x16, ir.Undefined), x8, ir.Constant(i32, 0))
            return builder.shuffle_vector(vec, ir.Constant(v8x16, ir.Undefined), ir.Constant(ir.VectorType(i32, 16), [0] * 16))

        # lane t of the result takes digit j = t - (16 - nd) (none if j < 0), which is
        # at byte j, or j + 1 once past the point
        j = builder.add(ir.Constant(v8x16, list(range(16))), splat(builder.sub(args[3], ir.Constant(i64, 16))))
        past = builder.icmp_signed(">=", j, splat(args[2]))
        src = builder.add(j, builder.zext(past, v8x16))
        none = builder.icmp_signed("<", j, ir.Constant(v8x16, [0] * 16))
        src = builder.select(none, ir.Constant(v8x16, [-128] * 16), src)
        r = _x86(builder, "llvm.x86.ssse3.pshuf.b.128", v8x16, [d, src])
        m1 = _x86(builder, "llvm.x86.ssse3.pmadd.ub.sw.128", v16x8, [r, ir.Constant(v8x16, [10, 1] * 8)])
        m2 = _x86(builder, "llvm.x86.sse2.pmadd.wd", v32x4, [m1, ir.Constant(v16x8, [100, 1] * 4)])
        m3 = _x86(builder, "llvm.x86.sse41.packusdw", v16x8, [m2, m2])
        m4 = _x86(builder, "llvm.x86.sse2.pmadd.wd", v32x4, [m3, ir.Constant(v16x8, [10000, 1] * 4)])
        hi = builder.zext(builder.extract_element(m4, ir.Constant(i32, 0)), i64)
        lo = builder.zext(builder.extract_element(m4, ir.Constant(i32, 1)), i64)
        return builder.add(builder.mul(hi, ir.Constant(i64, 10**8)), lo)

    return sig, codegen


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
    # the sign without a branch: on signal data it is a coin toss, and a
    # mispredicted branch costs about as much as the rest of a short token
    c = _at(buf, i)
    neg = c == 45  # '-'
    i += np.int64(neg) | np.int64(c == 43)  # '+'
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

