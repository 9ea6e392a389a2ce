"""Deep representation learning on waveforms (PyTorch, the optional ``wavelens[torch]`` extra).

Networks (``torch.nn.Module``; constructor arguments JSON-serialisable, kept in
``.config``; batches are dicts ``x`` / ``lengths`` / ``y``, see :mod:`._networks1d`):

- :class:`ConvLSTMAutoencoder` (``"convlstm-ae"``): Conv1d layers (strided, default
  ``(2, 2, 2)``) + LSTM, for multichannel series of any and unequal length; padding
  never leaks into a series' embedding or reconstruction.
- :class:`ConvVAE` (``"conv-vae"``): a convolutional VAE on images of any size
  (spectrograms).
- :class:`ConvAutoencoder` (``"conv-ae"``): fixed-length multichannel series.
- :class:`CNN1dClassifierNet` (``"cnn1d"``), :class:`CNN2dClassifierNet` (``"cnn2d"``).
- :data:`NETWORKS`: name → class.

One training loop, :func:`train` (seeded, validation and early stopping, learning-rate
schedule, gradient clipping, checkpoints and resume, CUDA and mixed precision, progress
bar, NaN stop that keeps the last good weights).

scikit-learn-style wrappers (importable without torch; ``fit`` needs it):
:class:`AutoencoderEmbedder` (embeddings, reconstructions, reconstruction errors;
``save``/``load``), :class:`ReconstructionDetector` (the anomaly-score contract of
:mod:`wavelens.detect`; ``save``/``load``, also through
:func:`wavelens.detect.save_detector` / :func:`~wavelens.detect.load_detector` and
``wavelens detect --model``) and :class:`CNNClassifier`.

Importing this package does not import torch: the network classes, :data:`NETWORKS` and
:func:`train` are loaded on first access.
"""

from __future__ import annotations

from typing import Any

from ._classifier import CNNClassifier
from ._detector import ReconstructionDetector
from ._embedder import AutoencoderEmbedder
from ._errors import TrainingDivergedWarning, TrainingError

__all__ = [
    "AutoencoderEmbedder",
    "ReconstructionDetector",
    "CNNClassifier",
    "ConvLSTMAutoencoder",
    "ConvVAE",
    "ConvAutoencoder",
    "CNN1dClassifierNet",
    "CNN2dClassifierNet",
    "NETWORKS",
    "train",
    "TrainingError",
    "TrainingDivergedWarning",
]

# name -> private module that defines it (each imports torch)
_LAZY = {
    "ConvLSTMAutoencoder": "._networks1d",
    "ConvAutoencoder": "._networks1d",
    "CNN1dClassifierNet": "._networks1d",
    "ConvVAE": "._networks2d",
    "CNN2dClassifierNet": "._networks2d",
    "NETWORKS": "._registry",
    "train": "._train",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wavelens.models' has no attribute {name!r}")
    from importlib import import_module

    from ._spec import torch_available

    if not torch_available():
        # Where torch is missing, the name still resolves (so listing __all__ works) to
        # a stand-in that says how to install it as soon as it is used.
        return _missing_torch(name)
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def _missing_torch(name: str) -> Any:
    from ._spec import require_torch

    def fail(*args: Any, **kwargs: Any) -> Any:
        require_torch(f"wavelens.models.{name}")

    if name == "NETWORKS":
        return type("NETWORKS", (dict,), {m: fail for m in ("__getitem__", "__iter__", "__len__", "keys",
                                                            "items", "values", "get")})()
    if name == "train":
        return fail
    return type(name, (), {"__init__": fail, "__doc__": f"{name} (needs PyTorch: pip install 'wavelens[torch]')"})


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
