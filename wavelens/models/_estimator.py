"""The machinery shared by the scikit-learn-style wrappers of the networks.

:class:`NeuralEstimatorMixin` turns an input collection into standardised float32
arrays (optionally through a representation pipeline), builds the named network
under a seed, splits off a validation set, trains it with :func:`._train.train` and
runs it in evaluation mode in batches. It imports torch only inside its methods, so
the estimator classes import (and read their tags) without it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np

from ..base import check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ._spec import NetworkInfo, min_length_of, network_info, require_torch, torch_available

__all__ = ["NeuralEstimatorMixin", "Prepared", "STANDARDIZE_MODES", "TRAINING_PARAMS", "standardize_mode"]

#: What ``standardize=`` may be: one linear map per channel learnt from the training
#: set, each series (each channel of it) centred and scaled by its own statistics, or nothing.
STANDARDIZE_MODES = ("global", "series", "none")

# "auto" training budget (see NeuralEstimatorMixin._budget): optimizer steps aimed at,
# the bounds on the epochs, the fewest validation series worth holding out.
AUTO_STEPS = 3000
AUTO_EPOCHS = (50, 1000)
AUTO_MIN_VALIDATION = 32

# Parameters every wrapper takes after its model-specific ones, with their defaults.
TRAINING_PARAMS: dict[str, Any] = {
    "epochs": 50, "batch_size": 32, "lr": 1e-3, "validation_fraction": 0.1, "patience": 10, "grad_clip": None,
    "lr_schedule": None, "device": "auto", "num_threads": None, "standardize": True, "fs": None,
    "checkpoint": None, "random_state": None, "verbose": False,
}


@dataclass
class Prepared:
    """A collection ready for the network: standardised float32 inputs and what is known of them.

    With ``standardize="series"``, ``offset`` and ``scale`` (float64, shape
    ``(n_series, n_channels)``) are each series' own channel means and standard
    deviations, which :meth:`NeuralEstimatorMixin._to_input_units` undoes; else None.
    """

    data: Any  # ndarray (N, C, T) / (N, C, H, W), or list of (C, L_i) arrays
    ids: np.ndarray
    labels: Any
    meta: CollectionMeta | None
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None

    @property
    def n_series(self) -> int:
        return len(self.data)

    @property
    def is_list(self) -> bool:
        return not isinstance(self.data, np.ndarray)

    def take(self, idx: np.ndarray) -> Any:
        if self.is_list:
            return [self.data[i] for i in idx]
        return self.data[idx]


def _is_path(X: Any) -> bool:
    return isinstance(X, (str, os.PathLike))


def _channel_axes(ndim: int) -> tuple[int, ...]:
    return tuple(a for a in range(ndim) if a != 1)


def standardize_mode(value: Any, caller: str) -> str:
    """The ``standardize=`` parameter as one of :data:`STANDARDIZE_MODES`.

    ``True`` means ``"global"`` (the behaviour before the modes existed, and what models
    saved then record); ``False`` and ``None`` mean ``"none"``.
    """
    if isinstance(value, (bool, np.bool_)):
        return "global" if value else "none"
    if value is None:
        return "none"
    if isinstance(value, str) and value.lower() in STANDARDIZE_MODES:
        return value.lower()
    raise ValidationError(
        f"{caller}: standardize must be 'global' (or True: one mean and std per channel from the training set), "
        f"'series' (each series scaled by its own mean and std per channel) or 'none' (or False/None), "
        f"found {value!r}."
    )


class NeuralEstimatorMixin:
    """Input preparation, training and batched inference for the network wrappers.

    Subclasses set ``_role`` (``"autoencoder"`` or ``"classifier"``) and have the
    parameters ``model``, ``model_params``, ``representation`` and
    :data:`TRAINING_PARAMS`.
    """

    _role = "autoencoder"

    # -- what the network is --------------------------------------------------------
    def _caller(self) -> str:
        return f"{type(self).__name__}(model={self.model!r})"

    def _info(self) -> NetworkInfo:
        return network_info(self.model, role=self._role, caller=type(self).__name__)

    def _accepts_ragged(self) -> bool:
        try:
            info = self._info()
        except ValidationError:
            return False
        return info.ragged and self.representation is None

    def _min_length(self) -> int:
        try:
            info = self._info()
        except ValidationError:
            return 1
        if self.representation is not None or info.dims != 1:
            return 1
        return min_length_of(self.model, self.model_params)

    def get_tags(self) -> dict[str, Any]:
        """Class tags, with ``capability:ragged`` and ``min_length`` from the chosen network."""
        tags = super().get_tags()  # type: ignore[misc]
        tags["capability:ragged"] = self._accepts_ragged()
        tags["min_length"] = self._min_length()
        return tags

    @classmethod
    def _torch_or_no_tests(cls, params: list[dict]) -> list[dict]:
        """The common checks fit; where torch is missing there is nothing they could fit."""
        return params if torch_available() else []

    # -- parameters -----------------------------------------------------------------
    def _check_params(self) -> None:
        caller = self._caller()
        self._info()
        if self.model_params is not None and not isinstance(self.model_params, dict):
            raise ValidationError(f"{caller}: model_params must be a dict or None, found {self.model_params!r}.")
        if self.representation is not None and not isinstance(self.representation, str):
            raise ValidationError(
                f"{caller}: representation must be a pipeline spec string such as \"spectrogram(nperseg=64)\" "
                f"or None, found {self.representation!r}."
            )

        def integer(name: str, minimum: int, optional: bool = False) -> None:
            v = getattr(self, name)
            if optional and v is None:
                return
            if isinstance(v, bool) or not isinstance(v, Integral) or v < minimum:
                opt = "None or " if optional else ""
                raise ValidationError(f"{caller}: {name} must be {opt}an integer >= {minimum}, found {v!r}.")

        if self.epochs != "auto":
            integer("epochs", 1)
        integer("batch_size", 1)
        if self.patience != "auto":
            integer("patience", 1, optional=True)
        integer("num_threads", 1, optional=True)
        if isinstance(self.lr, bool) or not isinstance(self.lr, Real) or not self.lr > 0:
            raise ValidationError(f"{caller}: lr must be a number > 0, found {self.lr!r}.")
        vf = self.validation_fraction
        if vf != "auto" and (isinstance(vf, bool) or not isinstance(vf, Real) or not 0.0 <= vf < 1.0):
            raise ValidationError(
                f"{caller}: validation_fraction must be 'auto' or a number in [0, 1), found {vf!r}."
            )
        if self.grad_clip is not None and (isinstance(self.grad_clip, bool) or not isinstance(self.grad_clip, Real)
                                           or not self.grad_clip > 0):
            raise ValidationError(f"{caller}: grad_clip must be None or a number > 0, found {self.grad_clip!r}.")
        standardize_mode(self.standardize, caller)
        if self.lr_schedule not in (None, "cosine", "plateau"):
            raise ValidationError(
                f"{caller}: lr_schedule must be None, 'cosine' or 'plateau', found {self.lr_schedule!r}."
            )

    def _budget(self, n_series: int) -> tuple[int, int | None, float]:
        """``epochs``, ``patience`` and ``validation_fraction`` with every ``"auto"`` resolved.

        ``"auto"`` sizes the training to the data: a validation split only when it would
        hold at least :data:`AUTO_MIN_VALIDATION` series (a handful of held-out series
        makes early stopping a coin toss; below that the training loss is monitored),
        enough epochs for about :data:`AUTO_STEPS` optimizer steps (between
        :data:`AUTO_EPOCHS` bounds: small collections train long, large ones need few
        passes), and a patience of a tenth of the epochs (at least 10).
        """
        vf = self.validation_fraction
        if vf == "auto":
            vf = 0.1 if 0.1 * n_series >= AUTO_MIN_VALIDATION else 0.0
        vf = float(vf)
        epochs = self.epochs
        if epochs == "auto":
            n_train = max(1, n_series - int(round(vf * n_series)))
            per_epoch = -(-n_train // int(self.batch_size))
            lo, hi = AUTO_EPOCHS
            epochs = int(min(hi, max(lo, -(-AUTO_STEPS // per_epoch))))
        patience = self.patience
        if patience == "auto":
            patience = max(10, int(epochs) // 10)
        return int(epochs), patience, vf

    def _seed(self) -> int:
        rs = self.random_state
        if rs is None:
            return int(np.random.SeedSequence().entropy % (2**31 - 1))
        if isinstance(rs, Integral) and not isinstance(rs, bool):
            return int(rs) % (2**31 - 1)
        if isinstance(rs, np.random.RandomState):
            return int(rs.randint(2**31 - 1))
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(2**31 - 1))
        raise ValidationError(f"{self._caller()}: random_state must be None, an int or a numpy generator, found {rs!r}.")

    # -- input ----------------------------------------------------------------------
    def _check_images(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        caller = self._caller()
        arr = X.to_numpy() if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray) else X
        if not isinstance(arr, np.ndarray) or arr.ndim != 4:
            found = f"a {arr.ndim}-D array of shape {arr.shape!r}" if isinstance(arr, np.ndarray) else type(X).__name__
            raise ValidationError(
                f"{caller}: a 2-D network without a representation takes a 4-D array (n_series, n_channels, "
                f"height, width); found {found}. Pass representation=\"spectrogram(...)\" to make images from "
                "raw series, or use a 1-D model."
            )
        if arr.dtype.kind not in "biuf":
            raise ValidationError(f"{caller}: expected numeric images, found dtype {arr.dtype!r}.")
        if len(arr) == 0:
            raise ValidationError(f"{caller}: the collection is empty (0 series).")
        bad = np.flatnonzero(~np.isfinite(arr.reshape(len(arr), -1)).all(axis=1))
        if bad.size:
            raise ValidationError(
                f"{caller}: series {int(bad[0])} contains NaN or inf. Remove or interpolate missing values first."
            )
        return arr, np.array([str(i) for i in range(len(arr))], dtype=object)

    def _represent(self, data: Any, meta: CollectionMeta, fit: bool) -> Any:
        """Apply the representation pipeline (fitted on the first data it sees)."""
        from ..pipeline import build_pipeline

        caller = self._caller()
        pipe = getattr(self, "_pipe_", None)
        if pipe is None:
            fs = self.fs if self.fs is not None else meta.fs
            if fs is None and not fit:  # a loaded model: the rate it was trained at
                fs = getattr(self, "fs_", None)
            if isinstance(fs, np.ndarray):
                raise ValidationError(
                    f"{caller}: representation {self.representation!r} needs one sampling rate, but the series have "
                    f"several ({np.unique(fs)[:4].tolist()!r} Hz...). Resample them to one rate first."
                )
            pipe = build_pipeline(self.representation, fs=fs)
            pipe.fit(data)
            self._pipe_ = pipe
        out = pipe.transform(data)
        info = self._info()
        if isinstance(out, np.ndarray) and out.ndim == info.dims + 2:
            return out
        if info.dims == 1 and isinstance(out, list) and out and np.ndim(out[0]) == 2:
            return out
        shape = out.shape if isinstance(out, np.ndarray) else f"a list of {len(out)}"
        want = "(n_series, n_channels, height, width)" if info.dims == 2 else "(n_series, n_channels, n_times)"
        raise ValidationError(
            f"{caller}: representation {self.representation!r} gives output of shape {shape!r}, but model "
            f"{self.model!r} needs {want}. Choose a representation that keeps that layout."
        )

    def _prepare(self, X: Any, *, fit: bool) -> Prepared:
        """Check ``X``, apply the representation, compare with fit, standardise (float32).

        ``fit=True`` sets ``standardize_`` (the mode) and ``input_mean_`` /
        ``input_scale_`` (identity unless the mode is ``"global"``); inference uses the
        fitted mode, so a loaded model scales as it was trained.
        """
        caller = self._caller()
        info = self._info()
        meta = None
        if info.dims == 2 and self.representation is None:
            data, ids = self._check_images(X)
            labels = getattr(X, "labels", None)
        else:
            data, meta = check_collection(
                X, fs=self.fs, allow_ragged=self._accepts_ragged() or self.representation is not None,
                min_length=self._min_length(), caller=caller,
            )
            ids, labels = meta.ids, meta.labels
            if self.representation is not None:
                data = self._represent(data, meta, fit)
                if isinstance(data, list) and not self._accepts_ragged() and info.dims == 1:
                    if len({s.shape[-1] for s in data}) > 1:
                        raise ValidationError(f"{caller}: needs series of equal length after the representation.")
                    data = np.stack(data)
        n_channels = data.shape[1] if isinstance(data, np.ndarray) else data[0].shape[0]
        if fit:
            self.n_channels_ = int(n_channels)
            self.input_shape_ = [int(v) for v in data.shape[1:]] if isinstance(data, np.ndarray) else None
            self.fs_ = float(meta.fs) if meta is not None and isinstance(meta.fs, (float, int)) else None
            self.standardize_ = standardize_mode(self.standardize, caller)
            if self.standardize_ == "global":
                self.input_mean_, self.input_scale_ = _channel_stats(data)
            else:
                self.input_mean_ = np.zeros(n_channels)
                self.input_scale_ = np.ones(n_channels)
        else:
            self._compare_with_fit(data, n_channels, info)
        if self._fitted_mode() == "series":
            offset, scale = _series_stats(data)
            return Prepared(_scaled_per_series(data, offset, scale), ids, labels, meta, offset, scale)
        return Prepared(_standardised(data, self.input_mean_, self.input_scale_), ids, labels, meta)

    def _fitted_mode(self) -> str:
        """The standardisation the model was trained with (``standardize_``)."""
        mode = getattr(self, "standardize_", None)
        return mode if mode in STANDARDIZE_MODES else standardize_mode(self.standardize, self._caller())

    def _to_input_units(self, prep: Prepared, outputs: list) -> list:
        """Undo the standardisation of per-series network outputs (``(C, ...)`` each) → float32."""
        result = []
        for i, a in enumerate(outputs):
            shape = (-1,) + (1,) * (a.ndim - 1)
            if prep.scale is not None:
                a = a * prep.scale[i].reshape(shape) + prep.offset[i].reshape(shape)
            else:
                a = a * self.input_scale_.reshape(shape) + self.input_mean_.reshape(shape)
            result.append(np.asarray(a, dtype=np.float32))
        return result

    def _compare_with_fit(self, data: Any, n_channels: int, info: NetworkInfo) -> None:
        caller = self._caller()
        if n_channels != self.n_channels_:
            raise ValidationError(
                f"{caller} was trained on series with n_channels={self.n_channels_}, but X has "
                f"n_channels={n_channels}. Give it series with the channels it was trained on, or fit again."
            )
        fixed = info.dims == 2 or not info.ragged
        if fixed and isinstance(data, np.ndarray) and list(data.shape[1:]) != self.input_shape_:
            what = "(n_channels, height, width)" if info.dims == 2 else "(n_channels, n_times)"
            raise ValidationError(
                f"{caller} was trained on inputs of shape {what} = {tuple(self.input_shape_)!r}, but X has "
                f"{tuple(data.shape[1:])!r}. Cut or pad the series to the trained length (or window them), or fit again."
            )
        if fixed and not isinstance(data, np.ndarray):
            raise ValidationError(f"{caller}: needs series of equal length; X has series of different lengths.")

    # -- the network ----------------------------------------------------------------
    def _network_config(self, extra: dict) -> dict:
        params = dict(self.model_params or {})
        clash = sorted(set(params) & set(extra))
        if clash:
            raise ValidationError(
                f"{self._caller()}: model_params must not set {clash!r}; they come from the data "
                f"({', '.join(f'{k}={v!r}' for k, v in extra.items())})."
            )
        return {**extra, **params}

    def _data_config(self, n_classes: int | None = None) -> dict:
        info = self._info()
        if info.dims == 2:
            extra: dict = {"in_shape": list(self.input_shape_)}
        else:
            extra = {"n_channels": self.n_channels_}
            if not info.ragged:
                extra["n_times"] = int(self.input_shape_[-1])
        if n_classes is not None:
            extra["n_classes"] = int(n_classes)
        return extra

    def _build(self, seed: int, n_classes: int | None = None) -> Any:
        torch = require_torch(self._caller())
        from ._registry import build_network

        config = self._network_config(self._data_config(n_classes))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = build_network(self.model, config, caller=self._caller())
        return net

    def _check_min_length(self, prep: Prepared, net: Any) -> None:
        if net.dims != 1 or not prep.is_list and prep.data.shape[-1] >= net.min_length:
            return
        lengths = np.array([s.shape[-1] for s in prep.data])
        short = np.flatnonzero(lengths < net.min_length)
        if short.size:
            i = int(short[0])
            raise ValidationError(
                f"{self._caller()}: {describe_series(i, prep.ids)} has n_times={int(lengths[i])} after the "
                f"representation, shorter than the network's receptive field ({net.min_length} samples). Use "
                "longer series, a smaller kernel_size or fewer strides."
            )

    def _train_network(self, prep: Prepared, y: np.ndarray | None, *, n_classes: int | None = None,
                       resume_from: Any = None) -> None:
        """Build the network under the seed, split off validation series, train; set fitted attributes."""
        require_torch(self._caller())
        from ._batches import TensorBatches
        from ._train import resolve_device, train

        seed = self._seed()
        device = resolve_device(self.device, self._caller())
        net = self._build(seed, n_classes)
        self._check_min_length(prep, net)
        n = prep.n_series
        epochs, patience, vf = self._budget(n)
        n_val = min(int(round(vf * n)), n - 1) if n > 1 else 0
        order = np.random.default_rng([seed, 1]).permutation(n)
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        train_b = TensorBatches(prep.take(train_idx), self.batch_size, y=None if y is None else y[train_idx],
                                shuffle=True, seed=seed)
        val_b = None
        if n_val:
            val_b = TensorBatches(prep.take(val_idx), self.batch_size, y=None if y is None else y[val_idx])
        self.history_ = train(
            net, train_b, val_b, epochs=epochs, lr=float(self.lr), patience=patience,
            grad_clip=self.grad_clip, lr_schedule=self.lr_schedule, device=device, num_threads=self.num_threads,
            seed=seed, checkpoint=self.checkpoint, resume_from=resume_from, verbose=bool(self.verbose),
        )
        self._set_network(net, device)

    def _set_network(self, net: Any, device: Any) -> None:
        self.module_ = net
        self.network_ = net.name
        self.device_ = str(device)
        if hasattr(net, "n_latent"):
            self.n_latent_ = int(net.n_latent)

    # -- inference --------------------------------------------------------------------
    def _run(self, prep: Prepared, fn: Callable[[Any, dict], Any], *, per_series: bool = False) -> Any:
        """Apply ``fn(module, batch)`` in evaluation mode; results in the original series order.

        With ``per_series`` the outputs keep a time axis: a list of arrays, each cut to its
        series' length; otherwise one array ``(n_series, ...)``.
        """
        torch = require_torch(self._caller())
        from ._batches import TensorBatches
        from ._train import to_device, torch_threads

        dev = torch.device(self.device_)
        module = self.module_
        module.eval()
        batches = TensorBatches(prep.data, max(int(self.batch_size), 64))
        parts, index = [], []
        with torch_threads(self.num_threads), torch.inference_mode():
            for idx, b in batches.indexed():
                out = fn(module, to_device(b, dev))
                if per_series:
                    arr = out.float().cpu().numpy()
                    for j, i in enumerate(idx):
                        parts.append(arr[j, ..., : prep.data[i].shape[-1]])
                else:
                    parts.append(out)
                index.append(idx)
        order = np.concatenate(index)
        if per_series:
            result: list = [None] * len(order)
            for i, a in zip(order, parts):
                result[i] = a
            return result
        stacked = torch.cat(parts).float().cpu().numpy()
        out = np.empty_like(stacked)
        out[order] = stacked
        return out

    def _prepare_fitted(self, X: Any) -> Prepared:
        check_is_fitted(self, "module_")
        return self._prepare(X, fit=False)

    def _map_chunks(self, X: Any, method: Callable[[Any], np.ndarray]) -> np.ndarray:
        """Apply ``method`` to a path read chunk by chunk; concatenate (bounded memory)."""
        from ..io import iter_chunks

        outs = [method(chunk) for chunk in iter_chunks(X, fs=self.fs)]
        if not outs:
            raise ValidationError(f"{self._caller()}: {str(X)!r} holds no series.")
        return np.concatenate(outs)


def _channel_stats(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over every valid sample (float64; std 0 → 1)."""
    if isinstance(data, np.ndarray):
        axes = _channel_axes(data.ndim)
        mean = data.mean(axis=axes, dtype=np.float64)
        std = data.std(axis=axes, dtype=np.float64)
    else:
        n = sum(s.shape[-1] for s in data)
        total = sum(s.sum(axis=-1, dtype=np.float64) for s in data)
        mean = total / n
        sq = sum(((s - mean[:, None]) ** 2).sum(axis=-1) for s in data)
        std = np.sqrt(sq / n)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    return np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)


