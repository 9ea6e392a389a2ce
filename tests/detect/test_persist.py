"""Saving and loading detectors as JSON + npz: identical scores, and nothing run from the files."""

import hashlib
import io
import json
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import InconsistentVersionWarning

from wavelens.base import BaseTransform
from wavelens.data import check_collection
from wavelens.detect import (
    DTWKNN,
    KNN,
    LOF,
    OCSVM,
    EnsembleDetector,
    FeatureDetector,
    IForest,
    KPCAResidual,
    Mahalanobis,
    PCAResidual,
    PyODDetector,
    load_detector,
    save_detector,
)
from wavelens.exceptions import DataFormatError, NotFittedError, ValidationError
from wavelens.testing import make_collection
from wavelens.transforms import BagOfWords

DETECTORS = [
    LOF(n_neighbors=5),
    IForest(n_estimators=20, random_state=np.random.RandomState(3)),
    OCSVM(nu=0.2),
    KNN(n_neighbors=3, method="max"),
    PCAResidual(n_components=3),
    Mahalanobis(n_components=5),
    KPCAResidual(n_components=4, kernel="laplacian"),
    DTWKNN(n_neighbors=2, band=None),
    FeatureDetector("standardize | statistics + spectral_summary(nperseg=64)", pca=5, whiten=True,
                    detector=LOF(n_neighbors=5)),
    FeatureDetector(BagOfWords(window=32, n_words=4, random_state=0), scaler="robust",
                    detector=IForest(n_estimators=10, random_state=0)),
    FeatureDetector("gabor_bank", detector=KPCAResidual(n_components=3), fs=100.0),
    EnsembleDetector([FeatureDetector("statistics", detector=OCSVM()), DTWKNN(n_neighbors=2)], combine="zscore"),
]


@pytest.mark.parametrize("det", DETECTORS, ids=lambda d: type(d).__name__)
def test_round_trip_gives_identical_scores(det, train, test_set, tmp_path):
    det = clone(det).fit(train)
    save_detector(det, tmp_path / "saved")
    again = load_detector(tmp_path / "saved")
    assert type(again) is type(det) and again is not det
    np.testing.assert_array_equal(again.decision_function(test_set), det.decision_function(test_set))
    np.testing.assert_array_equal(again.decision_scores_, det.decision_scores_)
    assert again.threshold_ == det.threshold_ and again.get_params(deep=False).keys() == det.get_params(deep=False).keys()
    # the loaded detector is an ordinary estimator again
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(again)).predict(test_set), det.predict(test_set))


def test_ragged_training_series_round_trip(tmp_path):
    ragged = make_collection(n_series=12, n_channels=1, n_times=120, ragged=True, random_state=0)
    det = DTWKNN(n_neighbors=2).fit(ragged)
    again = load_detector(save_detector(det, tmp_path))
    assert isinstance(again.X_fit_, list) and len(again.X_fit_) == 12
    np.testing.assert_array_equal(again.decision_function(ragged), det.decision_function(ragged))


def test_saving_again_replaces_the_files(blob, tmp_path):
    save_detector(KNN(n_neighbors=3).fit(blob), tmp_path)
    save_detector(Mahalanobis().fit(blob), tmp_path)
    assert type(load_detector(tmp_path)) is Mahalanobis
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arrays.npz", "detector.json"]


def test_the_json_is_readable(blob, tmp_path):
    save_detector(KNN(n_neighbors=3).fit(blob), tmp_path)
    doc = json.loads((tmp_path / "detector.json").read_text())
    assert doc["format"] == "wavelens-detector" and doc["class"] == "wavelens.detect.KNN"
    assert doc["description"] == "KNN(n_neighbors=3)"
    assert doc["state"]["state"]["n_neighbors"] == 3 and doc["state"]["state"]["X_fit_"] == {"__array__": "a0"}


