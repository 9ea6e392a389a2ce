"""Training-loop overhead: one epoch of ConvLSTMAutoencoder through ``wavelens.models.train`` vs a bare PyTorch loop.

Both loops get the same network (a copy of one initialisation), the same precomputed
batches (the same tensors, in the same order) and the same optimiser (Adam, same lr).
The bare loop is the textbook minimum: ``zero_grad``; ``loss(batch)``; ``backward``;
``step``. The wavelens loop adds what it always does (loss accumulation, timing, the
NaN guard, early-stopping bookkeeping) but no validation set and no progress bar.
The two alternate, each repeated, so machine load hits both alike; the table gives the
median and the best of the per-round ratios. Target: ratio ≤ 1.2.

Data: 3-channel real seismic windows (ObsPy's test recordings, see
``bench_models_throughput.py``), lengths drawn between 1,024 and 2,048 samples (ragged
batches, padded + lengths) or all 2,048 (``--equal``).

    .venv/bin/python benchmarks/bench_models_loop_overhead.py
    .venv/bin/python benchmarks/bench_models_loop_overhead.py --n-series 256 --rounds 5
"""

from __future__ import annotations

import argparse
import copy
import inspect
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_models_throughput import seismic_windows  # noqa: E402  (the same real windows)


def make_batches(n_series: int, batch_size: int, equal: bool, seed: int):
    import torch

    X = seismic_windows(n_series, n_times=2048, seed=seed)
    X = (X - X.mean(axis=2, keepdims=True)) / (X.std(axis=2, keepdims=True) + 1e-6)
    rng = np.random.default_rng(seed)
    lengths = np.full(n_series, 2048) if equal else rng.integers(1024, 2049, size=n_series)
    order = np.argsort(lengths)  # length buckets, as the embedder batches them
    batches = []
    for i in range(0, n_series, batch_size):
        idx = order[i:i + batch_size]
        t = int(lengths[idx].max())
        x = np.zeros((len(idx), 3, t), np.float32)
        for j, k in enumerate(idx):
            x[j, :, : lengths[k]] = X[k, :, : lengths[k]]
        batches.append({"x": torch.from_numpy(x), "lengths": torch.as_tensor(lengths[idx], dtype=torch.int64)})
    return batches


def bare_epoch(net, batches, lr: float) -> float:
    import torch

    opt = torch.optim.Adam(net.parameters(), lr=lr)
    net.train()
    t0 = time.perf_counter()
    for batch in batches:
        opt.zero_grad(set_to_none=True)
        loss, _ = net.loss(batch)
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def wavelens_epoch(net, batches, lr: float) -> float:
    from wavelens.models import train

    kwargs = {}
    params = inspect.signature(train).parameters
    if "verbose" in params:
        kwargs["verbose"] = False
    t0 = time.perf_counter()
    train(net, batches, None, epochs=1, lr=lr, **kwargs)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> list[float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-series", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--equal", action="store_true", help="all series 2,048 samples (no padding)")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)

    import torch

    from wavelens.models import ConvLSTMAutoencoder

    if args.threads:
        torch.set_num_threads(args.threads)
    batches = make_batches(args.n_series, args.batch_size, args.equal, seed=0)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net0 = ConvLSTMAutoencoder(3)  # the defaults: conv 32/64/64, strides (2, 2, 2), LSTM 64 × 2
    print(f"{args.n_series} series × 3 × {'2048' if args.equal else '1024–2048'} samples in {len(batches)} batches; "
          f"{net0.config}; torch threads {torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}")
    bare_epoch(copy.deepcopy(net0), batches[:2], 1e-3)  # warm-up (allocator, MKL-DNN kernels)
    wavelens_epoch(copy.deepcopy(net0), batches[:2], 1e-3)
    ratios, bare_t, wl_t = [], [], []
    for r in range(args.rounds):
        first_bare = r % 2 == 0
        runs = {}
        for which in (("bare", "wavelens") if first_bare else ("wavelens", "bare")):
            net = copy.deepcopy(net0)
            runs[which] = (bare_epoch if which == "bare" else wavelens_epoch)(net, batches, 1e-3)
        bare_t.append(runs["bare"])
        wl_t.append(runs["wavelens"])
        ratios.append(runs["wavelens"] / runs["bare"])
        print(f"  round {r + 1}: bare {runs['bare']:.2f} s, wavelens {runs['wavelens']:.2f} s, "
              f"ratio {ratios[-1]:.3f}", flush=True)
    print("\n| loop | s / epoch (median) | s / epoch (best) | ratio (median of rounds) | ratio (best times) | target ≤ 1.2 |")
    print("|---|---|---|---|---|---|")
    print(f"| bare PyTorch | {np.median(bare_t):.2f} | {min(bare_t):.2f} | 1.000 | 1.000 | reference |")
    best = min(wl_t) / min(bare_t)
    print(f"| wavelens `train` | {np.median(wl_t):.2f} | {min(wl_t):.2f} | {np.median(ratios):.3f} | {best:.3f} "
          f"| {'met' if np.median(ratios) <= 1.2 else 'not met'} |")
    return ratios


if __name__ == "__main__":
    main()
