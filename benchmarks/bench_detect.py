"""``wavelens detect``: its tuned default vs PyOD baselines, and the helicopter study at scale.

(a) One-class protocol on aeon's GunPoint and ItalyPowerDemand: for each class, fit on
    that class's training series, score every test series, ROC AUC with the other
    classes as anomalies; per class and mean. The wavelens default
    (:func:`wavelens.detect.default_detector`) side by side with PyOD's IForest,
    LOF, OCSVM, ECOD and KNN (default settings) on raw z-normalised series.
    Needs ``pip install pyod`` (the ``pyod`` extra).
(b) Helicopter scale: 1,677 normal training rows (``mains=0.4``) and 2,511 test rows
    (no mains, ~10 % anomalies of every kind incl. constant rows) × 61,440 samples at
    1,024 Hz, written under ``benchmarks/_data/``; ``wavelens detect`` runs end to end
    (parsing included) in a subprocess: wall time, peak RSS (RUSAGE_CHILDREN), AUC —
    for the default and for the study's best pipeline (PCA(10, whiten) + LOF(5) on raw rows).

    .venv/bin/python benchmarks/bench_detect.py                 # both, full size
    .venv/bin/python benchmarks/bench_detect.py --rows-scale 0.1 --skip-oneclass
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data" / "detect"


def _z(X: np.ndarray) -> np.ndarray:
    m = X.mean(-1, keepdims=True)
    s = X.std(-1, keepdims=True)
    s[s == 0] = 1.0
    return (X - m) / s


def one_class() -> None:
    from aeon.datasets import load_gunpoint, load_italy_power_demand

    from wavelens.detect import default_detector
    from wavelens.evaluate import roc_auc

    try:
        from pyod.models.ecod import ECOD
        from pyod.models.iforest import IForest
        from pyod.models.knn import KNN
        from pyod.models.lof import LOF
        from pyod.models.ocsvm import OCSVM
    except ImportError:
        sys.exit("bench_detect (a) needs PyOD: pip install 'wavelens[pyod]'")
    baselines = {"pyod IForest": lambda: IForest(random_state=0), "pyod LOF": LOF, "pyod OCSVM": OCSVM,
                 "pyod ECOD": ECOD, "pyod KNN": KNN}
    print("(a) one-class protocol: ROC AUC per normal class, mean")
    for loader in (load_gunpoint, load_italy_power_demand):
        Xtr, ytr = loader(split="train")
        Xte, yte = loader(split="test")
        Xtr, Xte = Xtr.astype(np.float64), Xte.astype(np.float64)
        res: dict[str, list[float]] = {}
        for cls in np.unique(ytr):
            tr = Xtr[ytr == cls]
            lab = (yte != cls).astype(int)
            det = default_detector(fs=None, n_times=Xtr.shape[-1])
            res.setdefault("wavelens default", []).append(roc_auc(lab, det.fit(tr).decision_function(Xte)))
            for name, make in baselines.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    m = make().fit(_z(tr)[:, 0])
                    res.setdefault(name, []).append(roc_auc(lab, m.decision_function(_z(Xte)[:, 0])))
        print(f"\n{loader.__name__.replace('load_', '')}: train {Xtr.shape}, test {Xte.shape}")
        print(f"  {'detector':18s} {'mean':>6s}  per class")
        best = max(np.mean(v) for k, v in res.items() if k.startswith("pyod"))
        for name, v in res.items():
            print(f"  {name:18s} {np.mean(v):6.3f}  {' '.join(f'{a:.3f}' for a in v)}")
        print(f"  default - best PyOD: {np.mean(res['wavelens default']) - best:+.3f}")


def _write(path: Path, X: np.ndarray, fmt: str) -> None:
    if fmt == "npy":
        np.save(path, X)
        return
    with open(path, "w") as fh:  # in blocks: one formatted block per write
        for a in range(0, len(X), 32):
            np.savetxt(fh, X[a:a + 32], fmt="%.5f", delimiter=" ")


def make_data(scale: float, fmt: str) -> tuple[Path, Path, Path]:
    from wavelens.datasets import make_vibration

    n_train, n_test = max(20, int(1677 * scale)), max(20, int(2511 * scale))
    DATA.mkdir(parents=True, exist_ok=True)
    tag = f"{n_train}x{n_test}"
    paths = DATA / f"train_{tag}.{fmt}", DATA / f"test_{tag}.{fmt}", DATA / f"labels_{tag}.txt"
    if all(p.exists() for p in paths):
        return paths
    t0 = time.perf_counter()
    for path, kwargs, n in ((paths[0], dict(mains=0.4, random_state=1), n_train),
                            (paths[1], dict(anomaly_fraction=0.1, random_state=2), n_test)):
        blocks, labels = [], []
        for a in range(0, n, 256):  # generate in blocks; records are seeded per block
            s = make_vibration(min(256, n - a), random_state=kwargs["random_state"] * 1000 + a,
                               **{k: v for k, v in kwargs.items() if k != "random_state"})
            blocks.append(s.to_numpy()[:, 0])
            labels.append(s.labels)
        _write(path, np.concatenate(blocks), fmt)
        if path is paths[1]:
            np.savetxt(paths[2], np.concatenate(labels), fmt="%d")
    print(f"generated {n_train} train / {n_test} test rows in {time.perf_counter() - t0:.0f} s")
    return paths


def scale_run(scale: float, fmt: str) -> None:
    train, test, labels = make_data(scale, fmt)
    configs = {"default": None, "pca10+lof5 (study best)": ROOT / "examples/helicopter/configs/pca_lof.toml"}
    print(f"\n(b) helicopter scale: {train.name} / {test.name}, 61,440 samples per row, end to end")
    print(f"  {'config':26s} {'wall s':>7s} {'peak RSS GB':>11s} {'ROC AUC':>8s} {'PR AUC':>7s}")
    for name, cfg in configs.items():
        out = DATA / f"scores_{name.split()[0]}.txt"
        run_dir = DATA / f"run_{name.split()[0]}"
        cmd = [sys.executable, "-m", "wavelens", "detect", "--train", str(train), "--test", str(test),
               "--labels", str(labels), "--fs", "1024", "--out", str(out), "--run-dir", str(run_dir)]
        if cfg is not None:
            cmd += ["--config", str(cfg)]
        # RUSAGE_CHILDREN's maxrss is the largest child so far; run each in a fresh helper
        probe = ("import resource, subprocess, sys, time, json; t=time.perf_counter(); "
                 "r=subprocess.run(sys.argv[1:]); "
                 "print(json.dumps([r.returncode, time.perf_counter()-t, "
                 "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
        r = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
        try:
            code, wall, rss_kb = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            print(f"  {name:26s} failed: {r.stderr.strip().splitlines()[-1:]}")
            continue
        if code != 0:
            print(f"  {name:26s} failed (exit {code}): {r.stderr.strip().splitlines()[-1:]}")
            continue
        m = json.loads((run_dir / "metrics.json").read_text())
        print(f"  {name:26s} {wall:7.1f} {rss_kb / 1e6:11.2f} {m['roc_auc']:8.3f} {m['pr_auc']:7.3f}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows-scale", type=float, default=1.0, help="fraction of the study's row counts")
    p.add_argument("--data-format", choices=("txt", "npy"), default="txt")
    p.add_argument("--skip-oneclass", action="store_true")
    p.add_argument("--skip-scale", action="store_true")
    args = p.parse_args(argv)
    if not args.skip_oneclass:
        one_class()
    if not args.skip_scale:
        scale_run(args.rows_scale, args.data_format)


if __name__ == "__main__":
    main()
