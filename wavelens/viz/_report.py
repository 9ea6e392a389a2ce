"""``report.html``: one self-contained page per run folder.

What goes in, from the run folder's files (each section only when its file is there):

* the header: job, status (``ok``, ``failed`` with the error and the steps done,
  ``running``), start time and duration — ``status.json``;
* the data summary — ``summary.json``;
* the resolved configuration — ``config.toml``;
* the metrics as a table — ``metrics.json``;
* every figure (``*.png`` except ``report*.png``), embedded as base64 PNG, with captions;
* the interactive explorer of the embedding — ``explorer.npz``
  (:func:`~wavelens.viz.write_explorer_data`), drawn with the plotly.js of the installed
  ``plotly`` package, inlined;
* the list of the folder's files.

Nothing is fetched: no external script, style sheet, font or image, so the page opens
offline and can be mailed as one file.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ValidationError
from ._report_data import EXPLORER_FILE, MAX_CATEGORIES, read_explorer_data

__all__ = ["write_report", "is_run_folder", "REPORT_FILE", "RUN_FOLDER_MARKERS"]

REPORT_FILE = "report.html"
#: A folder holding at least one of these is a run folder.
RUN_FOLDER_MARKERS = ("status.json", "config.toml", "metrics.json", "summary.json")

#: Captions of the figures the wavelens jobs draw (a job can give others in status.json).
FIGURE_CAPTIONS = {
    "series.png": "Example series beside their spectrograms (normal and abnormal).",
    "scores.png": "Anomaly scores of the training (fit) and test series; higher = more abnormal.",
    "score_histograms.png": "Anomaly scores of the training (fit) and test series; higher = more abnormal.",
    "roc.png": "ROC curve of the test scores against the labels.",
    "pr.png": "Precision–recall curve of the test scores against the labels.",
    "window_scores.png": "Window scores along the series: where the anomaly is.",
    "loss.png": "Training and validation loss per epoch.",
    "reconstructions.png": "Inputs beside the autoencoder's reconstructions.",
    "latent.png": "The embedding projected to 2-D, coloured by cluster.",
    "latent_3d.png": "The embedding projected to 3-D, coloured by cluster.",
    "clusters.png": "Example series of each cluster (the medoid first).",
    "cluster_examples.png": "Example series of each cluster (the medoid first).",
    "confusion.png": "Confusion matrix.",
}
_FIGURE_ORDER = list(FIGURE_CAPTIONS)

_CLUSTER_KEYS = ("cluster",)
_SCORE_KEYS = ("score",)
_LABEL_KEYS = ("label", "labels")


def is_run_folder(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a folder holding a run's status, configuration, metrics or summary."""
    p = Path(path)
    return p.is_dir() and any((p / name).is_file() for name in RUN_FOLDER_MARKERS)


def _check_run_folder(run_dir: Path) -> None:
    if not run_dir.exists():
        raise ValidationError(f"report: {str(run_dir)!r} does not exist; give a run folder (e.g. from --run-dir).")
    if not run_dir.is_dir():
        raise ValidationError(f"report: {str(run_dir)!r} is a file, not a run folder; give the folder a job wrote.")
    if not is_run_folder(run_dir):
        raise ValidationError(
            f"report: {str(run_dir)!r} is not a run folder: it holds none of {list(RUN_FOLDER_MARKERS)!r}. "
            "Give a folder written by a wavelens job (wavelens demo, wavelens detect --run-dir ...)."
        )


# --------------------------------------------------------------------------------------
# reading the folder
# --------------------------------------------------------------------------------------
def _read_json(path: Path) -> tuple[Any, str | None]:
    if not path.is_file():
        return None, None
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as err:
        return None, f"could not read {path.name}: {err}"


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v).lower() if isinstance(v, bool) else "n/a"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) >= 10_000 else str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if not math.isfinite(v):
            return str(v)
        return f"{v:.4g}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6) else f"{v:.4f}".rstrip("0").rstrip(".")
    if isinstance(v, (list, tuple)):
        text = ", ".join(_fmt(x) for x in v[:20]) + (f", … ({len(v)} in all)" if len(v) > 20 else "")
        return f"[{text}]"
    if isinstance(v, dict):
        text = json.dumps(v, default=str)
        return text if len(text) <= 300 else text[:297] + "…"
    return str(v)


