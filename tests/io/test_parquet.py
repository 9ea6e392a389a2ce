"""Parquet reader: wide and long layouts, chunked reading, and the errors of bad tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from wavelens.data import SignalSet
from wavelens.exceptions import DataFormatError, ValidationError
from wavelens.io import detect_format, iter_chunks, load


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _wide_frame(rng, n=11, t=40):
    X = rng.normal(size=(n, t))
    df = pd.DataFrame(X, columns=[f"t{j}" for j in range(t)])
    df.insert(0, "id", [f"s{i:02d}" for i in range(n)])
    df["label"] = ["a", "b", "c"] * (n // 3) + ["a"] * (n % 3)
    df["fs"] = 250.0
    return df, X


# -- wide ---------------------------------------------------------------------------------
def test_wide_round_trip_with_usual_column_names(tmp_path, rng):
    df, X = _wide_frame(rng)
    path = tmp_path / "wide.parquet"
    df.to_parquet(path)
    s = load(path)
    assert s.to_numpy().shape == (11, 1, 40)
    assert s.dtype == np.float32
    np.testing.assert_allclose(s.to_numpy()[:, 0], X, rtol=1e-6)
    assert s.ids.tolist() == df["id"].tolist()
    assert s.labels.tolist() == df["label"].tolist()
    assert s.fs == 250.0


def test_wide_named_columns_dtype_and_metadata(tmp_path, rng):
    X = rng.normal(size=(5, 16))
    df = pd.DataFrame(X, columns=[str(j) for j in range(16)])
    df["name"] = list("vwxyz")
    df["cls"] = [0, 1, 0, 1, 1]
    df["rate"] = [100.0, 100.0, 200.0, 200.0, 50.0]
    df["site"] = ["north", "south", "north", "east", "west"]
    path = tmp_path / "named.pq"
    df.to_parquet(path)
    s = load(
        path, dtype="float64", id_column="name", label_column="cls", fs_column="rate",
        metadata_columns=["site"],
    )
    assert s.dtype == np.float64
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)
    assert s.ids.tolist() == list("vwxyz")
    assert s.labels.tolist() == [0, 1, 0, 1, 1]
    np.testing.assert_array_equal(s.fs, [100.0, 100.0, 200.0, 200.0, 50.0])
    assert s.metadata["site"].tolist() == df["site"].tolist()


def test_wide_fs_argument_must_agree_with_the_column(tmp_path, rng):
    df, _ = _wide_frame(rng, n=3)
    path = tmp_path / "w.parquet"
    df.to_parquet(path)
    assert load(path, fs=250.0).fs == 250.0
    with pytest.raises(ValidationError, match=r"w\.parquet.*fs=1000\.0 was given, but column 'fs' says fs=250 Hz.*fs_column=False"):
        load(path, fs=1000.0)


def test_false_switches_off_the_usual_columns(tmp_path, rng):
    X = rng.normal(size=(3, 6))
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(6)])
    df["label"] = ["a", "b", "a"]
    df["fs"] = 50.0
    df.to_parquet(tmp_path / "w.parquet")
    s = load(tmp_path / "w.parquet", label_column=False, fs_column=False, metadata_columns=["label", "fs"], fs=20.0)
    assert s.labels is None and s.fs == 20.0
    assert s.metadata["label"].tolist() == ["a", "b", "a"]
    np.testing.assert_allclose(s.to_numpy()[:, 0], X, rtol=1e-6)


def test_wide_pandas_index_gives_the_ids(tmp_path, rng):
    X = rng.normal(size=(4, 8))
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(8)], index=pd.Index(list("pqrs"), name="rec"))
    path = tmp_path / "indexed.parquet"
    df.to_parquet(path)
    s = load(path)
    assert s.ids.tolist() == list("pqrs")
    np.testing.assert_allclose(s.to_numpy()[:, 0], X, rtol=1e-6)


def test_wide_without_ids_uses_row_numbers(tmp_path, rng):
    X = rng.normal(size=(6, 10)).astype(np.float32)
    pd.DataFrame(X, columns=[f"c{j}" for j in range(10)]).to_parquet(tmp_path / "plain.parquet")
    s = load(tmp_path / "plain.parquet", dtype=None)
    assert s.dtype == np.float32  # float32 columns kept with dtype=None
    assert s.ids.tolist() == [str(i) for i in range(6)]
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)


def test_wide_list_columns_are_channels_and_may_be_ragged(tmp_path, rng):
    lengths = [30, 45, 12]
    z = [rng.normal(size=n) for n in lengths]
    n = [rng.normal(size=n) for n in lengths]
    table = pa.table({"id": ["e1", "e2", "e3"], "Z": z, "N": n})
    path = tmp_path / "lists.parquet"
    pq.write_table(table, path)
    s = load(path, dtype="float64")
    assert s.channels == ["Z", "N"]
    assert s.lengths.tolist() == lengths
    for i in range(3):
        np.testing.assert_array_equal(s[i], np.stack([z[i], n[i]]))


def test_wide_equal_length_lists_make_a_3d_array(tmp_path, rng):
    X = rng.normal(size=(4, 2, 25))
    table = pa.table({"x": list(X[:, 0]), "y": list(X[:, 1])})
    pq.write_table(table, tmp_path / "eq.parquet")
    s = load(tmp_path / "eq.parquet", dtype="float64")
    assert isinstance(s.data, np.ndarray)
    np.testing.assert_array_equal(s.data, X)


@pytest.mark.parametrize("chunk_size", [1, 3, 4, 100])
def test_wide_iter_chunks_equals_load(tmp_path, rng, chunk_size):
    df, _ = _wide_frame(rng, n=11)
    path = tmp_path / "wide.parquet"
    df.to_parquet(path, row_group_size=4)
    whole = load(path)
    chunks = list(iter_chunks(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    joined = SignalSet.concat(chunks)
    np.testing.assert_array_equal(joined.to_numpy(), whole.to_numpy())
    assert joined.ids.tolist() == whole.ids.tolist()
    assert joined.labels.tolist() == whole.labels.tolist()
    np.testing.assert_array_equal(joined.fs_array, whole.fs_array)


def test_wide_iter_chunks_row_numbers_continue_across_chunks(tmp_path, rng):
    pd.DataFrame(rng.normal(size=(7, 5)), columns=list("abcde")).to_parquet(tmp_path / "n.parquet")
    ids = [i for c in iter_chunks(tmp_path / "n.parquet", chunk_size=3) for i in c.ids]
    assert ids == [str(i) for i in range(7)]


def test_default_chunk_size_reads_a_small_file_in_one_chunk(tmp_path, rng):
    df, _ = _wide_frame(rng, n=9)
    df.to_parquet(tmp_path / "w.parquet", row_group_size=2)
    chunks = list(iter_chunks(tmp_path / "w.parquet"))
    assert [len(c) for c in chunks] == [9]


# -- long ----------------------------------------------------------------------------------
def _long_frame(rng, lengths=(20, 35, 27), channels=("z", "n")):
    rows, expected = [], {}
    for i, n in enumerate(lengths):
        sid = f"ev{i}"
        data = rng.normal(size=(len(channels), n))
        expected[sid] = data
        for c, ch in enumerate(channels):
            for k in range(n):
                rows.append((sid, k * 0.01, ch, data[c, k]))
    df = pd.DataFrame(rows, columns=["id", "time", "channel", "value"])
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True), expected


def test_long_groups_by_id_orders_by_time_and_pivots_channels(tmp_path, rng):
    df, expected = _long_frame(rng)
    path = tmp_path / "long.parquet"
    df.to_parquet(path)
    s = load(path, dtype="float64")
    first_seen = list(dict.fromkeys(df["id"]))
    assert s.ids.tolist() == first_seen
    assert s.channels == list(dict.fromkeys(df["channel"]))
    assert not s.is_equal_length
    for i, sid in enumerate(s.ids):
        order = [("z", "n").index(c) for c in s.channels]
        np.testing.assert_array_equal(s[i], expected[sid][order])
    assert s.metadata["start_time"].tolist() == [0.0, 0.0, 0.0]


def test_long_without_time_keeps_file_order(tmp_path):
    df = pd.DataFrame({"id": ["b", "a", "b", "a", "b"], "value": [1.0, 10.0, 2.0, 20.0, 3.0]})
    df.to_parquet(tmp_path / "l.parquet")
    s = load(tmp_path / "l.parquet")
    assert s.ids.tolist() == ["b", "a"]
    assert s[0].tolist() == [[1.0, 2.0, 3.0]]
    assert s[1].tolist() == [[10.0, 20.0]]


def test_long_equal_lengths_with_labels_and_fs_columns(tmp_path, rng):
    X = rng.normal(size=(3, 12))
    df = pd.DataFrame(
        {
            "id": np.repeat(["x", "y", "z"], 12),
            "time": np.tile(np.arange(12), 3),
            "value": X.ravel(),
            "label": np.repeat(["good", "bad", "good"], 12),
            "fs": np.repeat([10.0, 20.0, 10.0], 12),
        }
    )
    df.to_parquet(tmp_path / "l.parquet")
    s = load(tmp_path / "l.parquet", dtype="float64")
    np.testing.assert_array_equal(s.to_numpy()[:, 0], X)
    assert s.labels.tolist() == ["good", "bad", "good"]
    np.testing.assert_array_equal(s.fs, [10.0, 20.0, 10.0])


def test_long_infers_fs_from_even_timestamps(tmp_path):
    t = pd.date_range("2024-05-01", periods=50, freq="4ms")
    df = pd.DataFrame({"id": np.repeat(["a", "b"], 50), "time": np.tile(t, 2), "value": np.arange(100.0)})
    df.to_parquet(tmp_path / "ts.parquet")
    s = load(tmp_path / "ts.parquet")
    assert s.fs == pytest.approx(250.0)
    assert s.metadata["start_time"].iloc[0] == pd.Timestamp("2024-05-01")


def test_long_given_fs_wins_over_a_rate_from_timestamps(tmp_path):
    t = pd.date_range("2024-05-01", periods=10, freq="10ms")
    pd.DataFrame({"id": ["a"] * 10, "time": t, "value": np.arange(10.0)}).to_parquet(tmp_path / "ts.parquet")
    assert load(tmp_path / "ts.parquet", fs=99.5).fs == 99.5


def test_long_uneven_timestamps_leave_fs_unknown(tmp_path):
    t = pd.to_datetime(["2024-01-01 00:00:00", "2024-01-01 00:00:01", "2024-01-01 00:00:05"])
    pd.DataFrame({"id": ["a"] * 3, "time": t, "value": [1.0, 2.0, 3.0]}).to_parquet(tmp_path / "u.parquet")
    assert load(tmp_path / "u.parquet").fs is None


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_long_iter_chunks_equals_load(tmp_path, rng, chunk_size):
    df, _ = _long_frame(rng, lengths=(5, 9, 7, 9, 3))
    path = tmp_path / "long.parquet"
    df.to_parquet(path, row_group_size=17)
    whole = load(path)
    chunks = list(iter_chunks(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    assert all(c.channels == whole.channels for c in chunks)
    joined = SignalSet.concat(chunks)
    assert joined.ids.tolist() == whole.ids.tolist()
    for a, b in zip(joined.data, whole.data):
        np.testing.assert_array_equal(a, b)


def test_layout_long_forced_with_other_column_names(tmp_path):
    df = pd.DataFrame({"rec": ["a", "a", "b"], "t": [1, 0, 0], "amp": [5.0, 4.0, 9.0]})
    df.to_parquet(tmp_path / "l.parquet")
    s = load(tmp_path / "l.parquet", layout="long", id_column="rec", time_column="t", value_column="amp")
    assert s.ids.tolist() == ["a", "b"]
    assert s[0].tolist() == [[4.0, 5.0]]


def test_parquet_without_extension_is_detected(tmp_path, rng):
    df, _ = _wide_frame(rng, n=3)
    path = tmp_path / "table_no_suffix"
    df.to_parquet(path)
    assert detect_format(path).name == "parquet"
    assert len(load(path, format="parquet")) == 3


# -- errors --------------------------------------------------------------------------------
def test_non_numeric_column_is_named_with_its_type(tmp_path, rng):
    df, _ = _wide_frame(rng, n=3)
    df["station"] = ["A", "B", "C"]
    path = tmp_path / "bad.parquet"
    df.to_parquet(path)
    with pytest.raises(DataFormatError, match=r"bad\.parquet.*\['station'\] are not numeric.*string"):
        load(path)
    assert load(path, metadata_columns=["station"]).metadata["station"].tolist() == ["A", "B", "C"]


def test_named_column_missing_lists_the_columns(tmp_path, rng):
    df, _ = _wide_frame(rng, n=3, t=3)
    df.to_parquet(tmp_path / "w.parquet")
    with pytest.raises(DataFormatError, match=r"w\.parquet.*label_column='class' is not a column.*'t0', 't1'"):
        load(tmp_path / "w.parquet", label_column="class")


def test_list_and_numeric_columns_mixed(tmp_path):
    pq.write_table(pa.table({"x": [[1.0, 2.0]], "y": [3.0]}), tmp_path / "mix.parquet")
    with pytest.raises(DataFormatError, match=r"mix\.parquet.*mixes list columns \['x'\] with numeric columns \['y'\]"):
        load(tmp_path / "mix.parquet")


def test_list_channels_of_different_lengths_in_a_row(tmp_path):
    pq.write_table(
        pa.table({"id": ["a", "b"], "x": [[1.0, 2.0], [1.0]], "y": [[1.0, 2.0], [1.0, 2.0]]}),
        tmp_path / "ragged.parquet",
    )
    with pytest.raises(DataFormatError, match=r"ragged\.parquet.*series 'b' has 1 samples in column 'x' but 2 in column 'y'"):
        load(tmp_path / "ragged.parquet")


def test_unknown_layout(tmp_path, rng):
    df, _ = _wide_frame(rng, n=2)
    df.to_parquet(tmp_path / "w.parquet")
    with pytest.raises(ValidationError, match=r"w\.parquet.*layout='tall' is not one of \['auto', 'wide', 'long'\]"):
        load(tmp_path / "w.parquet", layout="tall")


def test_long_layout_without_value_column(tmp_path, rng):
    df, _ = _wide_frame(rng, n=2, t=3)
    df.to_parquet(tmp_path / "w.parquet")
    with pytest.raises(DataFormatError, match=r"w\.parquet.*long table .* needs a value column \('value'\); columns found: \['id', 't0'"):
        load(tmp_path / "w.parquet", layout="long")


def test_long_options_on_a_wide_table(tmp_path, rng):
    df, _ = _wide_frame(rng, n=2, t=3)
    df.to_parquet(tmp_path / "w.parquet")
    with pytest.raises(ValidationError, match=r"time_column='t0' applies to the long layout.*layout='long'"):
        load(tmp_path / "w.parquet", time_column="t0")


def test_long_series_missing_a_channel(tmp_path):
    df = pd.DataFrame({"id": ["a", "a", "b"], "channel": ["x", "y", "x"], "value": [1.0, 2.0, 3.0]})
    df.to_parquet(tmp_path / "l.parquet")
    with pytest.raises(DataFormatError, match=r"l\.parquet.*series 'b' has no rows for channel 'y'"):
        load(tmp_path / "l.parquet")


def test_long_channels_with_different_times(tmp_path):
    df = pd.DataFrame(
        {"id": ["a"] * 4, "time": [0, 1, 0, 2], "channel": ["x", "x", "y", "y"], "value": [1.0, 2, 3, 4]}
    )
    df.to_parquet(tmp_path / "l.parquet")
    with pytest.raises(DataFormatError, match=r"l\.parquet.*channel 'y' has a sample at time 2 that channel 'x' does not"):
        load(tmp_path / "l.parquet")


def test_long_duplicate_time(tmp_path):
    df = pd.DataFrame({"id": ["a", "a", "a"], "time": [0.0, 1.0, 1.0], "value": [1.0, 2.0, 3.0]})
    df.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(DataFormatError, match=r"d\.parquet.*series 'a' has two rows at time 1\.0"):
        load(tmp_path / "d.parquet")


def test_long_label_changing_within_a_series(tmp_path):
    df = pd.DataFrame({"id": ["a", "a"], "value": [1.0, 2.0], "label": ["ok", "bad"]})
    df.to_parquet(tmp_path / "l.parquet")
    with pytest.raises(DataFormatError, match=r"l\.parquet.*label column 'label' changes within series 'a' \('ok', then 'bad'\)"):
        load(tmp_path / "l.parquet")


def test_duplicate_ids_name_the_file(tmp_path):
    pd.DataFrame({"id": ["a", "a"], "x": [1.0, 2.0], "y": [1.0, 2.0]}).to_parquet(tmp_path / "dup.parquet")
    with pytest.raises(DataFormatError, match=r"dup\.parquet.*ids must be unique; repeated: \['a'\]"):
        load(tmp_path / "dup.parquet")


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_text("id,value\na,1\n")
    with pytest.raises(DataFormatError, match=r"fake\.parquet.*not a readable Parquet file"):
        load(path)


def test_float_dtype_required(tmp_path, rng):
    df, _ = _wide_frame(rng, n=2)
    df.to_parquet(tmp_path / "w.parquet")
    with pytest.raises(ValidationError, match=r"dtype=.int16. is not a floating-point type"):
        load(tmp_path / "w.parquet", dtype="int16")
