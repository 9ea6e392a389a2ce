"""Filter-bank kernels: Gabor filters, Gaussian derivatives, Sobel and differences.

The kernel makers (:func:`gabor_bank`, :func:`gaussian_derivative_bank`,
:func:`sobel_kernel`, :func:`difference_kernel`) return plain arrays
``(n_filters, n_taps)`` with an odd number of taps, the centre tap at ``n_taps // 2``,
ready for :func:`filter_bank_responses` and :func:`filterbank_features`. They are
kernels for **convolution** (see :mod:`._convolve`); the Gaussian kernels equal
:func:`scipy.ndimage.gaussian_filter1d`'s. The private ``_gabor_kernels`` and
``_gaussian_kernels`` also give each filter's name, for the estimators of
:mod:`._filterbank`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..exceptions import ValidationError

__all__ = [
    "gabor_bank",
    "gaussian_derivative_bank",
    "sobel_kernel",
    "difference_kernel",
]


def _resolve_units(units: str, fs: Any, caller: str) -> float | None:
    """The rate that converts Hz/seconds to samples, or None for units in samples."""
    if units not in ("auto", "hz", "samples"):
        raise ValidationError(f"{caller}: units must be 'auto', 'hz' or 'samples', found {units!r}.")
    if fs is not None and np.ndim(fs) != 0:
        a = np.asarray(fs, dtype=np.float64)
        if not np.allclose(a, a.flat[0]):
            raise ValidationError(
                f"{caller}: the series have different sampling rates (from {a.min():g} to "
                f"{a.max():g} Hz) but one filter bank serves one rate. Resample the series to a "
                "common rate first."
            )
        fs = float(a.flat[0])
    if units == "samples":
        return None
    if fs is None:
        if units == "hz":
            raise ValidationError(
                f"{caller}: units='hz' asks for frequencies in Hz and widths in seconds, but fs is "
                "missing. Pass fs= (in Hz), use a SignalSet that has it, or use units='samples'."
            )
        return None
    fs = float(fs)
    if not (math.isfinite(fs) and fs > 0):
        raise ValidationError(f"{caller}: fs must be a positive number in Hz, found {fs!r}.")
    return fs


def _positive_1d(values: Any, name: str, caller: str) -> np.ndarray:
    try:
        a = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        a = np.array([[]])
    if a.ndim != 1 or a.size == 0:
        raise ValidationError(f"{caller}: {name} must be a non-empty 1-D sequence, found {values!r}.")
    if not np.all(np.isfinite(a) & (a > 0)):
        raise ValidationError(f"{caller}: every value of {name} must be a positive number, found {values!r}.")
    return a


def _radius(sigma: float, truncate: float) -> int:
    # the same radius as scipy.ndimage.gaussian_filter1d
    return int(truncate * sigma + 0.5)


def _check_truncate(truncate: Any, caller: str) -> float:
    try:
        t = float(truncate)
    except (TypeError, ValueError):
        t = math.nan
    if not (math.isfinite(t) and t > 0):
        raise ValidationError(f"{caller}: truncate must be a positive number of sigmas, found {truncate!r}.")
    return t


def _stack_centred(kernels: list[np.ndarray]) -> np.ndarray:
    """Zero-pad odd kernels symmetrically to the widest one and stack them."""
    width = max(k.size for k in kernels)
    out = np.zeros((len(kernels), width), dtype=kernels[0].dtype)
    for i, k in enumerate(kernels):
        off = (width - k.size) // 2
        out[i, off : off + k.size] = k
    return out


def _gabor_grid(frequencies: Any, sigmas: Any, fs: float | None, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """Centre frequencies (cycles/sample) and widths (samples) of every filter, frequency-major."""
    scale = 1.0 if fs is None else fs
    try:
        f = np.array([0.05, 0.1, 0.2]) if frequencies is None else np.atleast_1d(np.asarray(frequencies, dtype=np.float64)) / scale
    except (TypeError, ValueError):
        f = np.array([np.nan])
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)):
        raise ValidationError(f"{caller}: frequencies must be a non-empty 1-D sequence of numbers, found {frequencies!r}.")
    s = np.array([5.0, 10.0, 20.0]) if sigmas is None else _positive_1d(sigmas, "sigmas", caller) * scale
    unit, nyq = ("Hz", fs / 2) if fs is not None else ("cycles/sample", 0.5)
    for value in f:
        if value < 0 or value > 0.5:
            shown = value * scale
            raise ValidationError(
                f"{caller}: centre frequency {shown:g} {unit} is outside [0, {nyq:g}] {unit}, the range up "
                f"to the Nyquist frequency{'' if fs is None else f' (fs={fs:g} Hz)'}. Use frequencies "
                f"between 0 and {nyq:g} {unit}."
            )
    return np.repeat(f, s.size), np.tile(s, f.size)


def _gabor_kernels(frequencies: Any, sigmas: Any, fs: Any, units: str, kind: str, truncate: Any,
                   caller: str) -> tuple[np.ndarray, list[str]]:
    """The Gabor kernels and their names (in the units used): the work of :func:`gabor_bank`."""
    if kind not in ("complex", "real"):
        raise ValidationError(f"{caller}: kind must be 'complex' or 'real', found {kind!r}.")
    truncate = _check_truncate(truncate, caller)
    rate = _resolve_units(units, fs, caller)
    freqs, widths = _gabor_grid(frequencies, sigmas, rate, caller)
    kernels = []
    for f, s in zip(freqs, widths):
        t = np.arange(-_radius(s, truncate), _radius(s, truncate) + 1, dtype=np.float64)
        w = np.exp(-0.5 * (t / s) ** 2)
        phase = 2.0 * np.pi * f * t
        g = w * np.exp(1j * phase) / np.sum(w * np.cos(phase) ** 2)
        kernels.append(g if kind == "complex" else g.real.copy())
    if rate is None:
        names = [f"gabor_f{a:g}_s{b:g}" for a, b in zip(freqs, widths)]
    else:
        names = [f"gabor_f{a * rate:g}Hz_s{b / rate:g}s" for a, b in zip(freqs, widths)]
    return _stack_centred(kernels), names


def gabor_bank(
    frequencies: Sequence[float] | None = None,
    sigmas: Sequence[float] | None = None,
    *,
    fs: float | None = None,
    units: str = "auto",
    kind: str = "complex",
    truncate: float = 4.0,
) -> np.ndarray:
    """Gabor kernels (a Gaussian times a sinusoid) over a grid of centre frequencies and widths.

    Each kernel is ``w(t) exp(2j pi f t) / c`` with ``w(t) = exp(-t**2 / (2 sigma**2))``
    for ``|t| <= int(truncate * sigma + 0.5)`` samples, and ``c = sum_t w(t) cos(2 pi f
    t)**2``, so that the real part has a gain of exactly 1 at ``f``: a unit sinusoid at
    the centre frequency comes out of the real filter with amplitude 1, and out of the
    complex filter with a magnitude close to 1 (exactly 1 when ``sigma * f`` is large).
    Filters with few cycles under the envelope (small ``sigma * f``) also pass some of
    a constant offset.

    Parameters
    ----------
    frequencies : sequence of float, optional
        Centre frequencies, in Hz when the units are Hz, else in cycles per sample;
        each in ``[0, fs / 2]`` (``[0, 0.5]`` cycles/sample). Default: 0.05, 0.1 and 0.2
        cycles per sample (5 %, 10 % and 20 % of ``fs``).
    sigmas : sequence of float, optional
        Standard deviations of the Gaussian envelopes, in seconds when the units are
        Hz, else in samples; positive. Default: 5, 10 and 20 samples.
    fs : float, optional
        Sampling rate in Hz.
    units : {"auto", "hz", "samples"}, default="auto"
        ``"hz"``: frequencies in Hz and sigmas in seconds (needs ``fs``); ``"samples"``:
        cycles per sample and samples; ``"auto"``: Hz when ``fs`` is given.
    kind : {"complex", "real"}, default="complex"
        ``"real"`` keeps the cosine (even) part only.
    truncate : float, default=4.0
        Half-width of each kernel in sigmas.

    Returns
    -------
    kernels : ndarray of shape (n_frequencies * n_sigmas, n_taps)
        complex128 (``kind="complex"``) or float64, frequency-major (all widths of the
        first frequency, then of the second, ...), zero-padded to the widest kernel;
        ``n_taps = 2 * int(truncate * max(sigma) + 0.5) + 1``.

    Raises
    ------
    ValidationError
        A frequency outside ``[0, Nyquist]`` (named), a non-positive sigma, or
        ``units="hz"`` without ``fs``.

    Examples
    --------
    >>> k = gabor_bank([10.0, 20.0], [0.05], fs=100.0)
    >>> k.shape, k.dtype
    ((2, 41), dtype('complex128'))
    >>> t = np.arange(-20, 21)
    >>> round(float(np.sum(k[0].real * np.cos(2 * np.pi * 0.1 * t))), 6)
    1.0
    """
    return _gabor_kernels(frequencies, sigmas, fs, units, kind, truncate, "gabor_bank")[0]


def _gaussian_kernel(sigma: float, order: int, radius: int) -> np.ndarray:
    """scipy.ndimage's Gaussian (derivative) kernel, float64 ``(2 * radius + 1,)``."""
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    phi = np.exp(-0.5 * x**2 / sigma**2)
    phi /= phi.sum()
    if order == 0:
        return phi
    if order == 1:
        return -x / sigma**2 * phi
    return (x**2 / sigma**4 - 1.0 / sigma**2) * phi


