"""Source study 1 (LEELA lightning network): a convolutional VAE on chunk spectrograms, and its 3-D latent space.

Each 1,024-sample chunk (fs ≈ 109.4 kHz) of the three stations in ``../shared/data/leela``
becomes a 13 × 18 spectrogram image (nperseg 64, overlap 8, 0–22 kHz, divided by its own
maximum); the study's ConvVAE (3 Conv2D layers of 32/64/128 filters, kernel 3, dense 16,
latent dimension 3, loss = MSE × image size + KL) is trained on all of them without labels
(50 epochs; 2 with ``--small``). Writes the latent means (``embeddings.parquet``, one row per
chunk, with its station), the model, the loss per epoch, a 3-D scatter of the latent means
coloured by station (``latent_3d.png``) and by cluster (``latent_clusters_3d.png``: k-means,
k by silhouette), chunks beside their reconstructions (``reconstructions.png``), the loss
curves (``loss.png``), and ``report.html``: the interactive explorer shows the 3-D latent
space itself (drag to rotate), coloured by station, cluster or any LEELA field; a click
on a chunk shows its waveform and spectrogram. The output folder is a wavelens run folder
(``status.json``; the report is written even if the run fails half-way).
``wavelens embed`` does the same from the shell::

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

import pandas as pd

from wavelens.cli._runfolder import RunFolder
from wavelens.cluster import cluster_embeddings
from wavelens.data import SignalSet
from wavelens.io import atomic_path, load, write_table
from wavelens.models import AutoencoderEmbedder
from wavelens.pipeline import build_pipeline
from wavelens.summary import summarize
from wavelens.viz import plot_latent, plot_loss_curves, save_figure, write_explorer_data
from wavelens.viz._style import new_figure

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
    with RunFolder(args.out, job="lightning VAE") as run:
        _run(run, args)
    print(f"report: {run.report_path}")
    return args.out


def _run(run: RunFolder, args: argparse.Namespace) -> None:
    epochs = args.epochs or (2 if args.small else 50)
    chunks = load(args.data, field="wvfmdata", dtype="float32")
    station = chunks.metadata["nodename"].to_numpy().astype(str)
    if args.small:
        keep = np.concatenate([np.flatnonzero(station == s)[:40] for s in np.unique(station)])
        chunks, station = chunks[keep], station[keep]
    stations = list(np.unique(station))
    print(f"{len(chunks)} chunks from {len(stations)} stations ({', '.join(stations)}), "
          f"fs = {float(np.median(chunks.fs_array)):.0f} Hz")
    with atomic_path(args.out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summarize(chunks).to_dict(), indent=2, default=str) + "\n")
    run.step(f"loaded {len(chunks)} chunks of 1,024 samples from {len(stations)} stations ({', '.join(stations)})")

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

    run.step(f"trained the ConvVAE for {len(hist)} epochs and embedded every chunk (latent dimension 3)")
    out = args.out
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
    # categories of strokes, without labels: k-means on the latent means, k by silhouette
    res = cluster_embeddings(Z, method="kmeans", k="auto", k_range=(2, 8), ids=list(chunks.ids.astype(str)),
                             random_state=args.seed)
    metrics["clustering"] = {"method": res.method, "k": int(res.k), "silhouette": res.silhouette,
                             "sizes": res.sizes.tolist(), "medoid_ids": res.medoid_ids}
    run.step(f"clustered the latent means: k = {res.k} (silhouette "
             f"{'n/a' if res.silhouette is None else f'{res.silhouette:.3f}'})")
    with atomic_path(out / "metrics.json") as tmp:
        tmp.write_text(json.dumps(metrics, indent=2) + "\n")

    # The 3-D latent space, coloured by station and by cluster; the explorer rotates it.
    save_figure(plot_latent(Z, color=station, color_name="station", axis_name="z",
                            title=f"ConvVAE latent means of {len(chunks)} lightning chunks, by station"),
                out / "latent_3d.png")
    run.caption("latent_3d.png", "The 3-D latent means of every chunk, coloured by station.")
    save_figure(plot_latent(Z, color=res.labels, color_name="cluster", axis_name="z", highlight=list(res.medoids),
                            title=f"ConvVAE latent means, k = {res.k} clusters (k-means, medoids starred)"),
                out / "latent_clusters_3d.png")
    run.caption("latent_clusters_3d.png", "The 3-D latent means coloured by cluster (k-means, k by silhouette).")
    save_figure(plot_loss_curves(hist, title=f"ConvVAE loss ({len(hist)} epochs)"), out / "loss.png")
    run.caption("loss.png", "ConvVAE loss per epoch (MSE × image size + KL), training and validation.")
    table = pd.DataFrame({"id": chunks.ids.astype(str), "station": station, "cluster": res.labels,
                          "is_medoid": np.isin(np.arange(len(chunks)), res.medoids),
                          "reconstruction_error": errors})
    for col in ("dist", "peaktime"):
        if col in chunks.metadata.columns:
            table[col] = chunks.metadata[col].to_numpy(dtype=np.float64)
    with atomic_path(out / "clusters.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    # the chunks without their LEELA fields (whose own 'id' must not pose as the chunk ids): the table has them
    bare = SignalSet(chunks.data, fs=chunks.fs, ids=chunks.ids, channels=chunks.channels)
    write_explorer_data(out, bare, table=table, projections={"latent": Z})
    run.step("wrote the explorer's data: the 3-D latent space, coloured by station, cluster and distance")

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
    run.caption("reconstructions.png", "A chunk of median and one of largest reconstruction error: waveform, "
                "spectrogram (the VAE's input) and its reconstruction.")
    from wavelens.cli.embed import dump_embed_config

    config = {"model": "conv-vae", "representation": SPECTROGRAM, "epochs": epochs, "batch_size": 32, "lr": 1e-3,
              "random_state": args.seed, "model_params": {"filters": [32, 64, 128], "kernel_size": 3, "dense": 16,
                                                          "latent_dim": 3},
              "data": {"paths": [str(args.data)], "options": {"field": "wvfmdata"}}}
    with atomic_path(out / "config.toml") as tmp:
        tmp.write_text("# examples/lightning_vae/run.py" + (" --small" if args.small else "") + "\n"
                       + dump_embed_config(config))
    print(f"wrote {out / 'embeddings.parquet'}, {out / 'latent_3d.png'}, {out / 'reconstructions.png'}, "
          f"{out / 'metrics.json'} and the model in {out / 'model'}")


if __name__ == "__main__":
    main()
