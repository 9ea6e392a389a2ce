"""Nearest-neighbour distance under dynamic time warping (aeon's distance functions)."""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np

from .._optional import import_optional
from ..data import CollectionMeta
from ..exceptions import ValidationError
from ._base import BaseDetector, _check_choice, _check_int

__all__ = ["DTWKNN"]


class DTWKNN(BaseDetector):
    """Distance to the nearest training series under dynamic time warping.

    DTW aligns two series by stretching time locally before comparing them, so a
    normal pattern that arrives a little early or late stays close to the training
    series, while a shape never seen stays far. The distance is the square root of
    aeon's DTW cost (the sum of squared sample differences along the best warping
    path, channels summed: "dependent" DTW), restricted to a Sakoe–Chiba band.
    Series may differ in length.

    Parameters
    ----------
    n_neighbors : int, default=1
        k, >= 1 and below the number of training series.
    band : float or None, default=0.1
        Half-width of the Sakoe–Chiba band as a fraction of the series length, in
        [0, 1] (aeon's ``window=``): 0 is the Euclidean distance, None no band
        (full DTW, slower and more permissive).
    method : {"mean", "max"}, default="mean"
        Score as the mean of the k distances, or the k-th (largest) one.
    n_jobs : int, default=1
        Threads for aeon's pairwise distances (-1: all cores).
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    X_fit_ : ndarray of float64, shape (n_train, n_channels, n_times), or list of ndarray
        The training series (a list when their lengths differ).
    decision_scores_ : ndarray of float64, shape (n_train,)
        Leave-one-out: each training series against the others.
    threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector` (``n_times_`` is None).

    Notes
    -----
    Needs aeon (``pip install 'wavelens[aeon]'``). Fitting computes all
    ``n_train * (n_train - 1) / 2`` training distances and scoring ``n_series * n_train``
    distances, each costing about ``n_times * band * n_times`` operations: meant for
    hundreds to a few thousand series of moderate length.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import DTWKNN
    >>> t = np.linspace(0, 1, 100)
    >>> train = np.stack([np.sin(2 * np.pi * 3 * (t - s)) for s in np.linspace(0, 0.1, 8)])
    >>> shifted = np.sin(2 * np.pi * 3 * (t - 0.05))       # a normal shape, shifted in time
    >>> square = np.sign(np.sin(2 * np.pi * 3 * t))         # a shape never seen
    >>> det = DTWKNN(band=0.1).fit(train)
    >>> s = det.decision_function(np.stack([shifted, square]))
    >>> bool(s[1] > det.threshold_ > s[0])
    True
    """

    _tags = {"capability:ragged": True}

    def __init__(self, n_neighbors=1, *, band=0.1, method="mean", n_jobs=1, contamination=0.1):
        self.n_neighbors = n_neighbors
        self.band = band
        self.method = method
        self.n_jobs = n_jobs
        self.contamination = contamination

    def _caller(self) -> str:
        return f"DTWKNN(n_neighbors={self.n_neighbors!r}, band={self.band!r})"

    def _check_params(self) -> int:
        caller = self._caller()
        k = _check_int(self.n_neighbors, "n_neighbors", caller, 1)
        _check_choice(self.method, "method", ("mean", "max"), caller)
        if self.band is not None and (
            isinstance(self.band, bool) or not isinstance(self.band, Real) or not 0.0 <= self.band <= 1.0
        ):
            raise ValidationError(
                f"{caller}: band must be a fraction of the series length in [0, 1] or None, "
                f"found {self.band!r}."
            )
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs == 0 or self.n_jobs < -1:
            raise ValidationError(f"{caller}: n_jobs must be -1 or a positive integer, found {self.n_jobs!r}.")
        return k

    def _pairwise(self, X: Any, Y: Any = None) -> np.ndarray:
        distances = import_optional("aeon.distances", purpose=f"{self._caller()} (DTW distances)")
        band = None if self.band is None else float(self.band)
        with warnings.catch_warnings():
            # aeon's compiled DTW casts its band width between integer types (harmless)
            warnings.filterwarnings("ignore", message=".*unsafe cast.*")
            D = distances.dtw_pairwise_distance(X, Y, window=band, n_jobs=self.n_jobs)
        return np.sqrt(np.maximum(np.asarray(D, dtype=np.float64), 0.0))

    def _reduce(self, D: np.ndarray, k: int) -> np.ndarray:
        nearest = np.sort(np.partition(D, k - 1, axis=1)[:, :k], axis=1)
        return nearest.mean(axis=1) if self.method == "mean" else nearest[:, -1]

    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        k = self._check_params()
        if meta.n_series < k + 1:
            raise ValidationError(
                f"{self._caller()} needs at least {k + 1} training series (n_neighbors={k} plus "
                f"the series itself), but fit got {meta.n_series}. Fit on more normal series or "
                "lower n_neighbors."
            )
        self.X_fit_ = _float64(data)
        D = self._pairwise(self.X_fit_)
        np.fill_diagonal(D, np.inf)  # leave each training series out of its own neighbours
        return self._reduce(D, k)

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        k = self._check_params()
        return self._reduce(self._pairwise(_float64(data), self.X_fit_), k)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [{"n_neighbors": 3, "band": 0.1}, {"n_neighbors": 2, "band": 0.05, "method": "max"}]


def _float64(data: Any) -> Any:
    if isinstance(data, np.ndarray):
        return np.ascontiguousarray(data, dtype=np.float64)
    return [np.ascontiguousarray(s, dtype=np.float64) for s in data]
