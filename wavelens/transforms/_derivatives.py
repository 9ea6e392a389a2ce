"""Derivatives of series: of the interpolating cubic spline (a compiled numba kernel)
and Savitzky–Golay — each a plain function plus a thin scikit-learn transformer.

Outputs stack ``[raw,] deriv[0], deriv[1], ...`` as channel blocks; with a sampling
rate the derivatives are per second. Conventions (containers, dtypes) as stated in
:mod:`._seriestransform`; the work runs block by block through :mod:`._blockmap`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numba import njit, prange
from scipy import signal
from scipy.ndimage import convolve1d

from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ._blockmap import _is_full, _map_series, _same_kind
from ._seriestransform import _check_int, _fs_rows, _SeriesTransform, _transform_fs

__all__ = ["spline_derivative", "savgol_derivative", "SplineDerivative", "SavgolDerivative"]


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------
def _check_derivs(caller: str, deriv: Any, allowed: Sequence[int]) -> tuple[int, ...]:
    """``deriv`` as a tuple of derivative orders, each in ``allowed``."""
    items = (deriv,) if isinstance(deriv, (int, np.integer)) and not isinstance(deriv, bool) else deriv
    try:
        orders = tuple(items)
    except TypeError:
        orders = ()
    ok = len(orders) > 0 and all(
        isinstance(k, (int, np.integer)) and not isinstance(k, bool) and int(k) in allowed for k in orders
    )
    if not ok or len(set(int(k) for k in orders)) != len(orders):
        raise ValidationError(
            f"{caller}: deriv must be one of {tuple(allowed)!r} or a non-empty sequence of "
            f"distinct ones (e.g. (1, 2)), found {deriv!r}."
        )
    return tuple(int(k) for k in orders)


def _first_short(lengths: np.ndarray, minimum: int) -> int | None:
    short = np.flatnonzero(lengths < minimum)
    return int(short[0]) if short.size else None


# --------------------------------------------------------------------------------------
# derivatives
# --------------------------------------------------------------------------------------
_SPLINE_MIN_LENGTH = 4


@njit(cache=True)
def _spline_factor(n: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Elimination factors of the slope system of the not-a-knot cubic spline.

    The slopes ``m`` at ``n`` unit-spaced knots solve a tridiagonal system: interior
    rows are the C2 conditions ``m[j-1] + 4 m[j] + m[j+1] = 3 (d[j-1] + d[j])``
    (``d[j] = y[j+1] - y[j]``); the not-a-knot conditions (continuous third derivative
    at the second and the second-to-last knot), each combined with its neighbouring
    row, give the end rows ``m[0] + 2 m[1] = (5 d[0] + d[1]) / 2`` and ``2 m[n-2] +
    m[n-1] = (d[n-3] + 5 d[n-2]) / 2``. Rows ``0..n-2`` are the same for every length,
    so the elimination factors of the longest series serve all (only the last pivot
    depends on the length, and is computed where it is used). The pivots are 1, 2,
    3.5, ... → 2 + sqrt(3), and about 0.46 for the last row: no pivoting needed.

    Returns ``cp`` (super-diagonal over pivot) and ``inv_p`` (1 / pivot), ``(n,)`` each.
    """
    cp = np.empty(n)
    inv_p = np.empty(n)
    inv_p[0] = 1.0
    cp[0] = 2.0
    for j in range(1, n):
        p = 4.0 - cp[j - 1]
        inv_p[j] = 1.0 / p
        cp[j] = inv_p[j]
    return cp, inv_p


