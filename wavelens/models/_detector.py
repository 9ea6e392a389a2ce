"""ReconstructionDetector: an autoencoder's reconstruction error as an anomaly score."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from ..data import CollectionMeta
from ..detect._base import BaseDetector
from ..exceptions import ValidationError
from ._embedder import AutoencoderEmbedder
from ._estimator import TRAINING_PARAMS
from ._persist import _jsonable
from ._spec import min_length_of, network_info, torch_available

__all__ = ["ReconstructionDetector", "DETECTOR_FILE", "is_saved_reconstruction_detector"]

DETECTOR_FILE = "reconstruction.json"
DETECTOR_FORMAT = "wavelens-reconstruction-detector"


def is_saved_reconstruction_detector(folder: Any) -> bool:
    """True where ``folder`` holds what :meth:`ReconstructionDetector.save` writes."""
    return (Path(folder) / DETECTOR_FILE).is_file()


def _jsonable_array(value: Any) -> Any:
    """Fitted attributes as JSON: arrays keep their dtype (``{"__array__": ..., "dtype": ...}``)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ValidationError(f"ReconstructionDetector.save: cannot store an array of dtype {value.dtype}.")
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    return _jsonable(value)


def _from_json_array(value: Any) -> Any:
    if isinstance(value, dict) and "__array__" in value:
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biuf":
            raise ValueError(f"array dtype {dtype} is not numeric")
        return np.asarray(value["__array__"], dtype=dtype)
    return value


