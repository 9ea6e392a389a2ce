"""Source study 4 (TESS asteroseismology): faithful line-plot images of power spectra.

Power spectra (log-log) are rasterised straight into 128 × 128 arrays with the study's
fixed axes (3–283 µHz, 3–3e7 ppm²/µHz), supersampled 4× into grey levels — no
matplotlib, no PNG round trip, no empty borders. The images are the input of a CNN
classifier (the deep-models issue). Writes the images and a figure comparing a
matplotlib line plot with the rasterised image.

Run:  python examples/tess_plot_images/run.py [--small] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from wavelens.datasets import make_power_spectra
from wavelens.io import atomic_path
from wavelens.transforms import plot_image
from wavelens.viz import save_figure
from wavelens.viz._style import new_figure


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("tess-run"))
    ap.add_argument("--n-spectra", type=int, default=1000)
    ap.add_argument("--small", action="store_true", help="50 spectra (for CI)")
    args = ap.parse_args(argv)

    n = 50 if args.small else args.n_spectra
    f, power = make_power_spectra(n, 5000, random_state=0)
    t0 = time.perf_counter()
    images = plot_image(power, x=f, nbins=128, supersample=4, xlim=(3, 283), ylim=(3, 3e7), log=True, n_jobs=-1)
    dt = time.perf_counter() - t0
    print(f"{n} spectra x {f.size} points -> images {images.shape[1:]} in {dt * 1e3:.1f} ms")

    args.out.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.out / "images.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, images=images)
    fig, axes = new_figure(2, 3, figsize=(12, 7.5))
    for k in range(3):
        ax = axes[0, k]
        ax.loglog(f, power[k], lw=0.5)
        ax.set_xlim(3, 283)
        ax.set_ylim(3, 3e7)
        ax.set_xlabel("frequency (µHz)")
        ax.set_ylabel("power density (ppm²/µHz)")
        ax.set_title(f"spectrum {k}: matplotlib")
        ax = axes[1, k]
        ax.imshow(images[k], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"spectrum {k}: 128 x 128, supersample 4")
        ax.set_xlabel("x pixel (log frequency)")
        ax.set_ylabel("y pixel (log power)")
    save_figure(fig, args.out / "plot_images.png")
    print(f"wrote {args.out / 'images.npz'} and {args.out / 'plot_images.png'}")
    return args.out


if __name__ == "__main__":
    main()
