"""Spectrogram speed and memory at helicopter scale: wavelens vs a bare floor vs scipy.

The collection is the Airbus helicopter challenge's size: 4,188 rows (1,677 train +
2,511 test) of 61,440 float32 samples (1 minute at 1,024 Hz), here a seeded mix of
sinusoids and noise. The spectrogram is the study's: nperseg=1024, overlap 512, magnitude.

Three ways of computing the same magnitudes (same frames, no padding):

floor
    The bare computation written plainly, block by block of series: strided frames ×
    window → ``scipy.fft.rfft(..., workers=-1)`` in float32 → ``np.abs``, into a
    preallocated output. No validation, no scaling.
wavelens
    ``wavelens.transforms.spectrogram(X, fs=1024, nperseg=1024, noverlap=512)``,
    validation and scaling included; also with a preallocated ``out=``.
scipy.signal.stft
    ``np.abs(scipy.signal.stft(X, ..., boundary=None, padded=False)[2])`` on the whole
    array (scipy has no blocking).

Each is run ``--repeat`` times, interleaved, in an order rotated each time; the table
shows the best and median times (memory touched for the first time is slow on some
machines, so the first run of whichever goes first pays for it; the first-run times
are printed too; ratios use the best times). Peak RSS is read after
each phase: the wavelens phase runs first, so its peak is its own.

Run::

    .venv/bin/python benchmarks/bench_spectrogram.py                # full size
    .venv/bin/python benchmarks/bench_spectrogram.py --n-series 200 # quick
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import time

import numpy as np
import scipy.fft
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view

from wavelens.transforms import spectrogram


def make_data(n_series: int, n_times: int, fs: float, seed: int = 0, block: int = 64) -> np.ndarray:
    """Seeded sinusoids (harmonics of a per-row rotor frequency) plus noise, float32."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_series, 1, n_times), np.float32)
    t = (np.arange(n_times) / fs).astype(np.float32)
    for s in range(0, n_series, block):
        b = min(block, n_series - s)
        f0 = rng.uniform(15.0, 30.0, size=(b, 1, 1)).astype(np.float32)
        blockx = rng.standard_normal((b, 1, n_times), dtype=np.float32)
        blockx *= 0.5
        for h in (1, 2, 3, 5):
            amp = rng.uniform(0.2, 1.0, size=(b, 1, 1)).astype(np.float32) / h
            phase = rng.uniform(0, 2 * np.pi, size=(b, 1, 1)).astype(np.float32)
            blockx += amp * np.sin(2 * np.pi * h * f0 * t + phase)
        X[s : s + b] = blockx
    return X


