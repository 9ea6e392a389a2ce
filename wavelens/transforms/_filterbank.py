"""Filter-bank features and estimators: Gabor, Gaussian derivatives, Sobel, differences.

Three layers, each usable alone:

* kernel makers (:func:`gabor_bank`, :func:`gaussian_derivative_bank`,
  :func:`sobel_kernel`, :func:`difference_kernel`, in :mod:`._kernels`) return plain
  arrays ``(n_filters, n_taps)`` with an odd number of taps, the centre tap at
  ``n_taps // 2``;
* :func:`filter_bank_responses` (in :mod:`._convolve`) convolves every series with
  every kernel and keeps the input length ("same" output);
* :func:`filterbank_features` (here) pools each response over time (mean, std, max,
  ...) into a fixed-length vector, without ever holding all the responses in memory:
  compiled pooling kernels reduce each batch of responses as the engine of
  :mod:`._convolve` makes it.

The estimators are thin shells over them: :class:`GaborBank` and
:class:`GaussianDerivativeBank` (pooled features; the bank is built in ``fit``),
:class:`SobelFilter` and :class:`Difference` (series to series). The conventions
(convolution, boundaries, speed) are those of :mod:`._convolve`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numba
import numpy as np

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, check_collection
from ..exceptions import ValidationError
from ._channels import _channel_names, _check_fitted_channels, _feature_channels
from ._convolve import _check_kernels, _check_options, _check_widths, _Plan, _responses, _run, _split_parts
from ._kernels import _gabor_kernels, _gaussian_kernels, difference_kernel, sobel_kernel
from ._threads import _n_threads

__all__ = [
    "POOLS",
    "filterbank_features",
    "GaborBank",
    "GaussianDerivativeBank",
    "SobelFilter",
    "Difference",
]

#: Pooling functions of :func:`filterbank_features`, in the order they are computed.
POOLS = ("mean", "std", "max", "min", "max_abs", "abs_mean")


# ---------------------------------------------------------------- pooling kernels
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



# ---------------------------------------------------------------- pooled features
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
    >>> from wavelens.transforms import gabor_bank
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
        _check_fitted_channels(self.n_channels_, meta, caller)
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
        chans = _feature_channels(input_features, self.channels_, self.n_channels_, type(self).__name__)
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
        _check_fitted_channels(self.n_channels_, meta, caller)
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
