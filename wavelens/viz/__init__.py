"""Figures (matplotlib; every function returns a Figure) and, later, the HTML report."""

from ._style import save_figure
from ._series import plot_series
from ._figures_latent import plot_cluster_examples, plot_latent
from ._figures_scores import plot_confusion, plot_pr, plot_roc, plot_score_histograms, plot_window_scores
from ._figures_signals import plot_line_images, plot_loss_curves, plot_reconstructions, plot_series_spectrograms
from ._report import write_report
from ._report_data import read_explorer_data, write_explorer_data

__all__ = [
    "plot_series",
    "save_figure",
    "plot_series_spectrograms",
    "plot_cluster_examples",
    "plot_latent",
    "plot_reconstructions",
    "plot_roc",
    "plot_pr",
    "plot_score_histograms",
    "plot_window_scores",
    "plot_loss_curves",
    "plot_line_images",
    "plot_confusion",
    "write_report",
    "write_explorer_data",
    "read_explorer_data",
]