def floor(X: np.ndarray, nperseg: int, noverlap: int, block: int) -> np.ndarray:
    """The bare computation, plainly: frames × window → rfft (float32, all cores) → abs."""
    step = nperseg - noverlap
    win = scipy.signal.get_window("hann", nperseg).astype(np.float32)
    n_frames = 1 + (X.shape[-1] - nperseg) // step
    out = np.empty((X.shape[0], X.shape[1], nperseg // 2 + 1, n_frames), np.float32)
    for s in range(0, X.shape[0], block):
        frames = sliding_window_view(X[s : s + block], nperseg, axis=-1)[..., ::step, :]
        z = scipy.fft.rfft(frames * win, axis=-1, workers=-1)
        out[s : s + block] = np.abs(z).transpose(0, 1, 3, 2)
    return out


def scipy_stft(X: np.ndarray, fs: float, nperseg: int, noverlap: int) -> np.ndarray:
    _, _, Z = scipy.signal.stft(
        X, fs=fs, nperseg=nperseg, noverlap=noverlap, boundary=None, padded=False, detrend=False
    )
    return np.abs(Z)


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-series", type=int, default=4188)
    ap.add_argument("--n-times", type=int, default=61440)
    ap.add_argument("--fs", type=float, default=1024.0)
    ap.add_argument("--nperseg", type=int, default=1024)
    ap.add_argument("--noverlap", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--floor-block", type=int, default=4, help="series per block in the floor")
    ap.add_argument("--skip-stft", action="store_true", help="skip scipy.signal.stft (needs ~8x the data in memory)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    X = make_data(args.n_series, args.n_times, args.fs)
    gen_s = time.perf_counter() - t0
    rss_data = peak_rss_gib()
    print(
        f"data: {X.shape} float32 = {X.nbytes / 2**30:.2f} GiB, generated in {gen_s:.1f} s; "
        f"{platform.processor() or platform.machine()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}"
    )
    kw = dict(fs=args.fs, nperseg=args.nperseg, noverlap=args.noverlap)
    ref = spectrogram(X[:8], **kw)  # also warms imports and FFT plans
    out_buf = np.empty((args.n_series,) + ref.shape[1:], np.float32)
    out_buf.fill(0)  # touched once, outside the timings
    del ref
    rss_base = peak_rss_gib()

    methods = {
        "wavelens spectrogram": lambda: spectrogram(X, **kw),
        "wavelens spectrogram(out=)": lambda: spectrogram(X, out=out_buf, **kw),
        "floor (frames*win -> rfft -> abs)": lambda: floor(X, args.nperseg, args.noverlap, args.floor_block),
    }
    if not args.skip_stft:
        methods["scipy.signal.stft + abs"] = lambda: scipy_stft(X, args.fs, args.nperseg, args.noverlap)
    times: dict[str, list[float]] = {k: [] for k in methods}
    rss_after: dict[str, float] = {}
    names = list(methods)
    for r in range(args.repeat):
        # rotate the order, so that no method always runs right after scipy.signal.stft
        # has freed its ~6 GB (memory handed back and touched again is slow on VMs)
        order = names if r == 0 else names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn = methods[name]
            gc.collect()
            t = time.perf_counter()
            res = fn()
            times[name].append(time.perf_counter() - t)
            del res
            rss_after.setdefault(name, peak_rss_gib())

    # the three compute the same numbers (wavelens scales by 1/sum(w))
    win_sum = float(scipy.signal.get_window("hann", args.nperseg).sum())
    sub = X[:4]
    a = spectrogram(sub, **kw)
    b = floor(sub, args.nperseg, args.noverlap, args.floor_block) / win_sum
    c = scipy_stft(sub, args.fs, args.nperseg, args.noverlap)
    err_floor = float(np.abs(a - b).max() / b.max())
    err_stft = float(np.abs(a - c).max() / c.max())

    best = {k: min(v) for k, v in times.items()}
    fl = best["floor (frames*win -> rfft -> abs)"]
    st = best.get("scipy.signal.stft + abs")
    print(
        f"\nspectrogram of {args.n_series} x {args.n_times} float32, nperseg={args.nperseg}, "
        f"noverlap={args.noverlap}, magnitude -> {a.shape[2]} x {a.shape[3]} per series; "
        f"best of {args.repeat}\n"
    )
    print(
        f"{'method':36s} {'best s':>8s} {'median s':>8s} {'first s':>8s} {'/ floor':>8s} "
        f"{'stft /':>8s}"
    )
    for name in methods:
        speedup = f"{st / best[name]:8.2f}" if st else f"{'-':>8s}"
        print(
            f"{name:36s} {best[name]:8.3f} {np.median(times[name]):8.3f} {times[name][0]:8.3f} "
            f"{best[name] / fl:8.2f} {speedup}"
        )
    print(
        f"\nmax relative difference: wavelens vs floor {err_floor:.1e}, wavelens vs scipy.stft "
        f"{err_stft:.1e}"
    )
    out_gib = out_buf.nbytes / 2**30
    grow = {k: v - rss_base for k, v in rss_after.items()}
    print(
        f"peak RSS (GiB): {rss_data:.2f} with the data, {rss_base:.2f} with the out= buffer "
        f"({out_gib:.2f}) too. Peak growth above that, per phase (each output is "
        f"{out_gib:.2f}): wavelens {grow['wavelens spectrogram']:+.2f}, wavelens(out=) "
        f"{grow['wavelens spectrogram(out=)']:+.2f}, floor "
        f"{grow['floor (frames*win -> rfft -> abs)']:+.2f}"
        + (f", scipy.signal.stft {grow['scipy.signal.stft + abs']:+.2f}" if st else "")
        + ". Phases run in the order listed, so a later one shows growth only beyond "
        "the earlier peaks."
    )


if __name__ == "__main__":
    main()
