"""The one training loop of wavelens' networks.

:func:`train` runs any module that has ``loss(batch) -> (scalar, parts)`` over batches
(dicts of tensors): Adam, optional validation with early stopping and restoring of the
best weights, an optional learning-rate schedule, gradient clipping, mixed precision on
CUDA, a progress bar, per-epoch checkpoints that :func:`torch.load` reads with
``weights_only=True`` and that training resumes from, ``torch.set_num_threads`` for the
duration, and a stop that keeps the last good weights when the loss turns NaN.

It is kept lean on purpose: per batch it moves the tensors to the device, runs
forward/backward/step and adds the loss to an on-device sum; the one host
synchronisation per epoch is reading that sum. Lengths stay on the CPU (packing
needs them there).
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import torch

from ..exceptions import DataFormatError, ValidationError
from ._errors import TrainingDivergedWarning, TrainingError

__all__ = ["train", "resolve_device", "torch_threads", "save_checkpoint", "load_checkpoint", "evaluate_loss"]

_SCHEDULES = (None, "cosine", "plateau")
_CPU_KEYS = ("lengths",)


def resolve_device(device: Any, caller: str = "train") -> torch.device:
    """``"auto"`` → CUDA when available, else the CPU; any torch device string otherwise.

    Raises
    ------
    ValidationError
        An unknown device string, or CUDA asked for where none is available.
    """
    if isinstance(device, torch.device):
        return device
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValidationError(f"{caller}: device must be 'auto', 'cpu', 'cuda' or 'cuda:N', found {device!r}.") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValidationError(f"{caller}: device={device!r} but CUDA is not available here. Use device='auto' or 'cpu'.")
    return dev


@contextlib.contextmanager
def torch_threads(num_threads: int | None) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(num_threads)``; restore the old value after."""
    if num_threads is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(num_threads))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def to_device(batch: dict, device: torch.device) -> dict:
    """Tensors of ``batch`` on ``device`` (lengths stay on the CPU)."""
    if device.type == "cpu":
        return batch
    return {
        k: (v.to(device, non_blocking=True) if isinstance(v, torch.Tensor) and k not in _CPU_KEYS else v)
        for k, v in batch.items()
    }


