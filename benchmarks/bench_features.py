"""Speed of the feature transforms: filter banks, statistics, spectral summary, and peers.

Three measurements, all in one run, printed as tables:

(a) Gabor bank, 9 filters (3 frequencies x 3 widths, the tutorial's bank) pooled by
    mean/std/max, over ``--n-series`` float32 series of ``--n-times`` samples (default
    4,188 x 61,440: the helicopter challenge's train + test). Reported as series per
    second and as a ratio to the *FFT floor* of the same convolutions, measured in the
    same run: batched ``rfft`` of the series -> multiply by each kernel spectrum ->
    ``irfft`` (one per real kernel; two per complex kernel: its real and imaginary
    parts), nothing else (no padding, no pooling), with the same FFT length, batches
    of 8 series and one block of series per thread, as wavelens.
(b) The feature set of one ``--small-series`` x ``--n-times`` collection (default 500):
    Gabor-bank features + spectral summary + statistics, end to end. Budget: 4 s.
(c) Peers on the same collection, when installed: aeon's MiniRocket (fit + transform)
    and pycatch22 (one call per series). ``--peer-series N`` times them on the first N
    series only and extrapolates linearly to the full collection (said in the table).

Run (about 3 minutes at full size on 2 cores)::

    .venv/bin/python benchmarks/bench_features.py
    .venv/bin/python benchmarks/bench_features.py --n-series 500 --peer-series 50   # quick
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np
import scipy.fft as sfft

from wavelens.transforms import GaborBank, filterbank_features, gabor_bank, gaussian_derivative_bank, statistics

FS = 1024.0  # the helicopter accelerometer's rate


def make_data(n_series: int, n_times: int, seed: int = 0) -> np.ndarray:
    """Noisy tones, float32 ``(n_series, 1, n_times)``, made in blocks (no float64 copy)."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_series, 1, n_times), np.float32)
    t = np.arange(n_times, dtype=np.float32) / np.float32(FS)
    for a in range(0, n_series, 256):
        b = min(a + 256, n_series)
        rng.standard_normal((b - a, n_times), dtype=np.float32, out=X[a:b, 0])
        freqs = rng.uniform(20.0, 300.0, size=(b - a, 1)).astype(np.float32)
        X[a:b, 0] += 2.0 * np.sin(np.float32(2 * np.pi) * freqs * t)
    return X


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def fft_floor(X: np.ndarray, kernels: np.ndarray, n_jobs: int, chunk: int = 8) -> float:
    """Seconds for rfft -> multiply by every real kernel part's spectrum -> irfft, in batches.

    The same FFT length, batch size and threading as wavelens (one block of series per
    thread), so the ratio to it is the price of everything else: padding, pooling.
    """
    parts = np.concatenate([kernels.real, kernels.imag]) if np.iscomplexobj(kernels) else kernels
    half = kernels.shape[1] // 2
    n = X.shape[-1]
    L = sfft.next_fast_len(n + 2 * half, real=True)
    circ = np.zeros((len(parts), L))
    circ[:, : half + 1] = parts[:, half:]
    circ[:, L - half :] = parts[:, :half]
    spectra = sfft.rfft(circ).astype(np.complex64)
    rows = X.reshape(-1, n)

    def work(r0: int, r1: int) -> None:
        prod = np.empty((chunk, L // 2 + 1), np.complex64)
        for a in range(r0, r1, chunk):
            b = min(a + chunk, r1)
            spec = sfft.rfft(rows[a:b], n=L)
            for h in spectra:
                np.multiply(spec, h, out=prod[: b - a])
                sfft.irfft(prod[: b - a], n=L)

    bounds = np.linspace(0, rows.shape[0], n_jobs + 1).astype(int)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(n_jobs) as ex:
        for fut in [ex.submit(work, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
            fut.result()
    return time.perf_counter() - t0


def part_a(n_series: int, n_times: int, n_jobs: int) -> list[tuple]:
    X = make_data(n_series, n_times)
    rows = []
    for kind in ("complex", "real"):
        est = GaborBank(kind=kind, n_jobs=n_jobs).fit(X[:2])
        est.transform(X[:4])  # compile and warm up
        t_ours, feats = timed(lambda: est.transform(X), repeat=3)
        assert feats.shape == (n_series, 27) and np.isfinite(feats).all()
        t_floor = min(fft_floor(X, est.kernels_, n_jobs) for _ in range(3))
        n_fft = 2 * 9 if kind == "complex" else 9
        rows.append((f"GaborBank(kind={kind!r}) 9 filters, mean/std/max", n_series, t_ours, n_series / t_ours,
                     f"1 rfft + {n_fft} irfft", t_floor, t_ours / t_floor))
    del X
    return rows


def part_b(n_series: int, n_times: int, n_jobs: int) -> tuple[list[tuple], float, np.ndarray, bool]:
    X = make_data(n_series, n_times, seed=1)
    try:
        from wavelens.transforms import spectral_summary
    except ImportError:
        spectral_summary = None
    bank = gabor_bank(fs=FS)
    gauss = gaussian_derivative_bank(fs=FS)
    # warm up (numba compiles on first use; the cache makes later processes fast)
    filterbank_features(X[:2], bank=bank, n_jobs=n_jobs)
    statistics(X[:2], n_jobs=n_jobs)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("Gabor bank features (9 filters x 3 pools)", lambda: filterbank_features(X, bank=bank, n_jobs=n_jobs)),
        ("statistics (10 per channel)", lambda: statistics(X, n_jobs=n_jobs)),
    ]
    if spectral_summary is not None:
        spectral_summary(X[:2], fs=FS)
        steps.insert(1, ("spectral_summary (6 features, defaults)", lambda: spectral_summary(X, fs=FS)))
    rows, total = [], 0.0
    for name, fn in steps:
        t, out = timed(fn, repeat=3)
        assert out.shape[0] == n_series and np.isfinite(out).all(), name
        rows.append((name, t, out.shape[1]))
        total += t
    extra_t, _ = timed(lambda: filterbank_features(X, bank=gauss, n_jobs=n_jobs), repeat=3)
    rows.append(("(extra, not in the total) Gaussian-derivative bank, 4 scales x 3 orders", extra_t, 36))
    one_t, _ = timed(lambda: filterbank_features(X, bank=bank, n_jobs=1), repeat=3)
    rows.append(("(extra, not in the total) Gabor bank features, n_jobs=1", one_t, 27))
    return rows, total, X, spectral_summary is not None


def part_c(X: np.ndarray, peer_series: int, ours: float) -> list[tuple]:
    n_series = X.shape[0]
    k = min(peer_series, n_series)
    sub = X[:k]
    rows = []
    try:
        from aeon.transformations.collection.convolution_based import MiniRocket
    except ImportError:
        rows.append(("aeon MiniRocket", "not installed", None, None))
    else:
        MiniRocket(n_kernels=84, random_state=0).fit_transform(X[:2, :, :1000])  # compile
        mr = MiniRocket(n_jobs=-1, random_state=0)
        # fit (kernel biases from a few training series) does not grow with n_series;
        # transform does, linearly: only it is extrapolated
        t_fit, _ = timed(lambda: mr.fit(sub))
        t_tr, out = timed(lambda: mr.transform(sub))
        rows.append(("aeon MiniRocket (fit + transform, n_jobs=-1)", k, t_fit + t_tr * n_series / k, out.shape[1]))
    try:
        import pycatch22
    except ImportError:
        rows.append(("pycatch22", "not installed", None, None))
    else:
        t, out = timed(lambda: [pycatch22.catch22_all(s[0].astype(np.float64).tolist())["values"] for s in sub])
        rows.append(("pycatch22 catch22_all (one call per series)", k, t * n_series / k, len(out[0])))
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-series", type=int, default=4188, help="series for (a) (default 4188)")
    p.add_argument("--small-series", type=int, default=500, help="series for (b) and (c) (default 500)")
    p.add_argument("--n-times", type=int, default=61440, help="samples per series (default 61440)")
    p.add_argument("--peer-series", type=int, default=500, help="series the peers run on; extrapolated")
    p.add_argument("--n-jobs", type=int, default=-1, help="threads for wavelens and the floor (default -1: all)")
    p.add_argument("--skip-peers", action="store_true")
    args = p.parse_args()
    n_jobs = (os.cpu_count() or 1) if args.n_jobs == -1 else args.n_jobs
    print(f"# wavelens feature benchmark — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, numpy {np.__version__}, n_jobs={n_jobs}, load average at start "
          f"{os.getloadavg()[0]:.2f} (other work on the machine inflates every figure)\n")
    print("Times are the best of 3 runs; peers run once.\n")

    print(f"## (a) Gabor bank over {args.n_series} x {args.n_times} float32\n")
    print("| transform | series | seconds | series/s | FFT floor | floor s | ratio to floor |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for name, n, t, sps, what, tf, ratio in part_a(args.n_series, args.n_times, n_jobs):
        print(f"| {name} | {n} | {t:.2f} | {sps:.0f} | {what} | {tf:.2f} | {ratio:.2f} |")

    print(f"\n## (b) feature set over {args.small_series} x {args.n_times} float32 (budget 4 s)\n")
    rows, total, X, has_spectral = part_b(args.small_series, args.n_times, n_jobs)
    print("| step | seconds | features/channel |")
    print("|---|---:|---:|")
    for name, t, nf in rows:
        print(f"| {name} | {t:.2f} | {nf} |")
    what = "filter bank + spectral summary + statistics" if has_spectral else (
        "filter bank + statistics (spectral_summary not available yet)")
    print(f"| **total: {what}** | **{total:.2f}** | {'within' if total < 4 else 'OVER'} the 4 s budget |")

    if args.skip_peers:
        return
    print(f"\n## (c) peers over the same {args.small_series} x {args.n_times} collection\n")
    print("| method | series timed | seconds (full collection) | features | ratio to wavelens (b) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| wavelens (b) total | {args.small_series} | {total:.2f} | — | 1.0 |")
    for name, k, t, nf in part_c(X, args.peer_series, total):
        if t is None:
            print(f"| {name} | {k} | — | — | — |")
            continue
        note = "" if k == args.small_series else f" (extrapolated from {k})"
        print(f"| {name} | {k} | {t:.1f}{note} | {nf} | {t / total:.0f}x |")


if __name__ == "__main__":
    main()
