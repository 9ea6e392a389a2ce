"""The data of the report's interactive explorer: ``explorer.npz`` in a run folder.

A job that has an embedding (or any 2-D/3-D projection of its series) calls
:func:`write_explorer_data`; :func:`~wavelens.viz.write_report` then draws the explorer
from that file alone, so the report can be rebuilt later without the data.

File format (``explorer.npz``, NumPy's zip of arrays, no pickle; ``n`` points):

========================  ==========================  ==========================================
key                       shape, dtype                meaning
========================  ==========================  ==========================================
``format``                (), str                     ``"wavelens-explorer-1"``
``ids``                   (n,), str                   series ids, in point order
``column_names``          (k,), str                   columns to colour by / hover
``col__<i>``              (n,), float64 or str        column ``column_names[i]`` (NaN = missing)
``projection_names``      (p,), str                   e.g. ``"pca"``, ``"tsne"``
``proj__<i>``             (n, 2) or (n, 3), float32   projection ``projection_names[i]``
``wave``                  (n, 2, m), uint8            min/max envelope of the series in ``m``
                                                      bins, quantised between ``wave_range``
``wave_range``            (n, 2), float32             the series' minimum and maximum
``duration``              (n,), float64               length in ``time_unit``
``spec``                  (n, n_freqs, n_frames),     log power spectrogram, 0 = ``spec_db``
                          uint8                       dB below the series' peak (or less), 255 =
                                                      the peak; frequencies from 0 (row 0) up
``spec_fmax``             (n,), float64               top frequency (Nyquist) in ``freq_unit``
``spec_db``               (), float64                 dynamic range of ``spec`` in dB
``time_unit``             (), str                     ``"s"``, or ``"samples"`` without ``fs``
``freq_unit``             (), str                     ``"Hz"``, or ``"cycles/sample"``
``channel``               (), str                     the channel shown
========================  ==========================  ==========================================

Per point that is ``2 m + n_freqs n_frames`` bytes (3,872 with the defaults), so
thousands of points stay a few megabytes in the report.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..exceptions import ValidationError

__all__ = ["write_explorer_data", "read_explorer_data", "EXPLORER_FILE"]

EXPLORER_FILE = "explorer.npz"
_FORMAT = "wavelens-explorer-1"
_PROJ_COLUMN = re.compile(r"^(?P<name>.+)_(?P<k>\d+)$")
#: string columns with more distinct values than this are kept for hover only
MAX_CATEGORIES = 24


def _envelope(x: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``x`` (n, L) in ``m`` bins, (n, m) each."""
    L = x.shape[-1]
    starts = np.floor(np.arange(m) * (L / m)).astype(np.intp)
    # reduceat over equal consecutive starts returns the element itself: fine for L < m
    return np.minimum.reduceat(x, starts, axis=-1), np.maximum.reduceat(x, starts, axis=-1)


def _resize_mean(a: np.ndarray, axis: int, n: int) -> np.ndarray:
    """Average ``a`` into ``n`` bins along ``axis`` (bins repeat a sample when upsampling)."""
    S = a.shape[axis]
    lo = np.floor(np.arange(n) * (S / n)).astype(np.intp)
    hi = np.maximum(lo + 1, np.floor(np.arange(1, n + 1) * (S / n)).astype(np.intp))
    cs = np.cumsum(a, axis=axis, dtype=np.float64)
    cs = np.concatenate([np.zeros_like(np.take(cs, [0], axis=axis)), cs], axis=axis)
    return (np.take(cs, hi, axis=axis) - np.take(cs, lo, axis=axis)) / (hi - lo).reshape(
        [-1 if d == axis % a.ndim else 1 for d in range(a.ndim)])


def _nperseg(L: int) -> int:
    if L < 16:
        return L
    return int(min(256, max(16, 2 ** int(np.floor(np.log2(L / 16))))))


