"""Atomic output: write to a temporary file beside the target, then rename.

A run that fails half-way leaves the old file (or no file), never a partial one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` atomically.

    On any exception the temporary file is removed and ``target`` is untouched.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from wavelens.io import atomic_path
    >>> out = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> with atomic_path(out) as tmp:
    ...     np.save(tmp, np.arange(3))
    >>> np.load(out).tolist()
    [0, 1, 2]
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix, dir=parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise
