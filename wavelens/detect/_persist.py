"""Saving fitted detectors without pickle: a JSON document plus an ``.npz`` of arrays.

A saved detector is a folder with two files:

``detector.json``
    The format and library versions, the detector's class, a readable description,
    the SHA-256 of the array file, and the full state of the detector as a tree:
    hyperparameters and fitted attributes, nested estimators included. Every node is
    plain JSON or a tagged object (``{"__array__": "a3"}``, ``{"__tuple__": [...]}``,
    ``{"__object__": "sklearn.decomposition.PCA", "state": {"n_components": 5,
    ...}}``, ...).
``arrays.npz``
    The arrays, read back with ``allow_pickle=False`` (no object arrays).

Loading executes nothing from the files: objects are rebuilt only for the classes of
an explicit allowlist (the wavelens detectors and transforms and the scikit-learn
components they use), by creating an empty instance and restoring its attributes.
The arrays of the scikit-learn components that compiled code indexes into (decision
trees, the SVM's support vectors, k-means centres) are checked for consistent
shapes and in-range indices before use, so a crafted file cannot make that code read
out of bounds. Anything else — an unknown class, a missing array, a changed array
file, malformed JSON — raises :class:`~wavelens.exceptions.DataFormatError` naming the
file and the place in it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..base import check_is_fitted
from ..exceptions import DataFormatError, NotFittedError, ValidationError
from ._base import BaseDetector

__all__ = ["save_detector", "load_detector"]

_FORMAT = "wavelens-detector"
_FORMAT_VERSION = 1
_JSON_NAME = "detector.json"
_ARRAYS_NAME = "arrays.npz"
_TAGS = ("__float__", "__array__", "__scalar__", "__strarray__", "__dtype__", "__tuple__", "__dict__",
         "__randomstate__", "__object__", "__reduce__")


def _detector_classes() -> dict[str, type]:
    """The public detectors of :mod:`wavelens.detect` by public name: what may be saved and loaded."""
    from .. import detect

    out = {}
    for name in detect.__all__:
        obj = getattr(detect, name)
        if isinstance(obj, type) and issubclass(obj, BaseDetector) and obj is not BaseDetector:
            out[f"wavelens.detect.{name}"] = obj
    return out


def _allowed_classes() -> dict[str, type]:
    """Every class whose instances a saved detector may contain, by public name."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import RobustScaler, StandardScaler
    from sklearn.svm import OneClassSVM
    from sklearn.tree import ExtraTreeRegressor
    from sklearn.tree._tree import Tree

    from .. import transforms
    from ..base import WavelensEstimator

    out = {
        f"{module}.{cls.__name__}": cls
        for module, cls in [
            ("sklearn.pipeline", Pipeline), ("sklearn.pipeline", FeatureUnion),
            ("sklearn.preprocessing", StandardScaler), ("sklearn.preprocessing", RobustScaler),
            ("sklearn.decomposition", PCA), ("sklearn.ensemble", IsolationForest),
            ("sklearn.tree", ExtraTreeRegressor), ("sklearn.tree._tree", Tree),
            ("sklearn.neighbors", LocalOutlierFactor), ("sklearn.svm", OneClassSVM),
            ("sklearn.cluster", KMeans), ("sklearn.cluster", MiniBatchKMeans),
        ]
    }
    for name in transforms.__all__:
        obj = getattr(transforms, name)
        if isinstance(obj, type) and issubclass(obj, WavelensEstimator):
            out[f"wavelens.transforms.{name}"] = obj
    out.update(_detector_classes())
    return out


