"""The training loop: over-fitting, seeds, early stopping, schedules, checkpoints, NaN stops."""

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wavelens.exceptions import DataFormatError, ValidationError  # noqa: E402
from wavelens.models import ConvAutoencoder, ConvLSTMAutoencoder, TrainingDivergedWarning, TrainingError, train  # noqa: E402
from wavelens.models._batches import TensorBatches  # noqa: E402
from wavelens.models._train import load_checkpoint  # noqa: E402


def _series(n=8, n_times=128, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_times) / n_times
    f = rng.uniform(2, 6, size=(n, 1, 1))
    return np.sin(2 * np.pi * f * t + rng.uniform(0, 6, size=(n, 1, 1))).astype(np.float32)


def _ae(seed=0):
    torch.manual_seed(seed)
    return ConvAutoencoder(1, 128, filters=(8, 16), latent_dim=8)


def _weights(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def test_overfits_a_tiny_dataset():
    torch.manual_seed(0)
    net = ConvLSTMAutoencoder(1, conv_channels=(8, 16, 16), hidden_size=32, num_layers=1)
    batches = TensorBatches(_series(4), 1, shuffle=True, seed=0)
    hist = train(net, batches, epochs=150, lr=3e-3, device="cpu", seed=0)
    assert hist[0]["train_loss"] / hist[-1]["train_loss"] >= 10.0


def test_same_seed_same_weights():
    data = _series()
    nets = []
    for _ in range(2):
        net = _ae()
        train(net, TensorBatches(data, 4, shuffle=True, seed=7), epochs=3, device="cpu", seed=7)
        nets.append(_weights(net))
    for k in nets[0]:
        torch.testing.assert_close(nets[0][k], nets[1][k], rtol=0, atol=0)
    # a different seed shuffles differently and gives other weights
    net = _ae()
    train(net, TensorBatches(data, 4, shuffle=True, seed=8), epochs=3, device="cpu", seed=8)
    assert any(not torch.equal(net.state_dict()[k], nets[0][k]) for k in nets[0])


def test_seeding_inside_fork_rng_leaves_global_state():
    torch.manual_seed(5)
    net = ConvAutoencoder(1, 128, filters=(4,), latent_dim=2)
    state = torch.random.get_rng_state().clone()
    train(net, TensorBatches(_series(), 4), epochs=2, device="cpu", seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_early_stopping_restores_the_best_epoch():
    data = _series(8)
    noise = np.random.default_rng(1).standard_normal((6, 1, 128)).astype(np.float32) * 5
    net = _ae()
    val = TensorBatches(noise, 3)
    hist = train(net, TensorBatches(data, 4, shuffle=True), val, epochs=60, lr=1e-2, patience=3, device="cpu",
                 seed=0)
    assert len(hist) < 60
    best = min(h["val_loss"] for h in hist)
    assert hist.index(min(hist, key=lambda h: h["val_loss"])) == len(hist) - 4  # 3 epochs without improvement
    from wavelens.models._train import evaluate_loss

    assert evaluate_loss(net, val(), torch.device("cpu")) == pytest.approx(best, rel=1e-5)


def test_schedules_and_grad_clip():
    data = TensorBatches(_series(), 4)
    hist = train(_ae(), data, epochs=4, lr=1e-2, lr_schedule="cosine", device="cpu", seed=0)
    lrs = [h["lr"] for h in hist]
    assert lrs[0] == pytest.approx(1e-2) and all(a > b for a, b in zip(lrs, lrs[1:]))
    hist = train(_ae(), data, data, epochs=3, lr_schedule="plateau", grad_clip=0.5, device="cpu", seed=0)
    assert len(hist) == 3 and all(h["val_loss"] is not None for h in hist)
    with pytest.raises(ValidationError, match="lr_schedule must be one of"):
        train(_ae(), data, epochs=1, lr_schedule="step")


def test_history_rows():
    hist = train(_ae(), TensorBatches(_series(), 4), epochs=2, device="cpu")
    assert [h["epoch"] for h in hist] == [1, 2]
    assert set(hist[0]) >= {"epoch", "train_loss", "val_loss", "seconds", "lr", "train_mse"}
    assert hist[0]["val_loss"] is None and hist[0]["seconds"] > 0


def test_num_threads_respected_and_restored():
    seen = []

    class Spy(ConvAutoencoder):
        def loss(self, batch):
            seen.append(torch.get_num_threads())
            return super().loss(batch)

    torch.manual_seed(0)
    net = Spy(1, 128, filters=(4,), latent_dim=2)
    torch.set_num_threads(2)
    train(net, TensorBatches(_series(), 4), epochs=1, device="cpu", num_threads=1)
    assert set(seen) == {1}
    assert torch.get_num_threads() == 2


def test_progress_bar_only_when_verbose(capsys):
    train(_ae(), TensorBatches(_series(), 4), epochs=2, device="cpu", verbose=False)
    assert capsys.readouterr().out == ""
    train(_ae(), TensorBatches(_series(), 4), epochs=2, device="cpu", verbose=True)
    out = capsys.readouterr().out
    assert "epoch 2/2" in out and "train" in out


def test_checkpoint_resume_gives_the_same_weights(tmp_path):
    data = _series()
    full = _ae()
    train(full, TensorBatches(data, 4, shuffle=True, seed=3), epochs=4, device="cpu", seed=3)
    ck = tmp_path / "train.pt"
    part = _ae()
    train(part, TensorBatches(data, 4, shuffle=True, seed=3), epochs=2, device="cpu", seed=3, checkpoint=ck)
    saved = torch.load(ck, weights_only=True)  # plain tensors and numbers: weights_only loads it
    assert saved["epoch"] == 2 and len(saved["history"]) == 2 and "optimizer" in saved
    resumed = _ae(seed=99)  # other initial weights: the checkpoint replaces them
    hist = train(resumed, TensorBatches(data, 4, shuffle=True, seed=3), epochs=4, device="cpu", seed=3,
                 resume_from=ck)
    assert [h["epoch"] for h in hist] == [1, 2, 3, 4]
    for k, v in full.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[k], v, rtol=0, atol=0)


def test_resume_from_a_corrupt_or_foreign_checkpoint(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(DataFormatError, match="bad.pt"):
        train(_ae(), TensorBatches(_series(), 4), epochs=1, device="cpu", resume_from=bad)
    other = tmp_path / "other.pt"
    train(ConvAutoencoder(1, 128, filters=(4,), latent_dim=2), TensorBatches(_series(), 4), epochs=1,
          device="cpu", checkpoint=other)
    with pytest.raises(DataFormatError, match="does not fit"):
        train(_ae(), TensorBatches(_series(), 4), epochs=2, device="cpu", resume_from=other)


def test_malicious_pickle_is_not_executed(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (exec, ("open(%r, 'w').write('pwned')" % str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"model": Boom()}, protocol=2))
    with pytest.raises(DataFormatError, match="nothing in it was executed"):
        load_checkpoint(path)
    assert not (tmp_path / "pwned").exists()


class _NaNAfter(ConvAutoencoder):
    """Its loss turns NaN from the ``bad_epoch``-th epoch on (counted by batches)."""

    def __init__(self, *a, bad_batch=0, **k):
        super().__init__(*a, **k)
        self.calls = 0
        self.bad_batch = bad_batch

    def loss(self, batch):
        loss, parts = super().loss(batch)
        if self.training:
            self.calls += 1
            if self.calls > self.bad_batch:
                loss = loss * float("nan")
        return loss, parts


def test_nan_loss_stops_and_keeps_the_last_good_weights():
    torch.manual_seed(0)
    net = _NaNAfter(1, 128, filters=(4,), latent_dim=2, bad_batch=4)  # 2 batches an epoch: epoch 3 fails
    ref = _NaNAfter(1, 128, filters=(4,), latent_dim=2, bad_batch=10**9)
    ref.load_state_dict(net.state_dict())
    data = TensorBatches(_series(), 4)
    with pytest.warns(TrainingDivergedWarning, match=r"epoch 3.*epoch 2.*Lower the learning rate"):
        hist = train(net, data, epochs=5, lr=1e-3, device="cpu", seed=0)
    assert [h["epoch"] for h in hist] == [1, 2]
    train(ref, data, epochs=2, lr=1e-3, device="cpu", seed=0)
    for k, v in ref.state_dict().items():
        torch.testing.assert_close(net.state_dict()[k], v, rtol=0, atol=0)
        assert torch.isfinite(v).all()


def test_nan_in_the_first_epoch_is_an_error():
    torch.manual_seed(0)
    net = _NaNAfter(1, 128, filters=(4,), latent_dim=2, bad_batch=0)
    with pytest.raises(TrainingError, match=r"epoch 1.*lr=0.1"):
        train(net, TensorBatches(_series(), 4), epochs=3, lr=0.1, device="cpu")
    assert all(torch.isfinite(v).all() for v in net.state_dict().values())


def test_bad_options():
    data = TensorBatches(_series(), 4)
    with pytest.raises(ValidationError, match="epochs must be an integer"):
        train(_ae(), data, epochs=0)
    with pytest.raises(ValidationError, match="device must be"):
        train(_ae(), data, epochs=1, device="tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValidationError, match="CUDA is not available"):
            train(_ae(), data, epochs=1, device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_with_amp():
    hist = train(_ae(), TensorBatches(_series(), 4), epochs=2, device="cuda", amp=True, seed=0)
    assert math.isfinite(hist[-1]["train_loss"])


def test_no_warning_in_a_normal_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(_ae(), TensorBatches(_series(), 4), epochs=1, device="cpu", seed=0)