def _flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and len(v) <= 30 and prefix.count(".") < 2:
            rows += _flatten(v, key + ".")
        else:
            rows.append((key, v))
    return rows


def _kv_table(d: dict[str, Any], cls: str) -> str:
    rows = []
    for k, v in _flatten(d):
        num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        rows.append(f'<tr><th>{_esc(k)}</th><td class="{"num" if num else ""}">{_esc(_fmt(v))}</td></tr>')
    return f'<table class="kv {cls}">' + "".join(rows) + "</table>"


def _figures(run_dir: Path, captions: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, caption, base64 PNG) of every figure, job-given order first."""
    pngs = [p for p in run_dir.glob("*.png") if p.is_file() and not p.name.startswith("report")]
    rank = {name: i for i, name in enumerate(list(captions) + [n for n in _FIGURE_ORDER if n not in captions])}
    pngs.sort(key=lambda p: (rank.get(p.name, len(rank)), p.name))
    out = []
    for p in pngs:
        data = p.read_bytes()
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            continue  # a PNG name on something else: leave it out rather than show a broken image
        cap = captions.get(p.name) or FIGURE_CAPTIONS.get(p.name) or p.stem.replace("_", " ").capitalize() + "."
        out.append((p.name, cap, base64.b64encode(data).decode("ascii")))
    return out


def _files(run_dir: Path, limit: int = 300) -> list[tuple[str, int]]:
    files = []
    for p in sorted(run_dir.rglob("*")):
        if p.is_file() and not p.name.startswith((".", REPORT_FILE)) and ".tmp" not in p.name:
            files.append((p.relative_to(run_dir).as_posix(), p.stat().st_size))
            if len(files) >= limit:
                break
    return files


def _size(nbytes: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1024 or unit == "GB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return ""


# --------------------------------------------------------------------------------------
# the explorer
# --------------------------------------------------------------------------------------
def _short(v: float) -> float | None:
    return float(f"{v:.6g}") if math.isfinite(v) else None


def _column_payload(values: np.ndarray) -> dict[str, Any]:
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        distinct = np.unique(finite)
        if distinct.size <= 12 and np.all(distinct == np.round(distinct)):
            # a few integers (cluster numbers, 0/1 labels): categories, not a colour scale
            strs = ["" if not math.isfinite(v) else str(int(v)) for v in values.tolist()]
            return {"kind": "cat", "values": strs, "categories": [str(int(v)) for v in distinct.tolist()]
                    + ([""] if finite.size < values.size else [])}
        return {"kind": "num", "values": [_short(v) for v in values.tolist()]}
    strs = [str(v) for v in values.tolist()]
    cats = sorted(set(strs))
    return {"kind": "cat" if len(cats) <= MAX_CATEGORIES else "hover", "values": strs, "categories": cats}


def _pick(names: list[str], keys: tuple[str, ...]) -> str | None:
    lower = {n.lower(): n for n in names}
    return next((lower[k] for k in keys if k in lower), None)


def _explorer_payload(ex: dict[str, Any]) -> dict[str, Any]:
    columns = {name: _column_payload(np.asarray(v)) for name, v in ex["columns"].items()}
    names = list(columns)
    first = [c for c in (_pick(names, _CLUSTER_KEYS), _pick(names, _SCORE_KEYS), _pick(names, _LABEL_KEYS)) if c]
    others = [c for c in names if c not in first][:3]
    projections = {}
    for name, c in ex["projections"].items():
        p = {"dims": int(c.shape[1]), "x": [_short(v) for v in c[:, 0].tolist()],
             "y": [_short(v) for v in c[:, 1].tolist()]}
        if c.shape[1] == 3:
            p["z"] = [_short(v) for v in c[:, 2].tolist()]
        projections[name] = p
    default = next((c for c in (_pick(names, _CLUSTER_KEYS), _pick(names, _SCORE_KEYS), _pick(names, _LABEL_KEYS))
                    if c and columns[c]["kind"] != "hover"), "")
    wave, spec = ex["wave"], ex["spec"]
    return {
        "ids": ex["ids"].tolist(),
        "columns": columns,
        "hover_columns": first + others,
        "default_colour": default,
        "projections": projections,
        "n_envelope": int(wave.shape[2]),
        "wave": base64.b64encode(np.ascontiguousarray(wave).tobytes()).decode("ascii"),
        "wave_range": [[_short(a), _short(b)] for a, b in ex["wave_range"].astype(np.float64).tolist()],
        "duration": [_short(v) for v in ex["duration"].tolist()],
        "spec_shape": [int(spec.shape[1]), int(spec.shape[2])],
        "spec": base64.b64encode(np.ascontiguousarray(spec).tobytes()).decode("ascii"),
        "spec_fmax": [_short(v) for v in ex["spec_fmax"].tolist()],
        "spec_db": float(ex["spec_db"]),
        "time_unit": ex["time_unit"],
        "freq_unit": ex["freq_unit"],
        "channel": ex["channel"],
    }


def _script_json(obj: Any) -> str:
    # "</" would end the <script> element early; JSON allows "<\/"
    return json.dumps(obj, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")


def _explorer_section(run_dir: Path) -> tuple[str, str]:
    """(section HTML, scripts HTML) of the explorer, or a note when the run has none."""
    if not (run_dir / EXPLORER_FILE).is_file():
        return "", ""
    try:
        ex = read_explorer_data(run_dir)
        payload = _explorer_payload(ex)
    except (ValidationError, KeyError, ValueError, IndexError) as err:
        return (f'<section id="wl-explorer"><h2>Explorer</h2><p class="error">{_esc(err)}</p></section>', "")
    from plotly.offline import get_plotlyjs

    from ._report_assets import EXPLORER_JS

    n = len(payload["ids"])
    section = f"""<section id="wl-explorer">
