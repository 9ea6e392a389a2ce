"""Batched cubic-spline derivatives vs the helicopter study's per-row splrep/splev loop.

The study (SEEDS.md, study 2) computed, for every row of 61,440 samples at 1024 Hz,
``tck = splrep(t, y, s=0)`` then ``splev(t, tck, der=1)`` and ``der=2``. This script
times, on 1,677 rows x 61,440 samples of float32 (the training set's shape):

- ``wavelens.transforms.spline_derivative``: the slope system's elimination factors
  computed once, every row solved in one compiled pass (numba, threads over rows)
  that writes the output directly;
- the same system solved with LAPACK: factored once (``dgttrf``), all rows of a block
  solved by one ``dgttrs`` call (many right-hand sides), second derivative in NumPy —
  the first batched version, kept here as a comparator;
- ``scipy.interpolate.make_interp_spline(..., axis=0)`` on blocks of rows, evaluated
  with ``nu=1`` and ``nu=2`` (the other alternative considered);
- the per-row ``splrep``/``splev`` loop on the first ``--loop-rows`` rows only,
  extrapolated linearly to all rows (said so in the table).

It also reports the largest difference between the batched result and the loop.
Run by hand: ``python benchmarks/bench_derivatives.py [--rows 1677] [--loop-rows 50]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.interpolate import make_interp_spline, splev, splrep
from scipy.linalg.lapack import dgttrf, dgttrs

from wavelens.transforms import spline_derivative

FS = 1024.0


def make_rows(n_rows: int, n_times: int, seed: int = 0) -> np.ndarray:
    """Vibration-like rows: a few tones with harmonics plus noise, float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_times, dtype=np.float32) / np.float32(FS)
    X = rng.standard_normal((n_rows, n_times), dtype=np.float32)
    X *= np.float32(0.3)
    for f in (50.0, 100.0, 37.5):
        X += np.sin(np.float32(2 * np.pi * f) * t)[np.newaxis, :]
    return X


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def lapack_blocks(X: np.ndarray, block: int = 64) -> np.ndarray:
    """First and second derivatives: one LU of the slope system, dgttrs on blocks of rows."""
    n_rows, n = X.shape
    dl, du, d = np.ones(n - 1), np.ones(n - 1), np.full(n, 4.0)
    d[0] = d[-1] = 1.0
    du[0] = dl[-1] = 2.0
    factor = dgttrf(dl, d, du)[:5]
    out = np.empty((n_rows, 2, n), dtype=X.dtype)
    for a in range(0, n_rows, block):
        y = X[a : a + block].astype(np.float64)
        diff = np.diff(y, axis=1)
        rhs = np.empty_like(y)
        np.add(diff[:, :-1], diff[:, 1:], out=rhs[:, 1:-1])
        rhs[:, 1:-1] *= 3.0
        rhs[:, 0] = 2.5 * diff[:, 0] + 0.5 * diff[:, 1]
        rhs[:, -1] = 0.5 * diff[:, -2] + 2.5 * diff[:, -1]
        m = dgttrs(*factor, rhs.T, overwrite_b=1)[0].T  # rhs.T is Fortran-ordered: solved in place
        s2 = np.empty_like(m)
        s2[:, :-1] = 6.0 * diff - 4.0 * m[:, :-1] - 2.0 * m[:, 1:]
        s2[:, -1] = -6.0 * diff[:, -1] + 2.0 * m[:, -2] + 4.0 * m[:, -1]
        out[a : a + block, 0] = m * FS
        out[a : a + block, 1] = s2 * FS**2
    return out


def interp_spline_blocks(X: np.ndarray, block: int = 64) -> np.ndarray:
    """First and second derivatives with make_interp_spline over blocks of rows."""
    n_rows, n_times = X.shape
    t = np.arange(n_times) / FS
    out = np.empty((n_rows, 2, n_times), dtype=X.dtype)
    for a in range(0, n_rows, block):
        y = X[a : a + block].T.astype(np.float64)  # (n_times, rows)
        spl = make_interp_spline(t, y, k=3, axis=0)
        out[a : a + block, 0] = spl(t, nu=1).T
        out[a : a + block, 1] = spl(t, nu=2).T
    return out


