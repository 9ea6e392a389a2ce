"""Tests of the text readers (``text``, ``text-rows``, ``text-columns``)."""

from __future__ import annotations

import io
import math
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wavelens.data import SignalSet, check_collection
from wavelens.exceptions import DataFormatError, ValidationError
from wavelens.io import _textengine as tp
from wavelens.io import detect_format, get_format, iter_chunks, load

DATA = Path(__file__).parents[2].parent / "shared" / "data"
ECG805 = DATA / "ecg-mba" / "MBA_ECG805_data.out"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def as32(x: np.ndarray) -> np.ndarray:
    """float64 to float32 as numpy casts (beyond the float32 range: inf, silently)."""
    with np.errstate(over="ignore"):
        return x.astype(np.float32)


def loadtxt32(path: Path, **kw) -> np.ndarray:
    """What the readers must match: numpy.loadtxt in float64, then cast."""
    return as32(np.atleast_2d(np.loadtxt(path, dtype=np.float64, **kw)))


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Exact equality, telling -0.0 from 0.0 and NaN payloads apart from nothing."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def random_token(rng: np.random.Generator) -> str:
    """A decimal token in one of the forms text files hold."""
    kind = rng.integers(9)
    x = rng.normal() * 10.0 ** rng.integers(-6, 7)
    if kind == 0:
        return str(int(rng.integers(-10**6, 10**6)))
    if kind == 1:
        return f"{x:+.{rng.integers(0, 10)}f}"
    if kind == 2:
        return f"{x:.{rng.integers(0, 12)}e}"
    if kind == 3:
        return f"{x:.{rng.integers(1, 9)}E}"
    if kind == 4:
        return repr(float(x))
    if kind == 5:
        return repr(float(np.float32(x)))
    if kind == 6:
        return f"{abs(x):.6f}".lstrip("0") or "0"  # ".123456"
    if kind == 7:
        return f"{x:.17g}"
    return f"{x:.25f}"  # more digits than a mantissa holds


# -- values equal numpy.loadtxt ------------------------------------------------------
@pytest.mark.parametrize("sep", [" ", ",", "\t", ";"])
@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("final_newline", [False, True])
def test_equals_loadtxt_on_random_files(tmp_path, sep, crlf, final_newline):
    rng = np.random.default_rng(abs(hash((sep, crlf, final_newline))) % 2**32)
    rows = []
    for _ in range(40):
        toks = [random_token(rng) for _ in range(25)]
        pad = lambda t: " " * int(rng.integers(0, 3)) + t + " " * int(rng.integers(0, 3))  # noqa: E731
        joiner = sep if sep != " " else " " * int(rng.integers(1, 3))
        rows.append(joiner.join(pad(t) for t in toks) if sep != "\t" else "\t".join(toks))
    nl = "\r\n" if crlf else "\n"
    text = nl.join(rows) + (nl if final_newline else "")
    path = write(tmp_path, "x.txt", text)
    s = load(path)
    ref = loadtxt32(path, delimiter=None if sep == " " else sep)
    assert s.data.shape == (40, 1, 25)
    assert same_bits(s.data[:, 0, :], ref)
    s64 = load(path, dtype="float64")
    assert same_bits(s64.data[:, 0, :], np.loadtxt(path, delimiter=None if sep == " " else sep))


def test_hard_tokens_equal_python_float(tmp_path):
    hard = [
        "0", "-0", "-0.0", "+0", "+1", "9007199254740993", "9007199254740992", "2.2250738585072011e-308",
        "2.2250738585072014e-308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "1e-400", "1e22", "1e23",
        "123456789012345678901234567890", "0.1", "7.2057594037927933e16", "1.5e0000000000000000000001",
        "1.00000000000000011102230246251565404236316680908203125", "1e99999999999999999999",
        "1.00000000000000011102230246251565404236316680908203124", "-1e-99999999999", "00001.5000",
        "3.40282357e38", "3.4028236e38", "1.4012984e-45", "7.006492e-46", "16777217", "1.", ".5", "-.5",
        "179769313486231570814527423731704356798070e267", "0.000000000000000000000000000000000001",
        "18446744073709551615", "18446744073709551616", "9999999999999999999", "10000000000000000000",
    ]  # fmt: skip
    path = write(tmp_path, "hard.txt", "\n".join(hard) + "\n")
    s = load(path, format="text-columns", dtype="float64")
    expected = np.array([float(t) for t in hard])
    assert same_bits(s.data[0, 0], expected)
    s32 = load(path, format="text-columns")
    assert same_bits(s32.data[0, 0], as32(expected))