def _series_stats(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each series' own per-channel mean and standard deviation (float64, shape (n_series, n_channels)).

    Over the time axis (or, for images, height and width) of that series only; a
    constant channel (std 0) gets scale 1, so it becomes zeros rather than NaN.
    """
    if isinstance(data, np.ndarray):
        axes = tuple(range(2, data.ndim))
        mean = data.mean(axis=axes, dtype=np.float64)
        std = data.std(axis=axes, dtype=np.float64)
    else:
        mean = np.stack([s.reshape(s.shape[0], -1).mean(axis=-1, dtype=np.float64) for s in data])
        std = np.stack([s.reshape(s.shape[0], -1).std(axis=-1, dtype=np.float64) for s in data])
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    return np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)


def _scaled_per_series(data: Any, offset: np.ndarray, scale: np.ndarray) -> Any:
    """``(x_i - offset_i) / scale_i`` per series and channel, as float32."""
    if isinstance(data, np.ndarray):
        shape = offset.shape + (1,) * (data.ndim - 2)
        return ((data - offset.reshape(shape)) / scale.reshape(shape)).astype(np.float32)
    out = []
    for s, m, sd in zip(data, offset, scale):
        shape = (-1,) + (1,) * (s.ndim - 1)
        out.append(((s - m.reshape(shape)) / sd.reshape(shape)).astype(np.float32))
    return out


def _standardised(data: Any, mean: np.ndarray, scale: np.ndarray) -> Any:
    """``(x - mean) / scale`` per channel, as float32."""
    def one(a: np.ndarray) -> np.ndarray:
        shape = (1, -1) + (1,) * (a.ndim - 2) if a.ndim >= 3 else (-1, 1)
        return ((a - mean.reshape(shape)) / scale.reshape(shape)).astype(np.float32)

    if isinstance(data, np.ndarray):
        return one(data)
    return [one(s) for s in data]


def is_path(X: Any) -> bool:
    """A path (str or PathLike): read chunk by chunk with :func:`wavelens.io.iter_chunks`."""
    return _is_path(X)
