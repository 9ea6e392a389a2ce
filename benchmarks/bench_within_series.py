"""Anomalies within one long series: point-wise ROC AUC on the MBA ECG recordings.

Scores every sample of the three labelled ECG recordings of TSB-UAD with
:class:`wavelens.detect.SubsequenceDetector` (unsupervised self-join: window from the
dominant period, mean-centred windows, mean distance to the 30 nearest non-trivial
subsequences) and prints the point-wise ROC AUC beside the published TSB-UAD numbers.

Run: ``python benchmarks/bench_within_series.py [--data ../shared/data]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from wavelens.detect import SubsequenceDetector, find_period
from wavelens.evaluate import roc_auc
from wavelens.io import load

RECORDINGS = ("805", "806", "820")
TARGET = 0.95


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Samples and point labels of one recording, through wavelens.io."""
    try:
        ss = load(path, format="text-columns", label_column=1)
    except Exception as err:  # noqa: BLE001 - the reader is being reworked; still measure
        print(f"bench_within_series: wavelens.io.load failed on {path.name} ({type(err).__name__}: "
              f"{str(err)[:120]}); reading it with numpy.loadtxt instead.", file=sys.stderr)
        a = np.loadtxt(path, delimiter=",")
        return a[:, 0], a[:, 1].astype(np.int64)
    x = np.asarray(ss.to_numpy()[0] if hasattr(ss, "to_numpy") else ss[0], dtype=np.float64).reshape(-1)
    return x, np.asarray(ss.point_labels[0]).reshape(-1).astype(np.int64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args(argv)
    folder = args.data / "ecg-mba"
    if not folder.is_dir():
        print(f"bench_within_series: {str(folder)!r} does not exist; pass --data.", file=sys.stderr)
        return 2
    with open(folder / "published_auc_roc.csv", newline="") as fh:
        published = {row["filename"]: row for row in csv.DictReader(fh)}
    ours = []
    for rec in RECORDINGS:
        name = f"MBA_ECG{rec}_data.out"
        x, labels = _read(folder / name)
        det = SubsequenceDetector()
        t0 = time.perf_counter()
        scores = det.score_points(x)
        dt = time.perf_counter() - t0
        auc = float(roc_auc(labels, scores))
        ours.append(auc)
        pub = published.get(name, {})
        print(f"\nMBA_ECG{rec}: n_times={x.size}, anomalous samples {labels.mean():.1%}, period "
              f"{find_period(x, min_period=2)} samples")
        print(f"  {'method':<34} {'ROC AUC':>8} {'time (s)':>9}")
        print(f"  {'wavelens SubsequenceDetector':<34} {auc:>8.3f} {dt:>9.1f}")
        for method in ("NORMA", "MP", "IFOREST", "LOF", "AE", "PCA"):
            if method in pub:
                print(f"  {'TSB-UAD ' + method + ' (published)':<34} {float(pub[method]):>8.3f} {'':>9}")
    mean = float(np.mean(ours))
    pub_mean = {m: np.mean([float(published[f"MBA_ECG{r}_data.out"][m]) for r in RECORDINGS])
                for m in ("NORMA", "IFOREST", "LOF", "AE")}
    print(f"\nmean ROC AUC: wavelens {mean:.3f} (target >= {TARGET}); published means: "
          + ", ".join(f"{m} {v:.3f}" for m, v in pub_mean.items()))
    return 0 if mean >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