<h2>Explorer</h2>
<p class="hint">{n:,} series. Hover a point for its id, cluster, score and label; click it to see its
waveform and spectrogram; colour by any column; the 3-D views rotate with the mouse.</p>
<div class="controls">
  <label>projection <select id="wl-projection"></select></label>
  <label>colour by <select id="wl-colour"></select></label>
</div>
<div class="panes">
  <div id="wl-scatter"></div>
  <div>
    <div id="wl-selected">Click a point to see its waveform and spectrogram.</div>
    <div id="wl-wave"></div>
    <div id="wl-spec"></div>
  </div>
</div>
</section>"""
    scripts = (f'<script type="application/json" id="wl-explorer-data">{_script_json(payload)}</script>\n'
               f"<script>{get_plotlyjs()}</script>\n<script>{EXPLORER_JS}</script>")
    return section, scripts


# --------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------
def _time_text(iso: str | None) -> str:
    if not iso:
        return "n/a"
    try:
        return _dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return str(iso)


def _header(run_dir: Path, status: dict[str, Any] | None, title: str | None) -> str:
    st = status or {}
    job = st.get("job") or "unknown job"
    state = str(st.get("status") or "unknown")
    head = title or f"wavelens {job}: {run_dir.resolve().name}"
    bits = [f"job <b>{_esc(job)}</b>"]
    if st.get("started"):
        bits.append(f"started {_esc(_time_text(st.get('started')))}")
    if st.get("seconds") is not None:
        bits.append(f"took {_esc(_fmt(st['seconds']))} s")
    if st.get("wavelens_version"):
        bits.append(f"wavelens {_esc(st['wavelens_version'])}")
    if not status:
        bits.append("no status.json: the job did not record its status")
    out = [f'<header id="wl-header"><h1>{_esc(head)} <span class="badge {_esc(state)}" id="wl-status">'
           f"{_esc(state)}</span></h1>",
           f'<div class="meta">{" · ".join(bits)} · folder {_esc(run_dir.resolve())}</div>']
    if st.get("error"):
        out.append(f'<p><b>The job failed:</b></p><div class="error" id="wl-error">{_esc(st["error"])}</div>')
    if st.get("command"):
        out.append(f'<div class="meta">command: <code>{_esc(st["command"])}</code></div>')
    out.append("</header>")
    steps, notes = list(st.get("steps") or []), list(st.get("notes") or [])
    if steps:
        what = "Steps done before the failure" if state in ("failed", "interrupted") else "Steps"
        out.append(f'<section id="wl-steps"><h2>{what}</h2><ol>'
                   + "".join(f"<li>{_esc(s)}</li>" for s in steps) + "</ol></section>")
    if notes:
        out.append('<section id="wl-notes"><h2>Notes</h2><ul class="notes">'
                   + "".join(f"<li>{_esc(s)}</li>" for s in notes) + "</ul></section>")
    return "\n".join(out)


def write_report(
    run_dir: str | os.PathLike[str],
    *,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the self-contained ``report.html`` of a run folder.

    Parameters
    ----------
    run_dir : path
        A run folder: it holds at least one of ``status.json``, ``config.toml``,
        ``metrics.json`` or ``summary.json``.
    path : path, optional
        Where to write; default ``run_dir / "report.html"``.
    title : str, optional
        Page title; default ``"wavelens <job>: <folder name>"``.

    Returns
    -------
    Path
        The report, written atomically (a failure leaves any previous report intact).

    Raises
    ------
    ValidationError
        If ``run_dir`` is missing or is not a run folder.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from wavelens.viz import write_report
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "metrics.json").write_text(json.dumps({"roc_auc": 0.93}))
    >>> write_report(d).name
    'report.html'
    """
    from ..io._atomic import atomic_path

    run_dir = Path(run_dir)
    _check_run_folder(run_dir)
    problems: list[str] = []
    status, err = _read_json(run_dir / "status.json")
    problems += [err] if err else []
    summary, err = _read_json(run_dir / "summary.json")
    problems += [err] if err else []
    metrics, err = _read_json(run_dir / "metrics.json")
    problems += [err] if err else []
    status = status if isinstance(status, dict) else None
    captions = dict((status or {}).get("figures") or {})

    parts = [_header(run_dir, status, title)]
    if problems:
        parts.append('<section id="wl-problems"><h2>Problems reading the run folder</h2><ul>'
                     + "".join(f"<li>{_esc(p)}</li>" for p in problems) + "</ul></section>")
    parts.append('<section id="wl-summary"><h2>Data</h2>' + (
        _kv_table(summary, "summary") if isinstance(summary, dict)
        else '<p class="hint">No data summary (summary.json) in this run.</p>') + "</section>")
    config = run_dir / "config.toml"
    parts.append('<section id="wl-config"><h2>Configuration</h2>' + (
        f'<pre class="config">{_esc(config.read_text(encoding="utf-8", errors="replace"))}</pre>'
        if config.is_file() else '<p class="hint">No configuration (config.toml) in this run.</p>') + "</section>")
    parts.append('<section id="wl-metrics"><h2>Metrics</h2>' + (
        _kv_table(metrics, "metrics") if isinstance(metrics, dict) and metrics
        else '<p class="hint">No metrics (metrics.json) in this run.</p>') + "</section>")
    figs = _figures(run_dir, captions)
    if figs:
        parts.append('<section id="wl-figures"><h2>Figures</h2><div class="figures">' + "".join(
            f'<figure data-name="{_esc(name)}"><img alt="{_esc(cap)}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{_esc(cap)} <span class=\"meta\">({_esc(name)})</span></figcaption></figure>"
            for name, cap, b64 in figs) + "</div></section>")
    explorer, scripts = _explorer_section(run_dir)
    if explorer:
        parts.append(explorer)
    files = _files(run_dir)
    parts.append('<section id="wl-files"><h2>Files</h2><table class="kv files">' + "".join(
        f"<tr><td>{_esc(name)}</td><td class=\"num\">{_esc(_size(size))}</td></tr>" for name, size in files)
        + "</table></section>")
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="wavelens">
<title>{_esc(title or f"wavelens {(status or {}).get('job') or 'run'}: {run_dir.resolve().name}")}</title>
<style>{_css()}</style></head>
<body>
{chr(10).join(parts)}
<footer class="meta"><p>Report written {_esc(now)} by wavelens.viz.write_report.</p></footer>
{scripts}
</body></html>
"""
    out = Path(path) if path is not None else run_dir / REPORT_FILE
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out


def _css() -> str:
    from ._report_assets import CSS

    return CSS
