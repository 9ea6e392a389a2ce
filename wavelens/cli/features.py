"""``wavelens features DATA --pipeline SPEC --out FEATURES``: representations as a table."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ._app import command, parse_options


@command("features")
def features_cmd(
    paths: List[str] = typer.Argument(..., help="Files, folders or globs, in any format wavelens reads."),
    pipeline: str = typer.Option(
        ...,
        "--pipeline",
        "-p",
        help='Transforms, e.g. "detrend | gabor_bank + statistics + spectral_summary". '
        "'|' chains stages, '+' concatenates features. --list shows the names.",
    ),
    out: Path = typer.Option(..., "--out", help="Output table: .parquet, .csv or .tsv (one row per series or window)."),
    format: Optional[str] = typer.Option(None, "--format", help="Input format name; detected when omitted."),
    fs: Optional[float] = typer.Option(None, "--fs", help="Sampling rate in Hz, if the format carries none."),
    option: Optional[List[str]] = typer.Option(None, "--option", "-o", help="Reader option KEY=VALUE (repeatable)."),
    window: Optional[int] = typer.Option(None, "--window", min=1, help="Cut series into windows of N samples: one row per window."),
    step: Optional[int] = typer.Option(None, "--step", min=1, help="Hop between windows (default: the window size)."),
    chunk_size: Optional[int] = typer.Option(None, "--chunk-size", min=1, help="Series per chunk (default: about 256 MiB)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Compute features for every series (or window) and write them with their ids."""
    from ..pipeline import compute_features

    n_rows, n_cols = compute_features(
        paths if len(paths) > 1 else paths[0],
        pipeline=pipeline,
        out=out,
        format=format,
        fs=fs,
        options=parse_options(option),
        window=window,
        step=step,
        chunk_size=chunk_size,
        progress=progress,
    )
    typer.echo(f"wrote {n_rows} rows × {n_cols} features to {out}")
