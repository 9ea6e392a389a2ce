"""Detectors by name, the same in Python, in configuration files and on the command line."""

from __future__ import annotations

import inspect
from typing import Any

from ..exceptions import ValidationError
from ._adapters import PyODDetector
from ._base import BaseDetector
from ._classic import KNN, LOF, OCSVM, IForest, KPCAResidual, Mahalanobis, PCAResidual
from ._dtw import DTWKNN
from ._subsequence import SubsequenceDetector
from ._windowed import WindowedDetector

__all__ = ["make_detector", "detector_names"]

_NAMES: dict[str, type[BaseDetector]] = {
    "lof": LOF,
    "iforest": IForest,
    "ocsvm": OCSVM,
    "pca": PCAResidual,
    "mahalanobis": Mahalanobis,
    "knn": KNN,
    "dtw-knn": DTWKNN,
    "kpca": KPCAResidual,
    "windowed": WindowedDetector,
    "subsequence": SubsequenceDetector,
}
_PYOD_PREFIX = "pyod:"
#: ``"reconstruction:<model>"``: a :class:`wavelens.models.ReconstructionDetector` on that
#: network; wavelens.models (and torch) are imported only when such a name is asked for.
_RECONSTRUCTION_PREFIX = "reconstruction:"
#: what ``"reconstruction:conv-vae"`` looks at when no ``representation`` is given
_DEFAULT_VAE_REPRESENTATION = "spectrogram(nperseg=256, scaling='db')"
_RECONSTRUCTION_MODELS = ("conv-ae", "conv-vae", "convlstm-ae")


def detector_names() -> list[str]:
    """The names :func:`make_detector` accepts (``"pyod:<Name>"`` stands for any PyOD model).

    The ``"reconstruction:<model>"`` names need PyTorch (only when used).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from wavelens.detect import detector_names
    >>> detector_names()
    ['dtw-knn', 'iforest', 'knn', 'kpca', 'lof', 'mahalanobis', 'ocsvm', 'pca', 'subsequence', 'windowed', 'reconstruction:conv-ae', 'reconstruction:conv-vae', 'reconstruction:convlstm-ae', 'pyod:<Name>']
    """
    return [*sorted(_NAMES), *(f"{_RECONSTRUCTION_PREFIX}{m}" for m in _RECONSTRUCTION_MODELS), f"{_PYOD_PREFIX}<Name>"]


def make_detector(name: str, **params: Any) -> BaseDetector:
    """A detector from its short name and hyperparameters.

    Parameters
    ----------
    name : str
        One of :func:`detector_names` (case and ``_``/``-`` are not significant):
        ``"lof"`` (:class:`LOF`), ``"iforest"`` (:class:`IForest`), ``"ocsvm"``
        (:class:`OCSVM`), ``"pca"`` (:class:`PCAResidual`), ``"mahalanobis"``
        (:class:`Mahalanobis`), ``"knn"`` (:class:`KNN`), ``"dtw-knn"``
        (:class:`DTWKNN`), ``"kpca"`` (:class:`KPCAResidual`), ``"windowed"``
        (:class:`WindowedDetector`), ``"subsequence"`` (:class:`SubsequenceDetector`), ``"pyod:<Name>"`` for
        the PyOD model ``<Name>`` (:class:`PyODDetector`, e.g. ``"pyod:ECOD"``), or
        ``"reconstruction:<model>"`` for :class:`wavelens.models.ReconstructionDetector` on the
        network ``<model>`` (``conv-ae``, ``conv-vae`` or ``convlstm-ae``; needs PyTorch), e.g.
        ``make_detector("reconstruction:conv-vae", representation="spectrogram(nperseg=64)", epochs=20)``.
        Without a ``representation``, ``conv-vae`` looks at dB spectrograms
        (``"spectrogram(nperseg=256, scaling='db')"``), so it works on raw series as given
        on the command line.
    **params
        Hyperparameters of that detector.

    Returns
    -------
    BaseDetector
        Unfitted.

    Raises
    ------
    ValidationError
        An unknown name (the message lists the valid ones) or an unknown parameter (the
        message lists the detector's parameters).

    Examples
    --------
    >>> from wavelens.detect import make_detector
    >>> make_detector("lof", n_neighbors=5)
    LOF(n_neighbors=5)
    >>> make_detector("pyod:ECOD")
    PyODDetector(name='ECOD')
    """
    if not isinstance(name, str):
        raise ValidationError(f"make_detector: name must be a string such as 'lof', found {name!r}.")
    if name[: len(_PYOD_PREFIX)].lower() == _PYOD_PREFIX:
        pyod_name = name[len(_PYOD_PREFIX):].strip()
        if not pyod_name:
            raise ValidationError(
                f"make_detector: {name!r} names no PyOD model; write 'pyod:<Name>', e.g. 'pyod:ECOD'."
            )
        return PyODDetector(pyod_name, **params)
    if name[: len(_RECONSTRUCTION_PREFIX)].lower() == _RECONSTRUCTION_PREFIX:
        return _reconstruction_detector(name, params)
    key = name.strip().lower().replace("_", "-")
    cls = _NAMES.get(key)
    if cls is None:
        raise ValidationError(f"make_detector: unknown detector {name!r}; valid names: {detector_names()!r}.")
    valid = sorted(set(inspect.signature(cls.__init__).parameters) - {"self"})
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValidationError(
            f"make_detector({name!r}): unknown parameter(s) {unknown!r}; {cls.__name__} takes {valid!r}."
        )
    return cls(**params)


def _reconstruction_detector(name: str, params: dict[str, Any]) -> BaseDetector:
    """``"reconstruction:<model>"`` → ``ReconstructionDetector(model=<model>, **params)`` (imports torch lazily)."""
    model = name[len(_RECONSTRUCTION_PREFIX):].strip().lower().replace("_", "-")
    if model not in _RECONSTRUCTION_MODELS:
        raise ValidationError(
            f"make_detector: {name!r} names an unknown network {model!r}; write 'reconstruction:<model>' with "
            f"<model> one of {list(_RECONSTRUCTION_MODELS)!r}, e.g. 'reconstruction:conv-vae'."
        )
    if "model" in params:
        raise ValidationError(
            f"make_detector({name!r}): the name already gives the network ({model!r}); leave out model={params['model']!r}."
        )
    from .._optional import import_optional

    import_optional("torch", purpose=f"The detector {name!r}")
    from ..models import ReconstructionDetector

    valid = sorted(set(inspect.signature(ReconstructionDetector.__init__).parameters) - {"self", "model"})
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValidationError(
            f"make_detector({name!r}): unknown parameter(s) {unknown!r}; ReconstructionDetector takes {valid!r}."
        )
    if model == "conv-vae" and params.get("representation") is None:
        # the command line hands detectors raw series: a 2-D network needs images of them
        params = {**params, "representation": _DEFAULT_VAE_REPRESENTATION}
    if isinstance(params.get("model_params"), dict):  # TOML arrays arrive as lists; the networks take tuples
        params = {**params, "model_params": {k: tuple(v) if isinstance(v, list) else v
                                             for k, v in params["model_params"].items()}}
    return ReconstructionDetector(model=model, **params)