# -- what cannot be saved ---------------------------------------------------------------------
class _Custom(BaseTransform):
    _tags = {"capability:ragged": True}

    def fit(self, X, y=None):
        self.n_channels_ = check_collection(X)[1].n_channels
        return self

    def transform(self, X):
        return np.stack([s.std(axis=1) for s in check_collection(X)[0]])


def test_a_part_outside_the_safe_list_is_refused_with_its_place(train, tmp_path):
    det = FeatureDetector(_Custom()).fit(train)
    expected = r"cannot save detector\.representation \(.*_Custom\): it is an object of a class outside the safe list"
    with pytest.raises(ValidationError, match=expected):
        save_detector(det, tmp_path)
    assert not (tmp_path / "detector.json").exists()


def test_a_function_parameter_is_refused(blob, tmp_path):
    det = LOF(n_neighbors=5, metric=lambda a, b: float(np.abs(a - b).sum())).fit(blob)
    with pytest.raises(ValidationError, match=r"cannot save detector\.metric .* Use a parameter value that is a name"):
        save_detector(det, tmp_path)


def test_pyod_models_are_refused(blob, tmp_path):
    pytest.importorskip("pyod")
    det = PyODDetector("HBOS").fit(blob)
    with pytest.raises(ValidationError, match=r"cannot save detector\.model_ .* PyOD models can only be pickled"):
        save_detector(det, tmp_path)


def test_unfitted_and_foreign_estimators_are_refused(tmp_path):
    with pytest.raises(NotFittedError, match=r"save_detector: This KNN instance is not fitted yet"):
        save_detector(KNN(), tmp_path)
    from sklearn.ensemble import IsolationForest

    expected = r"expected a wavelens detector \(one of \[.*'KNN'.*\]\), found IsolationForest"
    with pytest.raises(ValidationError, match=expected):
        save_detector(IsolationForest(), tmp_path)


# -- loading bad files ---------------------------------------------------------------------------
@pytest.fixture()
def saved(blob, tmp_path):
    save_detector(IForest(n_estimators=5, random_state=0).fit(blob), tmp_path)
    return tmp_path


def _edit_json(folder, change):
    doc = json.loads((folder / "detector.json").read_text())
    change(doc)
    (folder / "detector.json").write_text(json.dumps(doc))


def _edit_arrays(folder, change):
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    (folder / "arrays.npz").write_bytes(buf.getvalue())
    _edit_json(folder, lambda d: d.update(arrays_sha256=hashlib.sha256(buf.getvalue()).hexdigest()))