def _gaussian_kernels(sigmas: Any, orders: Any, fs: Any, units: str, truncate: Any,
                      caller: str) -> tuple[np.ndarray, list[str]]:
    """The Gaussian-derivative kernels and their names: the work of :func:`gaussian_derivative_bank`."""
    truncate = _check_truncate(truncate, caller)
    rate = _resolve_units(units, fs, caller)
    scale = 1.0 if rate is None else rate
    s = np.array([1.0, 2.0, 4.0, 8.0]) if sigmas is None else _positive_1d(sigmas, "sigmas", caller) * scale
    ords = list(np.atleast_1d(np.asarray(orders, dtype=object)))
    if not ords or any(isinstance(o, (bool, np.bool_)) or o not in (0, 1, 2) for o in ords):
        raise ValidationError(f"{caller}: orders must be a non-empty sequence of 0, 1 and 2, found {orders!r}.")
    ords = [int(o) for o in ords]
    kernels = [_gaussian_kernel(x, o, _radius(x, truncate)) for x in s for o in ords]
    shown = [f"s{x:g}" if rate is None else f"s{x / rate:g}s" for x in s]
    return _stack_centred(kernels), [f"gauss_d{o}_{x}" for x in shown for o in ords]


def gaussian_derivative_bank(
    sigmas: Sequence[float] | None = None,
    orders: Sequence[int] = (0, 1, 2),
    *,
    fs: float | None = None,
    units: str = "auto",
    truncate: float = 4.0,
) -> np.ndarray:
    """Gaussian smoothing (order 0) and Gaussian-derivative (orders 1, 2) kernels at several scales.

    The kernels are those of :func:`scipy.ndimage.gaussian_filter1d`: order 0 sums to 1
    (so the mean of a constant series is kept), orders 1 and 2 are the first and second
    derivatives of that Gaussian, per sample (a unit-slope ramp gives about 1 inside;
    truncation leaves the order-2 kernel summing to slightly below 0, -2.3e-4 at sigma=1).

    Parameters
    ----------
    sigmas : sequence of float, optional
        Scales (standard deviations), in seconds when the units are Hz, else in samples;
        positive. Default: 1, 2, 4 and 8 samples.
    orders : sequence of int, default=(0, 1, 2)
        Derivative orders, each 0, 1 or 2.
    fs : float, optional
        Sampling rate in Hz.
    units : {"auto", "hz", "samples"}, default="auto"
        ``"hz"``: sigmas in seconds (needs ``fs``); ``"samples"``: sigmas in samples;
        ``"auto"``: seconds when ``fs`` is given.
    truncate : float, default=4.0
        Half-width of each kernel in sigmas.

    Returns
    -------
    kernels : ndarray of float64, shape (n_sigmas * n_orders, n_taps)
        Scale-major (every order of the first sigma, then of the second, ...),
        zero-padded to the widest kernel.

    Examples
    --------
    >>> k = gaussian_derivative_bank([1.0, 2.0], orders=(0, 1))
    >>> k.shape
    (4, 17)
    >>> round(float(k[0].sum()), 12), round(float(k[3] @ -np.arange(-8, 9)), 3)
    (1.0, 1.0)
    """
    return _gaussian_kernels(sigmas, orders, fs, units, truncate, "gaussian_derivative_bank")[0]


