"""PyTorch networks on 1-D series: the Conv1d + LSTM autoencoder (ragged), a fixed-length
convolutional autoencoder and a 1-D CNN classifier (ragged).

Every network takes a *batch*, a dict of tensors:

``x``
    float32 ``(B, C, T)``, each series right-padded with zeros to the batch's longest.
``lengths``
    int64 ``(B,)`` valid samples per series, on the CPU (may be omitted when every series
    fills the batch).
``y``
    int64 ``(B,)`` class indices (classifiers).

and exposes ``loss(batch) -> (scalar tensor, dict of detached 0-d tensors)``; the
autoencoders also ``encode``, ``reconstruct`` and ``series_error``. Constructor
arguments are JSON-serialisable and kept in ``self.config`` so a saved model can be
rebuilt from its ``config.json``.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

from ..exceptions import ValidationError
from ._layers import MaskedConvStack, UpsampleConvStack, check_kernel, masked_mse_per_series, strided_lengths, time_mask
from ._spec import conv_min_length

__all__ = ["Network", "positive_int", "int_list", "ConvLSTMAutoencoder", "ConvAutoencoder", "CNN1dClassifierNet",
           "conv_ae_defaults", "distance_mismatch"]


def int_list(value: Any, name: str, caller: str, *, n: int | None = None, minimum: int = 1) -> list[int]:
    try:
        out = [int(v) for v in value]
    except TypeError:
        raise ValidationError(f"{caller}: {name} must be a sequence of integers, found {value!r}.") from None
    if not out or any(v < minimum for v in out) or (n is not None and len(out) != n):
        need = f"{n} " if n is not None else ""
        raise ValidationError(f"{caller}: {name} must be {need}integers >= {minimum}, found {value!r}.")
    return out


def positive_int(value: Any, name: str, caller: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise ValidationError(f"{caller}: {name} must be an integer >= 1, found {value!r}.")
    return int(value)


class Network(nn.Module):
    """Base of the wavelens networks: JSON config, batch access, registry name.

    Attributes
    ----------
    name : str
        Registry name (``NETWORKS[name] is type(self)``).
    dims : int
        1 (series) or 2 (images).
    ragged : bool
        Accepts batches of unequal lengths.
    role : str
        ``"autoencoder"`` or ``"classifier"``.
    config : dict
        The constructor arguments (lists for tuples), enough to rebuild the network.
    """

    name = ""
    dims = 1
    ragged = False
    role = "autoencoder"

    def _store(self, **config: Any) -> None:
        self.config = {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}

    @property
    def min_length(self) -> int:
        """Shortest series accepted (1-D networks)."""
        return 1

    @staticmethod
    def _lengths(batch: dict, x: torch.Tensor) -> tuple[torch.Tensor, bool]:
        """CPU lengths and whether every series fills the batch (then masks are skipped)."""
        lengths = batch.get("lengths")
        if lengths is None:
            return torch.full((x.shape[0],), x.shape[-1], dtype=torch.int64), True
        lengths = lengths.cpu() if lengths.device.type != "cpu" else lengths
        return lengths, bool(int(lengths.min()) == x.shape[-1])

    def series_error(self, batch: dict) -> torch.Tensor:
        """Mean squared reconstruction error of each series over its valid samples, ``(B,)``."""
        x = batch["x"]
        lengths, full = self._lengths(batch, x)
        return masked_mse_per_series(self.reconstruct(batch), x, None if full else lengths)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config.items())


class ConvLSTMAutoencoder(Network):
    """Conv1d + LSTM autoencoder for multichannel series of any (and unequal) length.

    Encoder: ``len(conv_channels)`` Conv1d layers (ReLU between them; strided to shorten
    the sequence), then an LSTM over the shortened sequence; the embedding is the final
    hidden state of every LSTM layer, flattened (``num_layers * hidden_size`` numbers).
    Decoder: the embedding repeated over the shortened length (and as the initial hidden
    state), beside ``2 * time_features`` sines and cosines of the step's position in its
    series → LSTM → Linear → Conv1d layers mirroring the encoder (nearest upsampling by
    each stride, cropped to the encoder's length at that level) back to ``n_channels``;
    the output has the input's length exactly.

    Why the time features: fed only the same embedding at every step, the decoder LSTM
    has to count steps to know where in the series it is; over the hundreds of steps of
    a long series it does not learn to, and the reconstruction collapses to the mean
    (training loss ≈ 1.0 on standardised 4,096-sample seismograms for 40 epochs). With
    the position given (relative to each series' own length, so padding changes
    nothing) the same network learns from the first epochs.

    Ragged batches are packed for the encoder LSTM and masked after every convolution,
    so a series' embedding and reconstruction do not depend on the other series of its
    batch.

    Parameters
    ----------
    n_channels : int
        Input channels.
    conv_channels : sequence of int, default=(32, 64, 64)
    kernel_size : int, default=7
        Odd.
    strides : sequence of int, default=(2, 2, 2)
        One per conv layer. The default shortens the sequence 8× before the LSTM,
        which is where the time goes on long series (an LSTM steps through every
        sample); ``(1, 1, 1)`` is the unstrided network of the original study.
    hidden_size : int, default=64
    num_layers : int, default=2
    time_features : int, default=16
        Frequencies of the decoder's position features (``sin(k * pi * t / L)`` and
        ``cos(...)`` for ``k = 1..time_features``, ``t`` the step and ``L`` the series'
        length at that level); 0 gives the decoder the embedding alone.

    Attributes
    ----------
    n_latent : int
        ``num_layers * hidden_size``.
    min_length : int
        Receptive field of the conv stack (and at least the product of the strides);
        shorter series are refused.

    Examples
    --------
    >>> import torch
    >>> net = ConvLSTMAutoencoder(2, conv_channels=(8, 8, 8), hidden_size=4, num_layers=1)
    >>> batch = {"x": torch.zeros(3, 2, 100), "lengths": torch.tensor([100, 60, 50])}
    >>> net.encode(batch).shape, net.reconstruct(batch).shape
    (torch.Size([3, 4]), torch.Size([3, 2, 100]))
    """

    name = "convlstm-ae"
    ragged = True

    def __init__(self, n_channels: int, conv_channels: Sequence[int] = (32, 64, 64), kernel_size: int = 7,
                 strides: Sequence[int] = (2, 2, 2), hidden_size: int = 64, num_layers: int = 2,
                 time_features: int = 16) -> None:
        super().__init__()
        caller = "ConvLSTMAutoencoder"
        n_channels = positive_int(n_channels, "n_channels", caller)
        conv_channels = int_list(conv_channels, "conv_channels", caller)
        strides = int_list(strides, "strides", caller, n=len(conv_channels))
        kernel_size = check_kernel(kernel_size, caller)
        hidden_size = positive_int(hidden_size, "hidden_size", caller)
        num_layers = positive_int(num_layers, "num_layers", caller)
        time_features = int(time_features)
        if time_features < 0:
            raise ValidationError(f"{caller}: time_features must be an integer >= 0, found {time_features!r}.")
        self._store(n_channels=n_channels, conv_channels=conv_channels, kernel_size=kernel_size,
                    strides=strides, hidden_size=hidden_size, num_layers=num_layers, time_features=time_features)
        self.strides = strides
        self.n_latent = num_layers * hidden_size
        self.encoder_convs = MaskedConvStack(n_channels, conv_channels, kernel_size, strides)
        self.encoder_lstm = nn.LSTM(conv_channels[-1], hidden_size, num_layers, batch_first=True)
        self.decoder_lstm = nn.LSTM(self.n_latent + 2 * time_features, hidden_size, num_layers, batch_first=True)
        self.decoder_linear = nn.Linear(hidden_size, conv_channels[-1])
        self.decoder_convs = UpsampleConvStack(conv_channels[::-1], n_channels, kernel_size, strides)

    @property
    def min_length(self) -> int:
        return conv_min_length(self.config["kernel_size"], self.strides)

    def _encode(self, batch: dict) -> tuple[torch.Tensor, list[torch.Tensor], list[int], bool]:
        x = batch["x"]
        lengths, full = self._lengths(batch, x)
        level_lengths, level_times = [lengths], [x.shape[-1]]
        for s in self.strides[:-1]:
            level_lengths.append(strided_lengths(level_lengths[-1], s))
            level_times.append(-(-level_times[-1] // s))
        h, short = self.encoder_convs(x, lengths, full)
        seq = h.transpose(1, 2)  # (B, T', C') for the LSTM
        if full:
            _, (hn, _) = self.encoder_lstm(seq)
        else:
            packed = pack_padded_sequence(seq, short, batch_first=True, enforce_sorted=False)
            _, (hn, _) = self.encoder_lstm(packed)
        z = hn.transpose(0, 1).reshape(x.shape[0], -1)  # (B, num_layers * hidden)
        level_lengths.append(short)
        level_times.append(h.shape[-1])
        return z, level_lengths, level_times, full

    def encode(self, batch: dict) -> torch.Tensor:
        """Embeddings ``(B, num_layers * hidden_size)``."""
        return self._encode(batch)[0]

    def _decode(self, z: torch.Tensor, level_lengths: list, level_times: list, full: bool) -> torch.Tensor:
        n_short = level_times[-1]
        hidden = self.config["hidden_size"]
        h0 = z.reshape(z.shape[0], self.config["num_layers"], hidden).transpose(0, 1).contiguous()
        # A forward LSTM's output at step t depends only on steps <= t, all valid here
        # (the same repeated embedding), so the decoder needs no packing.
        inp = z[:, None, :].expand(-1, n_short, -1)
        n_feat = self.config.get("time_features", 0)
        if n_feat:
            # where the decoder is in its series: sin/cos of the position relative to the series' own
            # (shortened) length, so padding changes nothing
            short = level_lengths[-1].to(z.device).to(z.dtype)
            rel = torch.arange(n_short, device=z.device, dtype=z.dtype)[None, :] / short[:, None]  # (B, T')
            freq = torch.arange(1, n_feat + 1, device=z.device, dtype=z.dtype) * torch.pi
            ang = rel[:, :, None] * freq
            inp = torch.cat([inp, torch.sin(ang), torch.cos(ang)], dim=-1)
        out, _ = self.decoder_lstm(inp, (h0, torch.zeros_like(h0)))
        h = self.decoder_linear(out).transpose(1, 2)
        return self.decoder_convs(h, level_lengths[:-1], level_times[:-1], full)

    def forward(self, batch: dict) -> torch.Tensor:
        """Reconstruction ``(B, C, T)``, zero beyond each series' length."""
        return self._decode(*self._encode(batch))

    reconstruct = forward

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict]:
        """Mean squared error over the valid samples of the batch (padding ignored)."""
        x = batch["x"]
        lengths, full = self._lengths(batch, x)
        recon = self.forward(batch)
        if full:
            mse = F.mse_loss(recon, x)
        else:
            mask = time_mask(lengths, x.shape[-1], x.device, x.dtype)
            mse = ((recon - x).pow(2) * mask).sum() / (lengths.sum().item() * x.shape[1])
        return mse, {"mse": mse.detach()}


