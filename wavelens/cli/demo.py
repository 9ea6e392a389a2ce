"""``wavelens demo``: the main job on data that ships with wavelens (no network)."""

from __future__ import annotations

import json

import numpy as np
from pathlib import Path

import typer

from ._app import command, out_dir


@command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("wavelens-demo"), "--out", help="Run folder to write."),
) -> None:
    """Inspect the shipped vibration dataset, score its test records for anomalies, write a run folder."""
    from rich.console import Console
    from rich.table import Table

    from ..datasets import demo_path, load_demo
    from ..detect import default_detector
    from ..evaluate import pr_auc, roc_auc
    from ..io import atomic_path, write_scores
    from ..summary import summarize
    from ..viz import plot_series, save_figure

    run = out_dir(out)
    data = load_demo()
    summary = summarize(data)
    table = Table(title=f"wavelens demo: {demo_path().name}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for k, v in summary.rows():
        table.add_row(k, v)
    Console().print(table)
    with atomic_path(run / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary.to_dict(), indent=2))
    # two normal training records and two abnormal test records, side by side
    normal = [i for i in range(len(data)) if data.labels[i] == 0][:2]
    abnormal = [i for i in range(len(data)) if data.labels[i] == 1][:2]
    fig = plot_series(data, indices=normal + abnormal)
    save_figure(fig, run / "series.png")

    # the main job: fit the default detector on the normal training records, score the test ones
    split = data.metadata["split"].to_numpy()
    train, test = data[split == "train"], data[split == "test"]
    detector = default_detector(fs=train.fs, n_times=int(train.lengths[0])).fit(train)
    scores = detector.decision_function(test)
    write_scores(run / "scores.txt", scores)
    metrics = {"roc_auc": roc_auc(test.labels, scores), "pr_auc": pr_auc(test.labels, scores),
               "n_train": len(train), "n_test": len(test), "n_abnormal": int(test.labels.sum())}
    with atomic_path(run / "metrics.json") as tmp:
        tmp.write_text(json.dumps(metrics, indent=2))
    ranked = np.argsort(-scores)
    typer.echo(f"anomaly scores for {len(test)} test records (default detector fitted on {len(train)} normal "
               f"ones): ROC AUC {metrics['roc_auc']:.3f}, PR AUC {metrics['pr_auc']:.3f}")
    top = ", ".join(f"{test.ids[i]} ({test.metadata['anomaly'].iloc[i] or 'normal'})" for i in ranked[:5])
    typer.echo(f"most abnormal: {top}")
    typer.echo(f"run folder: {run}  (summary.json, series.png, scores.txt, metrics.json)")