@njit(cache=True, parallel=True)
def _spline_kernel(y, lens, cp, inv_p, scale, ch_raw, ch1, ch2, out):  # pragma: no cover - compiled
    """Spline slopes and second derivatives of every (series, channel) row, into ``out``.

    ``y`` ``(n, c, width)`` holds series of ``lens[i]`` samples (anything beyond is
    ignored); the raw samples, ``fs * m`` and ``fs**2 * s2`` go to channels ``ch_raw + k``,
    ``ch1 + k``, ``ch2 + k`` of ``out`` (a negative channel: not wanted). Arithmetic in
    float64 whatever the dtypes.
    """
    n_series, n_ch = y.shape[0], y.shape[1]
    for q in prange(n_series * n_ch):
        i = q // n_ch
        k = q % n_ch
        n = lens[i]
        row = y[i, k]
        z = np.empty(n)
        # forward elimination, right-hand side built on the fly
        d_prev = np.float64(row[1]) - np.float64(row[0])
        d_next = np.float64(row[2]) - np.float64(row[1])
        z[0] = 2.5 * d_prev + 0.5 * d_next
        for j in range(1, n - 1):
            d_j = np.float64(row[j + 1]) - np.float64(row[j])
            z[j] = (3.0 * (d_prev + d_j) - z[j - 1]) * inv_p[j]
            d_prev = d_j
        d_a = np.float64(row[n - 2]) - np.float64(row[n - 3])
        r = 0.5 * d_a + 2.5 * d_prev
        z[n - 1] = (r - 2.0 * z[n - 2]) / (1.0 - 2.0 * cp[n - 2])
        # back substitution
        for j in range(n - 2, -1, -1):
            z[j] -= cp[j] * z[j + 1]
        s = scale[i]
        if ch_raw >= 0:
            for j in range(n):
                out[i, ch_raw + k, j] = row[j]
        if ch1 >= 0:
            for j in range(n):
                out[i, ch1 + k, j] = z[j] * s
        if ch2 >= 0:
            s2 = s * s
            for j in range(n - 1):
                d_j = np.float64(row[j + 1]) - np.float64(row[j])
                out[i, ch2 + k, j] = (6.0 * d_j - 4.0 * z[j] - 2.0 * z[j + 1]) * s2
            out[i, ch2 + k, n - 1] = (-6.0 * d_prev + 2.0 * z[n - 2] + 4.0 * z[n - 1]) * s2


def _derivative_output(
    block: np.ndarray,
    parts: dict[int, np.ndarray],
    derivs: tuple[int, ...],
    include_raw: bool,
    scale: np.ndarray | None,
) -> np.ndarray:
    """Stack ``[raw,] d_k ...`` as channel blocks, scaled by ``fs ** k`` per series."""
    c = block.shape[1]
    out = np.empty((block.shape[0], c * (len(derivs) + include_raw), block.shape[2]))
    if include_raw:
        out[:, :c] = block
    for j, k in enumerate(derivs):
        dst = out[:, (j + include_raw) * c : (j + include_raw + 1) * c]
        dst[...] = parts[k]
        if scale is not None:
            dst *= (scale**k)[:, np.newaxis, np.newaxis]
    return out


def _spline_derivative(
    data: Any, meta: CollectionMeta, *, derivs: tuple[int, ...], include_raw: bool, fs: Any, caller: str
) -> Any:
    i = _first_short(meta.lengths, _SPLINE_MIN_LENGTH)
    if i is not None:
        raise ValidationError(
            f"{caller}: {describe_series(i, meta.ids)} has n_times={int(meta.lengths[i])}, but an "
            f"interpolating cubic spline needs at least {_SPLINE_MIN_LENGTH} samples. Drop or pad "
            "short series."
        )
    n, c = meta.n_series, meta.n_channels
    scale = np.ones(n) if fs is None else np.ascontiguousarray(_fs_rows(fs, n))
    cp, inv_p = _spline_factor(int(meta.lengths.max()))
    blocks = [0] * include_raw + list(derivs)
    slot = {k: j * c for j, k in enumerate(blocks)}
    ch_raw, ch1, ch2 = (slot.get(k, -1) for k in (0, 1, 2))
    n_out = c * len(blocks)
    if isinstance(data, np.ndarray):
        # one pass, straight into the output: no temporaries
        out = np.empty((n, n_out, data.shape[2]), dtype=meta.dtype)
        _spline_kernel(data, meta.lengths, cp, inv_p, scale, ch_raw, ch1, ch2, out)
    else:
        def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
            res = np.empty((block.shape[0], n_out, block.shape[2]), dtype=block.dtype)
            _spline_kernel(block, lens, cp, inv_p, scale[idx], ch_raw, ch1, ch2, res)
            return res

        out = _map_series(
            data, meta.lengths, kernel, n_out_channels=n_out, out_lengths=meta.lengths,
            dtype=meta.dtype, bytes_per_sample=meta.dtype.itemsize * (1 + len(blocks)),
        )
    return out


