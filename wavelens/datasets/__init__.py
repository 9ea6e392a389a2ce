"""Data that ships with wavelens, and documented simulators.

* :func:`load_demo` / :func:`demo_path`: a small vibration dataset in the package (40
  simulated helicopter-style records, 2 s at 1,024 Hz; 24 normal training records with
  the training campaign's 50/100 Hz lines, and 16 test records without them, 8 of them
  abnormal). It is made by ``scripts/make_demo_data.py`` from :func:`make_vibration`,
  so it can be regenerated and checked bit for bit.
* :func:`make_vibration_demo`: what ``wavelens demo`` runs on — a larger simulated
  fleet (480 records by default, 120 of them abnormal, six kinds), made on the fly by
  the same simulator, so that clusters of records mean something.
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
    "make_vibration_demo",
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


def make_vibration_demo(
    n_train: int = 240,
    n_test: int = 240,
    *,
    n_times: int = 2048,
    anomaly_fraction: float = 0.5,
    random_state: int | None = _DEMO_SEED,
) -> SignalSet:
    """Simulate the records ``wavelens demo`` works on: two campaigns and six kinds of fault.

    Training records come from the campaign with strong 50/100 Hz lines (``mains=0.4``)
    and are all normal; test records come from the other campaign (no mains lines) and
    ``anomaly_fraction`` of them are abnormal, the kinds of
    :data:`VIBRATION_ANOMALY_KINDS` in turn (harmonic, burst, drift, clip, noise,
    constant). So the records fall into groups an embedding should separate: the two
    campaigns' normal records and each kind of fault.

    Parameters
    ----------
    n_train, n_test : int, default=240
        Number of training (normal) and test records, each >= 1.
    n_times : int, default=2048
        Samples per record (2 s at 1,024 Hz).
    anomaly_fraction : float, default=0.5
        Fraction of the test records made abnormal.
    random_state : int, optional
        Seed (default: the demo's); the same seed gives the same records.

    Returns
    -------
    SignalSet
        ``(n_train + n_test, 1, n_times)`` float32 at 1,024 Hz, ids ``train_00000``...
        and ``test_00000``..., ``labels`` (1 = abnormal), metadata columns ``split``
        (``"train"``/``"test"``), ``anomaly`` (the kind, ``""`` if normal) and ``kind``
        (``"normal (train campaign)"``, ``"normal (test campaign)"`` or the fault).

    Examples
    --------
    >>> from wavelens.datasets import make_vibration_demo
    >>> s = make_vibration_demo(12, 12, random_state=0)
    >>> len(s), int(s.labels.sum()), sorted(set(s.metadata["split"]))
    (24, 6, ['test', 'train'])
    """
    seq = np.random.SeedSequence(random_state)
    a, b = (int(x.generate_state(1)[0]) for x in seq.spawn(2))
    train = make_vibration(n_train, n_times=n_times, mains=0.4, id_prefix="train_", random_state=a)
    test = make_vibration(n_test, n_times=n_times, anomaly_fraction=anomaly_fraction, id_prefix="test_",
                          random_state=b)
    for part, split in ((train, "train"), (test, "test")):
        part.metadata.insert(0, "split", split)
        part.metadata["kind"] = np.where(part.metadata["anomaly"] == "", f"normal ({split} campaign)",
                                         part.metadata["anomaly"])
    return SignalSet.concat([train, test])
