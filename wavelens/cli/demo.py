"""``wavelens demo``: the main job — score, embed, cluster, report — on simulated data (no network).

::

    wavelens demo [--out DIR] [--small] [--epochs N] [--no-torch] [--random-state N]

The data are :func:`wavelens.datasets.make_vibration_demo` (480 helicopter-style
records, 2 s at 1,024 Hz: 240 normal training records, 240 test records of which 120
are abnormal, six kinds of fault; ``--small``: 60 + 60). The job:

1. summarises the records and draws a few beside their spectrograms;
2. fits the default anomaly detector on the training records, scores the test ones
   (ROC AUC, PR AUC);
3. embeds every record: a convolutional autoencoder (``AutoencoderEmbedder``) on its
   standardised log Welch spectrum when PyTorch is installed, else PCA of the
   detector's features (the report says which);
4. clusters the embeddings (k-means, k in 4..10 by silhouette) and projects them (PCA 3-D,
   t-SNE 2-D);
5. writes the run folder (a :class:`~wavelens.cli._runfolder.RunFolder`): ``status.json``,
   ``summary.json``, ``config.toml``, ``metrics.json``, ``scores.txt``,
   ``embeddings.parquet``, ``clusters.parquet``, ``explorer.npz``, the figures and
   ``report.html`` — whose path it prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import typer

from ._app import command
from ._runfolder import RunFolder


def _write_json(path: Path, obj: Any) -> None:
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=float) + "\n")


def _log_spectra(data: Any) -> np.ndarray:
    """Standardised log Welch spectra, (n_series, 1, 129) float32: the autoencoder's input."""
    from ..transforms import welch

    P = np.asarray(welch(data, nperseg=256), dtype=np.float64)
    L = np.log10(P + 1e-12 * max(float(P.max()), 1e-30))
    L = (L - L.mean(axis=0)) / np.maximum(L.std(axis=0), 1e-6)
    return L.astype(np.float32)


def _detector_features(det: Any, data: Any) -> np.ndarray:
    """The standardised features the default detector scores (its representation + scaler)."""
    F = det.representation_.transform(data)
    F = np.asarray(F, dtype=np.float64).reshape(len(data), -1)
    return det.scaler_.transform(F) if det.scaler_ is not None else F


def _embed(run: RunFolder, data: Any, det: Any, *, use_torch: bool, epochs: int, seed: int) -> tuple[np.ndarray, dict]:
    from ..viz import save_figure

    X = _log_spectra(data)
    info: dict[str, Any] = {}
    model = None
    if use_torch:
        try:
            import torch  # noqa: F401

            from ..models import AutoencoderEmbedder
        except ImportError as err:
            run.note(f"PyTorch or wavelens.models is not available ({err}); the embedding is PCA of the "
                     "default detector's features instead of an autoencoder. Install with: "
                     "pip install 'wavelens[torch]'.")
        else:
            model = AutoencoderEmbedder(model="conv-ae", epochs=epochs, batch_size=32, random_state=seed)
    else:
        run.note("--no-torch: the embedding is PCA of the default detector's features, not an autoencoder.")
    if model is not None:
        typer.echo(f"embedding {len(data)} records: convolutional autoencoder on log spectra, {epochs} epochs ...")
        Z = np.asarray(model.fit(X).transform(X), dtype=np.float64)
        info = {"embedder": repr(model), "input": "standardised log10 Welch spectrum (nperseg=256), 1 x 129"}
        history = getattr(model, "history_", None)
        if history:
            from ..viz import plot_loss_curves

            save_figure(plot_loss_curves(history, title="autoencoder loss"), run.path / "loss.png")
            run.caption("loss.png", "Autoencoder loss per epoch (standardised log spectra).")
            last = history[-1] if isinstance(history, list) else {k: v[-1] for k, v in dict(history).items()}
            info["final_train_loss"] = float(last.get("train_loss", float("nan")))
        try:
            from ..viz import plot_reconstructions

            pick = _examples(data)
            fig = plot_reconstructions(X[pick], np.asarray(model.reconstruct(X[pick])), ids=list(data.ids[pick]),
                                       kind="series")
            save_figure(fig, run.path / "reconstructions.png")
            run.caption("reconstructions.png", "Log spectra (standardised per frequency bin) beside the "
                        "autoencoder's reconstructions; x axis: frequency bin (4 Hz each).")
        except Exception as err:  # a figure must not sink the job
            run.note(f"reconstructions figure not drawn: {err}")
    else:
        from sklearn.decomposition import PCA

        try:
            F, what = _detector_features(det, data), "the default detector's standardised features"
        except Exception:
            F, what = X.reshape(len(data), -1), "standardised log spectra"
        Z = PCA(n_components=min(8, F.shape[1], len(data) - 1), random_state=seed).fit_transform(F)
        info = {"embedder": f"PCA({Z.shape[1]}) of {what}"}
    bad = np.flatnonzero(~np.isfinite(Z).all(axis=1))
    if bad.size:
        raise ValueError(f"the embedding is NaN or inf for record {data.ids[bad[0]]!r}; cannot cluster it.")
    return Z, info


