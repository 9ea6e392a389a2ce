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


def _same(text: bytes, nf: int, n_lines: int) -> tuple[int, np.ndarray]:
    general = _run(tp.parse_segment, text, nf, n_lines)
    fast = _run(_textfast.parse_segment_ws, text, nf, n_lines, fast=True)
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
