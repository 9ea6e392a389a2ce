"""Latent spaces and clusters: scatter plots coloured by any column, example series per cluster."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..exceptions import ValidationError
from ._style import PALETTE, new_figure

__all__ = ["plot_latent", "plot_cluster_examples", "is_categorical"]

NOISE_COLOUR = "#999999"
# integer colour columns with at most this many distinct values are drawn as categories
_MAX_CATEGORIES = 20


def is_categorical(values: Any) -> bool:
    """Whether a colour column is drawn with a discrete palette (True) or a colormap (False).

    Strings, booleans and integers with at most 20 distinct values are categories;
    floats and integers with more values are numeric.
    """
    a = np.asarray(values)
    if a.dtype.kind in "OUSb":
        return True
    if a.dtype.kind in "iu":
        return np.unique(a).size <= _MAX_CATEGORIES
    if a.dtype.kind == "f":
        return False
    return True


def _category_colours(n: int) -> list[Any]:
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    import matplotlib

    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _category_order(values: np.ndarray) -> list[Any]:
    uniq = list(dict.fromkeys(values.tolist()))
    try:
        return sorted(uniq)
    except TypeError:
        return uniq


def plot_latent(
    P: Any,
    *,
    color: Any = None,
    color_name: str = "cluster",
    dims: int | None = None,
    ids: Sequence[Any] | None = None,
    title: str | None = None,
    axis_name: str = "dimension",
    highlight: Sequence[int] | None = None,
    highlight_name: str = "medoid",
    point_size: float | None = None,
):
    """Scatter plot of a 2-D or 3-D latent space (or projection), coloured by a column.

    Parameters
    ----------
    P : array-like of shape (n_series, 2) or (n_series, 3)
        Coordinates (e.g. from :func:`wavelens.cluster.project`, or a 3-D latent space).
    color : array-like of shape (n_series,), optional
        What colours the points. Categorical values (strings, booleans, integers with
        few distinct values, e.g. cluster labels or classes) get the colour-blind-safe
        palette and a legend with counts; numeric values (scores) a colormap and a
        colorbar. With ``color_name="cluster"`` the label -1 is drawn grey as "noise".
    color_name : str, default="cluster"
        Name of the colour column (legend title / colorbar label).
    dims : {2, 3}, optional
        Plot the first 2 or 3 columns of ``P``; default all of them (2 or 3).
    ids : sequence, optional
        Ids of the points, used to label the highlighted ones.
    title : str, optional
        Default: ``"latent space (n = …), coloured by <color_name>"``.
    axis_name : str, default="dimension"
        Axis labels are ``f"{axis_name} 1"`` … (e.g. ``"PCA"``, ``"t-SNE"``, ``"z"``).
    highlight : sequence of int, optional
        Rows drawn as large black-edged stars (e.g. the cluster medoids), labelled with
        their ids when given.
    highlight_name : str, default="medoid"
        Legend entry of the highlighted points.
    point_size : float, optional
        Marker area; default shrinks from 30 to 4 as the number of points grows.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (3-D axes when ``dims=3``), plus a colorbar for numeric colours.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.viz import plot_latent
    >>> P = np.random.default_rng(0).normal(size=(30, 2))
    >>> fig = plot_latent(P, color=np.arange(30) % 3)
    >>> len(fig.axes)
    1
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] < 2 or (dims is None and P.shape[1] > 3):
        raise ValidationError(f"plot_latent: P must have shape (n_series, 2) or (n_series, 3), found {P.shape!r}.")
    dims = P.shape[1] if dims is None else dims
    if dims not in (2, 3) or P.shape[1] < dims:
        raise ValidationError(f"plot_latent: dims must be 2 or 3 and at most P.shape[1]={P.shape[1]}, found {dims!r}.")
    P = P[:, :dims]
    n = P.shape[0]
    if not np.isfinite(P).all():
        bad = int(np.flatnonzero(~np.isfinite(P).all(axis=1))[0])
        raise ValidationError(f"plot_latent: row {bad} of P holds NaN/inf; coordinates must be finite.")
    kw = {"subplot_kw": {"projection": "3d"}} if dims == 3 else {}
    fig, axes = new_figure(1, 1, figsize=(6.4, 5.2), **kw)
    ax = axes[0, 0]
    size = point_size if point_size is not None else float(np.clip(30.0 * (200.0 / max(n, 1)) ** 0.5, 4.0, 30.0))
    coords = [P[:, j] for j in range(dims)]
    if color is None:
        ax.scatter(*coords, s=size, color=PALETTE[0], alpha=0.8, linewidths=0)
    else:
        c = np.asarray(color)
        if c.shape != (n,):
            raise ValidationError(f"plot_latent: color must have one value per point ({n},), found shape {c.shape!r}.")
        if is_categorical(c):
            cats = _category_order(c)
            noise = color_name == "cluster" and -1 in cats
            shown = [v for v in cats if not (noise and v == -1)]
            colours = dict(zip(shown, _category_colours(len(shown))))
            if noise:
                colours[-1] = NOISE_COLOUR
                shown = [-1] + shown  # noise first, so clusters are drawn on top
            for v in shown:
                m = c == v
                name = "noise" if noise and v == -1 else str(v)
                ax.scatter(*(x[m] for x in coords), s=size, color=colours[v], alpha=0.85, linewidths=0,
                           label=f"{name} (n={int(m.sum())})")
        else:
            cf = c.astype(np.float64)
            if not np.isfinite(cf).all():
                bad = int(np.flatnonzero(~np.isfinite(cf))[0])
                raise ValidationError(f"plot_latent: color value {bad} is {float(cf[bad])!r}; numeric colours must be finite.")
            sc = ax.scatter(*coords, c=cf, s=size, cmap="viridis", alpha=0.9, linewidths=0)
            fig.colorbar(sc, ax=ax, label=color_name, shrink=0.8)
    if highlight is not None and len(highlight):
        h = np.asarray(highlight, dtype=np.int64)
        ax.scatter(*(x[h] for x in coords), s=size * 6 + 40, marker="*", facecolor="none", edgecolor="black",
                   linewidths=1.2, label=highlight_name)
        if ids is not None:
            for i in h:
                if dims == 2:
                    ax.annotate(str(ids[i]), (P[i, 0], P[i, 1]), xytext=(7, 7), textcoords="offset points",
                                fontsize=8, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
                else:
                    ax.text(*(x[i] for x in coords), f"  {ids[i]}", fontsize=8)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title=color_name if color is not None and is_categorical(color) else None, fontsize=8,
                  title_fontsize=9, markerscale=max(1.0, 30.0 / size) ** 0.5, loc="best",
                  ncols=1 if len(ax.get_legend_handles_labels()[0]) <= 11 else 2)
    ax.set_xlabel(f"{axis_name} 1")
    ax.set_ylabel(f"{axis_name} 2")
    if dims == 3:
        ax.set_zlabel(f"{axis_name} 3")
    ax.set_title(title or f"latent space (n = {n})" + ("" if color is None else f", coloured by {color_name}"))
    return fig


