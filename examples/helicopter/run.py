"""Helicopter vibration anomalies (source study 2) as ``wavelens detect`` configurations.

Simulates the study's data with :func:`wavelens.datasets.make_vibration` (training
campaign with 50/100 Hz mains lines, test campaign without, ~10 % anomalies of six
kinds including constant rows), writes them as space-separated text files (one record
per row, as the challenge shipped them), runs ``wavelens detect`` once per
configuration in ``configs/`` and prints a table of ROC/PR AUCs. Each configuration
gets a run folder ``OUT/<config>/`` with its ``report.html`` (ROC and PR curves, score
histograms, an explorer of the test rows coloured by score and label; for
``stft_vae`` also test rows beside the VAE's reconstructions).

    python examples/helicopter/run.py --out helicopter-run          # 300 train / 400 test rows
    python examples/helicopter/run.py --small --out /tmp/heli        # CI size
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from wavelens.cli import main as wavelens_main
from wavelens.datasets import make_vibration

HERE = Path(__file__).resolve().parent


def write_rows(path: Path, X: np.ndarray) -> None:
    """Space-separated text, one record per row (the challenge's format)."""
    with open(path, "w") as fh:
        for start in range(0, len(X), 64):
            np.savetxt(fh, X[start:start + 64], fmt="%.5f", delimiter=" ")


def main(argv: list[str] | None = None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("helicopter-run"))
    p.add_argument("--small", action="store_true", help="a few seconds: short records, few rows")
    p.add_argument("--data-format", choices=("txt", "npy"), default="txt",
                   help="write the records as text rows (the study's format) or .npy")
    p.add_argument("--configs", nargs="*", default=None, help="config names (default: all in configs/)")
    p.add_argument("--config-files", nargs="*", type=Path, default=[],
                   help="more configuration files to run (e.g. a smaller VAE); each run is named by its file stem")
    args = p.parse_args(argv)
    n_train, n_test, n_times = (60, 60, 8192) if args.small else (300, 400, 61_440)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    train = make_vibration(n_train, n_times=n_times, mains=0.4, random_state=1)
    test = make_vibration(n_test, n_times=n_times, anomaly_fraction=0.1, random_state=2)
    ext = args.data_format
    for name, s in (("train", train), ("test", test)):
        if ext == "txt":
            write_rows(out / f"{name}.txt", s.to_numpy()[:, 0])
        else:
            np.save(out / f"{name}.npy", s.to_numpy()[:, 0])
    np.savetxt(out / "labels.txt", test.labels, fmt="%d")
    if args.configs is None and args.config_files:
        args.configs = []
    names = args.configs if args.configs is not None else sorted(c.stem for c in (HERE / "configs").glob("*.toml"))
    files = [HERE / "configs" / f"{name}.toml" for name in names] + list(args.config_files)
    rows = []
    for config in files:
        name = config.stem
        run_dir = out / name  # a run folder: status.json, scores, figures, explorer.npz and report.html
        t0 = time.perf_counter()
        code = wavelens_main(["detect", "--config", str(config),
                              "--train", str(out / f"train.{ext}"), "--test", str(out / f"test.{ext}"),
                              "--labels", str(out / "labels.txt"), "--fs", "1024",
                              "--out", str(run_dir / "scores.txt"), "--run-dir", str(run_dir)])
        seconds = time.perf_counter() - t0
        if code != 0:
            rows.append((name, float("nan"), float("nan"), seconds, f"failed (exit {code})"))
            continue
        m = json.loads((run_dir / "metrics.json").read_text())
        rows.append((name, m["roc_auc"], m["pr_auc"], seconds, "ok"))
    summary = {r[0]: {"roc_auc": r[1], "pr_auc": r[2], "seconds": round(r[3], 2), "status": r[4]} for r in rows}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{'config':24s} {'ROC AUC':>8s} {'PR AUC':>8s} {'seconds':>8s}  status")
    for name, roc, pr, s, status in rows:
        print(f"{name:24s} {roc:8.3f} {pr:8.3f} {s:8.1f}  {status}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