class ReconstructionDetector(BaseDetector):
    """Score series by how badly an autoencoder trained on normal series reconstructs them.

    The score of a series is its mean squared reconstruction error (standardised units);
    with ``window``, series are cut into windows of ``window`` samples every ``step``
    samples (the last window aligned to the series' end), the autoencoder is trained on
    the windows, and a series' score is the mean of its windows' errors (PyOD's clip-level
    score). Higher = more abnormal.

    Parameters
    ----------
    model : {"conv-ae", "convlstm-ae", "conv-vae"}, default="conv-ae"
    model_params : dict, optional
    representation : str, optional
        E.g. ``"spectrogram(nperseg=1024, noverlap=512)"`` for ``"conv-vae"``.
    window : int, optional
        Window length in samples; series of any length >= ``window`` are then accepted.
    step : int, optional
        Hop between windows; default ``window``.
    aggregate : {"mean", "max", "median", "topk_mean", "quantile"}, default="mean"
        How window errors make a series' score (:func:`wavelens.transforms.aggregate`);
        ``"max"`` catches an anomaly that fills one window of a long series.
    contamination : float, default=0.1
        Expected fraction of anomalies; sets ``threshold_``.
    epochs, batch_size, lr, validation_fraction, patience, grad_clip, lr_schedule, device,
    num_threads, standardize, fs, checkpoint, random_state, verbose
        As in :class:`AutoencoderEmbedder`.

    Attributes
    ----------
    embedder_ : AutoencoderEmbedder
        The trained autoencoder (on windows when ``window`` is set).
    decision_scores_, threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector`.

    Notes
    -----
    ``save(folder)`` / ``ReconstructionDetector.load(folder)`` keep a fitted detector
    (JSON + the network's weights, nothing pickled); :func:`wavelens.detect.load_detector`
    and ``wavelens detect --model RUN_DIR`` read the same folder.

    Examples
    --------
    >>> from wavelens.testing import make_collection, plant_anomalies
    >>> train = make_collection(30, n_times=256, random_state=1)
    >>> det = ReconstructionDetector(model_params={"filters": (8, 8)}, epochs=30, random_state=0).fit(train)
    >>> test, idx = plant_anomalies(make_collection(10, n_times=256, random_state=2), indices=[4], kind="tone",
    ...                             random_state=0)
    >>> int(det.decision_function(test).argmax())
    4
    """

    _tags = {"output": "scores", "stochastic": True}

    def __init__(self, model="conv-ae", model_params=None, representation=None, window=None, step=None, *,
                 aggregate="mean", contamination=0.1, epochs=50, batch_size=32, lr=1e-3, validation_fraction=0.1, patience=10,
                 grad_clip=None, lr_schedule=None, device="auto", num_threads=None, standardize=True, fs=None,
                 checkpoint=None, random_state=None, verbose=False):
        self.model = model
        self.model_params = model_params
        self.representation = representation
        self.window = window
        self.step = step
        self.aggregate = aggregate
        self.contamination = contamination
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

    def _caller(self) -> str:
        return f"ReconstructionDetector(model={self.model!r})"

    def get_tags(self) -> dict[str, Any]:
        """Ragged series are fine with windows, or with a ragged-capable model."""
        tags = super().get_tags()
        try:
            info = network_info(self.model, role="autoencoder", caller=self._caller())
        except ValidationError:
            return tags
        windowed = self.window is not None
        tags["capability:ragged"] = windowed or (info.ragged and self.representation is None)
        if windowed and isinstance(self.window, int):
            tags["min_length"] = int(self.window)
        elif self.representation is None:
            tags["min_length"] = min_length_of(self.model, self.model_params)
        return tags

    def _fs_param(self) -> Any:
        return self.fs

    def _embedder(self) -> AutoencoderEmbedder:
        params = {k: getattr(self, k) for k in TRAINING_PARAMS}
        return AutoencoderEmbedder(self.model, self.model_params, self.representation, **params)

    def _windows(self, data: Any, meta: CollectionMeta) -> tuple[Any, Any]:
        from ..data import SignalSet
        from ..transforms import make_windows

        if self.window is None:
            return SignalSet(data, fs=meta.fs, ids=meta.ids) if meta.fs is not None else data, None
        for name, v, optional in (("window", self.window, False), ("step", self.step, True)):
            if optional and v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValidationError(f"{self._caller()}: {name} must be an integer >= 1, found {v!r}.")
        W, wmap = make_windows(SignalSet(data, fs=meta.fs, ids=meta.ids), size=int(self.window),
                               step=int(self.step or self.window), tail="keep_last")
        return (SignalSet(W, fs=meta.fs) if meta.fs is not None else W), wmap

    def _aggregate(self, errors: np.ndarray, wmap: Any) -> np.ndarray:
        if wmap is None:
            return errors
        from ..transforms import aggregate

        return aggregate(errors.astype(np.float64), wmap, how=self.aggregate)

    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        X, wmap = self._windows(data, meta)
        self.embedder_ = self._embedder().fit(X)
        self.history_ = self.embedder_.history_
        return self._aggregate(self.embedder_.reconstruction_error(X), wmap)

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        X, wmap = self._windows(data, meta)
        return self._aggregate(self.embedder_.reconstruction_error(X), wmap)

    # -- saving ------------------------------------------------------------------------
    def save(self, path: Any) -> Path:
        """Write the fitted detector to the folder ``path`` (replaced atomically if it holds one).

        The folder holds the trained :class:`AutoencoderEmbedder` as its
        :meth:`~AutoencoderEmbedder.save` writes it (``config.json``, ``weights.pt`` read
        with ``weights_only=True``, ``history.json``; ``AutoencoderEmbedder.load`` reads
        the folder too) plus ``reconstruction.json``: the detector's parameters and what
        fit learnt besides the network (training scores, threshold, channels, length).
        :func:`wavelens.detect.load_detector` and ``wavelens detect --model`` read it.

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValidationError
            ``path`` is a file, or a non-empty folder that is not a saved reconstruction
            detector.
        """
        from ..base import check_is_fitted

        check_is_fitted(self, "threshold_")
        target = Path(path)
        if target.exists() and (not target.is_dir() or (any(target.iterdir())
                                                        and not (target / DETECTOR_FILE).is_file())):
            raise ValidationError(
                f"ReconstructionDetector.save: {str(target)!r} exists and is not a saved reconstruction "
                "detector; refusing to overwrite it. Choose a new folder."
            )
        from .. import __version__

        fitted = {k: _jsonable_array(v) for k, v in vars(self).items()
                  if k.endswith("_") and not k.startswith("_") and k not in ("embedder_", "history_")}
        doc = {"format": DETECTOR_FORMAT, "format_version": 1, "wavelens_version": __version__,
               "estimator": "ReconstructionDetector", "params": _jsonable(self.get_params(deep=False)),
               "fitted": fitted}
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
        try:
            self.embedder_.save(tmp)
            (tmp / DETECTOR_FILE).write_text(json.dumps(doc, indent=1, allow_nan=False), encoding="utf-8")
            if target.exists():
                old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(cls, path: Any, device: str = "cpu") -> "ReconstructionDetector":
        """Load a detector written by :meth:`save` (nothing in the files is executed).

        Parameters
        ----------
        path : str or path-like
            The folder.
        device : str, default="cpu"
            Where the network's weights go (``"auto"``: CUDA when available).

        Returns
        -------
        ReconstructionDetector
            Fitted; it gives the scores the saved one gave.

        Raises
        ------
        DataFormatError
            A missing or corrupt file, or a folder that holds something else.
        """
        from ..exceptions import DataFormatError

        folder = Path(path)
        doc_path = folder / DETECTOR_FILE
        if not doc_path.is_file():
            raise DataFormatError(
                f"ReconstructionDetector.load: {str(doc_path)!r} does not exist; pass the folder that "
                "ReconstructionDetector.save (or a `wavelens detect --run-dir` run's model/) wrote."
            )
        try:
            doc = json.loads(doc_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DataFormatError(f"ReconstructionDetector.load: {str(doc_path)!r} is not valid JSON ({err}).") from err
        if not isinstance(doc, dict) or doc.get("format") != DETECTOR_FORMAT:
            raise DataFormatError(
                f"ReconstructionDetector.load: {str(doc_path)!r} is not a saved reconstruction detector "
                f"(no format {DETECTOR_FORMAT!r})."
            )
        try:
            det = cls(**doc["params"])
            fitted = {k: _from_json_array(v) for k, v in doc["fitted"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise DataFormatError(
                f"ReconstructionDetector.load: {str(doc_path)!r} is incomplete or invalid ({err})."
            ) from err
        if "threshold_" not in fitted or "decision_scores_" not in fitted:
            raise DataFormatError(f"ReconstructionDetector.load: {str(doc_path)!r} holds no fitted detector.")
        for k, v in fitted.items():
            if not (k.endswith("_") and k.isidentifier()):
                raise DataFormatError(f"ReconstructionDetector.load: {str(doc_path)!r} has an odd entry {k!r}.")
            setattr(det, k, v)
        det.embedder_ = AutoencoderEmbedder.load(folder, device=device)
        det.history_ = det.embedder_.history_
        return det

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        if not torch_available():
            return []
        # A constant (dead-sensor) series is reconstructed almost perfectly in raw units (an
        # autoencoder maps zeros to near zeros), so the planted-anomaly check runs on
        # log-magnitude spectrograms, where a flat series is far from anything seen in fit.
        return [
            {"model": "conv-vae", "representation": "spectrogram(nperseg=32, scaling='db')",
             "model_params": {"filters": (16, 16), "dense": 32, "latent_dim": 8, "beta": 0.01}, "epochs": 80,
             "batch_size": 8, "validation_fraction": 0.0, "lr": 3e-3, "num_threads": 1, "random_state": 2},
        ]
