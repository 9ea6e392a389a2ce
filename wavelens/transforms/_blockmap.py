"""Block processing of a collection: run a per-block kernel over series (equal-length
or ragged) and write one output.

Work is done in blocks of series (about 64 MiB of float64 at a time; ragged series are
sorted by length so that a block wastes little padding) and written into one output
allocated up front, so memory stays bounded on large collections.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..data import SignalSet

__all__: list[str] = []

_BLOCK_BYTES = 64 * 2**20


# --------------------------------------------------------------------------------------
# block machinery: run a per-block kernel over a collection, write one output
# --------------------------------------------------------------------------------------
Kernel = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _ragged_blocks(sorted_lengths: np.ndarray, samples_per_block: int) -> list[tuple[int, int]]:
    """Cut series sorted by length into consecutive blocks of bounded padded size."""
    blocks = []
    a, n = 0, len(sorted_lengths)
    while a < n:
        # padded size of rows a..a+k-1 is k * L[a+k-1]: increasing in k
        padded = np.arange(1, n - a + 1) * sorted_lengths[a:]
        k = max(1, int(np.searchsorted(padded, samples_per_block, side="right")))
        blocks.append((a, a + k))
        a += k
    return blocks


def _padded(data: list[np.ndarray], idx: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Series ``idx`` of a list as one zero-padded array ``(len(idx), C, max length)``."""
    lens = lengths[idx]
    block = np.zeros((len(idx), data[0].shape[0], int(lens.max())), dtype=data[0].dtype)
    mask = np.arange(block.shape[-1]) < lens[:, np.newaxis]
    block.transpose(1, 0, 2)[:, mask] = np.concatenate([data[i] for i in idx], axis=1)
    return block


def _map_series(
    data: np.ndarray | list[np.ndarray],
    lengths: np.ndarray,
    kernel: Kernel,
    *,
    n_out_channels: int,
    out_lengths: np.ndarray,
    dtype: Any,
    bytes_per_sample: int,
) -> np.ndarray | list[np.ndarray]:
    """Apply ``kernel`` to blocks of series and assemble its outputs.

    ``kernel(block, block_lengths, block_index)`` receives ``(b, C, L)`` samples in the
    input dtype, zero beyond each series' length, and returns ``(b, n_out_channels,
    L_out)`` values (any float dtype) whose first ``out_lengths[i]`` samples are kept.
    A 3-D array with equal output lengths gives a 3-D array; anything else a list of
    ``(n_out_channels, out_lengths[i])`` views into one buffer.
    """
    n = len(lengths)
    n_channels = data.shape[1] if isinstance(data, np.ndarray) else data[0].shape[0]
    per_block = max(1, _BLOCK_BYTES // (bytes_per_sample * n_channels))
    if isinstance(data, np.ndarray):
        rows = max(1, per_block // data.shape[2])
        blocks = [np.arange(a, min(n, a + rows)) for a in range(0, n, rows)]
        if np.all(out_lengths == out_lengths[0]):
            out = np.empty((n, n_out_channels, int(out_lengths[0])), dtype=dtype)
            for idx in blocks:
                sl = slice(int(idx[0]), int(idx[-1]) + 1)
                out[sl] = kernel(data[sl], lengths[sl], idx)[..., : out.shape[2]]
            return out
        get = lambda idx: data[int(idx[0]) : int(idx[-1]) + 1]  # noqa: E731
    else:
        order = np.argsort(lengths, kind="stable")
        blocks = [order[a:b] for a, b in _ragged_blocks(lengths[order], per_block)]
        get = lambda idx: _padded(data, idx, lengths)  # noqa: E731

    # list output laid out in processing order: each block fills a contiguous range
    sizes = n_out_channels * out_lengths
    processed = np.concatenate(blocks)
    offsets = np.empty(n, dtype=np.int64)
    offsets[processed] = np.cumsum(sizes[processed]) - sizes[processed]
    buf = np.empty(int(sizes.sum()), dtype=dtype)
    pos = 0
    for idx in blocks:
        res = kernel(get(idx), lengths[idx], idx)
        keep = np.arange(res.shape[-1]) < out_lengths[idx][:, np.newaxis]
        vals = res[np.broadcast_to(keep[:, np.newaxis, :], res.shape)]
        buf[pos : pos + vals.size] = vals
        pos += vals.size
    return [
        buf[offsets[i] : offsets[i] + sizes[i]].reshape(n_out_channels, int(out_lengths[i]))
        for i in range(n)
    ]


def _same_kind(X: Any, out: Any) -> Any:
    """A list when the caller gave a list (or a SignalSet holding one), even of equal lengths."""
    given = X.data if isinstance(X, SignalSet) else X
    if isinstance(out, np.ndarray) and isinstance(given, (list, tuple)):
        return list(out)
    return out


def _is_full(block: np.ndarray, lens: np.ndarray) -> bool:
    """True when no series of the block is padded."""
    return bool(np.all(lens == block.shape[-1]))
