"""load / iter_chunks over files, folders and globs; the writers; atomic output."""

import os

import numpy as np
import pandas as pd
import pytest

from wavelens import ValidationError
from wavelens.exceptions import DataFormatError
from wavelens.io import atomic_path, formats, iter_chunks, load, read_table, write_scores, write_table


@pytest.fixture
def folder(tmp_path):
    """A folder of .npy files in class sub-folders, plus a stray README."""
    rng = np.random.default_rng(0)
    for label in ("healthy", "faulty"):
        (tmp_path / label).mkdir()
        for k in range(3):
            np.save(tmp_path / label / f"rec{k}.npy", rng.normal(size=(64,)).astype(np.float32))
    (tmp_path / "README.md").write_text("notes")
    return tmp_path


def test_all_formats_registered():
    names = set(formats())
    assert {"npy", "npz", "wav", "ts", "hdf5", "parquet", "zarr", "seismic"} <= names
    assert any(n.startswith("text") for n in names)


def test_folder_gives_ids_and_labels_from_subfolders(folder):
    s = load(folder)
    assert len(s) == 6
    assert sorted(s.ids.tolist())[:2] == ["faulty/rec0:0", "faulty/rec1:0"]
    assert set(s.labels.tolist()) == {"healthy", "faulty"}
    for i, label in zip(s.ids, s.labels):
        assert i.startswith(label + "/")
    assert s.metadata["file"].str.endswith(".npy").all()


def test_glob_and_list(folder):
    s = load(str(folder / "healthy" / "*.npy"))
    assert len(s) == 3 and s.labels is None
    s2 = load([folder / "healthy" / "rec0.npy", folder / "faulty" / "rec0.npy"])
    assert len(s2) == 2 and len(set(s2.ids.tolist())) == 2


def test_same_file_names_in_different_folders_get_unique_ids(folder):
    s = load([folder / "healthy" / "rec0.npy", folder / "faulty" / "rec0.npy"])
    assert s.ids.tolist() == ["healthy/rec0:0", "faulty/rec0:0"]


def test_chunk_ids_do_not_depend_on_chunk_size(folder):
    whole = load(folder).ids.tolist()
    for size in (1, 4):
        assert [i for c in iter_chunks(folder, chunk_size=size) for i in c.ids] == whole


def test_missing_path_and_empty_glob(tmp_path):
    with pytest.raises(ValidationError, match="no such file or folder"):
        load(tmp_path / "nope.npy")
    with pytest.raises(ValidationError, match="matches no file"):
        load(str(tmp_path / "*.wav"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValidationError, match="holds no file"):
        load(tmp_path / "empty")
    with pytest.raises(ValidationError, match="list of paths is empty"):
        load([])


def test_unknown_extension_and_format(tmp_path):
    p = tmp_path / "data.xyz"
    p.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DataFormatError, match=r"cannot tell the format.*'\.xyz'"):
        load(p)
    with pytest.raises(ValidationError, match="Unknown format 'nope'; known formats"):
        load(p, format="nope")


def test_unknown_option_lists_accepted(folder):
    with pytest.raises(ValidationError, match=r"does not take option\(s\) \['bogus'\]; it accepts"):
        load(folder / "healthy" / "rec0.npy", bogus=1)


def test_iter_chunks_matches_load(folder):
    whole = load(folder)
    chunks = list(iter_chunks(folder, chunk_size=2))
    assert all(len(c) <= 2 for c in chunks)
    joined = np.concatenate([c.to_numpy() for c in chunks])
    np.testing.assert_array_equal(joined, whole.to_numpy())
    assert np.concatenate([c.ids for c in chunks]).tolist() == whole.ids.tolist()
    with pytest.raises(ValidationError, match="chunk_size must be a positive integer"):
        next(iter_chunks(folder, chunk_size=0))


def test_write_scores_round_trip(tmp_path):
    scores = np.random.default_rng(1).normal(size=50)
    p = write_scores(tmp_path / "scores.csv", scores)
    back = np.loadtxt(p)
    np.testing.assert_array_equal(back, scores)
    assert p.read_text().count("\n") == 50


def test_write_scores_refuses_nan_and_leaves_nothing(tmp_path):
    with pytest.raises(ValidationError, match="score 2 is nan"):
        write_scores(tmp_path / "s.csv", [0.1, 0.2, np.nan])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".tsv"])
def test_write_table_round_trip(tmp_path, suffix):
    X = np.random.default_rng(2).normal(size=(4, 3))
    p = write_table(tmp_path / f"emb{suffix}", X, ids=["a", "b", "c", "d"], prefix="z", extra={"label": [0, 1, 0, 1]})
    df = read_table(p)
    assert df.columns.tolist() == ["id", "z0", "z1", "z2", "label"]
    assert df["id"].tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(df[["z0", "z1", "z2"]].to_numpy(), X, rtol=1e-15)


def test_write_table_bad_input(tmp_path):
    with pytest.raises(ValidationError, match="suffix '.json'"):
        write_table(tmp_path / "x.json", np.zeros((2, 2)))
    with pytest.raises(ValidationError, match="3 ids for 2 rows"):
        write_table(tmp_path / "x.csv", np.zeros((2, 2)), ids=[1, 2, 3])
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half-writ")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_table_from_dataframe(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0]})
    p = write_table(tmp_path / "t.csv", df, ids=["x", "y"])
    assert read_table(p).columns.tolist() == ["id", "a"]
