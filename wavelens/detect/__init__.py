"""Anomaly detection without labels: fit on normal series, score new ones.

Every detector follows one contract (:class:`BaseDetector`): ``fit(X_normal)``;
``decision_function(X)`` → float64 ``(n_series,)``, **higher = more abnormal**;
``decision_scores_`` and ``threshold_`` (from ``contamination``) after fit;
``predict(X)`` → 0/1. They accept a :class:`~wavelens.data.SignalSet`, a 3-D array
``(n_series, n_channels, n_times)``, a ragged list (where the detector allows it) or,
for the detectors on rows of numbers, a 2-D feature matrix.

- Core detectors on rows of numbers (raw samples or features): :class:`LOF`,
  :class:`IForest`, :class:`OCSVM` (scikit-learn, negated in one adapter),
  :class:`KNN`, :class:`PCAResidual`, :class:`Mahalanobis`, :class:`KPCAResidual`;
  any PyOD model through :class:`PyODDetector`.
- On the series themselves: :class:`DTWKNN` (dynamic time warping, via aeon).
- Compositions: :class:`FeatureDetector` (representation → scaling → PCA → core
  detector), :class:`EnsembleDetector` (rank or z-score averaging) and
  :class:`WindowedDetector` (any detector on windows, window scores aggregated per
  series or spread back per sample).
- Within one long series: :class:`SubsequenceDetector` (k-NN distance of every
  subsequence to the others or to a clean reference; window from the dominant period,
  :func:`find_period`), a score per sample.
- The tuned default of ``wavelens detect``: :func:`default_detector`.
- By name: :func:`make_detector` (``"lof"``, ``"iforest"``, ``"pyod:ECOD"``, ...).
- Saving without pickle: :func:`save_detector` / :func:`load_detector`.

Scores are judged with :mod:`wavelens.evaluate` (ROC AUC, PR AUC, precision@k).
"""

from ._adapters import PyODDetector
from ._base import BaseDetector
from ._default import default_detector
from ._classic import KNN, LOF, OCSVM, IForest, KPCAResidual, Mahalanobis, PCAResidual
from ._dtw import DTWKNN
from ._ensemble import EnsembleDetector
from ._feature import FeatureDetector
from ._persist import load_detector, save_detector
from ._registry import detector_names, make_detector
from ._subsequence import SubsequenceDetector, find_period
from ._windowed import WindowedDetector

__all__ = [
    "BaseDetector",
    "FeatureDetector",
    "EnsembleDetector",
    "LOF",
    "IForest",
    "OCSVM",
    "KNN",
    "PCAResidual",
    "Mahalanobis",
    "KPCAResidual",
    "DTWKNN",
    "PyODDetector",
    "WindowedDetector",
    "SubsequenceDetector",
    "find_period",
    "make_detector",
    "detector_names",
    "default_detector",
    "save_detector",
    "load_detector",
]
