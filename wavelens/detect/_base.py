"""The anomaly-score contract: one place, one sign.

Every wavelens detector is fitted on normal series only (``fit(X_normal)``) and scores
series with ``decision_function(X)``: a float64 array ``(n_series,)`` where **higher
means more abnormal** (PyOD's convention). After ``fit`` it holds the scores of its
training series (``decision_scores_``) and a threshold on them (``threshold_``, the
``1 - contamination`` quantile), which ``predict`` uses to return 0 (normal) or 1
(abnormal). scikit-learn's ``OutlierMixin`` is deliberately not inherited: its
``score_samples`` and ``decision_function`` run the other way (lower = more abnormal)
and its ``predict`` returns -1/+1. scikit-learn's detectors are negated in exactly one
place, :class:`wavelens.detect._adapters._SklearnAdapter`.

A subclass implements two methods on checked input (the output of
:func:`~wavelens.data.check_collection`):

``_fit(data, meta) -> training_scores``
    Learn from the normal series and return their scores, shape ``(n_series,)``
    (leave-one-out where a series would otherwise be scored against itself, as the
    nearest-neighbour detectors do).
``_score(data, meta) -> scores``
    Score new series, shape ``(n_series,)``.

The base class does the rest: input checks (NaN/inf rejected with the series named,
channels and — for detectors that need equal lengths — series length compared with
``fit``), the finiteness and dtype of the scores, the threshold and ``predict``. A
window-level wrapper (cut series into windows, score the windows, aggregate per series
with :func:`wavelens.transforms.aggregate`) can wrap any detector: a detector accepts
any collection, so the windows of ``make_windows`` are just more series.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from ..base import WavelensEstimator, check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError

__all__ = ["BaseDetector"]


def _check_contamination(contamination: Any, caller: str) -> float:
    if (
        isinstance(contamination, bool)
        or not isinstance(contamination, Real)
        or not 0.0 < float(contamination) <= 0.5
    ):
        raise ValidationError(
            f"{caller}: contamination must be a number in (0, 0.5], the expected fraction of "
            f"abnormal series among the training ones; found {contamination!r}."
        )
    return float(contamination)


def _check_int(value: Any, name: str, caller: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral) or value < minimum:
        raise ValidationError(f"{caller}: {name} must be an integer >= {minimum}, found {value!r}.")
    return int(value)


def _check_choice(value: Any, name: str, choices: tuple, caller: str) -> Any:
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(f"{caller}: {name} must be one of {choices!r}, found {value!r}.")
    return value


class BaseDetector(WavelensEstimator):
    """Base of every wavelens anomaly detector (fit on normal series, higher = more abnormal).

    Subclasses store their hyperparameters in ``__init__`` (always including
    ``contamination``) and implement ``_fit(data, meta)`` and ``_score(data, meta)``
    (see the module docstring).

    Attributes
    ----------
    decision_scores_ : ndarray of float64, shape (n_train,)
        Scores of the training series, higher = more abnormal.
    threshold_ : float
        The ``1 - contamination`` quantile of ``decision_scores_`` (linear
        interpolation); ``predict`` flags scores above it.
    labels_ : ndarray of int64, shape (n_train,)
        ``decision_scores_ > threshold_`` as 0/1.
    n_channels_ : int
        Channels of the training series.
    n_times_ : int or None
        Length of the training series for detectors that need equal lengths (tag
        ``capability:ragged`` False); None for the others.
    """

    _tags = {"output": "scores"}

    # -- the public contract ---------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> "BaseDetector":
        """Learn what normal series look like.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray
            Normal series only (2-D arrays are read as ``(n_series, n_times)``, so a
            feature matrix ``(n_series, n_features)`` works too).
        y : ignored
            Present for scikit-learn compatibility; the detectors are unsupervised.

        Returns
        -------
        self
        """
        caller = self._caller()
        contamination = _check_contamination(self.contamination, caller)
        data, meta = self._check_X(X, reset=True)
        scores = self._finite_scores(self._fit(data, meta), meta, "its training series")
        self.decision_scores_ = scores
        self.threshold_ = float(np.quantile(scores, 1.0 - contamination))
        self.labels_ = (scores > self.threshold_).astype(np.int64)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Anomaly score of every series: higher = more abnormal.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray
            Series with the channels (and, for detectors that need equal lengths, the
            length) of the training series.

        Returns
        -------
        scores : ndarray of float64, shape (n_series,)
            Finite; comparable with ``decision_scores_`` and ``threshold_``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValidationError
            NaN/inf in a series (named), a channel count or length different from fit.
        """
        check_is_fitted(self, "threshold_")
        data, meta = self._check_X(X, reset=False)
        return self._finite_scores(self._score(data, meta), meta, "X")

    def predict(self, X: Any) -> np.ndarray:
        """1 for series scored above ``threshold_`` (abnormal), 0 otherwise.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray

        Returns
        -------
        labels : ndarray of int64, shape (n_series,)
        """
        check_is_fitted(self, "threshold_")
        return (self.decision_function(X) > self.threshold_).astype(np.int64)

    # -- for subclasses ---------------------------------------------------------------
    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _fit(data, meta).")

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _score(data, meta).")

    def _caller(self) -> str:
        """How messages name this detector."""
        return type(self).__name__

    def _fs_param(self) -> Any:
        """The ``fs=`` hyperparameter, for detectors that have one."""
        return None

    # -- shared checks ----------------------------------------------------------------
    def _check_X(self, X: Any, *, reset: bool) -> tuple[Any, CollectionMeta]:
        tags = self.get_tags()
        ragged_ok = bool(tags.get("capability:ragged", False))
        caller = self._caller()
        data, meta = check_collection(
            X,
            fs=self._fs_param(),
            allow_ragged=ragged_ok,
            min_length=int(tags.get("min_length", 1)),
            caller=caller,
        )
        if reset:
            self.n_channels_ = meta.n_channels
            self.n_times_ = None if ragged_ok else int(meta.lengths[0])
            return data, meta
        if meta.n_channels != self.n_channels_:
            raise ValidationError(
                f"{caller} was fitted on series with n_channels={self.n_channels_}, but X has "
                f"n_channels={meta.n_channels}. Score series with the channels seen in fit, or fit again."
            )
        if self.n_times_ is not None and int(meta.lengths[0]) != self.n_times_:
            raise ValidationError(
                f"{caller} was fitted on series with n_times={self.n_times_} (it needs equal "
                f"lengths), but X has n_times={int(meta.lengths[0])}. Cut or pad the series to "
                f"{self.n_times_} samples, or fit again."
            )
        return data, meta

    def _finite_scores(self, scores: Any, meta: CollectionMeta, what: str) -> np.ndarray:
        out = np.asarray(scores, dtype=np.float64).reshape(-1)
        if out.shape != (meta.n_series,):
            raise ValidationError(
                f"{self._caller()} returned {out.size} scores for {meta.n_series} series of {what}; "
                "a detector must give one score per series."
            )
        bad = np.flatnonzero(~np.isfinite(out))
        if bad.size:
            raise ValidationError(
                f"{self._caller()} gave a non-finite score ({float(out[bad[0]])!r}) to "
                f"{describe_series(int(bad[0]), meta.ids)} of {what}. Check the representation "
                "and the detector's parameters for that series."
            )
        return out


