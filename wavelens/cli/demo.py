"""``wavelens demo``: the main job on data that ships with wavelens (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ._app import command, out_dir


@command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("wavelens-demo"), "--out", help="Run folder to write."),
) -> None:
    """Inspect the shipped vibration dataset and write a summary and a figure to a run folder."""
    from rich.console import Console
    from rich.table import Table

    from ..datasets import demo_path, load_demo
    from ..io import atomic_path
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
    typer.echo(f"run folder: {run}  (summary.json, series.png)")
