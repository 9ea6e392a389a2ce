"""Embedding tables in, cluster tables out (CSV/TSV/Parquet, ids kept)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..exceptions import ValidationError
from ._cluster import ClusterResult, check_embeddings

__all__ = ["read_embeddings", "cluster_table", "write_cluster_table", "default_cluster_path", "projection_columns"]

_ID_COLUMNS = ("id", "series_id")
# numeric columns that describe a series rather than embed it; kept as extra columns
_NOT_EMBEDDING = {"label", "labels", "y", "target", "class", "score", "scores", "cluster", "is_medoid",
                  "series", "start", "fs", "n_times", "length", "index"}
_PROJECTION_COLUMN = re.compile(r"^(pca|tsne|umap)_\d+$")


def _numbered(columns: list[str], prefix: str) -> list[str]:
    pat = re.compile(rf"^{prefix}(\d+)$")
    found = [(int(m.group(1)), c) for c in columns if (m := pat.match(c))]
    return [c for _, c in sorted(found)]


def read_embeddings(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Read an embedding table: ids, the embedding matrix and every other column.

    Parameters
    ----------
    path : str or path
        ``.parquet``/``.pq``, ``.csv`` or ``.tsv`` with an ``id`` column (or
        ``series_id``) and the embedding in numeric columns: ``z0 .. z{d-1}``
        (as :func:`wavelens.io.write_table` writes with ``prefix="z"``), else
        ``e0 ..``, else every numeric column except well-known descriptive ones
        (label, score, cluster, ...) and earlier projections (``pca_0`` ...).

    Returns
    -------
    ids : ndarray of str, shape (n_series,)
    E : ndarray of float64, shape (n_series, n_dims)
    extra : DataFrame, n_series rows
        The other columns (labels, scores, metadata), in file order.

    Raises
    ------
    ValidationError
        Missing file, no id column, no numeric columns, or NaN/inf in the embedding
        (the ids of those rows named).
    """
    from ..io import read_table

    path = Path(path)
    df = read_table(path)
    cols = [str(c) for c in df.columns]
    df.columns = cols
    id_col = next((c for c in _ID_COLUMNS if c in cols), None)
    if id_col is None:
        raise ValidationError(
            f"{str(path)!r}: no 'id' column; an embedding table needs one id per row (columns found: "
            f"{cols[:10]!r}). Write it with wavelens.io.write_table(..., ids=...) or add an 'id' column."
        )
    rest = [c for c in cols if c != id_col]
    emb = _numbered(rest, "z") or _numbered(rest, "e")
    if not emb:
        emb = [c for c in rest if c.lower() not in _NOT_EMBEDDING and not _PROJECTION_COLUMN.match(c)
               and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    if not emb:
        raise ValidationError(
            f"{str(path)!r}: no numeric embedding columns (expected z0, z1, ... or numeric columns besides "
            f"{id_col!r}; found {rest[:10]!r})."
        )
    bad = [c for c in emb if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValidationError(f"{str(path)!r}: embedding column(s) {bad[:5]!r} are not numeric (dtype {df[bad[0]].dtype}).")
    ids = df[id_col].astype(str).to_numpy(dtype=object)
    E, ids = check_embeddings(df[emb].to_numpy(dtype=np.float64), ids, caller=repr(str(path)))
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise ValidationError(f"{str(path)!r}: id {ids[np.flatnonzero(dup)[0]]!r} occurs more than once; ids must be unique.")
    extra = df[[c for c in rest if c not in emb]].reset_index(drop=True)
    return ids, E, extra


def cluster_table(
    result: ClusterResult,
    projections: Mapping[str, np.ndarray] | None = None,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per series: ``id``, ``cluster``, ``is_medoid``, projections, then the extra columns.

    Parameters
    ----------
    result : ClusterResult
    projections : mapping of str to ndarray (n_series, n_components), optional
        E.g. ``{"pca": P, "tsne": T}``; written as ``pca_0, pca_1, ...``.
    extra : DataFrame, optional
        Columns carried over (labels, scores, metadata); columns whose names the
        table already uses (an earlier run's ``cluster``, ``pca_0`` ...) are replaced.

    Returns
    -------
    DataFrame
    """
    n = result.labels.shape[0]
    is_medoid = np.zeros(n, dtype=bool)
    is_medoid[result.medoids] = True
    df = pd.DataFrame({"id": [str(i) for i in result.ids], "cluster": result.labels.astype(np.int64),
                       "is_medoid": is_medoid})
    for name, P in (projections or {}).items():
        P = np.asarray(P, dtype=np.float64)
        if P.ndim != 2 or P.shape[0] != n:
            raise ValidationError(f"cluster_table: projection {name!r} has shape {P.shape!r}, expected ({n}, 2 or 3).")
        for j in range(P.shape[1]):
            df[f"{name}_{j}"] = P[:, j]
    if extra is not None:
        ex = pd.DataFrame(extra).reset_index(drop=True)
        if len(ex) != n:
            raise ValidationError(f"cluster_table: extra has {len(ex)} rows for {n} series.")
        for c in ex.columns:
            if str(c) not in df.columns:
                df[str(c)] = ex[c].to_numpy()
    return df


def write_cluster_table(path: str | os.PathLike[str], table: pd.DataFrame) -> Path:
    """Write a cluster table atomically (CSV, TSV or Parquet, by the suffix)."""
    from ..io import write_table

    return write_table(path, table)


def default_cluster_path(embeddings: str | os.PathLike[str]) -> Path:
    """``<embeddings stem>_clusters.parquet`` beside the embeddings file."""
    p = Path(embeddings)
    return p.with_name(f"{p.stem}_clusters.parquet")


def projection_columns(table: pd.DataFrame, method: str) -> list[str]:
    """The ``<method>_0, <method>_1, ...`` columns of a cluster table, in order."""
    return _numbered([str(c) for c in table.columns], f"{method}_")
