"""``wavelens inspect PATH...``: what is in these files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from ._app import command, parse_options


@command("inspect")
def inspect_cmd(
    paths: List[str] = typer.Argument(..., help="Files, folders or globs, in any format wavelens reads."),
    format: Optional[str] = typer.Option(None, "--format", help="Format name; detected when omitted."),
    fs: Optional[float] = typer.Option(None, "--fs", help="Sampling rate in Hz, if the format carries none."),
    option: Optional[List[str]] = typer.Option(
        None, "--option", "-o", help="Reader option KEY=VALUE (repeatable), e.g. -o field=wvfmdata."
    ),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a figure of a few series and their spectrograms."),
    n_plot: int = typer.Option(4, "--n-plot", min=1, help="How many series the figure shows."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the summary as JSON."),
) -> None:
    """Summarise series: count, channels, lengths, fs, labels, constant and NaN/inf series."""
    from rich.console import Console
    from rich.table import Table

    from ..io import atomic_path, iter_chunks
    from ..summary import summarize

    options = parse_options(option)
    source = paths if len(paths) > 1 else paths[0]
    first: list = []

    def chunks():
        for chunk in iter_chunks(source, format=format, fs=fs, **options):
            if len(first) < n_plot:
                first.append(chunk[: n_plot - len(first)])
            yield chunk

    summary = summarize(chunks())
    table = Table(title=f"wavelens inspect: {', '.join(paths)}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for k, v in summary.rows():
        table.add_row(k, v)
    Console().print(table)
    if json_out is not None:
        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps(summary.to_dict(), indent=2))
    if plot is not None:
        from ..data import SignalSet
        from ..viz import plot_series, save_figure

        fig = plot_series(SignalSet.concat(first), n=n_plot)
        save_figure(fig, plot)
        typer.echo(f"figure: {plot}")
