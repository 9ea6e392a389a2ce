"""Seconds per training epoch: the lightning VAE (study 1) and the 3-channel ConvLSTM autoencoder (study 3).

- Lightning VAE: the 1,097 LEELA chunks of ``../shared/data/leela`` → 13 × 18 spectrogram
  images (nperseg 64, 0–22 kHz, max-normalised) → ConvVAE (32/64/128 filters, kernel 3,
  dense 16, latent 3), batch 32, the study's settings.
- 3-channel AE: ConvLSTMAutoencoder with its defaults (conv 32/64/64, strides (2, 2, 2),
  2-layer LSTM of 64) on real 3-component seismic windows of 4,096 samples (ObsPy's test
  recordings, see ``bench_models_throughput.py``), batch 32.

Seconds per epoch come from the training loop's own timing (``history_[i]["seconds"]``:
the training pass plus the validation pass); the spectrogram is computed once, before.
The table gives the mean and best epoch. ``--device cuda`` measures on a GPU.

    .venv/bin/python benchmarks/bench_models_epoch_seconds.py
    .venv/bin/python benchmarks/bench_models_epoch_seconds.py --device cuda --epochs 5 --n-series 512
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_models_throughput import seismic_windows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEELA = ROOT.parent / "shared" / "data" / "leela"
SPECTROGRAM = "spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')"


def _row(name: str, n: int, shape: str, emb, wall: float) -> dict:
    secs = np.array([h["seconds"] for h in emb.history_])
    return dict(name=name, n=n, shape=shape, mean=float(secs.mean()), best=float(secs.min()),
                per_series_ms=1e3 * float(secs.min()) / n, epochs=len(secs), wall=wall)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--n-series", type=int, default=256, help="seismic windows for the 3-channel AE")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--skip-vae", action="store_true")
    ap.add_argument("--skip-ae", action="store_true")
    args = ap.parse_args(argv)

    import torch

    from wavelens.io import load
    from wavelens.models import AutoencoderEmbedder

    dev = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else platform.processor() or "CPU"
    print(f"device {args.device} ({dev}); torch {torch.__version__}, threads "
          f"{args.threads or torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}")
    common = dict(epochs=args.epochs, batch_size=32, lr=1e-3, patience=args.epochs + 1, random_state=0,
                  device=args.device, num_threads=args.threads)
    rows = []
    if not args.skip_vae:
        cache = ROOT / "benchmarks" / "_data" / "models" / "leela_images.npy"
        if cache.exists():  # the spectrograms, kept for machines without ../shared (a GPU box)
            images = np.load(cache)
        else:
            from wavelens.pipeline import build_pipeline

            chunks = load(LEELA, field="wvfmdata", dtype="float32")
            images = build_pipeline(SPECTROGRAM, fs=float(np.median(chunks.fs_array))).fit_transform(chunks)
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, images.astype(np.float32))
        vae = AutoencoderEmbedder(model="conv-vae", standardize=False,
                                  model_params=dict(filters=(32, 64, 128), kernel_size=3, dense=16, latent_dim=3),
                                  **common)
        t0 = time.perf_counter()
        vae.fit(images.astype(np.float32))
        rows.append(_row("lightning ConvVAE", len(images), f"1 × {images.shape[2]} × {images.shape[3]}", vae,
                         time.perf_counter() - t0))
        print(f"  {rows[-1]}", flush=True)
    if not args.skip_ae:
        X = seismic_windows(args.n_series, n_times=4096)
        ae = AutoencoderEmbedder(model="convlstm-ae", **common)
        t0 = time.perf_counter()
        ae.fit(X)
        rows.append(_row("3-channel ConvLSTMAutoencoder (defaults)", len(X), "3 × 4096", ae, time.perf_counter() - t0))
        print(f"  {rows[-1]}", flush=True)
    print(f"\n| model | device | series | input | s / epoch (mean) | s / epoch (best) | ms / series | epochs |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {args.device} | {r['n']} | {r['shape']} | {r['mean']:.2f} | {r['best']:.2f} "
              f"| {r['per_series_ms']:.2f} | {r['epochs']} |")
    return rows


if __name__ == "__main__":
    main()
