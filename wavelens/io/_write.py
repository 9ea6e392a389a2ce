"""Writers for scores, embeddings and feature tables (CSV or Parquet), all atomic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..exceptions import ValidationError
from ._atomic import atomic_path

__all__ = ["write_scores", "write_table", "read_table", "TableWriter"]

_TABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".tsv")


def write_scores(path: str | os.PathLike[str], scores: Any) -> Path:
    """Write one score per line, in input order, as text (the study's output format).

    Parameters
    ----------
    path : str or path
        Output file; written atomically.
    scores : array-like of shape (n_series,)
        Finite scores, higher = more abnormal.

    Returns
    -------
    Path
        The file written.
    """
    a = np.asarray(scores, dtype=np.float64)
    if a.ndim != 1:
        raise ValidationError(f"write_scores: scores must be 1-D (n_series,), found shape {a.shape!r}.")
    if not np.isfinite(a).all():
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValidationError(f"write_scores: score {bad} is {float(a[bad])!r}; refusing to write non-finite scores.")
    path = Path(path)
    with atomic_path(path) as tmp:
        # repr-precision floats, one per line, so the file round-trips exactly
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write("\n".join(repr(float(v)) for v in a))
            fh.write("\n")
    return path


def write_table(
    path: str | os.PathLike[str],
    values: Any,
    *,
    ids: Sequence[Any] | None = None,
    columns: Sequence[str] | None = None,
    prefix: str = "f",
    extra: pd.DataFrame | dict[str, Any] | None = None,
) -> Path:
    """Write a feature or embedding table, one row per series, with ids.

    Parameters
    ----------
    path : str or path
        ``.csv``, ``.tsv`` or ``.parquet``/``.pq`` (chosen by the suffix); written atomically.
    values : array-like of shape (n_rows, n_features) or DataFrame
    ids : sequence, optional
        Written as the first column, ``id``.
    columns : sequence of str, optional
        Feature names; default ``f"{prefix}{j}"``.
    prefix : str, default="f"
        Column prefix when ``columns`` is not given (e.g. ``"z"`` for embeddings).
    extra : DataFrame or dict, optional
        More columns (labels, cluster, score), one row per series.

    Returns
    -------
    Path
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise ValidationError(
            f"write_table: {str(path)!r} has suffix {suffix!r}; use one of {list(_TABLE_SUFFIXES)!r}."
        )
    if isinstance(values, pd.DataFrame):
        df = values.reset_index(drop=True).copy()
    else:
        a = np.asarray(values)
        if a.ndim == 1:
            a = a[:, np.newaxis]
        if a.ndim != 2:
            raise ValidationError(f"write_table: values must be 2-D (n_rows, n_features), found shape {a.shape!r}.")
        cols = list(columns) if columns is not None else [f"{prefix}{j}" for j in range(a.shape[1])]
        if len(cols) != a.shape[1]:
            raise ValidationError(f"write_table: {len(cols)} column names for {a.shape[1]} columns.")
        df = pd.DataFrame(a, columns=cols)
    if extra is not None:
        ex = pd.DataFrame(extra).reset_index(drop=True)
        if len(ex) != len(df):
            raise ValidationError(f"write_table: extra has {len(ex)} rows, values have {len(df)}.")
        for c in ex.columns:
            df[c] = ex[c].to_numpy()
    if ids is not None:
        ids = list(ids)
        if len(ids) != len(df):
            raise ValidationError(f"write_table: {len(ids)} ids for {len(df)} rows.")
        df.insert(0, "id", [str(i) for i in ids])
    with atomic_path(path) as tmp:
        if suffix in (".parquet", ".pq"):
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
    return path


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (CSV, TSV or Parquet)."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{str(path)!r}: no such file.")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".csv", ".tsv"):
        return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype={"id": str, "series_id": str})
    raise ValidationError(f"read_table: {str(path)!r} has suffix {suffix!r}; use one of {list(_TABLE_SUFFIXES)!r}.")


class TableWriter:
    """Write a table chunk by chunk to a temporary file; rename it into place on close.

    Use as a context manager: on an exception the temporary file is removed and the
    target is untouched (no half-written table). Every chunk must have the same
    columns as the first.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> with TableWriter(out) as w:
    ...     w.write(pd.DataFrame({"id": ["a"], "f0": [1.0]}))
    ...     w.write(pd.DataFrame({"id": ["b"], "f0": [2.0]}))
    >>> len(read_table(out))
    2
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in _TABLE_SUFFIXES:
            raise ValidationError(
                f"{str(self.path)!r} has suffix {self.suffix!r}; use one of {list(_TABLE_SUFFIXES)!r}."
            )
        self.n_rows = 0
        self._columns: list[str] | None = None
        self._writer: Any = None
        self._ctx: Any = None
        self._tmp: Path | None = None
        self._fh: Any = None

    def __enter__(self) -> "TableWriter":
        self._ctx = atomic_path(self.path)
        self._tmp = self._ctx.__enter__()
        return self

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df``."""
        cols = [str(c) for c in df.columns]
        if self._columns is None:
            self._columns = cols
        elif cols != self._columns:
            raise ValidationError(
                f"TableWriter({str(self.path)!r}): a chunk has columns {cols[:5]!r}... but the first had "
                f"{self._columns[:5]!r}...; every chunk must have the same columns."
            )
        if self.suffix in (".parquet", ".pq"):
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if self._writer is None:
                self._writer = pq.ParquetWriter(str(self._tmp), table.schema)
            self._writer.write_table(table.cast(self._writer.schema))
        else:
            if self._fh is None:
                self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
            df.to_csv(self._fh, index=False, header=self.n_rows == 0, sep="\t" if self.suffix == ".tsv" else ",")
        self.n_rows += len(df)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            if self._fh is not None:
                self._fh.close()
            if exc_type is None and self._columns is None:
                raise ValidationError(f"TableWriter({str(self.path)!r}): nothing was written.")
        except BaseException as err:
            self._ctx.__exit__(type(err), err, err.__traceback__)
            raise
        self._ctx.__exit__(exc_type, exc, tb)
