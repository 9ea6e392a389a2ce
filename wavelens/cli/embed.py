"""``wavelens embed``: train an autoencoder on series (or load one) and write one embedding per series.

::

    wavelens embed DATA... --model convlstm-ae|conv-vae|conv-ae --out EMBEDDINGS.parquet
                   [--representation SPEC] [--epochs N] [--batch-size B] [--lr LR]
                   [--latent-dim D] [--model-param KEY=VALUE ...] [--seed S] [--fs FS]
                   [--num-threads N] [--device auto|cpu|cuda] [--standardize global|series|none]
                   [--run-dir DIR]
                   [--config FILE.toml] [--model-dir DIR] [--format F] [-o KEY=VALUE]

EMBEDDINGS is a table (Parquet, or CSV/TSV by its suffix), one row per series in input
order: ``id``, then ``z0 .. z{n-1}``, then ``label`` and the loader's metadata columns
when the data has them. It is written atomically and only once everything else
succeeded, so a failed run leaves no file behind. ``--model-dir DIR`` embeds with a
saved model (a run folder or its ``model/`` folder) instead of training one.

A run folder (``--run-dir``) gets ``config.toml`` (the resolved configuration:
``--config`` on it reproduces the run), ``model/`` (the saved embedder), ``history.json``
and ``loss.png`` (the loss per epoch), ``reconstructions.png`` (the medoid of each of the first
clusters beside its reconstruction), ``embeddings.parquet``, ``metrics.json`` (final
losses, seconds per epoch, n_series, the clustering) and ``summary.json`` (what was
embedded, and the embedding's spread). The embeddings are also clustered (k-means, k in
2..10 by silhouette) into ``clusters.parquet``, drawn in ``latent.png`` /
``latent_3d.png``, and written for the report's explorer (``explorer.npz``): the latent
space itself when it has at most 3 dimensions (3-D rotatable for a latent dimension of
3), else its PCA (3-D) and, up to 2,000 series, t-SNE (2-D) projections; points coloured
by cluster, label or any metadata column; a click shows the series' waveform and
spectrogram. The folder is a :class:`~wavelens.cli._runfolder.RunFolder`: ``status.json``
(running → ok / failed) and ``report.html``, written also when the job fails half-way.

Configuration (TOML; every key optional, command-line flags win)::

    model = "conv-vae"
    representation = "spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')"
    epochs = 50
    batch_size = 32
    lr = 0.001
    validation_fraction = 0.1
    patience = 10
    random_state = 0
    device = "cpu"
    # model_dir = "run/model"      # embed with a saved model instead (what such a run records)

    [model_params]                 # the network's own parameters
    latent_dim = 3
    filters = [32, 64, 128]

    [data]
    paths = ["leela/"]
    fs = 109375.0
    format = "npy"

    [data.options]                 # reader options (-o KEY=VALUE)
    field = "wvfmdata"
"""

from __future__ import annotations

import ast
import json
import math
import os
import time
from pathlib import Path
from typing import Any, List, Optional

import numpy as np
import typer

from ..exceptions import ValidationError, WavelensError
from ._app import command, echo_err, parse_options, read_toml_config
from ._runfolder import current_run, with_run_folder

__all__ = ["read_embed_config", "dump_embed_config"]

#: What ``--config`` may hold, besides the ``[data]`` and ``[model_params]`` tables.
_TRAIN_KEYS = ("model", "representation", "epochs", "batch_size", "lr", "validation_fraction", "patience",
               "grad_clip", "random_state", "device", "num_threads", "standardize")
_TOP_KEYS = (*_TRAIN_KEYS, "model_dir", "model_params", "data")
_DATA_KEYS = ("paths", "fs", "format", "options")
_TABLE_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")
#: Series shown beside their reconstructions in ``reconstructions.png``.
_N_SHOWN = 4
#: k tried by the clustering of the embeddings (silhouette), and the t-SNE size limit.
_K_RANGE = (2, 10)
_TSNE_MAX = 2000


# --------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------
def _listify(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_listify(x) for x in v]
    return v


def _tuplify(v: Any) -> Any:
    """TOML has arrays, the networks take tuples (``filters=(32, 64, 128)``)."""
    if isinstance(v, list):
        return tuple(_tuplify(x) for x in v)
    return v


