"""Representations of series: every one a plain function plus a scikit-learn transformer.

All accept a :class:`~wavelens.data.SignalSet`, a 3-D array
``(n_series, n_channels, n_times)`` or a ragged list of ``(n_channels, n_times_i)``
arrays; the transformers (``fit``/``transform``, ``get_params``, clone-able) work in a
scikit-learn ``Pipeline``. Estimators that need the sampling rate take it as the
``fs=`` hyperparameter or from the SignalSet.
"""

from . import (
    _bow,
    _convolve,
    _derivatives,
    _filterbank,
    _filters,
    _kernels,
    _plotimage,
    _preprocess,
    _spectral,
    _spectral_features,
    _stats,
    _windows,
)
from ._bow import *  # noqa: F401,F403
from ._convolve import *  # noqa: F401,F403
from ._derivatives import *  # noqa: F401,F403
from ._filterbank import *  # noqa: F401,F403
from ._filters import *  # noqa: F401,F403
from ._kernels import *  # noqa: F401,F403
from ._plotimage import *  # noqa: F401,F403
from ._preprocess import *  # noqa: F401,F403
from ._spectral import *  # noqa: F401,F403
from ._spectral_features import *  # noqa: F401,F403
from ._stats import *  # noqa: F401,F403
from ._windows import *  # noqa: F401,F403

__all__ = [
    *_preprocess.__all__,
    *_filters.__all__,
    *_derivatives.__all__,
    *_windows.__all__,
    *_spectral.__all__,
    *_spectral_features.__all__,
    *_kernels.__all__,
    *_convolve.__all__,
    *_filterbank.__all__,
    *_stats.__all__,
    *_plotimage.__all__,
    *_bow.__all__,
]
