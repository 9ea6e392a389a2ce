"""``wavelens report RUN_DIR``: (re)write the self-contained ``report.html`` of a run folder.

::

    wavelens report RUN_DIR [--out FILE.html]

Every job that writes a run folder writes its report already; this command rebuilds it
(after adding figures, or with a newer wavelens). A folder that is not a run folder is
an error (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._app import command


@command("report")
def report_cmd(
    run_dir: Path = typer.Argument(..., help="A run folder (written by demo, detect --run-dir, embed, cluster, ...)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the report (default RUN_DIR/report.html)."),
) -> None:
    """Write RUN_DIR/report.html: data summary, configuration, metrics, figures and the explorer."""
    from ..viz import write_report

    path = write_report(run_dir, path=out)
    size = path.stat().st_size
    typer.echo(f"report: {path} ({size / 1e6:.1f} MB)")