def read_embed_config(path: Path) -> dict[str, Any]:
    """Read an embed configuration (TOML) and check its keys.

    Parameters
    ----------
    path : path
        A TOML file with the keys listed in this module's docstring.

    Returns
    -------
    dict
        The configuration; arrays inside ``model_params`` become tuples.
    """
    cfg = read_toml_config(path, _TOP_KEYS)
    for table in ("model_params", "data"):
        if table in cfg and not isinstance(cfg[table], dict):
            raise ValidationError(
                f"--config {str(path)!r}: {table!r} must be a table ([{table}]), found {cfg[table]!r}."
            )
    data = cfg.get("data", {})
    unknown = sorted(set(data) - set(_DATA_KEYS))
    if unknown:
        raise ValidationError(
            f"--config {str(path)!r}: unknown key(s) {unknown!r} in [data]; valid keys: {list(_DATA_KEYS)!r}."
        )
    if "paths" in data and isinstance(data["paths"], str):
        data["paths"] = [data["paths"]]
    if "model_params" in cfg:
        cfg["model_params"] = {k: _tuplify(v) for k, v in cfg["model_params"].items()}
    return cfg


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return repr(v) if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise ValidationError(f"cannot write {v!r} ({type(v).__name__}) to a TOML configuration.")


def dump_embed_config(cfg: dict[str, Any], prefix: str = "") -> str:
    """The configuration as TOML text: plain keys first, then the (nested) tables; ``None`` left out."""
    lines = [f"{k} = {_toml_value(_listify(v))}" for k, v in cfg.items() if not isinstance(v, dict) and v is not None]
    for k, v in cfg.items():
        if isinstance(v, dict) and v:
            name = f"{prefix}{k}"
            lines += ["", f"[{name}]", dump_embed_config(v, prefix=f"{name}.").rstrip("\n")]
    return "\n".join(line for line in lines if line is not None) + "\n"


def _parse_model_params(pairs: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValidationError(f"--model-param {pair!r}: expected KEY=VALUE, e.g. --model-param hidden_size=32.")
        key, value = pair.split("=", 1)
        key = key.strip().replace("-", "_")
        if not key.isidentifier():
            raise ValidationError(f"--model-param {pair!r}: {key!r} is not a valid parameter name.")
        try:
            out[key] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key] = value.strip()
    return out


# --------------------------------------------------------------------------------------
# checks at the boundary
# --------------------------------------------------------------------------------------
def _check_writable(path: Path, flag: str) -> None:
    """Fail before any work when ``path`` cannot become an output table."""
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise ValidationError(
            f"{flag} {str(path)!r}: unknown table suffix {suffix!r}; use one of {list(_TABLE_SUFFIXES)!r} "
            "(e.g. embeddings.parquet)."
        )
    if path.is_dir():
        raise ValidationError(
            f"{flag} {str(path)!r} is a folder; give a file name such as {str(path / 'embeddings.parquet')!r}.")
    parent = path.parent if str(path.parent) else Path(".")
    existing = parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValidationError(f"{flag} {str(path)!r}: {str(existing)!r} is a file, not a folder; cannot write there.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValidationError(f"{flag} {str(path)!r}: the folder {str(existing)!r} is not writable.")


#: The networks ``embed`` trains: the autoencoders (the CNNs are classifiers).
_EMBEDDERS = ("convlstm-ae", "conv-vae", "conv-ae")


def _resolve_model(name: Any) -> str:
    key = str(name).strip().lower().replace("_", "-")
    if key not in _EMBEDDERS:
        raise ValidationError(f"--model {name!r}: unknown model; choose one of {list(_EMBEDDERS)!r}.")
    return key


def _network_params(model: str) -> list[str]:
    import inspect

    from ..models import NETWORKS

    return sorted(set(inspect.signature(NETWORKS[model].__init__).parameters) - {"self"})


# --------------------------------------------------------------------------------------
# data and metadata
# --------------------------------------------------------------------------------------
def _load(paths: list[str], *, fs: float | None, format: str | None, options: dict[str, Any]) -> Any:
    from ..io import load

    t0 = time.perf_counter()
    source: Any = paths if len(paths) > 1 else paths[0]
    echo_err(f"loading {', '.join(paths)} ...")
    s = load(source, format=format, fs=fs, **options)
    lo, hi = int(s.lengths.min()), int(s.lengths.max())
    echo_err(f"  {len(s)} series × {s.n_channels} channel(s), lengths {lo if lo == hi else f'{lo}–{hi}'} "
             f"({time.perf_counter() - t0:.1f} s)")
    return s


def _extra_columns(s: Any, n_latent: int) -> dict[str, np.ndarray]:
    """``label`` and the metadata columns, in types every table format can hold."""
    taken = {"id", *(f"z{j}" for j in range(n_latent))}
    extra: dict[str, np.ndarray] = {}
    if s.labels is not None:
        extra["label"] = _portable(np.asarray(s.labels))
        taken.add("label")
    meta = getattr(s, "metadata", None)
    if meta is not None:
        for col in meta.columns:
            name = str(col)
            while name in taken:
                name = f"meta_{name}"
            extra[name] = _portable(meta[col].to_numpy())
            taken.add(name)
    return extra


def _portable(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f" and a.dtype.itemsize > 8:  # long double (LEELA's peaktime): Parquet has no such type
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128).astype(str)
    if a.dtype.kind == "S":
        return np.char.decode(a, "utf-8", errors="replace").astype(object)
    if a.dtype.kind == "O":
        return np.array([v.decode("utf-8", "replace") if isinstance(v, bytes) else (None if v is None else str(v))
                         for v in a], dtype=object)
    return a


# --------------------------------------------------------------------------------------
# run folder
# --------------------------------------------------------------------------------------
def _write_json(path: Path, obj: Any) -> None:
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, allow_nan=False, default=_json_default) + "\n")


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, Path):
        return str(v)
    return repr(v)


