"""Cutting series into frames: strided views, no copies."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["frame", "n_frames"]


def n_frames(n_times: int, size: int, step: int) -> int:
    """Number of whole frames of ``size`` samples every ``step`` samples in ``n_times``."""
    if n_times < size:
        return 0
    return 1 + (n_times - size) // step


def frame(x: np.ndarray, size: int, step: int) -> np.ndarray:
    """A read-only strided view of the whole frames along the last axis.

    Parameters
    ----------
    x : ndarray of shape (..., n_times)
    size : int
        Frame length in samples, ``1 <= size <= n_times``.
    step : int
        Hop between frame starts, ``>= 1``.

    Returns
    -------
    ndarray of shape (..., n_frames, size)
        A view sharing memory with ``x`` (no copy); frames that would run past the
        end are not included.

    Examples
    --------
    >>> import numpy as np
    >>> frame(np.arange(10), 4, 3).tolist()
    [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    """
    n = x.shape[-1]
    if not 1 <= size <= n:
        raise ValueError(f"frame: size must be in [1, {n}], found {size!r}")
    if step < 1:
        raise ValueError(f"frame: step must be >= 1, found {step!r}")
    m = n_frames(n, size, step)
    shape = x.shape[:-1] + (m, size)
    strides = x.strides[:-1] + (x.strides[-1] * step, x.strides[-1])
    return as_strided(x, shape=shape, strides=strides, writeable=False)
