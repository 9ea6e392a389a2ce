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

Conversion, fastest first (each gives the general parser's value, or declines):

* :func:`_decimal4` (AVX-512 F/BW/DQ/VL and BMI2): four tokens of the form
  ``[-]digits.digits`` in at most 16 bytes (the common form of signal files) in
  one 512-bit vector, one vector division for the four;
* :func:`_decimal`: the same form one token at a time (a shuffle from a table);
* :func:`_number`: with an exponent, up to 15 digits, on Clinger's fast path;
* :func:`wavelens.io._textnumbers._parse_number`: anything else.

With AVX-512 VBMI2 the cut packs a window's token offsets with one
``vpcompressb`` instead of a loop over the bits. Which paths exist is fixed when
the kernel is compiled, from the CPU numba compiles for (:data:`_AVX512`,
:data:`_VBMI2`); without them the SSE4.1 paths run. Cut and conversion, one
thread, 100 rows of the helicopter-format benchmark file, AMD EPYC with AVX-512: 5.9 ns
a number with the SSE4.1 paths (7.4 before :func:`_decimal`), 4.2 ns with
:func:`_decimal4`, 3.7 ns with ``vpcompressb`` too.

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
from numba.core import cgutils
from numba.extending import intrinsic

from ._textkernels import OK, _find_newline, parse_segment
from ._textnumbers import (
    _P10, _SIMD, _TOK_OK, _TWO53, _U0, _U1, _V16, _at, _cttz, _digit_mask16, _digits16, _parse_number, _put,
    _x86,
)  # fmt: skip

__all__ = ["parse_segment_ws", "WINDOW", "TOKENS"]

WINDOW = 64  # bytes of one blank mask; the caller keeps this much padding
TOKENS = 8192  # tokens cut ahead of their conversion (scratch of the caller: TOKENS + WINDOW)
_U63 = np.uint64(63)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_U8 = np.uint64(8)


def _has(*features: str) -> bool:
    """Whether numba compiles for an x86 CPU with SSE4.1 and these features."""
    if not _SIMD:
        return False
    try:
        import llvmlite.binding as llvm

        f = llvm.get_host_cpu_features()
        return all(bool(f.get(k)) for k in features)
    except Exception:  # pragma: no cover - an llvmlite without the query
        return False


# compile-time constants of the kernel: the AVX-512 paths, else the SSE4.1 ones
_AVX512 = _has("avx512f", "avx512bw", "avx512dq", "avx512vl", "bmi2")
_VBMI2 = _AVX512 and _has("avx512vbmi2")
BATCH = 4  # tokens per :func:`_decimal4`


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


@intrinsic
def _compress8(typingctx, bits, base, dst, n):
    """``dst[n + u] = base + k_u`` for the positions ``k_0 < k_1 < ...`` of the first
    eight set bits of ``bits`` (garbage past their count): AVX-512 VBMI2 packs
    the positions in one instruction (``vpcompressb`` of 0..63), then eight
    entries are stored at once."""
    if not (bits == types.uint64 and isinstance(dst, types.Array) and dst.dtype == types.int64):
        return None
    sig = types.void(bits, base, dst, n)

    def codegen(context, builder, signature, args):
        i8, i32, i64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
        v64, v8q = ir.VectorType(i8, 64), ir.VectorType(i64, 8)
        ary = context.make_array(signature.args[2])(context, builder, args[2])
        m = builder.bitcast(args[0], ir.VectorType(ir.IntType(1), 64))
        fn = builder.module.declare_intrinsic(
            "llvm.x86.avx512.mask.compress.v64i8",
            fnty=ir.FunctionType(v64, [v64, v64, ir.VectorType(ir.IntType(1), 64)]),
        )
        iota = ir.Constant(v64, list(range(64)))
        packed = builder.call(fn, [iota, ir.Constant(v64, [0] * 64), m])
        low = builder.shuffle_vector(packed, packed, ir.Constant(ir.VectorType(i32, 8), list(range(8))))
        pos = builder.zext(low, v8q)
        base = context.cast(builder, args[1], signature.args[1], types.int64)
        b8 = builder.insert_element(ir.Constant(v8q, ir.Undefined), base, ir.Constant(i32, 0))
        zeros = ir.Constant(ir.VectorType(i32, 8), [0] * 8)
        b8 = builder.shuffle_vector(b8, ir.Constant(v8q, ir.Undefined), zeros)
        ptr = builder.bitcast(builder.gep(ary.data, [args[3]]), v8q.as_pointer())
        builder.store(builder.add(pos, b8), ptr, align=8)
        return context.get_dummy_value()

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
    if _VBMI2 and cnt <= 8:
        _compress8(bits, base, dst, n)
        return n + cnt
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


def _shuffle_table() -> np.ndarray:
    """Byte shuffles of :func:`_point_digits`: entry ``ni * 16 + nd`` right-aligns
    the ``nd`` digits of a token with its point after the first ``ni`` (dropping
    the point); ``-128`` zeroes a lane."""
    tab = np.full((16, 16, 16), -128, dtype=np.int8)
    for ni in range(16):
        for nd in range(16):
            for t in range(16):
                j = t - (16 - nd)
                if j >= 0:
                    tab[ni, nd, t] = j + (j >= ni)
    return tab.reshape(-1)


_SHUFFLES = _shuffle_table()
_U16B = np.uint64(16)
_M16 = np.uint64(0xFFFF)


@intrinsic
def _classes16(typingctx, arr, idx):
    """Bit ``k`` set where ``arr[idx + k]`` is a digit; bit ``16 + k`` where it is
    a point (``k < 16``)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
        return None
    sig = types.uint64(arr, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        v = builder.load(builder.bitcast(builder.gep(ary.data, [args[1]]), _V16.as_pointer()), align=1)
        d = builder.sub(v, ir.Constant(_V16, [48] * 16))
        i16, i64 = ir.IntType(16), ir.IntType(64)

        def bits(cond):
            return builder.zext(builder.bitcast(cond, i16), i64)

        dig = bits(builder.icmp_unsigned("<", d, ir.Constant(_V16, [10] * 16)))
        dot = bits(builder.icmp_unsigned("==", v, ir.Constant(_V16, [46] * 16)))
        return builder.or_(dig, builder.shl(dot, ir.Constant(i64, 16)))

    return sig, codegen


@intrinsic
def _point_digits(typingctx, arr, idx, tab, k):
    """The integer of the digits at ``arr[idx:idx + 16]`` selected by the shuffle
    ``tab[k * 16:(k + 1) * 16]`` (see :func:`_shuffle_table`); at most 15 digits.

    One table load replaces the computation of the shuffle in :func:`_digits16`;
    then the same multiply-adds (10, 100, 10**4) into two eight-digit halves.
    """
    if not (isinstance(arr, types.Array) and arr.dtype == types.uint8):
        return None
    if not (isinstance(tab, types.Array) and tab.dtype == types.int8):
        return None
    sig = types.uint64(arr, types.intp, tab, types.intp)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        tary = context.make_array(signature.args[2])(context, builder, args[2])
        i32, i64 = ir.IntType(32), ir.IntType(64)
        v16x8, v32x4 = ir.VectorType(ir.IntType(16), 8), ir.VectorType(i32, 4)
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), _V16.as_pointer())
        d = builder.sub(builder.load(ptr, align=1), ir.Constant(_V16, [48] * 16))
        off = builder.mul(args[3], ir.Constant(i64, 16))
        src = builder.load(builder.bitcast(builder.gep(tary.data, [off]), _V16.as_pointer()), align=1)
        r = _x86(builder, "llvm.x86.ssse3.pshuf.b.128", _V16, [d, src])
        m1 = _x86(builder, "llvm.x86.ssse3.pmadd.ub.sw.128", v16x8, [r, ir.Constant(_V16, [10, 1] * 8)])
        m2 = _x86(builder, "llvm.x86.sse2.pmadd.wd", v32x4, [m1, ir.Constant(v16x8, [100, 1] * 4)])
        m3 = _x86(builder, "llvm.x86.sse41.packusdw", v16x8, [m2, m2])
        m4 = _x86(builder, "llvm.x86.sse2.pmadd.wd", v32x4, [m3, ir.Constant(v16x8, [10000, 1] * 4)])
        hi = builder.zext(builder.extract_element(m4, ir.Constant(i32, 0)), i64)
        lo = builder.zext(builder.extract_element(m4, ir.Constant(i32, 1)), i64)
        return builder.add(builder.mul(hi, ir.Constant(i64, 10**8)), lo)

    return sig, codegen


@intrinsic
def _decimal4(typingctx, buf, ts, te, k, out, dst):
    """Tokens ``k .. k + 3`` (``buf[ts[k + u]:te[k + u]]``) into ``out[dst:dst + 4]`` if
    every one is ``[-]digits.digits`` in at most 16 bytes (and the first ends at
    byte 16 or later); True if done, else nothing is written.

    The AVX-512 form of :func:`_decimal`, four tokens at once: the 16 bytes that
    end each token fill one 128-bit lane of a 512-bit vector, so its fraction
    digits are already right-aligned. The point's lane ``dp`` is a bit of a
    64-bit mask (one 16-bit group a token); the integer digits, shifted one byte
    up (over the point), join the fraction digits, and the multiply-adds of
    :func:`_point_digits` give the integer ``w < 10**15`` of each lane. The
    divisor ``10**(15 - dp)`` comes from a table by the count of fraction digits;
    one vector division gives the four values, each exactly rounded (the values
    of :func:`_decimal`).
    """
    if not (isinstance(buf, types.Array) and buf.dtype == types.uint8):
        return None
    for a in (ts, te, out):  # raw addresses: contiguous 1-D arrays only
        if not (isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C"):
            return None
    if ts.dtype != types.int64 or te.dtype != types.int64 or out.dtype not in (types.float32, types.float64):
        return None
    sig = types.boolean(buf, ts, te, types.intp, out, types.intp)

    def codegen(context, builder, signature, args):
        i1, i8, i16, i32, i64 = (ir.IntType(n) for n in (1, 8, 16, 32, 64))
        f64 = ir.DoubleType()

        def vt(t, n):
            return ir.VectorType(t, n)

        def const(t, n, vals):
            return ir.Constant(vt(t, n), list(vals))

        def c64(v):
            return ir.Constant(i64, v)

        def shuf(a, b, idx):
            return builder.shuffle_vector(a, b, ir.Constant(vt(i32, len(idx)), list(idx)))

        def mask(bits):  # i64 -> <64 x i1>
            return builder.bitcast(bits, vt(i1, 64))

        def bits(m):  # <64 x i1> -> i64
            return builder.bitcast(m, i64)

        bary = context.make_array(signature.args[0])(context, builder, args[0])
        sary = context.make_array(signature.args[1])(context, builder, args[1])
        eary = context.make_array(signature.args[2])(context, builder, args[2])
        oary = context.make_array(signature.args[4])(context, builder, args[4])
        k = args[3]
        v4 = vt(i64, 4)
        result = cgutils.alloca_once_value(builder, ir.Constant(i1, 0))
        e0 = builder.load(builder.gep(eary.data, [k]))
        with builder.if_then(builder.icmp_signed(">=", e0, c64(16)), likely=True):
            S = builder.load(builder.bitcast(builder.gep(sary.data, [k]), v4.as_pointer()), align=8)
            E = builder.load(builder.bitcast(builder.gep(eary.data, [k]), v4.as_pointer()), align=8)
            xs = []
            for u in range(4):
                eu = builder.extract_element(E, ir.Constant(i32, u))
                ptr = builder.gep(bary.data, [builder.sub(eu, c64(16))])
                xs.append(builder.load(builder.bitcast(ptr, _V16.as_pointer()), align=1))
            V = shuf(shuf(xs[0], xs[1], range(32)), shuf(xs[2], xs[3], range(32)), range(64))
            N = builder.sub(E, S)
            n_ok = builder.icmp_unsigned("<", builder.sub(N, const(i64, 4, [1] * 4)), const(i64, 4, [16] * 4))
            i4 = ir.IntType(4)
            n_ok = builder.icmp_unsigned("==", builder.bitcast(n_ok, i4), ir.Constant(i4, 15))
            spread = [u // 16 for u in range(64)]  # lane u // 16 of four into each byte of lane u
            Nb = shuf(builder.trunc(N, vt(i8, 4)), ir.Constant(vt(i8, 4), ir.Undefined), spread)
            iota = const(i8, 64, [t % 16 for t in range(64)])
            inside = bits(builder.icmp_unsigned(">=", builder.add(iota, Nb), const(i8, 64, [16] * 64)))
            D = builder.sub(V, const(i8, 64, [48] * 64))
            dig = bits(builder.icmp_unsigned("<", D, const(i8, 64, [10] * 64)))
            dot = builder.and_(bits(builder.icmp_unsigned("==", V, const(i8, 64, [46] * 64))), inside)
            minus = bits(builder.icmp_unsigned("==", V, const(i8, 64, [45] * 64)))
            lane0 = c64(0x0001000100010001)
            lane15 = c64(0x8000800080008000 - 2**64)
            before = builder.and_(builder.shl(inside, c64(1)), builder.not_(lane0))  # in each group
            first = builder.and_(inside, builder.not_(before))  # a token's first lane
            sgn = builder.and_(minus, first)
            bad = builder.and_(inside, builder.not_(builder.or_(builder.or_(dig, dot), sgn)))
            # exactly one point a token: its lowest bit in each group is all of it, four bits in all
            low = builder.and_(dot, builder.add(builder.not_(dot), lane0))
            ok = builder.icmp_unsigned("==", bad, c64(0))
            ok = builder.and_(ok, builder.icmp_unsigned("==", low, dot))
            ok = builder.and_(ok, builder.icmp_unsigned("==", builder.ctpop(dot), c64(4)))
            # not in the first or last lane, a digit before it
            ends = c64(0x8001800180018001 - 2**64)
            ok = builder.and_(ok, builder.icmp_unsigned("==", builder.and_(dot, ends), c64(0)))
            no_digit = builder.not_(builder.and_(dig, inside))
            ok = builder.and_(ok, builder.icmp_unsigned(
                "==", builder.and_(builder.lshr(dot, c64(1)), no_digit), c64(0)))  # fmt: skip
            ok = builder.and_(ok, n_ok)
            with builder.if_then(ok, likely=True):
                aft = builder.add(builder.not_(builder.shl(dot, c64(1))), lane0)  # lanes after the point
                ints = builder.and_(builder.and_(dig, inside), builder.not_(aft))  # integer digits
                zero8 = ir.Constant(vt(i8, 64), [0] * 64)
                T = shuf(D, zero8, [t - 1 if t % 16 else 64 for t in range(64)])  # one byte up, in each lane
                G = builder.select(mask(aft), D, builder.select(mask(builder.shl(ints, c64(1))), T, zero8))
                r = G
                x86 = "llvm.x86.avx512."
                m1 = _x86(builder, x86 + "pmaddubs.w.512", vt(i16, 32), [r, const(i8, 64, [10, 1] * 32)])
                m2 = _x86(builder, x86 + "pmaddw.d.512", vt(i32, 16), [m1, const(i16, 32, [100, 1] * 16)])
                m3 = _x86(builder, x86 + "packusdw.512", vt(i16, 32), [m2, m2])
                m4 = _x86(builder, x86 + "pmaddw.d.512", vt(i32, 16), [m3, const(i16, 32, [10000, 1] * 16)])
                q = builder.bitcast(m4, vt(i64, 8))
                q = shuf(q, q, [0, 2, 4, 6])
                high8 = builder.and_(q, const(i64, 4, [0xFFFFFFFF] * 4))  # the first eight digits
                low8 = builder.lshr(q, const(i64, 4, [32] * 4))
                W = builder.add(builder.mul(high8, const(i64, 4, [10**8] * 4)), low8)
                X = builder.uitofp(W, vt(f64, 4))
                # fraction digits of each token: the bits of its group of ``aft``
                grp = builder.bitcast(aft, vt(i16, 4))
                popw = builder.module.declare_intrinsic(
                    "llvm.ctpop.v4i16", fnty=ir.FunctionType(vt(i16, 4), [vt(i16, 4)]))  # fmt: skip
                nfr = builder.zext(builder.call(popw, [grp]), v4)
                v8d = vt(f64, 8)
                t0 = ir.Constant(v8d, [10.0**e for e in range(8)])
                t1 = ir.Constant(v8d, [10.0**e for e in range(8, 16)])
                idx = shuf(nfr, ir.Constant(v4, ir.Undefined), [0, 1, 2, 3, 0, 1, 2, 3])
                P = _x86(builder, "llvm.x86.avx512.vpermi2var.pd.512", v8d, [t0, idx, t1])
                Y = builder.fdiv(X, shuf(P, P, [0, 1, 2, 3]))
                # the sign of each token: any bit of its group of ``sgn``
                g = builder.or_(sgn, builder.lshr(sgn, c64(8)))
                g = builder.or_(g, builder.lshr(g, c64(4)))
                g = builder.or_(g, builder.lshr(g, c64(2)))
                g = builder.or_(g, builder.lshr(g, c64(1)))
                pext_ty = ir.FunctionType(i64, [i64, i64])
                pext = builder.module.declare_intrinsic("llvm.x86.bmi.pext.64", fnty=pext_ty)
                neg4 = builder.call(pext, [g, lane0])
                neg = builder.bitcast(builder.trunc(neg4, ir.IntType(4)), vt(i1, 4))
                Y = builder.select(neg, builder.fsub(ir.Constant(vt(f64, 4), [-0.0] * 4), Y), Y)
                oty = context.get_value_type(signature.args[4].dtype)
                if signature.args[4].dtype == types.float32:
                    Y = builder.fptrunc(Y, vt(oty, 4))
                optr = builder.bitcast(builder.gep(oary.data, [args[5]]), vt(oty, 4).as_pointer())
                builder.store(Y, optr, align=4)
                builder.store(ir.Constant(i1, 1), result)
        return builder.zext(builder.load(result), context.get_value_type(types.boolean))

    return sig, codegen


@njit(inline="always")
def _decimal(buf, s, e):
    """``(ok, value)`` of the token ``buf[s:e]`` if it is ``[-]digits.digits`` in at
    most 16 bytes after the sign (the common form of signal files): a point
    with at least one digit on each side and nothing else. Then it is the value the
    general parser gives: ``w / 10**nfr`` with ``w < 10**15`` and ``nfr <= 14``
    (Clinger's fast path, one rounding). ``ok`` is False for any other token."""
    neg = _at(buf, s) == 45
    p = s + np.int64(neg)
    n = e - p
    if n > 16 or n < 3:
        return False, 0.0
    cl = _classes16(buf, p)
    dots = cl >> _U16B
    ni = _cttz(dots | _U1 << _U16B)  # the first point (16: none)
    full = (_U1 << np.uint64(n)) - _U1
    # every byte a digit but the one point, which has a digit on each side
    if ((cl & _M16) | (_U1 << ni)) & full != full or ni == _U0 or ni >= np.uint64(n - 1):
        return False, 0.0
    ni_ = np.int64(ni)
    w = _point_digits(buf, p, _SHUFFLES, ni_ * 16 + n - 1)
    x = np.float64(w) / _at(_P10, n - 1 - ni_)
    return True, -x if neg else x


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
def _convert_one(buf, s, e, out, at):
    """Convert the token ``buf[s:e]`` into ``out[at]``; False if no parser takes it whole."""
    ok, val = _decimal(buf, s, e)
    if not ok:
        ok, val = _number(buf, s, e)
        if not ok:
            status, val, end = _parse_number(buf, s)
            if status != _TOK_OK or end != e:
                return False
    _put(out, at, val)
    return True


@njit(inline="always")
def _convert_tokens(buf, ts, te, n, out, dst, col_stride):
    """Convert tokens ``[0, n)`` into ``out[dst + k * col_stride]``; False on a
    token neither parser takes whole.

    With AVX-512 and contiguous fields, :data:`BATCH` tokens at a time by
    :func:`_decimal4`; a batch it does not take, one token at a time.
    """
    if _AVX512 and col_stride == 1:
        k = 0
        while k < n:
            if k + BATCH <= n and _decimal4(buf, ts, te, k, out, dst + k):
                k += BATCH
                continue
            stop = min(k + BATCH, n)
            while k < stop:
                if not _convert_one(buf, _at(ts, k), _at(te, k), out, dst + k):
                    return False
                k += 1
        return True
    for k in range(n):
        if not _convert_one(buf, _at(ts, k), _at(te, k), out, dst + k * col_stride):
            return False
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