def _finite(v: Any) -> Any:
    """JSON has no NaN: a non-finite loss is written as null."""
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(float(v)) else None
    return v


def _history(emb: Any) -> list[dict[str, Any]]:
    hist = getattr(emb, "history_", None) or []
    return [{k: _finite(v) for k, v in dict(h).items()} for h in hist]


def _loss_figure(history: list[dict[str, Any]], path: Path) -> None:
    from ..viz import plot_loss_curves, save_figure

    save_figure(plot_loss_curves(history, title=f"autoencoder loss ({len(history)} epochs)"), path)


def _as_images(a: Any) -> list[np.ndarray]:
    """Per series: (n_channels, n_times) for series, (n_channels, n_freqs, n_frames) for images."""
    from ..data import SignalSet

    if isinstance(a, SignalSet):
        a = a.to_list()
    if isinstance(a, (list, tuple)):
        return [np.asarray(x, dtype=np.float64) for x in a]
    a = np.asarray(a, dtype=np.float64)
    return [a[i] for i in range(a.shape[0])]


def _representation_of(emb: Any, s: Any) -> list[np.ndarray]:
    """The inputs as the network sees them (before standardisation), for the figure."""
    rep = getattr(emb, "representation_", None)
    if rep is None and getattr(emb, "representation", None):
        from ..pipeline import build_pipeline

        fs = s.fs_array
        rep = build_pipeline(emb.representation, fs=None if fs is None else float(np.median(fs))).fit(s)
    if rep is None:
        return [np.asarray(s[i], dtype=np.float64) for i in range(len(s))]
    return _as_images(rep.transform(s))


def _reconstruction_figure(emb: Any, s: Any, path: Path, shown_idx: Any = None) -> None:
    """Inputs (as the network sees them) beside their reconstructions: ``shown_idx`` or the first few."""
    from ..viz import plot_reconstructions
    from ..viz._style import PALETTE, new_figure, save_figure

    idx = list(range(min(_N_SHOWN, len(s)))) if shown_idx is None else [int(i) for i in shown_idx][:_N_SHOWN]
    shown = s.take(idx) if hasattr(s, "take") else s[idx]
    inputs = _representation_of(emb, shown)
    recons = _as_images(emb.reconstruct(shown))
    names = [str(i) for i in shown.ids]
    if len({x.shape for x in inputs}) == 1 and all(x.shape == r.shape for x, r in zip(inputs, recons)):
        X, R = np.stack(inputs), np.stack(recons)
        image = X.ndim == 4
        fs = None if image else _common_fs(shown)
        fig = plot_reconstructions(X, R, ids=names, n=len(names), fs=fs, kind="image" if image else "series",
                                   image_labels=("time frame", "frequency bin"))
        save_figure(fig, path)
        return
    # ragged series (convlstm-ae): one row per series, input and reconstruction side by side
    n = len(inputs)
    fig, axes = new_figure(n, 2, figsize=(9.0, 2.2 * n))
    for i in range(n):
        for ax, sig, what in ((axes[i, 0], inputs[i], "input"), (axes[i, 1], recons[i], "reconstruction")):
            for c in range(sig.shape[0]):
                ax.plot(sig[c], lw=0.6, color=PALETTE[c % len(PALETTE)], label=f"channel {c}")
            ax.set_title(f"{names[i]}: {what}")
            ax.set_xlabel("time (samples)")
        axes[i, 0].set_ylabel("amplitude")
    save_figure(fig, path)