def plot_cluster_examples(
    X: Any,
    labels: Any,
    *,
    medoids: Sequence[int] | None = None,
    per_cluster: int = 3,
    fs: float | None = None,
    ids: Sequence[Any] | None = None,
    channel: int = 0,
    max_clusters: int = 12,
):
    """Example series of each cluster, one row per cluster, the medoid first.

    Parameters
    ----------
    X : SignalSet, ndarray or list of ndarray
        The series, as :func:`wavelens.data.check_collection` accepts them (NaN drawn
        as gaps); ``fs`` and ``ids`` are taken from a SignalSet.
    labels : array-like of int, shape (n_series,)
        Cluster of each series (-1 = noise, shown in a last row when present).
    medoids : sequence of int, optional
        Index of each cluster's representative (``ClusterResult.medoids``); drawn
        first in its row, in black. The other examples are spread evenly over the
        cluster's members (in series order), so they are reproducible.
    per_cluster : int, default=3
        Columns: examples per cluster.
    fs : float, optional
        Sampling rate in Hz; time in seconds when known, samples otherwise.
    ids : sequence, optional
        Ids shown in the panel titles.
    channel : int, default=0
        Channel drawn.
    max_clusters : int, default=12
        At most this many rows (the largest clusters first).

    Returns
    -------
    matplotlib.figure.Figure
        ``n_rows * per_cluster`` axes, one line each (unused panels are hidden).
    """
    from ..data import check_collection

    data, meta = check_collection(X, fs=fs, allow_nan=True, caller="plot_cluster_examples")
    labels = np.asarray(labels)
    if labels.shape != (meta.n_series,):
        raise ValidationError(
            f"plot_cluster_examples: {labels.size} labels for {meta.n_series} series; give one label per series."
        )
    if per_cluster < 1:
        raise ValidationError(f"plot_cluster_examples: per_cluster must be >= 1, found {per_cluster!r}.")
    if not 0 <= channel < meta.n_channels:
        raise ValidationError(f"plot_cluster_examples: channel={channel} but the series have {meta.n_channels} channel(s).")
    id_list = [str(i) for i in (meta.ids if ids is None else ids)]
    f = None
    if meta.fs is not None:
        fa = np.atleast_1d(np.asarray(meta.fs, dtype=np.float64))
        f = fa if fa.size == meta.n_series else np.full(meta.n_series, fa[0])
    clusters = sorted((c for c in np.unique(labels) if c >= 0), key=lambda c: (-(labels == c).sum(), c))
    clusters = clusters[:max_clusters] + ([-1] if (labels < 0).any() else [])
    medoid_of = {}
    if medoids is not None:
        for c, m in enumerate(medoids):
            medoid_of[c] = int(m)
    fig, axes = new_figure(len(clusters), per_cluster, figsize=(3.2 * per_cluster, 2.0 * len(clusters) + 0.4),
                           sharey="row")
    for row, c in enumerate(clusters):
        members = np.flatnonzero(labels == c)
        chosen: list[int] = []
        if c in medoid_of:
            chosen.append(medoid_of[c])
        others = members[~np.isin(members, chosen)]
        need = min(per_cluster - len(chosen), others.size)
        if need > 0:
            chosen += others[np.linspace(0, others.size - 1, need).round().astype(int)].tolist()
        for col in range(per_cluster):
            ax = axes[row, col]
            if col >= len(chosen):
                ax.set_visible(False)
                continue
            i = chosen[col]
            x = np.asarray(data[i][channel], dtype=np.float64)
            t = np.arange(x.size) / (f[i] if f is not None else 1.0)
            is_med = c in medoid_of and i == medoid_of[c]
            ax.plot(t, x, lw=0.7, color="black" if is_med else PALETTE[(c if c >= 0 else 7) % len(PALETTE)])
            name = "noise" if c < 0 else f"cluster {c}"
            ax.set_title(f"{name} (n={members.size}): {id_list[i]}" + (" — medoid" if is_med else ""), fontsize=9)
            ax.set_xlabel("time (s)" if f is not None else "time (samples)")
            if col == 0:
                ax.set_ylabel("amplitude")
    fig.suptitle(f"example series per cluster ({len(clusters)} rows, medoid first)")
    return fig