def _find(node, predicate, path=()):
    """Paths of the JSON nodes for which ``predicate`` holds."""
    out = [path] if predicate(node) else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _find(v, predicate, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _find(v, predicate, (*path, i))
    return out


def _get(node, path):
    for p in path:
        node = node[p]
    return node


def test_missing_files(tmp_path):
    expected = r"detector\.json' does not exist; pass the folder that save_detector wrote"
    with pytest.raises(FileNotFoundError, match=expected):
        load_detector(tmp_path)


def test_truncated_json(saved):
    text = (saved / "detector.json").read_text()
    (saved / "detector.json").write_text(text[: len(text) // 2])
    with pytest.raises(DataFormatError, match=r"detector\.json' is not valid JSON"):
        load_detector(saved)


def test_not_a_saved_detector_and_a_future_version(saved):
    _edit_json(saved, lambda d: d.update(format="something-else"))
    with pytest.raises(DataFormatError, match=r"is not a saved wavelens detector"):
        load_detector(saved)
    _edit_json(saved, lambda d: d.update(format="wavelens-detector", format_version=99))
    with pytest.raises(DataFormatError, match=r"has format_version 99; this wavelens reads versions up to 1"):
        load_detector(saved)


def test_a_top_level_class_outside_the_registry(saved):
    _edit_json(saved, lambda d: d.update({"class": "builtins.eval"}))
    expected = r"holds class 'builtins\.eval', which is not a wavelens detector; loadable: .*Nothing from the file was run"
    with pytest.raises(DataFormatError, match=expected):
        load_detector(saved)


@pytest.mark.parametrize("tag", ["__object__", "__reduce__"])
def test_a_nested_class_outside_the_allowlist_is_never_imported(saved, tag, monkeypatch):
    import importlib

    imported = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: imported.append(name) or real(name, *a))

    def change(doc):
        path = _find(doc["state"], lambda n: isinstance(n, dict) and n.get(tag))[0]
        node = _get(doc["state"], path)
        node[tag] = "subprocess.Popen"

    _edit_json(saved, change)
    with pytest.raises(DataFormatError, match=r"names class 'subprocess\.Popen', which is not one that wavelens loads"):
        load_detector(saved)
    assert "subprocess" not in imported


def test_an_allowed_class_under_the_wrong_tag(saved):
    def change(doc):
        path = _find(doc["state"], lambda n: isinstance(n, dict) and "__reduce__" in n)[0]
        _get(doc["state"], path)["__reduce__"] = "wavelens.detect.KNN"

    _edit_json(saved, change)
    expected = r"class 'wavelens\.detect\.KNN' is not restored from constructor arguments"
    with pytest.raises(DataFormatError, match=expected):
        load_detector(saved)


def test_changed_arrays_are_detected(saved):
    data = bytearray((saved / "arrays.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / "arrays.npz").write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match=r"arrays\.npz' does not match .*detector\.json' \(its SHA-256 differs"):
        load_detector(saved)


def test_a_reference_to_a_missing_array(saved):
    def change(doc):
        path = _find(doc["state"], lambda n: isinstance(n, dict) and "__array__" in n)[0]
        _get(doc["state"], path)["__array__"] = "a999"

    _edit_json(saved, change)
    with pytest.raises(DataFormatError, match=r"refers to array 'a999', which arrays\.npz does not hold"):
        load_detector(saved)


def test_pickled_object_arrays_are_not_loaded(saved):
    _edit_arrays(saved, lambda arrays: arrays.update(a0=np.array([object()], dtype=object)))
    expected = r"cannot be read as arrays \(Object arrays cannot be loaded when allow_pickle=False\)"
    with pytest.raises(DataFormatError, match=expected):
        load_detector(saved)


def test_tree_nodes_pointing_out_of_range_are_refused(saved):
    def change(arrays):
        for name, arr in arrays.items():
            if arr.dtype.names and "left_child" in arr.dtype.names:
                inner = np.flatnonzero(arr["left_child"] != -1)[0]
                arr["left_child"][inner] = 10**6
                return

    _edit_arrays(saved, change)
    with pytest.raises(DataFormatError, match=r"estimators_\[\d+\]\.tree_: tree node indices out of range"):
        load_detector(saved)


def test_inconsistent_support_vectors_are_refused(blob, tmp_path):
    save_detector(OCSVM(nu=0.3).fit(blob), tmp_path)
    doc = json.loads((tmp_path / "detector.json").read_text())
    name = doc["state"]["state"]["estimator_"]["state"]["support_vectors_"]["__array__"]
    _edit_arrays(tmp_path, lambda arrays: arrays.update({name: arrays[name][:-1]}))
    with pytest.raises(DataFormatError, match=r"detector\.estimator_: inconsistent support-vector arrays"):
        load_detector(tmp_path)


def test_a_different_sklearn_version_warns(saved):
    def change(doc):
        path = _find(doc["state"], lambda n: isinstance(n, dict) and "_sklearn_version" in n)[0]
        _get(doc["state"], path)["_sklearn_version"] = "0.0.1"

    _edit_json(saved, change)
    with pytest.warns(InconsistentVersionWarning):
        load_detector(saved)


def test_untagged_json_objects_are_refused(saved):
    _edit_json(saved, lambda d: d["state"]["state"].update(n_estimators={"x": 1}))
    with pytest.raises(DataFormatError, match=r"detector\.n_estimators: expected an object tagged with one of"):
        load_detector(saved)
