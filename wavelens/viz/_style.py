"""Shared look of wavelens figures: a colour-blind-safe palette, readable sizes, atomic saving."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..io._atomic import atomic_path

__all__ = ["PALETTE", "new_figure", "save_figure"]

# Okabe & Ito's colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.prop_cycle": None,  # set below, needs cycler
    "figure.dpi": 100,
}


def _rc() -> dict[str, Any]:
    from cycler import cycler

    rc = dict(_RC)
    rc["axes.prop_cycle"] = cycler(color=PALETTE)
    return rc


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kwargs: Any):
    """A Figure and its axes, drawn without a screen (Agg) in wavelens' style."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=figsize or (6.4 * ncols, 2.6 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def save_figure(fig: Any, path: str | os.PathLike[str], *, dpi: int = 110) -> Path:
    """Save ``fig`` atomically; the format follows the suffix (.png, .svg, .pdf)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return path
