"""``wavelens cluster``: cluster an embedding table, project it to 2-D/3-D, write the cluster table.

::

    wavelens cluster EMBEDDINGS [--method kmeans|gmm|hdbscan] [--k auto|N] [--k-min 2 --k-max 10]
                     [--projection pca,tsne[,umap]] [--dims 2|3] [--seed N] [--out FILE]
                     [--run-dir DIR] [--config FILE.toml] [--min-cluster-size N]

EMBEDDINGS is a table (Parquet, CSV or TSV) with an ``id`` column and the embedding in
``z0, z1, ...`` (as ``wavelens embed`` writes it); other columns (label, score,
metadata) are carried over. The cluster table (default
``<embeddings stem>_clusters.parquet`` beside the input) has one row per series:
``id, cluster, is_medoid, pca_0, pca_1, ..., tsne_0, ...`` and the carried columns;
it is written atomically. With ``--run-dir``: ``config.toml`` (reproduces the run
with ``--config``), ``clusters.parquet``, ``metrics.json``, ``latent.png`` (the first
projection coloured by cluster, medoids starred; ``latent_<projection>.png`` for the
others; ``latent_<projection>_by_<column>.png`` for each ``--color``); with ``--series``
(the series behind the embeddings, matched by id) ``cluster_examples.png`` and the
report explorer's data; and ``report.html``. The folder is a
:class:`~wavelens.cli._runfolder.RunFolder`: ``status.json`` (running → ok / failed) and
the report are written also when the job fails half-way (e.g. more clusters than series).

Configuration keys (TOML, all optional, flags win)::

    method = "kmeans"
    k = "auto"            # or an integer
    k_min = 2
    k_max = 10
    projection = ["pca", "tsne"]
    dims = 2
    seed = 0
    min_cluster_size = 5  # hdbscan
    color = ["label"]     # more latent figures, coloured by these columns
    [data]
    embeddings = "emb.parquet"
    series = "chunks.npy" # optional: the series behind the embeddings (matched by id)
    fs = 110000.0
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, List, Optional

import typer

from ..exceptions import ValidationError
from ._app import command, echo_err, read_toml_config
from ._runfolder import current_run, with_run_folder

__all__ = ["parse_k", "parse_projections"]

_KEYS = ("method", "k", "k_min", "k_max", "projection", "dims", "seed", "min_cluster_size", "color", "data")
_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def parse_k(value: Any) -> int | str:
    """``"auto"`` or an integer >= 2, from a flag or a configuration value."""
    if isinstance(value, str):
        v = value.strip().lower()
        if v == "auto":
            return "auto"
        try:
            value = int(v)
        except ValueError as err:
            raise ValidationError(f"--k must be 'auto' or an integer >= 2, found {value!r}.") from err
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"--k must be 'auto' or an integer >= 2, found {value!r}.")
    if value < 2:
        raise ValidationError(f"--k must be >= 2 (or 'auto'), found {value}.")
    return value


def parse_projections(value: Any) -> list[str]:
    """``"pca,tsne"`` or a list → the projection names, checked; ``"none"`` → []."""
    from ..cluster import PROJECTIONS

    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    names = [str(v).strip().lower().replace("-", "") for v in items if str(v).strip()]
    if names == ["none"]:
        return []
    bad = [v for v in names if v not in PROJECTIONS]
    if bad:
        raise ValidationError(f"--projection: unknown projection(s) {bad!r}; choose from {list(PROJECTIONS)!r} (comma-separated).")
    return list(dict.fromkeys(names))


def _read_config(path: Path) -> dict[str, Any]:
    cfg = read_toml_config(path, _KEYS)
    return cfg


@command("cluster")
@with_run_folder("cluster")  # --run-dir gets status.json and report.html, also when the job fails half-way
def cluster_cmd(
    embeddings: Optional[Path] = typer.Argument(None, help="Embedding table (Parquet/CSV/TSV) with an 'id' column."),
    method: Optional[str] = typer.Option(None, "--method", "-m", help="kmeans (default), gmm or hdbscan."),
    k: Optional[str] = typer.Option(None, "--k", help="Number of clusters, or 'auto' (default): silhouette (kmeans) / BIC (gmm)."),
    k_min: Optional[int] = typer.Option(None, "--k-min", help="Smallest k tried by --k auto (default 2)."),
    k_max: Optional[int] = typer.Option(None, "--k-max", help="Largest k tried by --k auto (default 10)."),
    projection: Optional[str] = typer.Option(None, "--projection", "-p", help="Comma-separated: pca, tsne, umap, or none (default pca,tsne)."),
    dims: Optional[int] = typer.Option(None, "--dims", help="Projection dimensions: 2 (default) or 3."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default 0): same seed, same clusters and projections."),
    min_cluster_size: Optional[int] = typer.Option(None, "--min-cluster-size", help="hdbscan: smallest cluster (default 5)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Cluster table to write (default <stem>_clusters.parquet)."),
    run_dir: Optional[Path] = typer.Option(None, "--run-dir", help="Write config, clusters, metrics and figures here."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML configuration (a run folder's config.toml)."),
    color: Optional[List[str]] = typer.Option(None, "--color", help="Also draw the latent space coloured by this column (repeatable)."),
    series: Optional[str] = typer.Option(None, "--series", help="The series behind the embeddings (matched by id): example figure and report explorer."),
    fs: Optional[float] = typer.Option(None, "--fs", help="Sampling rate of --series in Hz, if its format carries none."),
) -> None:
    """Cluster embeddings (k chosen by silhouette or BIC), project them to 2-D/3-D, write the cluster table."""
    from ..cluster import cluster_embeddings, cluster_table, default_cluster_path, project, read_embeddings, write_cluster_table
    from ..io import atomic_path
    from .detect import dump_config

    t_start = time.perf_counter()
    cfg = _read_config(config) if config is not None else {}
    data_cfg = dict(cfg.get("data", {}) or {})
    if embeddings is None:
        if "embeddings" not in data_cfg:
            raise ValidationError("EMBEDDINGS is required (the embedding table to cluster).")
        embeddings = Path(data_cfg["embeddings"])
    method_ = (method if method is not None else cfg.get("method", "kmeans")).lower()
    k_ = parse_k(k if k is not None else cfg.get("k", "auto"))
    k_lo = int(k_min if k_min is not None else cfg.get("k_min", 2))
    k_hi = int(k_max if k_max is not None else cfg.get("k_max", 10))
    projections = parse_projections(projection if projection is not None else cfg.get("projection", ["pca", "tsne"]))
    dims_ = int(dims if dims is not None else cfg.get("dims", 2))
    if dims_ not in (2, 3):
        raise ValidationError(f"--dims must be 2 or 3, found {dims_}.")
    seed_ = int(seed if seed is not None else cfg.get("seed", 0))
    mcs = int(min_cluster_size if min_cluster_size is not None else cfg.get("min_cluster_size", 5))
    colors = list(color if color is not None else cfg.get("color", []))
    series = series if series is not None else data_cfg.get("series")
    fs = fs if fs is not None else data_cfg.get("fs")
    if (colors or series is not None) and run_dir is None:
        raise ValidationError("--color and --series draw figures into the run folder; give --run-dir DIR too.")

    run = current_run()
    ids, E, extra = read_embeddings(embeddings)
    if run is not None:
        run.step(f"read {E.shape[0]} embeddings × {E.shape[1]} dimensions from {embeddings}")
    bad_colors = [c for c in colors if c not in extra.columns and c != "cluster"]
    if bad_colors:
        raise ValidationError(f"--color {bad_colors[0]!r}: no such column in {str(embeddings)!r}; its columns: "
                              f"{['cluster'] + list(extra.columns)!r}.")
    signals = _series_for(series, ids, fs) if series is not None else None
    echo_err(f"read {E.shape[0]} embeddings × {E.shape[1]} dimensions from {embeddings}")
    t0 = time.perf_counter()
    res = cluster_embeddings(E, method=method_, k=k_, k_range=(k_lo, k_hi), ids=ids, random_state=seed_,
                             min_cluster_size=mcs)
    t_cluster = time.perf_counter() - t0
    if run is not None:
        run.step(f"clustered them ({res.method}): k = {res.k}"
                 + ("" if res.silhouette is None else f", silhouette {res.silhouette:.3f}"))
    proj: dict[str, Any] = {}
    for name in projections:
        echo_err(f"projecting to {dims_}-D with {_NAMES[name]} ...")
        proj[name] = project(E, method=name, n_components=dims_, random_state=seed_)
    table = cluster_table(res, proj, extra)
    target = out if out is not None else default_cluster_path(embeddings)
    write_cluster_table(target, table)
    typer.echo(res.summary())
    echo_err(f"wrote {len(table)} rows to {target}")

    if run_dir is None:
        return
    from ..viz import plot_latent, save_figure

    run_dir.mkdir(parents=True, exist_ok=True)
    resolved = {"method": method_, "k": k_, "k_min": k_lo, "k_max": k_hi, "projection": projections,
                "dims": dims_, "seed": seed_}
    if method_ == "hdbscan":
        resolved["min_cluster_size"] = mcs
    if colors:
        resolved["color"] = colors
    resolved["data"] = {"embeddings": str(Path(embeddings).resolve())}
    if series is not None:
        resolved["data"]["series"] = str(Path(series).resolve()) if Path(series).exists() else series
        if fs is not None:
            resolved["data"]["fs"] = float(fs)
    with atomic_path(run_dir / "config.toml") as tmp:
        tmp.write_text("# wavelens cluster run; reproduce with: wavelens cluster --config config.toml\n"
                       + dump_config(resolved))
    write_cluster_table(run_dir / "clusters.parquet", table)
    for j, (name, P) in enumerate(proj.items()):
        fig = plot_latent(P, color=res.labels, color_name="cluster", ids=res.ids, highlight=res.medoids,
                          axis_name=_NAMES[name], title=f"{_NAMES[name]} of {E.shape[0]} embeddings, k = {res.k}")
        save_figure(fig, run_dir / ("latent.png" if j == 0 else f"latent_{name}.png"))
        for col in colors:
            values = res.labels if col == "cluster" else extra[col].to_numpy()
            fig = plot_latent(P, color=values, color_name=col, axis_name=_NAMES[name],
                              title=f"{_NAMES[name]} of {E.shape[0]} embeddings, coloured by {col}")
            save_figure(fig, run_dir / f"latent_{name}_by_{_safe(col)}.png")
    if signals is not None:
        from ..viz import plot_cluster_examples

        if run is not None:
            run.step(f"read the {len(signals)} series behind the embeddings from {series}")

        save_figure(plot_cluster_examples(signals, res.labels, medoids=res.medoids), run_dir / "cluster_examples.png")
        _explorer(run_dir, signals, table)
    metrics = {
        "n_series": int(E.shape[0]), "n_dims": int(E.shape[1]), "method": res.method, "k": res.k,
        "criterion": res.criterion, "criterion_values": {str(kk): v for kk, v in res.criterion_values.items()},
        "silhouette": res.silhouette, "sizes": res.sizes.tolist(), "medoid_ids": res.medoid_ids,
        "n_noise": res.n_noise, "projections": projections, "seconds_clustering": round(t_cluster, 3),
        "seconds": round(time.perf_counter() - t_start, 3),
    }
    with atomic_path(run_dir / "metrics.json") as tmp:
        tmp.write_text(json.dumps(metrics, indent=2) + "\n")
    if run is not None:
        run.step(f"projected ({', '.join(_NAMES[p] for p in projections) or 'none'}), drew the figures"
                 + (" and wrote the explorer's data" if signals is not None else ""))
    echo_err(f"run folder: {run_dir} (report.html is written on exit)")


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def _series_for(spec: str, ids: Any, fs: float | None) -> Any:
    """The series behind the embeddings, in embedding order (matched by id, else by position)."""
    import numpy as np

    from ..io import load

    s = load(spec, fs=fs)
    pos = {str(i): j for j, i in enumerate(s.ids)}
    if all(str(i) in pos for i in ids):
        return s.take([pos[str(i)] for i in ids])
    if len(s) == len(ids):
        echo_err(f"warning: the ids of --series {spec!r} differ from the embedding ids; matching by position.")
        return s
    missing = [str(i) for i in ids if str(i) not in pos][:3]
    raise ValidationError(
        f"--series {spec!r}: holds {len(s)} series but the embeddings {len(ids)}, and ids such as {missing!r} are "
        f"not among its ids (e.g. {[str(i) for i in np.asarray(s.ids)[:3]]!r}). Give the series the embeddings came from."
    )


def _explorer(run_dir: Path, signals: Any, table: Any) -> None:
    """The report's interactive explorer data, when the report code offers it."""
    from .. import viz

    write = getattr(viz, "write_explorer_data", None)
    if write is None:
        return
    try:
        write(run_dir, signals, table=table)
    except Exception as err:  # figures and tables are written; the explorer is a bonus
        echo_err(f"warning: no explorer in the report ({type(err).__name__}: {err})")
        run = current_run()
        if run is not None:
            run.note(f"no explorer: its data could not be written ({type(err).__name__}: {err})")