def spline_derivative(
    X: Any, *, deriv: int | Sequence[int] = 1, include_raw: bool = False, fs: Any = None
) -> np.ndarray | list[np.ndarray]:
    """Derivatives of the interpolating cubic spline of every series, at its samples.

    The spline is the not-a-knot cubic interpolating spline through the samples — the
    one that ``scipy.interpolate.splrep(t, y, s=0)`` builds — and the derivatives are its
    own at the sample times (``splev(t, tck, der=k)``). For equally spaced samples
    its slopes at the knots solve one tridiagonal system shared by every series of a
    length; it is factored once and solved for all series and channels together.
    Exact on cubic polynomials.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of at least 4 samples; ragged lists are accepted.
    deriv : {1, 2} or sequence of them, default=1
        Which derivatives; ``(1, 2)`` gives the first and the second.
    include_raw : bool, default=False
        Put the series itself first, before the derivatives, as channels.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz (or a SignalSet's): derivatives are per second
        (``d^k/dt^k`` with ``t = arange(n_times) / fs``). Without a rate, samples are
        one unit apart (derivatives per sample).

    Returns
    -------
    ndarray of shape (n_series, n_channels * n_blocks, n_times) or list of ndarray
        Channel blocks in the order ``[raw,] deriv[0], deriv[1], ...``, each block
        holding the ``n_channels`` input channels; ``n_blocks = len(deriv) +
        include_raw``. Same container and dtype as the input (computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8) / 4.0
    >>> Y = spline_derivative(t[None, None] ** 3, deriv=(1, 2), fs=4.0)
    >>> bool(np.allclose(Y[0, 0], 3 * t**2) and np.allclose(Y[0, 1], 6 * t))
    True
    """
    caller = f"spline_derivative(deriv={deriv!r})"
    derivs = _check_derivs(caller, deriv, (1, 2))
    data, meta = check_collection(X, fs=fs, caller=caller)
    out = _spline_derivative(data, meta, derivs=derivs, include_raw=bool(include_raw), fs=meta.fs, caller=caller)
    return _same_kind(X, out)


def _savgol_edges(window_length: int, polyorder: int, deriv: int) -> tuple[np.ndarray, np.ndarray]:
    """Linear maps from the first/last window to the first/last half-window of outputs.

    ``savgol_filter(mode="interp")`` fits a polynomial to each edge window and evaluates
    its derivative there: a fixed linear map of the window's samples.
    """
    half = window_length // 2
    t = np.arange(window_length, dtype=np.float64) - half
    vander = np.vander(t, polyorder + 1, increasing=True)  # (w, p+1)
    powers = np.arange(polyorder + 1)
    coef = np.zeros_like(powers, dtype=np.float64)
    ok = powers >= deriv
    # d^k/dt^k of t^p is p!/(p-k)! t^(p-k)
    coef[ok] = [np.prod(np.arange(p - deriv + 1, p + 1)) for p in powers[ok]]
    dvander = np.zeros_like(vander)
    dvander[:, ok] = coef[ok] * t[:, np.newaxis] ** (powers[ok] - deriv)
    proj = dvander @ np.linalg.pinv(vander)  # (w, w)
    return proj[:half], proj[window_length - half :]