def _snapshot(module: torch.nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def save_checkpoint(path: str | Path, payload: dict) -> None:
    """Write a training checkpoint atomically (``torch.save`` of tensors, numbers and strings only)."""
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | Path, *, map_location: Any = "cpu", what: str = "checkpoint") -> dict:
    """Load a checkpoint with ``weights_only=True``: nothing in the file is executed.

    Raises
    ------
    DataFormatError
        A missing, corrupt or non-weights-only file (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{what} {str(path)!r} does not exist.")
    try:
        data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError... for bad files
        raise DataFormatError(
            f"{what} {str(path)!r} could not be read as a weights-only PyTorch file ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''}). It is corrupt, truncated, or holds objects other "
            "than tensors and plain values; nothing in it was executed."
        ) from err
    if not isinstance(data, dict):
        raise DataFormatError(f"{what} {str(path)!r} holds a {type(data).__name__}, expected a dict of tensors.")
    return data


def evaluate_loss(module: torch.nn.Module, batches: Iterable[dict], device: torch.device) -> float | None:
    """Mean loss per series over ``batches``, in evaluation mode, without gradients (None if empty)."""
    was_training = module.training
    module.eval()
    total = torch.zeros((), device=device)
    count = 0
    with torch.no_grad():
        for b in batches:
            b = to_device(b, device)
            loss, _ = module.loss(b)
            n = b["x"].shape[0]
            total += loss.detach().float() * n
            count += n
    module.train(was_training)
    return float(total.item()) / count if count else None


def _check_options(epochs: Any, lr: Any, patience: Any, grad_clip: Any, lr_schedule: Any) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValidationError(f"train: epochs must be an integer >= 1, found {epochs!r}.")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValidationError(f"train: lr must be a number > 0, found {lr!r}.")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int) or patience < 1):
        raise ValidationError(f"train: patience must be None or an integer >= 1, found {patience!r}.")
    if grad_clip is not None and (isinstance(grad_clip, bool) or not isinstance(grad_clip, (int, float))
                                  or not grad_clip > 0):
        raise ValidationError(f"train: grad_clip must be None or a number > 0, found {grad_clip!r}.")
    if lr_schedule not in _SCHEDULES:
        raise ValidationError(f"train: lr_schedule must be one of {_SCHEDULES!r}, found {lr_schedule!r}.")


def _progress(verbose: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[losses]}"),
        TimeElapsedColumn(), disable=not verbose,
    )


def train(
    module: torch.nn.Module,
    train_batches: Iterable[dict] | Callable[[int], Iterable[dict]],
    val_batches: Iterable[dict] | Callable[[int], Iterable[dict]] | None = None,
    *,
    epochs: int,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    patience: int | None = None,
    min_delta: float = 0.0,
    grad_clip: float | None = None,
    lr_schedule: str | None = None,
    device: Any = "auto",
    amp: bool = False,
    num_threads: int | None = None,
    seed: int | None = None,
    checkpoint: str | Path | None = None,
    resume_from: str | Path | None = None,
    verbose: bool = False,
) -> list[dict]:
    """Train ``module`` with Adam; return the history (one dict per epoch).

    Parameters
    ----------
    module : torch.nn.Module
        Has ``loss(batch) -> (scalar tensor, dict of detached 0-d tensors)``.
    train_batches : iterable of dict, or callable ``epoch -> iterable of dict``
        Batches of tensors (``x`` ``(B, ...)``, optional ``lengths`` on the CPU, ``y``);
        iterated once per epoch, so it must be re-iterable (a list, a DataLoader), or a
        callable that returns the epoch's batches (epochs count from 1) — what the
        wrappers use for a seeded shuffle that a resumed run repeats exactly.
    val_batches : same, optional
        Batches for the validation loss, after every epoch. With them the best
        weights (lowest validation loss) are restored at the end, and ``patience``
        stops training early.
    epochs : int
        Epochs in all (a resumed run continues up to this number).
    lr : float, default=1e-3
    weight_decay : float, default=0.0
    patience : int, optional
        Stop after this many epochs without a validation loss lower than the best by
        more than ``min_delta`` (the training loss where there is no validation set).
    min_delta : float, default=0.0
    grad_clip : float, optional
        Clip the global gradient norm to this value.
    lr_schedule : {None, "cosine", "plateau"}, default=None
        Cosine annealing over ``epochs``, or halve the rate after ``max(1, patience // 3)``
        (default 3) epochs without improvement.
    device : "auto", str or torch.device, default="auto"
        ``"auto"`` uses CUDA when available.
    amp : bool, default=False
        Mixed precision (float16 autocast + gradient scaling) on CUDA; ignored on the CPU.
    num_threads : int, optional
        ``torch.set_num_threads`` while training; restored afterwards.
    seed : int, optional
        Seeds torch's generator (dropout, VAE sampling) at the start of every epoch,
        inside ``torch.random.fork_rng`` so the caller's global state is untouched.
    checkpoint : path, optional
        Written (atomically) after every epoch: model, optimizer and scheduler state,
        epoch, history, best weights so far — a dict that ``torch.load(...,
        weights_only=True)`` reads.
    resume_from : path, optional
        A checkpoint to continue from (same module architecture).
    verbose : bool, default=False
        Show a progress bar with the losses (rich).

    Returns
    -------
    history : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``val_loss`` (None without validation),
        ``seconds``, ``lr`` and the loss parts as ``train_<name>``.

    Raises
    ------
    TrainingError
        The loss was NaN/inf in the first epoch trained (nothing good to keep).

    Warns
    -----
    TrainingDivergedWarning
        The loss became NaN/inf in a later epoch: training stopped there and the
        weights of the last good epoch were kept. The message names the epoch.

    Examples
    --------
    >>> import torch
    >>> from wavelens.models import ConvLSTMAutoencoder, train
    >>> net = ConvLSTMAutoencoder(1, conv_channels=(4, 4, 4), hidden_size=4, num_layers=1)
    >>> batches = [{"x": torch.randn(4, 1, 64)}]
    >>> hist = train(net, batches, epochs=2, device="cpu", seed=0)
    >>> [h["epoch"] for h in hist]
    [1, 2]
    """
    _check_options(epochs, lr, patience, grad_clip, lr_schedule)
    dev = resolve_device(device)
    use_amp = bool(amp) and dev.type == "cuda"
    module.to(dev)
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=float(lr), weight_decay=float(weight_decay))
    sched: Any = None
    if lr_schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    elif lr_schedule == "plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=max(1, (patience or 10) // 3))
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)

    history: list[dict] = []
    start, best_val, best_state, bad = 1, math.inf, None, 0
    if resume_from is not None:
        ck = load_checkpoint(resume_from, map_location=dev, what="training checkpoint")
        try:
            module.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            if sched is not None and ck.get("scheduler") is not None:
                sched.load_state_dict(ck["scheduler"])
        except (KeyError, RuntimeError, ValueError) as err:
            raise DataFormatError(
                f"training checkpoint {str(resume_from)!r} does not fit this model/optimizer ({err}). Resume "
                "with the same network and parameters that wrote it."
            ) from err
        history = list(ck.get("history", []))
        start = int(ck["epoch"]) + 1
        best_val = float(ck.get("best_val", math.inf))
        best_state = ck.get("best_model")
        bad = int(ck.get("bad_epochs", 0))

    def batches_of(source: Any, epoch: int) -> Iterable[dict]:
        return source(epoch) if callable(source) else source

    cuda_devices = [dev.index or 0] if dev.type == "cuda" else []
    rng_guard = torch.random.fork_rng(devices=cuda_devices) if seed is not None else contextlib.nullcontext()
    good_state = _snapshot(module)
    stopped_nan = None
    with torch_threads(num_threads), rng_guard, _progress(verbose) as bar:
        module.train()
        for epoch in range(start, epochs + 1):
            if seed is not None:
                torch.manual_seed((int(seed) * 1_000_003 + epoch) % (2**63 - 1))
            t0 = time.perf_counter()
            epoch_batches = batches_of(train_batches, epoch)
            total = len(epoch_batches) if hasattr(epoch_batches, "__len__") else None
            task = bar.add_task(f"epoch {epoch}/{epochs}", total=total, losses="")
            loss_sum = torch.zeros((), device=dev)
            part_sums: dict[str, torch.Tensor] = {}
            count = 0
            for b in epoch_batches:
                b = to_device(b, dev)
                opt.zero_grad(set_to_none=True)
                with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=use_amp):
                    loss, parts = module.loss(b)
                scaler.scale(loss).backward()
                if grad_clip is not None:
                    scaler.unscale_(opt)
                    torch.nn.utils.clip_grad_norm_(params, float(grad_clip))
                scaler.step(opt)
                scaler.update()
                n = b["x"].shape[0]
                loss_sum += loss.detach().float() * n
                for k, v in parts.items():
                    part_sums[k] = part_sums.get(k, 0.0) + v.float() * n
                count += n
                bar.advance(task)
            if count == 0:
                raise ValidationError("train: train_batches yielded no batch; give at least one series to train on.")
            train_loss = float(loss_sum.item()) / count
            val_loss = None
            if val_batches is not None and math.isfinite(train_loss):
                val_loss = evaluate_loss(module, batches_of(val_batches, epoch), dev)
            current_lr = opt.param_groups[0]["lr"]
            if not math.isfinite(train_loss) or (val_loss is not None and not math.isfinite(val_loss)):
                stopped_nan = epoch
                bar.remove_task(task)
                break
            row = {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss,
                   "seconds": time.perf_counter() - t0, "lr": current_lr}
            row.update({f"train_{k}": float(v) / count for k, v in part_sums.items()})
            history.append(row)
            good_state = _snapshot(module)
            monitor = val_loss if val_loss is not None else train_loss
            if monitor < best_val - min_delta:
                best_val, bad = monitor, 0
                if val_loss is not None:
                    best_state = good_state
            else:
                bad += 1
            if sched is not None:
                sched.step(monitor) if lr_schedule == "plateau" else sched.step()
            losses = f"train {train_loss:.4g}" + (f"  val {val_loss:.4g}" if val_loss is not None else "")
            bar.update(task, description=f"epoch {epoch}/{epochs}", losses=losses)
            if checkpoint is not None:
                save_checkpoint(checkpoint, {
                    "model": module.state_dict(), "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict() if sched is not None else None,
                    "epoch": epoch, "history": history, "best_val": best_val, "best_model": best_state,
                    "bad_epochs": bad,
                })
            if patience is not None and bad >= patience:
                break
    module.eval()
    if stopped_nan is not None:
        module.load_state_dict(good_state)
        what = "validation" if math.isfinite(train_loss) else "training"
        advice = (f"Lower the learning rate (lr={lr!r}; try lr={float(lr) / 10:g})"
                  + ("" if grad_clip is not None else " or set grad_clip=1.0")
                  + ", and check the input for huge values.")
        if not history:
            raise TrainingError(f"train: the {what} loss became NaN/inf in epoch {stopped_nan}, the first epoch "
                                f"trained, so there are no good weights to keep. {advice}")
        warnings.warn(
            f"train: the {what} loss became NaN/inf in epoch {stopped_nan}; training stopped and the weights of "
            f"epoch {history[-1]['epoch']} (the last good one) were kept. {advice}",
            TrainingDivergedWarning, stacklevel=2,
        )
    if best_state is not None:
        module.load_state_dict(best_state)
    return history

