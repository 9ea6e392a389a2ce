"""``wavelens detect``: fit a detector on normal series, score test series, write the scores.

::

    wavelens detect --train TRAIN --test TEST --out SCORES [--labels LABELS] [--fs FS]
                    [--detector NAME | --config FILE.toml] [--window N --step M --aggregate max]
                    [--window-scores FILE] [--run-dir DIR] [--model DIR] [--n-jobs N]
                    [--format F] [-o KEY=VALUE]

SCORES holds one number per line, in test order, higher = more abnormal (written
atomically: a failed or interrupted run leaves no partial file). ``--model DIR``
scores with a saved detector (a run folder or a ``save_detector`` folder) instead of
fitting one; ``--test`` alone scores every *sample* of each test series against the
rest of that series (within-series mode, :class:`SubsequenceDetector`).

Configuration (TOML; every key optional, command-line flags win)::

    representation = "statistics + spectral_summary"   # a pipeline spec, or "raw"
    scaler = "standard"                                # "standard", "robust" or "none"
    pca = 10                                           # components, or a variance fraction
    whiten = true
    window = 2048                                      # score windows, aggregate per series
    step = 2048
    aggregate = "max"                                  # "max", "mean" or "topk_mean"
    k = 3

    [detector]
    name = "lof"                                       # wavelens.detect.detector_names(), or "default"
    n_neighbors = 5

    [data]                                             # what a run folder's config.toml records
    train = "train.txt"
    test = "test.txt"
    fs = 1024.0

A representation, scaler or PCA wraps the named detector in a
:class:`~wavelens.detect.FeatureDetector`; a window wraps the result in a
``WindowedDetector``.

The default detector is :func:`wavelens.detect.default_detector` (see there for what it
is and the measurements that chose it).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, List, Optional

import numpy as np
import typer

from ..exceptions import ValidationError
from ._app import command, echo_err, parse_options, read_toml_config
from ._runfolder import current_run, with_run_folder

__all__ = ["build_detector", "read_config"]

#: Series up to this many samples get the shape (1-NN on standardised samples) member
#: in the default detector.
_AGGREGATES = ("max", "mean", "topk_mean")
_TOP_KEYS = ("representation", "scaler", "pca", "whiten", "window", "step", "aggregate", "k", "detector", "data")


# --------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------
def read_config(path: Path) -> dict[str, Any]:
    """Read a detect configuration (TOML) and check its keys."""
    cfg = read_toml_config(path, _TOP_KEYS)
    det = cfg.get("detector")
    if isinstance(det, str):
        cfg["detector"] = {"name": det}
    elif det is not None and not (isinstance(det, dict) and isinstance(det.get("name"), str)):
        raise ValidationError(
            f"--config {str(path)!r}: 'detector' must be a name such as \"lof\" or a table with a 'name' "
            f"key ([detector] name = \"lof\"), found {det!r}."
        )
    if "data" in cfg and not isinstance(cfg["data"], dict):
        raise ValidationError(f"--config {str(path)!r}: 'data' must be a table ([data]), found {cfg['data']!r}.")
    return cfg


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v)) if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise ValidationError(f"cannot write {v!r} ({type(v).__name__}) to a TOML configuration.")


def dump_config(cfg: dict[str, Any]) -> str:
    """The configuration as TOML text (plain keys first, then the tables)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in cfg.items() if not isinstance(v, dict) and v is not None]
    for k, v in cfg.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]"] + [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items()
                                       if vv is not None and not isinstance(vv, dict)]
            for kk, vv in v.items():  # sub-tables: [detector.model_params], [data.options]
                if isinstance(vv, dict) and vv:
                    lines += ["", f"[{k}.{kk}]"] + [f"{kkk} = {_toml_value(vvv)}" for kkk, vvv in vv.items()
                                                    if vvv is not None]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# detectors