class _MatrixDetector(BaseDetector):
    """A detector on rows of numbers: each series flattened to one row.

    A collection ``(n_series, n_channels, n_times)`` becomes the matrix
    ``(n_series, n_channels * n_times)`` (channel-major), so the raw samples are the
    features; a 2-D feature matrix ``(n_series, n_features)`` is read as one channel
    and used as it is. Subclasses implement ``_fit_matrix(F) -> training_scores`` and
    ``_score_matrix(F) -> scores`` on float64 matrices; ``n_features_in_`` is set.
    """

    _tags = {"capability:ragged": False}

    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        F = _as_matrix(data)
        self.n_features_in_ = F.shape[1]
        return self._fit_matrix(F)

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        return self._score_matrix(_as_matrix(data))

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _fit_matrix(F).")

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _score_matrix(F).")

    def _check_n_train(self, n_train: int, needed: int, what: str) -> None:
        """Raise unless there are at least ``needed`` training rows (``what`` explains why)."""
        if n_train < needed:
            raise ValidationError(
                f"{self._caller()} needs at least {needed} training series ({what}), but fit got "
                f"{n_train}. Fit on more normal series or lower the parameter."
            )


def _as_matrix(data: np.ndarray) -> np.ndarray:
    """Equal-length collection ``(n, C, T)`` → float64 matrix ``(n, C * T)``."""
    return np.ascontiguousarray(np.asarray(data).reshape(len(data), -1), dtype=np.float64)
