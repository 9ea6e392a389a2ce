"""Bag of words: local descriptors of windows → k-means vocabulary → histogram per series.

The tutorial's recipe (SEEDS.md, study 5) for series: cut every series into windows,
describe each window by a vector (the z-normalised window itself, or any wavelens
transformer applied to the windows), learn a vocabulary of ``n_words`` prototypes by
k-means on the training windows, and describe a series by how often each word occurs
among its windows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, SignalSet, check_collection, describe_series
from ..exceptions import ValidationError
from ._blockmap import _map_series
from ._derivatives import SplineDerivative
from ._preprocess import _standardize_kernel
from ._seriestransform import _check_choice, _check_int
from ._windows import _TAILS, WindowMap, _make_windows

__all__ = ["BagOfWords"]


def _znormalised(windows: np.ndarray) -> np.ndarray:
    """Every channel of every window z-scored (constant → zeros), float64, flattened."""
    lengths = np.full(len(windows), windows.shape[2], dtype=np.int64)
    z = _map_series(
        windows, lengths, _standardize_kernel, n_out_channels=windows.shape[1],
        out_lengths=lengths, dtype=np.float64, bytes_per_sample=24,
    )
    return z.reshape(len(windows), -1)


class BagOfWords(BaseTransform):
    """Histogram of k-means "words" over the windows of each series.

    ``fit`` cuts the training series into windows, computes one descriptor vector per
    window, standardises the descriptor columns (optional) and learns ``n_words``
    cluster centres with :class:`sklearn.cluster.MiniBatchKMeans`. ``transform`` cuts
    the series the same way, assigns each window to its nearest centre and returns,
    per series, the fraction of its windows that fell on each word.

    Parameters
    ----------
    descriptor : wavelens transformer or None, default=None
        Applied to the windows, as a collection ``(n_windows, n_channels, window)``
        (a SignalSet carrying the rate when one is known), and flattened to one vector
        per window; any transformer whose output has one row per window (features,
        series, spectra) works. It is cloned and fitted on the training windows
        (``descriptor_``). None: each channel of the window z-normalised (mean 0,
        standard deviation 1; a constant window gives zeros) — the window's shape,
        whatever its offset and scale.
    window : int, default=64
        Window length in samples.
    step : int, optional
        Hop between windows; default ``window // 2`` (half overlap).
    n_words : int, default=32
        Vocabulary size (number of k-means clusters), >= 2; at most the number of
        training windows.
    tail : {"keep_last", "drop", "pad", "error"}, default="keep_last"
        Tail policy of :func:`~wavelens.transforms.make_windows`; with the default every
        sample is in some window. A series shorter than ``window`` is an error (naming
        it) except with ``"pad"``.
    scale_descriptors : bool, default=True
        Standardise each descriptor column with the training windows' mean and
        standard deviation (constant columns are left unscaled) before k-means, so
        that no descriptor dominates by its units.
    n_init : int, default=3
        Number of k-means initialisations (the best is kept).
    batch_size : int, default=1024
        Mini-batch size of k-means.
    fs : float or array-like, optional
        Sampling rate in Hz, passed to the descriptor with the windows; by default a
        SignalSet's.
    random_state : int, RandomState or None, default=None
        Seed of k-means; the same seed gives the same vocabulary and histograms.

    Attributes
    ----------
    kmeans_ : MiniBatchKMeans
        The fitted vocabulary.
    vocabulary_ : ndarray of shape (n_words, n_descriptor_features)
        The word centres, in the (scaled) descriptor space.
    descriptor_ : transformer or None
        The fitted clone of ``descriptor``.
    descriptor_mean_, descriptor_scale_ : ndarray of shape (n_descriptor_features,)
        Column scaling learnt in ``fit`` (zeros and ones when ``scale_descriptors`` is
        False).
    n_channels_ : int
        Number of channels seen in ``fit``.
    n_windows_fit_ : int
        Number of training windows.

    Notes
    -----
    The output is ``(n_series, n_words)`` in the input's dtype; each row sums to 1.
    Ragged collections are accepted: each series is cut on its own. A series' histogram
    depends only on that series (and the fitted vocabulary).

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.testing import make_collection
    >>> X = make_collection(n_series=10, n_times=512, random_state=0)
    >>> bow = BagOfWords(window=32, n_words=8, random_state=0).fit(X)
    >>> H = bow.transform(X)
    >>> H.shape, bool(np.allclose(H.sum(axis=1), 1.0))
    ((10, 8), True)
    """

    _tags = {
        "capability:ragged": True,
        "output": "features",
        "preserves_dtype": True,
        "stochastic": True,
        "min_length": 64,
    }

    def __init__(
        self,
        descriptor: Any = None,
        window: int = 64,
        step: int | None = None,
        n_words: int = 32,
        tail: str = "keep_last",
        scale_descriptors: bool = True,
        n_init: int = 3,
        batch_size: int = 1024,
        fs: Any = None,
        random_state: Any = None,
    ) -> None:
        self.descriptor = descriptor
        self.window = window
        self.step = step
        self.n_words = n_words
        self.tail = tail
        self.scale_descriptors = scale_descriptors
        self.n_init = n_init
        self.batch_size = batch_size
        self.fs = fs
        self.random_state = random_state

    def _caller(self) -> str:
        desc = "None" if self.descriptor is None else type(self.descriptor).__name__ + "(...)"
        return (
            f"BagOfWords(descriptor={desc}, window={self.window!r}, step={self.step!r}, "
            f"n_words={self.n_words!r})"
        )

    def _validate(self, caller: str) -> tuple[int, int]:
        window = _check_int(caller, "window", self.window, 1)
        step = max(1, window // 2) if self.step is None else _check_int(caller, "step", self.step, 1)
        _check_int(caller, "n_words", self.n_words, 2)
        _check_int(caller, "n_init", self.n_init, 1)
        _check_int(caller, "batch_size", self.batch_size, 1)
        _check_choice(caller, "tail", self.tail, _TAILS)
        d = self.descriptor
        if d is not None and not (hasattr(d, "fit") and hasattr(d, "transform") and hasattr(d, "get_params")):
            raise ValidationError(
                f"{caller}: descriptor must be None or a transformer with fit, transform and "
                f"get_params (e.g. a wavelens transformer); found {type(d).__name__}."
            )
        return window, step

    def _windows(self, data: Any, meta: CollectionMeta, caller: str) -> tuple[Any, WindowMap]:
        window, step = self._validate(caller)
        windows, wmap = _make_windows(
            data, meta, size=window, step=step, tail=self.tail, fill_value=0.0, caller=caller
        )
        if meta.fs is None:
            return windows, wmap
        fs = meta.fs if np.ndim(meta.fs) == 0 else np.asarray(meta.fs)[wmap.series]
        return SignalSet(windows, fs=fs), wmap

    def _describe(self, windows: Any, wmap: WindowMap, caller: str) -> np.ndarray:
        """One float64 descriptor row per window."""
        if self.descriptor_ is None:
            arr = windows.data if isinstance(windows, SignalSet) else windows
            return _znormalised(arr)
        out = self.descriptor_.transform(windows)
        if isinstance(out, list) or np.shape(out)[:1] != (wmap.n_windows,):
            raise ValidationError(
                f"{caller}: the descriptor {type(self.descriptor_).__name__} must return one "
                f"row per window ({wmap.n_windows} rows of equal size); found "
                f"{'a list' if isinstance(out, list) else f'shape {np.shape(out)!r}'}."
            )
        desc = np.asarray(out, dtype=np.float64).reshape(wmap.n_windows, -1)
        bad = np.flatnonzero(~np.isfinite(desc).all(axis=1))
        if bad.size:
            w = int(bad[0])
            raise ValidationError(
                f"{caller}: the descriptor {type(self.descriptor_).__name__} gave NaN or inf for "
                f"window {w} (start {int(wmap.start[w])}) of "
                f"{describe_series(int(wmap.series[w]), wmap.ids)}. Use a descriptor that is "
                "finite on every window (e.g. on constant windows)."
            )
        return desc

    def fit(self, X: Any, y: Any = None) -> "BagOfWords":
        """Learn the descriptor (if any), the column scaling and the vocabulary.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
            Training series; ragged lists are accepted.
        y : ignored

        Returns
        -------
        self
        """
        caller = self._caller()
        self._validate(caller)
        data, meta = check_collection(X, fs=self.fs, caller=caller)
        windows, wmap = self._windows(data, meta, caller)
        self.descriptor_ = None if self.descriptor is None else clone(self.descriptor).fit(windows)
        desc = self._describe(windows, wmap, caller)
        n_words = int(self.n_words)
        if wmap.n_windows < n_words:
            raise ValidationError(
                f"{caller}: n_words={n_words} needs at least {n_words} training windows, but the "
                f"{meta.n_series} series give {wmap.n_windows}. Use fewer words, a smaller "
                "window or step, or more series."
            )
        if self.scale_descriptors:
            self.descriptor_mean_ = desc.mean(axis=0)
            scale = desc.std(axis=0)
            self.descriptor_scale_ = np.where(scale > 1e-12 * (1.0 + np.abs(self.descriptor_mean_)), scale, 1.0)
            desc = (desc - self.descriptor_mean_) / self.descriptor_scale_
        else:
            self.descriptor_mean_ = np.zeros(desc.shape[1])
            self.descriptor_scale_ = np.ones(desc.shape[1])
        self.kmeans_ = MiniBatchKMeans(
            n_clusters=n_words,
            n_init=int(self.n_init),
            batch_size=int(self.batch_size),
            random_state=self.random_state,
        ).fit(desc)
        self.vocabulary_ = self.kmeans_.cluster_centers_
        self.n_channels_ = meta.n_channels
        self.n_windows_fit_ = wmap.n_windows
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Word histogram of every series.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray

        Returns
        -------
        ndarray of shape (n_series, n_words)
            Fraction of each series' windows assigned to each word (rows sum to 1);
            float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self, "kmeans_")
        caller = self._caller()
        data, meta = check_collection(X, fs=self.fs, caller=caller)
        if meta.n_channels != self.n_channels_:
            raise ValidationError(
                f"{caller}: fitted on series with {self.n_channels_} channels, but X has "
                f"{meta.n_channels}. Transform series with the channels seen in fit."
            )
        windows, wmap = self._windows(data, meta, caller)
        desc = (self._describe(windows, wmap, caller) - self.descriptor_mean_) / self.descriptor_scale_
        words = self.kmeans_.predict(desc)
        n_words = self.kmeans_.n_clusters
        counts = np.bincount(wmap.series * n_words + words, minlength=meta.n_series * n_words)
        hist = counts.reshape(meta.n_series, n_words).astype(np.float64)
        hist /= wmap.counts[:, np.newaxis]
        return hist.astype(meta.dtype, copy=False)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"window": 32, "step": 16, "n_words": 4, "random_state": 0},
            {"descriptor": SplineDerivative(), "window": 24, "n_words": 5, "tail": "drop", "random_state": 0},
        ]
