"""CNNClassifier: a 1-D CNN on raw series or a 2-D CNN on images, scikit-learn style."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin

from ..base import WavelensEstimator
from ..exceptions import ValidationError
from ._estimator import NeuralEstimatorMixin, is_path
from ._persist import PersistMixin

__all__ = ["CNNClassifier"]


class CNNClassifier(PersistMixin, NeuralEstimatorMixin, ClassifierMixin, WavelensEstimator):
    """Classify series with a 1-D CNN, or images (line plots, spectrograms) with a 2-D CNN.

    Parameters
    ----------
    model : {"cnn1d", "cnn2d"}, default="cnn1d"
        ``"cnn1d"`` (:class:`CNN1dClassifierNet`) takes raw series of any, and unequal,
        length; ``"cnn2d"`` (:class:`CNN2dClassifierNet`) a 4-D array of images or the
        output of ``representation`` (e.g. ``"plot_image(...)"``, ``"spectrogram(...)"``).
    model_params : dict, optional
        Constructor arguments of the network besides those the data sets.
    representation : str, optional
        A pipeline spec applied to the raw series first.
    epochs, batch_size, lr, validation_fraction, patience, grad_clip, lr_schedule, device,
    num_threads, standardize, fs, checkpoint, random_state, verbose
        As in :class:`AutoencoderEmbedder`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in fit, sorted.
    module_, history_, n_channels_, input_shape_, input_mean_, input_scale_, device_
        As in :class:`AutoencoderEmbedder`.

    Examples
    --------
    >>> from wavelens.testing import make_collection
    >>> X = make_collection(24, n_times=128, n_classes=2, random_state=0)
    >>> clf = CNNClassifier(model_params={"filters": (8, 8)}, epochs=3, random_state=0)
    >>> clf.fit(X, X.labels).predict(X).shape
    (24,)
    """

    _role = "classifier"
    _tags = {"output": "labels", "stochastic": True, "preserves_dtype": False, "requires_y": True}

    def __init__(self, model="cnn1d", model_params=None, representation=None, *, epochs=50, batch_size=32,
                 lr=1e-3, validation_fraction=0.1, patience=10, grad_clip=None, lr_schedule=None, device="auto",
                 num_threads=None, standardize=True, fs=None, checkpoint=None, random_state=None, verbose=False):
        self.model = model
        self.model_params = model_params
        self.representation = representation
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.grad_clip = grad_clip
        self.lr_schedule = lr_schedule
        self.device = device
        self.num_threads = num_threads
        self.standardize = standardize
        self.fs = fs
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X: Any, y: Any = None, *, resume_from: Any = None, chunk_size: int | None = None,
            buffer_size: int = 2048) -> "CNNClassifier":
        """Train the classifier.

        Parameters
        ----------
        X : SignalSet, ndarray, list of ndarray, or path
            As for :meth:`AutoencoderEmbedder.fit`.
        y : array-like of shape (n_series,), optional
            Class labels; by default the SignalSet's ``labels``.
        resume_from, chunk_size, buffer_size
            As for :meth:`AutoencoderEmbedder.fit`.

        Returns
        -------
        self
        """
        self._check_params()
        from ._spec import require_torch

        require_torch(self._caller())
        self._pipe_ = None
        if is_path(X):
            from ._streamfit import fit_stream

            fit_stream(self, X, resume_from=resume_from, chunk_size=chunk_size, buffer_size=buffer_size,
                       labelled=True)
            return self
        prep = self._prepare(X, fit=True)
        labels = prep.labels if y is None else y
        if labels is None:
            raise ValidationError(
                f"{self._caller()}: no labels: pass y= or a SignalSet with labels (one per series)."
            )
        labels = np.asarray(labels)
        if labels.shape != (prep.n_series,):
            raise ValidationError(
                f"{self._caller()}: y must have one label per series, shape ({prep.n_series},); found "
                f"shape {labels.shape!r}."
            )
        self.classes_, y_idx = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValidationError(
                f"{self._caller()}: needs at least 2 classes, found only {self.classes_.tolist()!r}."
            )
        self._train_network(prep, y_idx.astype(np.int64), n_classes=len(self.classes_), resume_from=resume_from)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities.

        Returns
        -------
        ndarray of float64, shape (n_series, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        if is_path(X):
            return self._map_chunks(X, self.predict_proba)
        prep = self._prepare_fitted(X)
        logits = self._run(prep, lambda m, b: m(b)).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each series, shape ``(n_series,)``, from ``classes_``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def _extra_state(self) -> dict:
        return {"classes": self.classes_.tolist()}

    def _load_extra(self, extra: dict) -> None:
        self.classes_ = np.asarray(extra["classes"])

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        fast = {"epochs": 2, "batch_size": 4, "num_threads": 1, "random_state": 0}
        return cls._torch_or_no_tests([
            {"model": "cnn1d", "model_params": {"filters": (4, 4), "strides": (2, 2)}, **fast},
            {"model": "cnn2d", "representation": "spectrogram(nperseg=32)", "model_params": {"filters": (4, 4)},
             **fast},
        ])
