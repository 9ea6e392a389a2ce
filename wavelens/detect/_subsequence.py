"""Anomalies *within* long series: subsequence nearest-neighbour distances.

Every subsequence (window) of a series is compared with the other subsequences of the
same series (a self-join, no training data needed) or with those of clean reference
series, and scored by the mean distance to its ``n_neighbors`` nearest ones, trivial
matches (windows overlapping it in the same series) excluded. Window scores are then
spread back onto the samples they cover, giving one score per sample.

Why k nearest neighbours and not the matrix profile's single nearest one (the discord):
anomalies that recur (the ectopic beats of an ECG, hundreds per recording) match each
other, so their 1-NN distance is small — TSB-UAD measured the matrix profile at a
point-wise ROC AUC of 0.24 on MBA ECG 805. The mean over ``n_neighbors`` (default 30)
stays large for a pattern rarer than that. Windows are mean-centred but not scaled by
default (``normalize="mean"``): it removes baseline wander and keeps amplitude, which
matters for ECG (measured with ``benchmarks/bench_within_series.py``).

Windows are taken every ``step`` samples (default ``window // 8``); the distances are
blocks of one matrix product each (BLAS), never a Python loop over subsequences.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from ..base import check_is_fitted
from ..data import CollectionMeta, check_collection, describe_series
from ..exceptions import ValidationError
from ..transforms._windows import WindowMap, _make_windows, aggregate, spread
from ._base import BaseDetector, _check_choice, _check_int

__all__ = ["SubsequenceDetector", "find_period", "subsequence_scores"]

_NORMALIZE = ("mean", "zscore", "none")
_AGGREGATES = ("max", "mean", "topk_mean")
# entries of the distance matrix computed at once (rows x reference windows, float64:
# 64 MiB). float64, not float32: a row's distances must not depend on the block it is in
# (BLAS float32 kernels round differently with the block shape).
_BLOCK_ELEMENTS = 1 << 23
_STD_FLOOR = 1e-8


# --------------------------------------------------------------------------------------
# the period
# --------------------------------------------------------------------------------------
def find_period(x: Any, *, min_period: int = 4, max_period: int | None = None) -> int:
    """The dominant period of a series, in samples, from its autocorrelation.

    The autocorrelation (computed with an FFT, channels summed) is searched for its
    highest value after its first zero crossing, between ``min_period`` and
    ``max_period``.

    Parameters
    ----------
    x : array-like of shape (n_times,) or (n_channels, n_times)
        One series, finite.
    min_period : int, default=4
        Smallest period returned, >= 1.
    max_period : int, optional
        Largest period considered; default ``n_times // 3``.

    Returns
    -------
    int
        The period. A series without periodicity (constant, or an autocorrelation
        that never falls below zero within the range) gets ``max(min_period,
        n_times // 20)``, documented rather than guessed.

    Examples
    --------
    >>> import numpy as np
    >>> find_period(np.sin(2 * np.pi * np.arange(2000) / 50))
    50
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[np.newaxis]
    if a.ndim != 2 or a.shape[1] < 2:
        raise ValidationError(f"find_period: x must be a series (n_times,) or (n_channels, n_times), found shape {np.shape(x)!r}.")
    if not np.isfinite(a).all():
        raise ValidationError("find_period: x has NaN or inf values; fill or drop them first.")
    min_period = _check_int(min_period, "min_period", "find_period", 1)
    n = a.shape[1]
    hi = n // 3 if max_period is None else _check_int(max_period, "max_period", "find_period", 1)
    hi = min(hi, n - 1)
    fallback = max(min_period, n // 20)
    a = a - a.mean(axis=1, keepdims=True)
    f = np.fft.rfft(a, 2 * n, axis=1)
    ac = np.fft.irfft((f * np.conj(f)).real, 2 * n, axis=1)[:, :n].sum(axis=0)
    if ac[0] <= 0.0 or hi <= min_period:
        return fallback
    ac /= ac[0]
    below = np.flatnonzero(ac[: hi + 1] < 0.0)
    if below.size == 0:
        return fallback
    lo = max(int(below[0]), min_period)
    if lo >= hi:
        return fallback
    return lo + int(np.argmax(ac[lo : hi + 1]))


# --------------------------------------------------------------------------------------
# the functional core
# --------------------------------------------------------------------------------------
def _normalized(W: np.ndarray, normalize: str) -> np.ndarray:
    """Flattened windows ``(n_windows, n_channels * size)`` as float64, normalised per channel."""
    W = W.astype(np.float64, copy=False)
    if normalize == "none":
        return np.ascontiguousarray(W.reshape(len(W), -1))
    W = W - W.mean(axis=2, keepdims=True)
    if normalize == "mean":
        return np.ascontiguousarray(W.reshape(len(W), -1))
    sd = W.std(axis=2, keepdims=True)
    flat = sd <= _STD_FLOOR
    # a flat channel stays all zeros (never NaN) and gets one extra coordinate of
    # sqrt(3 * size): its distance to any varying z-normalised window is then
    # 2 * sqrt(size), the largest z-normalised distance (correlation -1) — a dead
    # stretch is unlike every living one, and like the other dead ones.
    W = W / np.where(flat, 1.0, sd)
    extra = np.where(flat[:, :, 0], np.sqrt(3.0 * W.shape[2]), 0.0)
    return np.ascontiguousarray(np.concatenate([W.reshape(len(W), -1), extra], axis=1))


def _knn_distances(
    Q: np.ndarray, R: np.ndarray, k: int, exclude: tuple[np.ndarray, np.ndarray, int] | None
) -> np.ndarray:
    """Mean Euclidean distance of every row of ``Q`` to its ``k`` nearest rows of ``R``.

    ``exclude = (key_q, key_r, width)``: reference rows whose (sorted) key lies within
    ``width`` of a query's key are trivial matches and left out (a band, so only
    ``O(width)`` entries per row are touched). Rows with fewer than ``k`` candidates
    use all they have.
    """
    nq, nr = len(Q), len(R)
    sq_r = np.einsum("ij,ij->i", R, R)
    sq_q = np.einsum("ij,ij->i", Q, Q)
    out = np.empty(nq, dtype=np.float64)
    block = max(1, _BLOCK_ELEMENTS // max(nr, 1))
    for a in range(0, nq, block):
        b = min(nq, a + block)
        D = Q[a:b] @ R.T
        D *= -2.0
        D += sq_q[a:b, np.newaxis]
        D += sq_r[np.newaxis]
        if exclude is not None:
            key_q, key_r, width = exclude
            lo = np.searchsorted(key_r, key_q[a:b] - width + 1, side="left")
            hi = np.searchsorted(key_r, key_q[a:b] + width, side="left")
            w = int((hi - lo).max(initial=0))
            if w:
                cols = lo[:, np.newaxis] + np.arange(w)
                ok = cols < hi[:, np.newaxis]
                rows = np.broadcast_to(np.arange(b - a)[:, np.newaxis], cols.shape)
                D[rows[ok], cols[ok]] = np.inf
        kk = min(k, nr)
        P = np.partition(D, kk - 1, axis=1)[:, :kk] if kk < nr else D
        P = np.sqrt(np.maximum(P, 0.0))
        finite = np.isfinite(P)
        n_ok = finite.sum(axis=1)
        total = np.where(finite, P, 0.0).sum(axis=1)
        # a window with no candidate at all (a series of one window, self-join) gets 0
        out[a:b] = np.where(n_ok > 0, total / np.maximum(n_ok, 1), 0.0)
    return out


def _order_keys(wmap: WindowMap, stride: int) -> np.ndarray:
    """Sorted keys (series, start) in one int64 so that a band of keys is a band of windows."""
    return wmap.series * stride + wmap.start


def subsequence_scores(
    x: Any,
    *,
    window: int | None = None,
    step: int | None = None,
    n_neighbors: int = 30,
    normalize: str = "mean",
    reference: Any = None,
    exclusion: float = 1.0,
    period_multiple: float = 1.5,
) -> np.ndarray:
    """Anomaly score of every sample of one long series (higher = more abnormal).

    Parameters
    ----------
    x : array-like of shape (n_times,) or (n_channels, n_times)
        One series, finite.
    window : int, optional
        Subsequence length in samples; default ``round(period_multiple * period)``
        with the period from :func:`find_period` (of ``reference`` if given, else of
        ``x``).
    step : int, optional
        Hop between subsequences, default ``max(1, window // 8)``.
    n_neighbors : int, default=30
        Nearest subsequences averaged, >= 1 (1 gives the discord / matrix-profile score).
    normalize : {"mean", "zscore", "none"}, default="mean"
        Per window and channel: subtract the mean; subtract the mean and divide by the
        standard deviation (a flat window is never NaN: it lies at the largest
        z-normalised distance, ``2 * sqrt(window)``, from every varying one); or nothing.
    reference : array-like of shape (n_times_ref,) or (n_channels, n_times_ref), optional
        A clean series to compare with; default: ``x`` itself, trivial matches excluded.
    exclusion : float, default=1.0
        In a self-join, windows starting less than ``exclusion * window`` samples apart
        are trivial matches and never neighbours.
    period_multiple : float, default=1.5
        Window length in periods when ``window`` is None.

    Returns
    -------
    ndarray of float64, shape (n_times,)
        Window scores spread back onto the samples (mean of the covering windows).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(4000)
    >>> x = np.sin(2 * np.pi * t / 40)
    >>> x[2000:2030] += 1.5
    >>> s = subsequence_scores(x)
    >>> s.shape, 1960 <= int(s.argmax()) < 2070
    ((4000,), True)
    """
    det = SubsequenceDetector(window=window, step=step, n_neighbors=n_neighbors, normalize=normalize,
                              exclusion=exclusion, period_multiple=period_multiple)
    if reference is not None:
        det.fit(_as_series(reference, "reference")[np.newaxis])
    return det.score_points(x)


def _as_series(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim == 1:
        a = a[np.newaxis]
    if a.ndim != 2:
        raise ValidationError(
            f"SubsequenceDetector: {name} must be one series (n_times,) or (n_channels, n_times), found "
            f"shape {a.shape!r}. Use decision_function / point_scores for collections."
        )
    if a.dtype.kind not in "biuf":
        raise ValidationError(f"SubsequenceDetector: {name} must be numeric, found dtype {a.dtype!r}.")
    return a


# --------------------------------------------------------------------------------------
# the estimator
# --------------------------------------------------------------------------------------
class SubsequenceDetector(BaseDetector):
    """Anomalous stretches within long series: k-NN distance of each subsequence.

    Two ways to use it:

    - **Unsupervised, on one series** (no fit): :meth:`score_points` on an unfitted
      detector scores every subsequence of the series against the series' own other
      subsequences (a self-join; windows overlapping by more than ``1 - exclusion``
      of their length are trivial matches and excluded).
    - **Against a clean reference**: ``fit(X_normal)`` stores the normalised windows of
      the normal series; :meth:`score_points`, :meth:`point_scores`,
      :meth:`window_scores`, ``decision_function`` and ``predict`` then compare with
      them. Training scores (``decision_scores_``) come from the self-join of the
      reference windows (trivial matches excluded), so ``threshold_`` is comparable.

    The series score of ``decision_function`` aggregates the window scores of each
    series (``aggregate``). Series of any length are accepted (ragged collections
    too); a series shorter than the window is an error that names it with both lengths.

    Parameters
    ----------
    window : int, optional
        Subsequence length, >= 2. Default: ``round(period_multiple * period)`` with
        the period from :func:`find_period` (of the first reference series in ``fit``,
        of the series itself in an unfitted :meth:`score_points`).
    step : int, optional
        Hop between subsequences, >= 1; default ``max(1, window // 8)``.
    n_neighbors : int, default=30
        Nearest subsequences whose distances are averaged, >= 1.
    normalize : {"mean", "zscore", "none"}, default="mean"
        Per window and channel: remove the mean (keeps amplitude, drops baseline
        wander); z-normalise (a flat window is never NaN: it lies at the largest
        z-normalised distance from every varying one); nothing. With ``"mean"`` and
        ``"none"`` a flat window is at the distance of its neighbours' amplitude: in a
        dense periodic series that is far, in a sparse collection it may not be.
    exclusion : float, default=1.0
        Trivial-match zone in windows, > 0.
    period_multiple : float, default=1.5
        Window length in periods when ``window`` is None, > 0.
    aggregate : {"max", "mean", "topk_mean"}, default="max"
        Window scores → series score in ``decision_function``.
    k : int, default=3
        For ``aggregate="topk_mean"``.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_`` from the training window scores aggregated.

    Attributes
    ----------
    window_, step_ : int
        Window length and hop used.
    reference_windows_ : ndarray of float64, shape (n_ref_windows, n_features)
        The normalised reference windows, flattened channel-major (plus one flat-channel
        coordinate per channel with ``normalize="zscore"``).
    reference_keys_ : ndarray of int64, shape (n_ref_windows,)
        Sorted (series, start) keys of the reference windows (for trivial matches).
    decision_scores_, threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(6000)
    >>> x = np.sin(2 * np.pi * t / 60) + 0.05 * np.random.default_rng(0).standard_normal(6000)
    >>> x[3000:3040] = 0.0
    >>> scores = SubsequenceDetector().score_points(x)
    >>> scores.shape, 2950 <= int(scores.argmax()) < 3100
    ((6000,), True)
    """

    _tags = {"capability:ragged": True}

    def __init__(self, window=None, *, step=None, n_neighbors=30, normalize="mean", exclusion=1.0,
                 period_multiple=1.5, aggregate="max", k=3, contamination=0.1):
        self.window = window
        self.step = step
        self.n_neighbors = n_neighbors
        self.normalize = normalize
        self.exclusion = exclusion
        self.period_multiple = period_multiple
        self.aggregate = aggregate
        self.k = k
        self.contamination = contamination

    def _caller(self) -> str:
        return f"SubsequenceDetector(window={self.window!r})"

    # -- parameters ----------------------------------------------------------------------
    def _check_params(self) -> None:
        caller = self._caller()
        if self.window is not None:
            _check_int(self.window, "window", caller, 2)
        if self.step is not None:
            _check_int(self.step, "step", caller, 1)
        _check_int(self.n_neighbors, "n_neighbors", caller, 1)
        _check_int(self.k, "k", caller, 1)
        _check_choice(self.normalize, "normalize", _NORMALIZE, caller)
        _check_choice(self.aggregate, "aggregate", _AGGREGATES, caller)
        for name in ("exclusion", "period_multiple"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not float(value) > 0:
                raise ValidationError(f"{caller}: {name} must be a number > 0, found {value!r}.")

    def _sizes(self, first: np.ndarray) -> tuple[int, int]:
        """Window and step, the window from the period of ``first`` (n_channels, n_times) if not given."""
        if self.window is not None:
            window = int(self.window)
        else:
            period = find_period(first, min_period=2)
            window = max(2, int(round(float(self.period_multiple) * period)))
            window = min(window, first.shape[-1])
        step = int(self.step) if self.step is not None else max(1, window // 8)
        return window, step

    def _windows(self, data: Any, meta: CollectionMeta, window: int, step: int) -> tuple[np.ndarray, WindowMap]:
        W, wmap = _make_windows(data, meta, size=window, step=step, tail="keep_last", fill_value=0.0,
                                caller=self._caller())
        return _normalized(W, self.normalize), wmap

    def _self_join(self, F: np.ndarray, wmap: WindowMap) -> np.ndarray:
        stride = int(wmap.lengths.max()) * 2 + 1
        keys = _order_keys(wmap, stride)
        width = max(1, int(np.ceil(float(self.exclusion) * wmap.size)))
        return _knn_distances(F, F, int(self.n_neighbors), (keys, keys, width))

    # -- the contract ----------------------------------------------------------------------
    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        self._check_params()
        first = np.asarray(data[0])
        self.window_, self.step_ = self._sizes(first)
        F, wmap = self._windows(data, meta, self.window_, self.step_)
        self.reference_windows_ = F
        self.reference_keys_ = _order_keys(wmap, int(wmap.lengths.max()) * 2 + 1)
        scores = self._self_join(F, wmap)
        return aggregate(scores, wmap, how=self.aggregate, k=int(self.k))

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        scores, wmap = self._window_scores(data, meta)
        return aggregate(scores, wmap, how=self.aggregate, k=int(self.k))

    def _window_scores(self, data: Any, meta: CollectionMeta) -> tuple[np.ndarray, WindowMap]:
        F, wmap = self._windows(data, meta, self.window_, self.step_)
        return _knn_distances(F, self.reference_windows_, int(self.n_neighbors), None), wmap

    # -- windows and samples ---------------------------------------------------------------
    def window_scores(self, X: Any) -> tuple[np.ndarray, WindowMap]:
        """Score of every window of every series against the reference.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times), or list of ndarray

        Returns
        -------
        scores : ndarray of float64, shape (n_windows,)
        window_map : WindowMap
            Where each window lies (for :func:`wavelens.transforms.aggregate` /
            :func:`~wavelens.transforms.spread`).
        """
        check_is_fitted(self, "threshold_")
        data, meta = self._check_X(X, reset=False)
        return self._window_scores(data, meta)

    def point_scores(self, X: Any) -> list[np.ndarray]:
        """Score of every sample of every series against the reference.

        Returns
        -------
        list of ndarray of float64, shape (n_times_i,)
            Window scores spread back onto the samples (mean of the covering windows).
        """
        scores, wmap = self.window_scores(X)
        return _as_list(spread(scores, wmap, how="mean"))

    def score_points(self, x: Any) -> np.ndarray:
        """Score of every sample of one long series (higher = more abnormal).

        Unfitted: the series is scored on itself (self-join, no training data). Fitted:
        against the reference windows of ``fit``.

        Parameters
        ----------
        x : array-like of shape (n_times,) or (n_channels, n_times)

        Returns
        -------
        ndarray of float64, shape (n_times,)
        """
        series = _as_series(x, "x")
        if hasattr(self, "threshold_"):
            return self.point_scores([series])[0]
        self._check_params()
        data, meta = check_collection([series], allow_ragged=True, caller=self._caller())
        window, step = self._sizes(np.asarray(data[0]))
        if meta.lengths[0] < window:
            raise ValidationError(
                f"{self._caller()}: {describe_series(0, meta.ids)} has n_times={int(meta.lengths[0])}, "
                f"shorter than the window={window}. Use a smaller window or a longer series."
            )
        F, wmap = self._windows(data, meta, window, step)
        scores = self._self_join(F, wmap)
        return np.asarray(spread(scores, wmap, how="mean"), dtype=np.float64)[0]

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"window": 32, "step": 8, "n_neighbors": 5, "normalize": "zscore"},
            {"window": 48, "step": 12, "n_neighbors": 3, "normalize": "zscore", "aggregate": "topk_mean"},
        ]


def _as_list(values: Any) -> list[np.ndarray]:
    """Per-sample values of :func:`spread` (a 2-D array or a list) as a list of float64 arrays."""
    return [np.asarray(v, dtype=np.float64) for v in values]

