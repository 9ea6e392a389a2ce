"""SignalSet and check_collection: the data contract every entry point relies on."""

import numpy as np
import pandas as pd
import pytest

from wavelens import SignalSet, ValidationError, check_collection
from wavelens.data import require_fs


def _ragged():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(2, n)).astype(np.float32) for n in (100, 150, 80)]


class TestSignalSet:
    def test_equal_length_array(self):
        X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
        s = SignalSet(X, fs=10.0, ids=["a", "b"], labels=[0, 1])
        assert len(s) == 2 and s.n_series == 2 and s.n_channels == 3
        assert s.is_equal_length and s.lengths.tolist() == [4, 4]
        assert s.dtype == np.float32
        np.testing.assert_array_equal(s[1], X[1])
        assert s.channels == ["ch0", "ch1", "ch2"]
        assert "n_series=2" in repr(s) and "fs=10" in repr(s)

    def test_two_d_is_one_channel(self):
        s = SignalSet(np.zeros((5, 30)))
        assert s.to_numpy().shape == (5, 1, 30)
        assert s.dtype == np.float64

    def test_ints_become_float64(self):
        assert SignalSet(np.zeros((2, 3), dtype=np.int16)).dtype == np.float64

    def test_ragged_list_padding_and_mask(self):
        s = SignalSet(_ragged(), fs=[100.0, 100.0, 200.0])
        assert not s.is_equal_length
        assert s.lengths.tolist() == [100, 150, 80]
        X, mask = s.to_padded(fill_value=-1.0)
        assert X.shape == (3, 2, 150) and mask.shape == (3, 150)
        assert mask.sum(axis=1).tolist() == [100, 150, 80]
        assert (X[2, :, 80:] == -1.0).all()
        np.testing.assert_array_equal(X[0, :, :100], s[0])
        np.testing.assert_array_equal(s.fs_array, [100, 100, 200])
        with pytest.raises(ValidationError, match="differ in length"):
            s.to_numpy()

    def test_slicing_keeps_everything(self):
        meta = pd.DataFrame({"site": ["x", "y", "z"]})
        s = SignalSet(_ragged(), fs=[1.0, 2.0, 3.0], ids=["a", "b", "c"], labels=["u", "v", "w"], metadata=meta)
        sub = s[1:]
        assert sub.ids.tolist() == ["b", "c"]
        assert sub.labels.tolist() == ["v", "w"]
        np.testing.assert_array_equal(sub.fs_array, [2.0, 3.0])
        assert sub.metadata["site"].tolist() == ["y", "z"]
        assert s[[2, 0]].ids.tolist() == ["c", "a"]
        assert s[np.array([True, False, True])].ids.tolist() == ["a", "c"]
        with pytest.raises(IndexError):
            s[3]

    def test_point_labels_checked(self):
        X = np.zeros((1, 1, 10))
        s = SignalSet(X, point_labels=[np.r_[np.zeros(5), np.ones(5)]])
        assert s.point_labels[0].sum() == 5
        with pytest.raises(ValidationError, match=r"one per sample"):
            SignalSet(X, point_labels=[np.zeros(9)])

    def test_concat(self):
        a = SignalSet(np.zeros((2, 1, 8), np.float32), fs=10.0, ids=["a", "b"], labels=[0, 1])
        b = SignalSet([np.ones((1, 5), np.float32)], fs=20.0, ids=["c"], labels=[1])
        c = SignalSet.concat([a, b])
        assert len(c) == 3 and not c.is_equal_length
        assert c.ids.tolist() == ["a", "b", "c"] and c.labels.tolist() == [0, 1, 1]
        np.testing.assert_array_equal(c.fs_array, [10, 10, 20])

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"ids": ["a", "a"]}, "unique"),
            ({"ids": ["a"]}, "1 entries for 2 series"),
            ({"labels": [1, 2, 3]}, r"labels must have shape \(2,\)"),
            ({"fs": -1.0}, "positive"),
            ({"fs": [1.0, np.nan]}, "fs of series 1"),
            ({"channels": ["x", "y"]}, "2 names but the data has 1"),
            ({"metadata": pd.DataFrame({"a": [1]})}, "metadata has 1 rows for 2 series"),
        ],
    )
    def test_bad_arguments(self, kwargs, match):
        with pytest.raises(ValidationError, match=match):
            SignalSet(np.zeros((2, 1, 4)), **kwargs)

    def test_mixed_channels_refused(self):
        with pytest.raises(ValidationError, match="series 1 has 3"):
            SignalSet([np.zeros((2, 5)), np.zeros((3, 5))])

    def test_empty_refused(self):
        with pytest.raises(ValidationError, match="empty"):
            SignalSet([])


