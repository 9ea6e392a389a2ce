"""Filter banks: Gabor filters, Gaussian derivatives, Sobel and differences.

Three layers, each usable alone:

* kernel makers (:func:`gabor_bank`, :func:`gaussian_derivative_bank`,
  :func:`sobel_kernel`, :func:`difference_kernel`) return plain arrays
  ``(n_filters, n_taps)`` with an odd number of taps, the centre tap at ``n_taps // 2``;
* :func:`filter_bank_responses` convolves every series with every kernel and keeps
  the input length ("same" output);
* :func:`filterbank_features` pools each response over time (mean, std, max, ...)
  into a fixed-length vector, without ever holding all the responses in memory.

Conventions shared by every function here:

* **Convolution**, not correlation: ``y[t] = sum_k h[k] x[t - k]`` with ``k`` running
  from ``-(n_taps // 2)`` to ``n_taps // 2``. Gaussian kernels equal
  :func:`scipy.ndimage.gaussian_filter1d`'s, so ``order=1`` is the derivative of the
  smoothed series (per sample, not per second).
* **Boundaries**: before filtering, each series is extended on both sides by half the
  widest kernel, with the ``mode`` of :func:`scipy.ndimage.convolve1d`:
  ``"reflect"`` (default, ``d c b a | a b c d | d c b a``), ``"mirror"``
  (``d c b | a b c d | c b a``), ``"nearest"`` (``a a a | a b c d | d d d``),
  ``"wrap"`` (``b c d | a b c d | a b c``) or ``"constant"`` (zeros). A kernel wider
  than a series is an error.
* **Speed**: long kernels go through the FFT, in batches of series (``rfft`` of a
  batch, one multiplication per kernel spectrum, ``irfft``, at a fast FFT length of
  at least ``n_times + n_taps - 1``); short kernels (at most 33 taps) are applied
  directly. ``n_jobs`` threads each take a share of the series.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numba
import numpy as np
import scipy.fft as sfft

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError

__all__ = [
    "POOLS",
    "gabor_bank",
    "gaussian_derivative_bank",
    "sobel_kernel",
    "difference_kernel",
    "filter_bank_responses",
    "filterbank_features",
    "GaborBank",
    "GaussianDerivativeBank",
    "SobelFilter",
    "Difference",
]

#: Pooling functions of :func:`filterbank_features`, in the order they are computed.
POOLS = ("mean", "std", "max", "min", "max_abs", "abs_mean")
_MODES = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": None}
_RESPONSES = ("real", "imag", "magnitude", "complex")
# Kernels with at most this many taps are applied directly. Measured per filter and
# output sample on 61,440-sample float32 series, pooling included: direct ~1.2 ns up
# to 17 taps, ~2.0 ns at 33, ~2.6 ns at 65; through the FFT ~2.0-2.6 ns.
_DIRECT_MAX_TAPS = 33
# Series per FFT batch and thread: keeps each thread's buffers (a few MB) in cache.
_CHUNK_ROWS = 8
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


# --------------------------------------------------------------------------- kernels
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


# ------------------------------------------------------------------ numba kernels
@numba.njit(nogil=True, cache=True, fastmath=_FASTMATH)
def _correlate_rows(xpad, start, w, n, out):  # pragma: no cover - compiled
    """``out[r, i] = sum_j w[j] * xpad[r, start + i + j]`` for the first ``out.shape[0]`` rows.

    The tap loop is the inner one: LLVM vectorises it fully when ``w.size - 1`` is a
    multiple of 8, which is why :class:`_Plan` pads the weights with zeros.
    """
    for r in range(out.shape[0]):
        row = out[r]
        src = xpad[r, start:]
        for i in range(n):
            acc = w[0] * src[i]
            for j in range(1, w.size):
                acc += w[j] * src[i + j]
            row[i] = acc


@numba.njit(nogil=True, cache=True, fastmath=True)
def _moments(y, off, n, need_std, out):  # pragma: no cover - compiled
    """Mean, std (ddof=0) and mean of ``|y|`` of ``y[r, off:off + n]`` into ``out[r, (0, 1, 5)]``.

    float64 accumulators whatever the dtype of ``y``; the std in a second pass about
    the mean (no cancellation). The inputs are finite (checked at the door), which is
    what ``fastmath`` assumes.
    """
    for r in range(out.shape[0]):
        row = y[r, off : off + n]
        s = 0.0
        sa = 0.0
        for i in range(n):
            v = np.float64(row[i])
            s += v
            sa += abs(v)
        mean = s / n
        ss = 0.0
        if need_std:
            for i in range(n):
                d = np.float64(row[i]) - mean
                ss += d * d
        out[r, 0] = mean
        out[r, 1] = math.sqrt(ss / n)
        out[r, 5] = sa / n


@numba.njit(nogil=True, cache=True, fastmath=True)
def _magnitude_moments(yr, offr, yi, offi, n, need_std, out):  # pragma: no cover - compiled
    """:func:`_moments` of ``hypot(yr, yi)``, which overwrites ``yr[r, offr:offr + n]``."""
    for r in range(out.shape[0]):
        a = yr[r, offr : offr + n]
        b = yi[r, offi : offi + n]
        s = 0.0
        for i in range(n):
            v = math.sqrt(a[i] * a[i] + b[i] * b[i])
            a[i] = v
            s += v
        mean = s / n
        ss = 0.0
        if need_std:
            for i in range(n):
                d = np.float64(a[i]) - mean
                ss += d * d
        out[r, 0] = mean
        out[r, 1] = math.sqrt(ss / n)
        out[r, 5] = mean


def _extremes_into(y: np.ndarray, off: int, n: int, need_max: bool, need_min: bool, nonneg: bool,
                   out: np.ndarray) -> None:
    """Max, min and max-abs of ``y[:, off:off + n]`` into ``out[:, (2, 3, 4)]``."""
    # numpy's max/min are vectorised; numba's are not (NaN-aware scalar code)
    v = y[: out.shape[0], off : off + n]
    if need_max:
        out[:, 2] = v.max(axis=1)
    if need_min:
        out[:, 3] = v.min(axis=1)
    if nonneg:
        out[:, 4] = out[:, 2]
    elif need_max and need_min:
        np.maximum(out[:, 2], -out[:, 3], out=out[:, 4])


# ----------------------------------------------------------------- the engine
def _check_kernels(kernels: Any, caller: str) -> np.ndarray:
    k = np.asarray(kernels)
    if k.ndim == 1:
        k = k[np.newaxis, :]
    if k.ndim != 2 or k.shape[0] == 0 or k.shape[1] == 0 or k.dtype.kind not in "biufc":
        raise ValidationError(
            f"{caller}: kernels must be a numeric array (n_filters, n_taps) or (n_taps,), found "
            f"shape {k.shape!r} and dtype {k.dtype!r}."
        )
    if k.shape[1] % 2 == 0:
        raise ValidationError(
            f"{caller}: kernels need an odd number of taps (the centre tap is n_taps // 2), found "
            f"{k.shape[1]}. Pad them with one zero on the side that keeps the centre where you want it."
        )
    if not np.all(np.isfinite(k)):
        raise ValidationError(f"{caller}: the kernels contain NaN or inf.")
    # drop all-zero outer columns: the filters' real width decides padding and method
    nz = np.flatnonzero(np.any(k != 0, axis=0))
    half = k.shape[1] // 2
    h = int(max(half - nz[0], nz[-1] - half)) if nz.size else 0
    return k[:, half - h : half + h + 1]


def _half_support(row: np.ndarray) -> int:
    nz = np.flatnonzero(row)
    half = row.size // 2
    return int(max(half - nz[0], nz[-1] - half)) if nz.size else 0


def _n_threads(n_jobs: Any, caller: str) -> int:
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, (bool, float)) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ValidationError(f"{caller}: n_jobs must be None, -1 or a positive integer, found {n_jobs!r}.")
    cpus = os.cpu_count() or 1
    return int(n_jobs) if n_jobs > 0 else max(1, cpus + 1 + int(n_jobs))


class _Plan:
    """How one bank filters rows of one length: padding, FFT length, spectra, direct taps.

    ``parts`` are real kernels (a complex kernel contributes its real and imaginary
    parts). Part ``p`` is applied directly when short, else through the FFT.
    """

    def __init__(self, parts: np.ndarray, n: int, dtype: np.dtype, mode: str, method: str,
                 spectra_cache: dict | None = None) -> None:
        self.n, self.dtype, self.mode = n, dtype, mode
        self.half = H = parts.shape[1] // 2
        self.width = n + 2 * H
        halves = [_half_support(p) for p in parts]
        direct = [method == "direct" or (method == "auto" and 2 * h + 1 <= _DIRECT_MAX_TAPS) for h in halves]
        self.direct: dict[int, tuple[int, np.ndarray]] = {}
        self.fft_index: dict[int, int] = {}
        fft_rows = []
        for p, (h, d) in enumerate(zip(halves, direct)):
            if d:
                # correlation weights: the kernel reversed, trimmed to its support, then
                # zero-padded to 8 m + 1 taps (see _correlate_rows)
                w = np.zeros(1 + 8 * -(-(2 * h) // 8), dtype=dtype)
                w[: 2 * h + 1] = parts[p, H - h : H + h + 1][::-1]
                self.direct[p] = (H - h, w)
            else:
                self.fft_index[p] = len(fft_rows)
                fft_rows.append(parts[p])
        self.L = sfft.next_fast_len(self.width, real=True) if fft_rows else self.width
        # the zero taps added to direct weights read up to 7 samples past the padding
        self.cols = max(self.L, self.width + 8)
        cache = {} if spectra_cache is None else spectra_cache
        if fft_rows and self.L not in cache:
            # each kernel centred on sample 0 of a circle of L samples
            circ = np.zeros((len(fft_rows), self.L))
            rows = np.asarray(fft_rows, dtype=np.float64)
            circ[:, : H + 1] = rows[:, H:]
            if H:
                circ[:, self.L - H :] = rows[:, :H]
            cdtype = np.complex64 if dtype == np.float32 else np.complex128
            cache[self.L] = sfft.rfft(circ, axis=-1).astype(cdtype)
        if fft_rows:
            self.spectra = cache[self.L]
        np_mode = _MODES[mode]
        if np_mode is not None and H:
            idx = np.pad(np.arange(n), H, mode=np_mode)
            self.left, self.right = idx[:H], idx[H + n :]

    def pad_into(self, x: np.ndarray, buf: np.ndarray) -> None:
        H, n = self.half, self.n
        buf[:, H : H + n] = x
        if not H:
            return
        if _MODES[self.mode] is None:
            buf[:, :H] = 0
            buf[:, H + n : 2 * H + n] = 0
        else:
            buf[:, :H] = x[:, self.left]
            buf[:, H + n : 2 * H + n] = x[:, self.right]


Consumer = Callable[[int, int, int, list], None]


def _run(rows: np.ndarray, plan: _Plan, groups: list[list[int]], consume: Consumer, n_threads: int) -> None:
    """Filter ``rows (m, n)`` and hand each filter's parts, per batch, to ``consume``.

    ``groups[f]`` lists the parts of filter ``f``; ``consume(a, b, f, comps)`` gets the
    rows ``a:b`` and, per part, ``(array, offset)`` where ``array[:, offset:offset + n]``
    is the part's response. The arrays are scratch: use them before returning.
    """
    m = rows.shape[0]
    use_fft = bool(plan.fft_index)

    def work(r0: int, r1: int) -> None:
        c0 = min(_CHUNK_ROWS, r1 - r0)
        buf = np.zeros((c0, plan.cols), dtype=plan.dtype)
        scratch = [np.empty((c0, plan.n), dtype=plan.dtype) for _ in range(2)]
        if use_fft:
            prod = np.empty((c0, plan.L // 2 + 1), dtype=plan.spectra.dtype)
        for a in range(r0, r1, c0):
            b = min(a + c0, r1)
            c = b - a
            plan.pad_into(rows[a:b], buf[:c])
            spec = sfft.rfft(buf[:c, : plan.L], axis=-1) if use_fft else None
            for f, parts in enumerate(groups):
                comps = []
                for j, p in enumerate(parts):
                    if p in plan.direct:
                        start, w = plan.direct[p]
                        _correlate_rows(buf, start, w, plan.n, scratch[j][:c])
                        comps.append((scratch[j][:c], 0))
                    else:
                        np.multiply(spec, plan.spectra[plan.fft_index[p]], out=prod[:c])
                        comps.append((sfft.irfft(prod[:c], n=plan.L, axis=-1), plan.half))
                consume(a, b, f, comps)

    bounds = np.linspace(0, m, min(n_threads, m) + 1).astype(int)
    if len(bounds) <= 2:
        work(0, m)
        return
    with ThreadPoolExecutor(len(bounds) - 1) as ex:
        for fut in [ex.submit(work, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]:
            fut.result()


def _split_parts(kernels: np.ndarray, response: str) -> tuple[np.ndarray, list[list[int]], str]:
    """Real kernels to convolve, which of them make each filter, and how to combine them."""
    if np.iscomplexobj(kernels):
        if response in ("real", "imag"):
            return (kernels.real if response == "real" else kernels.imag).copy(), [[f] for f in range(len(kernels))], "id"
        nf = len(kernels)
        parts = np.concatenate([kernels.real, kernels.imag])
        return parts, [[f, nf + f] for f in range(nf)], "hypot" if response == "magnitude" else "complex"
    groups = [[f] for f in range(len(kernels))]
    return kernels.astype(np.float64), groups, "abs" if response == "magnitude" else "id"


def _check_options(kernels: np.ndarray, response: Any, mode: Any, method: Any, caller: str) -> str:
    if mode not in _MODES:
        raise ValidationError(f"{caller}: mode must be one of {list(_MODES)!r}, found {mode!r}.")
    if method not in ("auto", "fft", "direct"):
        raise ValidationError(f"{caller}: method must be 'auto', 'fft' or 'direct', found {method!r}.")
    if response is None:
        return "magnitude" if np.iscomplexobj(kernels) else "real"
    if response not in _RESPONSES:
        raise ValidationError(f"{caller}: response must be one of {_RESPONSES!r}, found {response!r}.")
    if response in ("imag", "complex") and not np.iscomplexobj(kernels):
        raise ValidationError(
            f"{caller}: response={response!r} needs complex kernels, but these are real. Use "
            "response='real' or 'magnitude', or complex kernels (gabor_bank(kind='complex'))."
        )
    return response


def _check_widths(kernels: np.ndarray, meta: CollectionMeta, caller: str) -> None:
    width = kernels.shape[1]
    i = int(np.argmin(meta.lengths))
    if width > meta.lengths[i]:
        raise ValidationError(
            f"{caller}: the widest filter spans {width} samples but {describe_series(i, meta.ids)} has "
            f"n_times={int(meta.lengths[i])}; a filter cannot be wider than the series. Use narrower "
            "filters (smaller sigmas or truncate) or longer series."
        )


def _responses(data: np.ndarray, kernels: np.ndarray, response: str, mode: str, method: str, n_threads: int) -> np.ndarray:
    n_series, n_channels, n = data.shape
    parts, groups, combine = _split_parts(kernels, response)
    dtype = data.dtype
    out_dtype = (np.complex64 if dtype == np.float32 else np.complex128) if combine == "complex" else dtype
    out = np.empty((n_series * n_channels, len(groups), n), dtype=out_dtype)
    plan = _Plan(parts, n, dtype, mode, method)

    def consume(a: int, b: int, f: int, comps: list) -> None:
        (y, o), *rest = comps
        dst = out[a:b, f]
        if combine == "id":
            dst[...] = y[:, o : o + n]
        elif combine == "abs":
            np.abs(y[:, o : o + n], out=dst)
        else:
            yi, oi = rest[0]
            if combine == "hypot":
                np.hypot(y[:, o : o + n], yi[:, oi : oi + n], out=dst)
            else:
                dst.real, dst.imag = y[:, o : o + n], yi[:, oi : oi + n]

    _run(np.reshape(data, (-1, n)), plan, groups, consume, n_threads)
    return out.reshape(n_series, n_channels, len(groups), n)


def filter_bank_responses(
    X: Any,
    kernels: Any,
    *,
    response: str | None = None,
    mode: str = "reflect",
    method: str = "auto",
    n_jobs: int | None = None,
) -> np.ndarray:
    """Convolve every channel of every series with every kernel ("same" length).

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays
        Equal-length series (ragged input is refused: the output has a time axis).
    kernels : array-like of shape (n_filters, n_taps) or (n_taps,)
        Real or complex, ``n_taps`` odd, centre tap at ``n_taps // 2`` (as made by
        :func:`gabor_bank`, :func:`gaussian_derivative_bank`, ...); no wider than the
        shortest series.
    response : {"real", "imag", "magnitude", "complex"}, optional
        What to return of each response: default ``"magnitude"`` for complex kernels
        and ``"real"`` (the response itself) for real ones. ``"imag"`` and
        ``"complex"`` need complex kernels; ``"magnitude"`` of a real kernel is ``|y|``.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"
        How series are extended beyond their ends (see the module notes).
    method : {"auto", "fft", "direct"}, default="auto"
        ``"auto"`` applies kernels of at most 33 taps directly and the others through
        the FFT; the results agree to rounding.
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Returns
    -------
    responses : ndarray of shape (n_series, n_channels, n_filters, n_times)
        The input's dtype (float32 or float64), or complex64/complex128 for
        ``response="complex"``.

    Raises
    ------
    ValidationError
        NaN/inf or a filter wider than a series (both name the series), ragged input,
        bad options.

    Examples
    --------
    >>> x = np.ones((2, 1, 50), np.float32)
    >>> y = filter_bank_responses(x, gaussian_derivative_bank([2.0], orders=(0, 1)))
    >>> y.shape, y.dtype
    ((2, 1, 2, 50), dtype('float32'))
    >>> np.allclose(y[:, :, 0], 1.0), np.allclose(y[:, :, 1], 0.0)
    (True, True)
    """
    caller = "filter_bank_responses"
    data, meta = check_collection(X, allow_ragged=False, caller=caller)
    k = _check_kernels(kernels, caller)
    response = _check_options(k, response, mode, method, caller)
    _check_widths(k, meta, caller)
    return _responses(data, k, response, mode, method, _n_threads(n_jobs, caller))


def _check_pool(pool: Any, caller: str) -> tuple[str, ...]:
    names = (pool,) if isinstance(pool, str) else tuple(pool)
    bad = [p for p in names if p not in POOLS]
    if not names or bad or len(set(names)) != len(names):
        raise ValidationError(
            f"{caller}: pool must be a non-empty sequence of distinct names from {POOLS!r}, found {pool!r}."
        )
    return names


def _features(data: Any, meta: CollectionMeta, kernels: np.ndarray, pool: tuple[str, ...], response: str,
              mode: str, method: str, n_threads: int) -> np.ndarray:
    parts, groups, combine = _split_parts(kernels, response)
    if combine == "complex":
        raise ValidationError("filterbank_features: response='complex' cannot be pooled; use 'magnitude', 'real' or 'imag'.")
    need_std = "std" in pool
    nonneg = combine in ("hypot", "abs")  # then max-abs is the max
    need_max = bool({"max", "max_abs"} & set(pool))
    need_min = "min" in pool or ("max_abs" in pool and not nonneg)
    cols = [POOLS.index(p) for p in pool]
    nf, nch = len(groups), meta.n_channels
    feats = np.empty((meta.n_series, nch, nf, len(pool)), dtype=meta.dtype)
    lengths = meta.lengths
    spectra: dict = {}  # kernel spectra per FFT length, shared by the lengths that need it
    # one batch per distinct length (a 3-D array is one batch): no series sees its neighbours
    for n in np.unique(lengths):
        if meta.is_equal_length:
            idx, block = np.arange(meta.n_series), data
        else:
            idx = np.flatnonzero(lengths == n)
            block = np.stack([data[i] for i in idx])
        n = int(n)
        acc = np.zeros((len(idx) * nch, nf, len(POOLS)))
        plan = _Plan(parts, n, block.dtype, mode, method, spectra)

        def consume(a: int, b: int, f: int, comps: list, n: int = n, acc: np.ndarray = acc) -> None:
            (y, o), *rest = comps
            if combine == "hypot":
                yi, oi = rest[0]
                _magnitude_moments(y, o, yi, oi, n, need_std, acc[a:b, f])
            else:
                if combine == "abs":
                    np.abs(y[: b - a, o : o + n], out=y[: b - a, o : o + n])
                _moments(y, o, n, need_std, acc[a:b, f])
            _extremes_into(y, o, n, need_max, need_min, nonneg, acc[a:b, f])

        _run(np.reshape(block, (-1, n)), plan, groups, consume, n_threads)
        feats[idx] = acc[:, :, cols].reshape(len(idx), nch, nf, len(pool))
    return feats.reshape(meta.n_series, -1)


def filterbank_features(
    X: Any,
    *,
    bank: Any,
    pool: Sequence[str] = ("mean", "std", "max"),
    response: str | None = None,
    mode: str = "reflect",
    method: str = "auto",
    n_jobs: int | None = None,
) -> np.ndarray:
    """Filter every series with a bank and pool each response over time.

    The responses are computed in batches and pooled at once, so memory stays small
    whatever the number of series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays
        Series of equal or unequal length (each series is filtered on its own: its
        features do not depend on the other series).
    bank : array-like of shape (n_filters, n_taps)
        Kernels, real or complex (see :func:`filter_bank_responses`).
    pool : sequence of str, default=("mean", "std", "max")
        Any of ``"mean"``, ``"std"`` (population, ddof=0), ``"max"``, ``"min"``,
        ``"max_abs"`` and ``"abs_mean"`` (mean of ``|y|``), in the order wanted.
    response : {"real", "imag", "magnitude"}, optional
        Which response to pool; default ``"magnitude"`` for complex kernels, ``"real"``
        for real ones.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"
    method : {"auto", "fft", "direct"}, default="auto"
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Returns
    -------
    features : ndarray of shape (n_series, n_channels * n_filters * n_pool)
        The input's dtype; ordered channel, then filter, then pool (a C-order reshape of
        ``(n_series, n_channels, n_filters, n_pool)``). Sums are accumulated in float64.
        A constant series gives finite values (e.g. std 0); an all-zero series gives 0.

    Examples
    --------
    >>> t = np.arange(1000)
    >>> x = np.cos(2 * np.pi * 0.1 * t)[np.newaxis, np.newaxis, :]
    >>> feats = filterbank_features(x, bank=gabor_bank([0.05, 0.1, 0.2], [10.0]), pool=("mean",))
    >>> int(np.argmax(feats[0])), round(float(feats[0, 1]), 2)
    (1, 1.0)
    """
    caller = "filterbank_features"
    data, meta = check_collection(X, caller=caller)
    k = _check_kernels(bank, caller)
    response = _check_options(k, response, mode, method, caller)
    pool = _check_pool(pool, caller)
    _check_widths(k, meta, caller)
    return _features(data, meta, k, pool, response, mode, method, _n_threads(n_jobs, caller))


# --------------------------------------------------------------- estimators
def _channel_names(meta: CollectionMeta) -> list[str]:
    if meta.signal_set is not None:
        return list(meta.signal_set.channels)
    return [f"ch{c}" for c in range(meta.n_channels)]


def _describe(est: Any) -> str:
    """``"GaborBank(sigmas=(0.1,))"``: the class and the parameters that differ from the defaults."""
    defaults = type(est)().get_params(deep=False)
    shown = []
    for k, v in est.get_params(deep=False).items():
        try:
            same = bool(np.all(v == defaults[k])) and type(v) is type(defaults[k])
        except (TypeError, ValueError):
            same = False
        if not same:
            shown.append(f"{k}={v!r}")
    return f"{type(est).__name__}({', '.join(shown)})"


class _BaseBank(BaseTransform):
    """Shared shell of the pooled filter-bank transformers: fit builds the bank."""

    _tags = {"capability:ragged": True, "output": "features"}

    def _make_bank(self, fs: float | None, caller: str) -> tuple[np.ndarray, list[str]]:
        raise NotImplementedError

    def _caller(self) -> str:
        return _describe(self)

    def fit(self, X: Any, y: Any = None) -> "_BaseBank":
        """Build the bank for the sampling rate of ``X`` (or ``fs``) and check the options.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays
        y : ignored

        Returns
        -------
        self
        """
        caller = self._caller()
        data, meta = check_collection(X, fs=self.fs, caller=caller)
        kernels, names = self._make_bank(meta.fs, caller)
        self.pool_ = _check_pool(self.pool, caller)
        self.response_ = _check_options(kernels, self.response, self.mode, self.method, caller)
        if self.response_ == "complex":
            raise ValidationError(f"{caller}: response='complex' cannot be pooled; use 'magnitude', 'real' or 'imag'.")
        _check_widths(kernels, meta, caller)
        _n_threads(self.n_jobs, caller)
        self.kernels_ = kernels
        self.filter_names_ = names
        self.fs_ = None if meta.fs is None else float(np.asarray(meta.fs).flat[0])
        self.n_channels_ = meta.n_channels
        self.channels_ = _channel_names(meta)
        return self

    def _check_input(self, X: Any) -> tuple[Any, CollectionMeta, str]:
        check_is_fitted(self, "kernels_")
        caller = self._caller()
        data, meta = check_collection(X, fs=self.fs, caller=caller)
        if meta.n_channels != self.n_channels_:
            raise ValidationError(
                f"{caller}: fitted on {self.n_channels_} channels, but X has {meta.n_channels}. "
                "Pass series with the channels seen in fit."
            )
        if meta.fs is not None and self.fs_ is not None and not np.allclose(meta.fs, self.fs_):
            raise ValidationError(
                f"{caller}: the bank was built for fs={self.fs_!r} Hz, but X has fs={meta.fs!r}. "
                "Resample X or fit again on data at this rate."
            )
        _check_widths(self.kernels_, meta, caller)
        return data, meta, caller

    def transform(self, X: Any) -> np.ndarray:
        """Pooled responses of every filter.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays

        Returns
        -------
        features : ndarray of shape (n_series, n_channels * n_filters * n_pool)
            The input's dtype; names from :meth:`get_feature_names_out`.
        """
        data, meta, caller = self._check_input(X)
        return _features(data, meta, self.kernels_, self.pool_, self.response_, self.mode, self.method,
                         _n_threads(self.n_jobs, caller))

    def responses(self, X: Any) -> np.ndarray:
        """The unpooled responses of every filter (what ``transform`` pools).

        Parameters
        ----------
        X : SignalSet or ndarray of shape (n_series, n_channels, n_times)
            Equal-length series only: the output has a time axis.

        Returns
        -------
        responses : ndarray of shape (n_series, n_channels, n_filters, n_times)
            The input's dtype; the estimator's ``response`` (magnitude, real or
            imaginary part). See :func:`filter_bank_responses`.
        """
        data, meta, caller = self._check_input(X)
        if not meta.is_equal_length:
            raise ValidationError(
                f"{caller}.responses: needs series of equal length, but they range from "
                f"{int(meta.lengths.min())} to {int(meta.lengths.max())} samples. Use transform "
                "(pooled features accept any lengths) or cut the series into windows."
            )
        return _responses(data, self.kernels_, self.response_, self.mode, self.method, _n_threads(self.n_jobs, caller))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        """Names ``"{channel}_{filter}_{pool}"``, channel-major, as object array.

        Parameters
        ----------
        input_features : sequence of str, optional
            Channel names to use instead of those seen in fit.
        """
        check_is_fitted(self, "kernels_")
        chans = self.channels_ if input_features is None else [str(c) for c in input_features]
        if len(chans) != self.n_channels_:
            raise ValidationError(
                f"{type(self).__name__}.get_feature_names_out: input_features has {len(chans)} names "
                f"for {self.n_channels_} channels."
            )
        return np.array([f"{c}_{f}_{p}" for c in chans for f in self.filter_names_ for p in self.pool_], dtype=object)


class GaborBank(_BaseBank):
    """Gabor filter-bank features: each filter's response pooled over time.

    A thin shell over :func:`gabor_bank` and :func:`filterbank_features`; the bank is
    built in ``fit`` (at the rate of the training data), applied in ``transform``. The
    default is the tutorial's bank: 3 frequencies x 3 widths = 9 filters, pooled by mean,
    std and max = 27 features per channel.

    Parameters
    ----------
    frequencies : sequence of float, optional
        Centre frequencies (Hz when the units are Hz, else cycles/sample). Default
        5 %, 10 % and 20 % of the sampling rate.
    sigmas : sequence of float, optional
        Envelope widths (seconds when the units are Hz, else samples). Default 5, 10
        and 20 samples.
    kind : {"complex", "real"}, default="complex"
    response : {"magnitude", "real", "imag"}, optional
        Default ``"magnitude"`` (the envelope) for complex filters, ``"real"`` for real.
    pool : sequence of str, default=("mean", "std", "max")
        Any of :data:`POOLS`.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"
    truncate : float, default=4.0
        Kernel half-width in sigmas.
    units : {"auto", "hz", "samples"}, default="auto"
        ``"auto"``: Hz and seconds when the rate is known, else cycles/sample and samples.
    fs : float, optional
        Sampling rate in Hz; by default that of a SignalSet. The bank is built in
        ``fit``; ``transform`` refuses data whose known rate differs.
    method : {"auto", "fft", "direct"}, default="auto"
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Attributes
    ----------
    kernels_ : ndarray (n_filters, n_taps), complex128 or float64
    filter_names_ : list of str
        ``"gabor_f{frequency}_s{sigma}"`` in the units used.
    fs_ : float or None
    n_channels_ : int
    channels_ : list of str

    Examples
    --------
    >>> from wavelens.testing import make_collection
    >>> X = make_collection(n_series=4, n_channels=2, n_times=400, fs=100.0, random_state=0)
    >>> gb = GaborBank().fit(X)
    >>> gb.transform(X).shape
    (4, 54)
    >>> gb.get_feature_names_out()[0]
    'ch0_gabor_f5Hz_s0.05s_mean'
    """

    _tags = {"min_length": 161}

    def __init__(self, frequencies=None, sigmas=None, *, kind="complex", response=None, pool=("mean", "std", "max"),
                 mode="reflect", truncate=4.0, units="auto", fs=None, method="auto", n_jobs=None):
        self.frequencies = frequencies
        self.sigmas = sigmas
        self.kind = kind
        self.response = response
        self.pool = pool
        self.mode = mode
        self.truncate = truncate
        self.units = units
        self.fs = fs
        self.method = method
        self.n_jobs = n_jobs

    def _make_bank(self, fs: float | None, caller: str) -> tuple[np.ndarray, list[str]]:
        return _gabor_kernels(self.frequencies, self.sigmas, fs, self.units, self.kind, self.truncate, caller)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {},
            {"frequencies": (5.0, 20.0), "sigmas": (0.05, 0.1), "kind": "real", "units": "hz",
             "pool": ("mean", "std", "max", "max_abs", "abs_mean"), "n_jobs": 2},
        ]


class GaussianDerivativeBank(_BaseBank):
    """Gaussian smoothing and derivative features at several scales, pooled over time.

    A thin shell over :func:`gaussian_derivative_bank` and :func:`filterbank_features`.

    Parameters
    ----------
    sigmas : sequence of float, optional
        Scales (seconds when the units are Hz, else samples). Default 1, 2, 4, 8 samples.
    orders : sequence of int, default=(0, 1, 2)
        Derivative orders (0 smoothing, 1 slope, 2 curvature; per sample).
    response : {"real", "magnitude"}, optional
        Default ``"real"``; ``"magnitude"`` pools ``|y|``.
    pool : sequence of str, default=("mean", "std", "max")
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"
    truncate : float, default=4.0
    units : {"auto", "hz", "samples"}, default="auto"
    fs : float, optional
        Sampling rate in Hz; by default that of a SignalSet. The bank is built in
        ``fit``; ``transform`` refuses data whose known rate differs.
    method : {"auto", "fft", "direct"}, default="auto"
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Attributes
    ----------
    kernels_ : ndarray of float64 (n_filters, n_taps)
    filter_names_ : list of str
        ``"gauss_d{order}_s{sigma}"``.
    fs_ : float or None
    n_channels_ : int
    channels_ : list of str

    Examples
    --------
    >>> X = np.tile(np.linspace(0.0, 1.0, 200, dtype=np.float32), (3, 1, 1))
    >>> est = GaussianDerivativeBank(sigmas=[2.0], orders=(0, 1), pool=("mean",)).fit(X)
    >>> est.get_feature_names_out().tolist()
    ['ch0_gauss_d0_s2_mean', 'ch0_gauss_d1_s2_mean']
    """

    _tags = {"min_length": 65}

    def __init__(self, sigmas=None, orders=(0, 1, 2), *, response=None, pool=("mean", "std", "max"),
                 mode="reflect", truncate=4.0, units="auto", fs=None, method="auto", n_jobs=None):
        self.sigmas = sigmas
        self.orders = orders
        self.response = response
        self.pool = pool
        self.mode = mode
        self.truncate = truncate
        self.units = units
        self.fs = fs
        self.method = method
        self.n_jobs = n_jobs

    def _make_bank(self, fs: float | None, caller: str) -> tuple[np.ndarray, list[str]]:
        return _gaussian_kernels(self.sigmas, self.orders, fs, self.units, self.truncate, caller)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"sigmas": (0.02, 0.1), "orders": (1,), "units": "hz", "response": "magnitude",
                     "pool": ("max_abs", "std"), "mode": "constant", "n_jobs": 2}]


class _BaseSeriesFilter(BaseTransform):
    """Shared shell of the series-to-series filters (one fixed kernel)."""

    _tags = {"capability:ragged": False, "output": "series"}

    def _kernel(self, caller: str) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None) -> "_BaseSeriesFilter":
        """Check ``X`` and the options; store the kernel.

        Parameters
        ----------
        X : SignalSet or ndarray of shape (n_series, n_channels, n_times)
        y : ignored

        Returns
        -------
        self
        """
        caller = _describe(self)
        _, meta = check_collection(X, allow_ragged=False, caller=caller)
        self.kernel_ = self._kernel(caller)
        _check_options(self.kernel_, None, self.mode, "auto", caller)
        _check_widths(self.kernel_, meta, caller)
        self.n_channels_ = meta.n_channels
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The filtered series.

        Parameters
        ----------
        X : SignalSet or ndarray of shape (n_series, n_channels, n_times)
            Equal-length series (ragged input is refused).

        Returns
        -------
        ndarray of shape (n_series, n_channels, n_times)
            The input's dtype.
        """
        check_is_fitted(self, "kernel_")
        caller = _describe(self)
        data, meta = check_collection(X, allow_ragged=False, caller=caller)
        if meta.n_channels != self.n_channels_:
            raise ValidationError(
                f"{caller}: fitted on {self.n_channels_} channels, but X has {meta.n_channels}. "
                "Pass series with the channels seen in fit."
            )
        _check_widths(self.kernel_, meta, caller)
        return _responses(data, self.kernel_, "real", self.mode, "direct", 1)[:, :, 0, :]


