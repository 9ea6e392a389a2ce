"""Benchmark: ``plot_image`` against the per-plot reference rasteriser of source study 4.

The task of the study: turn TESS-like power spectra (log-spaced 3–283 µHz) into
128 x 128 log-log line-plot images on fixed axes (x: 3–283 µHz, y: 3–3e7). The
reference is the study's approach, one plot at a time with
``scipy.stats.binned_statistic`` (``wavelens.testing._plot_reference``, the same code
the tests hold ``plot_image`` to); the batched ``plot_image`` must give identical
images, which is checked here for every spectrum.

Timing rules:

- wall clock, best of several runs (the machine may be shared; the best run is the
  least disturbed one);
- the reference gets its log10 inputs precomputed outside the timing (pure
  rasterisation) and writes its images into one ``(n, nbins, nbins)`` float32 batch
  allocated inside the timing, the object ``plot_image`` returns;
- ``plot_image`` is timed as a user calls it, on data units with ``log=True``
  (validation, log10, allocation of the output included);
- numba's compile time is excluded from the timings (a warm-up call first) but
  reported: measured in a fresh process with an empty numba cache.

Run::

    .venv/bin/python benchmarks/bench_plotimage.py            # 1,000 spectra x 5,000
    .venv/bin/python benchmarks/bench_plotimage.py --n-spectra 200 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

from wavelens.testing._plot_reference import make_power_spectra, reference_plot_to_array
from wavelens.transforms import plot_image

XLIM = (3.0, 283.0)  # µHz
YLIM = (3.0, 3e7)  # ppm² / µHz


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def _reference_batch(lf: np.ndarray, lP: np.ndarray, nbins: int, s: int) -> np.ndarray:
    lim = (*np.log10(XLIM), *np.log10(YLIM))
    out = np.empty((lP.shape[0], nbins, nbins), dtype=np.float32)
    for i in range(lP.shape[0]):
        out[i] = reference_plot_to_array(lf, lP[i], nbins, s, *lim)
    return out


def _compile_time() -> float:
    """Seconds for the first call in a fresh process with an empty numba cache."""
    code = (
        "import time, numpy as np\n"
        "from wavelens.transforms import plot_image\n"
        "t = time.perf_counter()\n"
        "plot_image(np.ones((2, 8)), x=np.arange(1.0, 9.0), nbins=4, log=True)\n"
        "print(time.perf_counter() - t)\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-spectra", type=int, default=1000)
    ap.add_argument("--n-freqs", type=int, default=5000)
    ap.add_argument("--nbins", type=int, default=128)
    ap.add_argument("--supersample", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--repeat", type=int, default=30, help="runs of plot_image (best kept)")
    ap.add_argument("--ref-repeat", type=int, default=3, help="runs of the reference (best kept)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                    help="dtype of the spectra handed to plot_image (the reference gets float64)")
    args = ap.parse_args(argv)

    f, P = make_power_spectra(args.n_spectra, args.n_freqs, random_state=args.seed)
    P = P.astype(args.dtype)
    lf, lP = np.log10(f), np.log10(P.astype(np.float64))
    n_cpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    compile_s = _compile_time()
    t = time.perf_counter()
    plot_image(P[:2], x=f, nbins=args.nbins, xlim=XLIM, ylim=YLIM, log=True)
    first_s = time.perf_counter() - t

    print(
        f"plot_image vs per-plot reference: {args.n_spectra} TESS-like spectra x {args.n_freqs} "
        f"points ({args.dtype}) -> {args.nbins} x {args.nbins}, log-log, x {XLIM} µHz, y {YLIM}"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"{n_cpu} CPUs ({platform.machine()})"
    )
    print(
        f"numba compile (fresh process, empty cache): {compile_s:.2f} s; first call here "
        f"(warm-up, cache load): {first_s:.3f} s — both excluded below"
    )
    print()
    head = (
        f"{'s':>2} | {'reference':>10} | {'fast n_jobs=1':>13} | {'ratio':>6} | "
        f"{f'fast n_jobs={n_cpu}':>13} | {'ratio':>6} | {'per spectrum (1 / n)':>21} | identical"
    )
    print(head)
    print("-" * len(head))
    ok = True
    for s in args.supersample:
        kw = dict(x=f, nbins=args.nbins, supersample=s, xlim=XLIM, ylim=YLIM, log=True)
        plot_image(P[:2], **kw)
        t_ref, ref = _best(lambda: _reference_batch(lf, lP, args.nbins, s), args.ref_repeat)
        t_one, fast = _best(lambda: plot_image(P, **kw), args.repeat)
        t_all, fast_all = _best(lambda: plot_image(P, n_jobs=-1, **kw), args.repeat)
        same = int(np.sum(np.all(fast == ref, axis=(1, 2))))
        same_all = bool(np.array_equal(fast_all, fast))
        ok &= same == args.n_spectra and same_all
        print(
            f"{s:>2} | {t_ref:>9.3f}s | {t_one * 1e3:>11.1f}ms | {t_ref / t_one:>5.0f}x | "
            f"{t_all * 1e3:>11.1f}ms | {t_ref / t_all:>5.0f}x | "
            f"{t_ref / args.n_spectra * 1e6:>7.0f} / {t_one / args.n_spectra * 1e6:>5.1f} µs | "
            f"{same}/{args.n_spectra}{'' if same_all else ' (n_jobs differs!)'}"
        )
    print()
    print("identical images: yes" if ok else "identical images: NO — see the table")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