# --------------------------------------------------------------------------------------
# encoding
# --------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self, classes: dict[str, type]) -> None:
        self.keys = {cls: key for key, cls in classes.items()}
        self.arrays: dict[str, np.ndarray] = {}

    def _array_ref(self, arr: np.ndarray) -> str:
        name = f"a{len(self.arrays)}"
        self.arrays[name] = arr
        return name

    def encode(self, obj: Any, path: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"__float__": repr(float(obj))}
        if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
            flat = obj.ravel().tolist()
            if all(isinstance(v, str) for v in flat):
                return {"__strarray__": flat, "shape": list(obj.shape)}
            raise self._refuse(obj, path, "an object array holding values other than strings")
        if isinstance(obj, np.ndarray):
            return {"__array__": self._array_ref(np.ascontiguousarray(obj))}
        if isinstance(obj, np.generic):
            if obj.dtype.hasobject:
                raise self._refuse(obj, path, "a NumPy object scalar")
            return {"__scalar__": self._array_ref(np.asarray(obj))}
        if isinstance(obj, np.dtype):
            if obj.hasobject or obj.fields is not None:
                raise self._refuse(obj, path, "an object or structured dtype")
            return {"__dtype__": obj.str}
        if isinstance(obj, list):
            return [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            pairs = [[self.encode(k, f"{path} key"), self.encode(v, f"{path}[{k!r}]")] for k, v in obj.items()]
            return {"__dict__": pairs}
        if type(obj) is np.random.RandomState:
            return {"__randomstate__": self.encode(obj.get_state(legacy=True), f"{path}.state")}
        key = self.keys.get(type(obj))
        if key is None:
            raise self._refuse(obj, path, "an object of a class outside the safe list")
        if type(obj) in _REDUCED:
            factory, args, state = obj.__reduce__()[:3]
            if factory is not type(obj):
                raise self._refuse(obj, path, "an object whose saved form is not understood")
            return {
                "__reduce__": key,
                "args": self.encode(args, f"{path}.args"),
                "state": self._state(obj, state, path),
            }
        state = obj.__getstate__() if hasattr(obj, "__getstate__") else vars(obj)
        return {"__object__": key, "state": self._state(obj, state, path)}

    def _state(self, obj: Any, state: Any, path: str) -> dict[str, Any]:
        """An object's attributes as a JSON object (names → encoded values)."""
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise self._refuse(obj, path, "an object whose state is not a dictionary of attributes")
        return {k: self.encode(v, f"{path}.{k}") for k, v in state.items()}

    @staticmethod
    def _refuse(obj: Any, path: str, what: str) -> ValidationError:
        t = type(obj)
        hint = ""
        if path.endswith(".model_") or "pyod" in t.__module__:
            hint = " PyOD models can only be pickled; refit a PyODDetector instead of saving it."
        elif callable(obj):
            hint = " Use a parameter value that is a name (str) or a number instead of a function."
        return ValidationError(
            f"save_detector: cannot save {path} ({t.__module__}.{t.__qualname__}): it is {what}, which "
            f"could not be loaded back without running code from the file.{hint}"
        )


# --------------------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------------------
class _Decoder:
    def __init__(self, classes: dict[str, type], arrays: dict[str, np.ndarray], where: str) -> None:
        self.classes = classes
        self.arrays = arrays
        self.where = where

    def fail(self, path: str, what: str) -> DataFormatError:
        return DataFormatError(
            f"load_detector: {self.where}: {path}: {what}. The file is corrupt or was not written by save_detector."
        )

    def _array(self, name: Any, path: str) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise self.fail(path, f"refers to array {name!r}, which {_ARRAYS_NAME} does not hold")
        return self.arrays[name]

    def decode(self, node: Any, path: str) -> Any:
        if node is None or isinstance(node, (bool, int, str)):
            return node
        if isinstance(node, float):
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{path}[{i}]") for i, v in enumerate(node)]
        if not isinstance(node, dict):
            raise self.fail(path, f"unexpected JSON value of type {type(node).__name__}")
        tags = [t for t in _TAGS if t in node]
        if len(tags) != 1:
            raise self.fail(path, f"expected an object tagged with one of {_TAGS!r}, found keys {sorted(node)!r}")
        tag = tags[0]
        value = node[tag]
        if tag == "__float__":
            if value not in ("nan", "inf", "-inf"):
                raise self.fail(path, f"{value!r} is not a non-finite float")
            return float(value)
        if tag == "__array__":
            return self._array(value, path)
        if tag == "__scalar__":
            arr = self._array(value, path)
            if arr.ndim != 0:
                raise self.fail(path, f"a scalar must be a 0-d array, found shape {arr.shape!r}")
            return arr[()]
        if tag == "__strarray__":
            shape = node.get("shape")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not (
                isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)
                and int(np.prod(shape)) == len(value)
            ):
                raise self.fail(path, "a string array needs a list of strings and a matching shape")
            out = np.empty(len(value), dtype=object)
            out[:] = value
            return out.reshape(shape)
        if tag == "__dtype__":
            try:
                dt = np.dtype(value) if isinstance(value, str) else None
            except TypeError:
                dt = None
            if dt is None or dt.hasobject or dt.fields is not None:
                raise self.fail(path, f"{value!r} is not a plain NumPy dtype")
            return dt
        if tag == "__tuple__":
            if not isinstance(value, list):
                raise self.fail(path, "a tuple must hold a list")
            return tuple(self.decode(v, f"{path}[{i}]") for i, v in enumerate(value))
        if tag == "__dict__":
            return self._dict(value, path)
        if tag == "__randomstate__":
            return self._random_state(self.decode(value, f"{path}.state"), path)
        cls = self.classes.get(value) if isinstance(value, str) else None
        if cls is None:
            raise DataFormatError(
                f"load_detector: {self.where}: {path} names class {value!r}, which is not one that "
                "wavelens loads (only wavelens detectors and transforms and the scikit-learn parts "
                "they use). Nothing from the file was run."
            )
        if tag == "__reduce__":
            if cls not in _REDUCED:
                raise self.fail(path, f"class {value!r} is not restored from constructor arguments")
            args = self.decode(node.get("args"), f"{path}.args")
            return _REDUCED[cls](self, cls, args, self._state(node.get("state"), path), path)
        state = self._state(node.get("state"), path)
        obj = cls.__new__(cls)
        if hasattr(obj, "__setstate__"):
            obj.__setstate__(state)
        else:
            obj.__dict__.update(state)
        check = _CHECKS.get(cls)
        if check is not None:
            check(self, obj, path)
        return obj

    def _state(self, node: Any, path: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(path, "an object's state must be a JSON object of attributes")
        return {k: self.decode(v, f"{path}.{k}") for k, v in node.items()}

    def _dict(self, pairs: Any, path: str) -> dict:
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise self.fail(path, "a dictionary must be a list of [key, value] pairs")
        out = {}
        for k, v in pairs:
            key = self.decode(k, f"{path} key")
            try:
                hash(key)
            except TypeError:
                raise self.fail(path, f"dictionary key {key!r} is not hashable") from None
            out[key] = self.decode(v, f"{path}[{key!r}]")
        return out

    def _random_state(self, state: Any, path: str) -> np.random.RandomState:
        rs = np.random.RandomState()
        try:
            rs.set_state(state)
        except (TypeError, ValueError) as err:
            raise self.fail(path, f"not a valid RandomState state ({err})") from err
        return rs


# -- checks of arrays that compiled scikit-learn code indexes into -----------------------
def _need(decoder: _Decoder, ok: bool, path: str, what: str) -> None:
    if not ok:
        raise decoder.fail(path, what)


def _restore_tree(decoder: _Decoder, cls: type, args: Any, state: Any, path: str) -> Any:
    ok_args = (
        isinstance(args, tuple) and len(args) == 3 and isinstance(args[0], int) and args[0] >= 1
        and isinstance(args[1], np.ndarray) and args[1].ndim == 1 and args[1].dtype.kind in "iu"
        and isinstance(args[2], int) and args[2] == len(args[1]) >= 1 and bool(np.all(args[1] >= 1))
    )
    _need(decoder, ok_args, path, "a decision tree needs (n_features, n_classes, n_outputs)")
    _need(decoder, isinstance(state, dict) and {"max_depth", "node_count", "nodes", "values"} <= set(state),
          path, "a decision tree's state needs max_depth, node_count, nodes and values")
    n_features, n_classes, n_outputs = args
    nodes, values, count = state["nodes"], state["values"], state["node_count"]
    _need(decoder, isinstance(nodes, np.ndarray) and nodes.dtype.names is not None and nodes.ndim == 1
          and {"left_child", "right_child", "feature"} <= set(nodes.dtype.names), path, "malformed tree nodes")
    _need(decoder, isinstance(count, int) and count == len(nodes) >= 1, path, "node_count does not match the nodes")
    _need(decoder, isinstance(values, np.ndarray) and values.shape == (count, n_outputs, int(n_classes.max())),
          path, "tree values do not match the nodes")
    left, right, feature = nodes["left_child"], nodes["right_child"], nodes["feature"]
    leaf = left == -1
    inner_ok = (left[~leaf] > 0) & (left[~leaf] < count) & (right[~leaf] > 0) & (right[~leaf] < count)
    feature_ok = (feature[~leaf] >= 0) & (feature[~leaf] < n_features)
    _need(decoder, bool(np.all(right[leaf] == -1) and np.all(inner_ok) and np.all(feature_ok)),
          path, "tree node indices out of range")
    tree = cls(n_features, np.ascontiguousarray(n_classes, dtype=np.intp), n_outputs)
    try:
        tree.__setstate__(state)
    except (ValueError, TypeError, KeyError) as err:
        raise decoder.fail(path, f"the tree could not be restored ({err})") from err
    return tree


def _check_svm(decoder: _Decoder, svm: Any, path: str) -> None:
    try:
        sv, n_sv, dual, support = svm.support_vectors_, svm._n_support, svm.dual_coef_, svm.support_
        ok = (
            sv.ndim == 2 and sv.dtype == np.float64 and sv.shape[1] == svm.n_features_in_
            and n_sv.ndim == 1 and bool(np.all((n_sv >= 0) & (n_sv <= sv.shape[0])))
            and dual.shape == (1, sv.shape[0]) and support.shape == (sv.shape[0],)
            and np.asarray(svm._intercept_).shape == (1,) and np.asarray(svm._dual_coef_).shape == dual.shape
        )
    except AttributeError:
        ok = False
    _need(decoder, ok, path, "inconsistent support-vector arrays")


def _check_kmeans(decoder: _Decoder, km: Any, path: str) -> None:
    centres = getattr(km, "cluster_centers_", None)
    ok = isinstance(centres, np.ndarray) and centres.ndim == 2 and centres.shape[1] == getattr(km, "n_features_in_", -1)
    _need(decoder, ok, path, "k-means centres do not match the number of features")


def _check_lof(decoder: _Decoder, lof: Any, path: str) -> None:
    try:
        n = lof.n_samples_fit_
        ok = (
            lof._fit_X.shape == (n, lof.n_features_in_) and lof._lrd.shape == (n,)
            and lof._distances_fit_X_.shape == (n, lof.n_neighbors_) and 1 <= lof.n_neighbors_ < n
        )
    except AttributeError:
        ok = False
    _need(decoder, ok, path, "inconsistent neighbour arrays")


def _reduced_classes() -> dict[type, Callable[..., Any]]:
    from sklearn.tree._tree import Tree

    return {Tree: _restore_tree}


def _checked_classes() -> dict[type, Callable[..., None]]:
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.neighbors import LocalOutlierFactor
    from sklearn.svm import OneClassSVM

    return {OneClassSVM: _check_svm, KMeans: _check_kmeans, MiniBatchKMeans: _check_kmeans,
            LocalOutlierFactor: _check_lof}


_REDUCED = _reduced_classes()
_CHECKS = _checked_classes()


# --------------------------------------------------------------------------------------
# the public functions
# --------------------------------------------------------------------------------------
def save_detector(detector: BaseDetector, folder: Any) -> Path:
    """Save a fitted detector into a folder, as JSON plus an ``.npz`` of arrays (no pickle).

    Parameters
    ----------
    detector : BaseDetector
        A fitted public wavelens detector (not :class:`PyODDetector`, whose PyOD model
        only pickle can restore).
    folder : str or path
        Created if missing; ``detector.json`` and ``arrays.npz`` in it are replaced
        (each written to a temporary file and renamed, the JSON last, so a failed save
        leaves the previous detector loadable or a mismatch that loading reports).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    NotFittedError
        The detector is not fitted.
    ValidationError
        Not a wavelens detector; a part that cannot be saved safely
        (the message names where it sits, e.g. ``detector.detector_.model_``).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from wavelens.detect import LOF, load_detector, save_detector
    >>> X = np.random.default_rng(0).standard_normal((50, 4))
    >>> det = LOF(n_neighbors=5).fit(X)
    >>> folder = save_detector(det, tempfile.mkdtemp())
    >>> again = load_detector(folder)
    >>> bool(np.array_equal(again.decision_function(X), det.decision_function(X)))
    True
    """
    from ..models._detector import ReconstructionDetector  # its network is saved as torch weights

    if type(detector) is ReconstructionDetector:
        return detector.save(folder)
    classes = _detector_classes()
    names = {cls: key for key, cls in classes.items()}
    if not isinstance(detector, BaseDetector) or type(detector) not in names:
        raise ValidationError(
            f"save_detector: expected a wavelens detector (one of {sorted(c.__name__ for c in classes.values())!r}), "
            f"found {type(detector).__name__}."
        )
    try:
        check_is_fitted(detector, "threshold_")
    except NotFittedError as err:
        raise NotFittedError(f"save_detector: {err} Only fitted detectors are saved.") from err
    encoder = _Encoder(_allowed_classes())
    state = encoder.encode(detector, "detector")
    buffer = io.BytesIO()
    np.savez(buffer, **encoder.arrays)
    payload = buffer.getvalue()
    import sklearn

    from .. import __version__

    document = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "wavelens_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "class": names[type(detector)],
        "description": repr(detector),
        "arrays_sha256": hashlib.sha256(payload).hexdigest(),
        "state": state,
    }
    text = json.dumps(document, indent=1, allow_nan=False)
    from ..io._atomic import atomic_path  # here, not at import: wavelens.io loads its readers

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / _ARRAYS_NAME) as tmp:
        tmp.write_bytes(payload)
    with atomic_path(folder / _JSON_NAME) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return folder


