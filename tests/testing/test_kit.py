"""The shipped test kit: data makers and the common checks themselves."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from wavelens import check_collection
from wavelens.base import BaseTransform, check_is_fitted
from wavelens.exceptions import NotFittedError
from wavelens.testing import ANOMALY_KINDS, check_estimator, make_collection, plant_anomalies


def test_make_collection_shapes_and_seed():
    a = make_collection(10, 3, 128, n_classes=2, random_state=0)
    b = make_collection(10, 3, 128, n_classes=2, random_state=0)
    assert a.to_numpy().shape == (10, 3, 128) and a.dtype == np.float32
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    assert set(a.labels.tolist()) <= {0, 1}
    r = make_collection(10, 1, 128, ragged=True, min_times=64, random_state=0)
    assert r.lengths.min() >= 64 and r.lengths.max() <= 128 and not r.is_equal_length


@pytest.mark.parametrize("kind", ANOMALY_KINDS)
def test_plant_anomalies_changes_only_chosen(kind):
    s = make_collection(6, 1, 256, random_state=0)
    bad, idx = plant_anomalies(s, kind=kind, indices=[4], random_state=0)
    assert idx.tolist() == [4] and bad.labels.tolist() == [0, 0, 0, 0, 1, 0]
    diff = np.abs(bad.to_numpy() - s.to_numpy()).reshape(6, -1).max(axis=1)
    assert diff[4] > 0 and (np.delete(diff, 4) == 0).all()


class _MeanFeature(BaseTransform):
    """A tiny honest transformer: per-channel means."""

    _tags = {"capability:ragged": True}

    def fit(self, X, y=None):
        _, meta = check_collection(X, caller="MeanFeature")
        self.n_channels_ = meta.n_channels
        return self

    def transform(self, X):
        check_is_fitted(self)
        data, _ = check_collection(X, caller="MeanFeature")
        return np.stack([s.mean(axis=1) for s in data]).astype(data[0].dtype)


class _NanLeaker(_MeanFeature):
    def transform(self, X):
        check_is_fitted(self)
        data, _ = check_collection(X, allow_nan=True)
        return np.stack([s.mean(axis=1) for s in data])


def test_common_checks_pass_on_honest_estimator():
    check_estimator(_MeanFeature())


def test_common_checks_catch_a_nan_leak():
    with pytest.raises(AssertionError, match="check_nan_rejected"):
        check_estimator(_NanLeaker())


def test_check_is_fitted():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        check_is_fitted(_MeanFeature())
    with pytest.raises(NotFittedError):
        check_is_fitted(BaseEstimator(), "coef_")