def _small_spectrograms(x: np.ndarray, fs: float | None, shape: tuple[int, int], db: float) -> np.ndarray:
    """(n, L) equal-length series → (n, n_freqs, n_frames) uint8 log spectrograms."""
    from ..transforms import spectrogram

    n, L = x.shape
    nperseg = _nperseg(L)
    P = spectrogram(x[:, None, :], fs=fs, nperseg=nperseg, noverlap=nperseg // 2, scaling="power")[:, 0]
    P = _resize_mean(_resize_mean(np.asarray(P, dtype=np.float64), 1, shape[0]), 2, shape[1])
    peak = P.reshape(n, -1).max(axis=1)
    floor = np.where(peak > 0, peak * 10.0 ** (-db / 10.0), 1.0)
    rel = 10.0 * np.log10(np.maximum(P, floor[:, None, None]) / np.where(peak > 0, peak, 1.0)[:, None, None])
    q = np.round((rel + db) / db * 255.0)
    q[peak <= 0] = 0  # an all-zero series has no spectrum to show
    return np.clip(q, 0, 255).astype(np.uint8)


def _columns_from_table(
    table: Any, ids: np.ndarray, *, by_id: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Split a table (one row per series) into colour columns and projections.

    ``by_id=False``: the rows are in series order already (a SignalSet's metadata, whose
    own ``id`` field, if any, is a metadata column like any other, kept as ``meta_id``).
    """
    import pandas as pd

    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    n = ids.size
    if not by_id and "id" in df.columns:
        df = df.rename(columns={"id": "meta_id"})
    if "id" in df.columns:
        key = df["id"].astype(str).to_numpy()
        pos = pd.Index(key)
        if not pos.is_unique:
            dup = pos[pos.duplicated()][0]
            raise ValidationError(f"write_explorer_data: table column 'id' holds {dup!r} more than once.")
        where = pos.get_indexer(ids.astype(str))
        if (where < 0).any():
            missing = str(ids[np.flatnonzero(where < 0)[0]])
            raise ValidationError(
                f"write_explorer_data: series id {missing!r} is not in the table's 'id' column; the table "
                "needs one row per series."
            )
        df = df.iloc[where].reset_index(drop=True).drop(columns="id")
    elif len(df) != n:
        raise ValidationError(
            f"write_explorer_data: table has {len(df)} rows for {n} series and no 'id' column; give one row "
            "per series, in series order, or an 'id' column."
        )
    else:
        df = df.reset_index(drop=True)
    groups: dict[str, dict[int, str]] = {}
    for col in df.columns:
        mt = _PROJ_COLUMN.match(str(col))
        if mt and pd.api.types.is_numeric_dtype(df[col]):
            groups.setdefault(mt["name"], {})[int(mt["k"])] = col
    projections: dict[str, np.ndarray] = {}
    used: set = set()
    for name, cols in groups.items():
        d = 0
        while d in cols:
            d += 1
        if d >= 2:
            keep = [cols[k] for k in range(min(d, 3))]
            projections[name] = df[keep].to_numpy(dtype=np.float64)
            used.update(cols[k] for k in range(d))
    columns: dict[str, np.ndarray] = {}
    for col in df.columns:
        if col in used:
            continue
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            columns[str(col)] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            columns[str(col)] = s.astype(str).where(s.notna(), "").to_numpy().astype(str)
    return columns, projections


def write_explorer_data(
    run_dir: str | os.PathLike[str],
    data: Any,
    *,
    table: Any = None,
    projections: Mapping[str, Any] | None = None,
    fs: Any = None,
    channel: int = 0,
    n_envelope: int = 400,
    spec_shape: tuple[int, int] = (48, 64),
    spec_db: float = 60.0,
    filename: str = EXPLORER_FILE,
) -> Path:
    """Write what the report's explorer needs: points, columns, small waveforms and spectrograms.

    Parameters
    ----------
    run_dir : path
        The run folder (created if missing).
    data : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        The series, one point each; ragged lengths are fine.
    table : DataFrame or mapping of columns, optional
        One row per series: in series order, or matched by an ``id`` column (e.g. the
        ``<stem>_clusters.parquet`` table of ``wavelens cluster``). Columns named
        ``<name>_0``, ``<name>_1`` [, ``<name>_2``] become the projection ``<name>``
        (2-D or 3-D); every other column (cluster, score, label, metadata) can colour
        the points and shows on hover.
    projections : mapping of str to array of shape (n_series, 2) or (n_series, 3), optional
        More projections, by name.
    fs : float, optional
        Sampling rate in Hz, if ``data`` is not a SignalSet that carries it.
    channel : int, default=0
        The channel whose waveform and spectrogram are shown.
    n_envelope : int, default=400
        Bins of the min/max envelope of each waveform (≤ 500 keeps the report small).
    spec_shape : (int, int), default=(48, 64)
        ``(n_freqs, n_frames)`` of each spectrogram.
    spec_db : float, default=60.0
        Dynamic range of the spectrograms in dB.
    filename : str, default="explorer.npz"

    Returns
    -------
    Path
        The file written (atomically).

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from wavelens.viz import write_explorer_data, read_explorer_data
    >>> X = np.random.default_rng(0).normal(size=(5, 1, 256))
    >>> d = tempfile.mkdtemp()
    >>> p = write_explorer_data(d, X, fs=100.0, projections={"pca": X[:, 0, :2]})
    >>> read_explorer_data(d)["spec"].shape
    (5, 48, 64)
    """
    from ..data import check_collection
    from ..io._atomic import atomic_path

    arrays, meta = check_collection(data, fs=fs, caller="write_explorer_data")
    n = meta.n_series
    if not 0 <= int(channel) < meta.n_channels:
        raise ValidationError(
            f"write_explorer_data: channel={channel!r} but the series have {meta.n_channels} channel(s); "
            f"use 0..{meta.n_channels - 1}."
        )
    if not 2 <= int(n_envelope) <= 5000:
        raise ValidationError(f"write_explorer_data: n_envelope must be in [2, 5000], found {n_envelope!r}.")
    if len(spec_shape) != 2 or min(spec_shape) < 1:
        raise ValidationError(f"write_explorer_data: spec_shape must be (n_freqs, n_frames) >= 1, found {spec_shape!r}.")
    ids = np.asarray(meta.ids).astype(str)
    columns: dict[str, np.ndarray] = {}
    projs: dict[str, np.ndarray] = {}
    if table is not None:
        columns, projs = _columns_from_table(table, ids)
    if meta.labels is not None and "label" not in columns:
        lab = np.asarray(meta.labels)
        columns["label"] = lab.astype(np.float64) if lab.dtype.kind in "biuf" else lab.astype(str)
    if meta.signal_set is not None and getattr(meta.signal_set, "metadata", None) is not None:
        md = meta.signal_set.metadata
        extra, _ = _columns_from_table(md.reset_index(drop=True), ids, by_id=False) if len(md) == n else ({}, {})
        for k, v in extra.items():
            columns.setdefault(k, v)
    for name, coords in (projections or {}).items():
        projs[str(name)] = np.asarray(coords, dtype=np.float64)
    if not projs:
        raise ValidationError(
            "write_explorer_data: no projection to draw; give projections={'pca': coords} or table columns "
            "such as pca_0, pca_1[, pca_2]."
        )
    for name, c in projs.items():
        if c.ndim != 2 or c.shape[0] != n or c.shape[1] not in (2, 3):
            raise ValidationError(
                f"write_explorer_data: projection {name!r} has shape {c.shape!r}; expected ({n}, 2) or ({n}, 3)."
            )
        bad = np.flatnonzero(~np.isfinite(c).all(axis=1))
        if bad.size:
            raise ValidationError(
                f"write_explorer_data: projection {name!r} is NaN or inf for series {str(ids[bad[0]])!r}"
                f"{f' and {bad.size - 1} more' if bad.size > 1 else ''}; project finite embeddings."
            )

    m = int(n_envelope)
    wave = np.empty((n, 2, m), dtype=np.uint8)
    wave_range = np.empty((n, 2), dtype=np.float32)
    spec = np.empty((n, int(spec_shape[0]), int(spec_shape[1])), dtype=np.uint8)
    fs_arr = None if meta.fs is None else np.broadcast_to(np.asarray(meta.fs, dtype=np.float64), (n,))
    lengths = np.asarray(meta.lengths)
    # group series by (length, fs) so each group is one batched computation
    keys = np.stack([lengths.astype(np.float64), np.zeros(n) if fs_arr is None else fs_arr], axis=1)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    for g in np.unique(group):
        members = np.flatnonzero(group.ravel() == g)
        # bounded blocks: float64 copies and spectrograms of a few hundred series at a time,
        # never of a whole large collection (2,511 × 61,440 samples would be >1 GB each)
        block = max(1, int(2**23 // max(1, int(lengths[members[0]]))))
        for b0 in range(0, members.size, block):
            idx = members[b0:b0 + block]
            if isinstance(arrays, np.ndarray):
                x = np.asarray(arrays[idx, channel], dtype=np.float64)
            else:
                x = np.stack([np.asarray(arrays[i][channel], dtype=np.float64) for i in idx])
            lo, hi = _envelope(x, m)
            vmin, vmax = x.min(axis=1), x.max(axis=1)
            span = np.where(vmax > vmin, vmax - vmin, 1.0)[:, None]
            wave[idx, 0] = np.clip(np.round((lo - vmin[:, None]) / span * 255.0), 0, 255).astype(np.uint8)
            wave[idx, 1] = np.clip(np.round((hi - vmin[:, None]) / span * 255.0), 0, 255).astype(np.uint8)
            wave_range[idx, 0], wave_range[idx, 1] = vmin, vmax
            f = None if fs_arr is None else float(fs_arr[idx[0]])
            spec[idx] = _small_spectrograms(x, f, (int(spec_shape[0]), int(spec_shape[1])), float(spec_db))
    duration = lengths / fs_arr if fs_arr is not None else lengths.astype(np.float64)
    spec_fmax = fs_arr / 2.0 if fs_arr is not None else np.full(n, 0.5)
    channels = getattr(meta.signal_set, "channels", None) if meta.signal_set is not None else None
    channel_name = str(channels[channel]) if channels is not None and len(channels) > channel else f"channel {channel}"

    payload: dict[str, Any] = {
        "format": np.array(_FORMAT),
        "ids": ids,
        "column_names": np.array(list(columns), dtype=str),
        "projection_names": np.array(list(projs), dtype=str),
        "wave": wave,
        "wave_range": wave_range,
        "duration": np.asarray(duration, dtype=np.float64),
        "spec": spec,
        "spec_fmax": np.asarray(spec_fmax, dtype=np.float64),
        "spec_db": np.float64(spec_db),
        "time_unit": np.array("s" if fs_arr is not None else "samples"),
        "freq_unit": np.array("Hz" if fs_arr is not None else "cycles/sample"),
        "channel": np.array(channel_name),
    }
    for i, (name, v) in enumerate(columns.items()):
        payload[f"col__{i}"] = v
    for i, (name, c) in enumerate(projs.items()):
        payload[f"proj__{i}"] = c.astype(np.float32)
    path = Path(run_dir) / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **payload)
    return path


def read_explorer_data(run_dir: str | os.PathLike[str], filename: str = EXPLORER_FILE) -> dict[str, Any]:
    """Read ``explorer.npz`` back: a dict with ``columns`` and ``projections`` as dicts.

    Raises
    ------
    ValidationError
        If the file is missing or is not an explorer file.
    """
    path = Path(run_dir) / filename
    if not path.is_file():
        raise ValidationError(f"{str(path)!r}: no explorer data (write it with write_explorer_data).")
    try:
        with np.load(path, allow_pickle=False) as z:
            raw = {k: z[k] for k in z.files}
    except (OSError, ValueError) as err:
        raise ValidationError(f"{str(path)!r}: not a readable .npz explorer file ({err}).") from err
    if str(raw.get("format", "")) != _FORMAT:
        raise ValidationError(
            f"{str(path)!r}: format {str(raw.get('format', None))!r}, expected {_FORMAT!r}; write it again "
            "with write_explorer_data."
        )
    out: dict[str, Any] = {k: v for k, v in raw.items() if not k.startswith(("col__", "proj__"))}
    out["columns"] = {str(name): raw[f"col__{i}"] for i, name in enumerate(raw["column_names"])}
    out["projections"] = {str(name): raw[f"proj__{i}"].astype(np.float64)
                          for i, name in enumerate(raw["projection_names"])}
    for k in ("format", "time_unit", "freq_unit", "channel"):
        out[k] = str(raw[k])
    out["spec_db"] = float(raw["spec_db"])
    out["ids"] = raw["ids"].astype(str)
    return out
