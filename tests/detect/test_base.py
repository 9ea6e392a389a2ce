"""The anomaly-score contract, checked on every detector: sign, threshold, predict, errors."""

import inspect

import numpy as np
import pytest
from sklearn.base import OutlierMixin, clone

import wavelens.detect as detect
from wavelens.data import SignalSet
from wavelens.detect import (
    DTWKNN,
    KNN,
    LOF,
    OCSVM,
    BaseDetector,
    EnsembleDetector,
    FeatureDetector,
    IForest,
    KPCAResidual,
    Mahalanobis,
    PCAResidual,
)
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.testing import make_collection

DETECTORS = [
    LOF(n_neighbors=5),
    IForest(n_estimators=50, random_state=0),
    OCSVM(nu=0.1),
    KNN(n_neighbors=3),
    KNN(n_neighbors=3, method="max"),
    PCAResidual(n_components=2),
    Mahalanobis(),
    KPCAResidual(n_components=5),
    DTWKNN(n_neighbors=2),
    FeatureDetector(detector=LOF(n_neighbors=5)),
    FeatureDetector(pca=3, whiten=True, detector=KNN(n_neighbors=3)),
    EnsembleDetector([KNN(n_neighbors=3), Mahalanobis()]),
    EnsembleDetector([KNN(n_neighbors=3), IForest(n_estimators=50, random_state=0)], combine="zscore"),
]
IDS = [repr(d) for d in DETECTORS]


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
def test_far_point_scores_higher_than_centre(det, blob):
    det = clone(det).fit(blob)
    scores = det.decision_function(np.array([[0.0, 0.0, 0.0, 0.0], [8.0, -8.0, 8.0, 8.0]]))
    assert scores.dtype == np.float64 and scores.shape == (2,)
    assert scores[1] > scores[0], f"higher must mean more abnormal: {scores}"
    assert scores[1] > det.threshold_
    assert det.predict(np.array([[8.0, -8.0, 8.0, 8.0]])).tolist() == [1]


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
def test_training_scores_threshold_and_labels(det, blob):
    det = clone(det).fit(blob)
    assert det.decision_scores_.shape == (80,) and det.decision_scores_.dtype == np.float64
    assert np.isfinite(det.decision_scores_).all()
    assert det.threshold_ == pytest.approx(np.quantile(det.decision_scores_, 0.9))
    np.testing.assert_array_equal(det.labels_, (det.decision_scores_ > det.threshold_).astype(np.int64))
    assert det.labels_.sum() <= 8  # at most the contaminated tenth


def test_contamination_sets_the_quantile(blob):
    a = KNN(n_neighbors=3, contamination=0.05).fit(blob)
    b = KNN(n_neighbors=3, contamination=0.5).fit(blob)
    assert a.threshold_ == pytest.approx(np.quantile(a.decision_scores_, 0.95))
    assert b.threshold_ == pytest.approx(np.median(b.decision_scores_))
    # labels_ flag the training series from their leave-one-out scores
    assert a.labels_.sum() == 4 and b.labels_.sum() == 40


def test_predict_is_int_zero_one_from_the_threshold(blob):
    det = KNN(n_neighbors=3).fit(blob)
    rows = np.vstack([blob[:10], [[9.0, 9.0, 9.0, 9.0]]])
    labels = det.predict(rows)
    assert labels.dtype == np.int64 and set(labels.tolist()) <= {0, 1}
    np.testing.assert_array_equal(labels, (det.decision_function(rows) > det.threshold_).astype(int))


@pytest.mark.parametrize("bad", [0, 0.0, 0.6, -0.1, "0.1", True, None])
def test_contamination_out_of_range(bad, blob):
    with pytest.raises(ValidationError, match=r"contamination must be a number in \(0, 0\.5\].*found"):
        KNN(contamination=bad).fit(blob)


@pytest.mark.parametrize("method", ["decision_function", "predict"])
def test_not_fitted(method, blob):
    with pytest.raises(NotFittedError, match=r"This KNN instance is not fitted yet. Call KNN.fit"):
        getattr(KNN(), method)(blob)


def test_no_outlier_mixin_anywhere():
    detectors = [getattr(detect, n) for n in detect.__all__]
    detectors = [c for c in detectors if inspect.isclass(c) and issubclass(c, BaseDetector)]
    assert len(detectors) >= 12
    for cls in detectors:
        assert not issubclass(cls, OutlierMixin), f"{cls.__name__} must not inherit OutlierMixin"
        assert cls.get_class_tags()["output"] == "scores"