def loop_rows(X: np.ndarray) -> np.ndarray:
    """The study's way: splrep/splev row by row (float64)."""
    t = np.arange(X.shape[1]) / FS
    out = np.empty((X.shape[0], 2, X.shape[1]))
    for i, y in enumerate(X.astype(np.float64)):
        tck = splrep(t, y, s=0)
        out[i, 0] = splev(t, tck, der=1)
        out[i, 1] = splev(t, tck, der=2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1677)
    parser.add_argument("--times", type=int, default=61440)
    parser.add_argument("--loop-rows", type=int, default=50)
    parser.add_argument("--interp-rows", type=int, default=0, help="rows for make_interp_spline (0: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    X = make_rows(args.rows, args.times)
    X3 = X[:, np.newaxis, :]
    spline_derivative(X3[:2], deriv=(1, 2), fs=FS)  # compile (or load the cached kernel) first
    print(f"data: {args.rows} rows x {args.times} samples, float32 ({X.nbytes / 2**20:.0f} MiB), fs={FS:g} Hz")

    rows = []
    t_cold, _ = best_of(lambda: spline_derivative(X3, deriv=(1, 2), fs=FS), 1)
    rows.append(("spline_derivative(deriv=(1, 2)), first call", args.rows, t_cold,
                 "measured; pays first touch of its output memory"))
    t_batch, D = best_of(lambda: spline_derivative(X3, deriv=(1, 2), fs=FS), args.repeat)
    rows.append(("spline_derivative(deriv=(1, 2))", args.rows, t_batch, f"measured, best of {args.repeat}"))
    t_raw, _ = best_of(lambda: spline_derivative(X3, deriv=(1, 2), include_raw=True, fs=FS), args.repeat)
    rows.append(("spline_derivative(deriv=(1, 2), include_raw=True)", args.rows, t_raw,
                 f"measured, best of {args.repeat}"))

    t_lap, _ = best_of(lambda: lapack_blocks(X), args.repeat)
    rows.append(("LAPACK dgttrf once + dgttrs on blocks of rows", args.rows, t_lap, f"measured, best of {args.repeat}"))

    n_int = args.rows if args.interp_rows <= 0 else min(args.interp_rows, args.rows)
    t_int, _ = best_of(lambda: interp_spline_blocks(X[:n_int]), 1)
    rows.append(("make_interp_spline(axis=0) + 2 evaluations", args.rows, t_int * args.rows / n_int,
                 "measured" if n_int == args.rows else f"{n_int} rows, extrapolated"))

    n_loop = min(args.loop_rows, args.rows)
    t_loop, L = best_of(lambda: loop_rows(X[:n_loop]), 1)
    rows.append(("per-row splrep/splev loop (the study)", args.rows, t_loop * args.rows / n_loop,
                 f"{n_loop} rows timed, extrapolated x{args.rows / n_loop:.1f}"))

    print(f"\n{'method':<52} {'rows':>6} {'seconds':>9}  note")
    for name, n, sec, note in rows:
        print(f"{name:<52} {n:>6} {sec:>9.2f}  {note}")
    print("(2 cores shared with other work: repeat runs vary by tens of per cent)")
    print(f"\nspeed-up of spline_derivative over the per-row loop: x{rows[-1][2] / t_batch:.0f}")
    print(f"speed-up of spline_derivative over LAPACK dgttrs: x{t_lap / t_batch:.1f}")
    print(f"speed-up of spline_derivative over make_interp_spline: x{rows[-2][2] / t_batch:.1f}")

    ref = L  # float64 from the float32 samples
    got = D[:n_loop].astype(np.float64)
    for j, name in enumerate(("1st", "2nd")):
        scale = np.abs(ref[:, j]).max()
        err = np.abs(got[:, j] - ref[:, j]).max() / scale
        print(f"max |batched - splrep/splev| / max |ref|, {name} derivative: {err:.1e} (float32 output)")


if __name__ == "__main__":
    main()
