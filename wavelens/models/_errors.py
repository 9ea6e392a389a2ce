"""Errors and warnings of the training loop (importable without torch)."""

from __future__ import annotations

from ..exceptions import WavelensError

__all__ = ["TrainingError", "TrainingDivergedWarning"]


class TrainingError(WavelensError, RuntimeError):
    """Training could not produce a usable model (e.g. the loss was NaN from the first epoch)."""


class TrainingDivergedWarning(RuntimeWarning):
    """The loss became NaN/inf: training stopped and the last good weights were kept."""
