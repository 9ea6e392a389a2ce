"""Tests of the fast kernel of the text readers (``wavelens.io._textfast``): on any
input it must give what the general kernel gives: values, row counts, slow tokens
and errors."""

from __future__ import annotations

import numpy as np
import pytest

from wavelens.exceptions import DataFormatError
from wavelens.io import _textengine as tp
from wavelens.io import _textfast, load
from wavelens.io._textnumbers import _SIMD

pytestmark = pytest.mark.skipif(not _SIMD, reason="the fast kernel needs an x86 CPU with SSE4.1")


def _buffer(text: bytes) -> np.ndarray:
    buf = np.zeros(len(text) + tp.PAD + 1, dtype=np.uint8)
    buf[: len(text)] = np.frombuffer(text, dtype=np.uint8)
    return buf


def _run(kernel, text: bytes, nf: int, n_lines: int, dtype=np.float32, fast: bool = False):
    """Run a kernel over all lines; everything it returns or writes."""
    buf = _buffer(text)
    none = np.full(3, -1, dtype=np.int64)
    sp = np.full(3, tp.NONE_COLUMN, dtype=np.int64)
    out = np.full(n_lines * nf, -7.0, dtype=dtype)
    row_nf = np.full(n_lines, -1, dtype=np.int32)
    slow = np.zeros((64, 3), dtype=np.int64)
    err = np.zeros(6, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    args = (
        buf, 0, len(text), 0, 0, n_lines, 0, tp.char_classes(0, ord("#")), True, nf, empty, sp, none, none,
        out, nf, 1, empty, np.empty((n_lines, 0)), np.zeros((n_lines, 0, 2), np.int64), row_nf, slow, err,
        np.zeros(8, np.int64),
    )  # fmt: skip
    if fast:
        toks = np.empty((2, _textfast.TOKENS + _textfast.WINDOW), dtype=np.int64)
        args += (toks[0], toks[1])
    status = kernel(*args)
    n_slow = int(err[5])
    return status, out, row_nf, slow[:n_slow].copy(), err[:5].copy()


def _same(text: bytes, nf: int, n_lines: int, dtype=np.float32) -> tuple[int, np.ndarray]:
    general = _run(tp.parse_segment, text, nf, n_lines, dtype)
    fast = _run(_textfast.parse_segment_ws, text, nf, n_lines, dtype, fast=True)
    assert general[0] == fast[0], text[:200]
    if general[0] == tp.OK:
        assert general[1].tobytes() == fast[1].tobytes(), text[:200]
        assert np.array_equal(general[2], fast[2])
        assert np.array_equal(general[3], fast[3])
    else:
        # the error is the same; values of the lines before it too
        assert np.array_equal(general[4], fast[4]), (general[4], fast[4])
        line = int(general[4][1])
        assert general[1][: line * nf].tobytes() == fast[1][: line * nf].tobytes()
    return general[0], general[1]


def _token(rng: np.random.Generator) -> str:
    kind = int(rng.integers(12))
    x = float(rng.normal() * 10.0 ** rng.integers(-4, 4))
    if kind < 5:
        return f"{x:.{rng.integers(0, 10)}f}"  # the common form, incl. integers ("%.0f")
    if kind == 5:
        return f"{x:.{rng.integers(1, 10)}e}"
    if kind == 6:
        return repr(x)
    if kind == 7:
        return f"{x:+.3f}"
    if kind == 8:
        return f"{x:.14f}"  # 16 or more bytes: the general parser's
    if kind == 9:
        return str(int(rng.integers(-(10**15), 10**15)))
    if kind == 10:
        return ["nan", "-inf", "Infinity", ".5", "-.25", "1.", "0", "-0", "-0.000"][int(rng.integers(9))]
    return f"{abs(x):.6f}"


def test_same_as_general_kernel_on_good_lines():
    rng = np.random.default_rng(1)
    nf, n_lines = 37, 60
    lines = []
    for _ in range(n_lines):
        toks = [_token(rng) for _ in range(nf)]
        seps = [[" ", "\t", "  ", " \t "][int(rng.integers(4)) if rng.random() < 0.2 else 0] for _ in toks]
        line = "".join(t + s for t, s in zip(toks, seps))[: -len(seps[-1])]
        if rng.random() < 0.1:
            line = " " + line + "  "  # leading and trailing blanks
        lines.append(line + ("\r\n" if rng.random() < 0.1 else "\n"))
    status, out = _same("".join(lines).encode(), nf, n_lines)
    assert status == tp.OK
    expected = np.array([[float(t) for t in line.split()] for line in lines], dtype=np.float64)
    assert out.tobytes() == expected.astype(np.float32).tobytes()


@pytest.mark.parametrize(
    "bad",
    [
        b"1.5 2x 3\n",  # not a number
        b"1.5 2.5\n",  # too few
        b"1.5 2.5 3 4\n",  # too many
        b"1.5 1e 3\n",  # exponent without digits
        b"1.5 -- 3\n",
        b"1.5 1.2.3 3\n",
        b"1.5 0x10 3\n",
        b"1.5 2\x0c 3\n",  # a form feed is no blank
        b"1.5 " + b"1" * 80 + b" 3\n",  # a token longer than a window
    ],
)
def test_same_errors_as_general_kernel(bad):
    good = b"0.25 -1.5 3\n" * 5
    status, _ = _same(good + bad + good, 3, 11)
    if bad.startswith(b"1.5 " + b"1" * 80):
        assert status == tp.OK  # a long integer: not an error, the general parser's
    else:
        assert status != tp.OK


def test_blank_comment_and_slow_lines_go_to_the_general_kernel():
    text = (
        b"1 2 3\n"
        b"\n"  # blank: row_nf 0
        b"# a comment\n"
        b"4 5 6 # and one after\n"
        b"7 2.2250738585072011e-308 9\n"  # a token for Python's float()
        b"   \t  \n"
        b"1.25 2.5 3.75\n"
    )
    status, out = _same(text, 3, 7)
    assert status == tp.OK
    general = _run(tp.parse_segment, text, 3, 7)
    assert general[2].tolist() == [3, 0, 0, 3, 3, 0, 3]
    assert len(general[3]) == 1  # one slow token, found by both


def test_lines_longer_than_the_token_scratch(tmp_path):
    # more tokens on a line than the kernel cuts ahead (resumes inside a line, tokens across windows)
    rng = np.random.default_rng(3)
    n = _textfast.TOKENS * 2 + 123
    rows = [" ".join(f"{v:.{rng.integers(1, 10)}f}" for v in rng.normal(size=n)) for _ in range(3)]
    text = ("\n".join(rows) + "\n").encode()
    status, out = _same(text, n, 3)
    assert status == tp.OK
    path = tmp_path / "long.txt"
    path.write_bytes(text)
    s = load(path)
    assert s.data.tobytes() == np.loadtxt(path).astype(np.float32)[:, None, :].tobytes()


def test_window_boundaries_at_every_offset():
    # the same line shifted by 0..63 bytes: tokens start and end at every window offset
    line = b"-0.123456789 1.5 22 -3.25e-01 4.000000001 0.5\n"
    for shift in range(64):
        text = b" " * shift + line + line
        status, out = _same(text, 6, 2)
        assert status == tp.OK
        assert out[:6].tolist() == np.array([-0.123456789, 1.5, 22, -0.325, 4.000000001, 0.5], np.float32).tolist()


def test_engine_uses_the_fast_kernel_only_where_it_reads_the_same(tmp_path, monkeypatch):
    calls = []
    real = _textfast.parse_segment_ws

    def spy(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(tp, "parse_segment_ws", spy)
    path = tmp_path / "a.txt"
    path.write_text("1 2 3\n4 5 6\n")
    assert load(path).data.shape == (2, 1, 3)
    assert calls
    calls.clear()
    comma = tmp_path / "b.csv"
    comma.write_text("1,2,3\n4,5,6\n")
    load(comma)
    ids = tmp_path / "c.txt"
    ids.write_text("a 2 3\nb 5 6\n")
    assert list(load(ids, id_column=0).ids) == ["a", "b"]
    assert not calls
    # a comment character that could be part of a number: the general kernel only
    assert not tp.Engine(path, 0, 0, ord("e"), 1).fast
    assert tp.Engine(path, 0, 0, ord("#"), 1).fast


def test_errors_through_the_fast_path_name_line_and_column(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("0.5 1.5 2.5\n" * 3 + "0.5 1,5 2.5\n")
    with pytest.raises(DataFormatError, match=r"line 4, column 2 \(character 5\): '1,5' is not a number"):
        load(path)


def test_prefault_and_small_pages_keep_the_contents():
    a = np.arange(3 * 5000, dtype=np.float32).reshape(3, 5000)  # rows not page-aligned
    before = a.copy()
    tp.small_pages(a)
    tp.prefault(a, 1, 3)
    tp.prefault(a, 0, 99)  # beyond the end: clipped
    tp.prefault(a, 2, 2)  # empty
    assert np.array_equal(a, before)
    big = np.empty((64, 2**16), dtype=np.float32)  # 16 MiB: numpy asks for huge pages
    tp.small_pages(big)
    tp.prefault(big, 0, 64)
    big[:] = 1.5
    assert float(big.sum()) == 1.5 * big.size


def _decimal_token(rng: np.random.Generator) -> str:
    """Tokens around the shape the four-at-a-time path takes (``[-]digits.digits``
    in at most 16 bytes), on both sides of each of its limits."""
    kind = int(rng.integers(10))
    if kind < 6:
        ni = int(rng.integers(1, 9))
        nfr = int(rng.integers(1, 17 - ni))  # up to 17 bytes with the sign
        sign = "-" if rng.random() < 0.5 else ""
        digits = "".join(str(d) for d in rng.integers(0, 10, ni + nfr))
        return f"{sign}{digits[:ni]}.{digits[ni:]}"
    if kind == 6:
        return f"{rng.normal():.{rng.integers(1, 10)}e}"  # the ~1 % of the helicopter files
    if kind == 7:
        return str(int(rng.integers(-999, 999)))
    if kind == 8:
        odd = ["-0.0", "0.0", "-0.000000", "+1.5", "1.", ".5", "-.5", "9" * 15 + ".9", "-" + "9" * 14 + ".9",
               "1" * 16 + ".5", "0.00000000000001", "-0.00000000000001", "99999999.9999999"]  # fmt: skip
        return odd[int(rng.integers(len(odd)))]
    return f"{rng.normal() * 1e3:.3f}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_decimal_batches_same_as_general_kernel(dtype):
    rng = np.random.default_rng(5)
    nf, n_lines = 41, 80  # lines of 41: batches of four end mid-line and across lines
    lines = []
    for r in range(n_lines):
        toks = [_decimal_token(rng) for _ in range(nf)]
        lead = " " * int(rng.integers(0, 3)) if r else ""  # the first token at byte 0: no bytes before it
        lines.append(lead + " ".join(toks) + "\n")
    text = "".join(lines).encode()
    status, out = _same(text, nf, n_lines, dtype)
    assert status == tp.OK
    for dst, a, b in _run(tp.parse_segment, text, nf, n_lines, dtype)[3].tolist():
        out[dst] = float(text[a:b])  # the few tokens left to Python's float()
    expected = np.array([[float(t) for t in line.split()] for line in lines], dtype=np.float64).astype(dtype)
    assert out.tobytes() == expected.tobytes()
    assert np.signbit(out.reshape(n_lines, nf)[0]).tolist() == [t.startswith("-") for t in lines[0].split()]


@pytest.mark.parametrize(
    "bad",
    [b"1.5 2.5 1-2.5 3.5", b"1.5 2.5 1..5 3.5", b"1.5 2.5 -1.5- 3.5", b"1.5 2.5 --1.5 3.5", b"1.5 2.5 . 3.5",
     b"1.5 2.5 1.5.5 3.5", b"1.5 2.5 -. 3.5", b"1.5 2.5 1,5 3.5"],  # fmt: skip
)
def test_decimal_batches_same_errors(bad):
    good = b"0.25 -1.5 3.125 -4.0625\n" * 3
    status, _ = _same(good + bad + b"\n" + good, 4, 7)
    assert status != tp.OK


def test_decimal_batches_near_the_buffer_start():
    # the first tokens end before byte 16: the batch reads 16 bytes before each end
    texts = (b"1.5 -2.5 3.5 4.5 5.5\n", b"-0.1 0.2 -0.3 0.4 0.5\n" * 3, b"12345678.1234567 1.5 2.5 3.5 4.5\n")
    for text in texts:
        status, out = _same(text, 5, text.count(b"\n"))
        assert status == tp.OK
        assert out.tolist() == np.array(text.split(), dtype=np.float64).astype(np.float32).tolist()


@pytest.mark.skipif(not _textfast._AVX512, reason="the four-at-a-time path needs AVX-512")
def test_decimal4_takes_four_decimals_or_writes_nothing():
    from numba import njit

    @njit
    def run(buf, ts, te, k, out, dst):
        return _textfast._decimal4(buf, ts, te, k, out, dst)

    def tokens(text: bytes):
        buf = _buffer(text)
        starts = [i for i in range(len(text)) if text[i] != 32 and (i == 0 or text[i - 1] == 32)]
        ends = [i for i in range(1, len(text) + 1) if text[i - 1] != 32 and (i == len(text) or text[i] == 32)]
        return buf, np.array(starts, np.int64), np.array(ends, np.int64)

    text = b"0.5 -12345678.123456 -0.000 99999999999999.9 7.25 -1234567890.1234"
    buf, ts, te = tokens(text)
    for dtype in (np.float32, np.float64):
        out = np.full(6, 3.0, dtype=dtype)
        assert run(buf, ts, te, 1, out, 2)  # tokens 1-4 into out[2:6]
        assert out[:2].tolist() == [3.0, 3.0]
        assert out[2:].tobytes() == np.array([float(t) for t in text.split()[1:5]]).astype(dtype).tobytes()
        assert np.signbit(out[3])  # -0.000
        assert run(buf, ts, te, 2, out, 0)  # the 16-byte token with its sign in the first byte
    assert not run(buf, ts, te, 0, np.zeros(4, np.float32), 0)  # token 0 ends before byte 16
    for bad in (b"1.5e3", b"+1.5", b"15", b"1.5.5", b"1.", b".5", b"-.5", b"1-2.5", b"12345678901234.56"):
        buf, ts, te = tokens(b"1234567890.5 -1.25 " + bad + b" 2.5 3.75")
        out = np.full(4, 3.0, dtype=np.float32)
        assert not run(buf, ts, te, 1, out, 0), bad
        assert out.tolist() == [3.0] * 4


@pytest.mark.parametrize("flags", [{"_AVX512": False, "_VBMI2": False}])
def test_paths_for_cpus_without_avx512_read_the_same(flags, monkeypatch):
    # the kernel picks its paths at compile time from the CPU: compile it again with
    # the newer paths off and compare with the general kernel
    from numba import njit

    for name, value in flags.items():
        monkeypatch.setattr(_textfast, name, value)
    kernel = njit(nogil=True, error_model="numpy")(_textfast.parse_segment_ws.py_func)
    monkeypatch.setattr(_textfast, "parse_segment_ws", kernel)
    rng = np.random.default_rng(9)
    nf, n_lines = 23, 40
    text = "".join(" ".join(_decimal_token(rng) for _ in range(nf)) + "\n" for _ in range(n_lines)).encode()
    status, out = _same(text, nf, n_lines)
    assert status == tp.OK
    status, _ = _same(text + b"1.5 2..5" + b" 1.5" * (nf - 2) + b"\n", nf, n_lines + 1)
    assert status == tp.ERR_TOKEN
