"""Source study 1 (LEELA lightning network), first half: chunks → spectrogram images.

Each 1,024-sample chunk (fs ≈ 109.4 kHz) becomes a 13 × 18 spectrogram image
(nperseg 64, scipy's default overlap of nperseg/8, 0–22 kHz, divided by its own
maximum) — the input of the study's convolutional VAE (the deep-models issue adds
the VAE and its 3-D latent space). Writes the images, per-station mean images and a
figure of chunks beside their images.

Run:  python examples/lightning_spectrograms/run.py [--small] [--out DIR] [--data DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from wavelens.io import atomic_path, load
from wavelens.transforms import Spectrogram
from wavelens.viz import save_figure
from wavelens.viz._style import new_figure

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "leela"


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of LEELA .npy files")
    ap.add_argument("--out", type=Path, default=Path("lightning-run"))
    ap.add_argument("--small", action="store_true", help="first 40 chunks of each station (for CI)")
    args = ap.parse_args(argv)

    chunks = load(args.data, field="wvfmdata", dtype="float32")
    station = chunks.metadata["nodename"].to_numpy().astype(str)
    if args.small:
        keep = np.concatenate([np.flatnonzero(station == s)[:40] for s in np.unique(station)])
        chunks, station = chunks[keep], station[keep]
    spec = Spectrogram(nperseg=64, noverlap=8, fmax=22e3, normalize="max").fit(chunks)
    images = spec.transform(chunks)[:, 0]  # (n_chunks, 13, 18): one channel
    print(f"{len(chunks)} chunks from {len(np.unique(station))} stations -> images {images.shape[1:]}, "
          f"fs = {float(np.median(chunks.fs_array)):.0f} Hz")

    args.out.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.out / "images.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, images=images, ids=chunks.ids.astype(str), station=station.astype(str),
                                frequencies=spec.frequencies_, times=spec.times_)

    stations = list(np.unique(station))
    fig, axes = new_figure(2, max(len(stations), 2), figsize=(4.2 * max(len(stations), 2), 6.0))
    t_ms = np.arange(chunks.lengths[0]) / float(np.median(chunks.fs_array)) * 1e3
    for k, st in enumerate(stations):
        first = int(np.flatnonzero(station == st)[0])
        ax = axes[0, k]
        ax.plot(t_ms, chunks[first][0], lw=0.7)
        ax.set_title(f"{st}: chunk {str(chunks.ids[first]).rsplit(':', 1)[-1]}")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("amplitude")
        ax = axes[1, k]
        mesh = ax.pcolormesh(spec.times_ * 1e3, spec.frequencies_ / 1e3, images[station == st].mean(axis=0),
                             shading="auto", cmap="viridis")
        ax.set_title(f"{st}: mean of {int((station == st).sum())} images")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("frequency (kHz)")
        fig.colorbar(mesh, ax=ax, label="relative magnitude")
    save_figure(fig, args.out / "spectrograms.png")
    print(f"wrote {args.out / 'images.npz'} and {args.out / 'spectrograms.png'}")
    return args.out


if __name__ == "__main__":
    main()