def load_detector(folder: Any) -> BaseDetector:
    """Load a detector saved by :func:`save_detector`, without unpickling anything.

    Parameters
    ----------
    folder : str or path
        The folder :func:`save_detector` wrote.

    Returns
    -------
    BaseDetector
        Fitted, giving the same scores as the detector that was saved (with the same
        library versions; scikit-learn warns when its version differs).

    Raises
    ------
    FileNotFoundError
        No ``detector.json`` / ``arrays.npz`` in ``folder``.
    DataFormatError
        Malformed or truncated files, arrays that do not match the JSON, a class that
        is not a wavelens detector or an allowed part of one, inconsistent arrays.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from wavelens.detect import load_detector
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "detector.json").write_text('{"format": "wavelens-detector"')
    >>> _ = (folder / "arrays.npz").write_bytes(b"")
    >>> try:
    ...     load_detector(folder)
    ... except ValueError as err:
    ...     print(type(err).__name__)
    DataFormatError
    """
    folder = Path(folder)
    from ..models._detector import ReconstructionDetector, is_saved_reconstruction_detector

    if is_saved_reconstruction_detector(folder):  # ReconstructionDetector.save: JSON + torch weights
        return ReconstructionDetector.load(folder)
    json_path, arrays_path = folder / _JSON_NAME, folder / _ARRAYS_NAME
    for path in (json_path, arrays_path):
        if not path.is_file():
            raise FileNotFoundError(
                f"load_detector: {str(path)!r} does not exist; pass the folder that save_detector wrote."
            )
    where = repr(str(json_path))
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as err:
        raise DataFormatError(f"load_detector: {where} is not valid JSON ({err}).") from err
    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise DataFormatError(f"load_detector: {where} is not a saved wavelens detector (no format {_FORMAT!r}).")
    version = document.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= _FORMAT_VERSION:
        raise DataFormatError(
            f"load_detector: {where} has format_version {version!r}; this wavelens reads versions up to "
            f"{_FORMAT_VERSION}. Upgrade wavelens or save the detector again."
        )
    classes = _detector_classes()
    top = document.get("class")
    if top not in classes:
        raise DataFormatError(
            f"load_detector: {where} holds class {top!r}, which is not a wavelens detector; loadable: "
            f"{sorted(classes)!r}. Nothing from the file was run."
        )
    payload = arrays_path.read_bytes()
    if hashlib.sha256(payload).hexdigest() != document.get("arrays_sha256"):
        raise DataFormatError(
            f"load_detector: {str(arrays_path)!r} does not match {where} (its SHA-256 differs from the one "
            "recorded): it was changed, truncated or saved separately. Save the detector again."
        )
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise DataFormatError(f"load_detector: {str(arrays_path)!r} cannot be read as arrays ({err}).") from err
    detector = _Decoder(_allowed_classes(), arrays, where).decode(document.get("state"), "detector")
    if type(detector) is not classes[top]:
        raise DataFormatError(
            f"load_detector: {where} says class {top!r} but its state holds {type(detector).__name__}."
        )
    try:
        check_is_fitted(detector, "threshold_")
    except NotFittedError as err:
        raise DataFormatError(f"load_detector: {where} holds a detector that is not fitted.") from err
    return detector


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")
