"""A detector on a representation: series → features → scaling → PCA → core detector."""

from __future__ import annotations

import importlib.util
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import RobustScaler, StandardScaler

from ..base import WavelensEstimator
from ..data import CollectionMeta, SignalSet, describe_series
from ..exceptions import ValidationError
from ..pipeline import build_pipeline, set_fs
from ._base import BaseDetector, _check_choice
from ._classic import KNN

__all__ = ["FeatureDetector"]

_SCALERS = ("standard", "robust")
# A whitened component whose variance is below this fraction of the largest one would
# be divided by (almost) zero.
_WHITEN_TOL = 1e-10


def _leaves(rep: Any) -> list[Any]:
    """The transformers of a (nested) Pipeline / FeatureUnion, in order."""
    if isinstance(rep, Pipeline):
        return [leaf for _, step in rep.steps for leaf in _leaves(step)]
    if isinstance(rep, FeatureUnion):
        return [leaf for _, step in rep.transformer_list for leaf in _leaves(step)]
    return [rep]


def _final_outputs(rep: Any) -> list[Any]:
    """The transformers whose outputs make the features (last step, or every union member)."""
    if isinstance(rep, Pipeline):
        return _final_outputs(rep.steps[-1][1])
    if isinstance(rep, FeatureUnion):
        return [leaf for _, step in rep.transformer_list for leaf in _final_outputs(step)]
    return [rep]


def _tag(est: Any, name: str, default: Any) -> Any:
    return est.get_tags().get(name, default) if isinstance(est, WavelensEstimator) else default


def _describe(representation: Any) -> str:
    return repr(representation) if isinstance(representation, str) else type(representation).__name__


