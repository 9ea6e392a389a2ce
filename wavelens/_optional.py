"""Lazy imports of optional dependencies, with a message that says how to install them."""

from __future__ import annotations

import importlib
from types import ModuleType

from .exceptions import MissingDependencyError

# module name -> (what it is, the extra that installs it)
_EXTRAS = {
    "torch": ("PyTorch", "torch"),
    "obspy": ("ObsPy", "seismic"),
    "soundfile": ("soundfile", "audio"),
    "h5py": ("h5py", "hdf5"),
    "tables": ("PyTables", "hdf5"),
    "zarr": ("zarr", "zarr"),
    "dask": ("Dask", "dask"),
    "distributed": ("Dask distributed", "dask"),
    "umap": ("umap-learn", "umap"),
    "pyod": ("PyOD", "pyod"),
    "aeon": ("aeon", "aeon"),
}


def import_optional(module: str, *, purpose: str) -> ModuleType:
    """Import an optional dependency or raise :class:`MissingDependencyError`.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"obspy"``.
    purpose : str
        What needs it, for the message, e.g. ``"Reading miniSEED files"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        name, extra = _EXTRAS.get(top, (top, None))
        how = (
            f"pip install 'wavelens[{extra}]'" if extra else f"pip install {top}"
        )
        raise MissingDependencyError(
            f"{purpose} needs {name}, which is not installed. Install with: {how}"
        ) from err
