"""What the wrappers need to know about each network *without importing torch*.

The estimator classes must be importable (and their tags readable) where PyTorch is not
installed, so the facts that tags and input checks depend on — is a network 1-D or 2-D,
does it take ragged batches, what is its shortest input — live here, in plain Python.
The network classes (``_networks1d``, ``_networks2d``) hold the same defaults in their
signatures; ``tests/models/test_spec.py`` keeps the two in step.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from math import prod
from typing import Any

from ..exceptions import MissingDependencyError, ValidationError

__all__ = ["NetworkInfo", "NETWORK_INFO", "network_info", "conv_min_length", "require_torch", "torch_available"]


@dataclass(frozen=True)
class NetworkInfo:
    """Facts about one registered network.

    Attributes
    ----------
    name : str
        Registry name (``"convlstm-ae"``).
    class_name : str
        Class in :mod:`wavelens.models`.
    module : str
        Private module that defines it.
    dims : int
        1 for series ``(B, C, T)``, 2 for images ``(B, C, H, W)``.
    ragged : bool
        Takes batches of unequal lengths (lengths + masks).
    role : str
        ``"autoencoder"`` or ``"classifier"``.
    defaults : dict
        Defaults of the constructor arguments that set the shortest input.
    """

    name: str
    class_name: str
    module: str
    dims: int
    ragged: bool
    role: str
    defaults: dict


NETWORK_INFO: dict[str, NetworkInfo] = {
    "convlstm-ae": NetworkInfo(
        "convlstm-ae", "ConvLSTMAutoencoder", "_networks1d", 1, True, "autoencoder",
        {"kernel_size": 7, "strides": (2, 2, 2)},
    ),
    "conv-ae": NetworkInfo(
        "conv-ae", "ConvAutoencoder", "_networks1d", 1, False, "autoencoder",
        {"kernel_size": None, "filters": None},  # chosen from the series' length
    ),
    "conv-vae": NetworkInfo("conv-vae", "ConvVAE", "_networks2d", 2, False, "autoencoder", {}),
    "cnn1d": NetworkInfo(
        "cnn1d", "CNN1dClassifierNet", "_networks1d", 1, True, "classifier",
        {"kernel_size": 7, "strides": None, "filters": (32, 64, 64)},
    ),
    "cnn2d": NetworkInfo("cnn2d", "CNN2dClassifierNet", "_networks2d", 2, False, "classifier", {}),
}


def network_info(name: Any, *, role: str | None = None, caller: str = "model") -> NetworkInfo:
    """The :class:`NetworkInfo` of ``name``; a clear error for an unknown name or wrong role."""
    names = [n for n, i in NETWORK_INFO.items() if role is None or i.role == role]
    if not isinstance(name, str) or name not in names:
        raise ValidationError(f"{caller}: model must be one of {names!r}, found {name!r}.")
    return NETWORK_INFO[name]


def conv_min_length(kernel_size: int, strides: Any) -> int:
    """Shortest series a strided 'same'-padded Conv1d stack accepts.

    The receptive field of one output sample, ``1 + sum_i (k - 1) * prod(strides[:i])``,
    and at least the product of the strides (one step for the LSTM). Shorter series would
    be mostly zero padding, so they are refused with this number in the message.

    Examples
    --------
    >>> conv_min_length(7, (2, 2, 2)), conv_min_length(7, (1, 1, 1))
    (43, 19)
    """
    strides = tuple(int(s) for s in strides)
    k = int(kernel_size)
    rf = 1 + sum((k - 1) * prod(strides[:i]) for i in range(len(strides)))
    return max(rf, prod(strides))


def min_length_of(name: str, model_params: dict | None) -> int:
    """Shortest series (samples) the 1-D network ``name`` accepts with these parameters (1 for 2-D)."""
    info = NETWORK_INFO[name]
    if info.dims != 1 or not info.ragged:
        # 2-D inputs, and the fixed-length conv-ae whose dense layer sees every sample
        return 1
    params = {**info.defaults, **(model_params or {})}
    k = params.get("kernel_size", 7)
    strides = params.get("strides")
    if strides is None:  # conv-ae and cnn1d by default: one stride-2 conv per filter count
        strides = (2,) * len(params.get("filters", (16, 32, 64)))
    try:
        return conv_min_length(int(k), strides)
    except (TypeError, ValueError):
        return 1  # malformed parameters: the network's constructor names the problem in fit


def torch_available() -> bool:
    """True where ``import torch`` would succeed (without importing it)."""
    import sys

    if "torch" in sys.modules:
        return sys.modules["torch"] is not None  # None: import blocked on purpose
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def require_torch(purpose: str) -> Any:
    """Import torch or raise :class:`MissingDependencyError` naming the extra to install."""
    from .._optional import import_optional

    try:
        return import_optional("torch", purpose=purpose)
    except MissingDependencyError:
        raise
    except ImportError as err:  # pragma: no cover - a broken install
        raise MissingDependencyError(
            f"{purpose} needs PyTorch, which failed to import ({err}). Install with: pip install 'wavelens[torch]'"
        ) from err
