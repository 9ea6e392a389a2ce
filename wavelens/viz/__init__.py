"""Figures (matplotlib; every function returns a Figure) and, later, the HTML report."""

from ._style import save_figure
from ._series import plot_series

__all__ = ["plot_series", "save_figure"]
