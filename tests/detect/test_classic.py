"""The core detectors on rows of numbers: each against an independent computation."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

from wavelens.detect import KNN, LOF, OCSVM, FeatureDetector, IForest, KPCAResidual, Mahalanobis, PCAResidual
from wavelens.detect._adapters import _SklearnAdapter
from wavelens.exceptions import ValidationError
from wavelens.testing import estimator_checks, plant_anomalies

CORE = [
    (LOF, {"n_neighbors": 5}),
    (IForest, {"n_estimators": 30, "random_state": 0}),
    (OCSVM, {"nu": 0.2}),
    (KNN, {"n_neighbors": 3}),
    (KNN, {"n_neighbors": 2, "method": "max"}),
    (PCAResidual, {"n_components": 0.8}),
    (Mahalanobis, {"n_components": 5}),
    (KPCAResidual, {"n_components": 5, "kernel": "poly", "degree": 2}),
]


def _common_cases():
    for cls, params in CORE:
        for name, _ in estimator_checks(cls(**params)):
            # on raw rows a flat series sits at the centre of oscillating data; that check
            # runs on every core detector through FeatureDetector in tests/test_common.py
            if name != "check_planted_anomaly_ranked_first":
                yield pytest.param(cls, params, name, id=f"{cls.__name__}-{sorted(params.items())}-{name}")


@pytest.mark.parametrize("cls, params, check_name", list(_common_cases()))
def test_core_detectors_pass_the_common_checks(cls, params, check_name):
    dict(estimator_checks(cls(**params)))[check_name]()


def test_raw_rows_miss_a_dead_sensor_that_features_catch(train, test_set):
    bad, _ = plant_anomalies(test_set, kind="constant", indices=[5], random_state=0)
    raw = KNN(n_neighbors=3).fit(train).decision_function(bad)
    assert np.argsort(-raw).tolist().index(5) >= 6  # ranked among the most normal half
    feat = FeatureDetector("statistics", detector=KNN(n_neighbors=3)).fit(train).decision_function(bad)
    assert int(np.argmax(feat)) == 5


@pytest.mark.parametrize("kind", ["tone", "drift"])
@pytest.mark.parametrize(
    "det",
    [KNN(n_neighbors=3), LOF(n_neighbors=5), IForest(random_state=0), OCSVM(nu=0.1), PCAResidual(0.9),
     KPCAResidual(n_components=5)],
    ids=lambda d: type(d).__name__,
)
def test_raw_rows_rank_a_planted_tone_or_drift_first(det, kind, train, test_set):
    bad, _ = plant_anomalies(test_set, kind=kind, indices=[5], random_state=0)
    assert int(np.argmax(det.fit(train).decision_function(bad))) == 5


# -- the one negation -----------------------------------------------------------------
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (LOF(n_neighbors=7), LocalOutlierFactor(n_neighbors=7, novelty=True, algorithm="brute")),
        (IForest(n_estimators=40, random_state=3), IsolationForest(n_estimators=40, random_state=3)),
        (OCSVM(nu=0.2, gamma=0.3), OneClassSVM(nu=0.2, gamma=0.3)),
    ],
    ids=["LOF", "IForest", "OCSVM"],
)
def test_sklearn_scores_are_negated_exactly(ours, theirs, blob):
    assert isinstance(ours, _SklearnAdapter)
    ours.fit(blob)
    theirs.fit(blob)
    queries = np.vstack([blob[:20], np.random.default_rng(1).normal(0, 3, (20, 4))])
    np.testing.assert_array_equal(ours.decision_function(queries), -theirs.score_samples(queries))
    if isinstance(theirs, LocalOutlierFactor):
        np.testing.assert_array_equal(ours.decision_scores_, -theirs.negative_outlier_factor_)
    else:
        np.testing.assert_array_equal(ours.decision_scores_, -theirs.score_samples(blob))


# -- KNN ------------------------------------------------------------------------------
def _brute_knn(reference, query, k, leave_one_out):
    d = np.sqrt(((query[:, None, :] - reference[None, :, :]) ** 2).sum(axis=2))
    if leave_one_out:
        np.fill_diagonal(d, np.inf)
    return np.sort(d, axis=1)[:, :k]


def test_knn_is_the_exact_mean_or_kth_distance(blob):
    queries = np.random.default_rng(2).normal(0, 2, (15, 4))
    for method, reduce in (("mean", lambda d: d.mean(1)), ("max", lambda d: d[:, -1])):
        det = KNN(n_neighbors=4, method=method).fit(blob)
        np.testing.assert_allclose(det.decision_function(queries), reduce(_brute_knn(blob, queries, 4, False)), rtol=1e-12)
        np.testing.assert_allclose(det.decision_scores_, reduce(_brute_knn(blob, blob, 4, True)), rtol=1e-12)


def test_knn_distance_to_a_training_row_is_exactly_zero_and_batch_independent(blob):
    det = KNN(n_neighbors=1).fit(blob * 1000.0 + 5000.0)  # large norms: the product form rounds
    batch = det.decision_function(blob * 1000.0 + 5000.0)
    assert np.all(batch == 0.0)
    single = np.array([det.decision_function(row[None] * 1000.0 + 5000.0)[0] for row in blob[:10]])
    np.testing.assert_array_equal(single, batch[:10])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_neighbors": 0}, r"KNN\(n_neighbors=0\): n_neighbors must be an integer >= 1, found 0"),
        ({"n_neighbors": "3"}, r"n_neighbors must be an integer >= 1, found '3'"),
        ({"method": "median"}, r"method must be one of \('mean', 'max'\), found 'median'"),
    ],
)
def test_knn_bad_parameters(params, message, blob):
    with pytest.raises(ValidationError, match=message):
        KNN(**params).fit(blob)


# -- PCA residual and Mahalanobis -----------------------------------------------------
def _correlated(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)) @ rng.standard_normal((6, 6))


def test_pca_residual_matches_sklearn_reconstruction():
    X = _correlated()
    queries = _correlated(30, seed=1) * 1.5
    for n_components in (2, 0.9):
        det = PCAResidual(n_components=n_components).fit(X)
        ref = PCA(n_components=n_components, svd_solver="full").fit(X)
        assert det.n_components_ == ref.n_components_
        expected = ((queries - ref.inverse_transform(ref.transform(queries))) ** 2).sum(axis=1)
        np.testing.assert_allclose(det.decision_function(queries), expected, rtol=1e-9, atol=1e-9)


def test_mahalanobis_matches_the_covariance_formula():
    X = _correlated()
    queries = _correlated(30, seed=1)
    det = Mahalanobis().fit(X)
    diff = queries - X.mean(axis=0)
    expected = np.sqrt(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(np.cov(X, rowvar=False)), diff))
    np.testing.assert_allclose(det.decision_function(queries), expected, rtol=1e-8)
    assert det.n_components_ == 6


def test_mahalanobis_leaves_out_directions_without_variance():
    X = np.c_[_correlated()[:, :3], np.zeros((200, 2))]  # two features constant in training
    det = Mahalanobis().fit(X)
    assert det.n_components_ == 3
    assert np.isfinite(det.decision_function(X + 1.0)).all()
    with pytest.raises(ValidationError, match=r"n_components=4 but the training rows span only 3 component\(s\)"):
        Mahalanobis(n_components=4).fit(X)


@pytest.mark.parametrize("cls", [PCAResidual, Mahalanobis])
def test_identical_training_rows_are_refused(cls):
    with pytest.raises(ValidationError, match=r"the training rows are all identical"):
        cls(n_components=0.5).fit(np.ones((10, 3)))


@pytest.mark.parametrize("bad", [None, 0, 1.0, 1.5, "all", True])
def test_pca_residual_bad_n_components(bad):
    expected = r"n_components must be an integer >= 1, a fraction of variance in \(0, 1\), found|span only"
    with pytest.raises(ValidationError, match=expected):
        PCAResidual(n_components=bad).fit(_correlated())


# -- kernel PCA residual -------------------------------------------------------------
def test_kpca_with_a_linear_kernel_is_the_pca_residual():
    X = _correlated()
    queries = _correlated(30, seed=1)
    kpca = KPCAResidual(n_components=3, kernel="linear").fit(X)
    pca = PCAResidual(n_components=3).fit(X)
    np.testing.assert_allclose(kpca.decision_function(queries), pca.decision_function(queries), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(kpca.decision_scores_, pca.decision_scores_, rtol=1e-7, atol=1e-7)


def test_kpca_rbf_residual_matches_an_explicit_feature_space():
    # with the rbf kernel the residual is k(x,x) - 2 mean k(x,X) + mean K - ||projection||^2;
    # check it against the eigen-decomposition of the centred training kernel done here
    rng = np.random.default_rng(4)
    X, Q = rng.standard_normal((40, 3)), rng.standard_normal((7, 3)) * 2
    g = 0.3
    k = lambda A, B: np.exp(-g * ((A[:, None] - B[None]) ** 2).sum(-1))  # noqa: E731
    K = k(X, X)
    J = np.eye(40) - 1 / 40
    vals, vecs = np.linalg.eigh(J @ K @ J)
    vals, vecs = vals[::-1][:4], vecs[:, ::-1][:, :4]
    KQ = k(Q, X)
    KQc = KQ - KQ.mean(1, keepdims=True) - K.mean(0) + K.mean()
    proj = KQc @ (vecs / np.sqrt(vals))
    expected = 1 - 2 * KQ.mean(1) + K.mean() - (proj**2).sum(1)
    det = KPCAResidual(n_components=4, gamma=g).fit(X)
    np.testing.assert_allclose(det.decision_function(Q), expected, rtol=1e-8, atol=1e-10)


def test_kpca_cosine_zero_row_is_finite():
    X = _correlated()
    det = KPCAResidual(n_components=3, kernel="cosine").fit(X)
    assert np.isfinite(det.decision_function(np.zeros((1, 6)))).all()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"kernel": "sigmoid"}, r"kernel must be one of \('rbf', 'laplacian', 'poly', 'linear', 'cosine'\)"),
        ({"gamma": -1.0}, r"gamma must be a positive number or None, found -1.0"),
        ({"n_components": 0}, r"n_components must be an integer >= 1, found 0"),
        ({"n_components": 500}, r"n_components=500 but the centred training kernel has only \d+ non-zero eigenvalue"),
        ({"kernel": "poly", "degree": 0}, r"degree must be an integer >= 1, found 0"),
    ],
)
def test_kpca_bad_parameters(params, message):
    with pytest.raises(ValidationError, match=message):
        KPCAResidual(**params).fit(_correlated())


# -- scikit-learn-backed parameters ----------------------------------------------------
@pytest.mark.parametrize(
    "det, message",
    [
        (LOF(n_neighbors=0), r"LOF\(n_neighbors=0\): n_neighbors must be an integer >= 1"),
        (OCSVM(nu=0.0), r"nu must be a number in \(0, 1\], found 0.0"),
        (OCSVM(kernel="cubic"), r"kernel must be one of \('rbf', 'linear', 'poly', 'sigmoid'\), found 'cubic'"),
        (IForest(n_estimators=0), r"n_estimators must be an integer >= 1, found 0"),
    ],
)
def test_sklearn_backed_bad_parameters(det, message, blob):
    with pytest.raises(ValidationError, match=message):
        det.fit(blob)
