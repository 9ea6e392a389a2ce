"""zarr reader: a directory store holding one array, or a group of arrays.

A zarr store is the same picture as an HDF5 file (arrays in groups, attributes on
both), so this reader adapts a zarr node to :class:`~wavelens.io._hdf5.ArrayStore`
and shares the HDF5 reader's logic: which array holds the series, where the ids,
labels and fs are, and reading rows by slicing. Works with zarr 3 (format 2 and 3
stores) and zarr 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from .._optional import import_optional
from ..data import SignalSet
from ..exceptions import DataFormatError
from ._hdf5 import ArrayPlan, ArrayStore, iter_rows, plan_array, read_rows, select_array
from ._sampling import _out_dtype as _checked_dtype
from ._registry import Format, register

__all__ = ["read_zarr", "iter_zarr"]

# Files that mark a directory as a zarr store: format 3, and format 2 group / array.
_MARKERS = ("zarr.json", ".zgroup", ".zarray")


class _ZarrStore(ArrayStore):
    """An open zarr group (walked recursively) or array (the root, path ``""``)."""

    kind = "array"
    a_kind = "an array"
    container = "store"
    option = "array"

    def __init__(self, root: Any, where: str) -> None:
        self._root = root
        self.where = where
        self.arrays = {}
        self.groups = set()
        if _is_array(root):
            self.arrays[""] = (tuple(root.shape), np.dtype(root.dtype))
            return

        def walk(group: Any, prefix: str) -> None:
            for name, arr in group.arrays():
                self.arrays[prefix + name] = (tuple(arr.shape), np.dtype(arr.dtype))
            for name, sub in group.groups():
                self.groups.add(prefix + name)
                walk(sub, prefix + name + "/")

        walk(root, "")

    def _node(self, path: str) -> Any:
        return self._root[path] if path else self._root

    def attrs(self, path: str) -> Mapping[str, Any]:
        return self._node(path).attrs

    def read(self, path: str, sel: Any, dtype: np.dtype | None) -> np.ndarray:
        a = np.asarray(self._node(path)[sel])
        if dtype is not None and a.dtype.kind in "biuf":
            return a.astype(dtype, copy=False)
        return a


def _is_array(node: Any) -> bool:
    return hasattr(node, "shape") and hasattr(node, "dtype") and not hasattr(node, "arrays")


def _open(path: Path, where: str) -> _ZarrStore:
    zarr = import_optional("zarr", purpose="Reading zarr stores")
    try:
        root = zarr.open(store=str(path), mode="r")
    except Exception as err:  # zarr raises many types for a store it cannot read
        raise DataFormatError(
            f"{where}: not a readable zarr store ({type(err).__name__}: {err})."
        ) from err
    return _ZarrStore(root, where)


def _open_plan(
    path: Path, dtype: Any, array: str | None, labels: Any, ids: Any, fs_key: Any, fs: Any
) -> tuple[_ZarrStore, ArrayPlan, np.dtype | None]:
    """The open store, the plan of the array to read and the checked dtype (of read and iter)."""
    where = repr(str(path))
    dt = _checked_dtype(dtype)
    store = _open(path, where)
    key = select_array(store, array)
    return store, plan_array(store, key, labels=labels, ids=ids, fs_key=fs_key, fs=fs), dt


def read_zarr(
    path: Path,
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    array: str | None = None,
    labels: str | bool | None = None,
    ids: str | bool | None = None,
    fs_key: str | bool | None = None,
) -> SignalSet:
    """Read series from a zarr store: one array, or an array in a group.

    Parameters
    ----------
    path : pathlib.Path
        The store: a directory (``.zarr``, or any directory holding ``zarr.json``,
        ``.zgroup`` or ``.zarray``).
    fs : float, optional
        Sampling rate in Hz, for stores that carry none. If the store gives one that
        disagrees (relative difference above 1e-6), :class:`ValidationError`; pass
        ``fs_key=False`` to ignore the store's rate.
    dtype : str or numpy dtype, default="float32"
        Float type of the samples; None keeps float32/float64 as stored and reads
        integers as float64.
    array : str, optional
        Path of the data array inside a group (``"raw/signals"``), of shape
        ``(n_series, n_times)``, ``(n_series, n_channels, n_times)`` or
        ``(n_times,)`` (one series). Default: the store's only 2-D/3-D numeric
        array (the store itself when it is an array).
    labels : str or False, optional
        Where the class labels are: an array (relative to the data's group, or
        absolute with a leading ``/``) or an attribute of the data array or an
        enclosing group; one value per series. Default: an array or attribute named
        ``"label"``/``"labels"`` beside the data, if any. False: no labels.
    ids : str or False, optional
        Where the series ids are, as for ``labels``. Default: ``"id"``/``"ids"``
        beside the data, otherwise the row numbers. False: row numbers.
    fs_key : str or False, optional
        Where the sampling rate is, in Hz: a scalar or per-series array or
        attribute. Default: an array or attribute named ``"fs"``,
        ``"sampling_rate"`` or ``"sample_rate"`` on/beside the data or on an
        enclosing group. False: no rate from the store.

    Returns
    -------
    SignalSet
        One series per row of the array, in order. An attribute ``channels`` on
        the array names its channels.

    Raises
    ------
    DataFormatError
        Not a zarr store; the array is missing (the message lists those present),
        not numeric, or of the wrong shape; no or several candidate arrays;
        ids/labels/fs not found or of the wrong size.
    ValidationError
        An ``fs`` that disagrees with the store's rate, or a non-float ``dtype``.
    MissingDependencyError
        zarr is not installed.

    Examples
    --------
    >>> import zarr, numpy as np, tempfile, os
    >>> from wavelens.io import load
    >>> p = os.path.join(tempfile.mkdtemp(), "x.zarr")
    >>> g = zarr.open_group(p, mode="w")
    >>> g.create_array("signals", data=np.zeros((5, 2, 64), "f4")).attrs["fs"] = 100.0
    >>> g.create_array("labels", data=np.array([0, 1, 1, 0, 1]))  # doctest: +ELLIPSIS
    <Array ...>
    >>> s = load(p)
    >>> len(s), s.n_channels, s.fs, s.labels.tolist()
    (5, 2, 100.0, [0, 1, 1, 0, 1])
    """
    store, plan, dt = _open_plan(path, dtype, array, labels, ids, fs_key, fs)
    return read_rows(store, plan, 0, plan.n_series, dt)


def iter_zarr(
    path: Path,
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    array: str | None = None,
    labels: str | bool | None = None,
    ids: str | bool | None = None,
    fs_key: str | bool | None = None,
) -> Iterator[SignalSet]:
    """Yield a zarr store as SignalSets of at most ``chunk_size`` series.

    The array is read by slicing, ``chunk_size`` rows at a time, so it never has to
    fit in memory. Parameters are those of :func:`read_zarr`; ``chunk_size=None``
    aims at about 256 MiB of samples per chunk.

    Yields
    ------
    SignalSet
        Consecutive chunks whose concatenation equals :func:`read_zarr`'s result.
    """
    store, plan, dt = _open_plan(path, dtype, array, labels, ids, fs_key, fs)
    yield from iter_rows(store, plan, chunk_size, dt)


def sniff(path: Path) -> bool:
    """True for a directory that holds a zarr marker file (``zarr.json``, ``.zgroup``, ``.zarray``)."""
    return path.is_dir() and any((path / m).is_file() for m in _MARKERS)


register(
    Format(
        name="zarr",
        extensions=(".zarr",),
        read=read_zarr,
        description="zarr directory store: an array (n_series[, n_channels], n_times) or a group",
        iter_chunks=iter_zarr,
        sniff=sniff,
        is_directory_store=True,
        options=("array", "labels", "ids", "fs_key"),
    )
)