def _savgol_derivative(
    data: Any,
    meta: CollectionMeta,
    *,
    window_length: int,
    polyorder: int,
    derivs: tuple[int, ...],
    include_raw: bool,
    fs: Any,
    caller: str,
) -> Any:
    i = _first_short(meta.lengths, window_length)
    if i is not None:
        raise ValidationError(
            f"{caller}: {describe_series(i, meta.ids)} has n_times={int(meta.lengths[i])}, "
            f"shorter than window_length={window_length}. Use window_length <= "
            f"{int(meta.lengths.min())} (odd) or drop short series."
        )
    fs_rows = _fs_rows(fs, meta.n_series)
    half = window_length // 2
    coeffs = {k: signal.savgol_coeffs(window_length, polyorder, deriv=k) for k in derivs}
    edges = {k: _savgol_edges(window_length, polyorder, k) for k in derivs}

    def kernel(block: np.ndarray, lens: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = block.astype(np.float64)
        parts = {}
        if _is_full(block, lens):
            for k in derivs:
                parts[k] = signal.savgol_filter(x, window_length, polyorder, deriv=k, axis=-1, mode="interp")
        else:
            rows = np.arange(len(lens))[:, np.newaxis]
            last = (lens[:, np.newaxis] - window_length + np.arange(window_length))  # (b, w)
            head, tail = x[:, :, :window_length], np.moveaxis(x[rows, :, last], 1, 2)
            for k in derivs:
                y = convolve1d(x, coeffs[k], axis=-1, mode="constant")
                left, right = edges[k]
                y[:, :, :half] = np.einsum("hw,bcw->bch", left, head)
                dst = lens[:, np.newaxis] - half + np.arange(half)
                y[rows, :, dst] = np.moveaxis(np.einsum("hw,bcw->bch", right, tail), 1, 2)
                parts[k] = y
        scale = None if fs_rows is None else fs_rows[idx]
        return _derivative_output(block, parts, derivs, include_raw, scale)

    return _map_series(
        data,
        meta.lengths,
        kernel,
        n_out_channels=meta.n_channels * (len(derivs) + include_raw),
        out_lengths=meta.lengths,
        dtype=meta.dtype,
        bytes_per_sample=8 * (3 + 2 * len(derivs) + include_raw),
    )


def _check_savgol(caller: str, window_length: Any, polyorder: Any, deriv: Any) -> tuple[int, int, tuple[int, ...]]:
    window_length = _check_int(caller, "window_length", window_length, 1)
    if window_length % 2 == 0:
        raise ValidationError(f"{caller}: window_length must be odd, found {window_length!r}.")
    polyorder = _check_int(caller, "polyorder", polyorder, 0)
    if polyorder >= window_length:
        raise ValidationError(
            f"{caller}: polyorder must be less than window_length, found polyorder={polyorder!r} "
            f"and window_length={window_length!r}."
        )
    derivs = _check_derivs(caller, deriv, tuple(range(polyorder + 1)))
    return window_length, polyorder, derivs


def savgol_derivative(
    X: Any,
    *,
    window_length: int = 11,
    polyorder: int = 3,
    deriv: int | Sequence[int] = 1,
    include_raw: bool = False,
    fs: Any = None,
) -> np.ndarray | list[np.ndarray]:
    """Savitzky–Golay derivatives (least-squares polynomial in a sliding window).

    :func:`scipy.signal.savgol_filter` with ``deriv=k`` and ``mode="interp"`` (the
    edges come from a polynomial fitted to the first and last window), for all series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        Series of at least ``window_length`` samples; ragged lists are accepted.
    window_length : int, default=11
        Odd number of samples in the window.
    polyorder : int, default=3
        Degree of the fitted polynomial, ``< window_length``.
    deriv : int or sequence of int, default=1
        Derivative order(s), each in ``[0, polyorder]`` (0 is smoothing).
    include_raw : bool, default=False
        Put the series itself first, before the derivatives, as channels.
    fs : float or array-like of shape (n_series,), optional
        Sampling rate in Hz (or a SignalSet's): derivatives per second. Without a rate,
        samples are one unit apart.

    Returns
    -------
    ndarray of shape (n_series, n_channels * n_blocks, n_times) or list of ndarray
        Channel blocks ``[raw,] deriv[0], ...`` as in :func:`spline_derivative`; same
        container and dtype as the input (computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(50) / 10.0
    >>> Y = savgol_derivative((t**2)[None, None], window_length=7, polyorder=2, fs=10.0)
    >>> bool(np.allclose(Y[0, 0], 2 * t))
    True
    """
    caller = f"savgol_derivative(window_length={window_length!r}, polyorder={polyorder!r}, deriv={deriv!r})"
    window_length, polyorder, derivs = _check_savgol(caller, window_length, polyorder, deriv)
    data, meta = check_collection(X, fs=fs, caller=caller)
    out = _savgol_derivative(
        data, meta, window_length=window_length, polyorder=polyorder, derivs=derivs,
        include_raw=bool(include_raw), fs=meta.fs, caller=caller,
    )
    return _same_kind(X, out)


# --------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------
class SplineDerivative(_SeriesTransform):
    """Derivatives of the interpolating cubic spline at the samples (see :func:`spline_derivative`).

    ``SplineDerivative(deriv=(1, 2), include_raw=True)`` is the helicopter study's
    "raw + spline 1st and 2nd derivatives" as three channel blocks.

    Parameters
    ----------
    deriv : {1, 2} or sequence of them, default=1
    include_raw : bool, default=False
    fs : float or array-like, optional
        Sampling rate in Hz (derivatives per second); by default a SignalSet's, and
        per sample when neither is known.

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None

    Examples
    --------
    >>> import numpy as np
    >>> X = (np.arange(10.0) ** 2).reshape(1, 1, 10)
    >>> SplineDerivative(deriv=2).fit_transform(X).ravel().round(6).tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    """

    _tags = {"min_length": _SPLINE_MIN_LENGTH}

    def __init__(self, deriv: int | Sequence[int] = 1, include_raw: bool = False, fs: Any = None) -> None:
        self.deriv = deriv
        self.include_raw = include_raw
        self.fs = fs

    def _validate(self, caller: str) -> None:
        _check_derivs(caller, self.deriv, (1, 2))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        derivs = _check_derivs(caller, self.deriv, (1, 2))
        return _spline_derivative(
            data, meta, derivs=derivs, include_raw=bool(self.include_raw), fs=_transform_fs(self, meta), caller=caller
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"deriv": 1}, {"deriv": (1, 2), "include_raw": True}]


