"""The networks by name (imports torch)."""

from __future__ import annotations

from typing import Any

from ..exceptions import ValidationError
from ._networks1d import CNN1dClassifierNet, ConvAutoencoder, ConvLSTMAutoencoder, Network
from ._networks2d import CNN2dClassifierNet, ConvVAE

__all__ = ["NETWORKS", "build_network"]

NETWORKS: dict[str, type[Network]] = {
    cls.name: cls for cls in (ConvLSTMAutoencoder, ConvVAE, ConvAutoencoder, CNN1dClassifierNet, CNN2dClassifierNet)
}


def build_network(name: str, config: dict[str, Any], *, caller: str = "model") -> Network:
    """Instantiate network ``name`` from its JSON config, with clear errors for bad parameters.

    Raises
    ------
    ValidationError
        Unknown name (lists the valid ones) or an argument the network does not take.
    """
    cls = NETWORKS.get(name)
    if cls is None:
        raise ValidationError(f"{caller}: unknown network {name!r}; valid names: {sorted(NETWORKS)!r}.")
    try:
        return cls(**config)
    except TypeError as err:
        raise ValidationError(
            f"{caller}: network {name!r} ({cls.__name__}) does not accept these parameters: {err}. "
            f"See help(wavelens.models.{cls.__name__})."
        ) from err
