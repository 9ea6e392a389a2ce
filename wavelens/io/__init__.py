"""Reading and writing series.

``load(path | folder | glob)`` returns a :class:`~wavelens.data.SignalSet` whatever
the format; ``iter_chunks`` yields a large input in bounded pieces; the writers put
scores, embeddings and feature tables on disk atomically.

Formats: text rows (one series per row), text columns (one long series per file),
NumPy ``.npy``/``.npz`` (incl. structured arrays), WAV, HDF5, Parquet, zarr, the
UCR/UEA ``.ts`` archive format, and seismic formats through ObsPy (miniSEED, SAC, ...).
"""

from ._atomic import atomic_path
from ._load import iter_chunks, load, resolve_paths
from ._registry import Format, detect_format, formats, get_format, register
from ._write import TableWriter, read_table, write_scores, write_table

# Each reader module registers its format(s) on import; their heavy dependencies
# are imported only when a file is read.
from . import _text, _numpy, _wav, _ts, _parquet, _hdf5, _zarr, _seismic  # noqa: E402,F401

__all__ = [
    "load",
    "iter_chunks",
    "resolve_paths",
    "atomic_path",
    "write_scores",
    "write_table",
    "read_table",
    "TableWriter",
    "Format",
    "formats",
    "get_format",
    "detect_format",
    "register",
]