class TestCheckCollection:
    def test_forms_accepted(self):
        X3 = np.zeros((4, 2, 16), np.float32)
        for X, shape in [
            (X3, (4, 2, 16)),
            (np.zeros((4, 16)), (4, 1, 16)),
            (np.zeros(16), (1, 1, 16)),
            ([np.zeros(16), np.zeros(16)], (2, 1, 16)),
            (SignalSet(X3), (4, 2, 16)),
        ]:
            data, meta = check_collection(X)
            assert data.shape == shape and meta.n_series == shape[0] and meta.is_equal_length

    def test_dtype_kept_or_cast(self):
        assert check_collection(np.zeros((2, 8), np.float32))[0].dtype == np.float32
        assert check_collection(np.zeros((2, 8)))[0].dtype == np.float64
        assert check_collection(np.zeros((2, 8), np.int32))[0].dtype == np.float64
        assert check_collection(np.zeros((2, 8)), dtype=np.float32)[0].dtype == np.float32

    def test_ragged_list_stays_list(self):
        data, meta = check_collection(_ragged())
        assert isinstance(data, list) and meta.lengths.tolist() == [100, 150, 80]
        with pytest.raises(ValidationError, match="equal length.*80 to 150"):
            check_collection(_ragged(), allow_ragged=False, caller="Spectrogram()")

    def test_signalset_meta(self):
        s = SignalSet(np.zeros((3, 1, 8)), fs=50.0, ids=["x", "y", "z"], labels=[0, 1, 0])
        _, meta = check_collection(s)
        assert meta.fs == 50.0 and meta.ids.tolist() == ["x", "y", "z"] and meta.signal_set is s
        assert meta.labels.tolist() == [0, 1, 0]
        _, meta = check_collection(s, fs=50.0)
        with pytest.raises(ValidationError, match="fs=100.0 was given but the SignalSet says fs=50.0"):
            check_collection(s, fs=100.0)

    def test_nan_rejected_with_series_named(self):
        X = np.zeros((5, 2, 10))
        X[3, 1, 4] = np.nan
        with pytest.raises(ValidationError, match=r"series 3 contains NaN"):
            check_collection(X)
        s = SignalSet(X, ids=[f"test_{i:04d}" for i in range(5)])
        with pytest.raises(ValidationError, match=r"series 3 \(id='test_0003'\) contains NaN"):
            check_collection(s)
        X[3, 1, 4] = np.inf
        with pytest.raises(ValidationError, match="series 1 contains"):
            check_collection([X[0], X[3], np.zeros((2, 3))])
        data, _ = check_collection(X, allow_nan=True)
        assert np.isinf(data).any()

    def test_huge_finite_values_are_not_nan(self):
        X = np.full((2, 1, 4), 1e308)
        check_collection(X)  # sums overflow but every value is finite

    @pytest.mark.parametrize(
        "X, match",
        [
            (np.zeros((0, 1, 5)), "empty"),
            ([], "empty"),
            ([np.zeros((1, 4)), np.zeros((1, 0))], r"series 1 has no samples"),
            ([np.zeros((1, 4)), np.zeros((2, 4))], "same number of channels"),
            (np.zeros((2, 2, 2, 2)), "4-D array"),
            ("not data", "found str"),
            (np.array([["a", "b"]]), "numeric"),
        ],
    )
    def test_bad_collections(self, X, match):
        with pytest.raises(ValidationError, match=match):
            check_collection(X)

    def test_min_length(self):
        with pytest.raises(ValidationError, match=r"at least 64 samples, but series 0 has n_times=10"):
            check_collection(np.zeros((2, 10)), min_length=64)

    def test_require_fs(self):
        _, meta = check_collection(np.zeros((2, 10)))
        with pytest.raises(ValidationError, match="fs is missing"):
            require_fs(meta, "BandPower()")
        _, meta = check_collection(np.zeros((2, 10)), fs=5)
        assert require_fs(meta, "x") == 5.0