def test_number_kernel_against_float():
    rng = np.random.default_rng(7)
    tokens = []
    for _ in range(20000):
        bits = int(rng.integers(0, 2**63, dtype=np.int64)) * 2 + int(rng.integers(2))
        x = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isfinite(x):
            tokens.append(repr(x))
        tokens.append(random_token(rng))
    data = "\n".join(tokens).encode() + b"\n"
    buf = np.zeros(len(data) + tp.PAD, dtype=np.uint8)
    buf[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    pos = 0
    n_slow = 0
    for t in tokens:
        status, value, end = tp.parse_token(buf, pos)
        assert end == pos + len(t), t
        if status == 1:
            n_slow += 1  # left to Python's float(), correct by construction
        else:
            assert status == 0, t
            assert struct.pack("<d", value) == struct.pack("<d", float(t)), t
        pos = end + 1
    assert n_slow < len(tokens) // 100  # the fallback stays rare


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    ),
    st.sampled_from([" ", ",", "\t", ";"]),
)
def test_repr_round_trip(x, sep):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.csv"
        path.write_text("\n".join(sep.join(repr(float(v)) for v in row) for row in x) + "\n")
        s64 = load(path, format="text-rows", dtype="float64", header=False)
        assert same_bits(s64.data[:, 0, :], x)
        s32 = load(path, format="text-rows", header=False)
        assert same_bits(s32.data[:, 0, :], as32(x))


def test_nan_and_inf_tokens_load_and_check_collection_rejects_them(tmp_path):
    path = write(tmp_path, "n.txt", "1 nan NaN\n-inf inf +Infinity\n")
    s = load(path)
    x = s.data[:, 0, :]
    assert np.isnan(x[0, 1:]).all() and x[0, 0] == 1
    assert x[1, 0] == -np.inf and x[1, 1] == np.inf and x[1, 2] == np.inf
    with pytest.raises(ValidationError, match="series 0"):
        check_collection(s)


def test_comments_blank_lines_and_bom(tmp_path):
    text = "\ufeff# a comment\n\n1 2 3  # trailing\n\n   \n# another\n4 5 6\n\n"
    path = write(tmp_path, "c.txt", text)
    s = load(path)
    assert s.data[:, 0, :].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert s.metadata["line"].tolist() == [3, 7]
    assert s.ids.tolist() == ["0", "1"]


