"""HDF5 reader: h5py datasets, pandas tables, chunked reading and the errors of bad files."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")

from wavelens.data import SignalSet  # noqa: E402
from wavelens.exceptions import DataFormatError, MissingDependencyError, ValidationError  # noqa: E402
from wavelens.io import _hdf5, detect_format, iter_chunks, load  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(11)


@pytest.fixture
def grouped(tmp_path, rng):
    """A file with a 3-D dataset in a group, labels and ids beside it, fs on the file."""
    X = rng.normal(size=(10, 3, 64)).astype(np.float32)
    path = tmp_path / "events.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("run1/signals", data=X, chunks=(2, 3, 64))
        ds.attrs["channels"] = ["Z", "N", "E"]
        f["run1/labels"] = np.array(["quake", "blast"] * 5, dtype=h5py.string_dtype())
        f["run1/ids"] = np.array([f"ev{i}".encode() for i in range(10)])
        f.attrs["sampling_rate"] = 100.0
        f["notes/counts"] = np.arange(3)
    return path, X


def test_round_trip_finds_labels_ids_fs_and_channels(grouped):
    path, X = grouped
    s = load(path)
    np.testing.assert_array_equal(s.to_numpy(), X)
    assert s.ids.tolist() == [f"ev{i}" for i in range(10)]
    assert s.labels.tolist() == ["quake", "blast"] * 5
    assert s.channels == ["Z", "N", "E"]
    assert s.fs == 100.0


@pytest.mark.parametrize("chunk_size", [1, 3, 10, 64])
def test_iter_chunks_equals_load(grouped, chunk_size):
    path, _ = grouped
    whole = load(path)
    chunks = list(iter_chunks(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    joined = SignalSet.concat(chunks)
    np.testing.assert_array_equal(joined.to_numpy(), whole.to_numpy())
    assert joined.ids.tolist() == whole.ids.tolist()
    assert joined.labels.tolist() == whole.labels.tolist()
    assert joined.channels == whole.channels


def test_iter_chunks_reads_slices_not_the_whole_dataset(grouped, monkeypatch):
    path, _ = grouped
    reads = []
    original = _hdf5._H5Store.read

    def spy(self, key, sel, dtype):
        if key == "run1/signals":
            reads.append(sel)
        return original(self, key, sel, dtype)

    monkeypatch.setattr(_hdf5._H5Store, "read", spy)
    chunks = list(iter_chunks(path, chunk_size=4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert reads == [slice(0, 4), slice(4, 8), slice(8, 10)]


def test_named_dataset_attribute_labels_absolute_ids_and_per_series_fs(tmp_path, rng):
    X = rng.integers(-1000, 1000, size=(4, 50)).astype(np.int16)
    path = tmp_path / "named.hdf5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("a/b/raw", data=X)
        ds.attrs["klass"] = [1, 0, 1, 1]
        f["a/b/other"] = np.zeros((2, 2))
        f["keys"] = np.array(["w", "x", "y", "z"], dtype=h5py.string_dtype())
        f["a/rates"] = np.array([10.0, 20.0, 10.0, 40.0])
    s = load(path, dataset="/a/b/raw", labels="klass", ids="/keys", fs_key="/a/rates")
    assert s.dtype == np.float32  # int16 converted while reading
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X.astype(np.float32))
    assert s.labels.tolist() == [1, 0, 1, 1]
    assert s.ids.tolist() == ["w", "x", "y", "z"]
    np.testing.assert_array_equal(s.fs, [10.0, 20.0, 10.0, 40.0])


def test_dtype_none_keeps_float64(tmp_path, rng):
    X = rng.normal(size=(3, 20))
    path = tmp_path / "f64.h5"
    with h5py.File(path, "w") as f:
        f["x"] = X
        f["x"].attrs["fs"] = 8.0
    s = load(path, dtype=None)
    assert s.dtype == np.float64 and s.fs == 8.0
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)


def test_fs_argument_must_agree_with_the_file(grouped):
    path, _ = grouped
    assert load(path, fs=100.0).fs == 100.0
    with pytest.raises(ValidationError, match=r"events\.h5.*fs=50\.0 was given, but attribute 'sampling_rate' of '/' says fs=100 Hz.*fs_key=False"):
        load(path, fs=50.0)
    assert load(path, fs=50.0, fs_key=False).fs == 50.0


def test_false_switches_off_labels_and_ids(grouped):
    path, _ = grouped
    s = load(path, labels=False, ids=False)
    assert s.labels is None
    assert s.ids.tolist() == [str(i) for i in range(10)]


def test_one_dimensional_dataset_is_one_series(tmp_path, rng):
    x = rng.normal(size=500)
    path = tmp_path / "long.h5"
    with h5py.File(path, "w") as f:
        f["trace"] = x
    s = load(path, dataset="trace", dtype="float64")
    assert s.to_numpy().shape == (1, 1, 500)
    np.testing.assert_array_equal(s[0][0], x)


# -- pandas tables ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["fixed", "table"])
def test_pandas_table_round_trip(tmp_path, rng, fmt):
    pytest.importorskip("tables")
    X = rng.normal(size=(7, 30))
    df = pd.DataFrame(X, columns=[f"s{j}" for j in range(30)], index=[f"r{i}" for i in range(7)])
    df["target"] = [0, 1, 1, 0, 1, 0, 0]
    path = tmp_path / "frame.h5"
    df.to_hdf(path, key="data/frame", format=fmt)
    with h5py.File(path, "a") as f:
        f["data/frame"].attrs["fs"] = 512.0
    s = load(path, labels="target", dtype="float64")
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)
    assert s.ids.tolist() == [f"r{i}" for i in range(7)]
    assert s.labels.tolist() == df["target"].tolist()
    assert s.fs == 512.0


@pytest.mark.parametrize("fmt", ["fixed", "table"])
def test_pandas_table_iter_chunks_equals_load(tmp_path, rng, fmt):
    pytest.importorskip("tables")
    df = pd.DataFrame(rng.normal(size=(9, 12)), columns=[f"s{j}" for j in range(12)])
    df["id"] = [f"k{i}" for i in range(9)]
    df["site"] = list("abcabcabc")
    path = tmp_path / "frame.h5"
    df.to_hdf(path, key="df", format=fmt)
    whole = load(path, metadata_columns=["site"])
    assert whole.ids.tolist() == df["id"].tolist()
    assert whole.metadata["site"].tolist() == list("abcabcabc")
    chunks = list(iter_chunks(path, chunk_size=4, metadata_columns=["site"]))
    assert [len(c) for c in chunks] == [4, 4, 1]
    joined = SignalSet.concat(chunks)
    np.testing.assert_array_equal(joined.to_numpy(), whole.to_numpy())
    assert joined.ids.tolist() == whole.ids.tolist()


def test_pandas_table_default_index_gives_row_numbers_in_chunks(tmp_path, rng):
    pytest.importorskip("tables")
    pd.DataFrame(rng.normal(size=(5, 6))).to_hdf(tmp_path / "t.h5", key="df", format="table")
    ids = [i for c in iter_chunks(tmp_path / "t.h5", chunk_size=2) for i in c.ids]
    assert ids == ["0", "1", "2", "3", "4"]


def test_pandas_table_fs_column(tmp_path, rng):
    pytest.importorskip("tables")
    df = pd.DataFrame(rng.normal(size=(3, 4)), columns=list("abcd"))
    df["rate"] = [1.0, 2.0, 4.0]
    df.to_hdf(tmp_path / "t.h5", key="df")
    np.testing.assert_array_equal(load(tmp_path / "t.h5", fs_key="rate").fs, [1.0, 2.0, 4.0])
    with pytest.raises(ValidationError, match=r"t\.h5', table '/df'.*fs=2\.0 was given, but column 'rate' says fs=1\.\.4 Hz"):
        load(tmp_path / "t.h5", fs_key="rate", fs=2.0)


# -- detection -------------------------------------------------------------------------------
def test_hdf5_without_extension_is_detected(tmp_path, rng):
    path = tmp_path / "no_suffix"
    with h5py.File(path, "w") as f:
        f["x"] = rng.normal(size=(2, 8))
    assert detect_format(path).name == "hdf5"


# -- errors ----------------------------------------------------------------------------------
def test_missing_dataset_lists_those_present(grouped):
    path, _ = grouped
    with pytest.raises(DataFormatError, match=r"events\.h5.*no dataset '/run1/signal'; datasets in the file: .*'/run1/signals': '\(10, 3, 64\) float32'"):
        load(path, dataset="run1/signal")


def test_group_named_as_dataset(grouped):
    path, _ = grouped
    with pytest.raises(DataFormatError, match=r"events\.h5.*dataset='run1' is a group, not a dataset; datasets inside it: \['/run1/ids', '/run1/labels', '/run1/signals'\]"):
        load(path, dataset="run1")


def test_several_candidates(tmp_path):
    path = tmp_path / "two.h5"
    with h5py.File(path, "w") as f:
        f["a"] = np.zeros((2, 5))
        f["b"] = np.zeros((3, 2, 5))
    with pytest.raises(DataFormatError, match=r"two\.h5.*several datasets could hold the series: \['/a', '/b'\]; choose one with dataset="):
        load(path)


def test_no_candidate(tmp_path):
    path = tmp_path / "flat.h5"
    with h5py.File(path, "w") as f:
        f["v"] = np.zeros(5)
        f["names"] = np.array([b"a", b"b"])
    with pytest.raises(DataFormatError, match=r"flat\.h5.*no 2-D or 3-D numeric dataset.*'/v': '\(5,\) float64'"):
        load(path)


def test_non_numeric_dataset(tmp_path):
    path = tmp_path / "text.h5"
    with h5py.File(path, "w") as f:
        f["words"] = np.array([[b"a", b"b"], [b"c", b"d"]])
    with pytest.raises(DataFormatError, match=r"text\.h5.*dataset '/words' holds \|S1 values; the samples must be numbers"):
        load(path, dataset="words")


def test_labels_of_the_wrong_length(grouped):
    path, _ = grouped
    with h5py.File(path, "a") as f:
        f["run1/short"] = np.arange(4)
    with pytest.raises(DataFormatError, match=r"events\.h5.*dataset '/run1/short' has shape \(4,\) but there are 10 series"):
        load(path, labels="short")


def test_labels_not_found_lists_datasets_and_attributes(grouped):
    path, _ = grouped
    with pytest.raises(DataFormatError, match=r"events\.h5.*labels='y' is neither a dataset nor an attribute of '/run1/signals'.*attributes: \['channels', 'sampling_rate'\]"):
        load(path, labels="y")


def test_bad_fs_attribute(tmp_path):
    path = tmp_path / "fs.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.zeros((2, 4))
        f.attrs["fs"] = -5.0
    with pytest.raises(DataFormatError, match=r"fs\.h5.*attribute 'fs' of '/' should be the sampling rate in Hz.*found -5\.0"):
        load(path)


def test_pandas_table_with_text_column(tmp_path, rng):
    pytest.importorskip("tables")
    df = pd.DataFrame(rng.normal(size=(3, 4)), columns=list("abcd"))
    df["comment"] = ["x", "y", "z"]
    df.to_hdf(tmp_path / "t.h5", key="df")
    with pytest.raises(DataFormatError, match=r"t\.h5', table '/df'.*\['comment'\] are not numeric.*ids=, labels=, fs_key="):
        load(tmp_path / "t.h5")


def test_pandas_series_is_refused(tmp_path):
    pytest.importorskip("tables")
    pd.Series([1.0, 2.0]).to_hdf(tmp_path / "s.h5", key="ser")
    with pytest.raises(DataFormatError, match=r"s\.h5.*'/ser' holds a pandas 'series'"):
        load(tmp_path / "s.h5", dataset="ser")


def test_metadata_columns_on_a_dataset(grouped):
    path, _ = grouped
    with pytest.raises(ValidationError, match=r"metadata_columns applies to pandas tables, but '/run1/signals' is a dataset"):
        load(path, metadata_columns=["x"])


def test_unknown_option_lists_the_accepted_ones(grouped):
    path, _ = grouped
    with pytest.raises(ValidationError, match=r"'hdf5' reader does not take option\(s\) \['array'\].*'dataset'"):
        load(path, array="x")


def test_not_an_hdf5_file(tmp_path):
    path = tmp_path / "fake.h5"
    path.write_bytes(b"not hdf5 at all" * 10)
    with pytest.raises(DataFormatError, match=r"fake\.h5.*not a readable HDF5 file"):
        load(path)


def test_missing_h5py_says_how_to_install(grouped, monkeypatch):
    path, _ = grouped
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(MissingDependencyError, match=r"Reading HDF5 files needs h5py.*pip install 'wavelens\[hdf5\]'"):
        load(path)


def test_missing_pytables_for_a_pandas_table_says_how_to_install(tmp_path, rng, monkeypatch):
    pytest.importorskip("tables")
    pd.DataFrame(rng.normal(size=(2, 3)), columns=list("abc")).to_hdf(tmp_path / "t.h5", key="df")
    monkeypatch.setitem(sys.modules, "tables", None)
    with pytest.raises(MissingDependencyError, match=r"Reading pandas tables from HDF5 files needs PyTables.*pip install 'wavelens\[hdf5\]'"):
        load(tmp_path / "t.h5")
