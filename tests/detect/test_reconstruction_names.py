"""``reconstruction:<model>`` detector names: the registry, the lazy torch import, and `wavelens detect`."""

import subprocess
import sys

import numpy as np
import pytest

from wavelens.detect import detector_names, make_detector
from wavelens.exceptions import MissingDependencyError, ValidationError


def test_names_are_listed():
    names = detector_names()
    assert {"reconstruction:conv-ae", "reconstruction:conv-vae", "reconstruction:convlstm-ae"} <= set(names)


def test_registry_does_not_import_torch_unless_asked():
    code = ("import sys, wavelens.detect as d; d.make_detector('lof'); d.detector_names(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_make_reconstruction_detector():
    pytest.importorskip("torch")
    det = make_detector("Reconstruction:conv_vae", representation="spectrogram(nperseg=32, normalize='max')",
                        epochs=3, model_params={"filters": [4, 8], "latent_dim": 2})
    assert type(det).__name__ == "ReconstructionDetector"
    assert det.model == "conv-vae" and det.epochs == 3
    assert det.model_params == {"filters": (4, 8), "latent_dim": 2}  # TOML arrays become tuples


def test_reconstruction_name_errors():
    with pytest.raises(ValidationError, match=r"unknown network 'transformer'.*'conv-vae'"):
        make_detector("reconstruction:transformer")
    with pytest.raises(ValidationError, match="leave out model="):
        make_detector("reconstruction:conv-ae", model="conv-vae")
    pytest.importorskip("torch")
    with pytest.raises(ValidationError, match=r"unknown parameter\(s\) \['depth'\].*epochs"):
        make_detector("reconstruction:conv-ae", depth=3)


def test_reconstruction_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'wavelens\[torch\]'"):
        make_detector("reconstruction:conv-ae")


def test_detect_command_with_reconstruction_conv_vae(tmp_path, capsys):
    """`wavelens detect` fits a conv VAE on spectrograms (configured in [detector]) and ranks bursts first."""
    pytest.importorskip("torch")
    from wavelens.cli import main
    from wavelens.cli.detect import read_config

    rng = np.random.default_rng(0)
    t = np.arange(512) / 1000.0

    def tones(n):
        return (np.sin(2 * np.pi * rng.uniform(45, 55, (n, 1)) * t + rng.uniform(0, 6, (n, 1)))
                + 0.1 * rng.normal(size=(n, t.size))).astype(np.float32)

    train, test = tones(48), tones(20)
    test[:4] += (np.sin(2 * np.pi * 300 * t) * (np.abs(t - 0.25) < 0.1)).astype(np.float32)  # a high-pitched burst
    np.save(tmp_path / "train.npy", train[:, None])
    np.save(tmp_path / "test.npy", test[:, None])
    (tmp_path / "labels.txt").write_text("\n".join(["1"] * 4 + ["0"] * 16) + "\n")
    (tmp_path / "cfg.toml").write_text(
        '[detector]\nname = "reconstruction:conv-vae"\n'
        "representation = \"spectrogram(nperseg=64, noverlap=32, normalize='max')\"\n"
        "epochs = 25\nrandom_state = 0\nnum_threads = 1\nstandardize = false\n\n"
        "[detector.model_params]\nfilters = [8, 16]\ndense = 8\nlatent_dim = 2\n")
    out = tmp_path / "scores.txt"
    code = main(["detect", "--train", str(tmp_path / "train.npy"), "--test", str(tmp_path / "test.npy"), "--fs", "1000",
                 "--labels", str(tmp_path / "labels.txt"), "--config", str(tmp_path / "cfg.toml"), "--out", str(out),
                 "--run-dir", str(tmp_path / "run")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    scores = np.loadtxt(out)
    assert scores.shape == (20,) and np.isfinite(scores).all()
    assert scores[:4].min() > np.median(scores[4:])  # the bursts reconstruct worse than the normal tones
    assert "ROC AUC" in captured.out
    assert (tmp_path / "run" / "model" / "weights.pt").is_file()
    again = read_config(tmp_path / "run" / "config.toml")  # the run folder's configuration reads back
    assert again["detector"]["name"] == "reconstruction:conv-vae"
    assert again["detector"]["model_params"] == {"filters": [8, 16], "dense": 8, "latent_dim": 2}


def test_conv_vae_name_on_raw_series_defaults_to_db_spectrograms():
    pytest.importorskip("torch")
    det = make_detector("reconstruction:conv-vae", epochs=1)
    assert det.representation == "spectrogram(nperseg=256, scaling='db')"
    given = make_detector("reconstruction:conv-vae", representation="spectrogram(nperseg=64)", epochs=1)
    assert given.representation == "spectrogram(nperseg=64)"
    assert make_detector("reconstruction:conv-ae", epochs=1).representation is None
