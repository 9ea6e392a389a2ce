"""Exceptions raised by wavelens.

Every error says what is wrong, with which argument, series or file; what was
expected; what was found; and what to do.
"""

__all__ = [
    "WavelensError",
    "ValidationError",
    "NotFittedError",
    "DataFormatError",
    "MissingDependencyError",
]


class WavelensError(Exception):
    """Base class of every error that wavelens raises on purpose."""


class ValidationError(WavelensError, ValueError):
    """An argument or a collection of series is not what a function needs."""


class NotFittedError(WavelensError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class DataFormatError(ValidationError):
    """A file could not be read: corrupt, truncated, or not in the format expected.

    The message names the file and, where it can, the line and column.
    """


class MissingDependencyError(WavelensError, ImportError):
    """An optional dependency is needed; the message says which extra installs it."""
