"""Preprocessing of series: detrend and standardise — each a plain function plus a thin
scikit-learn transformer.

The other series-to-series transforms are in :mod:`._filters` (Butterworth filters,
resampling) and :mod:`._derivatives` (spline and Savitzky–Golay derivatives); the
conventions they all share (containers, dtypes) are stated in
:mod:`._seriestransform`, and their block processing is in :mod:`._blockmap`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import CollectionMeta, check_collection
from ._blockmap import Kernel, _is_full, _map_series, _same_kind
from ._seriestransform import _check_choice, _SeriesTransform

__all__ = ["detrend", "standardize", "Detrend", "Standardize"]

# A series whose standard deviation is below this many units of its dtype's rounding
# error, relative to its mean, is constant: its z-score is rounding noise, set to 0.
_CONSTANT_RTOL = 16


# --------------------------------------------------------------------------------------
# detrend and standardise
# --------------------------------------------------------------------------------------
def _detrend_kernel(kind: str) -> Kernel:
    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = block.astype(np.float64)
        n = lens.astype(np.float64)[:, np.newaxis, np.newaxis]
        mean = x.sum(axis=-1, keepdims=True) / n  # padding is zero
        if kind == "constant":
            x -= mean
            return x
        # least-squares line through (t, x) with t centred on each series' middle
        x -= mean
        if not _is_full(block, lens):
            x *= np.arange(x.shape[-1]) < lens[:, np.newaxis, np.newaxis]
        t = np.arange(x.shape[-1], dtype=np.float64)
        stt = n * (n * n - 1.0) / 12.0
        # x sums to 0 over each series (and is 0 beyond), so sum(x * (t - centre)) = x @ t
        stx = np.matmul(x, t)[..., np.newaxis]
        slope = np.divide(stx, stt, out=np.zeros_like(stx), where=stt > 0)
        x -= slope * (t - (n - 1.0) / 2.0)
        return x

    return kernel


def _detrend(data: Any, meta: CollectionMeta, kind: str) -> Any:
    return _map_series(
        data,
        meta.lengths,
        _detrend_kernel(kind),
        n_out_channels=meta.n_channels,
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=32,
    )


def detrend(X: Any, *, kind: str = "linear") -> np.ndarray | list[np.ndarray]:
    """Remove the mean or the least-squares line from every series and channel.

    The semantics of :func:`scipy.signal.detrend` (``type="constant"`` or
    ``"linear"``, no breakpoints), for all series at once, in float64.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.
    kind : {"linear", "constant"}, default="linear"
        ``"constant"`` subtracts the mean, ``"linear"`` the least-squares line.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Same container, shapes and dtype (float32 or float64) as the input. A constant
        series gives zeros (up to rounding); a one-sample series gives 0.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12, dtype=np.float32).reshape(1, 2, 6) ** 2
    >>> Y = detrend(X, kind="linear")
    >>> Y.shape, Y.dtype, bool(np.allclose(Y.sum(axis=-1), 0, atol=1e-4))
    ((1, 2, 6), dtype('float32'), True)
    """
    caller = f"detrend(kind={kind!r})"
    _check_choice(caller, "kind", kind, ("linear", "constant"))
    data, meta = check_collection(X, caller=caller)
    return _same_kind(X, _detrend(data, meta, kind))


def _standardize_kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
    x = block.astype(np.float64)
    n = lens.astype(np.float64)[:, np.newaxis, np.newaxis]
    mean = x.sum(axis=-1, keepdims=True) / n
    x -= mean
    if not _is_full(block, lens):
        x *= np.arange(x.shape[-1]) < lens[:, np.newaxis, np.newaxis]
    std = np.sqrt(np.einsum("bct,bct->bc", x, x)[..., np.newaxis] / n)
    eps = np.finfo(block.dtype).eps
    constant = std <= _CONSTANT_RTOL * eps * np.abs(mean)
    scale = np.divide(1.0, std, out=np.zeros_like(std), where=~constant & (std > 0))
    x *= scale
    return x


def _standardize(data: Any, meta: CollectionMeta) -> Any:
    return _map_series(
        data,
        meta.lengths,
        _standardize_kernel,
        n_out_channels=meta.n_channels,
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=24,
    )


def standardize(X: Any) -> np.ndarray | list[np.ndarray]:
    """Z-score every series and channel: subtract its mean, divide by its standard deviation.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series; ragged lists are accepted.

    Returns
    -------
    ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Same container, shapes and dtype as the input; each channel of each series has
        mean 0 and (population, ``ddof=0``) standard deviation 1.

    Notes
    -----
    A constant channel gives zeros, never NaN. "Constant" means a standard deviation
    of 0 or at the level of the dtype's rounding error relative to the mean
    (``std <= 16 * eps * |mean|``, ``eps`` of float32 or float64 as given), where the
    z-score would only amplify rounding noise.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]]])
    >>> standardize(X).round(3).tolist()
    [[[-1.342, -0.447, 0.447, 1.342], [0.0, 0.0, 0.0, 0.0]]]
    """
    data, meta = check_collection(X, caller="standardize")
    return _same_kind(X, _standardize(data, meta))


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
class Detrend(_SeriesTransform):
    """Remove the mean or the least-squares line from every series and channel.

    A thin shell around :func:`detrend`; stateless (``fit`` only checks).

    Parameters
    ----------
    kind : {"linear", "constant"}, default="linear"

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.
    fs_ : None
        Detrending does not use the rate.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 20, dtype=np.float32).reshape(2, 1, 10)
    >>> bool(np.allclose(Detrend().fit_transform(X), 0, atol=1e-6))
    True
    """

    def __init__(self, kind: str = "linear") -> None:
        self.kind = kind

    def _validate(self, caller: str) -> None:
        _check_choice(caller, "kind", self.kind, ("linear", "constant"))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        self._validate(caller)
        return _detrend(data, meta, self.kind)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"kind": "linear"}, {"kind": "constant"}]


class Standardize(_SeriesTransform):
    """Z-score every series and channel; a constant channel gives zeros.

    A thin shell around :func:`standardize`; stateless (each series is scaled by its
    own mean and standard deviation, not by statistics learnt in ``fit``).

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.
    fs_ : None

    Examples
    --------
    >>> import numpy as np
    >>> Y = Standardize().fit_transform(np.arange(8.0).reshape(2, 1, 4))
    >>> Y.mean(axis=-1).ravel().tolist(), Y.std(axis=-1).round(6).ravel().tolist()
    ([0.0, 0.0], [1.0, 1.0])
    """

    def __init__(self) -> None:
        pass

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        return _standardize(data, meta)
