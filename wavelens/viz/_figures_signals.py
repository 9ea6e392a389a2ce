"""Figures of series and of what models make of them: spectrograms, reconstructions,
line-plot images, training curves."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..exceptions import ValidationError
from ._style import PALETTE, new_figure

__all__ = ["plot_series_spectrograms", "plot_reconstructions", "plot_line_images", "plot_loss_curves"]


def plot_series_spectrograms(
    X: Any,
    fs: float | None = None,
    indices: Sequence[int] | None = None,
    *,
    n: int = 4,
    ids: Sequence[Any] | None = None,
    channel: int = 0,
    nperseg: int | None = None,
):
    """Series (left) beside their spectrograms (right), one row per series.

    The array face of :func:`wavelens.viz.plot_series`.

    Parameters
    ----------
    X : SignalSet, ndarray or list of ndarray
        ``(n_series, n_channels, n_times)``, ``(n_series, n_times)``, a ragged list or a
        SignalSet (then its fs, ids and labels are used). NaN/inf are drawn as gaps.
    fs : float, optional
        Sampling rate in Hz (time in s, frequency in Hz); samples and cycles/sample otherwise.
    indices : sequence of int, optional
        Which series; default the first ``n``.
    n : int, default=4
    ids : sequence, optional
        Ids for the panel titles (ignored for a SignalSet, which has its own).
    channel : int, default=0
        Channel of the spectrogram (every channel is drawn in the waveform panel).
    nperseg : int, optional
        Spectrogram segment length (default about ``n_times / 32``, a power of two).

    Returns
    -------
    matplotlib.figure.Figure
        ``len(indices)`` rows × 2 axes, plus one colorbar (power in dB) per row.
    """
    from ..data import SignalSet
    from ._series import plot_series

    if isinstance(X, SignalSet):
        s = X if fs is None else SignalSet(X.data, fs=fs, ids=X.ids, channels=X.channels, labels=X.labels)
    else:
        from ..data import check_collection

        data, meta = check_collection(X, fs=fs, allow_nan=True, caller="plot_series_spectrograms")
        s = SignalSet(data, fs=meta.fs, ids=None if ids is None else [str(i) for i in ids])
    if indices is not None:
        bad = [i for i in indices if not -len(s) <= int(i) < len(s)]
        if bad:
            raise ValidationError(f"plot_series_spectrograms: indices {bad[:5]!r} out of range for {len(s)} series.")
    if not 0 <= channel < s.n_channels:
        raise ValidationError(f"plot_series_spectrograms: channel={channel} but the series have {s.n_channels} channel(s).")
    return plot_series(s, indices=indices, n=n, channel=channel, nperseg=nperseg)


def _image_batch(a: Any, name: str) -> np.ndarray:
    """``(n, H, W)`` from ``(n, H, W)`` or ``(n, 1, H, W)`` (first channel of more)."""
    x = np.asarray(a, dtype=np.float64)
    if x.ndim == 4:
        x = x[:, 0]
    if x.ndim != 3:
        raise ValidationError(f"{name}: images must be (n, H, W) or (n, channels, H, W), found shape {x.shape!r}.")
    return x


def plot_reconstructions(
    X: Any,
    X_hat: Any,
    *,
    indices: Sequence[int] | None = None,
    n: int = 4,
    fs: float | None = None,
    ids: Sequence[Any] | None = None,
    kind: str = "auto",
    channel: int = 0,
    image_labels: tuple[str, str] = ("time frame", "frequency bin"),
):
    """Inputs beside their reconstructions by a model (autoencoder, VAE).

    Parameters
    ----------
    X, X_hat : array-like of the same shape
        Series ``(n, n_times)`` or ``(n, n_channels, n_times)``, or images
        ``(n, H, W)`` / ``(n, channels, H, W)`` (e.g. spectrograms fed to a conv VAE).
    indices : sequence of int, optional
        Which examples; default the first ``n``.
    n : int, default=4
    fs : float, optional
        Sampling rate in Hz for series (time in s; samples otherwise).
    ids : sequence, optional
        Ids for the titles.
    kind : {"auto", "series", "image"}, default="auto"
        ``"auto"``: 4-D arrays are images, 2-D and 3-D arrays series. Say ``"image"``
        for a 3-D stack of single-channel images.
    channel : int, default=0
        Channel drawn for series.
    image_labels : (str, str), default=("time frame", "frequency bin")
        Axis labels of image panels (x, y).

    Returns
    -------
    matplotlib.figure.Figure
        Series: one axes per example with the input and the reconstruction overlaid
        (two lines, RMSE in the title). Images: one row per example, input and
        reconstruction side by side on one colour scale, plus a colorbar.
    """
    a = np.asarray(X, dtype=np.float64)
    b = np.asarray(X_hat, dtype=np.float64)
    if a.shape != b.shape:
        raise ValidationError(f"plot_reconstructions: X has shape {a.shape!r} but X_hat {b.shape!r}; they must match.")
    if kind not in ("auto", "series", "image"):
        raise ValidationError(f"plot_reconstructions: kind must be 'auto', 'series' or 'image', found {kind!r}.")
    if kind == "auto":
        kind = "image" if a.ndim == 4 else "series"
    idx = list(range(min(n, a.shape[0]))) if indices is None else [int(i) for i in indices]
    if not idx or any(not 0 <= i < a.shape[0] for i in idx):
        raise ValidationError(f"plot_reconstructions: indices {idx[:5]!r} must lie in 0..{a.shape[0] - 1}.")
    names = [str(i) for i in ids] if ids is not None else [str(i) for i in range(a.shape[0])]
    if kind == "series":
        if a.ndim == 2:
            a, b = a[:, np.newaxis], b[:, np.newaxis]
        if a.ndim != 3:
            raise ValidationError(f"plot_reconstructions: series must be (n, n_times) or (n, n_channels, n_times), found {a.shape!r}.")
        fig, axes = new_figure(len(idx), 1, figsize=(7.5, 2.0 * len(idx) + 0.3))
        t = np.arange(a.shape[2]) / (fs or 1.0)
        for row, i in enumerate(idx):
            ax = axes[row, 0]
            ax.plot(t, a[i, channel], lw=0.9, color=PALETTE[0], label="input")
            ax.plot(t, b[i, channel], lw=0.9, color=PALETTE[3], ls="--", label="reconstruction")
            rmse = float(np.sqrt(np.nanmean((a[i] - b[i]) ** 2)))
            ax.set_title(f"{names[i]}: RMSE {rmse:.3g}")
            ax.set_xlabel("time (s)" if fs else "time (samples)")
            ax.set_ylabel("amplitude")
            if row == 0:
                ax.legend(loc="upper right", fontsize=8)
        return fig
    a, b = _image_batch(a, "plot_reconstructions"), _image_batch(b, "plot_reconstructions")
    fig, axes = new_figure(len(idx), 2, figsize=(6.4, 2.4 * len(idx) + 0.4))
    lo = float(np.nanmin([a[idx].min(), b[idx].min()]))
    hi = float(np.nanmax([a[idx].max(), b[idx].max()]))
    img = None
    for row, i in enumerate(idx):
        rmse = float(np.sqrt(np.nanmean((a[i] - b[i]) ** 2)))
        for col, (im, what) in enumerate(((a[i], "input"), (b[i], "reconstruction"))):
            ax = axes[row, col]
            img = ax.imshow(im, origin="lower", aspect="auto", cmap="viridis", vmin=lo, vmax=hi if hi > lo else lo + 1)
            ax.set_title(f"{names[i]}: {what}" + (f" (RMSE {rmse:.3g})" if col == 1 else ""), fontsize=9)
            ax.set_xlabel(image_labels[0])
            ax.set_ylabel(image_labels[1])
    fig.colorbar(img, ax=axes[:, 1].tolist(), label="value", shrink=0.8)
    fig.suptitle("inputs and reconstructions")
    return fig


def plot_line_images(
    images: Any,
    *,
    labels: Sequence[Any] | None = None,
    ncols: int = 6,
    max_images: int = 24,
    title: str | None = None,
):
    """A grid of line-plot images (the output of :func:`wavelens.transforms.plot_image`).

    Parameters
    ----------
    images : array-like of shape (n, nbins, nbins) or (n, channels, nbins, nbins)
        Values in [0, 1], 0 = line, 1 = background, row 0 at the top (first channel
        drawn when there are several).
    labels : sequence, optional
        One label per image, shown as its title (e.g. the class).
    ncols : int, default=6
    max_images : int, default=24
        At most this many images are drawn (the first ones).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per image drawn (grey scale, black = line), grid cells left over hidden.
    """
    x = _image_batch(images, "plot_line_images")
    if labels is not None and len(labels) != x.shape[0]:
        raise ValidationError(f"plot_line_images: {len(labels)} labels for {x.shape[0]} images.")
    m = min(x.shape[0], int(max_images))
    ncols = max(1, min(int(ncols), m))
    nrows = -(-m // ncols)
    fig, axes = new_figure(nrows, ncols, figsize=(1.7 * ncols + 0.4, 1.8 * nrows + 0.5))
    for j in range(nrows * ncols):
        ax = axes[j // ncols, j % ncols]
        if j >= m:
            ax.set_visible(False)
            continue
        ax.imshow(x[j], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(str(labels[j]) if labels is not None else f"image {j}", fontsize=8)
    h, w = x.shape[1:]
    fig.suptitle(title or f"line-plot images ({m} of {x.shape[0]}, {h} × {w} pixels; x →, y ↑)")
    return fig


def _history_columns(history: Any) -> dict[str, np.ndarray]:
    if isinstance(history, Mapping):
        cols = {str(k): np.asarray(v, dtype=np.float64) for k, v in history.items()}
    else:
        rows = list(history)
        if not rows:
            raise ValidationError("plot_loss_curves: history is empty (no epochs).")
        keys = list(dict.fromkeys(k for r in rows for k in r))
        cols = {k: np.array([r.get(k, np.nan) if r.get(k) is not None else np.nan for r in rows], dtype=np.float64)
                for k in keys}
    if "train_loss" not in cols:
        raise ValidationError(f"plot_loss_curves: history needs a 'train_loss' per epoch, found keys {sorted(cols)!r}.")
    return cols


def plot_loss_curves(history: Any, *, title: str | None = None, log: bool | None = None):
    """Training (and validation) loss per epoch, the best validation epoch marked.

    Parameters
    ----------
    history : list of dict or dict of lists
        One dict per epoch with ``train_loss`` and optionally ``epoch`` and
        ``val_loss`` (as the wavelens training loop records), or columns of the same.
    title : str, optional
    log : bool, optional
        Logarithmic loss axis; default when all losses are positive and span more
        than a factor of 30.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, a line per loss present, a marker at the lowest validation loss.
    """
    cols = _history_columns(history)
    tr = cols["train_loss"]
    epoch = cols.get("epoch", np.arange(1, tr.size + 1, dtype=np.float64))
    val = cols.get("val_loss")
    if val is not None and not np.isfinite(val).any():
        val = None
    fig, axes = new_figure(1, 1, figsize=(6.0, 3.6))
    ax = axes[0, 0]
    ax.plot(epoch, tr, marker="o", ms=3, lw=1.4, color=PALETTE[0], label="train loss")
    losses = tr[np.isfinite(tr)]
    if val is not None:
        ax.plot(epoch, val, marker="o", ms=3, lw=1.4, color=PALETTE[1], label="validation loss")
        best = int(np.nanargmin(val))
        ax.plot([epoch[best]], [val[best]], marker="*", ms=12, color="black", ls="none",
                label=f"best validation (epoch {epoch[best]:g}: {val[best]:.4g})")
        losses = np.concatenate([losses, val[np.isfinite(val)]])
    if log is None:
        log = bool(losses.size and losses.min() > 0 and losses.max() / losses.min() > 30)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title or f"training curves ({tr.size} epochs)")
    ax.legend(fontsize=8)
    return fig