def sobel_kernel(*, normalize: bool = False) -> np.ndarray:
    """The Sobel derivative filter read in 1-D: ``[-1, 0, 1]`` smoothed by ``[1, 2, 1]``.

    In 2-D, Sobel differentiates along one axis and smooths along the other. A series
    has one axis, so both act along time: the 5-tap kernel ``[1, 2, 0, -2, -1]``
    (convolution order), i.e. ``y[t] = x[t+2] + 2 x[t+1] - 2 x[t-1] - x[t-2]``, a
    smoothed derivative. A unit-slope ramp gives 8 inside (1 with ``normalize=True``).

    Parameters
    ----------
    normalize : bool, default=False
        Divide by 8 so that the output is a slope per sample.

    Returns
    -------
    kernel : ndarray of float64, shape (1, 5)

    Examples
    --------
    >>> sobel_kernel().tolist()
    [[1.0, 2.0, 0.0, -2.0, -1.0]]
    """
    k = np.array([[1.0, 2.0, 0.0, -2.0, -1.0]])
    return k / 8.0 if normalize else k


def difference_kernel(kind: str = "backward") -> np.ndarray:
    """The simple difference filter as a centred 3-tap kernel.

    Parameters
    ----------
    kind : {"backward", "forward", "central"}, default="backward"
        ``"backward"``: ``y[t] = x[t] - x[t-1]`` (``numpy.diff`` aligned on the later
        sample); ``"forward"``: ``y[t] = x[t+1] - x[t]``; ``"central"``:
        ``y[t] = (x[t+1] - x[t-1]) / 2``. Each gives 1 inside a unit-slope ramp.

    Returns
    -------
    kernel : ndarray of float64, shape (1, 3)

    Examples
    --------
    >>> difference_kernel().tolist()
    [[0.0, 1.0, -1.0]]
    """
    table = {"backward": [0.0, 1.0, -1.0], "forward": [1.0, -1.0, 0.0], "central": [0.5, 0.0, -0.5]}
    if kind not in table:
        raise ValidationError(f"difference_kernel: kind must be one of {sorted(table)!r}, found {kind!r}.")
    return np.array([table[kind]])