def _common_fs(s: Any) -> float | None:
    fs = getattr(s, "fs_array", None)
    if fs is None:
        return None
    fs = np.asarray(fs, dtype=np.float64)
    return float(fs[0]) if fs.size and np.allclose(fs, fs[0]) else None


def bare_series(s: Any) -> Any:
    """The series, ids, rate, channels and labels of ``s`` without its metadata table.

    The explorer gets the metadata through the job's own table instead, where columns
    that clash with its names (a loader's ``id`` column, as in the LEELA files) are renamed
    (``meta_id``) rather than mistaken for the series ids.
    """
    from ..data import SignalSet

    return SignalSet(s.data, fs=s.fs, ids=s.ids, channels=s.channels, labels=s.labels)


def _cluster_and_explore(run_dir: Path, s: Any, Z: np.ndarray, extra: dict[str, np.ndarray], errors: np.ndarray,
                         seed: int) -> tuple[dict[str, Any], Any]:
    """Cluster the embeddings, project them, draw the latent figure, write the explorer's data.

    Returns what the metrics record about it, and the clustering (None when there was none).
    The projection shown: the latent space itself when it has 2 or 3 dimensions (1: the
    latent value against the series' position), else PCA to 3-D and, up to
    ``_TSNE_MAX`` series, t-SNE to 2-D.
    """
    import pandas as pd

    from ..cluster import cluster_embeddings, cluster_table, project, write_cluster_table
    from ..viz import plot_latent, save_figure, write_explorer_data

    run = current_run()
    n, d = Z.shape
    ids = [str(i) for i in s.ids]
    info: dict[str, Any] = {}
    res = None
    if n >= _K_RANGE[0] + 1:
        res = cluster_embeddings(Z, method="kmeans", k="auto", k_range=_K_RANGE, ids=ids, random_state=seed)
        info = {"method": res.method, "k": int(res.k), "criterion": res.criterion,
                "silhouette": None if res.silhouette is None else round(float(res.silhouette), 6),
                "sizes": res.sizes.tolist()}
        echo_err(f"  clustered the embeddings: k = {res.k} (k-means, silhouette "
                 f"{'n/a' if res.silhouette is None else f'{res.silhouette:.3f}'})")
    elif run is not None:
        run.note(f"{n} series: too few to cluster (k-means with k chosen by silhouette needs at least 3).")
    projections: dict[str, np.ndarray] = {}
    if d in (2, 3):
        projections["latent"] = Z
    elif d == 1:
        projections["latent"] = np.c_[Z[:, 0], np.arange(n, dtype=np.float64)]
    else:
        if n >= 3:
            projections["pca"] = project(Z, method="pca", n_components=3, random_state=seed)
        if 4 <= n <= _TSNE_MAX:
            projections["tsne"] = project(Z, method="tsne", n_components=2, random_state=seed)
    labels = res.labels if res is not None else np.zeros(n, dtype=np.int64)
    extra_df = pd.DataFrame({**extra, "reconstruction_error": errors})
    if res is not None:
        table = cluster_table(res, projections, extra_df)
        write_cluster_table(run_dir / "clusters.parquet", table)
    else:
        table = pd.DataFrame({"id": ids})
        for name, P in projections.items():
            for j in range(P.shape[1]):
                table[f"{name}_{j}"] = P[:, j]
        for c in extra_df.columns:
            table[str(c)] = extra_df[c].to_numpy()
    if not projections:
        if run is not None:
            run.note(f"{n} series: too few to project; no latent figure and no explorer.")
        return info, res
    name = next(n_ for n_ in ("latent", "tsne", "pca") if n_ in projections)  # 2-D t-SNE reads best on paper
    P = projections[name]
    axis = {"latent": "z", "pca": "PCA", "tsne": "t-SNE"}[name]
    what = "latent space" if name == "latent" else f"{axis} projection of the {d}-D embedding"
    figure = "latent_3d.png" if P.shape[1] == 3 else "latent.png"
    color = labels if res is not None else (np.asarray(s.labels) if s.labels is not None else None)
    fig = plot_latent(P, color=color, color_name="cluster" if res is not None else "label", ids=ids,
                      highlight=None if res is None else list(res.medoids), axis_name=axis,
                      title=f"{what} of {n} series" + ("" if res is None else f", k = {res.k} clusters"))
    save_figure(fig, run_dir / figure)
    if run is not None:
        run.caption(figure, f"The {what}, coloured by cluster (k-means, k by silhouette); medoids starred.")
    write_explorer_data(run_dir, bare_series(s), table=table)
    info["projections"] = list(projections)
    return info, res