# -- layout, header, special columns -----------------------------------------------
def test_header_detected_and_forced(tmp_path):
    path = write(tmp_path, "h.csv", "a,b,c\n1,2,3\n4,5,6\n")
    assert load(path).data.shape == (2, 1, 3)
    numeric_header = write(tmp_path, "n.csv", "0,1,2\n1,2,3\n4,5,6\n")
    assert load(numeric_header).data.shape == (3, 1, 3)
    assert load(numeric_header, header=True).data[:, 0, :].tolist() == [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(DataFormatError, match=r"line 1, column 1 \(character 1\): 'a' is not a number"):
        load(path, header=False)


def test_id_and_label_columns(tmp_path):
    text = "name,v1,v2,v3,kind\nr1,1,2,3,cat\nr2,4,5,6,dog\nr3,7,8,9,cat\n"
    path = write(tmp_path, "l.csv", text)
    s = load(path, id_column=0, label_column=-1)
    assert s.ids.tolist() == ["r1", "r2", "r3"]
    assert s.labels.tolist() == ["cat", "dog", "cat"]
    assert s.data[:, 0, :].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    by_name = load(path, id_column="name", label_column="kind")
    assert by_name.ids.tolist() == s.ids.tolist() and by_name.labels.tolist() == s.labels.tolist()
    numeric = write(tmp_path, "num.txt", "0.5 1.5 2.5 1\n3.5 4.5 5.5 0\n")
    s2 = load(numeric, format="text-rows", label_column=3)
    assert s2.labels.dtype == np.int64 and s2.labels.tolist() == [1, 0]
    assert s2.data.shape == (2, 1, 3)
    dup = write(tmp_path, "dup.csv", "a,1,2\nb,3,4\na,5,6\n")
    with pytest.raises(DataFormatError, match="id 'a' is on lines 1 and 3"):
        load(dup, id_column=0)
    with pytest.raises(ValidationError, match=r"label_column=7 is out of range"):
        load(numeric, format="text-rows", label_column=7)
    with pytest.raises(ValidationError, match=r"label_column='nope' names no column"):
        load(path, label_column="nope")


def test_ragged_rows(tmp_path):
    path = write(tmp_path, "r.txt", "1 2 3\n4 5\n\n6\n7 8 9 10\n")
    with pytest.raises(DataFormatError, match=r"r\.txt', line 2 has 2 fields but line 1 has 3.*ragged=True"):
        load(path)
    s = load(path, ragged=True)
    assert isinstance(s.data, list)
    assert [a.tolist() for a in s.data] == [[[1, 2, 3]], [[4, 5]], [[6]], [[7, 8, 9, 10]]]
    assert s.metadata["line"].tolist() == [1, 2, 4, 5]
    labelled = write(tmp_path, "rl.txt", "a 1 2 3 x\nb 4 y\n")
    s2 = load(labelled, ragged=True, id_column=0, label_column=-1)
    assert s2.ids.tolist() == ["a", "b"] and s2.labels.tolist() == ["x", "y"]
    assert [a.tolist() for a in s2.data] == [[[1, 2, 3]], [[4]]]
    short = write(tmp_path, "short.txt", "a 1 2 x\nb\n")
    with pytest.raises(DataFormatError, match=r"short\.txt', line 2 has 1 field and no value after the id"):
        load(short, ragged=True, id_column=0, label_column=-1)
    far = write(tmp_path, "far.txt", "a 1 2 3 4 5 x\nb 1 2\n")
    with pytest.raises(DataFormatError, match=r"far\.txt', line 2 has 3 fields, too few for label_column=6"):
        load(far, ragged=True, id_column=0, label_column=6)


def test_columns_layout_auto_and_named(tmp_path):
    lines = "".join(f"{0.001 * k:.3f},{np.sin(k):.6f},{int(k % 7 == 0)}\n" for k in range(100))
    path = write(tmp_path, "c.csv", "time,ecg,label\n" + lines)
    s = load(path, time_column=0, label_column=2)
    assert s.data.shape == (1, 1, 100)
    assert s.channels == ["ecg"]
    assert s.fs == pytest.approx(1000.0)
    assert s.metadata["t0"].tolist() == [0.0]
    assert s.point_labels[0].tolist() == [int(k % 7 == 0) for k in range(100)]
    ref = np.loadtxt(path, delimiter=",", skiprows=1)
    assert same_bits(s.data[0, 0], ref[:, 1].astype(np.float32))
    auto = load(path)  # 3 fields, 100 lines: columns
    assert auto.data.shape == (1, 3, 100) and auto.channels == ["time", "ecg", "label"]
    assert load(path, layout="rows").data.shape == (100, 1, 3)
    assert get_format("text-columns").call_read(path, fs=250.0, dtype="float32").fs == 250.0


def test_time_column_not_uniform_warns(tmp_path):
    path = write(tmp_path, "t.txt", "".join(f"{t} {v}\n" for t, v in [(0, 1), (1, 2), (3, 3)] * 8))
    with pytest.warns(UserWarning, match="fs is left unset"):
        s = load(path, format="text-columns", time_column=0)
    assert s.fs is None


def test_point_labels_must_be_integers(tmp_path):
    path = write(tmp_path, "p.txt", "".join(f"{k} {0.5 if k == 9 else 0}\n" for k in range(20)))
    msg = r"p\.txt', line 10, column 2: the label 0\.5 is not an integer"
    with pytest.raises(DataFormatError, match=msg):
        load(path, format="text-columns", label_column=1)


def test_detection_and_options(tmp_path):
    path = write(tmp_path, "x.dat", "1 2 3\n4 5 6\n")
    assert detect_format(path).name == "text"
    odd = write(tmp_path, "recording.log", "1,2\n3,4\n")
    assert detect_format(odd).name == "text"
    assert load(odd, format="text-rows").data.shape == (2, 1, 2)
    with pytest.raises(ValidationError, match=r"does not take option\(s\) \['time_column'\]"):
        load(path, format="text-rows", time_column=0)
    with pytest.raises(ValidationError, match="dtype must be float32 or float64"):
        load(path, dtype="int32")
    with pytest.raises(ValidationError, match="layout must be"):
        load(path, layout="diagonal")
    with pytest.raises(ValidationError, match="id_column and ragged are options of the rows layout"):
        load(path, layout="columns", id_column=0)
    with pytest.raises(ValidationError, match="sep must be one ASCII character"):
        load(path, sep=",,")
    tabs = write(tmp_path, "t.tsv", "1\t2\t3\n4\t5\t6\n")
    for alias in ("\t", "\\t", "tab"):  # "\\t": what a command line passes
        assert load(tabs, sep=alias).data.shape == (2, 1, 3)
    prose = write(tmp_path, "notes.log", "These are notes,\nnot numbers.\n")
    with pytest.raises(DataFormatError, match="cannot tell the format"):
        detect_format(prose)


def test_iter_chunks_of_a_columns_file_is_one_series(tmp_path):
    path = write(tmp_path, "col.txt", "".join(f"{k / 10}\n" for k in range(50)))
    chunks = list(iter_chunks(path, chunk_size=3))
    assert len(chunks) == 1 and chunks[0].data.shape == (1, 1, 50)


# -- errors name file, line and column -------------------------------------------
def test_empty_files(tmp_path):
    with pytest.raises(DataFormatError, match=r"e\.csv' is empty \(0 bytes\)"):
        load(write(tmp_path, "e.csv", ""))
    with pytest.raises(DataFormatError, match="holds no data line"):
        load(write(tmp_path, "blank.csv", "\n  \n# only a comment\n"))
    with pytest.raises(DataFormatError, match="a header line and no data line"):
        load(write(tmp_path, "head.csv", "a,b,c\n"))


def test_unequal_rows_names_line_and_lengths(tmp_path):
    rows = ["1 2 3 4"] * 5 + ["1 2 3"] + ["1 2 3 4"] * 3
    with pytest.raises(DataFormatError, match=r"u\.txt', line 6 has 3 fields but line 1 has 4"):
        load(write(tmp_path, "u.txt", "\n".join(rows)))
    longer = ["a,b,c"] + ["1,2,3"] * 3 + ["1,2,3,4,5"]
    with pytest.raises(DataFormatError, match=r"line 5 has 5 fields but line 2 has 3"):
        load(write(tmp_path, "l.csv", "\n".join(longer)))


def test_bad_token_names_file_line_column(tmp_path):
    text = "1.0,2.0,3.0\n4.0,5.0,6.0\n7.0,8.0x,9.0\n"
    msg = r"b\.csv', line 3, column 2 \(character 5\): '8\.0x' is not a number"
    with pytest.raises(DataFormatError, match=msg):
        load(write(tmp_path, "b.csv", text))
    with pytest.raises(DataFormatError, match=r"line 2, column 3 .*'1,5' is not a number.*decimal commas"):
        load(write(tmp_path, "dc.txt", "1 2 3\n4 5 1,5\n"), sep=" ")
    with pytest.raises(DataFormatError, match=r"line 2, column 2 .*'2 3' is not a number"):
        load(write(tmp_path, "sp.csv", "1,2,4\n1,2 3,4\n"))
    with pytest.raises(DataFormatError, match=r"line 2, column 2: empty field"):
        load(write(tmp_path, "ef.csv", "1,2,3\n4,,6\n"))
    with pytest.raises(DataFormatError, match=r"line 2, column 4: empty field"):
        load(write(tmp_path, "tf.csv", "1,2,3,4\n1,2,3,\n"))
    with pytest.raises(DataFormatError, match=r"line 2, column 1 \(character 3\): '1_000' is not a number"):
        load(write(tmp_path, "u.txt", "1 2\n  1_000 2\n"))
    with pytest.raises(DataFormatError, match="holds NUL bytes"):
        load(write(tmp_path, "z.txt", b"1 2\x00 3\n"))


def test_errors_in_later_blocks_name_the_right_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tp, "BLOCK_BYTES", 256)
    monkeypatch.setattr(tp, "_MIN_SEGMENT", 64)
    rows = [" ".join(str(k + j) for j in range(10)) for k in range(200)]
    rows[150] = rows[150].replace(str(150 + 4), "oops", 1)
    with pytest.raises(DataFormatError, match=r"line 151, column 5 \(character 17\): 'oops'"):
        load(write(tmp_path, "late.txt", "\n".join(rows) + "\n"), n_jobs=2)