class FeatureDetector(BaseDetector):
    """Score series by a core detector on their features.

    The composition ``representation → scaler → PCA → detector``: every series is
    turned into a row of features (a wavelens transform, a pipeline spec, or the raw
    samples), the feature columns are scaled with statistics of the training rows,
    optionally projected on principal components (and whitened), and the core
    detector scores the rows. Everything is fitted on the normal series only.

    Parameters
    ----------
    representation : None, str or transformer, default=None
        None: the raw samples, each series flattened channel-major (series must have
        the length seen in fit). A str: a pipeline spec for
        :func:`wavelens.pipeline.build_pipeline`, e.g.
        ``"standardize | statistics + spectral_summary"``. A transformer (a wavelens
        transform or a scikit-learn Pipeline of them): cloned and fitted on the
        training series. Any output with one row per series is flattened into
        features; the wavelens transforms give finite features for constant series
        (a dead sensor), so those get finite scores too.
    scaler : {"standard", "robust"} or None, default="standard"
        Per-feature scaling learnt on the training rows: mean / standard deviation, or
        median / interquartile range. A feature constant over the training rows is
        only centred (scale 1), never divided by zero. None: no scaling.
    pca : None, int or float, default=None
        Principal components kept after scaling: a number, or the fraction of the
        training variance to explain (in (0, 1)); None: no PCA.
    whiten : bool, default=False
        Divide each kept component by its standard deviation (needs ``pca``).
    detector : BaseDetector, optional
        The core detector, cloned and fitted on the transformed training rows, e.g.
        :class:`~wavelens.detect.LOF` or ``make_detector("iforest", random_state=0)``.
        Default: ``KNN(n_neighbors=5)``.
    fs : float, optional
        Sampling rate in Hz, for representations that need it when ``X`` is a bare
        array (a SignalSet carries its own).
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_`` from the training scores.

    Attributes
    ----------
    representation_ : transformer or None
        The fitted representation.
    scaler_ : StandardScaler, RobustScaler or None
    pca_ : sklearn.decomposition.PCA or None
    detector_ : BaseDetector
        The fitted core detector.
    n_features_ : int
        Features per series after the representation (before scaling and PCA).
    fs_ : float, ndarray or None
        Sampling rate seen in fit.
    decision_scores_, threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector`; ``decision_scores_`` are the core
        detector's training scores.

    Examples
    --------
    The helicopter study's best approach (PCA to 10 whitened components, then LOF
    with 5 neighbours, on the raw rows), and a feature-based alternative:

    >>> from wavelens.detect import FeatureDetector, LOF
    >>> from wavelens.testing import make_collection, plant_anomalies
    >>> train = make_collection(n_series=40, n_channels=1, n_times=512, random_state=0)
    >>> raw = FeatureDetector(pca=10, whiten=True, detector=LOF(n_neighbors=5)).fit(train)
    >>> raw.n_features_, raw.pca_.n_components_, raw.detector_.n_features_in_
    (512, 10, 10)
    >>> det = FeatureDetector("statistics + spectral_summary", detector=LOF(n_neighbors=5))
    >>> test, _ = plant_anomalies(make_collection(n_series=10, n_times=512, random_state=1),
    ...                           kind="constant", indices=[3], random_state=0)
    >>> int(det.fit(train).decision_function(test).argmax())
    3
    """

    def __init__(self, representation=None, *, scaler="standard", pca=None, whiten=False, detector=None,
                 fs=None, contamination=0.1):
        self.representation = representation
        self.scaler = scaler
        self.pca = pca
        self.whiten = whiten
        self.detector = detector
        self.fs = fs
        self.contamination = contamination

    # -- tags follow the parts ---------------------------------------------------------
    def get_tags(self) -> dict[str, Any]:
        """Tags of this composition: ragged input and minimum length follow the representation."""
        tags = super().get_tags()
        rep = self._new_representation()
        if rep is None:
            tags["capability:ragged"] = False
        else:
            leaves = _leaves(rep)
            tags["capability:ragged"] = all(_tag(t, "capability:ragged", False) for t in leaves) and all(
                _tag(t, "output", None) == "features" for t in _final_outputs(rep)
            )
            tags["min_length"] = max(int(_tag(t, "min_length", 1)) for t in leaves)
        tags["stochastic"] = bool(_tag(self.detector, "stochastic", False))
        return tags

    def _caller(self) -> str:
        rep = "None" if self.representation is None else _describe(self.representation)
        det = "KNN" if self.detector is None else type(self.detector).__name__
        return f"FeatureDetector(representation={rep}, detector={det})"

    def _fs_param(self) -> Any:
        return self.fs

    # -- parts -------------------------------------------------------------------------
    def _new_representation(self) -> Any:
        rep = self.representation
        if rep is None:
            return None
        if isinstance(rep, str):
            return build_pipeline(rep)
        if hasattr(rep, "fit") and hasattr(rep, "transform"):
            return clone(rep)
        raise ValidationError(
            f"FeatureDetector: representation must be None (raw samples), a pipeline spec such as "
            f"'statistics + spectral_summary', or a transformer; found {type(rep).__name__}."
        )

    def _new_detector(self) -> BaseDetector:
        if self.detector is None:
            return KNN(n_neighbors=5)
        if not isinstance(self.detector, BaseDetector):
            raise ValidationError(
                f"{self._caller()}: detector must be a wavelens detector such as LOF() or "
                f"make_detector('iforest'), found {type(self.detector).__name__}. Wrap PyOD models "
                "with PyODDetector."
            )
        return clone(self.detector)

    def _new_scaler(self) -> Any:
        if self.scaler is None:
            return None
        _check_choice(self.scaler, "scaler", _SCALERS, self._caller())
        return StandardScaler() if self.scaler == "standard" else RobustScaler()

    def _fit_pca(self, F: np.ndarray) -> PCA | None:
        caller = self._caller()
        if not isinstance(self.whiten, (bool, np.bool_)):
            raise ValidationError(f"{caller}: whiten must be True or False, found {self.whiten!r}.")
        if self.pca is None:
            if self.whiten:
                raise ValidationError(
                    f"{caller}: whiten=True needs pca (the components to whiten); set pca=10 for "
                    "example, or whiten=False."
                )
            return None
        n_max = min(F.shape)
        if isinstance(self.pca, Integral) and not isinstance(self.pca, bool):
            if not 1 <= self.pca <= n_max:
                raise ValidationError(
                    f"{caller}: pca={self.pca!r} but the training features have {F.shape[0]} rows "
                    f"and {F.shape[1]} columns, so at most {n_max} components. Use pca <= {n_max} or "
                    "a fraction of variance such as 0.95."
                )
        elif not (isinstance(self.pca, Real) and not isinstance(self.pca, bool) and 0.0 < self.pca < 1.0):
            raise ValidationError(
                f"{caller}: pca must be None, an integer >= 1 or a fraction of variance in (0, 1), "
                f"found {self.pca!r}."
            )
        pca = PCA(n_components=self.pca, whiten=bool(self.whiten), svd_solver="full").fit(F)
        variance = pca.explained_variance_
        if self.whiten:
            empty = np.flatnonzero(variance <= _WHITEN_TOL * max(variance[0], 0.0)) if variance[0] > 0 else [0]
            if len(empty):
                raise ValidationError(
                    f"{caller}: with whiten=True every kept component needs variance, but component "
                    f"{int(empty[0]) + 1} of {len(variance)} has none in the training features (they "
                    f"span only {int(empty[0])} direction(s)). Use pca <= {max(int(empty[0]), 1)}, "
                    "whiten=False, or more varied training series."
                )
        return pca

    # -- features ------------------------------------------------------------------------
    def _input_fs(self, meta: CollectionMeta, reset: bool) -> Any:
        if reset:
            return meta.fs
        if self.fs_ is None:
            return None  # the representation learnt without a rate: score the same way
        if meta.fs is None:
            return self.fs_ if not isinstance(self.fs_, np.ndarray) else None
        if (
            not isinstance(self.fs_, np.ndarray)
            and not isinstance(meta.fs, np.ndarray)
            and not np.isclose(float(meta.fs), float(self.fs_))
        ):
            raise ValidationError(
                f"{self._caller()} was fitted on series sampled at fs={self.fs_!r} Hz, but X has "
                f"fs={meta.fs!r} Hz. Resample X to {self.fs_!r} Hz or fit again."
            )
        return meta.fs

    def _features(self, rep: Any, data: Any, meta: CollectionMeta, *, reset: bool) -> np.ndarray:
        if rep is None:
            out: Any = np.asarray(data).reshape(meta.n_series, -1)
        else:
            fs = self._input_fs(meta, reset)
            if fs is None:
                inp: Any = data
            elif meta.signal_set is not None and meta.fs is not None and fs is meta.fs:
                inp = meta.signal_set
            else:
                inp = SignalSet(data, fs=fs, ids=meta.ids)
            if reset and fs is not None and not isinstance(fs, np.ndarray):
                set_fs(rep, float(fs))  # pipelines lose the rate after a series → series step
            out = rep.fit_transform(inp) if reset else rep.transform(inp)
        return self._as_feature_matrix(out, meta)

    def _as_feature_matrix(self, out: Any, meta: CollectionMeta) -> np.ndarray:
        caller = self._caller()
        rep = "the raw samples" if self.representation is None else f"representation {_describe(self.representation)}"
        if isinstance(out, list):
            shapes = [np.shape(o) for o in out]
            odd = next((i for i, s in enumerate(shapes) if s != shapes[0]), None)
            if odd is not None:
                raise ValidationError(
                    f"{caller}: {rep} gave outputs of different shapes per series ({shapes[0]!r} for "
                    f"{describe_series(0, meta.ids)}, {shapes[odd]!r} for {describe_series(odd, meta.ids)}) "
                    "because the series differ in length. Use a representation with a fixed number of "
                    "features (e.g. 'statistics'), or cut the series to one length."
                )
            out = np.stack([np.asarray(o) for o in out])
        F = np.asarray(out)
        if F.ndim == 0 or F.shape[0] != meta.n_series:
            raise ValidationError(
                f"{caller}: {rep} gave an output of shape {F.shape!r} for {meta.n_series} series; a "
                "representation must give one row per series."
            )
        if F.dtype.kind not in "biuf":
            raise ValidationError(f"{caller}: {rep} gave non-numeric features (dtype {F.dtype!r}).")
        F = np.ascontiguousarray(F.reshape(meta.n_series, -1), dtype=np.float64)
        if F.shape[1] == 0:
            raise ValidationError(f"{caller}: {rep} gave no features (0 columns).")
        bad = np.flatnonzero(~np.isfinite(F).all(axis=1))
        if bad.size:
            raise ValidationError(
                f"{caller}: {rep} gave NaN or inf features for {describe_series(int(bad[0]), meta.ids)}. "
                "Use a representation that is defined for every series (the wavelens transforms are, "
                "including constant ones) or fix the series."
            )
        return F

    # -- the detector contract ----------------------------------------------------------
    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        rep = self._new_representation()
        detector = self._new_detector()
        scaler = self._new_scaler()
        self.fs_ = meta.fs
        F = self._features(rep, data, meta, reset=True)
        self.n_features_ = F.shape[1]
        if scaler is not None:
            F = scaler.fit_transform(F)
        pca = self._fit_pca(F)
        if pca is not None:
            F = pca.transform(F)
        detector.fit(F)
        self.representation_, self.scaler_, self.pca_, self.detector_ = rep, scaler, pca, detector
        return detector.decision_scores_

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        F = self._features(self.representation_, data, meta, reset=False)
        if self.scaler_ is not None:
            F = self.scaler_.transform(F)
        if self.pca_ is not None:
            F = self.pca_.transform(F)
        return self.detector_.decision_function(F)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        from ..transforms import Statistics
        from ._adapters import PyODDetector
        from ._classic import LOF, OCSVM, IForest, KPCAResidual, Mahalanobis, PCAResidual

        params: list[dict[str, Any]] = [
            {"representation": "statistics", "detector": KNN(n_neighbors=3)},
            {"representation": "statistics", "detector": LOF(n_neighbors=5)},
            {"representation": "statistics", "detector": IForest(n_estimators=50, random_state=0)},
            {"representation": "statistics", "detector": OCSVM(nu=0.1)},
            {"representation": "statistics", "detector": PCAResidual(n_components=3)},
            {
                "representation": Statistics(stats=("std", "max_abs", "kurtosis", "crest_factor")),
                "scaler": "robust", "pca": 4, "whiten": True, "detector": Mahalanobis(),
            },
            {"representation": "statistics + spectral_summary(nperseg=64)", "detector": KPCAResidual(n_components=5)},
        ]
        if importlib.util.find_spec("pyod") is not None:
            params.append({"representation": "statistics", "detector": PyODDetector("KNN", n_neighbors=3)})
        return params
