"""Saving and loading a trained wrapper as a folder, without pickle.

A saved model is a folder of three files, written into a temporary folder beside the
target and renamed into place, so a failure never leaves a half-written model:

``config.json``
    The estimator class and parameters, the network's name and constructor config, what
    was learnt about the input (channels, shape, standardisation, fs), the classes of a
    classifier, and the wavelens and torch versions.
``weights.pt``
    The network's ``state_dict`` (CPU tensors), read back with
    ``torch.load(..., weights_only=True, map_location=device)``: nothing in the file is
    executed, and a model trained on a GPU loads on a CPU.
``history.json``
    The training history.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from ..base import check_is_fitted
from ..exceptions import DataFormatError, ValidationError
from ._estimator import standardize_mode
from ._spec import require_torch

__all__ = ["PersistMixin", "FORMAT"]

FORMAT = "wavelens-model"
FORMAT_VERSION = 1


# Network arguments added after models were first saved, with the value that rebuilds those
# older models (a config.json that lacks the key was written before the argument existed).
_ADDED_LATER = {"convlstm-ae": {"time_features": 0}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return None  # e.g. a numpy Generator as random_state: not reproducible from a file


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise DataFormatError(f"saved model {str(path.parent)!r}: {what} {path.name!r} is missing.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataFormatError(f"saved model: {str(path)!r} is not valid JSON ({err}); the file is corrupt.") from err


class PersistMixin:
    """``save(path)`` / ``cls.load(path, device=...)`` for the network wrappers."""

    def _extra_state(self) -> dict:
        return {}

    def _load_extra(self, extra: dict) -> None:
        pass

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted model to the folder ``path`` (replaced atomically if it holds a saved model).

        Parameters
        ----------
        path : str or path-like
            Folder to create (or replace).

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValidationError
            ``path`` is a file, or a non-empty folder that is not a saved model.
        """
        check_is_fitted(self, "module_")
        torch = require_torch(f"{type(self).__name__}.save")
        from .. import __version__

        target = Path(path)
        if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / "config.json").is_file())):
            raise ValidationError(
                f"{type(self).__name__}.save: {str(target)!r} exists and is not a saved model; refusing to "
                "overwrite it. Choose a new folder."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
        try:
            state = {k: v.detach().cpu() for k, v in self.module_.state_dict().items()}
            torch.save(state, tmp / "weights.pt")
            config = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "wavelens_version": __version__,
                "torch_version": torch.__version__, "estimator": type(self).__name__,
                "params": _jsonable(self.get_params(deep=False)),
                "network": {"name": self.network_, "config": _jsonable(self.module_.config)},
                "input": {
                    "n_channels": self.n_channels_, "input_shape": self.input_shape_,
                    "mean": self.input_mean_.tolist(), "scale": self.input_scale_.tolist(), "fs": self.fs_,
                    "standardize": self._fitted_mode(),
                },
                "extra": _jsonable(self._extra_state()),
            }
            (tmp / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
            (tmp / "history.json").write_text(json.dumps(_jsonable(self.history_), indent=2), encoding="utf-8")
            if target.exists():
                old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike, device: str = "cpu") -> Any:
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The folder.
        device : str, default="cpu"
            Where to put the weights (``map_location``); ``"auto"`` picks CUDA when available.

        Returns
        -------
        A fitted estimator of this class.

        Raises
        ------
        DataFormatError
            A missing or corrupt file, a folder saved by another estimator class, weights
            that do not fit the network described in ``config.json``. Nothing in the
            files is executed (``weights_only=True``).
        """
        require_torch(f"{cls.__name__}.load")
        from ._registry import build_network
        from ._train import load_checkpoint, resolve_device

        folder = Path(path)
        if not folder.is_dir():
            raise DataFormatError(f"{cls.__name__}.load: {str(folder)!r} is not a folder written by save().")
        cfg = _read_json(folder / "config.json", "the configuration")
        if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
            raise DataFormatError(f"{cls.__name__}.load: {str(folder / 'config.json')!r} is not a wavelens model configuration.")
        if cfg.get("estimator") != cls.__name__:
            raise DataFormatError(
                f"{cls.__name__}.load: {str(folder)!r} holds a saved {cfg.get('estimator')!r}, not a "
                f"{cls.__name__}. Load it with {cfg.get('estimator')}.load."
            )
        try:
            est = cls(**cfg["params"])
            net_cfg = cfg["network"]
            inp = cfg["input"]
            # models saved before the modes existed record only params["standardize"] (True/False)
            mode = standardize_mode(inp.get("standardize", est.standardize), f"{cls.__name__}.load")
            config = dict(net_cfg["config"])
            for key, value in _ADDED_LATER.get(net_cfg["name"], {}).items():
                config.setdefault(key, value)  # a model saved before the argument existed
            module = build_network(net_cfg["name"], config, caller=f"{cls.__name__}.load")
        except (KeyError, TypeError, ValidationError) as err:
            raise DataFormatError(f"{cls.__name__}.load: {str(folder / 'config.json')!r} is incomplete or invalid ({err}).") from err
        dev = resolve_device(device, f"{cls.__name__}.load")
        state = load_checkpoint(folder / "weights.pt", map_location=dev, what="model weights")
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as err:
            first = str(err).splitlines()[0]
            raise DataFormatError(
                f"{cls.__name__}.load: {str(folder / 'weights.pt')!r} does not hold the weights of network "
                f"{net_cfg['name']!r} as configured in config.json ({first}...). Was it copied from another model?"
            ) from err
        module.to(dev).eval()
        est.n_channels_ = int(inp["n_channels"])
        est.input_shape_ = inp.get("input_shape")
        est.input_mean_ = np.asarray(inp["mean"], dtype=np.float64)
        est.input_scale_ = np.asarray(inp["scale"], dtype=np.float64)
        est.standardize_ = mode
        est.fs_ = inp.get("fs")
        est._pipe_ = None
        history_path = folder / "history.json"
        est.history_ = _read_json(history_path, "the history") if history_path.exists() else []
        est._set_network(module, dev)
        est._load_extra(cfg.get("extra") or {})
        return est
