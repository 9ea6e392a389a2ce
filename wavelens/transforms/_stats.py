"""Summary statistics of each channel of each series: moments, extremes, crossings.

One compiled pass over the samples for the sums and extremes and a second one about
the mean for the central moments and the crossings, with float64 accumulators
whatever the input dtype; the result has the input's dtype. Defined values replace
the undefined ones, so no series ever gives NaN:

* a constant series has std 0, skewness 0, excess kurtosis 0 and no crossings
  (:func:`scipy.stats.skew` and :func:`scipy.stats.kurtosis` return NaN there); the
  same holds when the variance is below the rounding error of the mean;
* an all-zero series has crest factor 0 (max-abs / RMS is 0 / 0 there).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

import numba
import numpy as np

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, check_collection
from ..exceptions import ValidationError
from ._channels import _channel_names, _check_fitted_channels, _feature_channels
from ._threads import _n_threads

__all__ = ["STATISTICS", "statistics", "Statistics"]

#: Names accepted by :func:`statistics`, in the order they are computed.
STATISTICS = (
    "mean",
    "std",
    "min",
    "max",
    "max_abs",
    "rms",
    "skewness",
    "kurtosis",
    "zero_crossing_rate",
    "crest_factor",
)
_RESOLUTION = float(np.finfo(np.float64).resolution)  # 1e-15, as scipy.stats.skew


@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def _stats_items(data, rows, starts, stops, about_mean, out):  # pragma: no cover - compiled
    """Statistics of ``data[rows[k], starts[k]:stops[k]]`` into ``out[k, :]`` (order of STATISTICS)."""
    for k in range(out.shape[0]):
        x = data[rows[k], starts[k] : stops[k]]
        n = x.size
        s = 0.0
        sq = 0.0
        mx = np.float64(x[0])
        mn = mx
        for i in range(n):
            v = np.float64(x[i])
            s += v
            sq += v * v
            if v > mx:
                mx = v
            if v < mn:
                mn = v
        mean = min(max(s / n, mn), mx)  # rounding cannot push the mean outside the data
        m2 = 0.0
        m3 = 0.0
        m4 = 0.0
        crossings = 0
        if mx > mn:
            level = mean if about_mean else 0.0
            prev = np.float64(x[0]) >= level
            for i in range(n):
                v = np.float64(x[i])
                d = v - mean
                d2 = d * d
                m2 += d2
                m3 += d2 * d
                m4 += d2 * d2
                cur = v >= level
                crossings += cur != prev
                prev = cur
            m2 /= n
            m3 /= n
            m4 /= n
        max_abs = max(mx, -mn)
        rms = math.sqrt(sq / n)
        out[k, 0] = mean
        out[k, 1] = math.sqrt(m2)
        out[k, 2] = mn
        out[k, 3] = mx
        out[k, 4] = max_abs
        out[k, 5] = rms
        # a variance below the rounding error of the mean is no variance (scipy's test)
        if m2 > (_RESOLUTION * mean) ** 2 and m2 > 0.0:
            out[k, 6] = m3 / m2**1.5
            out[k, 7] = m4 / (m2 * m2) - 3.0
        else:
            out[k, 6] = 0.0
            out[k, 7] = 0.0
        out[k, 8] = crossings / (n - 1) if n > 1 else 0.0
        out[k, 9] = max_abs / rms if rms > 0.0 else 0.0


def _check_stats(stats: Any, caller: str) -> tuple[str, ...]:
    names = STATISTICS if stats is None else ((stats,) if isinstance(stats, str) else tuple(stats))
    bad = [s for s in names if s not in STATISTICS]
    if not names or bad or len(set(names)) != len(names):
        raise ValidationError(
            f"{caller}: stats must be a non-empty sequence of distinct names from {STATISTICS!r}, "
            f"found {stats!r}."
        )
    return names


def _check_level(crossing_level: Any, caller: str) -> bool:
    if crossing_level not in ("mean", "zero"):
        raise ValidationError(f"{caller}: crossing_level must be 'mean' or 'zero', found {crossing_level!r}.")
    return crossing_level == "mean"


def _compute(data: Any, meta: CollectionMeta, names: tuple[str, ...], about_mean: bool, n_threads: int) -> np.ndarray:
    nch = meta.n_channels
    if meta.is_equal_length:
        n = int(meta.lengths[0])
        flat = np.reshape(data, (-1, n))
        rows = np.arange(meta.n_series * nch, dtype=np.int64)
        starts = np.zeros_like(rows)
        stops = np.full_like(rows, n)
    else:
        # one (n_channels, total) array, each series a slice: one compiled call for all
        flat = np.concatenate(data, axis=1)
        offsets = np.concatenate([[0], np.cumsum(meta.lengths)])
        rows = np.tile(np.arange(nch, dtype=np.int64), meta.n_series)
        starts = np.repeat(offsets[:-1], nch).astype(np.int64)
        stops = np.repeat(offsets[1:], nch).astype(np.int64)
    out = np.empty((rows.size, len(STATISTICS)))
    bounds = np.linspace(0, rows.size, min(n_threads, rows.size) + 1).astype(int)
    parts = list(zip(bounds[:-1], bounds[1:]))

    def work(a: int, b: int) -> None:
        _stats_items(flat, rows[a:b], starts[a:b], stops[a:b], about_mean, out[a:b])

    if len(parts) == 1:
        work(*parts[0])
    else:
        with ThreadPoolExecutor(len(parts)) as ex:
            for fut in [ex.submit(work, a, b) for a, b in parts]:
                fut.result()
    cols = [STATISTICS.index(s) for s in names]
    return out[:, cols].reshape(meta.n_series, nch * len(names)).astype(meta.dtype)


def statistics(
    X: Any,
    *,
    stats: Sequence[str] | None = None,
    crossing_level: str = "mean",
    n_jobs: int | None = None,
) -> np.ndarray:
    """Summary statistics of every channel of every series.

    Parameters
    ----------
    X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays
        Series of equal or unequal length; each series' statistics depend on it alone.
    stats : sequence of str, optional
        Which statistics, in the order wanted; default all of :data:`STATISTICS`:

        - ``"mean"``; ``"std"`` (population, ddof=0); ``"min"``; ``"max"``;
        - ``"max_abs"``: ``max |x|``; ``"rms"``: ``sqrt(mean(x**2))`` (about zero);
        - ``"skewness"``: ``m3 / m2**1.5`` (biased, as ``scipy.stats.skew``);
        - ``"kurtosis"``: excess (Fisher) kurtosis ``m4 / m2**2 - 3`` (biased, as
          ``scipy.stats.kurtosis``);
        - ``"zero_crossing_rate"``: the fraction of the ``n_times - 1`` steps at which
          the series crosses the level (the series' mean, or zero: see
          ``crossing_level``); a sample equal to the level counts as above it;
        - ``"crest_factor"``: ``max_abs / rms``.
    crossing_level : {"mean", "zero"}, default="mean"
        Level whose crossings are counted: ``"mean"`` ignores a constant offset.
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Returns
    -------
    features : ndarray of shape (n_series, n_channels * n_stats)
        The input's dtype (float32 or float64), channel-major: all statistics of the
        first channel, then of the second, ... A constant series gives std, skewness,
        kurtosis and crossing rate 0; an all-zero series gives crest factor 0.

    Raises
    ------
    ValidationError
        NaN/inf (the series is named), an unknown statistic, a bad option.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0, -1.0, 1.0, -1.0]], [[2.0, 2.0, 2.0, 2.0]]])
    >>> statistics(x, stats=("mean", "std", "kurtosis", "zero_crossing_rate", "crest_factor"))
    array([[ 0.,  1., -2.,  1.,  1.],
           [ 2.,  0.,  0.,  0.,  1.]])
    """
    caller = "statistics"
    data, meta = check_collection(X, caller=caller)
    names = _check_stats(stats, caller)
    about_mean = _check_level(crossing_level, caller)
    return _compute(data, meta, names, about_mean, _n_threads(n_jobs, caller))


class Statistics(BaseTransform):
    """Summary statistics per channel as features (see :func:`statistics`).

    Parameters
    ----------
    stats : sequence of str, optional
        Which statistics, default all of :data:`STATISTICS`.
    crossing_level : {"mean", "zero"}, default="mean"
        Level whose crossings give the zero-crossing rate.
    n_jobs : int, optional
        Threads; None means 1, -1 all cores.

    Attributes
    ----------
    stats_ : tuple of str
        The statistics computed, in output order.
    n_channels_ : int
    channels_ : list of str
        Channel names seen in fit (those of a SignalSet, else ``"ch0", "ch1", ...``).

    Examples
    --------
    >>> from wavelens.testing import make_collection
    >>> X = make_collection(n_series=5, n_channels=3, n_times=300, random_state=0)
    >>> st = Statistics(stats=("rms", "crest_factor")).fit(X)
    >>> st.transform(X).shape, st.get_feature_names_out()[:2].tolist()
    ((5, 6), ['ch0_rms', 'ch0_crest_factor'])
    """

    _tags = {"capability:ragged": True, "output": "features"}

    def __init__(self, stats=None, *, crossing_level="mean", n_jobs=None):
        self.stats = stats
        self.crossing_level = crossing_level
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> "Statistics":
        """Check ``X`` and the options; remember the channels.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays
        y : ignored

        Returns
        -------
        self
        """
        caller = f"Statistics(stats={self.stats!r})"
        _, meta = check_collection(X, caller=caller)
        self.stats_ = _check_stats(self.stats, caller)
        _check_level(self.crossing_level, caller)
        _n_threads(self.n_jobs, caller)
        self.n_channels_ = meta.n_channels
        self.channels_ = _channel_names(meta)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The statistics of each channel of each series.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of arrays

        Returns
        -------
        features : ndarray of shape (n_series, n_channels * n_stats)
            The input's dtype; names from :meth:`get_feature_names_out`.
        """
        check_is_fitted(self, "stats_")
        caller = f"Statistics(stats={self.stats!r})"
        data, meta = check_collection(X, caller=caller)
        _check_fitted_channels(self.n_channels_, meta, caller)
        about_mean = _check_level(self.crossing_level, caller)
        return _compute(data, meta, self.stats_, about_mean, _n_threads(self.n_jobs, caller))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        """Names ``"{channel}_{statistic}"``, channel-major, as an object array.

        Parameters
        ----------
        input_features : sequence of str, optional
            Channel names to use instead of those seen in fit.
        """
        check_is_fitted(self, "stats_")
        chans = _feature_channels(input_features, self.channels_, self.n_channels_, "Statistics")
        return np.array([f"{c}_{s}" for c in chans for s in self.stats_], dtype=object)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"stats": ("kurtosis", "zero_crossing_rate", "crest_factor"), "crossing_level": "zero", "n_jobs": 2}]
