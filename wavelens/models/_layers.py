"""Padding-safe building blocks for ragged batches of series.

A ragged batch is a right-zero-padded tensor ``(B, C, T)`` plus ``lengths`` ``(B,)``.
For a series' output not to depend on its neighbours, nothing computed from the padded
region may leak back into the valid one. Every block here therefore

- pads its convolutions 'same'-style with ``(k - 1) // 2`` zeros (odd ``k``), so a
  stride-``s`` convolution maps a series of ``L`` samples to exactly ``ceil(L / s)``
  samples — the same count whether the series sits alone or in a padded batch;
- zeroes every position at or beyond a series' (new) length after each layer, so the
  padded region holds exactly the zeros that the convolution's own padding would hold
  for the series alone.

``lengths`` stay on the CPU (``pack_padded_sequence`` needs them there, and the
training loop never moves them), and a batch whose series all fill it (``full``) skips
the masks altogether.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ..exceptions import ValidationError

__all__ = ["strided_lengths", "time_mask", "MaskedConvStack", "UpsampleConvStack", "masked_mse_per_series"]


def strided_lengths(lengths: torch.Tensor, stride: int) -> torch.Tensor:
    """Lengths after a 'same'-padded convolution of stride ``stride``: ``ceil(L / stride)``."""
    return (lengths + (stride - 1)) // stride if stride > 1 else lengths


def time_mask(lengths: torch.Tensor, n_times: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """``(B, 1, n_times)`` mask: 1 on the valid samples of each series, 0 on the padding."""
    steps = torch.arange(n_times, device=device)
    return (steps[None, :] < lengths.to(device)[:, None]).to(dtype)[:, None, :]


def check_kernel(kernel_size: int, caller: str) -> int:
    k = int(kernel_size)
    if k < 1 or k % 2 == 0:
        raise ValidationError(
            f"{caller}: kernel_size must be an odd integer >= 1 (so the convolution is centred and "
            f"padding-safe), found {kernel_size!r}."
        )
    return k


class MaskedConvStack(nn.Module):
    """Conv1d layers (optionally strided) with ReLU between them, padding-safe.

    Parameters
    ----------
    in_channels : int
    channels : sequence of int
        Output channels of each layer.
    kernel_size : int
        Odd.
    strides : sequence of int
        One per layer.
    relu_last : bool
        Apply ReLU after the last layer too.
    """

    def __init__(self, in_channels: int, channels: Sequence[int], kernel_size: int, strides: Sequence[int],
                 relu_last: bool = False) -> None:
        super().__init__()
        k = check_kernel(kernel_size, type(self).__name__)
        sizes = [in_channels, *channels]
        self.strides = [int(s) for s in strides]
        self.convs = nn.ModuleList(
            nn.Conv1d(sizes[i], sizes[i + 1], k, stride=self.strides[i], padding=(k - 1) // 2)
            for i in range(len(channels))
        )
        self.relu_last = relu_last

    def forward(self, x: torch.Tensor, lengths: torch.Tensor, full: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``(B, C, T)`` → ``(B, channels[-1], ceil(T / prod(strides)))`` and the new lengths."""
        last = len(self.convs) - 1
        if not full:  # whatever the caller left in the padding must not reach the first conv
            x = x * time_mask(lengths, x.shape[-1], x.device, x.dtype)
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if i < last or self.relu_last:
                x = F.relu(x)
            lengths = strided_lengths(lengths, self.strides[i])
            if not full:
                x = x * time_mask(lengths, x.shape[-1], x.device, x.dtype)
        return x, lengths


class UpsampleConvStack(nn.Module):
    """The mirror of :class:`MaskedConvStack`: repeat each sample ``stride`` times, crop to
    the length the encoder had at that level, then a stride-1 Conv1d; ReLU between layers.

    Nearest-neighbour upsampling followed by a convolution reaches exactly the target
    length for every series of a ragged batch (a transposed convolution could not: its
    output length is fixed per batch), and it avoids checkerboard artefacts.
    """

    def __init__(self, channels: Sequence[int], out_channels: int, kernel_size: int, strides: Sequence[int]) -> None:
        super().__init__()
        k = check_kernel(kernel_size, type(self).__name__)
        sizes = [*channels, out_channels]
        self.strides = [int(s) for s in strides]
        self.convs = nn.ModuleList(
            nn.Conv1d(sizes[i], sizes[i + 1], k, padding=(k - 1) // 2) for i in range(len(channels))
        )

    def forward(self, x: torch.Tensor, level_lengths: Sequence[torch.Tensor], level_times: Sequence[int],
                full: bool) -> torch.Tensor:
        """Decode ``x`` ``(B, channels[0], T_n)`` back up the encoder's levels.

        ``level_lengths[i]`` / ``level_times[i]`` are the per-series lengths and the padded
        length of the encoder's input at layer ``i`` (level 0 = the network's input);
        the decoder visits them from the deepest up.
        """
        last = len(self.convs) - 1
        for j, conv in enumerate(self.convs):
            level = len(self.convs) - 1 - j
            s = self.strides[level]
            if s > 1:
                x = x.repeat_interleave(s, dim=-1)[..., : level_times[level]]
            if not full:
                x = x * time_mask(level_lengths[level], x.shape[-1], x.device, x.dtype)
            x = conv(x)
            if j < last:
                x = F.relu(x)
        if not full:
            x = x * time_mask(level_lengths[0], x.shape[-1], x.device, x.dtype)
        return x


def masked_mse_per_series(recon: torch.Tensor, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Mean squared error of each series over its valid samples and channels, ``(B,)``."""
    sq = (recon - x).pow(2)
    if lengths is None or recon.dim() != 3:
        return sq.flatten(1).mean(dim=1)
    mask = time_mask(lengths, x.shape[-1], x.device, x.dtype)
    n = lengths.to(x.device).to(x.dtype) * x.shape[1]
    return (sq * mask).flatten(1).sum(dim=1) / n