# --------------------------------------------------------------------------------------
def build_detector(cfg: dict[str, Any], *, fs: float | None, n_times: int, n_jobs: int | None = None) -> Any:
    """The (unfitted) detector a resolved configuration describes."""
    from ..detect import FeatureDetector, WindowedDetector, detector_names, make_detector

    det_cfg = dict(cfg.get("detector") or {"name": "default"})
    name = str(det_cfg.pop("name", "default"))
    wrap = any(cfg.get(k) is not None for k in ("representation", "scaler", "pca", "whiten"))
    if name.strip().lower() == "default":
        if det_cfg or wrap:
            raise ValidationError(
                "detector 'default' takes no parameters, representation, scaler or pca; name a detector "
                f"(one of {detector_names()!r}) to set them."
            )
        from ..detect import default_detector

        det = default_detector(fs=fs, n_times=n_times)
    else:
        det = make_detector(name, **det_cfg)
        if wrap:
            rep = cfg.get("representation")
            if rep is None or str(rep).strip().lower() == "raw":
                rep = None
            scaler = cfg.get("scaler", "standard")
            scaler = None if scaler is None or str(scaler).lower() == "none" else scaler
            det = FeatureDetector(rep, scaler=scaler, pca=cfg.get("pca"), whiten=bool(cfg.get("whiten", False)),
                                  detector=det, fs=fs)
    if n_jobs is not None:
        _set_n_jobs(det, n_jobs)
    if cfg.get("window") is not None:
        aggregate = cfg.get("aggregate", "max")
        if aggregate not in _AGGREGATES:
            raise ValidationError(f"--aggregate must be one of {_AGGREGATES!r}, found {aggregate!r}.")
        det = WindowedDetector(detector=det, window=int(cfg["window"]), step=cfg.get("step"), aggregate=aggregate,
                k=int(cfg.get("k", 3)))
    return det


def _set_n_jobs(det: Any, n_jobs: int) -> None:
    params = det.get_params(deep=True)
    det.set_params(**{k: n_jobs for k in params if k == "n_jobs" or k.endswith("__n_jobs")})


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------
def _load(path: str, what: str, *, fs: float | None, format: str | None, options: dict[str, Any]) -> Any:
    from ..io import load

    t0 = time.perf_counter()
    echo_err(f"loading {what} from {path} ...")
    s = load(path, format=format, fs=fs, **options)
    echo_err(f"  {len(s)} series × {s.n_channels} channel(s), lengths {_lengths_text(s)} "
             f"({time.perf_counter() - t0:.1f} s)")
    return s