# -- blocks, growth, chunks -------------------------------------------------------
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_small_blocks_segments_and_long_lines(tmp_path, monkeypatch, n_jobs):
    monkeypatch.setattr(tp, "BLOCK_BYTES", 200)  # lines longer than the buffer: it grows
    monkeypatch.setattr(tp, "_MIN_SEGMENT", 50)
    rng = np.random.default_rng(3)
    rows = [" ".join(random_token(rng) for _ in range(30)) for _ in range(60)]
    path = write(tmp_path, "s.txt", "\n".join(rows))
    s = load(path, n_jobs=n_jobs)
    assert same_bits(s.data[:, 0, :], loadtxt32(path))
    chunks = list(iter_chunks(path, chunk_size=7, n_jobs=n_jobs))
    assert [len(c) for c in chunks] == [7] * 8 + [4]
    assert same_bits(np.concatenate([c.data for c in chunks]), s.data)
    assert np.concatenate([c.ids for c in chunks]).tolist() == [str(k) for k in range(60)]


def test_iter_chunks_equals_load(tmp_path, monkeypatch):
    monkeypatch.setattr(tp, "BLOCK_BYTES", 1000)
    lines = []
    for k in range(103):
        lines.append(f"id{k},{k % 3}," + ",".join(f"{k + j / 7:.5f}" for j in range(9)))
        if k % 17 == 0:
            lines.append("# comment line")
    path = write(tmp_path, "ch.csv", "\n".join(lines) + "\n")
    whole = load(path, id_column=0, label_column=1)
    for size in (1, 10, 64, 1000):
        chunks = list(iter_chunks(path, chunk_size=size, id_column=0, label_column=1))
        assert all(len(c) <= size for c in chunks)
        joined = SignalSet.concat(chunks)
        assert same_bits(joined.data, whole.data)
        assert joined.ids.tolist() == whole.ids.tolist()
        assert joined.labels.tolist() == whole.labels.tolist()
        assert joined.metadata["line"].tolist() == whole.metadata["line"].tolist()
    ragged_chunks = list(iter_chunks(path, chunk_size=10, ragged=True, id_column=0, label_column=1))
    assert [a.tolist() for c in ragged_chunks for a in c.data] == [a.tolist() for a in whole.data]
    default = list(iter_chunks(path, id_column=0, label_column=1))
    assert len(default) == 1 and same_bits(default[0].data, whole.data)