class SobelFilter(_BaseSeriesFilter):
    """The 1-D Sobel filter: a derivative smoothed along time (see :func:`sobel_kernel`).

    Parameters
    ----------
    normalize : bool, default=False
        Divide by 8, so a unit-slope ramp gives 1 (else 8) inside.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"
        Boundary extension; affects the first and last two samples.

    Attributes
    ----------
    kernel_ : ndarray of float64, shape (1, 5)
    n_channels_ : int

    Examples
    --------
    >>> x = np.arange(10, dtype=np.float64)[np.newaxis, np.newaxis, :]
    >>> SobelFilter(normalize=True).fit_transform(x)[0, 0, 2:-2].tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, normalize=False, *, mode="reflect"):
        self.normalize = normalize
        self.mode = mode

    def _kernel(self, caller: str) -> np.ndarray:
        return sobel_kernel(normalize=bool(self.normalize))


class Difference(_BaseSeriesFilter):
    """The simple difference filter, keeping the series' length (see :func:`difference_kernel`).

    Parameters
    ----------
    kind : {"backward", "forward", "central"}, default="backward"
        ``"backward"``: ``y[t] = x[t] - x[t-1]``, the first sample using the boundary
        ``mode``.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}, default="reflect"

    Attributes
    ----------
    kernel_ : ndarray of float64, shape (1, 3)
    n_channels_ : int

    Examples
    --------
    >>> x = np.array([[[0.0, 1.0, 3.0, 6.0]]])
    >>> Difference().fit_transform(x).tolist()
    [[[0.0, 1.0, 2.0, 3.0]]]
    """

    def __init__(self, kind="backward", *, mode="reflect"):
        self.kind = kind
        self.mode = mode

    def _kernel(self, caller: str) -> np.ndarray:
        if self.kind not in ("backward", "forward", "central"):
            raise ValidationError(f"{caller}: kind must be 'backward', 'forward' or 'central', found {self.kind!r}.")
        return difference_kernel(self.kind)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"kind": "central", "mode": "wrap"}]
