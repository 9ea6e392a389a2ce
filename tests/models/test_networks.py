"""The networks: shapes, padding invariance, masked losses, the VAE's KL, the spec's defaults."""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wavelens.exceptions import ValidationError  # noqa: E402
from wavelens.models import (  # noqa: E402
    NETWORKS,
    CNN1dClassifierNet,
    CNN2dClassifierNet,
    ConvAutoencoder,
    ConvLSTMAutoencoder,
    ConvVAE,
)
from wavelens.models._batches import pad_batch  # noqa: E402
from wavelens.models._spec import NETWORK_INFO, conv_min_length  # noqa: E402


def _ragged(lengths, n_channels=2, seed=0):
    rng = np.random.default_rng(seed)
    t = [np.arange(n) / 100.0 for n in lengths]
    return [
        (np.stack([np.sin(2 * np.pi * (3 + c) * tt) for c in range(n_channels)])
         + 0.2 * rng.standard_normal((n_channels, len(tt)))).astype(np.float32)
        for tt in t
    ]


def _net(strides=(2, 2, 2), seed=0):
    torch.manual_seed(seed)
    return ConvLSTMAutoencoder(2, conv_channels=(8, 16, 16), kernel_size=7, strides=strides, hidden_size=16,
                               num_layers=2).eval()


def test_ragged_batch_shapes():
    net = _net()
    batch = pad_batch(_ragged([1000, 2000, 3000]))
    with torch.no_grad():
        z = net.encode(batch)
        rec = net.reconstruct(batch)
    assert z.shape == (3, 2 * 16)
    assert rec.shape == (3, 2, 3000)
    # zero beyond each series' length
    assert float(rec[0, :, 1000:].abs().max()) == 0.0
    assert float(rec[1, :, 2000:].abs().max()) == 0.0
    assert float(rec[0, :, :1000].abs().max()) > 0.0


@pytest.mark.parametrize("strides", [(2, 2, 2), (1, 1, 1), (3, 2, 1)])
def test_padding_invariance(strides):
    """A series embedded alone and inside a batch with longer ones gives the same output."""
    net = _net(strides)
    series = _ragged([1001, 1500, 2999], seed=1)
    with torch.no_grad():
        together = pad_batch(series)
        z_all, rec_all = net.encode(together), net.reconstruct(together)
        for i, s in enumerate(series):
            alone = pad_batch([s])
            z, rec = net.encode(alone), net.reconstruct(alone)
            np.testing.assert_allclose(z_all[i].numpy(), z[0].numpy(), rtol=1e-5, atol=1e-6)
            n = s.shape[-1]
            np.testing.assert_allclose(rec_all[i, :, :n].numpy(), rec[0].numpy(), rtol=1e-5, atol=1e-6)


def test_padding_content_never_leaks():
    """Garbage in the padded region changes nothing (the masks, not the zeros, make it safe)."""
    net = _net()
    batch = pad_batch(_ragged([300, 500]))
    dirty = {"x": batch["x"].clone(), "lengths": batch["lengths"]}
    dirty["x"][0, :, 300:] = 1e3
    with torch.no_grad():
        np.testing.assert_allclose(net.encode(batch).numpy(), net.encode(dirty).numpy(), rtol=1e-6, atol=1e-6)
        loss_clean, _ = net.loss(batch)
        loss_dirty, _ = net.loss(dirty)
    assert float(loss_clean) == pytest.approx(float(loss_dirty), rel=1e-6)


def test_loss_is_mean_over_valid_samples_only():
    net = _net()
    series = _ragged([200, 400])
    batch = pad_batch(series)
    with torch.no_grad():
        loss, parts = net.loss(batch)
        rec = net.reconstruct(batch)
    sq = sum(float(((rec[i, :, : s.shape[-1]] - torch.from_numpy(s)) ** 2).sum()) for i, s in enumerate(series))
    expected = sq / (2 * (200 + 400))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    assert float(parts["mse"]) == pytest.approx(expected, rel=1e-5)
    with torch.no_grad():
        err = net.series_error(batch)
    assert err.shape == (2,)
    assert float((err * torch.tensor([200.0, 400.0])).sum() / 600) == pytest.approx(expected, rel=1e-5)


def test_min_length_is_receptive_field():
    assert _net((2, 2, 2)).min_length == conv_min_length(7, (2, 2, 2)) == 1 + 6 * (1 + 2 + 4)
    assert _net((1, 1, 1)).min_length == 19


