"""PyTorch networks on 2-D inputs (spectrograms, line-plot images): a convolutional VAE and
a 2-D CNN classifier. Batches as in :mod:`._networks1d`, with ``x`` ``(B, C, H, W)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ..exceptions import ValidationError
from ._layers import check_kernel
from ._networks1d import Network, int_list, positive_int

__all__ = ["ConvVAE", "CNN2dClassifierNet"]


def _shape(in_shape: Any, caller: str) -> list[int]:
    shape = int_list(in_shape, "in_shape", caller, n=3)
    return shape


def _halvings(h: int, w: int, n: int) -> list[tuple[int, int]]:
    """Sizes after each of ``n`` stride-2 'same' convolutions: ``ceil(size / 2)`` per level."""
    sizes = [(h, w)]
    for _ in range(n):
        ph, pw = sizes[-1]
        sizes.append((-(-ph // 2), -(-pw // 2)))
    return sizes


class ConvVAE(Network):
    """Convolutional variational autoencoder on images of any size (13 × 18 to 513 × 121).

    Encoder: stride-2 Conv2d layers (ReLU), flatten, Linear to ``dense`` (ReLU), then two
    Linear heads for the latent mean and log-variance. Decoder: Linear to ``dense``
    (ReLU), Linear to the last conv's feature map (ReLU), then per level a nearest
    upsampling to the encoder's size at that level and a Conv2d (ReLU between, the last
    one linear), so the output has the input's exact size. Training samples
    ``z = mean + exp(logvar / 2) * eps``; evaluation uses the mean.

    Loss (per image, averaged over the batch): squared error summed over the image
    (the mean squared error times the input size) + ``beta`` × KL divergence of
    N(mean, exp(logvar)) from N(0, I).

    Parameters
    ----------
    in_shape : (int, int, int)
        ``(C, H, W)``.
    filters : sequence of int, default=(32, 64, 128)
    kernel_size : int, default=3
        Odd.
    dense : int, default=16
    latent_dim : int, default=3
    beta : float, default=1.0
        Weight of the KL term, >= 0.

    Examples
    --------
    >>> import torch
    >>> vae = ConvVAE((1, 13, 18), filters=(4, 8, 8))
    >>> b = {"x": torch.zeros(2, 1, 13, 18)}
    >>> vae.encode(b).shape, vae.reconstruct(b).shape
    (torch.Size([2, 3]), torch.Size([2, 1, 13, 18]))
    """

    name = "conv-vae"
    dims = 2

    def __init__(self, in_shape: Sequence[int], filters: Sequence[int] = (32, 64, 128), kernel_size: int = 3,
                 dense: int = 16, latent_dim: int = 3, beta: float = 1.0) -> None:
        super().__init__()
        caller = "ConvVAE"
        in_shape = _shape(in_shape, caller)
        filters = int_list(filters, "filters", caller)
        kernel_size = check_kernel(kernel_size, caller)
        dense = positive_int(dense, "dense", caller)
        latent_dim = positive_int(latent_dim, "latent_dim", caller)
        if not float(beta) >= 0.0:
            raise ValidationError(f"{caller}: beta must be a number >= 0, found {beta!r}.")
        self._store(in_shape=in_shape, filters=filters, kernel_size=kernel_size, dense=dense,
                    latent_dim=latent_dim, beta=float(beta))
        self.n_latent = latent_dim
        c, h, w = in_shape
        self.sizes = _halvings(h, w, len(filters))
        pad = (kernel_size - 1) // 2
        chans = [c, *filters]
        self.encoder_convs = nn.ModuleList(
            nn.Conv2d(chans[i], chans[i + 1], kernel_size, stride=2, padding=pad) for i in range(len(filters))
        )
        hh, ww = self.sizes[-1]
        flat = filters[-1] * hh * ww
        self.encoder_dense = nn.Linear(flat, dense)
        self.to_mean = nn.Linear(dense, latent_dim)
        self.to_logvar = nn.Linear(dense, latent_dim)
        self.decoder_dense = nn.Linear(latent_dim, dense)
        self.decoder_unflat = nn.Linear(dense, flat)
        out = [*filters[::-1], c]
        self.decoder_convs = nn.ModuleList(
            nn.Conv2d(out[i], out[i + 1], kernel_size, padding=pad) for i in range(len(filters))
        )

    def _check(self, x: torch.Tensor) -> None:
        if list(x.shape[1:]) != self.config["in_shape"]:
            raise ValidationError(
                f"ConvVAE was built for inputs of shape (C, H, W) = {tuple(self.config['in_shape'])!r}, but the "
                f"batch has shape {tuple(x.shape[1:])!r}. Use the representation the model was trained with."
            )

    def posterior(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent mean and log-variance, each ``(B, latent_dim)``."""
        x = batch["x"]
        self._check(x)
        for conv in self.encoder_convs:
            x = F.relu(conv(x))
        h = F.relu(self.encoder_dense(x.flatten(1)))
        return self.to_mean(h), self.to_logvar(h)

    def encode(self, batch: dict) -> torch.Tensor:
        """Embeddings: the latent means ``(B, latent_dim)``."""
        return self.posterior(batch)[0]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images ``(B, C, H, W)`` from latent vectors ``(B, latent_dim)``."""
        hh, ww = self.sizes[-1]
        h = F.relu(self.decoder_unflat(F.relu(self.decoder_dense(z))))
        h = h.reshape(z.shape[0], self.config["filters"][-1], hh, ww)
        last = len(self.decoder_convs) - 1
        for j, conv in enumerate(self.decoder_convs):
            h = F.interpolate(h, size=self.sizes[last - j], mode="nearest")
            h = conv(h)
            if j < last:
                h = F.relu(h)
        return h

    def forward(self, batch: dict) -> torch.Tensor:
        """Reconstruction from the latent mean, ``(B, C, H, W)``."""
        return self.decode(self.encode(batch))

    reconstruct = forward

    @staticmethod
    def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """KL(N(mean, exp(logvar)) || N(0, I)) per sample, ``(B,)``; zero at the prior."""
        return -0.5 * (1.0 + logvar - mean.pow(2) - logvar.exp()).sum(dim=1)

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict]:
        """Summed squared error per image + ``beta`` × KL, averaged over the batch."""
        x = batch["x"]
        mean, logvar = self.posterior(batch)
        if self.training:
            z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        else:
            z = mean
        recon = F.mse_loss(self.decode(z), x) * x[0].numel()
        kl = self.kl_divergence(mean, logvar).mean()
        total = recon + self.config["beta"] * kl
        return total, {"reconstruction": recon.detach(), "kl": kl.detach()}


class CNN2dClassifierNet(Network):
    """2-D CNN classifier on images (line-plot rasters, spectrograms).

    Stride-2 Conv2d layers with ReLU, global average pooling, dropout, Linear to logits.

    Parameters
    ----------
    in_shape : (int, int, int)
        ``(C, H, W)``.
    n_classes : int
    filters : sequence of int, default=(16, 32, 64)
    kernel_size : int, default=3
    dropout : float, default=0.1

    Examples
    --------
    >>> import torch
    >>> CNN2dClassifierNet((1, 32, 32), 4)({"x": torch.zeros(2, 1, 32, 32)}).shape
    torch.Size([2, 4])
    """

    name = "cnn2d"
    dims = 2
    role = "classifier"

    def __init__(self, in_shape: Sequence[int], n_classes: int, filters: Sequence[int] = (16, 32, 64),
                 kernel_size: int = 3, dropout: float = 0.1) -> None:
        super().__init__()
        caller = "CNN2dClassifierNet"
        in_shape = _shape(in_shape, caller)
        n_classes = positive_int(n_classes, "n_classes", caller)
        filters = int_list(filters, "filters", caller)
        kernel_size = check_kernel(kernel_size, caller)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValidationError(f"{caller}: dropout must be in [0, 1), found {dropout!r}.")
        self._store(in_shape=in_shape, n_classes=n_classes, filters=filters, kernel_size=kernel_size,
                    dropout=float(dropout))
        chans = [in_shape[0], *filters]
        pad = (kernel_size - 1) // 2
        self.convs = nn.ModuleList(
            nn.Conv2d(chans[i], chans[i + 1], kernel_size, stride=2, padding=pad) for i in range(len(filters))
        )
        self.dropout = nn.Dropout(float(dropout))
        self.head = nn.Linear(filters[-1], n_classes)

    def forward(self, batch: dict) -> torch.Tensor:
        """Class logits ``(B, n_classes)``."""
        x = batch["x"]
        if list(x.shape[1:]) != self.config["in_shape"]:
            raise ValidationError(
                f"CNN2dClassifierNet was built for inputs of shape {tuple(self.config['in_shape'])!r}, but the "
                f"batch has shape {tuple(x.shape[1:])!r}."
            )
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.head(self.dropout(x.mean(dim=(2, 3))))

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict]:
        """Cross-entropy of the logits against ``batch["y"]``."""
        ce = F.cross_entropy(self.forward(batch), batch["y"])
        return ce, {"cross_entropy": ce.detach()}
