"""Training from disk, for collections larger than memory.

Two kinds of pass over :func:`wavelens.io.iter_chunks`: one to check every chunk and
compute the standardisation (``standardize="global"``; ``"series"`` needs none,
each series is scaled on its own as it is read) and, for a classifier, the classes, then one per epoch
(and one per validation) streaming standardised series through
:class:`._batches.StreamBatches`. Only a chunk and the shuffle buffer are in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ValidationError

__all__ = ["fit_stream"]


def fit_stream(est: Any, source: Any, *, resume_from: Any = None, chunk_size: int | None = None,
               buffer_size: int = 2048, labelled: bool = False) -> None:
    """Fit the wrapper ``est`` on the series read from ``source`` chunk by chunk."""
    from ..io import iter_chunks
    from ._batches import StreamBatches
    from ._train import resolve_device, train

    caller = est._caller()

    def chunks() -> Any:
        return iter_chunks(source, chunk_size=chunk_size, fs=est.fs)

    # pass 1: checks, standardisation (in the first chunk's units, then converted), classes
    z_sum = z_sq = None
    count = 0
    n_series = 0
    labels: set = set()
    for k, chunk in enumerate(chunks()):
        prep = est._prepare(chunk, fit=(k == 0))
        n_series += prep.n_series
        if labelled:
            if prep.labels is None:
                raise ValidationError(
                    f"{caller}: chunk {k} of {str(source)!r} has no labels; streaming a classifier needs a "
                    "format that carries them (e.g. a label column or field)."
                )
            labels.update(np.asarray(prep.labels).tolist())
        series = prep.data if prep.is_list else list(prep.data)
        for s in series:
            flat = s.reshape(s.shape[0], -1).astype(np.float64)
            z_sum = flat.sum(axis=1) if z_sum is None else z_sum + flat.sum(axis=1)
            z_sq = (flat**2).sum(axis=1) if z_sq is None else z_sq + (flat**2).sum(axis=1)
            count += flat.shape[1]
    if n_series == 0:
        raise ValidationError(f"{caller}: {str(source)!r} holds no series to train on.")
    if est.standardize_ == "global":  # "series" scales each series in est._prepare; "none" nothing
        z_mean = z_sum / count
        z_std = np.sqrt(np.maximum(z_sq / count - z_mean**2, 0.0))
        est.input_mean_ = est.input_mean_ + est.input_scale_ * z_mean
        scale = est.input_scale_ * z_std
        est.input_scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    if labelled:
        est.classes_ = np.array(sorted(labels))

    def prepare(chunk: Any, k: int) -> tuple[list, Any]:
        prep = est._prepare(chunk, fit=False)
        series = prep.data if prep.is_list else list(prep.data)
        y = None
        if labelled:
            y = np.searchsorted(est.classes_, np.asarray(prep.labels))
        return series, y

    seed = est._seed()
    device = resolve_device(est.device, caller)
    net = est._build(seed, len(est.classes_) if labelled else None)
    epochs, patience, vf = est._budget(n_series)
    opts = dict(validation_fraction=vf, buffer_size=buffer_size, seed=seed)
    train_b = StreamBatches(chunks, prepare, est.batch_size, part="train", **opts)
    val_b = StreamBatches(chunks, prepare, est.batch_size, part="val", **opts) if vf else None
    est.history_ = train(
        net, train_b, val_b, epochs=epochs, lr=float(est.lr), patience=patience, grad_clip=est.grad_clip,
        lr_schedule=est.lr_schedule, device=device, num_threads=est.num_threads, seed=seed,
        checkpoint=est.checkpoint, resume_from=resume_from, verbose=bool(est.verbose),
    )
    est._set_network(net, device)