def _cluster(run: RunFolder, Z: np.ndarray, ids: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """Labels, medoid indices, projections {name: coords}, and what was done."""
    try:
        from ..cluster import cluster_embeddings, project
    except ImportError:
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA
        from sklearn.metrics import silhouette_score

        run.note("wavelens.cluster is not available: clustered with scikit-learn's KMeans (k by silhouette) "
                 "and projected with PCA only.")
        best = max(range(4, 11), key=lambda k: silhouette_score(
            Z, KMeans(k, n_init=10, random_state=seed).fit_predict(Z)))
        labels = KMeans(best, n_init=10, random_state=seed).fit_predict(Z)
        medoids = np.array([np.flatnonzero(labels == c)[np.argmin(((Z[labels == c] - Z[labels == c].mean(0)) ** 2)
                            .sum(1))] for c in range(best)])
        return labels, medoids, {"pca": PCA(3, random_state=seed).fit_transform(Z)}, {"method": "kmeans", "k": best}
    # k >= 4: two k's would only split the two campaigns, which the data are known to hold
    res = cluster_embeddings(Z, method="kmeans", k="auto", k_range=(4, 10), ids=list(ids), random_state=seed)
    projections = {"pca": project(Z, method="pca", n_components=3, random_state=seed),
                   "tsne": project(Z, method="tsne", n_components=2, random_state=seed)}
    info = {"method": res.method, "k": int(res.k), "silhouette": None if res.silhouette is None else float(res.silhouette)}
    return np.asarray(res.labels), np.asarray(res.medoids), projections, info


def _examples(data: Any) -> np.ndarray:
    """A normal record of each campaign and one record of each fault kind."""
    kinds = data.metadata["kind"].to_numpy()
    return np.array([int(np.flatnonzero(kinds == k)[0]) for k in dict.fromkeys(kinds)])


@command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("wavelens-demo"), "--out", help="Run folder to write."),
    small: bool = typer.Option(False, "--small", help="60 + 60 records instead of 240 + 240 (for quick checks)."),
    epochs: int = typer.Option(12, "--epochs", min=1, help="Autoencoder training epochs."),
    no_torch: bool = typer.Option(False, "--no-torch", help="Embed with PCA even when PyTorch is installed."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the embedding and the clustering."),
) -> None:
    """Score, embed and cluster simulated vibration records; write a run folder with report.html."""
    with RunFolder(out, job="demo") as run:
        _run_demo(run, small=small, epochs=epochs, use_torch=not no_torch, seed=random_state)
    took = json.loads((run.path / "status.json").read_text()).get("seconds")
    typer.echo(f"report: {run.report_path}  (open it in a browser; the run took {took} s)")


