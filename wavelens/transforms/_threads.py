"""How many threads an ``n_jobs`` argument asks for.

The rule of the functions that spread series over their own threads (the filter banks
and the summary statistics): ``None`` means 1, a positive integer that many, and a
negative one counts back from the number of CPUs (-1 all of them, -2 all but one).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..exceptions import ValidationError

__all__: list[str] = []


def _n_threads(n_jobs: Any, caller: str) -> int:
    """Threads for ``n_jobs`` (see the module notes); ``caller`` names the function in errors."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, (bool, float)) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ValidationError(f"{caller}: n_jobs must be None, -1 or a positive integer, found {n_jobs!r}.")
    cpus = os.cpu_count() or 1
    return int(n_jobs) if n_jobs > 0 else max(1, cpus + 1 + int(n_jobs))
