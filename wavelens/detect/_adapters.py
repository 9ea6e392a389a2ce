"""Adapters: scikit-learn's detectors (negated, in one place) and any PyOD detector.

scikit-learn's ``score_samples`` is *higher = more normal*; wavelens scores are
*higher = more abnormal*. :func:`_higher_is_abnormal` is the only place where a score
changes sign, and :class:`_SklearnAdapter` the only class that calls it; the
scikit-learn-backed detectors (:class:`~wavelens.detect.LOF`,
:class:`~wavelens.detect.IForest`, :class:`~wavelens.detect.OCSVM`) subclass it. PyOD's
``decision_function`` already runs the wavelens way, so :class:`PyODDetector` passes it
through unchanged.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import numpy as np

from .._optional import import_optional
from ..exceptions import MissingDependencyError, ValidationError
from ._base import _MatrixDetector

__all__ = ["PyODDetector"]


def _higher_is_abnormal(raw_sklearn_scores: Any) -> np.ndarray:
    """scikit-learn's "higher = more normal" scores turned into wavelens scores."""
    return -np.asarray(raw_sklearn_scores, dtype=np.float64)


class _SklearnAdapter(_MatrixDetector):
    """A scikit-learn outlier detector on flattened series, its scores negated.

    Subclasses build the estimator in ``_make_estimator(F)``; the fitted one is
    ``estimator_``. Training scores come from ``_raw_training_scores`` (by default
    ``estimator_.score_samples`` on the training rows; LOF overrides it with its
    leave-one-out factors).
    """

    def _make_estimator(self, F: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement _make_estimator(F).")

    def _raw_training_scores(self, estimator: Any, F: np.ndarray) -> np.ndarray:
        return estimator.score_samples(F)

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        estimator = self._make_estimator(F)
        estimator.fit(F)
        self.estimator_ = estimator
        return _higher_is_abnormal(self._raw_training_scores(estimator, F))

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        return _higher_is_abnormal(self.estimator_.score_samples(F))


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _pyod_class(name: Any, caller: str) -> type:
    """The PyOD detector class called ``name`` (``"IForest"`` → ``pyod.models.iforest.IForest``)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValidationError(
            f"{caller}: name must be the class name of a PyOD detector such as 'IForest' or "
            f"'ECOD', found {name!r}."
        )
    import_optional("pyod", purpose=f"{caller} (a PyOD detector)")
    modules = list(dict.fromkeys([name.lower(), _snake(name)]))
    for module in modules:
        try:
            mod = importlib.import_module(f"pyod.models.{module}")
        except ModuleNotFoundError as err:
            if err.name is not None and err.name.startswith("pyod.models"):
                continue
            raise MissingDependencyError(
                f"{caller}: PyOD's {name} needs the package {err.name!r}, which is not installed. "
                f"Install it (see PyOD's documentation for {name}) or choose another detector."
            ) from err
        cls = getattr(mod, name, None)
        if inspect.isclass(cls) and hasattr(cls, "fit") and hasattr(cls, "decision_function"):
            return cls
    looked = ", ".join(f"pyod.models.{m}.{name}" for m in modules)
    raise ValidationError(
        f"{caller}: PyOD has no detector named {name!r} (looked for {looked}). Use the class "
        "name of a PyOD model, spelt as PyOD does, e.g. 'IForest', 'ECOD', 'COPOD', 'HBOS', 'KNN'."
    )


class PyODDetector(_MatrixDetector):
    """Any PyOD detector, on flattened series or feature rows.

    PyOD's ``decision_function`` is already *higher = more abnormal*, so the scores
    pass through unchanged; the training scores are PyOD's ``decision_scores_``. PyOD
    is optional and imported in ``fit``. Compose with a representation through
    :class:`~wavelens.detect.FeatureDetector`.

    Parameters
    ----------
    name : str
        Class name of the PyOD detector, as PyOD spells it (``"IForest"``, ``"ECOD"``,
        ``"COPOD"``, ``"HBOS"``, ``"KNN"``, ``"AutoEncoder"``, ...); looked up in
        ``pyod.models``.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_`` and is passed on to the PyOD model.
    **params
        Hyperparameters of the PyOD model (``n_estimators=200``, ``random_state=0``,
        ...). They are parameters of this estimator too: ``get_params``, ``set_params``
        and ``clone`` see them. A name that is an attribute of this class (``fit``,
        ``predict``, ...) is refused.

    Attributes
    ----------
    model_ : PyOD detector
        The fitted PyOD model.
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Notes
    -----
    A fitted PyODDetector cannot be saved with :func:`~wavelens.detect.save_detector`
    (PyOD models are arbitrary Python objects that only pickle can restore); refit it,
    or use the wavelens detectors, which can be saved.

    Examples
    --------
    >>> import importlib.util
    >>> import numpy as np
    >>> from wavelens.detect import PyODDetector
    >>> det = PyODDetector("IForest", n_estimators=50, random_state=0)
    >>> sorted(det.get_params())
    ['contamination', 'n_estimators', 'name', 'random_state']
    >>> if importlib.util.find_spec("pyod"):
    ...     rng = np.random.default_rng(0)
    ...     scores = det.fit(rng.standard_normal((50, 4))).decision_function(np.full((1, 4), 8.0))
    ...     assert bool(scores[0] > det.threshold_)
    """

    def __init__(self, name, *, contamination=0.1, **params):
        reserved = sorted(k for k in params if hasattr(type(self), k) or k.startswith("_") or k.endswith("_"))
        if reserved:
            raise ValidationError(
                f"PyODDetector({name!r}): parameter name(s) {reserved!r} clash with this estimator's "
                "own attributes; pass only the PyOD model's hyperparameters."
            )
        self.name = name
        self.contamination = contamination
        for key, value in params.items():
            setattr(self, key, value)
        self._pyod_params = tuple(params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters: ``name``, ``contamination`` and the PyOD model's hyperparameters."""
        out = super().get_params(deep=deep)
        for key in self._pyod_params:
            out[key] = getattr(self, key)
        return out

    def set_params(self, **params: Any) -> "PyODDetector":
        """Set parameters; a new name becomes a new PyOD hyperparameter."""
        own = set(self._get_param_names())
        for key, value in params.items():
            if key not in own and key not in self._pyod_params:
                if hasattr(type(self), key) or key.startswith("_") or key.endswith("_"):
                    raise ValidationError(
                        f"PyODDetector.set_params: {key!r} clashes with this estimator's own "
                        "attributes; pass only the PyOD model's hyperparameters."
                    )
                self._pyod_params = (*self._pyod_params, key)
            setattr(self, key, value)
        return self

    def _caller(self) -> str:
        return f"PyODDetector({self.name!r})"

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        caller = self._caller()
        cls = _pyod_class(self.name, caller)
        params = {key: getattr(self, key) for key in self._pyod_params}
        accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
        if "contamination" in accepted:
            params["contamination"] = self.contamination
        unknown = sorted(set(params) - accepted)
        if unknown and not any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(cls.__init__).parameters.values()
        ):
            raise ValidationError(
                f"{caller}: unknown parameter(s) {unknown!r} for PyOD's {self.name}; it takes "
                f"{sorted(accepted)!r}."
            )
        model = cls(**params)
        model.fit(F)
        self.model_ = model
        return np.asarray(model.decision_scores_, dtype=np.float64)

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        return np.asarray(self.model_.decision_function(F), dtype=np.float64)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        # On raw rows a flat (dead-sensor) series sits at the centre of the data, so the
        # common planted-anomaly check runs this adapter through FeatureDetector instead
        # (see FeatureDetector._get_test_params, which adds it when PyOD is installed).
        return []
