"""Series beside their spectrograms."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.signal import spectrogram as _scipy_spectrogram

from ..data import SignalSet
from ._style import PALETTE, new_figure

__all__ = ["plot_series"]


def plot_series(
    signal_set: SignalSet,
    *,
    indices: Sequence[int] | None = None,
    n: int = 4,
    channel: int = 0,
    spectrogram: bool = True,
    nperseg: int | None = None,
):
    """Plot a few series, each beside its spectrogram.

    Parameters
    ----------
    signal_set : SignalSet
    indices : sequence of int, optional
        Which series; default the first ``n``.
    n : int, default=4
    channel : int, default=0
        The channel drawn in the spectrogram (all channels are drawn in the waveform).
    spectrogram : bool, default=True
    nperseg : int, optional
        Spectrogram segment length; default about ``n_times / 32`` rounded to a
        power of two, between 16 and 1024.

    Returns
    -------
    matplotlib.figure.Figure
        Time in seconds when ``fs`` is known (samples otherwise); frequency in Hz
        (cycles/sample otherwise); power in dB. NaN/inf samples are drawn as gaps
        and zeroed for the spectrogram, and the panel title says so.
    """
    idx = list(range(min(n, len(signal_set)))) if indices is None else list(indices)
    ncols = 2 if spectrogram else 1
    fig, axes = new_figure(len(idx), ncols, figsize=(5.2 * ncols, 2.2 * len(idx)))
    fs_all = signal_set.fs_array
    for row, i in enumerate(idx):
        x = np.asarray(signal_set[i], dtype=np.float64)
        fs = None if fs_all is None else float(fs_all[i])
        t = np.arange(x.shape[1]) / (fs or 1.0)
        ax = axes[row, 0]
        bad = not np.isfinite(x).all()
        for c in range(x.shape[0]):
            ax.plot(t, x[c], lw=0.6, color=PALETTE[c % len(PALETTE)], label=signal_set.channels[c])
        title = f"{signal_set.ids[i]}"
        if signal_set.labels is not None:
            title += f"  (label {signal_set.labels[i]})"
        if bad:
            title += "  — holds NaN/inf"
        ax.set_title(title)
        ax.set_xlabel("time (s)" if fs else "time (samples)")
        ax.set_ylabel("amplitude")
        if x.shape[0] > 1 and row == 0:
            ax.legend(loc="upper right", fontsize=8)
        if spectrogram:
            ax2 = axes[row, 1]
            xc = np.nan_to_num(x[channel], nan=0.0, posinf=0.0, neginf=0.0)
            seg = nperseg or int(np.clip(2 ** round(np.log2(max(xc.size / 32, 1))), 16, 1024))
            seg = min(seg, xc.size)
            f, tt, S = _scipy_spectrogram(xc, fs=fs or 1.0, nperseg=seg, noverlap=seg // 2)
            db = 10 * np.log10(S + max(S.max(), 1e-30) * 1e-10)
            mesh = ax2.pcolormesh(tt, f, db, shading="auto", cmap="viridis")
            ax2.set_xlabel("time (s)" if fs else "time (samples)")
            ax2.set_ylabel("frequency (Hz)" if fs else "frequency (cycles/sample)")
            ax2.set_title(f"spectrogram, {signal_set.channels[channel]}")
            fig.colorbar(mesh, ax=ax2, label="power (dB)")
    return fig
