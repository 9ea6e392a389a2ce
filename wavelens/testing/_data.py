"""Synthetic collections for tests: realistic enough to exercise real behaviour."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import SignalSet, check_collection
from ..exceptions import ValidationError

__all__ = ["make_collection", "plant_anomalies", "ANOMALY_KINDS"]

ANOMALY_KINDS = ("spike", "burst", "tone", "constant", "drift", "clip")


def make_collection(
    n_series: int = 20,
    n_channels: int = 1,
    n_times: int = 512,
    *,
    fs: float = 100.0,
    ragged: bool = False,
    min_times: int | None = None,
    n_classes: int = 0,
    noise: float = 0.3,
    dtype: Any = np.float32,
    random_state: int | None = None,
) -> SignalSet:
    """A collection of noisy multi-tone series, optionally ragged and labelled.

    Each series is a sum of two sinusoids (frequencies between 2 % and 20 % of
    ``fs``, per-series random phase and amplitude, a different frequency per
    channel) plus Gaussian noise. With ``n_classes > 0`` the class sets the base
    frequency, so classes are separable by their spectra.

    Parameters
    ----------
    n_series : int, default=20
    n_channels : int, default=1
    n_times : int, default=512
        Length of every series, or the longest one when ``ragged``.
    fs : float, default=100.0
        Sampling rate in Hz.
    ragged : bool, default=False
        If True, lengths are drawn uniformly in ``[min_times, n_times]``.
    min_times : int, optional
        Shortest length when ragged; default ``n_times // 2``.
    n_classes : int, default=0
        Number of classes; 0 for no labels.
    noise : float, default=0.3
        Standard deviation of the additive Gaussian noise.
    dtype : numpy dtype, default=float32
    random_state : int, optional
        Seed; the same seed gives the same collection.

    Returns
    -------
    SignalSet
        With ``fs``, ids ``"s000", "s001", ...`` and ``labels`` when ``n_classes > 0``.
    """
    rng = np.random.default_rng(random_state)
    if ragged:
        lo = n_times // 2 if min_times is None else int(min_times)
        if not 1 <= lo <= n_times:
            raise ValidationError(f"make_collection: min_times must be in [1, {n_times}], found {lo!r}.")
        lengths = rng.integers(lo, n_times + 1, size=n_series)
    else:
        lengths = np.full(n_series, n_times)
    labels = rng.integers(0, n_classes, size=n_series) if n_classes > 0 else None
    series = []
    for i in range(n_series):
        t = np.arange(lengths[i]) / fs
        base = 0.02 + 0.18 * (
            (labels[i] + 0.5) / n_classes if labels is not None else rng.random()
        )
        x = np.empty((n_channels, lengths[i]))
        for c in range(n_channels):
            f1 = base * fs * (1 + 0.15 * c)
            f2 = f1 * (2.0 + 0.3 * rng.random())
            a1, a2 = 1.0 + 0.2 * rng.standard_normal(), 0.5 * rng.random()
            p1, p2 = rng.uniform(0, 2 * np.pi, 2)
            x[c] = (
                a1 * np.sin(2 * np.pi * f1 * t + p1)
                + a2 * np.sin(2 * np.pi * f2 * t + p2)
                + noise * rng.standard_normal(lengths[i])
            )
        series.append(x.astype(dtype))
    data: Any = np.stack(series) if not ragged else series
    ids = [f"s{i:03d}" for i in range(n_series)]
    return SignalSet(data, fs=fs, ids=ids, labels=labels)


def plant_anomalies(
    X: Any,
    *,
    n_anomalies: int = 1,
    kind: str = "burst",
    indices: Any = None,
    strength: float = 6.0,
    random_state: int | None = None,
) -> tuple[SignalSet, np.ndarray]:
    """Copy a collection and make some series abnormal.

    Parameters
    ----------
    X : SignalSet, ndarray or list of ndarray
    n_anomalies : int, default=1
        How many series to alter (ignored when ``indices`` is given).
    kind : {"spike", "burst", "tone", "constant", "drift", "clip"}, default="burst"
        ``spike``: a few single-sample spikes; ``burst``: a decaying oscillation over a
        tenth of the series; ``tone``: an added sinusoid at a new frequency;
        ``constant``: the series becomes flat (a dead sensor); ``drift``: a slow
        ramp; ``clip``: saturation at a fifth of the range.
    indices : array-like of int, optional
        Which series to alter; by default drawn at random.
    strength : float, default=6.0
        Size of the anomaly in units of the series' standard deviation.
    random_state : int, optional

    Returns
    -------
    signal_set : SignalSet
        A copy, with ``labels`` set to 1 for the altered series and 0 otherwise.
    indices : ndarray of int
        The altered series.
    """
    if kind not in ANOMALY_KINDS:
        raise ValidationError(f"plant_anomalies: kind must be one of {ANOMALY_KINDS!r}, found {kind!r}.")
    data, meta = check_collection(X, caller="plant_anomalies")
    rng = np.random.default_rng(random_state)
    series = [np.array(s, copy=True) for s in data]
    if indices is None:
        indices = rng.choice(meta.n_series, size=n_anomalies, replace=False)
    indices = np.asarray(indices, dtype=np.int64)
    for i in indices:
        x = series[i]
        n = x.shape[1]
        sd = float(x.std()) or 1.0
        mu = x.mean(axis=1, keepdims=True)
        if kind == "spike":
            pos = rng.integers(0, n, size=max(1, n // 200))
            x[:, pos] += strength * sd * rng.choice([-1.0, 1.0], size=pos.size)
        elif kind == "burst":
            w = max(4, n // 10)
            start = int(rng.integers(0, n - w + 1))
            tt = np.arange(w)
            x[:, start : start + w] += strength * sd * np.exp(-5.0 * tt / w) * np.sin(2 * np.pi * 0.23 * tt)
        elif kind == "tone":
            t = np.arange(n)
            x += 0.5 * strength * sd * np.sin(2 * np.pi * 0.37 * t + rng.uniform(0, 2 * np.pi))
        elif kind == "constant":
            x[:] = mu
        elif kind == "drift":
            x += strength * sd * np.linspace(0.0, 1.0, n)
        elif kind == "clip":
            lim = 0.2 * np.abs(x - mu).max()
            np.clip(x, mu - lim, mu + lim, out=x)
        series[i] = x.astype(meta.dtype, copy=False)
    labels = np.zeros(meta.n_series, dtype=np.int64)
    labels[indices] = 1
    out: Any = np.stack(series) if meta.is_equal_length else series
    return SignalSet(out, fs=meta.fs, ids=meta.ids, labels=labels), indices
