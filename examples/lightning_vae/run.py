"""Source study 1 (LEELA lightning network): a convolutional VAE on chunk spectrograms, and its 3-D latent space.

Each 1,024-sample chunk (fs ≈ 109.4 kHz) of the three stations in ``../shared/data/leela``
becomes a 13 × 18 spectrogram image (nperseg 64, overlap 8, 0–22 kHz, divided by its own
maximum); the study's ConvVAE (3 Conv2D layers of 32/64/128 filters, kernel 3, dense 16,
latent dimension 3, loss = MSE × image size + KL) is trained on all of them without labels
(50 epochs; 2 with ``--small``). Writes the latent means (``embeddings.parquet``, one row per
chunk, with its station), the model, the loss per epoch, a 3-D scatter of the latent means
coloured by station (``latent_3d.png``) and chunks beside their reconstructions
(``reconstructions.png``). ``wavelens embed`` does the same from the shell::

    wavelens embed ../shared/data/leela -o field=wvfmdata --model conv-vae --latent-dim 3 \\
        --representation "spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')" \\
        --out embeddings.parquet --run-dir vae-run

Run:  python examples/lightning_vae/run.py [--small] [--epochs N] [--out DIR] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from wavelens.io import atomic_path, load, write_table
from wavelens.models import AutoencoderEmbedder
from wavelens.pipeline import build_pipeline
from wavelens.viz import save_figure
from wavelens.viz._style import PALETTE, new_figure

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "leela"
SPECTROGRAM = "spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')"


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of LEELA .npy files")
    ap.add_argument("--out", type=Path, default=Path("lightning-vae-run"))
    ap.add_argument("--small", action="store_true", help="40 chunks per station, 2 epochs (for CI)")
    ap.add_argument("--epochs", type=int, default=None, help="training epochs (default 50, or 2 with --small)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="PyTorch CPU threads (default: PyTorch's; 1 with --small)")
    args = ap.parse_args(argv)
    epochs = args.epochs or (2 if args.small else 50)

    chunks = load(args.data, field="wvfmdata", dtype="float32")
    station = chunks.metadata["nodename"].to_numpy().astype(str)
    if args.small:
        keep = np.concatenate([np.flatnonzero(station == s)[:40] for s in np.unique(station)])
        chunks, station = chunks[keep], station[keep]
    stations = list(np.unique(station))
    print(f"{len(chunks)} chunks from {len(stations)} stations ({', '.join(stations)}), "
          f"fs = {float(np.median(chunks.fs_array)):.0f} Hz")

    # The study's network. The images are max-normalised; the embedder also standardises
    # them (one mean/scale for all pixels): on raw [0, 1] pixels the MSE is so small
    # beside the KL term that the latent means collapse onto the prior (std ≈ 0.03).
    vae = AutoencoderEmbedder(
        model="conv-vae",
        model_params=dict(filters=(32, 64, 128), kernel_size=3, dense=16, latent_dim=3),
        representation=SPECTROGRAM,
        epochs=epochs,
        batch_size=32,
        lr=1e-3,
        patience=None,  # the study trained a fixed number of epochs
        random_state=args.seed,
        num_threads=args.threads or (1 if args.small else None),  # tiny batches gain nothing from more threads
        verbose=not args.small,
    ).fit(chunks)
    Z = vae.transform(chunks)  # (n_chunks, 3): latent means
    errors = vae.reconstruction_error(chunks)
    hist = vae.history_
    print(f"trained {len(hist)} epochs, {np.mean([h['seconds'] for h in hist]):.2f} s/epoch; final loss "
          f"{hist[-1]['train_loss']:.4g} (validation {hist[-1]['val_loss']})")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    vae.save(out / "model")
    write_table(out / "embeddings.parquet", Z, ids=chunks.ids.astype(str), prefix="z",
                extra={"station": station, "reconstruction_error": errors})
    per_station = {s: {"n": int((station == s).sum()),
                       "latent_mean": [round(float(v), 4) for v in Z[station == s].mean(axis=0)],
                       "latent_std": [round(float(v), 4) for v in Z[station == s].std(axis=0)]} for s in stations}
    metrics = {"n_chunks": len(chunks), "image_shape": [13, 18], "latent_dim": int(Z.shape[1]),
               "epochs": len(hist), "seconds_per_epoch": float(np.mean([h["seconds"] for h in hist])),
               "final_train_loss": float(hist[-1]["train_loss"]),
               "final_val_loss": None if hist[-1].get("val_loss") is None else float(hist[-1]["val_loss"]),
               "reconstruction_error_median": float(np.median(errors)), "stations": per_station}
    with atomic_path(out / "metrics.json") as tmp:
        tmp.write_text(json.dumps(metrics, indent=2) + "\n")

    # The 3-D latent space, one colour per station (issue 6 adds an interactive view).
    fig, _ = new_figure(1, 1, figsize=(7.0, 6.0))
    fig.clear()
    ax = fig.add_subplot(projection="3d")
    for k, s in enumerate(stations):
        z = Z[station == s]
        ax.scatter(z[:, 0], z[:, 1], z[:, 2], s=6, alpha=0.6, color=PALETTE[k % len(PALETTE)],
                   label=f"{s} ({len(z)})")
    ax.set_xlabel("z0")
    ax.set_ylabel("z1")
    ax.set_zlabel("z2")
    ax.set_title(f"ConvVAE latent means of {len(chunks)} lightning chunks")
    ax.legend(loc="upper left", fontsize=8)
    save_figure(fig, out / "latent_3d.png")

    # A chunk, its spectrogram and the VAE's reconstruction: the typical and the worst.
    images = build_pipeline(SPECTROGRAM, fs=float(np.median(chunks.fs_array))).fit_transform(chunks)[:, 0]
    recon = np.asarray(vae.reconstruct(chunks))[:, 0]  # the network's output images, (n_chunks, 13, 18)
    shown = [int(np.argsort(errors)[len(errors) // 2]), int(np.argmax(errors))]
    fig, axes = new_figure(len(shown), 3, figsize=(12.0, 3.0 * len(shown)))
    t_ms = np.arange(chunks.lengths[0]) / float(np.median(chunks.fs_array)) * 1e3
    for row, i in enumerate(shown):
        what = "median" if row == 0 else "largest"
        axes[row, 0].plot(t_ms, chunks[i][0], lw=0.7)
        axes[row, 0].set_title(f"{station[i]} chunk {str(chunks.ids[i]).rsplit(':', 1)[-1]} ({what} error)")
        axes[row, 0].set_xlabel("time (ms)")
        for ax, img, title in ((axes[row, 1], images[i], "spectrogram (input)"),
                               (axes[row, 2], recon[i], f"reconstruction (MSE {errors[i]:.3g})")):
            mesh = ax.imshow(img, origin="lower", aspect="auto", vmin=0, vmax=1, cmap="viridis")
            ax.set_title(title)
            ax.set_xlabel("frame")
            ax.set_ylabel("frequency bin")
            fig.colorbar(mesh, ax=ax)
    save_figure(fig, out / "reconstructions.png")
    print(f"wrote {out / 'embeddings.parquet'}, {out / 'latent_3d.png'}, {out / 'reconstructions.png'}, "
          f"{out / 'metrics.json'} and the model in {out / 'model'}")
    return out


if __name__ == "__main__":
    main()
