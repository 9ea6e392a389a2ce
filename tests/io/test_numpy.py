"""Tests of the NumPy .npy / .npz readers (wavelens/io/_numpy.py)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from wavelens.data import SignalSet
from wavelens.exceptions import DataFormatError, ValidationError
from wavelens.io import _npyfile, _numpy, iter_chunks, load
from wavelens.io._numpy import iter_chunks_npy, read_npy, read_npz

LEELA = Path(__file__).resolve().parents[3] / "shared" / "data" / "leela"
LEELA_FILES = {
    "HER": ("Wfs_180921_1500_HER_09000_5000_25.npy", 323),
    "MIL": ("Wfs_180921_1500_MIL_09000_5000_25.npy", 322),
    "WAT": ("Wfs_180921_1500_WAT_09000_5000_25.npy", 452),
}
needs_leela = pytest.mark.skipif(
    not all((LEELA / name).exists() for name, _ in LEELA_FILES.values()),
    reason="the lightning files of shared/data/leela are not present",
)
has_long_double = np.dtype(np.longdouble).itemsize == 16


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _records(n: int = 6, n_times: int = 32) -> np.ndarray:
    """A structured array shaped like the lightning files (without long doubles)."""
    rng = _rng()
    dt = np.dtype(
        [
            ("wave", "<f8", (n_times,)),
            ("sampleinterval", "<f8"),
            ("id", "<i4"),
            ("station", "<U8"),
            ("code", "S3"),
            ("cls", "<i4"),
        ]
    )
    a = np.zeros(n, dtype=dt)
    a["wave"] = rng.standard_normal((n, n_times))
    a["sampleinterval"] = 1e-3
    a["id"] = np.arange(100, 100 + n)
    a["station"] = [f"st{i % 2}" for i in range(n)]
    a["code"] = [b"ab", b"cd", b"ef", b"gh", b"ij", b"kl"][:n]
    a["cls"] = np.arange(n) % 3
    return a


# ---------------------------------------------------------------------------------
# plain arrays
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, expected",
    [((50,), (1, 1, 50)), ((4, 50), (4, 1, 50)), ((4, 3, 50), (4, 3, 50))],
)
def test_plain_arrays_round_trip(tmp_path, shape, expected):
    x = _rng().standard_normal(shape)
    p = tmp_path / "x.npy"
    np.save(p, x)
    s = read_npy(p, dtype="float64")
    assert s.data.shape == expected
    np.testing.assert_array_equal(s.data.reshape(x.shape), x)
    assert s.ids.tolist() == [str(i) for i in range(expected[0])]
    assert s.fs is None
    s32 = load(p, fs=250.0)
    assert s32.dtype == np.float32 and s32.fs == 250.0
    np.testing.assert_array_equal(s32.data.reshape(x.shape), x.astype(np.float32))


def test_dtype_none_keeps_float32_and_casts_integers(tmp_path):
    p = tmp_path / "f.npy"
    np.save(p, np.ones((2, 8), np.float32))
    assert read_npy(p, dtype=None).dtype == np.float32
    q = tmp_path / "i.npy"
    np.save(q, np.arange(16, dtype=np.int16).reshape(2, 8))
    s = read_npy(q, dtype=None)
    assert s.dtype == np.float64
    np.testing.assert_array_equal(s.data[1, 0], np.arange(8, 16))
    with pytest.raises(ValidationError, match=r"dtype='int16' is not a floating-point type"):
        read_npy(q, dtype="int16")


def test_fortran_order_array(tmp_path):
    x = np.asfortranarray(_rng().standard_normal((5, 2, 40)))
    p = tmp_path / "f.npy"
    np.save(p, x)
    np.testing.assert_array_equal(read_npy(p, dtype="float64").data, x)
    chunks = list(iter_chunks_npy(p, chunk_size=2, dtype="float64"))
    np.testing.assert_array_equal(np.concatenate([c.data for c in chunks]), x)


@pytest.mark.parametrize(
    "layout, shape, to_scc",
    [
        ("times,series", (40, 3), lambda x: x.T[:, None, :]),
        ("series,times,channels", (3, 40, 2), lambda x: x.transpose(0, 2, 1)),
        ("channels,times", (2, 40), lambda x: x[None]),
        (("times", "channels", "series"), (40, 2, 3), lambda x: x.transpose(2, 1, 0)),
    ],
)
def test_layout(tmp_path, layout, shape, to_scc):
    x = _rng().standard_normal(shape)
    p = tmp_path / "x.npy"
    np.save(p, x)
    s = read_npy(p, layout=layout, dtype="float64")
    np.testing.assert_array_equal(s.data, to_scc(x))
    chunks = list(iter_chunks_npy(p, layout=layout, chunk_size=1, dtype="float64"))
    np.testing.assert_array_equal(np.concatenate([c.data for c in chunks]), to_scc(x))


def test_layout_errors(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.zeros((3, 4)))
    with pytest.raises(ValidationError, match=r"layout='series,time' must name each axis once"):
        read_npy(p, layout="series,time")
    with pytest.raises(ValidationError, match=r"layout='series,channels,times' names 3 axes but the array has shape \(3, 4\)"):
        read_npy(p, layout="series,channels,times")
    with pytest.raises(ValidationError, match=r"include 'times'"):
        read_npy(p, layout="series,channels")
    q = tmp_path / "x4.npy"
    np.save(q, np.zeros((2, 2, 2, 5)))
    with pytest.raises(DataFormatError, match=r"x4\.npy'.*4-D array of shape \(2, 2, 2, 5\).*layout="):
        read_npy(q)


def test_structured_options_on_plain_array_are_refused(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.zeros((3, 4)))
    with pytest.raises(ValidationError, match=r"\['field'\] apply to structured arrays"):
        read_npy(p, field="wave")


def test_non_numeric_and_complex_arrays(tmp_path):
    p = tmp_path / "s.npy"
    np.save(p, np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(DataFormatError, match=r"s\.npy'.*non-numeric"):
        read_npy(p)
    q = tmp_path / "c.npy"
    np.save(q, np.ones((2, 4), complex))
    with pytest.raises(DataFormatError, match=r"complex.*real part or the magnitude"):
        read_npy(q)


# ---------------------------------------------------------------------------------
# structured arrays
# ---------------------------------------------------------------------------------
def test_structured_auto_detection(tmp_path):
    a = _records()
    p = tmp_path / "rec.npy"
    np.save(p, a)
    s = read_npy(p, dtype="float64")
    assert (len(s), s.n_channels, s.lengths[0]) == (6, 1, 32)
    np.testing.assert_array_equal(s.data[:, 0], a["wave"])
    assert s.fs == pytest.approx(1000.0)
    assert s.ids.tolist() == [str(i) for i in range(100, 106)]
    assert s.labels is None
    assert list(s.metadata.columns) == ["sampleinterval", "id", "station", "code", "cls"]
    assert s.metadata["station"].tolist() == [f"st{i % 2}" for i in range(6)]
    assert s.metadata["code"].tolist() == ["ab", "cd", "ef", "gh", "ij", "kl"]


def test_structured_explicit_fields(tmp_path):
    a = _records()
    p = tmp_path / "rec.npy"
    np.save(p, a)
    s = read_npy(p, field="wave", interval_field="sampleinterval", id_field="id", label_field="cls")
    np.testing.assert_array_equal(s.labels, a["cls"])
    assert s.fs == pytest.approx(1000.0) and s.ids[0] == "100"
    # station repeats, so as a named id field it is refused
    with pytest.raises(ValidationError, match=r"id_field='station' does not identify the records.*'st0'"):
        read_npy(p, id_field="station")
    s = read_npy(p, id_field="code", label_field="station")
    assert s.ids.tolist() == ["ab", "cd", "ef", "gh", "ij", "kl"]
    assert s.labels.tolist() == a["station"].tolist()
    s = read_npy(p, id_field=False, fs_field=False)
    assert s.ids.tolist() == [str(i) for i in range(6)] and s.fs is None


def test_structured_missing_field_lists_fields(tmp_path):
    p = tmp_path / "rec.npy"
    np.save(p, _records())
    for option in ("field", "fs_field", "interval_field", "id_field", "label_field"):
        with pytest.raises(
            ValidationError,
            match=rf"rec\.npy'.*{option}='nope' is not a field of the array; its fields are: "
            r"wave \(<f8 \(32,\)\), sampleinterval \(<f8\), id \(<i4\), station \(<U8\)",
        ):
            read_npy(p, **{option: "nope"})


def test_structured_field_kinds_are_checked(tmp_path):
    p = tmp_path / "rec.npy"
    np.save(p, _records())
    with pytest.raises(ValidationError, match=r"field 'id' holds one value per record, not a waveform"):
        read_npy(p, field="id")
    with pytest.raises(ValidationError, match=r"fs_field='station' must hold one number per record"):
        read_npy(p, fs_field="station")
    with pytest.raises(ValidationError, match=r"Pass fs_field='id' or interval_field='sampleinterval', not both"):
        read_npy(p, fs_field="id", interval_field="sampleinterval")


def test_structured_ambiguous_or_absent_data_field(tmp_path):
    dt = np.dtype([("a", "<f4", (8,)), ("b", "<f4", (8,)), ("k", "<i4")])
    p = tmp_path / "two.npy"
    np.save(p, np.zeros(3, dt))
    with pytest.raises(ValidationError, match=r"2 fields \(\['a', 'b'\]\) hold an array.*Pass field=NAME"):
        read_npy(p)
    s = read_npy(p, field="b")
    assert s.data.shape == (3, 1, 8)
    q = tmp_path / "none.npy"
    np.save(q, np.zeros(3, [("k", "<i4"), ("v", "<f8")]))
    with pytest.raises(ValidationError, match=r"no field holds an array of numbers per record. Fields: k \(<i4\), v \(<f8\)"):
        read_npy(q)


def test_structured_multichannel_field_and_field_list(tmp_path):
    rng = _rng()
    dt = np.dtype([("x", "<f4", (3, 20)), ("e", "<f4", (20,)), ("n", "<f4", (20,)), ("fs", "<f8")])
    a = np.zeros(4, dt)
    a["x"] = rng.standard_normal((4, 3, 20))
    a["e"] = rng.standard_normal((4, 20))
    a["n"] = rng.standard_normal((4, 20))
    a["fs"] = [100.0, 100.0, 200.0, 100.0]
    p = tmp_path / "mc.npy"
    np.save(p, a)
    s = read_npy(p, field="x")
    assert s.n_channels == 3
    np.testing.assert_array_equal(s.data, a["x"])
    np.testing.assert_array_equal(s.fs, [100.0, 100.0, 200.0, 100.0])
    s = read_npy(p, field=["e", "n"])
    assert s.channels == ["e", "n"]
    np.testing.assert_array_equal(s.data[:, 1], a["n"])
    s = read_npy(p, field="x", layout="series,times,channels")  # reinterpret (3, 20) as (times, channels)
    assert s.data.shape == (4, 20, 3)
    with pytest.raises(ValidationError, match=r"same shape \(n_times,\)"):
        read_npy(p, field=["x", "e"])
    with pytest.raises(ValidationError, match=r"must start with 'series'"):
        read_npy(p, field="x", layout="channels,series,times")


def test_structured_fs_disagreement_and_bad_interval(tmp_path):
    a = _records()
    p = tmp_path / "rec.npy"
    np.save(p, a)
    assert read_npy(p, fs=1000.0).fs == pytest.approx(1000.0)
    with pytest.raises(
        ValidationError,
        match=r"fs=500.0 was given, but the interval_field 'sampleinterval' says fs=1000 Hz.*fs_field=False",
    ):
        read_npy(p, fs=500.0)
    assert read_npy(p, fs=500.0, fs_field=False).fs == 500.0
    a["sampleinterval"][3] = 0.0
    q = tmp_path / "bad.npy"
    np.save(q, a)
    with pytest.raises(DataFormatError, match=r"bad\.npy'.*gives fs=inf Hz for series 3"):
        read_npy(q)


def test_structured_auto_id_that_repeats_falls_back_to_rows(tmp_path):
    a = _records()
    a["id"] = 7
    p = tmp_path / "rec.npy"
    np.save(p, a)
    s = read_npy(p)
    assert s.ids.tolist() == [str(i) for i in range(6)]
    assert s.metadata["id"].tolist() == [7] * 6


@pytest.mark.skipif(not has_long_double, reason="this platform has no 16-byte long double")
def test_long_double_fields_become_float64(tmp_path):
    dt = np.dtype([("w", "<f8", (10,)), ("t0", np.longdouble), ("dt", "<f8")])
    a = np.zeros(3, dt)
    a["t0"] = np.longdouble(1.5e9) + np.longdouble(0.25)
    a["dt"] = 0.01
    p = tmp_path / "ld.npy"
    np.save(p, a)
    s = read_npy(p)
    assert s.metadata["t0"].dtype == np.float64
    np.testing.assert_array_equal(s.metadata["t0"], [1.5e9 + 0.25] * 3)


@pytest.mark.skipif(not has_long_double, reason="this platform has no 16-byte long double")
def test_long_double_field_skipped_where_unreadable(tmp_path, monkeypatch):
    """Where NumPy has no 16-byte long double, the field is skipped with a warning."""
    dt = np.dtype([("w", "<f8", (10,)), ("t0", np.longdouble), ("dt", "<f8"), ("k", "<i2")])
    a = np.zeros(3, dt)
    a["w"] = _rng().standard_normal((3, 10))
    a["dt"] = 0.01
    a["k"] = [5, 6, 7]
    p = tmp_path / "ld.npy"
    np.save(p, a)
    real = _npyfile._dtype_ok
    monkeypatch.setattr(_npyfile, "_dtype_ok", lambda code: not code.endswith("f16") and real(code))
    with pytest.warns(UserWarning, match=r"ld\.npy'.*field\(s\) \['t0'\] have type '<f16' \(long double\).*skipped"):
        s = read_npy(p, dtype="float64")
    np.testing.assert_array_equal(s.data[:, 0], a["w"])
    assert s.fs == pytest.approx(100.0)
    assert list(s.metadata.columns) == ["dt", "k"]
    assert s.metadata["k"].tolist() == [5, 6, 7]
    with pytest.warns(UserWarning, match="'t0'"):
        with pytest.raises(ValidationError, match=r"label_field='t0' names a long-double field"):
            read_npy(p, label_field="t0")
    q = tmp_path / "plain.npy"
    np.save(q, np.zeros((2, 5), np.longdouble))
    with pytest.raises(DataFormatError, match=r"plain\.npy'.*'<f16'.*cannot read.*astype\(np\.float64\)"):
        read_npy(q)


# ---------------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------------
def test_truncated_npy(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.zeros((10, 100)))
    raw = p.read_bytes()
    t = tmp_path / "trunc.npy"
    t.write_bytes(raw[:-800])
    with pytest.raises(DataFormatError, match=r"trunc\.npy'.*truncated.*shape \(10, 100\).*8000 bytes.*only 7200 bytes"):
        read_npy(t)
    with pytest.raises(DataFormatError, match=r"trunc\.npy'.*truncated"):
        list(iter_chunks_npy(t))
    h = tmp_path / "head.npy"
    h.write_bytes(raw[:40])
    with pytest.raises(DataFormatError, match=r"head\.npy'.*truncated inside the \.npy header"):
        read_npy(h)


def test_corrupt_and_foreign_npy(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.zeros(10))
    raw = bytearray(p.read_bytes())
    raw[10:20] = b"!!garbage!"
    c = tmp_path / "corrupt.npy"
    c.write_bytes(bytes(raw))
    with pytest.raises(DataFormatError, match=r"corrupt\.npy'.*header is corrupt"):
        read_npy(c)
    t = tmp_path / "text.npy"
    t.write_text("1,2,3\n")
    with pytest.raises(DataFormatError, match=r"text\.npy'.*not a NumPy \.npy file.*numpy\.save"):
        read_npy(t)
    e = tmp_path / "empty.npy"
    e.write_bytes(b"")
    with pytest.raises(DataFormatError, match=r"empty\.npy'.*the file is empty"):
        read_npy(e)
    z = tmp_path / "zero.npy"
    np.save(z, np.zeros((0, 5)))
    with pytest.raises(DataFormatError, match=r"zero\.npy'.*empty \(shape \(0, 5\)\)"):
        read_npy(z)


def test_object_arrays_and_pickles_are_refused(tmp_path):
    p = tmp_path / "obj.npy"
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.zeros(3), np.zeros(5)
    np.save(p, ragged, allow_pickle=True)
    with pytest.raises(DataFormatError, match=r"obj\.npy'.*Python objects.*never uses pickle \(allow_pickle=False\).*np\.save"):
        read_npy(p)
    q = tmp_path / "pickled.npy"
    q.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DataFormatError, match=r"pickled\.npy'.*Python pickle.*never uses pickle"):
        read_npy(q)
    r = tmp_path / "obj.npz"
    np.savez(r, X=np.zeros((2, 4)), meta=ragged)
    with pytest.raises(DataFormatError, match=r"obj\.npz', array 'meta'.*never uses pickle"):
        read_npz(r)


# ---------------------------------------------------------------------------------
# chunks
# ---------------------------------------------------------------------------------
def _same(a: SignalSet, b: SignalSet) -> None:
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    assert a.ids.tolist() == b.ids.tolist()
    np.testing.assert_array_equal(a.fs_array if a.fs is not None else [], b.fs_array if b.fs is not None else [])
    assert a.metadata.reset_index(drop=True).equals(b.metadata.reset_index(drop=True))


def test_iter_chunks_plain(tmp_path):
    x = _rng().standard_normal((10, 2, 16))
    p = tmp_path / "x.npy"
    np.save(p, x)
    chunks = list(iter_chunks_npy(p, chunk_size=4, fs=50.0))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert chunks[1].ids.tolist() == ["4", "5", "6", "7"]
    for c in chunks:  # copied out of the memory map, not views of it
        assert type(c.data) is np.ndarray and c.data.flags.owndata
    _same(SignalSet.concat(chunks), read_npy(p, fs=50.0))
    # through wavelens.io.iter_chunks, chunk_size=None uses default_chunk_size
    assert len(list(iter_chunks(p))) == 1
    with pytest.raises(ValidationError, match=r"chunk_size must be a positive integer, found 0"):
        list(iter_chunks_npy(p, chunk_size=0))


def test_iter_chunks_default_size_comes_from_registry(tmp_path, monkeypatch):
    np.save(tmp_path / "x.npy", np.zeros((10, 16)))
    seen = []

    def fake(n_times, n_channels=1, itemsize=4):
        seen.append((n_times, n_channels, itemsize))
        return 3

    monkeypatch.setattr(_numpy, "default_chunk_size", fake)
    chunks = list(iter_chunks(tmp_path / "x.npy", dtype="float64"))
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    assert seen == [(16, 1, 8)]


def test_iter_chunks_structured(tmp_path):
    a = _records()
    p = tmp_path / "rec.npy"
    np.save(p, a)
    chunks = list(iter_chunks(p, chunk_size=4, label_field="cls"))
    assert [c.ids.tolist() for c in chunks] == [["100", "101", "102", "103"], ["104", "105"]]
    whole = load(p, label_field="cls")
    _same(SignalSet.concat(chunks), whole)
    np.testing.assert_array_equal(np.concatenate([c.labels for c in chunks]), whole.labels)


# ---------------------------------------------------------------------------------
# npz
# ---------------------------------------------------------------------------------
def test_npz_data_labels_ids_fs_and_metadata(tmp_path):
    rng = _rng()
    X = rng.standard_normal((5, 2, 30))
    p = tmp_path / "d.npz"
    np.savez_compressed(
        p,
        X=X,
        y=np.array(["a", "b", "a", "b", "c"]),
        ids=np.array([10, 11, 12, 13, 14]),
        fs=np.float64(250.0),
        subject=np.array([1, 1, 2, 2, 3]),
        other=np.zeros((3, 3)),
    )
    s = read_npz(p, dtype="float64")
    np.testing.assert_array_equal(s.data, X)
    assert s.labels.tolist() == ["a", "b", "a", "b", "c"]
    assert s.ids.tolist() == ["10", "11", "12", "13", "14"]
    assert s.fs == 250.0
    assert list(s.metadata.columns) == ["subject"]
    assert s.metadata["subject"].tolist() == [1, 1, 2, 2, 3]
    s = load(p, labels_key=False, ids_key=False, fs_key=False)
    assert s.labels is None and s.fs is None and s.ids.tolist() == ["0", "1", "2", "3", "4"]
    with pytest.raises(ValidationError, match=r"fs=100.0 was given, but the array 'fs' says fs=250 Hz.*fs_key=False"):
        read_npz(p, fs=100.0)
    assert read_npz(p, fs=100.0, fs_key=False).fs == 100.0


def test_npz_choosing_the_data_array(tmp_path):
    p = tmp_path / "one.npz"
    np.savez(p, signals=np.ones((3, 8)), labels=np.array([0, 1, 0]))
    s = read_npz(p)
    assert s.data.shape == (3, 1, 8) and s.labels.tolist() == [0, 1, 0]
    q = tmp_path / "data.npz"
    np.savez(q, data=np.ones((2, 8)), extra=np.ones(7))
    assert read_npz(q).data.shape == (2, 1, 8)
    r = tmp_path / "many.npz"
    np.savez(r, a=np.ones((2, 8)), b=np.ones((2, 8)))
    with pytest.raises(ValidationError, match=r"many\.npz'.*cannot tell which array.*\['a', 'b'\].*key=NAME"):
        read_npz(r)
    assert read_npz(r, key="b").data.shape == (2, 1, 8)
    with pytest.raises(ValidationError, match=r"key='c' is not in the archive; its arrays are \['a', 'b'\]"):
        read_npz(r, key="c")
    with pytest.raises(ValidationError, match=r"labels_key='lab' is not in the archive; its arrays are \['a', 'b'\]"):
        read_npz(r, key="a", labels_key="lab")
    t = tmp_path / "t.npz"
    np.savez(t, x=np.ones((40, 3)))
    assert read_npz(t, layout="times,series").data.shape == (3, 1, 40)


def test_npz_structured_member(tmp_path):
    a = _records()
    p = tmp_path / "rec.npz"
    np.savez(p, records=a, y=np.array(list("abcdef")))
    s = read_npz(p)
    assert s.ids.tolist() == [str(i) for i in range(100, 106)]
    assert s.labels.tolist() == list("abcdef")
    assert s.fs == pytest.approx(1000.0)
    # a label field named explicitly wins over the y array
    np.testing.assert_array_equal(read_npz(p, label_field="cls").labels, a["cls"])


def test_npz_bad_inputs(tmp_path):
    p = tmp_path / "shape.npz"
    np.savez(p, X=np.ones((3, 8)), y=np.array([0, 1]))
    with pytest.raises(DataFormatError, match=r"shape\.npz'.*array 'y' has shape \(2,\), but 'X' holds 3 series"):
        read_npz(p)
    d = tmp_path / "dup.npz"
    np.savez(d, X=np.ones((3, 8)), ids=np.array(["a", "a", "b"]))
    with pytest.raises(DataFormatError, match=r"array 'ids' holds repeated ids, e.g. \['a'\]"):
        read_npz(d)
    f = tmp_path / "fs.npz"
    np.savez(f, X=np.ones((3, 8)), fs=np.array([1.0, 2.0]))
    with pytest.raises(DataFormatError, match=r"array 'fs' should hold the sampling rate"):
        read_npz(f)
    n = tmp_path / "notzip.npz"
    n.write_bytes(b"hello, not a zip archive")
    with pytest.raises(DataFormatError, match=r"notzip\.npz'.*not a NumPy \.npz archive"):
        read_npz(n)
    m = tmp_path / "misnamed.npz"
    with open(m, "wb") as fh:
        np.save(fh, np.ones(4))
    with pytest.raises(DataFormatError, match=r"single-array \.npy file.*format='npy'"):
        read_npz(m)
    assert load(m, format="npy").data.shape == (1, 1, 4)
    e = tmp_path / "empty.npz"
    with zipfile.ZipFile(e, "w") as zf:
        zf.writestr("notes.txt", "nothing")
    with pytest.raises(DataFormatError, match=r"empty\.npz'.*holds no \.npy array"):
        read_npz(e)


def test_npz_truncated_archive(tmp_path):
    p = tmp_path / "x.npz"
    np.savez_compressed(p, X=_rng().standard_normal((20, 200)))
    raw = p.read_bytes()
    t = tmp_path / "trunc.npz"
    t.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError, match=r"trunc\.npz'"):
        read_npz(t)


def test_unknown_option_through_load(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.zeros((2, 4)))
    with pytest.raises(ValidationError, match=r"The 'npy' reader does not take option\(s\) \['key'\]"):
        load(p, key="X")


# ---------------------------------------------------------------------------------
# the real lightning files
# ---------------------------------------------------------------------------------
@needs_leela
@pytest.mark.parametrize("station", sorted(LEELA_FILES))
def test_leela_files(station):
    name, n = LEELA_FILES[station]
    path = LEELA / name
    raw = np.load(path, allow_pickle=False)
    s = load(path, dtype="float64")
    assert (len(s), s.n_channels, int(s.lengths[0])) == (n, 1, 1024)
    np.testing.assert_array_equal(s.data[:, 0], raw["wvfmdata"])
    # one rate stored with rounding: the per-record rates agree to 1e-6 and become one
    np.testing.assert_allclose(s.fs_array, 1.0 / raw["sampleinterval"], rtol=1e-6)
    assert s.fs_array.mean() == pytest.approx(109.4e3, rel=1e-3)
    assert s.ids.tolist() == [str(i) for i in raw["id"]]
    for col in ("peaktime", "timeoffset", "sampleinterval", "nodename", "id", "fix_id", "dist", "fix_g_tr", "fix_g_le"):
        assert col in s.metadata.columns
    np.testing.assert_array_equal(s.metadata["dist"], raw["dist"])
    assert s.metadata["peaktime"].dtype == np.float64
    np.testing.assert_allclose(s.metadata["peaktime"], raw["peaktime"].astype(np.float64))
    s_weak = load(path, label_field="fix_g_tr")
    np.testing.assert_array_equal(s_weak.labels, raw["fix_g_tr"])


@needs_leela
def test_leela_folder_and_chunks():
    s = load(LEELA)
    assert len(s) == sum(n for _, n in LEELA_FILES.values()) == 1097
    assert len(set(s.ids.tolist())) == 1097
    assert s.ids[0] == "Wfs_180921_1500_HER_09000_5000_25:893"
    assert s.dtype == np.float32
    assert {"file", "dist", "nodename"} <= set(s.metadata.columns)
    assert sorted(s.metadata["nodename"].unique()) == ["Herstmonceux", "Milford", "Watnall"]
    path = LEELA / LEELA_FILES["WAT"][0]
    chunks = list(iter_chunks(path, chunk_size=100))
    assert [len(c) for c in chunks] == [100, 100, 100, 100, 52]
    _same(SignalSet.concat(chunks), load(path))


@needs_leela
def test_leela_without_long_double_support(monkeypatch):
    real = _npyfile._dtype_ok
    monkeypatch.setattr(_npyfile, "_dtype_ok", lambda code: not code.endswith("f16") and real(code))
    path = LEELA / LEELA_FILES["HER"][0]
    with pytest.warns(UserWarning, match=r"HER_09000_5000_25\.npy'.*\['peaktime', 'timeoffset'\].*skipped"):
        s = load(path)
    assert len(s) == 323 and "dist" in s.metadata.columns
    assert not {"peaktime", "timeoffset"} & set(s.metadata.columns)
    with pytest.warns(UserWarning, match=r"\['peaktime', 'timeoffset'\] have type '<f16'"):
        chunks = list(iter_chunks(path, chunk_size=200))
    assert [len(c) for c in chunks] == [200, 123]