def _embedding_stats(Z: np.ndarray) -> dict[str, Any]:
    return {"n_series": int(Z.shape[0]), "n_latent": int(Z.shape[1]),
            "mean": [round(float(v), 6) for v in Z.mean(axis=0)],
            "std": [round(float(v), 6) for v in Z.std(axis=0)]}


# --------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------
@command("embed")
@with_run_folder("embed")  # --run-dir gets status.json and report.html, also when the job fails half-way
def embed_cmd(
    paths: Optional[List[str]] = typer.Argument(None, help="Files, folders or globs, in any format wavelens reads."),
    out: Optional[Path] = typer.Option(None, "--out", help="Embeddings table: .parquet, .csv or .tsv."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m",
        help="convlstm-ae (ragged series), conv-vae (images, e.g. spectrograms) or conv-ae (equal-length series)."),
    representation: Optional[str] = typer.Option(
        None, "--representation", "-r",
        help="Pipeline applied before the network, e.g. \"spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')\"."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1,
                                         help="Training epochs (default: sized to the data, 50–1,000)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Series per batch (default 32)."),
    lr: Optional[float] = typer.Option(None, "--lr", min=0.0, help="Learning rate (default 1e-3)."),
    latent_dim: Optional[int] = typer.Option(None, "--latent-dim", min=1, help="Embedding size (conv-vae, conv-ae)."),
    model_param: Optional[List[str]] = typer.Option(
        None, "--model-param", "-p", help="Network parameter KEY=VALUE (repeatable), e.g. -p hidden_size=32."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed: same seed, same model (on CPU)."),
    fs: Optional[float] = typer.Option(None, "--fs", help="Sampling rate in Hz, if the format carries none."),
    num_threads: Optional[int] = typer.Option(None, "--num-threads", "--n-jobs", min=1, help="CPU threads for PyTorch."),
    device: Optional[str] = typer.Option(None, "--device", help="auto (CUDA when available), cpu or cuda."),
    standardize: Optional[str] = typer.Option(
        None, "--standardize",
        help="global (default: one mean/std per channel from the training set), series (each series scaled by its "
             "own std: amplitude-free embeddings, for series of very different amplitudes) or none."),
    run_dir: Optional[Path] = typer.Option(
        None, "--run-dir", help="Write config, model, loss curve, figures and metrics here."),
    config: Optional[Path] = typer.Option(
        None, "--config", "-c", help="TOML configuration (e.g. a run folder's config.toml)."),
    model_dir: Optional[Path] = typer.Option(
        None, "--model-dir", help="Embed with a saved model (run folder or model/ folder); no training."),
    format: Optional[str] = typer.Option(None, "--format", help="Input format name; detected when omitted."),
    option: Optional[List[str]] = typer.Option(None, "--option", "-o", help="Reader option KEY=VALUE (repeatable)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show training progress."),
) -> None:
    """Train an autoencoder on series (or use a saved one) and write one embedding per series."""
    from .._optional import import_optional
    from ..io import write_table

    t_start = time.perf_counter()
    cfg: dict[str, Any] = read_embed_config(config) if config is not None else {}
    data_cfg = dict(cfg.pop("data", {}) or {})
    model_params = dict(cfg.pop("model_params", {}) or {})
    for key, value in (("model", model), ("representation", representation), ("epochs", epochs),
                       ("batch_size", batch_size), ("lr", lr), ("random_state", seed),
                       ("num_threads", num_threads), ("device", device), ("standardize", standardize)):
        if value is not None:
            cfg[key] = value
    model_params.update(_parse_model_params(model_param))
    saved = cfg.pop("model_dir", None)  # a run that embedded with a saved model records it
    if model_dir is None and saved is not None:
        model_dir = Path(saved)
        cfg.pop("model", None)
    paths = list(paths) if paths else list(data_cfg.get("paths") or [])
    fs = fs if fs is not None else data_cfg.get("fs")
    format = format if format is not None else data_cfg.get("format")
    options = {**dict(data_cfg.get("options", {}) or {}), **parse_options(option)}

    if standardize is not None and standardize.lower() not in ("global", "series", "none"):
        raise ValidationError(f"--standardize must be global, series or none, found {standardize!r}.")
    if not paths:
        raise ValidationError("give the series to embed: wavelens embed DATA... (files, folders or globs).")
    if out is None:
        raise ValidationError("--out is required (the embeddings table to write, e.g. embeddings.parquet).")
    _check_writable(out, "--out")
    if run_dir is not None and run_dir.exists() and not run_dir.is_dir():
        raise ValidationError(f"--run-dir {str(run_dir)!r} is a file; give a folder.")
    if model_dir is not None:
        given = [flag for flag, v in (("--model", model), ("--representation", representation), ("--epochs", epochs),
                                      ("--batch-size", batch_size), ("--lr", lr), ("--latent-dim", latent_dim),
                                      ("--model-param", model_param), ("--seed", seed),
                                      ("--standardize", standardize)) if v]
        if given:
            raise ValidationError(f"--model-dir embeds with a saved model; {', '.join(given)} would change nothing. "
                                  "Leave them out, or train a new model without --model-dir.")
        if not model_dir.is_dir():
            raise ValidationError(
                f"--model-dir {str(model_dir)!r}: no such folder (expected a run folder or its model/ folder).")
    else:
        if cfg.get("model") is None:
            raise ValidationError(
                f"--model is required to train (one of {list(_EMBEDDERS)!r}), or embed with --model-dir DIR.")
        cfg["model"] = _resolve_model(cfg["model"])
    import_optional("torch", purpose="wavelens embed (autoencoders)")
    from ..models import AutoencoderEmbedder

    if model_dir is None:
        valid = _network_params(cfg["model"])
        if latent_dim is not None:
            if "latent_dim" not in valid:
                raise ValidationError(
                    f"--latent-dim: model {cfg['model']!r} has no latent_dim (its embedding is the LSTM's final "
                    "hidden state of every layer, num_layers × hidden_size); set -p hidden_size=N -p num_layers=L."
                )
            model_params["latent_dim"] = latent_dim
        unknown = sorted(set(model_params) - set(valid) - {"n_channels", "n_times", "in_shape"})
        if unknown:
            raise ValidationError(f"--model-param: {cfg['model']!r} has no parameter(s) {unknown!r}; it takes {valid!r}.")

    run = current_run()
    s = _load(paths, fs=fs, format=format, options=options)
    if run is not None:
        run.step(f"loaded {len(s)} series × {s.n_channels} channel(s) from {', '.join(map(str, paths))}")
    history: list[dict[str, Any]] = []
    try:
        if model_dir is not None:
            folder = model_dir / "model" if (model_dir / "model").is_dir() else model_dir
            echo_err(f"loading the model from {folder} ...")
            emb = AutoencoderEmbedder.load(folder, **({"device": cfg["device"]} if cfg.get("device") else {}))
            t_fit = 0.0
        else:
            train_keys = {k: cfg[k] for k in _TRAIN_KEYS if k in cfg and k != "model"}
            emb = AutoencoderEmbedder(model=cfg["model"], model_params=model_params or None,
                                      verbose=progress, **train_keys)
            echo_err(f"training {cfg['model']} on {len(s)} series ...")
            t0 = time.perf_counter()
            emb.fit(s)
            t_fit = time.perf_counter() - t0
            history = _history(emb)
            last = history[-1] if history else {}
            echo_err(f"  trained {len(history)} epoch(s) in {t_fit:.1f} s; final loss "
                     f"{last.get('train_loss')!r} (validation {last.get('val_loss')!r})")
        t0 = time.perf_counter()
        Z = np.asarray(emb.transform(s), dtype=np.float64)
        t_embed = time.perf_counter() - t0
    except RuntimeError as err:  # torch's own failures (out of memory, ...); ours pass through
        if isinstance(err, WavelensError):
            raise
        raise WavelensError(f"training or embedding failed: {err}") from err
    if Z.ndim != 2 or Z.shape[0] != len(s):
        raise WavelensError(f"the model returned embeddings of shape {Z.shape!r} for {len(s)} series.")
    if not np.isfinite(Z).all():
        bad = int(np.flatnonzero(~np.isfinite(Z).all(axis=1))[0])
        raise WavelensError(f"the embedding of series {bad} (id={str(s.ids[bad])!r}) is not finite; "
                            "the model diverged — train again with a lower --lr.")
    extra = _extra_columns(s, Z.shape[1])
    ids = [str(i) for i in s.ids]

    if run is not None:
        run.step(f"trained {emb.model} for {len(history)} epoch(s) ({t_fit:.1f} s)" if model_dir is None
                 else f"loaded the saved model from {model_dir}")
        run.step(f"embedded {len(s)} series in {Z.shape[1]} dimension(s) ({t_embed:.1f} s)")
    if run_dir is not None:
        run_dir.mkdir(parents=True, exist_ok=True)
        if model_dir is None:
            emb.save(run_dir / "model")
        resolved: dict[str, Any] = {k: v for k, v in cfg.items() if v is not None}
        if model_dir is not None:
            resolved = {"model_dir": str(model_dir.resolve())}
        else:
            resolved["model_params"] = model_params
        resolved["data"] = {k: v for k, v in {
            "paths": [str(Path(p).resolve()) if Path(p).exists() else p for p in paths],
            "fs": None if fs is None else float(fs),
            "format": format,
            "options": options or None,
        }.items() if v is not None}
        header = "".join(f"# {line}\n" for line in (
            "wavelens embed run; reproduce it with: wavelens embed --config config.toml --out EMBEDDINGS",
            *repr(emb).splitlines(),
            *([f"embedded with the saved model {model_dir.resolve()}"] if model_dir is not None else [])))
        from ..io import atomic_path

        with atomic_path(run_dir / "config.toml") as tmp:
            tmp.write_text(header + dump_embed_config(resolved))
        _write_json(run_dir / "history.json", history)
        if history:
            _loss_figure(history, run_dir / "loss.png")
        write_table(run_dir / "embeddings.parquet", Z, ids=ids, prefix="z", extra=extra)
        seconds = [h["seconds"] for h in history if h.get("seconds") is not None]
        last = history[-1] if history else {}
        errors = np.asarray(emb.reconstruction_error(s), dtype=np.float64)
        seed_ = int(cfg.get("random_state") or 0)
        clustering, res = _cluster_and_explore(run_dir, s, Z, extra, errors, seed_)
        if run is not None:
            run.step("clustered the embeddings and wrote the explorer's data"
                     + (f" (k = {clustering['k']})" if clustering.get("k") else ""))
        shown = None if res is None else res.medoids[np.argsort(res.labels[res.medoids])]
        _reconstruction_figure(emb, s, run_dir / "reconstructions.png", shown)
        if run is not None:
            run.caption("reconstructions.png", "Inputs as the network sees them beside its reconstructions"
                        + ("" if res is None else ": the medoid of each of the first clusters") + ".")
        metrics = {
            "model": getattr(emb, "model", cfg.get("model")),
            "trained": model_dir is None,
            "n_series": int(len(s)),
            "n_latent": int(Z.shape[1]),
            "epochs_run": len(history),
            "final_train_loss": _finite(last.get("train_loss")),
            "final_val_loss": _finite(last.get("val_loss")),
            "best_val_loss": _finite(min((h["val_loss"] for h in history if h.get("val_loss") is not None),
                                         default=None)),
            "seconds_per_epoch": round(float(np.mean(seconds)), 4) if seconds else None,
            "seconds_fit": round(t_fit, 3),
            "seconds_embed": round(t_embed, 3),
            "reconstruction_error_mean": _finite(float(errors.mean())),
            "reconstruction_error_median": _finite(float(np.median(errors))),
            "clustering": clustering or None,
        }
        _write_json(run_dir / "metrics.json", metrics)
        from ..summary import summarize

        _write_json(run_dir / "summary.json", {
            "command": "embed",
            "data": summarize(s).to_dict(),
            "embedding": _embedding_stats(Z),
            "outputs": {"embeddings": str(out), "run_dir": str(run_dir)},
            "seconds": round(time.perf_counter() - t_start, 3),
        })
    write_table(out, Z, ids=ids, prefix="z", extra=extra)
    typer.echo(f"wrote {Z.shape[0]} embeddings × {Z.shape[1]} dimensions to {out}"
               + (f"  (run folder: {run_dir})" if run_dir is not None else ""))
