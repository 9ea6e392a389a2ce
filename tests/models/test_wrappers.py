"""The wrappers: embeddings, reconstructions, saving and loading, bad input, streaming."""

import json
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wavelens.data import SignalSet  # noqa: E402
from wavelens.exceptions import DataFormatError, MissingDependencyError, ValidationError  # noqa: E402
from wavelens.models import AutoencoderEmbedder, CNNClassifier, ReconstructionDetector  # noqa: E402
from wavelens.testing import make_collection  # noqa: E402

FAST = {"epochs": 3, "batch_size": 4, "num_threads": 1, "random_state": 0}
LSTM = {"conv_channels": (8, 8, 8), "hidden_size": 8, "num_layers": 2}


@pytest.fixture(scope="module")
def ragged():
    return make_collection(10, n_channels=2, n_times=600, ragged=True, min_times=200, random_state=0)


@pytest.fixture(scope="module")
def fitted(ragged):
    return AutoencoderEmbedder(model_params=LSTM, **FAST).fit(ragged)


def test_embedder_on_ragged_series(fitted, ragged):
    emb = fitted.transform(ragged)
    assert emb.shape == (10, 16) and emb.dtype == np.float32 and fitted.n_latent_ == 16
    # a series' embedding does not depend on the others
    np.testing.assert_allclose(fitted.transform(ragged[[4]])[0], emb[4], rtol=1e-4, atol=1e-5)
    err = fitted.reconstruction_error(ragged)
    assert err.shape == (10,) and err.dtype == np.float64 and np.all(err > 0)
    rec = fitted.reconstruct(ragged)
    assert isinstance(rec, SignalSet) and list(rec.ids) == list(ragged.ids)
    assert [r.shape for r in rec.to_list()] == [s.shape for s in ragged.to_list()]
    listed = fitted.reconstruct(ragged.to_list())
    assert isinstance(listed, list)
    np.testing.assert_allclose(listed[4], rec[4], rtol=1e-5, atol=1e-5)
    assert len(fitted.history_) == 3 and {"epoch", "train_loss", "val_loss", "seconds"} <= set(fitted.history_[0])


def test_reconstruction_in_input_units():
    X = make_collection(12, n_channels=1, n_times=128, random_state=3).to_numpy() * 50 + 1000
    emb = AutoencoderEmbedder("conv-ae", {"filters": (8, 8), "latent_dim": 8}, epochs=40, lr=3e-3,
                              validation_fraction=0.0, batch_size=4, num_threads=1, random_state=0).fit(X)
    rec = emb.reconstruct(X)
    assert rec.shape == X.shape
    assert abs(float(rec.mean()) - 1000) < 10  # de-standardised
    mse_units = ((rec - X) ** 2).mean(axis=(1, 2)) / emb.input_scale_[0] ** 2
    np.testing.assert_allclose(emb.reconstruction_error(X), mse_units, rtol=1e-3)