def test_channel_count_differs_from_fit(train):
    det = FeatureDetector("statistics").fit(train)
    three = make_collection(n_series=4, n_channels=3, n_times=256, random_state=0)
    with pytest.raises(ValidationError, match=r"fitted on series with n_channels=2, but X has n_channels=3"):
        det.decision_function(three)


def test_length_differs_from_fit_for_equal_length_detectors(train):
    det = KNN(n_neighbors=3).fit(train)
    longer = make_collection(n_series=4, n_channels=2, n_times=300, random_state=0)
    with pytest.raises(ValidationError, match=r"n_times=256 \(it needs equal lengths\), but X has n_times=300"):
        det.decision_function(longer)
    # detectors that accept ragged input score other lengths
    dtw = DTWKNN(n_neighbors=2).fit(train)
    assert np.isfinite(dtw.decision_function(longer)).all()


def test_ragged_training_refused_by_matrix_detectors():
    ragged = make_collection(n_series=10, n_channels=1, n_times=200, ragged=True, random_state=0)
    with pytest.raises(ValidationError, match=r"KNN\(n_neighbors=3\): needs series of equal length, but they range"):
        KNN(n_neighbors=3).fit(ragged)


def test_nan_in_scored_series_is_named(train):
    det = KNN(n_neighbors=3).fit(train)
    arr = train.to_numpy()[:5].copy()
    arr[3, 1, 7] = np.nan
    with pytest.raises(ValidationError, match=r"series 3 \(id='s003'\) contains NaN or inf"):
        det.decision_function(SignalSet(arr, ids=train.ids[:5]))


def test_y_is_ignored(blob):
    a = KNN(n_neighbors=3).fit(blob).decision_function(blob)
    b = KNN(n_neighbors=3).fit(blob, y=np.arange(80) % 2).decision_function(blob)
    np.testing.assert_array_equal(a, b)


def test_integer_input_gives_float64_scores():
    X = np.random.default_rng(0).integers(0, 10, size=(20, 1, 8))
    scores = KNN(n_neighbors=3).fit(X).decision_function(X)
    assert scores.dtype == np.float64 and scores.shape == (20,)


def test_too_few_training_series_for_the_neighbours(blob):
    expected = r"needs at least 11 training series \(n_neighbors=10 plus the series itself\), but fit got 5"
    with pytest.raises(ValidationError, match=expected):
        KNN(n_neighbors=10).fit(blob[:5])
    with pytest.raises(ValidationError, match=r"needs at least 6 training series .* but fit got 5"):
        LOF(n_neighbors=5).fit(blob[:5])


def test_non_finite_scores_are_refused_with_the_series_named(blob):
    class _Broken(KNN):
        def _score_matrix(self, F):
            out = super()._score_matrix(F)
            out[1] = np.inf
            return out

    det = _Broken(n_neighbors=3).fit(blob)
    with pytest.raises(ValidationError, match=r"non-finite score \(inf\) to series 1 \(id='1'\) of X"):
        det.decision_function(blob[:3])


@pytest.mark.parametrize(
    "det",
    [IForest(n_estimators=30), FeatureDetector("statistics", detector=IForest(n_estimators=30))],
    ids=["IForest", "FeatureDetector(IForest)"],
)
def test_same_seed_same_scores_other_seed_other_scores(det, train, test_set):
    def scores(seed):
        d = clone(det)
        target = d if "random_state" in d.get_params(deep=False) else d.detector
        target.set_params(random_state=seed)
        return d.fit(train).decision_function(test_set)

    np.testing.assert_array_equal(scores(3), scores(3))
    assert not np.array_equal(scores(3), scores(4))


def test_windows_are_just_more_series_for_a_window_level_wrapper(train, test_set):
    # what a WindowedDetector will do: fit on the windows of normal series, score the
    # windows of new ones, one score per series by aggregation
    from wavelens.testing import plant_anomalies
    from wavelens.transforms import aggregate, make_windows

    windows, _ = make_windows(train, size=64, step=32)
    det = FeatureDetector("statistics", detector=KNN(n_neighbors=5)).fit(windows)
    bad, _ = plant_anomalies(test_set, kind="burst", indices=[9], random_state=0)
    test_windows, wmap = make_windows(bad, size=64, step=32)
    per_series = aggregate(det.decision_function(test_windows), wmap, how="max")
    assert per_series.shape == (12,) and int(np.argmax(per_series)) == 9