def test_many_blank_lines_grow_the_output(tmp_path):
    # 3 fields a line bound the line count by bytes / 6; blank lines break the bound
    text = "\n" * 300 + "1 2 3\n" + "\n" * 300 + "4 5 6\n"
    s = load(write(tmp_path, "g.txt", text))
    assert s.data[:, 0, :].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert s.metadata["line"].tolist() == [301, 602]
    assert s.data.base is None or s.data.base.shape[0] == 2


def test_many_slow_tokens_retry(tmp_path):
    # subnormals are left to Python's float(); more than a task's first list holds
    tokens = [f"{k + 1}e-320" for k in range(3000)]
    path = write(tmp_path, "sub.txt", "\n".join(" ".join(tokens[i : i + 100]) for i in range(0, 3000, 100)))
    s = load(path, format="text-rows", dtype="float64")
    assert same_bits(s.data[:, 0, :], np.loadtxt(path))


def test_rows_output_is_exactly_sized(tmp_path):
    path = write(tmp_path, "e.txt", "1 2\n3 4\n5 6\n")
    s = load(path)
    assert s.data.shape == (3, 1, 2) and s.data.dtype == np.float32
    base = s.data.base if s.data.base is not None else s.data
    assert base.nbytes == 3 * 2 * 4


# -- real data ----------------------------------------------------------------------
@pytest.mark.skipif(not ECG805.exists(), reason=f"real data folder {DATA} is absent")
def test_real_ecg_file_with_point_labels():
    s = load(ECG805, label_column=1)
    assert (len(s), s.n_channels, int(s.lengths[0])) == (1, 1, 230400)
    labels = s.point_labels[0]
    assert set(np.unique(labels).tolist()) == {0, 1}
    runs = int(np.sum(np.diff(np.concatenate([[0], labels])) == 1))
    assert runs == 208  # the README: 208 anomalous runs in ECG805
    ref = np.loadtxt(ECG805, delimiter=",")
    assert same_bits(s.data[0, 0], ref[:, 0].astype(np.float32))
    assert np.array_equal(labels, ref[:, 1].astype(np.int64))
    by_name = get_format("text-columns").call_read(ECG805, fs=360.0, dtype="float32", label_column=1)
    assert by_name.fs == 360.0 and np.array_equal(by_name.point_labels[0], labels)


def test_loadtxt_reference_is_what_we_think(tmp_path):
    # the contract: loadtxt parses to float64; casting rounds once more to float32
    text = "0.1 16777217 3.4028235677973366e38\n"
    s = load(write(tmp_path, "r.txt", text))
    expected = as32(np.loadtxt(io.StringIO(text)))
    assert same_bits(s.data[0, 0], expected)
    # 16777217 is not a float32: it rounds to even; the last value rounds up to inf
    assert s.data[0, 0, 1] == 16777216.0 and s.data[0, 0, 2] == np.inf
