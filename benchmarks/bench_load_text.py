"""Benchmark: loading a helicopter-format text file with wavelens vs numpy.loadtxt.

The file has the shape of the Airbus helicopter accelerometer files: 1,677 rows of
61,440 values separated by single spaces (about 1.3 GB), values like
``-0.012345678``: a sum of sinusoids plus noise, mostly 9 decimals, some 3 to 9,
about 1 % in exponent form (``1.234567890e-03``). It is generated once under ``benchmarks/_data/``
(git-ignored) by a numba formatter.

Each measurement runs in a fresh Python process, which reports its own peak
resident memory (``VmHWM``; not ``ru_maxrss``, which Linux carries over from the
parent across fork and exec):

* ``baseline``: import wavelens and numba, load a two-line file (the first numba
  call of a process initialises it, about 0.3-0.5 s): the fixed cost;
* ``wavelens``: the same, then ``wavelens.io.load(path)`` timed (and repeated);
* ``loadtxt``: ``numpy.loadtxt(path)`` then ``.astype(float32)``, timed;
* ``inspect``: ``load`` plus a per-series summary (what ``wavelens inspect`` prints).

Values are compared through a SHA-256 of the float32 bytes. The memory budget is
1.5 x the float32 result + a 256 MB parse buffer, checked on the peak RSS above the
baseline process.

Note on this machine: in a fresh process, memory touched for the first time can
cost up to ~3 s/GiB (the virtual machine backs pages lazily, unless they were used
and freed shortly before); the ``touch`` row measures that for an array of the
result's size with numpy's default (transparent huge pages), which varies most.
wavelens backs its output with small pages, a block's rows in one system call
(``MADV_POPULATE_WRITE``), which costs a steadier 0.12-0.2 s here. ``--warm GIB``
first runs a process that touches and frees that much memory before each
measurement, so that neither reader pays it (the conditions of an ordinary machine).

``--rounds N`` repeats the whole comparison N times: each round measures
``numpy.loadtxt`` and one fresh wavelens process back to back, and the ratio is
taken within the round (the machine may be shared; a ratio from one moment is
fairer than times from different moments). The median and range of the ratios
are printed.

Usage::

    python benchmarks/bench_load_text.py            # full size (1,677 rows)
    python benchmarks/bench_load_text.py --rows 200 # smaller, faster
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
ROOT = HERE.parent


# -- the file -----------------------------------------------------------------------
def _formatter():
    from numba import njit, prange

    @njit(cache=True, nogil=True)
    def write_uint(out, pos, v, width):
        n = 1
        t = v // 10
        while t > 0:
            n += 1
            t //= 10
        n = max(n, width)
        for k in range(n - 1, -1, -1):
            out[pos + k] = 48 + v % 10
            v //= 10
        return pos + n

    @njit(cache=True, nogil=True)
    def format_row(x, prec, expo, out):
        p10 = 1
        pos = 0
        for j in range(x.shape[0]):
            if j:
                out[pos] = 32
                pos += 1
            v = x[j]
            p = prec[j]
            p10 = 10**p
            if v < 0:
                out[pos] = 45
                pos += 1
                v = -v
            if expo[j] and v > 0:
                e = int(np.floor(np.log10(v)))
                s = np.int64(np.rint(v / 10.0**e * p10))
                if s >= 10 * p10:
                    s //= 10
                    e += 1
                pos = write_uint(out, pos, s // p10, 1)
                out[pos] = 46
                pos = write_uint(out, pos + 1, s % p10, p)
                out[pos] = 101
                out[pos + 1] = 45 if e < 0 else 43
                pos = write_uint(out, pos + 2, abs(e), 2)
            else:
                s = np.int64(np.rint(v * p10))
                pos = write_uint(out, pos, s // p10, 1)
                out[pos] = 46
                pos = write_uint(out, pos + 1, s % p10, p)
        out[pos] = 10
        return pos + 1

    @njit(cache=True, parallel=True)
    def format_rows(x, prec, expo, out, lengths):
        for i in prange(x.shape[0]):
            lengths[i] = format_row(x[i], prec[i], expo[i], out[i])

    return format_rows


def generate(path: Path, rows: int, cols: int, seed: int) -> None:
    """Write the benchmark file atomically (temporary name, then rename)."""
    format_rows = _formatter()
    rng = np.random.default_rng(seed)
    t = np.arange(cols) / 1024.0  # one minute at 1024 Hz
    block = 64
    out = np.empty((block, 24 * cols), dtype=np.uint8)
    lengths = np.empty(block, dtype=np.int64)
    tmp = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(tmp, "wb") as f:
        for r0 in range(0, rows, block):
            n = min(block, rows - r0)
            f0 = rng.uniform(5, 120, (n, 1, 4))
            amp = rng.uniform(0.002, 0.2, (n, 1, 4))
            phase = rng.uniform(0, 2 * np.pi, (n, 1, 4))
            x = (amp * np.sin(2 * np.pi * f0 * t[None, :, None] + phase)).sum(-1)
            x += rng.normal(0, 0.01, x.shape)
            prec = np.where(rng.random(x.shape) < 0.9, 9, rng.integers(3, 10, x.shape))
            expo = rng.random(x.shape) < 0.01
            format_rows(x, prec.astype(np.int64), expo, out[:n], lengths[:n])
            for i in range(n):
                f.write(out[i, : lengths[i]].data)
    os.replace(tmp, path)
    print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - start:.1f} s")


# -- one measurement per process --------------------------------------------------------
def _peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MiB.

    Not ``ru_maxrss``: Linux carries the parent's peak into a child across
    fork and exec, so a child of a big parent would report the parent's peak.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).view(np.uint8)).hexdigest()[:16]


def summarize(s) -> dict:
    """Per-series mean, std, min, max and NaN count (what ``inspect`` prints),
    64 series at a time so that no temporary is as large as the data."""
    n = len(s)
    stats = np.empty((n, 5))
    for i in range(0, n, 64):
        x = np.asarray(s.data[i : i + 64], dtype=np.float64).reshape(min(64, n - i), -1)
        stats[i : i + 64] = np.column_stack(
            [np.nanmean(x, 1), np.nanstd(x, 1), np.nanmin(x, 1), np.nanmax(x, 1), np.isnan(x).sum(1)]
        )
    return {
        "n_series": n,
        "n_channels": s.n_channels,
        "n_times": int(s.lengths.max()),
        "nan": int(stats[:, 4].sum()),
        "mean": float(stats[:, 0].mean()),
        "std_median": float(np.median(stats[:, 1])),
        "min": float(stats[:, 2].min()),
        "max": float(stats[:, 3].max()),
    }


def child(mode: str, path: str, repeat: int, nbytes: int = 0) -> dict:
    out: dict = {"mode": mode}
    t0, c0 = time.perf_counter(), time.process_time()
    if mode == "loadtxt":
        x = np.loadtxt(path).astype(np.float32)
        out["times"] = [time.perf_counter() - t0]
        out["cpu"] = [time.process_time() - c0]
        out["digest"] = _digest(x)
        out["shape"] = list(x.shape)
        return out
    if mode == "warm":
        a = np.ones(nbytes, dtype=np.uint8)  # touched, then freed: warm for the next process
        out["times"] = [time.perf_counter() - t0]
        del a
        return out
    if mode == "touch":
        import wavelens.io  # noqa: F401  (the same baseline as the loads)

        n = nbytes
        t0 = time.perf_counter()
        a = np.empty(n, dtype=np.uint8)
        a[::4096] = 1  # one write per page
        out["times"] = [time.perf_counter() - t0]
        return out
    from wavelens.io import load

    tiny = Path(DATA) / "tiny.txt"
    tiny.write_text("1 2\n3 4\n")
    load(tiny)
    out["startup"] = time.perf_counter() - t0  # import + numba initialisation
    if mode == "baseline":
        return out
    times = []
    cpu = []
    for k in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        s = load(path)
        if mode == "inspect":
            out["summary"] = summarize(s)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if k == 0:
            out["digest"] = _digest(s.data[:, 0, :])
            out["shape"] = list(s.data[:, 0, :].shape)
        del s
    out["times"] = times
    out["cpu"] = cpu  # CPU seconds of all threads (user + system)
    return out


def _busy_seconds() -> float | None:
    """CPU seconds all processes have used (from /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_child(mode: str, path: str, repeat: int = 1, nbytes: int = 0) -> dict:
    """Run ``child`` in a fresh process.

    Adds its wall time and ``others``: the CPU cores that other processes kept
    busy meanwhile (on a shared machine, a measure of how fair the timing is).
    """
    cmd = [sys.executable, __file__, "--child", mode, "--path", path, "--repeat", str(repeat),
           "--nbytes", str(nbytes)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    busy0, t = _busy_seconds(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    text = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stdout.close()
    wall, busy1 = time.perf_counter() - t, _busy_seconds()
    if status != 0:
        raise RuntimeError(f"benchmark child {mode!r} failed (status {status})")
    result = json.loads(text.strip().splitlines()[-1])
    result["process_s"] = wall
    own = usage.ru_utime + usage.ru_stime
    result["others"] = None if busy0 is None else max(0.0, (busy1 - busy0 - own) / wall)
    return result


# -- main ---------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1677, help="rows (series); 1677 is the full file")
    ap.add_argument("--cols", type=int, default=61440, help="values per row")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="wavelens loads per process")
    ap.add_argument("--rounds", type=int, default=3, help="fresh wavelens processes")
    ap.add_argument("--warm", type=int, default=0, metavar="GIB",
                    help="before each measurement, touch and free this many GiB in another process, so "
                         "that no measurement pays this VM's first-touch cost (0: off)")  # fmt: skip
    ap.add_argument("--skip-loadtxt", action="store_true", help="skip numpy.loadtxt (slow)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--nbytes", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        result = child(args.child, args.path, args.repeat, args.nbytes)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    path = DATA / f"helicopter_{args.rows}x{args.cols}_s{args.seed}_v2.txt"
    if not path.exists():
        generate(path, args.rows, args.cols, args.seed)
    size = path.stat().st_size
    result_mb = args.rows * args.cols * 4 / 2**20
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"file: {path.name}, {size / 1e9:.3f} GB; result {result_mb:.0f} MiB float32; "
          f"{os.cpu_count()} CPUs, load average {load_avg:.2f}; "
          f"{f'memory warmed ({args.warm} GiB) before each run' if args.warm else 'memory as found'}")

    def measure(mode: str, **kw) -> dict:
        if args.warm:
            run_child("warm", str(path), nbytes=args.warm * 2**30)
        return run_child(mode, str(path), **kw)

    base = measure("baseline")
    touch = measure("touch", nbytes=args.rows * args.cols * 4)
    runs = []
    refs = []
    for k in range(args.rounds):
        # loadtxt and wavelens back to back in each round (order alternating), so
        # that each ratio compares two moments of the same load on a shared machine
        if not args.skip_loadtxt and k % 2:
            refs.append(measure("loadtxt"))
        runs.append(measure("wavelens", repeat=args.repeat))
        if not args.skip_loadtxt and not k % 2:
            refs.append(measure("loadtxt"))
    ref = refs[0] if refs else None
    insp = measure("inspect")

    def row(name: str, seconds: float, r: dict | None, note: str = "") -> None:
        ratio = f"{ref['times'][0] / seconds:6.1f}x" if ref else "     -"  # against this round's loadtxt
        rss = f"{r['peak_rss_mb']:8.0f}" if r else "       -"
        others = f"{r['others']:6.2f}" if r and r.get("others") is not None else "     -"
        cpu = f"{r['cpu'][0]:6.2f}" if r and r.get("cpu") else "     -"
        print(f"{name:<36} {seconds:7.3f} {size / seconds / 1e6:7.0f} {rss} {cpu} {others} {ratio}  {note}")

    print()
    print(f"{'':<36} {'time s':>7} {'MB/s':>7} {'peak MB':>8} {'CPU s':>6} {'others':>6} {'vs loadtxt':>7}")
    for k, r in enumerate(runs):
        if refs:
            ref = refs[k]
            row(f"numpy.loadtxt + astype(float32) {k + 1}", ref["times"][0], ref)
        row(f"wavelens load, fresh process {k + 1}", r["times"][0], r, f"(+ start-up {r['startup']:.2f} s)")
        if len(r["times"]) > 1:
            row(f"  same process, best of next {len(r['times']) - 1}", min(r["times"][1:]), None,
                "memory freed by the first load is reused")  # fmt: skip
    row("wavelens load + summary (inspect)", insp["times"][0], insp,
        f"{insp['summary']['n_series']} series x {insp['summary']['n_times']}")  # fmt: skip
    name = "fresh process: import + numba init"
    print(f"{name:<36} {base['startup']:7.3f} {'':>7} {base['peak_rss_mb']:8.0f}")
    print(f"{'first touch of ' + f'{result_mb:.0f} MiB':<36} {touch['times'][0]:7.3f}   "
          "(numpy's huge pages; wavelens backs its output with small pages)")
    print("CPU s: CPU seconds of the load, all threads, user + system; others: CPU cores other processes "
          "kept busy during the run (a shared machine).")
    print()
    budget = 1.5 * result_mb + 256
    extra = max(r["peak_rss_mb"] for r in runs) - base["peak_rss_mb"]
    print(f"memory: peak RSS above the baseline process {extra:.0f} MB; budget 1.5 x result + 256 MB "
          f"= {budget:.0f} MB: {'OK' if extra <= budget else 'OVER'}")
    firsts = [r["times"][0] for r in runs]
    if refs:
        ref = refs[0]
        same = all(r["digest"] == x["digest"] for r in runs for x in refs) and runs[0]["shape"] == ref["shape"]
        print(f"values identical to numpy.loadtxt(path).astype(float32): {'yes' if same else 'NO'} "
              f"(sha256 {ref['digest']})")
        ratios = [x["times"][0] / t for x, t in zip(refs, firsts)]
        later = [x["times"][0] / min(r["times"][1:]) for x, r in zip(refs, runs) if len(r["times"]) > 1]
        print(f"loadtxt: median {np.median([x['times'][0] for x in refs]):.2f} s; wavelens, fresh process: "
              f"median {np.median(firsts):.3f} s, {np.median([r['cpu'][0] for r in runs]):.3f} CPU-s "
              f"(the wall time on {os.cpu_count()} idle cores is at least CPU-s / {os.cpu_count()})")
        print(f"speed-up per round, fresh process: median {np.median(ratios):.1f}x, range "
              f"{min(ratios):.1f}-{max(ratios):.1f}x ({', '.join(f'{v:.1f}' for v in ratios)})")
        if later:
            print(f"speed-up per round, later loads in the same process (best of them): median "
                  f"{np.median(later):.1f}x, range {min(later):.1f}-{max(later):.1f}x")
    print(f"inspect (load + summary) in a fresh process: {insp['process_s']:.1f} s wall, including start-up")


if __name__ == "__main__":
    main()
