"""FeatureDetector: representation → scaling → PCA → core detector, constant rows included."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler

from wavelens.base import BaseTransform
from wavelens.data import SignalSet, check_collection
from wavelens.datasets import make_vibration
from wavelens.detect import KNN, LOF, OCSVM, FeatureDetector, IForest, KPCAResidual, Mahalanobis, PCAResidual
from wavelens.evaluate import roc_auc
from wavelens.exceptions import ValidationError
from wavelens.testing import ANOMALY_KINDS, plant_anomalies
from wavelens.transforms import BandPower, Statistics


# -- constant rows (a dead sensor) ------------------------------------------------------
@pytest.mark.parametrize(
    "representation",
    [
        "statistics",
        "spectral_summary(nperseg=64)",
        "band_power(edges=(0, 5, 10, 20, 50), log=True)",
        "gabor_bank",
        "gaussian_derivative_bank",
        "spline_derivative | statistics",
        "standardize | statistics",
        "spectrogram(nperseg=64)",
    ],
)
@pytest.mark.parametrize("value", ["mean", "zero"])
def test_constant_series_get_finite_scores_and_rank_first(representation, value, train, test_set):
    arr = test_set.to_numpy().copy()
    arr[5] = arr[5].mean() if value == "mean" else 0.0
    det = FeatureDetector(representation, detector=KNN(n_neighbors=3)).fit(train)
    scores = det.decision_function(SignalSet(arr, fs=100.0))
    assert np.isfinite(scores).all()
    assert int(np.argmax(scores)) == 5


@pytest.mark.parametrize("representation", ["periodogram", "fft_magnitude", "welch(nperseg=64)", None])
def test_linear_spectra_and_raw_rows_keep_a_constant_series_finite(representation, train, test_set):
    # finite, but in linear power (or raw samples) a flat series lies near the centre of
    # series whose peaks sit at different frequencies: it need not rank first there
    arr = test_set.to_numpy().copy()
    arr[5] = 0.0
    det = FeatureDetector(representation, detector=KNN(n_neighbors=3)).fit(train)
    scores = det.decision_function(SignalSet(arr, fs=100.0))
    assert np.isfinite(scores).all() and scores.shape == (12,)


def test_helicopter_simulation_dead_sensors_rank_at_the_top():
    train = make_vibration(40, n_times=2048, mains=0.4, random_state=1)
    test = make_vibration(40, n_times=2048, anomaly_fraction=0.3, random_state=2)
    dead = np.flatnonzero(test.metadata["anomaly"].to_numpy() == "constant")
    assert dead.size == 2
    det = FeatureDetector("statistics + spectral_summary(nperseg=256)", detector=LOF(n_neighbors=5)).fit(train)
    scores = det.decision_function(test)
    assert np.isfinite(scores).all()
    top = np.argsort(-scores)[: int(test.labels.sum())]
    assert set(dead.tolist()) <= set(top.tolist())
    assert roc_auc(test.labels, scores) > 0.8  # measured 0.86 with these seeds


# -- scaling -------------------------------------------------------------------------------
@pytest.mark.parametrize("scaler", ["standard", "robust"])
def test_a_feature_constant_in_training_is_centred_not_divided_by_zero(scaler, blob):
    train = np.c_[blob, np.full(len(blob), 3.0)]
    det = FeatureDetector(scaler=scaler, detector=KNN(n_neighbors=3)).fit(train)
    rows = np.array([[0.0, 0.0, 0.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0, 7.0]])
    scores = det.decision_function(rows)
    assert np.isfinite(scores).all() and np.isfinite(det.decision_scores_).all()
    assert scores[1] > scores[0] + 3.0  # the change in the constant feature still counts, in its units


def test_the_study_composition_equals_the_sklearn_steps(train, test_set):
    det = FeatureDetector(pca=10, whiten=True, detector=LOF(n_neighbors=5)).fit(train)
    flat_train = train.to_numpy().reshape(30, -1).astype(np.float64)
    flat_test = test_set.to_numpy().reshape(12, -1).astype(np.float64)
    scaler = StandardScaler().fit(flat_train)
    pca = PCA(10, whiten=True, svd_solver="full").fit(scaler.transform(flat_train))
    lof = LocalOutlierFactor(n_neighbors=5, novelty=True, algorithm="brute").fit(pca.transform(scaler.transform(flat_train)))
    expected = -lof.score_samples(pca.transform(scaler.transform(flat_test)))
    np.testing.assert_allclose(det.decision_function(test_set), expected, rtol=1e-9)
    assert det.n_features_ == 512 and det.pca_.n_components_ == 10


def test_pca_fraction_and_no_scaler(blob):
    det = FeatureDetector(scaler=None, pca=0.9, detector=Mahalanobis()).fit(blob)
    assert det.scaler_ is None and 1 <= det.pca_.n_components_ <= 4
    assert det.detector_.n_features_in_ == det.pca_.n_components_


@pytest.mark.parametrize(
    "params, message",
    [
        ({"whiten": True}, r"whiten=True needs pca \(the components to whiten\)"),
        ({"pca": 81}, r"pca=81 but the training features have 80 rows and 4 columns, so at most 4 components"),
        ({"pca": 0}, r"pca=0 but the training features .* at most 4 components"),
        ({"pca": 1.5}, r"pca must be None, an integer >= 1 or a fraction of variance in \(0, 1\), found 1.5"),
        ({"pca": 2, "whiten": "yes"}, r"whiten must be True or False, found 'yes'"),
        ({"scaler": "minmax"}, r"scaler must be one of \('standard', 'robust'\), found 'minmax'"),
        ({"detector": IsolationForest()}, r"detector must be a wavelens detector such as LOF\(\) .* found IsolationForest"),
        ({"representation": 42}, r"representation must be None \(raw samples\), a pipeline spec .* found int"),
        ({"representation": "statistic"}, r"pipeline step 'statistic': unknown transform; valid names: \[.*'statistics'"),
    ],
)
def test_bad_compositions(params, message, blob):
    with pytest.raises(ValidationError, match=message):
        FeatureDetector(**params).fit(blob)


def test_whitening_a_component_without_variance_is_refused(blob):
    rank_two = np.c_[blob[:, :2], blob[:, :2] * 2.0]
    expected = r"component 3 of 3 has none in the training features \(they span only 2 direction\(s\)\)"
    with pytest.raises(ValidationError, match=expected):
        FeatureDetector(scaler=None, pca=3, whiten=True).fit(rank_two)


# -- representations ---------------------------------------------------------------------
class _NanForSeries3(BaseTransform):
    """A broken representation: NaN features for the fourth series it sees."""

    _tags = {"capability:ragged": True, "output": "features"}

    def fit(self, X, y=None):
        self.n_channels_ = check_collection(X)[1].n_channels
        return self

    def transform(self, X):
        data, meta = check_collection(X)
        out = np.stack([s.std(axis=1) for s in data]).astype(np.float64)
        if meta.n_series > 3:
            out[3] = np.nan
        return out


def test_nan_features_are_refused_naming_the_series_and_the_representation(train):
    det = FeatureDetector(_NanForSeries3())
    expected = r"representation _NanForSeries3 gave NaN or inf features for series 3 \(id='s003'\)"
    with pytest.raises(ValidationError, match=expected):
        det.fit(train)


def test_spec_string_transformer_and_pipeline_agree(train, test_set):
    a = FeatureDetector("statistics", detector=KNN(n_neighbors=3)).fit(train).decision_function(test_set)
    b = FeatureDetector(Statistics(), detector=KNN(n_neighbors=3)).fit(train).decision_function(test_set)
    np.testing.assert_array_equal(a, b)


def test_the_representation_is_cloned_not_changed(train):
    st = Statistics()
    det = FeatureDetector(st).fit(train)
    assert det.representation is st and not hasattr(st, "stats_") and det.representation_ is not st


def test_ragged_series_follow_the_representation():
    from wavelens.testing import make_collection

    ragged = make_collection(n_series=20, n_channels=1, n_times=300, ragged=True, random_state=0)
    det = FeatureDetector("statistics + spectral_summary(nperseg=64)", detector=KNN(n_neighbors=3))
    assert det.get_tags()["capability:ragged"]
    assert np.isfinite(det.fit(ragged).decision_function(ragged)).all()
    for refusing in (FeatureDetector(), FeatureDetector("welch(nperseg=64)")):
        assert not refusing.get_tags()["capability:ragged"]
        with pytest.raises(ValidationError, match=r"needs series of equal length, but they range from"):
            refusing.fit(ragged)


# -- the sampling rate --------------------------------------------------------------------
def test_fs_reaches_representations_that_need_it(train, test_set):
    rep = BandPower(edges=(0.0, 5.0, 10.0, 20.0, 50.0), log=True)
    from_set = FeatureDetector(rep, detector=KNN(n_neighbors=3)).fit(train)
    bare = FeatureDetector(rep, detector=KNN(n_neighbors=3), fs=100.0).fit(train.to_numpy())
    np.testing.assert_array_equal(from_set.decision_function(test_set), bare.decision_function(test_set.to_numpy()))
    # a bare array scored after fitting on a SignalSet is taken at the training rate
    np.testing.assert_array_equal(from_set.decision_function(test_set.to_numpy()), from_set.decision_function(test_set))


def test_a_different_rate_at_scoring_time_is_refused(train, test_set):
    det = FeatureDetector("spectral_summary(nperseg=64)").fit(train)
    other = SignalSet(test_set.to_numpy(), fs=50.0)
    with pytest.raises(ValidationError, match=r"fitted on series sampled at fs=100.0 Hz, but X has fs=50.0 Hz"):
        det.decision_function(other)


@pytest.mark.parametrize(
    "detector",
    [KNN(n_neighbors=3), LOF(n_neighbors=5), IForest(n_estimators=200, random_state=0), Mahalanobis(),
     OCSVM(nu=0.1), KPCAResidual(n_components=5), PCAResidual(n_components=3)],
    ids=lambda d: type(d).__name__,
)
def test_planted_anomalies_of_every_kind_rank_first(detector, train, test_set):
    det = FeatureDetector("statistics", detector=detector).fit(train)
    for index in (2, 7):
        for kind in ANOMALY_KINDS:
            bad, _ = plant_anomalies(test_set, kind=kind, indices=[index], random_state=0)
            scores = det.decision_function(bad)
            assert int(np.argmax(scores)) == index, f"{kind} at {index}: {np.round(scores, 3)}"