def _lengths_text(s: Any) -> str:
    lo, hi = int(s.lengths.min()), int(s.lengths.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _check_compatible(train: Any, test: Any, train_path: str, test_path: str, windowed: bool) -> None:
    if train.n_channels != test.n_channels:
        raise ValidationError(
            f"--train {train_path!r} has {train.n_channels} channel(s) but --test {test_path!r} has "
            f"{test.n_channels}; the detector needs the same channels in both."
        )
    if windowed:
        return
    lengths = set(train.lengths.tolist()) | set(test.lengths.tolist())
    if len(lengths) > 1:
        raise ValidationError(
            f"--train {train_path!r} has series of {_lengths_text(train)} samples and --test {test_path!r} "
            f"of {_lengths_text(test)}; without --window every series must have one length. Cut them into "
            "windows with --window N (scores are aggregated per series)."
        )


def _fs_of(s: Any) -> float | None:
    fs = s.fs
    if fs is None:
        return None
    a = np.atleast_1d(np.asarray(fs, dtype=float))
    return float(a[0]) if np.allclose(a, a[0]) else None


def read_labels(spec: str, test: Any) -> np.ndarray:
    """0/1 labels of the test series: a text file (one per line) or a label column of the test data."""
    n = len(test)
    path = Path(spec)
    if path.is_file():
        values: list[float] = []
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for tok in line.replace(",", " ").split():
                try:
                    values.append(float(tok))
                except ValueError as err:
                    raise ValidationError(
                        f"--labels {spec!r}: line {lineno} holds {tok!r}, expected 0 or 1 (one label per test series)."
                    ) from err
        y = np.asarray(values)
        where = f"--labels {spec!r}"
    else:
        meta = getattr(test, "metadata", None)
        if meta is not None and spec in getattr(meta, "columns", ()):
            y = np.asarray(meta[spec])
        elif spec in ("labels", "label") and test.labels is not None:
            y = np.asarray(test.labels)
        else:
            cols = [] if meta is None else list(meta.columns)
            raise ValidationError(
                f"--labels {spec!r}: no such file, and not a label column of the test data (its columns: "
                f"{cols + (['labels'] if test.labels is not None else [])!r})."
            )
        where = f"--labels column {spec!r}"
        try:
            y = y.astype(float)
        except (TypeError, ValueError) as err:
            raise ValidationError(f"{where}: values must be 0 or 1, found {y[:5].tolist()!r}.") from err
    if y.size != n:
        raise ValidationError(f"{where}: {y.size} labels for {n} test series; give one 0/1 label per test series.")
    bad = ~np.isin(y, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"{where}: labels must be 0 (normal) or 1 (abnormal), found {float(y[i])!r} for test series {i}.")
    if y.min() == y.max():
        raise ValidationError(f"{where}: every label is {int(y[0])}; AUC needs both normal (0) and abnormal (1) series.")
    return y.astype(np.int64)


# --------------------------------------------------------------------------------------
# run folder
# --------------------------------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text)


def _figures(run_dir: Path, train_scores: np.ndarray | None, scores: np.ndarray, y: np.ndarray | None) -> None:
    from ..viz import plot_pr, plot_roc, plot_score_histograms, save_figure

    save_figure(plot_score_histograms(train_scores, scores, labels=y), run_dir / "scores.png")
    if y is None:
        return
    save_figure(plot_roc(y, scores), run_dir / "roc.png")
    save_figure(plot_pr(y, scores), run_dir / "pr.png")


#: t-SNE (2-D) joins PCA (3-D) in the explorer up to this many test series.
_TSNE_MAX = 2000


def _what_the_detector_sees(det: Any, test: Any) -> tuple[np.ndarray, str]:
    """Per test series, the vectors the detector compares, and what they are.

    * a feature detector (``wavelens detect`` with a representation / PCA, and the
      default detector): its features after its own scaler and PCA;
    * a reconstruction detector without windows: the autoencoder's latent embedding;
    * anything else (windowed detectors, PyOD on raw samples, ...): the log Welch
      spectrum of each series (nperseg ≤ 256), standardised per frequency over the test
      series — how far a series' spectrum lies from the others is what most detectors
      end up judging.
    """
    from ..exceptions import WavelensError

    fell_back: list[str] = []  # why a richer view was not used: said in the report
    rep = getattr(det, "representation_", "missing")
    if rep != "missing" and hasattr(det, "scaler_"):
        try:
            F = np.asarray(test.to_numpy()[:, :, :], dtype=np.float64) if rep is None else rep.transform(test)
            F = np.stack([np.ravel(f) for f in F]) if isinstance(F, list) else np.asarray(F, dtype=np.float64)
            F = F.reshape(len(test), -1)
            if getattr(det, "scaler_", None) is not None:
                F = det.scaler_.transform(F)
            if getattr(det, "pca_", None) is not None:
                F = det.pca_.transform(F)
            if np.isfinite(F).all():
                return F, f"the detector's features ({F.shape[1]} per series, after its scaler and PCA)"
            fell_back.append("the detector's features are not finite")
        except (WavelensError, ValueError, TypeError) as err:
            fell_back.append(f"the detector's features could not be recomputed ({err})")
    emb = getattr(det, "embedder_", None)
    if emb is not None and getattr(det, "window", None) is None:
        try:
            Z = np.asarray(emb.transform(test), dtype=np.float64)
            if Z.ndim == 2 and Z.shape[0] == len(test) and np.isfinite(Z).all():
                return Z, f"the autoencoder's latent embedding ({Z.shape[1]} dimensions)"
            fell_back.append("the autoencoder's embedding is not finite")
        except (WavelensError, ValueError, TypeError) as err:
            fell_back.append(f"the autoencoder's embedding could not be computed ({err})")
    from ..transforms import welch

    n_min = int(np.min(test.lengths))
    nperseg = int(min(256, 2 ** int(np.floor(np.log2(max(n_min, 8))))))
    P = welch(test.to_list() if len(set(test.lengths.tolist())) > 1 else test, nperseg=nperseg)
    P = np.stack([np.ravel(p) for p in P]) if isinstance(P, list) else np.asarray(P, dtype=np.float64)
    P = P.reshape(len(test), -1)
    L = np.log10(P + 1e-12 * max(float(P.max()), 1e-30))
    L = (L - L.mean(axis=0)) / np.maximum(L.std(axis=0), 1e-9)
    why = f"; {'; '.join(fell_back)}" if fell_back else ""
    return L, f"standardised log Welch spectra (nperseg={nperseg}){why}"


def _explorer(run_dir: Path, det: Any, test: Any, scores: np.ndarray, y: np.ndarray | None, seed: int = 0) -> str:
    """The report explorer's data for the test series: a projection of what the detector sees."""
    import pandas as pd

    from ..cluster import project
    from ..viz import write_explorer_data

    F, what = _what_the_detector_sees(det, test)
    n = len(test)
    projections: dict[str, np.ndarray] = {}
    if F.shape[1] >= 3 and n >= 3:
        projections["pca"] = project(F, method="pca", n_components=3, random_state=seed)
    elif F.shape[1] >= 2 and n >= 2:
        projections["pca"] = project(F, method="pca", n_components=2, random_state=seed)
    else:
        projections["features"] = np.c_[F[:, 0], scores]
    if 4 <= n <= _TSNE_MAX and F.shape[1] >= 2:
        projections["tsne"] = project(F, method="tsne", n_components=2, random_state=seed)
    table = pd.DataFrame({"id": [str(i) for i in test.ids], "score": scores,
                          "rank": np.argsort(np.argsort(-scores, kind="stable"), kind="stable") + 1})
    if y is not None:
        table["label"] = y.astype(np.int64)
    from .embed import bare_series  # the metadata's own 'id' column must not pose as the series ids

    write_explorer_data(run_dir, bare_series(test), table=table, projections=projections)
    return f"the explorer shows the {n} test series: {', '.join(projections)} of {what}"


def _reconstruction_figure(run_dir: Path, det: Any, test: Any, scores: np.ndarray) -> bool:
    """For a reconstruction detector: the most normal and the most abnormal test series beside their reconstructions."""
    emb = getattr(det, "embedder_", None)
    if emb is None or getattr(det, "window", None) is not None:
        return False
    from .embed import _reconstruction_figure as draw

    order = np.argsort(scores, kind="stable")
    pick = list(dict.fromkeys([int(order[0]), int(order[len(order) // 2]), int(order[-2]), int(order[-1])]))
    draw(emb, test, run_dir / "reconstructions.png", pick)
    return True


def _write_window_scores(path: Path, det: Any, test: Any) -> None:
    from ..io import write_table

    if not hasattr(det, "window_scores"):
        raise ValidationError("--window-scores needs --window (or a saved windowed detector).")
    scores, wmap = det.window_scores(test)
    write_table(
        path,
        np.asarray(scores, dtype=np.float64).reshape(-1, 1),
        ids=[str(wmap.ids[i]) for i in wmap.series],
        columns=["score"],
        extra={"series": np.asarray(wmap.series), "start": np.asarray(wmap.start)},
    )


# --------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------
@command("detect")
@with_run_folder("detect")  # --run-dir gets status.json and report.html, also on failure
def detect_cmd(
    train: Optional[str] = typer.Option(None, "--train", help="Normal series to learn from (file, folder or glob)."),
    test: Optional[str] = typer.Option(None, "--test", help="Series to score (file, folder or glob)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Scores: one per line, test order, higher = more abnormal."),
    labels: Optional[str] = typer.Option(
        None, "--labels", help="0/1 per test series: a text file, or a label column of the test data. Prints ROC/PR AUC."
    ),
    fs: Optional[float] = typer.Option(None, "--fs", help="Sampling rate in Hz, if the format carries none."),
    detector: Optional[str] = typer.Option(None, "--detector", "-d", help="Detector name (default: the tuned default)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML configuration (detector, representation, ...)."),
    window: Optional[int] = typer.Option(None, "--window", min=2, help="Score windows of N samples, aggregate per series."),
    step: Optional[int] = typer.Option(None, "--step", min=1, help="Hop between windows (default: the window size)."),
    aggregate: Optional[str] = typer.Option(None, "--aggregate", help="Window scores → series: max, mean or topk_mean."),
    window_scores: Optional[Path] = typer.Option(None, "--window-scores", help="Also write every window's score (table)."),
    run_dir: Optional[Path] = typer.Option(None, "--run-dir", help="Write config, model, scores, metrics and figures here."),
    model: Optional[Path] = typer.Option(None, "--model", help="Score with a saved detector (folder) instead of fitting."),
    n_jobs: Optional[int] = typer.Option(None, "--n-jobs", help="Worker threads/processes for the representations."),
    format: Optional[str] = typer.Option(None, "--format", help="Input format name; detected when omitted."),
    option: Optional[List[str]] = typer.Option(None, "--option", "-o", help="Reader option KEY=VALUE (repeatable)."),
) -> None:
    """Fit an anomaly detector on normal series (--train) and score --test series."""
    from ..detect import load_detector, save_detector
    from ..evaluate import pr_auc, roc_auc
    from ..io import atomic_path, write_scores

    t_start = time.perf_counter()
    cfg: dict[str, Any] = read_config(config) if config is not None else {}
    data_cfg = dict(cfg.pop("data", {}) or {})
    if detector is not None:
        if cfg.get("detector") is not None and config is not None:
            raise ValidationError("give the detector with --detector or in --config, not both.")
        cfg["detector"] = {"name": detector}
    for key, value in (("window", window), ("step", step), ("aggregate", aggregate)):
        if value is not None:
            cfg[key] = value
    if cfg.get("window") is None and (cfg.get("step") is not None or cfg.get("aggregate") is not None):
        raise ValidationError("--step and --aggregate need --window N.")
    if window_scores is not None and cfg.get("window") is None and model is None:
        raise ValidationError("--window-scores needs --window (or a saved windowed detector).")
    train = train if train is not None else data_cfg.get("train")
    test = test if test is not None else data_cfg.get("test")
    labels = labels if labels is not None else data_cfg.get("labels")
    fs = fs if fs is not None else data_cfg.get("fs")
    format = format if format is not None else data_cfg.get("format")
    options = {**dict(data_cfg.get("options", {}) or {}), **parse_options(option)}
    if test is None:
        raise ValidationError("--test is required (the series to score).")
    if out is None:
        raise ValidationError("--out is required (the scores file to write).")
    if model is not None and (train is not None and config is None or detector is not None):
        raise ValidationError("--model scores with a saved detector: give no --train or --detector with it.")

    test_set = _load(test, "test", fs=fs, format=format, options=options)
    y = read_labels(labels, test_set) if labels is not None else None

    train_scores: np.ndarray | None = None
    mode = "fit"
    if model is not None:
        mode = "model"
        folder = model / "model" if (model / "model").is_dir() else model
        echo_err(f"loading the detector from {folder} ...")
        det = load_detector(folder)
        train_scores = np.asarray(det.decision_scores_)
        echo_err(f"scoring {len(test_set)} test series with {type(det).__name__} ...")
        t0 = time.perf_counter()
        scores = det.decision_function(test_set)
    elif train is None:
        mode = "within-series"
        from ..detect import SubsequenceDetector

        det = SubsequenceDetector(**({} if cfg.get("window") is None else {"window": int(cfg["window"])}))
        echo_err(f"scoring every sample of {len(test_set)} series within its own series ...")
        t0 = time.perf_counter()
        per_series = det.fit(test_set).point_scores(test_set)
        scores = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in per_series])
        if y is not None:
            raise ValidationError("--labels holds one label per series; within-series mode scores samples.")
        if test_set.point_labels is not None:
            # per-sample labels in the test file (e.g. a text label column): judge the samples
            y = np.concatenate([np.asarray(p).ravel() for p in test_set.point_labels]).astype(np.int64)
            if not np.isin(y, (0, 1)).all():
                raise ValidationError(
                    f"{test!r}: the per-sample labels must be 0 or 1, found {np.unique(y)[:5].tolist()!r}."
                )
    else:
        train_set = _load(train, "train", fs=fs, format=format, options=options)
        _check_compatible(train_set, test_set, train, test, cfg.get("window") is not None)
        fs_eff = fs if fs is not None else _fs_of(train_set)
        n_times = int(cfg["window"]) if cfg.get("window") is not None else int(train_set.lengths.max())
        det = build_detector(cfg, fs=fs_eff, n_times=n_times, n_jobs=n_jobs)
        echo_err(f"fitting {type(det).__name__} on {len(train_set)} training series ...")
        t0 = time.perf_counter()
        det.fit(train_set)
        t_fit = time.perf_counter() - t0
        train_scores = np.asarray(det.decision_scores_)
        del train_set
        echo_err(f"  fitted in {t_fit:.1f} s; scoring {len(test_set)} test series ...")
        t0 = time.perf_counter()
        scores = det.decision_function(test_set)
    t_score = time.perf_counter() - t0
    scores = np.asarray(scores, dtype=np.float64)

    if window_scores is not None:  # first: a failure here must not leave a SCORES file behind
        _write_window_scores(window_scores, det, test_set)
        echo_err(f"wrote window scores to {window_scores}")
    write_scores(out, scores)
    echo_err(f"wrote {scores.size} scores to {out} ({t_score:.1f} s scoring)")

    metrics: dict[str, Any] = {"mode": mode, "n_test": int(len(test_set)), "n_scores": int(scores.size),
                               "detector": repr(det)}
    if train_scores is not None:
        metrics["n_train"] = int(train_scores.size)
    if y is not None:
        metrics.update(roc_auc=roc_auc(y, scores), pr_auc=pr_auc(y, scores),
                       n_abnormal=int(y.sum()), n_normal=int((y == 0).sum()))
        unit = "samples" if mode == "within-series" else "test series"
        typer.echo(f"ROC AUC {metrics['roc_auc']:.4f}  PR AUC {metrics['pr_auc']:.4f}  "
                   f"({metrics['n_abnormal']} abnormal / {y.size} {unit})")
    metrics["seconds"] = round(time.perf_counter() - t_start, 3)

    if run_dir is not None:
        run_dir.mkdir(parents=True, exist_ok=True)
        resolved = {k: v for k, v in cfg.items() if v is not None}
        resolved.setdefault("detector", {"name": "default"})
        resolved["data"] = {k: v for k, v in {
            "train": None if train is None else str(Path(train).resolve()) if Path(train).exists() else train,
            "test": str(Path(test).resolve()) if Path(test).exists() else test,
            "labels": None if labels is None else (str(Path(labels).resolve()) if Path(labels).exists() else labels),
            "fs": None if fs is None else float(fs),
            "format": format,
        }.items() if v is not None}
        if options:
            resolved["data"]["options"] = options
        header = "".join(f"# {line}\n" for line in (
            f"wavelens detect run ({mode}); detector:", *repr(det).splitlines(),
            *([f"scored with the saved detector {model.resolve()}"] if model is not None else [])))
        _write_text(run_dir / "config.toml", header + dump_config(resolved))
        if mode != "within-series":
            if mode == "fit" and hasattr(det, "embedder_"):  # reconstruction:<model>: torch weights, not JSON
                det.save(run_dir / "model")
            elif mode == "fit":
                save_detector(det, run_dir / "model")
            write_scores(run_dir / "scores.txt", scores)
            _figures(run_dir, train_scores, scores, y)
            run = current_run()
            if run is not None:
                run.step(f"scored {len(test_set)} test series ({mode}); wrote scores, metrics and figures")
                try:  # pictures must not sink a run whose scores are written
                    run.note(_explorer(run_dir, det, test_set, scores, y))
                    if _reconstruction_figure(run_dir, det, test_set, scores):
                        run.caption("reconstructions.png", "The most normal, a median and the two most abnormal "
                                    "test series (as the autoencoder sees them) beside their reconstructions.")
                except Exception as err:  # noqa: BLE001
                    run.note(f"no explorer / reconstruction figure: {type(err).__name__}: {err}")
        with atomic_path(run_dir / "metrics.json") as tmp:
            tmp.write_text(json.dumps(metrics, indent=2) + "\n")
        echo_err(f"run folder: {run_dir}")
