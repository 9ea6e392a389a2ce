"""Batches for the training loop and for inference (imports torch).

In memory (:class:`TensorBatches`), the whole prepared collection becomes tensors once:

- equal-length series or images: one ``(N, ...)`` tensor; each epoch takes a seeded
  permutation and gathers its batches (no per-batch padding work, no lengths: the
  networks skip their masks);
- ragged series: sorted by length and cut into buckets of ``batch_size`` neighbours,
  each padded once to its own longest series; each epoch shuffles the bucket order.
  Padding invariance makes bucketing safe — a series' output does not depend on its
  batch — and it keeps the padding (wasted LSTM steps) small.

From disk (:class:`StreamBatches`), series are read chunk by chunk with
:func:`wavelens.io.iter_chunks`, standardised, split into training / validation by a
seeded draw per series, passed through a seeded shuffle buffer and batched by length,
so data larger than memory trains with bounded memory.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np
import torch

__all__ = ["TensorBatches", "StreamBatches", "pad_batch"]


def pad_batch(series: list[np.ndarray], y: np.ndarray | None = None) -> dict:
    """Right-zero-pad ``(C, L_i)`` float32 arrays into a batch dict (``x``, ``lengths``, ``y``)."""
    if series[0].ndim == 3:  # images (C, H, W): all the same shape
        batch = {"x": torch.from_numpy(np.stack(series).astype(np.float32, copy=False))}
        if y is not None:
            batch["y"] = torch.as_tensor(np.asarray(y), dtype=torch.int64)
        return batch
    lengths = np.array([s.shape[-1] for s in series], dtype=np.int64)
    out = np.zeros((len(series), series[0].shape[0], int(lengths.max())), dtype=np.float32)
    for i, s in enumerate(series):
        out[i, :, : s.shape[-1]] = s
    batch = {"x": torch.from_numpy(out), "lengths": torch.from_numpy(lengths)}
    if y is not None:
        batch["y"] = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    return batch


class TensorBatches:
    """Precomputed batches of an in-memory collection; call with an epoch for its batches.

    Parameters
    ----------
    data : ndarray of float32, shape (N, C, T) or (N, C, H, W), or list of (C, L_i) arrays
        Prepared (standardised) inputs.
    batch_size : int
    y : ndarray of int64, shape (N,), optional
        Class indices.
    shuffle : bool, default=False
        Shuffle every epoch (seeded by ``(seed, epoch)``).
    seed : int, default=0
    """

    def __init__(self, data: Any, batch_size: int, *, y: np.ndarray | None = None, shuffle: bool = False,
                 seed: int = 0) -> None:
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = int(seed)
        self.y = None if y is None else torch.as_tensor(np.asarray(y), dtype=torch.int64)
        if isinstance(data, np.ndarray):
            self.n = data.shape[0]
            self.x = torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32))
            self.buckets = None
        else:
            self.n = len(data)
            lengths = np.array([s.shape[-1] for s in data], dtype=np.int64)
            order = np.argsort(lengths, kind="stable")
            self.buckets = []
            for start in range(0, self.n, self.batch_size):
                idx = order[start : start + self.batch_size]
                yb = None if y is None else np.asarray(y)[idx]
                self.buckets.append((idx, pad_batch([data[i] for i in idx], yb)))

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def _order(self, epoch: int, n: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, int(epoch)]).permutation(n)

    def indexed(self, epoch: int = 0) -> Iterator[tuple[np.ndarray, dict]]:
        """``(original indices, batch)`` pairs of one epoch."""
        if self.buckets is not None:
            for k in self._order(epoch, len(self.buckets)):
                yield self.buckets[k]
            return
        order = self._order(epoch, self.n)
        for start in range(0, self.n, self.batch_size):
            if self.shuffle:
                idx = order[start : start + self.batch_size]
                t = torch.from_numpy(idx)
                batch = {"x": self.x.index_select(0, t)}
                if self.y is not None:
                    batch["y"] = self.y.index_select(0, t)
            else:
                idx = np.arange(start, min(start + self.batch_size, self.n))
                batch = {"x": self.x[start : start + self.batch_size]}
                if self.y is not None:
                    batch["y"] = self.y[start : start + self.batch_size]
            yield idx, batch

    def __call__(self, epoch: int = 0) -> "_EpochView":
        return _EpochView(self, epoch)


class _EpochView:
    """The batches of one epoch: iterable, with a length (for the progress bar)."""

    def __init__(self, owner: TensorBatches, epoch: int) -> None:
        self.owner, self.epoch = owner, epoch

    def __len__(self) -> int:
        return len(self.owner)

    def __iter__(self) -> Iterator[dict]:
        for _, batch in self.owner.indexed(self.epoch):
            yield batch


class StreamBatches(torch.utils.data.IterableDataset):
    """Batches streamed from disk through a seeded shuffle buffer (data larger than memory).

    Parameters
    ----------
    chunks : callable
        ``chunks()`` yields SignalSets (e.g. ``lambda: iter_chunks(path)``), the same
        series in the same order every call.
    prepare : callable
        ``prepare(signal_set, chunk_index) -> (list of (C, L_i) float32 arrays, labels or None)``:
        checks and standardises a chunk.
    batch_size : int
    part : {"train", "val", "all"}
        Which series to yield: a seeded draw per series (by chunk and position) puts
        ``validation_fraction`` of them in ``"val"``.
    validation_fraction : float
    buffer_size : int, default=2048
        Series held in the shuffle buffer (``"train"`` only; the others keep file order).
    seed : int, default=0

    Notes
    -----
    Emitted series are grouped 8 batches at a time, sorted by length inside the group
    and cut into batches, so ragged batches carry little padding.
    """

    def __init__(self, chunks: Callable[[], Any], prepare: Callable[[Any, int], tuple], batch_size: int, *,
                 part: str = "train", validation_fraction: float = 0.0, buffer_size: int = 2048,
                 seed: int = 0) -> None:
        super().__init__()
        self.chunks, self.prepare = chunks, prepare
        self.batch_size, self.part = int(batch_size), part
        self.validation_fraction = float(validation_fraction)
        self.buffer_size, self.seed = max(1, int(buffer_size)), int(seed)
        self.epoch = 1

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __call__(self, epoch: int) -> "StreamBatches":
        self.set_epoch(epoch)
        return self

    def _series(self) -> Iterator[tuple[np.ndarray, Any]]:
        for k, chunk in enumerate(self.chunks()):
            arrays, labels = self.prepare(chunk, k)
            if self.part != "all":
                is_val = np.random.default_rng([self.seed, 7919, k]).random(len(arrays)) < self.validation_fraction
                keep = is_val if self.part == "val" else ~is_val
            else:
                keep = np.ones(len(arrays), dtype=bool)
            for i in np.flatnonzero(keep):
                yield arrays[i], (None if labels is None else labels[i])

    def _shuffled(self, rng: np.random.Generator) -> Iterator[tuple[np.ndarray, Any]]:
        buffer: list = []
        for item in self._series():
            if len(buffer) < self.buffer_size:
                buffer.append(item)
                continue
            j = int(rng.integers(len(buffer)))
            yield buffer[j]
            buffer[j] = item
        for j in rng.permutation(len(buffer)):
            yield buffer[j]

    def __iter__(self) -> Iterator[dict]:
        rng = np.random.default_rng([self.seed, self.epoch])
        source = self._shuffled(rng) if self.part == "train" else self._series()
        group: list = []
        group_size = 8 * self.batch_size
        for item in source:
            group.append(item)
            if len(group) == group_size:
                yield from self._batches(group, rng)
                group = []
        if group:
            yield from self._batches(group, rng)

    def _batches(self, group: list, rng: np.random.Generator) -> Iterator[dict]:
        group.sort(key=lambda it: it[0].shape[-1])
        starts = list(range(0, len(group), self.batch_size))
        if self.part == "train":
            starts = [starts[i] for i in rng.permutation(len(starts))]
        for s in starts:
            items = group[s : s + self.batch_size]
            labels = None if items[0][1] is None else np.array([it[1] for it in items])
            yield pad_batch([it[0] for it in items], labels)