def test_save_load_identical_embeddings(fitted, ragged, tmp_path):
    out = fitted.save(tmp_path / "model")
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "history.json", "weights.pt"]
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["estimator"] == "AutoencoderEmbedder" and cfg["network"]["name"] == "convlstm-ae"
    assert cfg["input"]["n_channels"] == 2 and len(cfg["input"]["mean"]) == 2 and "wavelens_version" in cfg
    again = AutoencoderEmbedder.load(out)
    np.testing.assert_array_equal(again.transform(ragged), fitted.transform(ragged))
    assert again.history_ == json.loads(json.dumps(fitted.history_))
    # saving again replaces the folder atomically, leaving no temporary folders behind
    fitted.save(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_model_saved_from_cuda_loads_on_cpu(fitted, ragged, tmp_path, monkeypatch):
    """Simulated: weights.pt tags its storages 'cuda:0', as a GPU-trained model's would be."""
    import torch.serialization as ser

    with monkeypatch.context() as m:
        m.setattr(ser, "location_tag", lambda storage: "cuda:0")
        fitted.save(tmp_path / "gpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):  # without map_location this file needs a GPU
            torch.load(tmp_path / "gpu" / "weights.pt", weights_only=True)
    again = AutoencoderEmbedder.load(tmp_path / "gpu", device="cpu")
    assert again.device_ == "cpu"
    np.testing.assert_array_equal(again.transform(ragged), fitted.transform(ragged))


def test_load_refuses_foreign_or_corrupt_models(fitted, tmp_path):
    out = fitted.save(tmp_path / "m")
    with pytest.raises(DataFormatError, match="Load it with AutoencoderEmbedder.load"):
        CNNClassifier.load(out)
    # weights of another network
    other = AutoencoderEmbedder(model_params={**LSTM, "hidden_size": 4}, **FAST).fit(
        make_collection(6, n_channels=2, n_times=300, random_state=1))
    other_dir = other.save(tmp_path / "other")
    (out / "weights.pt").write_bytes((other_dir / "weights.pt").read_bytes())
    with pytest.raises(DataFormatError, match="does not hold the weights of network 'convlstm-ae'"):
        AutoencoderEmbedder.load(out)
    (out / "weights.pt").write_bytes(b"\x00garbage")
    with pytest.raises(DataFormatError, match="weights.pt"):
        AutoencoderEmbedder.load(out)
    (out / "config.json").write_text("{not json")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        AutoencoderEmbedder.load(out)
    with pytest.raises(ValidationError, match="not a saved model"):
        (tmp_path / "busy").mkdir()
        (tmp_path / "busy" / "notes.txt").write_text("mine")
        fitted.save(tmp_path / "busy")


def test_short_series_named_with_minimum(fitted):
    X = [np.zeros((2, 300), np.float32), np.zeros((2, 30), np.float32)]
    with pytest.raises(ValidationError, match=r"at least 43 samples.*series 1.*n_times=30"):
        fitted.transform(X)


def test_channel_count_must_match(fitted):
    with pytest.raises(ValidationError, match="n_channels=2.*n_channels=3"):
        fitted.transform(np.zeros((2, 3, 300), np.float32))


def test_fixed_length_models_refuse_ragged(ragged):
    with pytest.raises(ValidationError, match="equal length"):
        AutoencoderEmbedder("conv-ae", **FAST).fit(ragged)
    emb = AutoencoderEmbedder("conv-ae", {"filters": (4, 4)}, **FAST).fit(np.zeros((6, 1, 100)))
    with pytest.raises(ValidationError, match=r"\(1, 100\)"):
        emb.transform(np.zeros((2, 1, 90)))


def test_lightning_like_vae_on_spectrograms():
    fs = 1 / 9.14e-6
    X = make_collection(16, n_channels=1, n_times=1024, fs=fs, random_state=0)
    spec = "spectrogram(nperseg=64, noverlap=8, fmax=22000, normalize='max')"
    emb = AutoencoderEmbedder("conv-vae", {"filters": (8, 8, 8), "dense": 16, "latent_dim": 3}, spec,
                              **FAST).fit(X)
    assert emb.input_shape_ == [1, 13, 18] and emb.transform(X).shape == (16, 3)
    assert emb.reconstruct(X).shape == (16, 1, 13, 18)
    # a bare array needs fs for the spectrogram: the fs parameter gives it
    twin = AutoencoderEmbedder("conv-vae", {"filters": (8, 8, 8)}, spec, fs=fs, **FAST).fit(X.to_numpy())
    assert twin.transform(X.to_numpy()).shape == (16, 3)
    assert {"train_reconstruction", "train_kl"} <= set(emb.history_[0])


def test_vae_on_images_directly_and_refusal_of_3d():
    images = np.random.default_rng(0).random((10, 1, 20, 30)).astype(np.float32)
    emb = AutoencoderEmbedder("conv-vae", {"filters": (4, 4)}, **FAST).fit(images)
    assert emb.transform(images).shape == (10, 3)
    with pytest.raises(ValidationError, match="4-D array"):
        AutoencoderEmbedder("conv-vae", **FAST).fit(np.zeros((4, 1, 100)))
    images[3, 0, 2, 2] = np.nan
    with pytest.raises(ValidationError, match="series 3"):
        emb.transform(images)


def test_bad_parameters():
    X = np.zeros((4, 1, 100))
    with pytest.raises(ValidationError, match="model must be one of"):
        AutoencoderEmbedder("cnn1d").fit(X)
    with pytest.raises(ValidationError, match="lr must be a number > 0"):
        AutoencoderEmbedder(lr=0).fit(X)
    with pytest.raises(ValidationError, match="model_params must not set \\['n_channels'\\]"):
        AutoencoderEmbedder(model_params={"n_channels": 3}, **FAST).fit(X)
    with pytest.raises(ValidationError, match="does not accept these parameters"):
        AutoencoderEmbedder(model_params={"hidden": 3}, **FAST).fit(X)


def test_determinism_under_a_seed(ragged):
    a = AutoencoderEmbedder(model_params=LSTM, **FAST).fit(ragged)
    b = AutoencoderEmbedder(model_params=LSTM, **FAST).fit(ragged)
    for k, v in a.module_.state_dict().items():
        assert torch.equal(v, b.module_.state_dict()[k])
    c = AutoencoderEmbedder(model_params=LSTM, **{**FAST, "random_state": 1}).fit(ragged)
    assert not np.array_equal(a.transform(ragged), c.transform(ragged))


def test_resume_through_the_wrapper(ragged, tmp_path):
    ck = tmp_path / "ck.pt"
    full = AutoencoderEmbedder(model_params=LSTM, **FAST).fit(ragged)
    AutoencoderEmbedder(model_params=LSTM, **{**FAST, "epochs": 2}, checkpoint=ck).fit(ragged)
    resumed = AutoencoderEmbedder(model_params=LSTM, **FAST).fit(ragged, resume_from=ck)
    np.testing.assert_array_equal(resumed.transform(ragged), full.transform(ragged))


def test_nan_loss_through_the_wrapper():
    X = make_collection(8, n_times=128, random_state=0).to_numpy() * 1e30
    with pytest.raises(Exception, match=r"(?s)epoch 1.*Lower the learning rate"):
        AutoencoderEmbedder("conv-ae", {"filters": (4,)}, standardize=False, **FAST).fit(X)


def test_streaming_fit_from_npy(tmp_path):
    X = make_collection(40, n_channels=2, n_times=256, random_state=0).to_numpy()
    path = tmp_path / "big.npy"
    np.save(path, X)
    # 40 series: the "auto" validation split would be empty, so ask for one
    a = AutoencoderEmbedder(model_params=LSTM, validation_fraction=0.1, **FAST).fit(str(path), chunk_size=7,
                                                                                    buffer_size=10)
    b = AutoencoderEmbedder(model_params=LSTM, validation_fraction=0.1, **FAST).fit(str(path), chunk_size=7,
                                                                                    buffer_size=10)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.transform(str(path)).shape == (40, 16)
    # the streamed standardisation equals the in-memory one
    mem = AutoencoderEmbedder(model_params=LSTM, **FAST).fit(X)
    np.testing.assert_allclose(a.input_mean_, mem.input_mean_, atol=1e-6)
    np.testing.assert_allclose(a.input_scale_, mem.input_scale_, rtol=1e-5)
    assert len(a.history_) == 3 and a.history_[0]["val_loss"] is not None


def test_classifier_learns_separable_classes(tmp_path):
    X = make_collection(60, n_channels=1, n_times=256, n_classes=3, noise=0.1, random_state=0)
    clf = CNNClassifier(model_params={"filters": (16, 16), "dropout": 0.0}, epochs=30, lr=3e-3, batch_size=8,
                        num_threads=1, random_state=0).fit(X)
    test = make_collection(30, n_channels=1, n_times=256, n_classes=3, noise=0.1, random_state=1)
    proba = clf.predict_proba(test)
    assert proba.shape == (30, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert (clf.predict(test) == test.labels).mean() >= 0.8
    again = CNNClassifier.load(clf.save(tmp_path / "clf"))
    np.testing.assert_array_equal(again.predict(test), clf.predict(test))
    with pytest.raises(ValidationError, match="no labels"):
        CNNClassifier(**FAST).fit(np.zeros((4, 1, 100)))


def test_detector_windows_ragged_series():
    train = make_collection(20, n_channels=1, n_times=400, ragged=True, min_times=128, random_state=0)
    det = ReconstructionDetector(model_params={"filters": (4, 4)}, window=64, step=32, **FAST).fit(train)
    scores = det.decision_function(train)
    assert scores.shape == (20,) and scores.dtype == np.float64
    np.testing.assert_allclose(scores, det.decision_scores_)
    assert det.embedder_.input_shape_ == [1, 64]
    with pytest.raises(ValidationError, match="at least 64 samples"):
        det.decision_function([np.zeros((1, 50))])


def test_import_without_torch_and_install_hint():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch blocked for this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import wavelens.models as m\n"
        "from wavelens.exceptions import MissingDependencyError\n"
        "assert m.AutoencoderEmbedder._get_test_params() == []\n"
        "try:\n"
        "    m.AutoencoderEmbedder(epochs=1).fit([[0.0] * 100])\n"
        "except MissingDependencyError as err:\n"
        "    print(err)\n"
        "try:\n"
        "    m.ConvLSTMAutoencoder(3)\n"
        "except MissingDependencyError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.count("pip install 'wavelens[torch]'") == 2
    assert issubclass(MissingDependencyError, ImportError)


def test_importing_the_package_does_not_import_torch():
    code = "import sys, wavelens.models; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