class SavgolDerivative(_SeriesTransform):
    """Savitzky–Golay derivatives (see :func:`savgol_derivative`).

    Parameters
    ----------
    window_length : int, default=11
        Odd.
    polyorder : int, default=3
    deriv : int or sequence of int, default=1
    include_raw : bool, default=False
    fs : float or array-like, optional
        Sampling rate in Hz (derivatives per second); by default a SignalSet's, and
        per sample when neither is known.

    Attributes
    ----------
    n_channels_ : int
    fs_ : float, ndarray or None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(30.0).reshape(1, 1, 30)
    >>> bool(np.allclose(SavgolDerivative(window_length=5, polyorder=2).fit_transform(X), 1.0))
    True
    """

    _tags = {"min_length": 11}

    def __init__(
        self,
        window_length: int = 11,
        polyorder: int = 3,
        deriv: int | Sequence[int] = 1,
        include_raw: bool = False,
        fs: Any = None,
    ) -> None:
        self.window_length = window_length
        self.polyorder = polyorder
        self.deriv = deriv
        self.include_raw = include_raw
        self.fs = fs

    def _validate(self, caller: str) -> None:
        _check_savgol(caller, self.window_length, self.polyorder, self.deriv)

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        wl, po, derivs = _check_savgol(caller, self.window_length, self.polyorder, self.deriv)
        return _savgol_derivative(
            data, meta, window_length=wl, polyorder=po, derivs=derivs,
            include_raw=bool(self.include_raw), fs=_transform_fs(self, meta), caller=caller,
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"window_length": 11, "polyorder": 3, "deriv": 1},
            {"window_length": 9, "polyorder": 2, "deriv": (1, 2)},
        ]
