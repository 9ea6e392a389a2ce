"""The conv autoencoder's data-sized defaults, the distance-preserving loss, the "auto"
training budget, and saving / loading a ReconstructionDetector (Python and CLI)."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wavelens.cli import main  # noqa: E402
from wavelens.detect import load_detector, save_detector  # noqa: E402
from wavelens.exceptions import DataFormatError, ValidationError  # noqa: E402
from wavelens.models import AutoencoderEmbedder, ConvAutoencoder, ReconstructionDetector  # noqa: E402
from wavelens.models._networks1d import distance_mismatch  # noqa: E402
from wavelens.testing import make_collection, plant_anomalies  # noqa: E402


def test_conv_ae_defaults_follow_the_input_size():
    short = ConvAutoencoder(1, 24)  # ItalyPowerDemand's length: never refused
    assert short.config["filters"] == [16, 32] and short.config["kernel_size"] == 5 and short.n_latent == 16
    assert short.reconstruct({"x": torch.zeros(3, 1, 24)}).shape == (3, 1, 24)
    gun = ConvAutoencoder(1, 150)
    assert gun.config["filters"] == [16, 32, 64] and gun.config["kernel_size"] == 5 and gun.n_latent == 64
    assert ConvAutoencoder(3, 1000).config["kernel_size"] == 7
    assert ConvAutoencoder(1, 1).reconstruct({"x": torch.ones(2, 1, 1)}).shape == (2, 1, 1)
    # explicit values win, and the resolved values are what the config stores (a saved model rebuilds them)
    net = ConvAutoencoder(2, 24, filters=(4,), kernel_size=3, latent_dim=5, distance_weight=0.0)
    again = ConvAutoencoder(**json.loads(json.dumps(net.config)))
    assert [p.shape for p in again.parameters()] == [p.shape for p in net.parameters()]
    for bad in ({"distance_weight": -1.0}, {"noise": float("nan")}, {"distance_weight": True}):
        with pytest.raises(ValidationError, match=next(iter(bad))):
            ConvAutoencoder(1, 24, **bad)


def test_distance_term_is_zero_for_an_isometry_and_positive_otherwise():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 40, generator=g)
    q, _ = torch.linalg.qr(torch.randn(40, 40, generator=g))
    assert float(distance_mismatch(x, x @ q)) < 1e-8  # a rotation keeps every distance
    # RMS distances: an embedding of another size with the same geometry per coordinate also scores ~0
    assert float(distance_mismatch(x, torch.cat([x, x], dim=1))) < 1e-8
    assert float(distance_mismatch(x, 3 * x)) > 0.5
    z = torch.zeros(6, 4, requires_grad=True)  # identical embeddings: finite gradient
    distance_mismatch(x, z).backward()
    assert torch.isfinite(z.grad).all()


def test_loss_parts_and_input_noise_only_in_training():
    x = torch.randn(8, 1, 64, generator=torch.Generator().manual_seed(1))
    net = ConvAutoencoder(1, 64, filters=(4, 4), latent_dim=8, noise=0.5)
    with torch.no_grad():
        loss, parts = net.eval().loss({"x": x})
    assert set(parts) == {"mse", "distance"}
    assert float(loss) == pytest.approx(float(parts["mse"]) + 0.5 * float(parts["distance"]), rel=1e-5)
    with torch.no_grad():
        again, _ = net.loss({"x": x})
    assert float(again) == float(loss)  # evaluation: no noise, deterministic
    torch.manual_seed(0)
    with torch.no_grad():
        noisy, _ = net.train().loss({"x": x})
    assert float(noisy) != float(loss)
    plain = ConvAutoencoder(1, 64, filters=(4, 4), latent_dim=8, distance_weight=0.0)
    assert set(plain.loss({"x": x})[1]) == {"mse"}


@pytest.mark.parametrize("n_series, expected", [(50, (1000, 100, 0.0)), (67, (1000, 100, 0.0)),
                                                (512, (200, 20, 0.1)), (20_000, (50, 10, 0.1))])
def test_auto_training_budget(n_series, expected):
    emb = AutoencoderEmbedder("conv-ae")
    assert (emb.epochs, emb.patience, emb.validation_fraction) == ("auto", "auto", "auto")
    assert emb._budget(n_series) == expected
    fixed = AutoencoderEmbedder("conv-ae", epochs=7, patience=None, validation_fraction=0.2)
    assert fixed._budget(n_series) == (7, None, 0.2)
    with pytest.raises(ValidationError, match="epochs"):
        AutoencoderEmbedder("conv-ae", epochs="many").fit(np.zeros((4, 1, 24)))


def test_auto_budget_trains_long_on_a_small_set():
    X = make_collection(12, n_channels=1, n_times=24, random_state=0).to_numpy()
    emb = AutoencoderEmbedder("conv-ae", {"filters": (4,), "latent_dim": 4}, batch_size=12, num_threads=1,
                              random_state=0).fit(X)
    # 12 series, one batch per epoch: the auto budget allows up to 1,000 epochs, patience 100
    assert len(emb.history_) > 50 and all(h["val_loss"] is None for h in emb.history_)
    assert emb.history_[-1]["train_loss"] < 0.2 * emb.history_[0]["train_loss"]


@pytest.fixture(scope="module")
def detector_and_data():
    train = make_collection(24, n_times=128, random_state=1)
    test, _ = plant_anomalies(make_collection(8, n_times=128, random_state=2), indices=[3], random_state=0)
    det = ReconstructionDetector(model_params={"filters": (4, 4), "latent_dim": 4}, window=64, step=32,
                                 aggregate="max", epochs=4, batch_size=8, num_threads=1, random_state=0).fit(train)
    return det, train, test


def test_reconstruction_detector_save_load(detector_and_data, tmp_path):
    det, _, test = detector_and_data
    folder = det.save(tmp_path / "det")
    names = ["config.json", "history.json", "reconstruction.json", "weights.pt"]
    assert sorted(p.name for p in folder.iterdir()) == names
    # the network alone reloads as an AutoencoderEmbedder from the same folder
    np.testing.assert_array_equal(AutoencoderEmbedder.load(folder).transform(test.to_numpy()[:, :, :64]),
                                  det.embedder_.transform(test.to_numpy()[:, :, :64]))
    again = ReconstructionDetector.load(folder)
    assert again.get_params() == json.loads(json.dumps(det.get_params()))  # tuples come back as lists
    np.testing.assert_allclose(again.decision_function(test), det.decision_function(test), rtol=1e-5, atol=1e-7)
    assert again.threshold_ == det.threshold_ and again.labels_.dtype == det.labels_.dtype
    np.testing.assert_array_equal(again.predict(test), det.predict(test))
    # through the detection package's generic functions too, and saved again over itself
    assert save_detector(det, folder) == folder
    np.testing.assert_allclose(load_detector(folder).decision_function(test), det.decision_function(test), rtol=1e-5)


def test_reconstruction_detector_save_load_errors(detector_and_data, tmp_path):
    det, _, _ = detector_and_data
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValidationError, match="refusing to overwrite"):
        det.save(tmp_path / "other")
    with pytest.raises(DataFormatError, match="does not exist"):
        ReconstructionDetector.load(tmp_path / "other")
    folder = det.save(tmp_path / "det")
    (folder / "reconstruction.json").write_text("{not json")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        ReconstructionDetector.load(folder)
    (folder / "reconstruction.json").write_text(json.dumps({"format": "wavelens-reconstruction-detector",
                                                            "params": {}, "fitted": {}}))
    with pytest.raises(DataFormatError, match="no fitted detector"):
        ReconstructionDetector.load(folder)


def test_cli_detect_model_reloads_a_reconstruction_run(tmp_path, capsys):
    train = make_collection(20, n_times=128, random_state=1).to_numpy()[:, 0]
    test = make_collection(6, n_times=128, random_state=2).to_numpy()[:, 0]
    np.save(tmp_path / "train.npy", train)
    np.save(tmp_path / "test.npy", test)
    (tmp_path / "ae.toml").write_text(
        '[detector]\nname = "reconstruction:conv-ae"\nepochs = 3\nbatch_size = 8\nrandom_state = 0\n'
        'num_threads = 1\n\n[detector.model_params]\nfilters = [4, 4]\nlatent_dim = 4\n')
    run = tmp_path / "run"
    code = main(["detect", "--train", str(tmp_path / "train.npy"), "--test", str(tmp_path / "test.npy"),
                 "--config", str(tmp_path / "ae.toml"), "--out", str(tmp_path / "fit.txt"), "--run-dir", str(run)])
    assert code == 0, capsys.readouterr().err
    assert (run / "model" / "reconstruction.json").is_file()
    code = main(["detect", "--model", str(run), "--test", str(tmp_path / "test.npy"),
                 "--out", str(tmp_path / "again.txt")])
    assert code == 0, capsys.readouterr().err
    np.testing.assert_allclose(np.loadtxt(tmp_path / "again.txt"), np.loadtxt(tmp_path / "fit.txt"), rtol=1e-5)


def test_convlstm_time_features_and_models_saved_before_them(tmp_path):
    from wavelens.models import ConvLSTMAutoencoder

    small = {"conv_channels": (4, 4, 4), "hidden_size": 4, "num_layers": 1}
    assert ConvLSTMAutoencoder(2, **small).decoder_lstm.input_size == 4 + 2 * 16
    assert ConvLSTMAutoencoder(2, time_features=0, **small).decoder_lstm.input_size == 4
    with pytest.raises(ValidationError, match="time_features"):
        ConvLSTMAutoencoder(2, time_features=-1, **small)
    X = make_collection(6, n_channels=2, n_times=120, ragged=True, min_times=80, random_state=0)
    emb = AutoencoderEmbedder(model_params={**small, "time_features": 0}, epochs=1, batch_size=3, num_threads=1,
                              random_state=0).fit(X)
    folder = emb.save(tmp_path / "old")
    cfg = json.loads((folder / "config.json").read_text())
    del cfg["network"]["config"]["time_features"]  # what a model saved before the argument looks like
    (folder / "config.json").write_text(json.dumps(cfg))
    np.testing.assert_array_equal(AutoencoderEmbedder.load(folder).transform(X), emb.transform(X))
