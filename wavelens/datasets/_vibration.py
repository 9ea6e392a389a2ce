"""A simulator of helicopter accelerometer records (source study 2), documented and seeded.

The Airbus challenge data cannot be shipped, so wavelens simulates records with the
features that made the study hard:

* **rotor harmonics**: a shaft frequency ``f0`` (about 21.5 Hz, jittered per record by
  the flight regime) and its first six harmonics with power-law amplitudes, plus a
  gearbox mesh line at ``5.3 f0`` and a slow amplitude modulation (0.1–0.4 Hz);
* **broadband noise**: coloured (first-order autoregressive, coefficient 0.7);
* **a global shift between campaigns**: ``mains`` adds 50 Hz and 100 Hz lines, strong in
  the training campaign and absent in the test one, as the study saw;
* **anomalies** of several kinds (``ANOMALY_KINDS``): ``harmonic`` (a new line at a
  non-harmonic frequency between 60 and 300 Hz), ``burst`` (5–20 impacts ringing at
  150–400 Hz), ``drift`` (a slow drift of the mean), ``clip`` (saturation at 55–80 % of
  the peak), ``noise`` (broadband noise 2–3× stronger), ``constant`` (a dead sensor:
  one constant value, as test rows 2019 and 2433 of the study).

Every record draws its parameters from its own generator, spawned from
``random_state``: the same seed gives the same records, whatever the chunking.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from ..data import SignalSet
from ..exceptions import ValidationError

__all__ = ["make_vibration", "VIBRATION_ANOMALY_KINDS"]

VIBRATION_ANOMALY_KINDS = ("harmonic", "burst", "drift", "clip", "noise", "constant")


def _record(rng: np.random.Generator, t: np.ndarray, fs: float, mains: float, kind: str) -> np.ndarray:
    n = t.size
    f0 = 21.5 * (1.0 + 0.01 * rng.standard_normal())
    x = np.zeros(n)
    for k in range(1, 7):
        amp = k ** -0.8 * rng.lognormal(0.0, 0.2)
        x += amp * np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi))
    x += 0.25 * rng.lognormal(0.0, 0.3) * np.sin(2 * np.pi * 5.3 * f0 * t + rng.uniform(0, 2 * np.pi))
    fm = rng.uniform(0.1, 0.4)
    x *= 1.0 + 0.1 * np.sin(2 * np.pi * fm * t + rng.uniform(0, 2 * np.pi))
    noise_sd = 0.3 * rng.lognormal(0.0, 0.15)
    if kind == "noise":
        noise_sd *= rng.uniform(2.0, 3.0)
    white = rng.standard_normal(n)
    x += noise_sd * np.sqrt(1 - 0.7**2) * lfilter([1.0], [1.0, -0.7], white)
    if mains > 0:
        x += mains * (np.sin(2 * np.pi * 50.0 * t + rng.uniform(0, 2 * np.pi))
                      + 0.5 * np.sin(2 * np.pi * 100.0 * t + rng.uniform(0, 2 * np.pi)))
    if kind == "harmonic":
        while True:
            f = rng.uniform(60.0, 300.0)
            if np.min(np.abs(f / f0 - np.round(f / f0))) > 0.2:
                break
        x += rng.uniform(0.25, 0.5) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    elif kind == "burst":
        fr = rng.uniform(150.0, 400.0)
        ring = np.arange(int(0.05 * fs)) / fs
        pulse = np.exp(-ring / 0.008) * np.sin(2 * np.pi * fr * ring)
        impacts = np.zeros(n)
        pos = rng.integers(0, n - ring.size, size=int(rng.integers(5, 21)))
        impacts[pos] = rng.uniform(1.5, 3.0, size=pos.size) * rng.choice([-1.0, 1.0], size=pos.size)
        x += np.convolve(impacts, pulse)[:n]
    elif kind == "drift":
        x += rng.uniform(0.8, 1.5) * rng.choice([-1.0, 1.0]) * (t / t[-1]) ** rng.uniform(1.0, 2.0)
    elif kind == "clip":
        lim = rng.uniform(0.55, 0.8) * np.abs(x).max()
        np.clip(x, -lim, lim, out=x)
    elif kind == "constant":
        x[:] = round(float(rng.normal(0.0, 0.01)), 4)
    return x


def make_vibration(
    n_series: int = 100,
    *,
    n_times: int = 61_440,
    fs: float = 1024.0,
    anomaly_fraction: float = 0.0,
    kinds: Sequence[str] = VIBRATION_ANOMALY_KINDS,
    mains: float = 0.0,
    id_prefix: str = "",
    dtype: Any = np.float32,
    random_state: int | None = None,
) -> SignalSet:
    """Simulate helicopter accelerometer records (one channel, one minute at 1,024 Hz).

    Parameters
    ----------
    n_series : int, default=100
        Number of records.
    n_times : int, default=61440
        Samples per record (61,440 = one minute at 1,024 Hz, as in the study).
    fs : float, default=1024.0
        Sampling rate in Hz.
    anomaly_fraction : float, default=0.0
        Fraction of records made abnormal (rounded; at least one if > 0). Their kinds
        cycle through ``kinds``; which records they are is random.
    kinds : sequence of str, default=VIBRATION_ANOMALY_KINDS
        Anomaly kinds to use, from ``VIBRATION_ANOMALY_KINDS``.
    mains : float, default=0.0
        Amplitude of the 50 Hz line (100 Hz at half of it); the study's training
        campaign had strong ones (use e.g. 0.4) and its test campaign none.
    id_prefix : str, default=""
        Ids are ``f"{id_prefix}{i:05d}"``.
    dtype : numpy dtype, default=float32
    random_state : int, optional
        Seed; the same seed gives the same records.

    Returns
    -------
    SignalSet
        ``(n_series, 1, n_times)`` with ``fs``, ``labels`` (1 = abnormal) and a
        metadata column ``anomaly`` holding the kind (``""`` for normal records).

    Examples
    --------
    >>> from wavelens.datasets import make_vibration
    >>> s = make_vibration(6, n_times=2048, anomaly_fraction=0.5, random_state=0)
    >>> s.to_numpy().shape, int(s.labels.sum())
    ((6, 1, 2048), 3)
    """
    if n_series < 1:
        raise ValidationError(f"make_vibration: n_series must be >= 1, found {n_series!r}.")
    if n_times < 64:
        raise ValidationError(f"make_vibration: n_times must be >= 64, found {n_times!r}.")
    if not 0.0 <= anomaly_fraction <= 1.0:
        raise ValidationError(f"make_vibration: anomaly_fraction must be in [0, 1], found {anomaly_fraction!r}.")
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in VIBRATION_ANOMALY_KINDS]
    if unknown or not kinds:
        raise ValidationError(
            f"make_vibration: kinds must be a non-empty subset of {VIBRATION_ANOMALY_KINDS!r}, found {kinds!r}."
        )
    seq = np.random.SeedSequence(random_state)
    pick_rng = np.random.default_rng(seq.spawn(1)[0])
    n_bad = 0 if anomaly_fraction == 0 else max(1, int(round(anomaly_fraction * n_series)))
    bad = np.sort(pick_rng.choice(n_series, size=n_bad, replace=False))
    kind_of = np.array([""] * n_series, dtype=object)
    kind_of[bad] = [kinds[j % len(kinds)] for j in range(n_bad)]
    row_seqs = seq.spawn(n_series)
    t = np.arange(n_times) / fs
    X = np.empty((n_series, 1, n_times), dtype=dtype)
    for i in range(n_series):
        X[i, 0] = _record(np.random.default_rng(row_seqs[i]), t, fs, mains, kind_of[i])
    labels = (kind_of != "").astype(np.int64)
    return SignalSet(
        X,
        fs=fs,
        ids=[f"{id_prefix}{i:05d}" for i in range(n_series)],
        channels=["accel"],
        labels=labels,
        metadata=pd.DataFrame({"anomaly": kind_of.astype(str)}),
    )