def _run_demo(run: RunFolder, *, small: bool, epochs: int, use_torch: bool, seed: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..cli.detect import dump_config
    from ..datasets import make_vibration_demo
    from ..detect import default_detector
    from ..evaluate import pr_auc, roc_auc
    from ..io import write_scores, write_table
    from ..summary import summarize
    from ..viz import plot_cluster_examples, plot_latent, plot_roc, plot_score_histograms, plot_series, save_figure
    from ..viz import write_explorer_data

    folder = run.path
    n_train = n_test = 60 if small else 240
    data = make_vibration_demo(n_train, n_test)
    summary = summarize(data)
    table = Table(title=f"wavelens demo: {len(data)} simulated vibration records", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for k, v in summary.rows():
        table.add_row(k, v)
    Console().print(table)
    _write_json(folder / "summary.json", summary.to_dict())
    save_figure(plot_series(data, indices=list(_examples(data)[:6])), folder / "series.png")
    run.caption("series.png", "A normal record of each campaign and records with faults, beside their "
                "spectrograms (the training campaign has 50/100 Hz lines).")
    run.step(f"simulated {len(data)} records (make_vibration_demo) and summarised them")

    # 1. anomaly scores: the default detector, fitted on the normal training records
    split = data.metadata["split"].to_numpy()
    train, test = data[split == "train"], data[split == "test"]
    det = default_detector(fs=train.fs, n_times=int(train.lengths[0])).fit(train)
    scores = det.decision_function(test)
    train_scores = np.asarray(det.decision_scores_, dtype=np.float64)
    write_scores(folder / "scores.txt", scores)
    y = np.asarray(test.labels)
    metrics: dict[str, Any] = {"roc_auc": roc_auc(y, scores), "pr_auc": pr_auc(y, scores), "n_train": len(train),
                               "n_test": len(test), "n_abnormal": int(y.sum())}
    save_figure(plot_score_histograms(train_scores, scores, labels=y), folder / "scores.png")
    save_figure(plot_roc(y, scores), folder / "roc.png")
    ranked = np.argsort(-scores)
    typer.echo(f"anomaly scores for {len(test)} test records (default detector fitted on {len(train)} normal "
               f"ones): ROC AUC {metrics['roc_auc']:.3f}, PR AUC {metrics['pr_auc']:.3f}")
    top = ", ".join(f"{test.ids[i]} ({test.metadata['anomaly'].iloc[i] or 'normal'})" for i in ranked[:5])
    typer.echo(f"most abnormal: {top}")
    run.step(f"fitted the default detector on {len(train)} records, scored {len(test)}: "
             f"ROC AUC {metrics['roc_auc']:.3f}")

    # 2. embed every record
    Z, embed_info = _embed(run, data, det, use_torch=use_torch, epochs=epochs, seed=seed)
    ids = np.asarray(data.ids).astype(str)
    write_table(folder / "embeddings.parquet", Z, ids=list(ids), prefix="z")
    run.step(f"embedded {len(data)} records in {Z.shape[1]} dimensions: {embed_info['embedder'].splitlines()[0]}")

    # 3. cluster and project
    labels, medoids, projections, cluster_info = _cluster(run, Z, ids, seed)
    from sklearn.metrics import adjusted_rand_score

    kinds = data.metadata["kind"].to_numpy().astype(str)
    cluster_info["adjusted_rand_vs_kind"] = float(adjusted_rand_score(kinds, labels))
    score_all = np.empty(len(data))
    score_all[split == "train"], score_all[split == "test"] = train_scores, scores
    extra = {"score": score_all, "label": np.asarray(data.labels), "split": split.astype(str), "kind": kinds}
    import pandas as pd

    tab = pd.DataFrame({"id": ids, "cluster": labels.astype(np.int64)})
    tab["is_medoid"] = np.isin(np.arange(len(ids)), medoids)
    for name, P in projections.items():
        for j in range(P.shape[1]):
            tab[f"{name}_{j}"] = P[:, j]
    for k, v in extra.items():
        tab[k] = v
    from ..io import atomic_path

    with atomic_path(folder / "clusters.parquet") as tmp:
        tab.to_parquet(tmp, index=False)
    view = projections.get("tsne", projections["pca"])
    save_figure(plot_latent(view[:, :2], color=labels, color_name="cluster", ids=list(ids), highlight=list(medoids),
                            axis_name="t-SNE" if "tsne" in projections else "PC"), folder / "latent.png")
    save_figure(plot_cluster_examples(data, labels, medoids=list(medoids), fs=float(data.fs), ids=list(ids)),
                folder / "clusters.png")
    typer.echo(f"clusters: {cluster_info['k']} ({cluster_info['method']}); adjusted Rand index against the "
               f"true kinds {cluster_info['adjusted_rand_vs_kind']:.3f}")
    run.step(f"clustered the embeddings: k = {cluster_info['k']}, adjusted Rand index vs the true kinds "
             f"{cluster_info['adjusted_rand_vs_kind']:.3f}")

    # 4. the explorer, the configuration and the metrics
    write_explorer_data(folder, data, table=tab.drop(columns=["label"]))
    metrics.update({"n_series": len(data), "embedding_dims": int(Z.shape[1]),
                    "clustering": cluster_info, "embedding": embed_info})
    _write_json(folder / "metrics.json", metrics)
    config = {"data": {"simulator": "wavelens.datasets.make_vibration_demo", "n_train": n_train, "n_test": n_test,
                       "n_times": int(data.lengths[0]), "fs": float(data.fs)},
              "detector": {"name": "default"},
              "embed": {"method": "autoencoder" if "Autoencoder" in embed_info["embedder"] else "pca",
                        "epochs": epochs, "random_state": seed},
              "cluster": {"method": cluster_info["method"], "k": "auto", "k_range": [4, 10], "projections": list(projections)}}
    header = "".join(f"# {line}\n" for line in ["wavelens demo run; detector:", *repr(det).splitlines()])
    with atomic_path(folder / "config.toml") as tmp:
        tmp.write_text(header + dump_config(config))
    run.step("wrote the explorer data, metrics and configuration")
