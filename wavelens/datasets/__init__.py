"""Data that ships with wavelens, and documented simulators.

* :func:`load_demo` / :func:`demo_path`: a small vibration dataset in the package (40
  simulated helicopter-style records, 2 s at 1,024 Hz; 24 normal training records with
  the training campaign's 50/100 Hz lines, and 16 test records without them, 8 of them
  abnormal). It is made by ``scripts/make_demo_data.py`` from :func:`make_vibration`,
  so it can be regenerated and checked bit for bit.
* :func:`make_vibration`: the helicopter accelerometer simulator (source study 2).
* :func:`make_power_spectra`: power spectra of solar-like oscillators (source study 4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..data import SignalSet
from ._spectra import make_power_spectra
from ._vibration import VIBRATION_ANOMALY_KINDS, make_vibration

__all__ = [
    "demo_path",
    "load_demo",
    "make_demo",
    "make_vibration",
    "make_power_spectra",
    "VIBRATION_ANOMALY_KINDS",
]

_DEMO_FILE = "vibration_demo.npz"
_DEMO_SEED = 20261123


def demo_path() -> Path:
    """Path of the shipped demo file (a ``.npz`` that ``wavelens.io.load`` reads)."""
    return Path(__file__).parent / "data" / _DEMO_FILE


def make_demo() -> SignalSet:
    """Simulate the demo dataset from scratch (what the shipped file holds).

    Returns
    -------
    SignalSet
        40 records ``(40, 1, 2048)`` at 1,024 Hz; metadata columns ``split``
        (``"train"``/``"test"``) and ``anomaly`` (the kind, ``""`` for normal).
    """
    train = make_vibration(24, n_times=2048, mains=0.4, id_prefix="train_", random_state=_DEMO_SEED)
    test = make_vibration(
        16, n_times=2048, anomaly_fraction=0.5, id_prefix="test_", random_state=_DEMO_SEED + 1
    )
    train.metadata.insert(0, "split", "train")
    test.metadata.insert(0, "split", "test")
    return SignalSet.concat([train, test])


def load_demo() -> SignalSet:
    """Load the shipped demo dataset (see :func:`make_demo` for what it is).

    Examples
    --------
    >>> from wavelens.datasets import load_demo
    >>> s = load_demo()
    >>> len(s), s.fs, int(s.labels.sum())
    (40, 1024.0, 8)
    """
    with np.load(demo_path(), allow_pickle=False) as z:
        return SignalSet(
            z["X"],
            fs=float(z["fs"]),
            ids=z["ids"].tolist(),
            channels=["accel"],
            labels=z["labels"],
            metadata=pd.DataFrame({"split": z["split"], "anomaly": z["anomaly"]}),
        )
