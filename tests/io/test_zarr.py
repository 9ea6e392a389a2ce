"""zarr reader: groups and root arrays, format 2 and 3 stores, chunked reading, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")

from wavelens.data import SignalSet  # noqa: E402
from wavelens.exceptions import DataFormatError, MissingDependencyError, ValidationError  # noqa: E402
from wavelens.io import _zarr, detect_format, iter_chunks, load  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(5)


@pytest.fixture
def store(tmp_path, rng):
    """A group store: raw/signals (3-D), labels and string ids beside it, fs on the root."""
    X = rng.normal(size=(9, 2, 48)).astype(np.float32)
    path = tmp_path / "quakes.zarr"
    g = zarr.open_group(str(path), mode="w")
    arr = g.create_array("raw/signals", data=X, chunks=(4, 2, 48))
    arr.attrs["channels"] = ["Z", "E"]
    g.create_array("raw/labels", data=np.arange(9) % 3)
    ids = g.create_array("raw/ids", shape=(9,), dtype=str)
    ids[:] = np.array([f"q{i}" for i in range(9)], dtype=object)
    g.attrs["fs"] = 40.0
    return path, X


def test_round_trip_group_store(store):
    path, X = store
    s = load(path)
    np.testing.assert_array_equal(s.to_numpy(), X)
    assert s.ids.tolist() == [f"q{i}" for i in range(9)]
    assert s.labels.tolist() == [0, 1, 2] * 3
    assert s.channels == ["Z", "E"]
    assert s.fs == 40.0


@pytest.mark.parametrize("chunk_size", [1, 4, 5, 20])
def test_iter_chunks_equals_load(store, chunk_size):
    path, _ = store
    whole = load(path)
    chunks = list(iter_chunks(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    joined = SignalSet.concat(chunks)
    np.testing.assert_array_equal(joined.to_numpy(), whole.to_numpy())
    assert joined.ids.tolist() == whole.ids.tolist()
    assert joined.labels.tolist() == whole.labels.tolist()


def test_iter_chunks_reads_slices(store, monkeypatch):
    path, _ = store
    reads = []
    original = _zarr._ZarrStore.read

    def spy(self, key, sel, dtype):
        if key == "raw/signals":
            reads.append(sel)
        return original(self, key, sel, dtype)

    monkeypatch.setattr(_zarr._ZarrStore, "read", spy)
    assert [len(c) for c in iter_chunks(path, chunk_size=4)] == [4, 4, 1]
    assert reads == [slice(0, 4), slice(4, 8), slice(8, 9)]


def test_root_array_store_without_suffix_is_detected(tmp_path, rng):
    X = rng.normal(size=(6, 100))
    path = tmp_path / "plain_store"
    zarr.create_array(str(path), data=X)
    assert detect_format(path).name == "zarr"
    s = load(path, dtype="float64")
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)
    assert s.ids.tolist() == [str(i) for i in range(6)]
    assert s.fs is None


def test_format_2_store_with_named_array_attribute_labels_and_fs_array(tmp_path, rng):
    X = rng.normal(size=(4, 3, 16)).astype(np.float32)
    path = tmp_path / "v2.zarr"
    g = zarr.open_group(str(path), mode="w", zarr_format=2)
    a = g.create_array("deep/x", data=X)
    a.attrs["cls"] = ["n", "a", "n", "n"]
    g.create_array("other", data=np.zeros((2, 2)))
    g.create_array("deep/rates", data=np.array([50.0, 50.0, 100.0, 100.0]))
    assert (path / ".zgroup").is_file()
    s = load(path, array="deep/x", labels="cls", fs_key="rates")
    np.testing.assert_array_equal(s.to_numpy(), X)
    assert s.labels.tolist() == ["n", "a", "n", "n"]
    np.testing.assert_array_equal(s.fs, [50.0, 50.0, 100.0, 100.0])


def test_folder_of_stores_is_concatenated(tmp_path, rng):
    parts = []
    for name in ("a.zarr", "b.zarr"):
        X = rng.normal(size=(3, 20)).astype(np.float32)
        parts.append(X)
        g = zarr.open_group(str(tmp_path / name), mode="w")
        g.create_array("signals", data=X)
        g.attrs["fs"] = 10.0
    s = load(tmp_path)
    assert len(s) == 6
    np.testing.assert_array_equal(s.to_numpy()[:, 0], np.concatenate(parts))
    assert s.fs == 10.0


# -- errors ----------------------------------------------------------------------------------
def test_missing_array_lists_those_present(store):
    path, _ = store
    with pytest.raises(DataFormatError, match=r"quakes\.zarr.*no array '/raw/signal'; arrays in the store: .*'/raw/signals': '\(9, 2, 48\) float32'"):
        load(path, array="raw/signal")


def test_group_named_as_array(store):
    path, _ = store
    with pytest.raises(DataFormatError, match=r"quakes\.zarr.*array='raw' is a group, not an array; arrays inside it: \['/raw/ids', '/raw/labels', '/raw/signals'\]"):
        load(path, array="raw")


def test_several_candidate_arrays(tmp_path):
    g = zarr.open_group(str(tmp_path / "two.zarr"), mode="w")
    g.create_array("a", data=np.zeros((2, 4)))
    g.create_array("b", data=np.zeros((2, 4)))
    with pytest.raises(DataFormatError, match=r"two\.zarr.*several arrays could hold the series: \['/a', '/b'\]; choose one with array="):
        load(tmp_path / "two.zarr")


def test_labels_of_the_wrong_length(store):
    path, _ = store
    g = zarr.open_group(str(path), mode="a")
    g["raw/signals"].attrs["tags"] = ["x", "y"]
    with pytest.raises(DataFormatError, match=r"quakes\.zarr.*attribute 'tags' of '/raw/signals' has shape \(2,\) but there are 9 series"):
        load(path, labels="tags")


def test_auto_found_ids_of_the_wrong_length_are_ignored_with_a_warning(tmp_path):
    g = zarr.open_group(str(tmp_path / "w.zarr"), mode="w")
    g.create_array("x", data=np.zeros((3, 4)))
    g.create_array("ids", data=np.arange(5))
    with pytest.warns(UserWarning, match=r"array '/ids' has shape \(5,\) but there are 3 series.*ignored.*ids=False"):
        s = load(tmp_path / "w.zarr")
    assert s.ids.tolist() == ["0", "1", "2"]
    assert load(tmp_path / "w.zarr", ids=False).ids.tolist() == ["0", "1", "2"]


def test_fs_argument_must_agree_with_the_store(store):
    path, _ = store
    assert load(path, fs=40.0).fs == 40.0
    with pytest.raises(ValidationError, match=r"quakes\.zarr.*fs=10\.0 was given, but attribute 'fs' of '/' says fs=40 Hz.*fs_key=False"):
        load(path, fs=10.0)


def test_not_a_zarr_store(tmp_path):
    (tmp_path / "empty.zarr").mkdir()
    with pytest.raises(DataFormatError, match=r"empty\.zarr.*not a readable zarr store"):
        load(tmp_path / "empty.zarr")


def test_missing_zarr_says_how_to_install(store, monkeypatch):
    path, _ = store
    monkeypatch.setitem(sys.modules, "zarr", None)
    with pytest.raises(MissingDependencyError, match=r"Reading zarr stores needs zarr.*pip install 'wavelens\[zarr\]'"):
        load(path)