class ConvAutoencoder(Network):
    """Convolutional autoencoder for fixed-length multichannel series.

    Encoder: one stride-2 Conv1d per entry of ``filters`` (ReLU after each), flatten,
    Linear to ``latent_dim`` (no activation: the embedding is linear in the last conv
    features, which keeps distances meaningful). Decoder: Linear → ReLU → reshape →
    (nearest upsampling ×2, cropped to the encoder's length, Conv1d) per level, the last
    one linear, back to ``(n_channels, n_times)``.

    The loss is the reconstruction's mean squared error plus, with ``distance_weight``,
    a label-free *distance-preserving* term: the mean squared difference, over the pairs
    of series in the batch, between their distance in the embedding and their distance
    in the input (both as root-mean-square per coordinate, so the two scales agree).
    It keeps the embedding's neighbourhoods those of the series, which is what a
    nearest-neighbour search or a clustering of the embeddings relies on. ``noise``
    adds Gaussian noise to the encoder's input while training (a denoising
    autoencoder); the targets and the distances stay those of the clean series.

    Parameters
    ----------
    n_channels : int
    n_times : int
        Length of every series (any length >= 1: the dense layer sees every sample).
    filters : sequence of int, optional
        Output channels of each stride-2 layer. Default from the length: ``(16, 32)``
        for up to 64 samples, ``(16, 32, 64)`` above (the deepest level keeps at least
        a handful of samples).
    kernel_size : int, optional
        Odd. Default 5 for up to 256 samples, 7 above.
    latent_dim : int, optional
        Embedding size. Default ``clip(n_channels * n_times // 2, 16, 64)`` rounded to a
        multiple of 8: half the input size, at least 16, at most 64.
    distance_weight : float, default=0.5
        Weight of the distance-preserving term (0 turns it off).
    noise : float, default=0.0
        Standard deviation of the input noise while training, in the (standardised)
        input's units.

    Examples
    --------
    >>> import torch
    >>> net = ConvAutoencoder(3, 150, filters=(4, 8), latent_dim=5)
    >>> net.reconstruct({"x": torch.zeros(2, 3, 150)}).shape
    torch.Size([2, 3, 150])
    >>> ConvAutoencoder(1, 24).config["filters"], ConvAutoencoder(1, 24).n_latent
    ([16, 32], 16)
    """

    name = "conv-ae"

    def __init__(self, n_channels: int, n_times: int, filters: Sequence[int] | None = None,
                 kernel_size: int | None = None, latent_dim: int | None = None, distance_weight: float = 0.5,
                 noise: float = 0.0) -> None:
        super().__init__()
        caller = "ConvAutoencoder"
        n_channels = positive_int(n_channels, "n_channels", caller)
        n_times = positive_int(n_times, "n_times", caller)
        auto = conv_ae_defaults(n_channels, n_times)
        filters = int_list(auto["filters"] if filters is None else filters, "filters", caller)
        kernel_size = check_kernel(auto["kernel_size"] if kernel_size is None else kernel_size, caller)
        latent_dim = positive_int(auto["latent_dim"] if latent_dim is None else latent_dim, "latent_dim", caller)
        distance_weight = _non_negative(distance_weight, "distance_weight", caller)
        noise = _non_negative(noise, "noise", caller)
        self._store(n_channels=n_channels, n_times=n_times, filters=filters, kernel_size=kernel_size,
                    latent_dim=latent_dim, distance_weight=distance_weight, noise=noise)
        self.n_latent = latent_dim
        strides = [2] * len(filters)
        self.strides = strides
        self.level_times = [n_times]
        for s in strides:
            self.level_times.append(-(-self.level_times[-1] // s))
        flat = filters[-1] * self.level_times[-1]
        self.encoder_convs = MaskedConvStack(n_channels, filters, kernel_size, strides, relu_last=True)
        self.to_latent = nn.Linear(flat, latent_dim)
        self.from_latent = nn.Linear(latent_dim, flat)
        self.decoder_convs = UpsampleConvStack(filters[::-1], n_channels, kernel_size, strides)

    @property
    def min_length(self) -> int:
        return 1  # the dense layer sees every sample: any n_times works (ItalyPowerDemand has 24)

    def _check(self, x: torch.Tensor) -> None:
        if x.shape[-1] != self.config["n_times"] or x.shape[1] != self.config["n_channels"]:
            raise ValidationError(
                f"ConvAutoencoder was built for series of shape (n_channels={self.config['n_channels']}, "
                f"n_times={self.config['n_times']}), but the batch has shape {tuple(x.shape[1:])!r}. Cut or pad "
                "the series to that length (or use the ragged 'convlstm-ae')."
            )

    def _encode_x(self, x: torch.Tensor) -> torch.Tensor:
        lengths = torch.full((x.shape[0],), x.shape[-1], dtype=torch.int64)
        h, _ = self.encoder_convs(x, lengths, True)
        return self.to_latent(h.flatten(1))

    def encode(self, batch: dict) -> torch.Tensor:
        """Embeddings ``(B, latent_dim)``."""
        x = batch["x"]
        self._check(x)
        return self._encode_x(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Series ``(B, n_channels, n_times)`` from embeddings ``(B, latent_dim)``."""
        h = F.relu(self.from_latent(z)).reshape(z.shape[0], self.config["filters"][-1], self.level_times[-1])
        return self.decoder_convs(h, [None] * len(self.strides), self.level_times[:-1], True)

    def forward(self, batch: dict) -> torch.Tensor:
        return self.decode(self.encode(batch))

    reconstruct = forward

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict]:
        """Mean squared error of the reconstruction (+ the weighted distance term).

        Parts: ``mse`` and, with ``distance_weight > 0``, ``distance`` (unweighted).
        """
        x = batch["x"]
        self._check(x)
        noise = self.config.get("noise", 0.0)
        x_in = x + noise * torch.randn_like(x) if self.training and noise > 0 else x
        z = self._encode_x(x_in)
        mse = F.mse_loss(self.decode(z), x)
        parts = {"mse": mse.detach()}
        weight = self.config.get("distance_weight", 0.0)
        if weight > 0 and x.shape[0] > 1:
            dist = distance_mismatch(x.flatten(1), z)
            parts["distance"] = dist.detach()
            return mse + weight * dist, parts
        return mse, parts


def conv_ae_defaults(n_channels: int, n_times: int) -> dict:
    """The :class:`ConvAutoencoder` settings chosen from the input size (see its parameters)."""
    size = n_channels * n_times
    return {
        "filters": [16, 32] if n_times <= 64 else [16, 32, 64],
        "kernel_size": 5 if n_times <= 256 else 7,
        "latent_dim": int(min(64, max(16, (size // 2) // 8 * 8))),
    }


def _non_negative(value: Any, name: str, caller: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if isinstance(value, bool) or not v >= 0 or v == float("inf"):
        raise ValidationError(f"{caller}: {name} must be a finite number >= 0, found {value!r}.")
    return v


def _pairwise_rms(a: torch.Tensor) -> torch.Tensor:
    """Distances between the rows of ``a`` ``(B, D)`` divided by ``sqrt(D)``, upper triangle ``(B*(B-1)/2,)``."""
    sq = (a * a).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2.0 * (a @ a.T)).clamp_min(0.0)
    i, j = torch.triu_indices(a.shape[0], a.shape[0], offset=1, device=a.device)
    # the small floor keeps the gradient of sqrt finite for identical rows
    return torch.sqrt(d2[i, j] / a.shape[1] + 1e-8)


def distance_mismatch(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the pairwise RMS distances of inputs ``(B, D)`` and embeddings ``(B, d)``.

    Label-free: it asks the embedding to keep the geometry of the (standardised) inputs.
    The input distances are constants (no gradient flows into the data).
    """
    with torch.no_grad():
        target = _pairwise_rms(x.float())
    return (_pairwise_rms(z.float()) - target).pow(2).mean()


class CNN1dClassifierNet(Network):
    """1-D CNN classifier on raw series of any (and unequal) length.

    Padding-safe strided Conv1d layers with ReLU, then the mean and the maximum of every
    channel over each series' valid samples (2 × ``filters[-1]`` numbers), dropout, and a
    Linear layer to the class logits.

    Parameters
    ----------
    n_channels : int
    n_classes : int
        >= 2.
    filters : sequence of int, default=(32, 64, 64)
    kernel_size : int, default=7
        Odd.
    strides : sequence of int, optional
        One per layer; default 2 for every layer.
    dropout : float, default=0.1

    Examples
    --------
    >>> import torch
    >>> net = CNN1dClassifierNet(1, 3, filters=(4, 4), strides=(2, 2))
    >>> net({"x": torch.zeros(5, 1, 64)}).shape
    torch.Size([5, 3])
    """

    name = "cnn1d"
    ragged = True
    role = "classifier"

    def __init__(self, n_channels: int, n_classes: int, filters: Sequence[int] = (32, 64, 64), kernel_size: int = 7,
                 strides: Sequence[int] | None = None, dropout: float = 0.1) -> None:
        super().__init__()
        caller = "CNN1dClassifierNet"
        n_channels = positive_int(n_channels, "n_channels", caller)
        n_classes = positive_int(n_classes, "n_classes", caller)
        filters = int_list(filters, "filters", caller)
        strides = int_list((2,) * len(filters) if strides is None else strides, "strides", caller, n=len(filters))
        kernel_size = check_kernel(kernel_size, caller)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValidationError(f"{caller}: dropout must be in [0, 1), found {dropout!r}.")
        self._store(n_channels=n_channels, n_classes=n_classes, filters=filters, kernel_size=kernel_size,
                    strides=strides, dropout=float(dropout))
        self.strides = strides
        self.convs = MaskedConvStack(n_channels, filters, kernel_size, strides, relu_last=True)
        self.dropout = nn.Dropout(float(dropout))
        self.head = nn.Linear(2 * filters[-1], n_classes)

    @property
    def min_length(self) -> int:
        return conv_min_length(self.config["kernel_size"], self.strides)

    def forward(self, batch: dict) -> torch.Tensor:
        """Class logits ``(B, n_classes)``."""
        x = batch["x"]
        lengths, full = self._lengths(batch, x)
        h, short = self.convs(x, lengths, full)
        if full:
            mean, top = h.mean(dim=-1), h.amax(dim=-1)
        else:
            # after ReLU every value is >= 0 and the padding is 0, so the max ignores it
            mean = h.sum(dim=-1) / short.to(h.device).to(h.dtype)[:, None]
            top = h.amax(dim=-1)
        return self.head(self.dropout(torch.cat([mean, top], dim=1)))

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict]:
        """Cross-entropy of the logits against ``batch["y"]``."""
        ce = F.cross_entropy(self.forward(batch), batch["y"])
        return ce, {"cross_entropy": ce.detach()}

