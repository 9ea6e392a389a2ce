"""Any detector on windows: cut series into windows, score the windows, aggregate per series."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from ..base import check_is_fitted
from ..data import CollectionMeta, SignalSet
from ..exceptions import ValidationError
from ..transforms._windows import _TAILS, WindowMap, _make_windows, aggregate, spread
from ._base import BaseDetector, _check_choice, _check_int
from ._classic import KNN, LOF
from ._feature import FeatureDetector

__all__ = ["WindowedDetector"]

_AGGREGATES = ("max", "mean", "topk_mean")


class WindowedDetector(BaseDetector):
    """Score series by the scores of their windows under any detector.

    ``fit(X_normal)`` cuts the normal series into windows of ``window`` samples every
    ``step`` samples (:func:`wavelens.transforms.make_windows`) and fits ``detector``
    on the windows, as if each were a series. ``decision_function(X)`` scores every
    window of ``X`` and aggregates the window scores of each series
    (:func:`wavelens.transforms.aggregate`): ``"max"`` flags a series with one bad
    window, ``"mean"`` a series that is off throughout, ``"topk_mean"`` is between.
    Because windows make series comparable, test series may have any length (ragged
    collections too) as long as they hold one window (or ``tail="pad"``).

    Parameters
    ----------
    detector : BaseDetector, optional
        Fitted (a clone) on the training windows. Default:
        ``FeatureDetector("statistics", detector=KNN(n_neighbors=5))`` — summary
        statistics per window and channel, standardised, 5-NN distance.
    window : int, default=2048
        Window length in samples, >= 1.
    step : int, optional
        Hop between windows, >= 1; default ``window`` (no overlap).
    aggregate : {"max", "mean", "topk_mean"}, default="max"
        Window scores → series score.
    k : int, default=3
        Windows averaged by ``"topk_mean"``, >= 1.
    tail : {"keep_last", "drop", "pad", "error"}, default="keep_last"
        The end of a series that whole windows do not reach (see ``make_windows``);
        with every policy but ``"pad"`` a series shorter than ``window`` is an error
        naming the series and both lengths.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_`` from the training series' aggregated scores.

    Attributes
    ----------
    detector_ : BaseDetector
        The detector fitted on the training windows.
    window_, step_ : int
        Window length and hop used.
    decision_scores_, threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector`; ``decision_scores_`` are the
        training series' aggregated window scores (the inner detector's training scores).

    Examples
    --------
    >>> from wavelens.testing import make_collection, plant_anomalies
    >>> train = make_collection(n_series=20, n_times=1024, random_state=0)
    >>> test, _ = plant_anomalies(make_collection(n_series=8, n_times=1500, random_state=1),
    ...                           kind="burst", indices=[2], random_state=0)
    >>> det = WindowedDetector(window=256, step=128).fit(train)
    >>> int(det.decision_function(test).argmax())
    2
    >>> [s.shape for s in det.point_scores(test[:2])]
    [(1500,), (1500,)]
    """

    _tags = {"capability:ragged": True}

    def __init__(self, detector=None, *, window=2048, step=None, aggregate="max", k=3, tail="keep_last",
                 contamination=0.1):
        self.detector = detector
        self.window = window
        self.step = step
        self.aggregate = aggregate
        self.k = k
        self.tail = tail
        self.contamination = contamination

    def get_tags(self) -> dict[str, Any]:
        tags = super().get_tags()
        det = self.detector
        tags["stochastic"] = bool(det.get_tags().get("stochastic", False)) if isinstance(det, BaseDetector) else False
        return tags

    def _caller(self) -> str:
        det = "FeatureDetector" if self.detector is None else type(self.detector).__name__
        return f"WindowedDetector(detector={det}, window={self.window!r})"

    def _check_params(self) -> tuple[int, int]:
        caller = self._caller()
        window = _check_int(self.window, "window", caller, 1)
        step = window if self.step is None else _check_int(self.step, "step", caller, 1)
        _check_int(self.k, "k", caller, 1)
        _check_choice(self.aggregate, "aggregate", _AGGREGATES, caller)
        _check_choice(self.tail, "tail", _TAILS, caller)
        return window, step

    def _new_detector(self) -> BaseDetector:
        if self.detector is None:
            return FeatureDetector("statistics", detector=KNN(n_neighbors=5))
        if not isinstance(self.detector, BaseDetector):
            raise ValidationError(
                f"{self._caller()}: detector must be a wavelens detector such as KNN() or "
                f"make_detector('iforest'), found {type(self.detector).__name__}."
            )
        return clone(self.detector)

    def _windows(self, data: Any, meta: CollectionMeta) -> tuple[Any, WindowMap]:
        W, wmap = _make_windows(data, meta, size=self.window_, step=self.step_, tail=self.tail, fill_value=0.0,
                                caller=self._caller())
        fs = meta.fs
        if fs is not None and not isinstance(fs, np.ndarray):
            # the windows keep the rate, for representations that need it
            return SignalSet(W, fs=float(fs)), wmap
        return W, wmap

    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        self.window_, self.step_ = self._check_params()
        W, wmap = self._windows(data, meta)
        self.detector_ = self._new_detector().fit(W)
        return aggregate(self.detector_.decision_scores_, wmap, how=self.aggregate, k=int(self.k))

    def _window_scores(self, data: Any, meta: CollectionMeta) -> tuple[np.ndarray, WindowMap]:
        W, wmap = self._windows(data, meta)
        return self.detector_.decision_function(W), wmap

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        scores, wmap = self._window_scores(data, meta)
        return aggregate(scores, wmap, how=self.aggregate, k=int(self.k))

    def window_scores(self, X: Any) -> tuple[np.ndarray, WindowMap]:
        """Score of every window of every series (higher = more abnormal).

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray

        Returns
        -------
        scores : ndarray of float64, shape (n_windows,)
        window_map : WindowMap
            Series and start of each window, for :func:`wavelens.transforms.aggregate`
            and :func:`~wavelens.transforms.spread`.
        """
        check_is_fitted(self, "threshold_")
        data, meta = self._check_X(X, reset=False)
        return self._window_scores(data, meta)

    def point_scores(self, X: Any) -> list[np.ndarray]:
        """Score of every sample: the window scores spread back (mean of covering windows).

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray

        Returns
        -------
        list of ndarray of float64, shape (n_times_i,)
        """
        scores, wmap = self.window_scores(X)
        return [np.asarray(v, dtype=np.float64) for v in spread(scores, wmap, how="mean")]

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"window": 64, "step": 32},
            {"detector": FeatureDetector("statistics", detector=LOF(n_neighbors=10)), "window": 64,
             "aggregate": "topk_mean", "k": 2},
        ]