def test_cnn1d_padding_invariance_and_shape():
    torch.manual_seed(0)
    net = CNN1dClassifierNet(2, 3, filters=(8, 8), strides=(2, 2)).eval()
    series = _ragged([100, 333, 500])
    with torch.no_grad():
        logits = net(pad_batch(series))
        alone = net(pad_batch(series[:1]))
    assert logits.shape == (3, 3)
    np.testing.assert_allclose(logits[0].numpy(), alone[0].numpy(), rtol=1e-5, atol=1e-6)
    loss, parts = net.loss({**pad_batch(series), "y": torch.tensor([0, 1, 2])})
    assert loss.ndim == 0 and "cross_entropy" in parts


@pytest.mark.parametrize("shape", [(1, 13, 18), (1, 513, 121), (2, 31, 7)])
def test_vae_any_image_size(shape):
    torch.manual_seed(0)
    vae = ConvVAE(shape, filters=(4, 8, 8), dense=8, latent_dim=3).eval()
    x = torch.randn(2, *shape)
    with torch.no_grad():
        assert vae.encode({"x": x}).shape == (2, 3)
        assert vae.reconstruct({"x": x}).shape == (2, *shape)
        assert vae.series_error({"x": x}).shape == (2,)


def test_vae_kl_zero_at_prior_and_positive_elsewhere():
    zero = torch.zeros(5, 3)
    np.testing.assert_array_equal(ConvVAE.kl_divergence(zero, zero).numpy(), np.zeros(5))
    kl = ConvVAE.kl_divergence(torch.ones(5, 3), torch.full((5, 3), -1.0))
    assert (kl > 0).all()
    # closed form for one dimension: 0.5 * (mu^2 + s^2 - 1 - log s^2)
    expected = 3 * 0.5 * (1.0 + np.exp(-1.0) - 1.0 + 1.0)
    np.testing.assert_allclose(kl.numpy(), expected, rtol=1e-6)


def test_vae_loss_is_sum_of_squares_plus_beta_kl():
    torch.manual_seed(0)
    vae = ConvVAE((1, 13, 18), filters=(4, 4), dense=8, beta=0.5).eval()
    x = torch.randn(3, 1, 13, 18)
    with torch.no_grad():
        loss, parts = vae.loss({"x": x})
        mean, logvar = vae.posterior({"x": x})
        rec = vae.decode(mean)
    sse = float(((rec - x) ** 2).sum()) / 3
    assert float(parts["reconstruction"]) == pytest.approx(sse, rel=1e-5)
    assert float(loss) == pytest.approx(sse + 0.5 * float(ConvVAE.kl_divergence(mean, logvar).mean()), rel=1e-5)


def test_conv_autoencoder_fixed_length():
    torch.manual_seed(0)
    net = ConvAutoencoder(3, 150, filters=(4, 8, 8), latent_dim=6).eval()
    x = torch.randn(4, 3, 150)
    assert net.encode({"x": x}).shape == (4, 6)
    assert net.reconstruct({"x": x}).shape == (4, 3, 150)
    with pytest.raises(ValidationError, match="n_times=150"):
        net.encode({"x": torch.randn(4, 3, 149)})


def test_cnn2d_shape():
    net = CNN2dClassifierNet((1, 32, 20), 4, filters=(4, 8))
    assert net({"x": torch.zeros(2, 1, 32, 20)}).shape == (2, 4)


def test_bad_constructor_arguments():
    with pytest.raises(ValidationError, match="kernel_size must be an odd"):
        ConvLSTMAutoencoder(2, kernel_size=4)
    with pytest.raises(ValidationError, match="strides must be 3 integers"):
        ConvLSTMAutoencoder(2, strides=(2, 2))
    with pytest.raises(ValidationError, match="in_shape"):
        ConvVAE((13, 18))


def test_registry_and_spec_agree_with_the_classes():
    assert set(NETWORKS) == set(NETWORK_INFO) == {"convlstm-ae", "conv-vae", "conv-ae", "cnn1d", "cnn2d"}
    for name, cls in NETWORKS.items():
        info = NETWORK_INFO[name]
        assert cls.name == name and cls.__name__ == info.class_name
        assert (cls.dims, cls.ragged, cls.role) == (info.dims, info.ragged, info.role)
        sig = inspect.signature(cls)
        for key, value in info.defaults.items():
            assert sig.parameters[key].default == value, (name, key)


def test_config_is_json_and_rebuilds_the_network():
    import json

    net = _net()
    again = NETWORKS[net.name](**json.loads(json.dumps(net.config)))
    assert again.config == net.config
    assert [p.shape for p in again.parameters()] == [p.shape for p in net.parameters()]
