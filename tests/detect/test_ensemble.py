"""EnsembleDetector: rank and z-score averaging against a computation by hand."""

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from wavelens.detect import DTWKNN, KNN, EnsembleDetector, FeatureDetector, IForest, Mahalanobis
from wavelens.exceptions import ValidationError
from wavelens.testing import make_collection, plant_anomalies


def _members(blob):
    return [KNN(n_neighbors=3).fit(blob), Mahalanobis().fit(blob), IForest(n_estimators=50, random_state=0).fit(blob)]


def test_zscore_is_the_mean_standardised_score(blob):
    queries = np.random.default_rng(5).normal(0, 2, (25, 4))
    ens = EnsembleDetector([KNN(n_neighbors=3), Mahalanobis(), IForest(n_estimators=50, random_state=0)],
                           combine="zscore").fit(blob)
    expected = np.mean(
        [(m.decision_function(queries) - m.decision_scores_.mean()) / m.decision_scores_.std() for m in _members(blob)],
        axis=0,
    )
    np.testing.assert_allclose(ens.decision_function(queries), expected, rtol=1e-12)


def test_rank_is_the_mean_training_percentile_with_ties_broken_by_zscore(blob):
    queries = np.vstack([np.random.default_rng(5).normal(0, 1, (20, 4)), [[6.0, 6, 6, 6], [9.0, 9, 9, 9]]])
    ens = EnsembleDetector([KNN(n_neighbors=3), Mahalanobis(), IForest(n_estimators=50, random_state=0)]).fit(blob)
    members = _members(blob)
    pct = np.mean(
        [[np.mean(m.decision_scores_ < s) + 0.5 * np.mean(m.decision_scores_ == s) for s in m.decision_function(queries)]
         for m in members],
        axis=0,
    )
    scores = ens.decision_function(queries)
    step = 1.0 / (2 * 80 * 3)
    np.testing.assert_allclose(scores, pct, atol=0.25 * step)
    # both far points are above every training score of every member: the farther ranks first
    assert pct[-1] == pct[-2] == 1.0 and scores[-1] > scores[-2] > scores[:-2].max()


def test_rank_with_one_member_keeps_its_order(blob):
    queries = np.random.default_rng(6).normal(0, 1.5, (30, 4))
    member = KNN(n_neighbors=3).fit(blob).decision_function(queries)
    ens = EnsembleDetector([KNN(n_neighbors=3)]).fit(blob).decision_function(queries)
    np.testing.assert_array_equal(np.argsort(ens), np.argsort(member))


def test_a_member_with_constant_training_scores_is_only_centred():
    train = np.repeat(np.random.default_rng(0).standard_normal((10, 3)), 2, axis=0)  # every row twice
    ens = EnsembleDetector([KNN(n_neighbors=1)], combine="zscore").fit(train)
    assert np.all(ens.detectors_[0].decision_scores_ == 0.0)
    queries = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    np.testing.assert_allclose(ens.decision_function(queries), ens.detectors_[0].decision_function(queries))


def test_a_series_score_does_not_depend_on_the_batch(train, test_set):
    ens = EnsembleDetector([FeatureDetector("statistics", detector=KNN(n_neighbors=3)), DTWKNN(n_neighbors=2)]).fit(train)
    batch = ens.decision_function(test_set)
    single = np.array([ens.decision_function(test_set[[i]])[0] for i in range(len(test_set))])
    np.testing.assert_allclose(single, batch, rtol=1e-12)


def test_members_are_cloned(blob):
    knn = KNN(n_neighbors=3)
    ens = EnsembleDetector([knn]).fit(blob)
    assert not hasattr(knn, "threshold_") and ens.detectors_[0] is not knn


def test_tags_follow_the_members():
    assert EnsembleDetector([DTWKNN(), FeatureDetector("statistics")]).get_tags()["capability:ragged"]
    assert not EnsembleDetector([DTWKNN(), KNN()]).get_tags()["capability:ragged"]
    assert EnsembleDetector([KNN(), IForest()]).get_tags()["stochastic"]


def test_planted_burst_found_by_an_ensemble_of_views(train, test_set):
    bad, _ = plant_anomalies(test_set, kind="burst", indices=[4], random_state=0)
    members = [
        FeatureDetector("statistics", detector=KNN(n_neighbors=3)),
        FeatureDetector("gaussian_derivative_bank", detector=IForest(random_state=0)),
        FeatureDetector("spectral_summary(nperseg=64)", detector=IForest(random_state=0)),
    ]
    alone = [int(np.argmax(m.fit(train).decision_function(bad))) for m in members]
    assert alone.count(4) == 1  # only one member alone puts the burst first
    for combine in ("rank", "zscore"):
        ens = EnsembleDetector(members, combine=combine).fit(train)
        assert int(np.argmax(ens.decision_function(bad))) == 4


@pytest.mark.parametrize(
    "params, message",
    [
        ({"detectors": []}, r"detectors must be a non-empty list of wavelens detectors, found \[\]"),
        ({"detectors": KNN()}, r"detectors must be a non-empty list"),
        ({"detectors": [KNN(), IsolationForest()]}, r"detectors\[1\] must be a wavelens detector .* found IsolationForest"),
        ({"detectors": [KNN()], "combine": "mean"}, r"combine must be one of \('rank', 'zscore'\), found 'mean'"),
    ],
)
def test_bad_ensembles(params, message, blob):
    with pytest.raises(ValidationError, match=message):
        EnsembleDetector(**params).fit(blob)


def test_members_must_agree_on_the_input():
    ragged = make_collection(n_series=12, n_channels=1, n_times=200, ragged=True, random_state=0)
    with pytest.raises(ValidationError, match=r"needs series of equal length"):
        EnsembleDetector([DTWKNN(), KNN(n_neighbors=3)]).fit(ragged)
