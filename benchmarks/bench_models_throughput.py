"""Long 3-channel series on a CPU: ConvLSTMAutoencoder with stride 1 (reference) vs the strided default.

The issue's reference: Conv1d(3→32→64→64) + 2-layer LSTM(64) over 512 series × 3 × 4,096
samples ran at 12.6 series/s (40 s per epoch) when the LSTM steps over every raw sample.
Target: the strided default (the convolutional block shortens the sequence before the
LSTM, mirrored in the decoder) at ≥ 5× that throughput, with equal or lower
reconstruction error after the same number of epochs.

Data: real seismograms — 4,096-sample, 3-component windows at random offsets (seeded)
from the ObsPy test recordings longer than 4,096 samples (STN and MEMA at 250 Hz, CER at
150 Hz, JMI at 50 Hz), each window standardised by the embedder. Both models see the same
windows, batches, seed, learning rate and epochs; the table gives training series per
second (from the loop's own per-epoch timing) and the mean reconstruction error of every
window after training (standardised units).

    .venv/bin/python benchmarks/bench_models_throughput.py                     # 128 series, 3 epochs
    .venv/bin/python benchmarks/bench_models_throughput.py --n-series 512 --epochs 5
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

REFERENCE_SERIES_PER_S = 12.6
SOURCES = [
    ("io/kinemetrics/tests/data/STNA.20020722.044649.evt.gz", 3),
    ("io/kinemetrics/tests/data/BI008_MEMA-04823.evt", 3),
    ("io/seisan/tests/data/2005-07-23-1452-04S.CER___030", 3),
    ("io/seisan/tests/data/90010319.1320J90", 3),
]


CACHE = Path(__file__).resolve().parent / "_data" / "models"


def seismic_windows(n_series: int, n_times: int = 4096, seed: int = 0) -> np.ndarray:
    """``(n_series, 3, n_times)`` float32 windows cut from real 3-component recordings.

    Cached under ``benchmarks/_data/models/`` (git-ignored), so a machine without ObsPy
    (e.g. a GPU box) can run the benchmarks on the same windows.
    """
    cache = CACHE / f"seismic_{n_series}x3x{n_times}_seed{seed}.npy"
    if cache.exists():
        return np.load(cache)
    import obspy

    root = os.path.dirname(obspy.__file__)
    records = []
    for rel, n in SOURCES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            st = obspy.read(os.path.join(root, rel))[:n]
        st.detrend("demean")
        m = min(tr.stats.npts for tr in st)
        if m >= n_times:
            records.append(np.stack([tr.data[:m] for tr in st]).astype(np.float32))
    rng = np.random.default_rng(seed)
    out = np.empty((n_series, 3, n_times), np.float32)
    for i in range(n_series):
        r = records[i % len(records)]
        s = int(rng.integers(0, r.shape[1] - n_times + 1))
        out[i] = r[:, s:s + n_times]
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, out)
    return out


def run(X: np.ndarray, strides, *, epochs: int, seed: int, threads: int | None, device: str, batch_size: int = 32,
        lr: float = 1e-3, lr_schedule: str | None = None) -> dict:
    from wavelens.models import AutoencoderEmbedder

    params = dict(conv_channels=(32, 64, 64), kernel_size=7, hidden_size=64, num_layers=2)
    if strides is not None:
        params["strides"] = tuple(strides)
    emb = AutoencoderEmbedder(model="convlstm-ae", model_params=params, epochs=epochs, batch_size=batch_size, lr=lr,
                              validation_fraction=0.0, patience=epochs + 1, random_state=seed, lr_schedule=lr_schedule,
                              num_threads=threads, device=device)
    t0 = time.perf_counter()
    emb.fit(X)
    wall = time.perf_counter() - t0
    secs = np.array([h["seconds"] for h in emb.history_])
    err = float(np.mean(emb.reconstruction_error(X)))
    return dict(strides="default" if strides is None else tuple(strides),
                net_strides=emb.module_.config.get("strides"),
                epoch_s=float(secs.mean()), best_epoch_s=float(secs.min()), series_per_s=len(X) / float(secs.mean()),
                error=err, wall=wall, losses=[round(float(h["train_loss"]), 5) for h in emb.history_])


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-series", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-schedule", choices=("cosine", "plateau"), default=None,
                    help="cosine: anneal to 0 over the epochs, so both models end at a settled loss rather than "
                         "wherever the last noisy step left them")
    ap.add_argument("--data", choices=("seismic", "tones"), default="seismic",
                    help="real seismic windows, or wavelens.testing.make_collection's noisy multi-tone series "
                         "(structure an autoencoder can learn in a few epochs)")
    ap.add_argument("--per-series", action="store_true",
                    help="z-normalise each window first (the recordings' amplitudes differ by orders of magnitude)")
    ap.add_argument("--strides", nargs="*", default=["1,1,1", "default"],
                    help="stride settings to compare, e.g. 1,1,1 2,2,2 4,4,4 default")
    args = ap.parse_args(argv)
    if args.data == "tones":
        from wavelens.testing import make_collection

        X = make_collection(args.n_series, 3, 4096, fs=100.0, random_state=args.seed).to_numpy()
    else:
        X = seismic_windows(args.n_series, seed=args.seed)
    if args.per_series:
        X = (X - X.mean(axis=2, keepdims=True)) / (X.std(axis=2, keepdims=True) + 1e-6)
    what = "real seismic windows" if args.data == "seismic" else "noisy multi-tone series (make_collection)"
    print(f"{X.shape[0]} {what} × 3 × {X.shape[2]} samples; {args.epochs} epochs, batch {args.batch_size}, "
          f"lr {args.lr:g}{' cosine' if args.lr_schedule == 'cosine' else ''}, "
          f"{'per-window z-normalised, ' if args.per_series else ''}"
          f"device {args.device}, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for text in args.strides:
        strides = None if text == "default" else [int(v) for v in text.split(",")]
        rows.append(run(X, strides, epochs=args.epochs, seed=args.seed, threads=args.threads, device=args.device,
                        batch_size=args.batch_size, lr=args.lr, lr_schedule=args.lr_schedule))
        r = rows[-1]
        print(f"  strides {r['strides']} (network: {r['net_strides']}): {r['epoch_s']:.2f} s/epoch, "
              f"{r['series_per_s']:.1f} series/s, error {r['error']:.4f}, losses {r['losses']}", flush=True)
    ref = next((r for r in rows if r["strides"] == (1, 1, 1)), rows[0])
    print("\n| strides | s / epoch | series / s | vs stride 1 (same run) | vs the issue's 12.6 series/s "
          "| reconstruction error | error vs stride 1 | target met |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        speed = r["series_per_s"] / ref["series_per_s"]
        met = "reference" if r is ref else ("yes" if speed >= 5 and r["error"] <= ref["error"] * 1.001 else "no")  # equal to 0.1 %
        label = f"{r['strides']}" + (f" = {tuple(r['net_strides'])}" if r["strides"] == "default" and r["net_strides"] else "")
        print(f"| {label} | {r['epoch_s']:.2f} | {r['series_per_s']:.1f} | {speed:.1f}× | "
              f"{r['series_per_s'] / REFERENCE_SERIES_PER_S:.1f}× | {r['error']:.4f} | {r['error'] / ref['error']:.2f} | {met} |")
    return rows


if __name__ == "__main__":
    main()
