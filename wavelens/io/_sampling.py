"""What every reader shares: the output dtype of samples, and the sampling rate a file
carries checked against one the user gave (a disagreement is an error, never a
silent relabelling)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import DataFormatError, ValidationError

__all__: list[str] = []


def _out_dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise ValidationError(f"dtype={dtype!r} is not a NumPy dtype; use 'float32' or 'float64'.") from err
    if dt.kind != "f":
        raise ValidationError(f"dtype={dtype!r} is not a floating-point type; use 'float32' or 'float64'.")
    return dt


def _fs_text(fs: Any) -> str:
    a = np.atleast_1d(np.asarray(fs, dtype=np.float64))
    lo, hi = float(a.min()), float(a.max())
    return f"{lo:g}" if np.isclose(lo, hi, rtol=1e-9, atol=0) else f"{lo:g}..{hi:g}"


def _merge_fs(user_fs: Any, file_fs: np.ndarray | None, source: str, switch: str, where: str) -> Any:
    """The file's sampling rate, checked against one the user gave."""
    if file_fs is None:
        return user_fs
    if user_fs is None:
        return file_fs
    try:
        u = np.asarray(user_fs, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"fs={user_fs!r} is not a number in Hz.") from err
    if not np.allclose(file_fs, u, rtol=1e-6, atol=0):
        raise ValidationError(
            f"{where}: fs={user_fs!r} was given, but {source} says fs={_fs_text(file_fs)} Hz. "
            f"Drop fs= to use the file's rate, or pass {switch} to ignore it."
        )
    return file_fs


def _check_rates(fs: np.ndarray, where: str, source: str, start: int) -> np.ndarray:
    bad = np.flatnonzero(~(np.isfinite(fs) & (fs > 0)))
    if bad.size:
        i = int(bad[0])
        raise DataFormatError(
            f"{where}: {source} gives fs={float(fs[i])!r} Hz for series {start + i}; expected a "
            "positive finite rate."
        )
    return fs
