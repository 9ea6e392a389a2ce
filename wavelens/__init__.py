"""wavelens: machine learning on raw waveforms.

Load signals in the format you have (:mod:`wavelens.io`), turn them into
representations (:mod:`wavelens.transforms`), score them for anomalies, embed,
cluster and classify them, and look at the results — from Python or from the
``wavelens`` command.
"""

from .data import SignalSet, check_collection
from .exceptions import NotFittedError, ValidationError, WavelensError

__version__ = "0.1.0"

__all__ = ["SignalSet", "check_collection", "WavelensError", "ValidationError", "NotFittedError", "__version__"]
