"""Channel bookkeeping of fitted transformers: the names seen in fit, and the checks
that ``transform`` and ``get_feature_names_out`` get the channels fit saw.
"""

from __future__ import annotations

from typing import Sequence

from ..data import CollectionMeta
from ..exceptions import ValidationError

__all__: list[str] = []


def _channel_names(meta: CollectionMeta) -> list[str]:
    """A SignalSet's channel names, else ``"ch0", "ch1", ...``."""
    if meta.signal_set is not None:
        return list(meta.signal_set.channels)
    return [f"ch{c}" for c in range(meta.n_channels)]


def _check_fitted_channels(n_fitted: int, meta: CollectionMeta, caller: str) -> None:
    """Refuse ``X`` whose number of channels differs from the ``n_fitted`` seen in fit."""
    if meta.n_channels != n_fitted:
        raise ValidationError(
            f"{caller}: fitted on {n_fitted} channels, but X has {meta.n_channels}. "
            "Pass series with the channels seen in fit."
        )


def _feature_channels(
    input_features: Sequence[str] | None, channels: list[str], n_fitted: int, name: str
) -> list[str]:
    """The channel names of ``name.get_feature_names_out``: ``input_features`` or those seen in fit."""
    chans = channels if input_features is None else [str(c) for c in input_features]
    if len(chans) != n_fitted:
        raise ValidationError(
            f"{name}.get_feature_names_out: input_features has {len(chans)} names for "
            f"{n_fitted} channels."
        )
    return chans
