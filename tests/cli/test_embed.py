"""`wavelens embed`: embeddings with ids, run folders, saved models, and clear failures."""

import json
import sys

import numpy as np
import pytest

from wavelens.cli import main
from wavelens.io import read_table

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

TINY_LSTM = ["-p", "conv_channels=(4, 8, 8)", "-p", "hidden_size=6", "-p", "num_layers=2", "-p", "kernel_size=5"]


def _write_events(folder, lengths, *, n_channels=3, fs=100, seed=0):
    """Ragged multichannel WAV files in two labelled sub-folders (the label is the folder)."""
    from scipy.io import wavfile

    rng = np.random.default_rng(seed)
    t_max = max(lengths)
    for i, n in enumerate(lengths):
        label = "quake" if i % 2 else "noise"
        (folder / label).mkdir(parents=True, exist_ok=True)
        t = np.arange(n) / fs
        x = rng.normal(scale=0.2, size=(n, n_channels))
        if label == "quake":  # a decaying burst on every channel
            x += np.exp(-3 * t / (t_max / fs))[:, None] * np.sin(2 * np.pi * 5 * t)[:, None]
        wavfile.write(folder / label / f"ev{i:02d}.wav", fs, x.astype(np.float32))
    return folder


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    return _write_events(tmp_path_factory.mktemp("events"), [160, 240, 200, 320, 180, 280, 220, 300, 260, 190])


@pytest.fixture(scope="module")
def trained(events, tmp_path_factory):
    """One convlstm-ae training run with a run folder, shared by the tests that read it."""
    pytest.importorskip("torch")
    out = tmp_path_factory.mktemp("trained")
    code = main(["embed", str(events), "--model", "convlstm-ae", *TINY_LSTM, "--epochs", "2", "--batch-size", "4",
                 "--seed", "0", "--no-progress", "--num-threads", "1", "--out", str(out / "emb.parquet"),
                 "--run-dir", str(out / "run")])
    assert code == 0
    return out


def test_embed_ragged_writes_ids_latent_and_labels(trained):
    df = read_table(trained / "emb.parquet")
    assert len(df) == 10
    assert df.columns[0] == "id" and df["id"].is_unique
    assert sum("ev00" in i for i in df["id"]) == 1
    z = df[[f"z{j}" for j in range(12)]].to_numpy()  # num_layers × hidden_size = 2 × 6
    assert "z12" not in df.columns
    assert np.isfinite(z).all() and z.std(axis=0).max() > 0
    assert sorted(set(df["label"])) == ["noise", "quake"]  # the folder labels ride along


def test_embed_run_folder_contents(trained):
    run = trained / "run"
    for name in ("config.toml", "history.json", "loss.png", "reconstructions.png", "embeddings.parquet",
                 "metrics.json", "summary.json"):
        assert (run / name).is_file(), name
    assert (run / "model").is_dir() and any((run / "model").iterdir())
    history = json.loads((run / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_series"] == 10 and metrics["n_latent"] == 12 and metrics["epochs_run"] == 2
    assert metrics["seconds_per_epoch"] > 0 and np.isfinite(metrics["final_train_loss"])
    summary = json.loads((run / "summary.json").read_text())
    assert summary["data"]["n_series"] == 10 and summary["embedding"]["n_latent"] == 12
    cfg = tomllib.loads((run / "config.toml").read_text())
    assert cfg["model"] == "convlstm-ae" and cfg["random_state"] == 0 and cfg["epochs"] == 2
    assert cfg["model_params"]["conv_channels"] == [4, 8, 8]
    assert (run / "reconstructions.png").stat().st_size > 5_000
    # the run folder's table and --out hold the same rows
    a, b = read_table(run / "embeddings.parquet"), read_table(trained / "emb.parquet")
    assert a["id"].tolist() == b["id"].tolist()
    np.testing.assert_array_equal(a["z0"].to_numpy(), b["z0"].to_numpy())


def test_embed_config_reproduces_the_run(trained, tmp_path):
    out = tmp_path / "again.csv"
    code = main(["embed", "--config", str(trained / "run" / "config.toml"), "--no-progress", "--out", str(out)])
    assert code == 0
    a, b = read_table(trained / "emb.parquet"), read_table(out)
    assert a["id"].tolist() == b["id"].tolist()
    cols = [c for c in a.columns if c.startswith("z")]
    np.testing.assert_allclose(a[cols].to_numpy(), b[cols].to_numpy(), rtol=1e-5, atol=1e-6)  # same seed, same model


def test_embed_model_dir_embeds_new_data_without_training(trained, tmp_path, capsys):
    new = _write_events(tmp_path / "new", [150, 400, 210], seed=7)
    out = tmp_path / "new.parquet"
    code = main(["embed", str(new), "--model-dir", str(trained / "run"), "--out", str(out),
                 "--run-dir", str(tmp_path / "run2")])
    assert code == 0, capsys.readouterr().err
    df = read_table(out)
    assert len(df) == 3 and "z11" in df.columns
    assert not (tmp_path / "run2" / "model").exists()  # nothing trained, nothing saved
    assert json.loads((tmp_path / "run2" / "metrics.json").read_text())["trained"] is False
    # its config.toml names the saved model, so --config embeds again with it (no training)
    cfg = tomllib.loads((tmp_path / "run2" / "config.toml").read_text())
    assert cfg["model_dir"] == str((trained / "run").resolve()) and "epochs" not in cfg
    assert main(["embed", "--config", str(tmp_path / "run2" / "config.toml"), "--out", str(tmp_path / "again.csv")]) == 0
    np.testing.assert_allclose(read_table(tmp_path / "again.csv")["z3"], df["z3"], rtol=1e-5, atol=1e-6)


def test_embed_model_dir_same_embeddings(trained, events, tmp_path):
    out = tmp_path / "same.parquet"
    assert main(["embed", str(events), "--model-dir", str(trained / "run" / "model"), "--out", str(out)]) == 0
    a, b = read_table(trained / "emb.parquet"), read_table(out)
    cols = [c for c in a.columns if c.startswith("z")]
    np.testing.assert_allclose(a[cols].to_numpy(), b[cols].to_numpy(), rtol=1e-5, atol=1e-6)


def test_embed_channel_mismatch_with_saved_model(trained, tmp_path, capsys):
    two = _write_events(tmp_path / "two", [200, 250], n_channels=2)
    out = tmp_path / "bad.parquet"
    code = main(["embed", str(two), "--model-dir", str(trained / "run"), "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "wavelens embed: error:" in err and "channel" in err and "3" in err and "2" in err
    assert not out.exists()


def test_embed_conv_vae_on_spectrograms_csv(tmp_path, capsys):
    pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    t = np.arange(512) / 8000.0
    f0 = rng.choice([500.0, 2000.0], size=24)
    X = (np.sin(2 * np.pi * f0[:, None] * t) + 0.1 * rng.normal(size=(24, 512))).astype(np.float32)
    np.save(tmp_path / "x.npy", X[:, None, :])
    out = tmp_path / "z.csv"
    code = main(["embed", str(tmp_path / "x.npy"), "--fs", "8000", "--model", "conv-vae", "--latent-dim", "3",
                 "--representation", "spectrogram(nperseg=32, noverlap=8, normalize='max')",
                 "-p", "filters=(4, 8)", "-p", "dense=8", "--epochs", "2", "--seed", "0", "--no-progress", "--num-threads", "1",
                 "--out", str(out), "--run-dir", str(tmp_path / "run")])
    assert code == 0, capsys.readouterr().err
    df = read_table(out)
    assert list(df.columns)[:4] == ["id", "z0", "z1", "z2"] and "z3" not in df.columns and len(df) == 24
    assert "file" in df.columns  # the loader's metadata rides along
    assert np.isfinite(df[["z0", "z1", "z2"]].to_numpy()).all()
    assert (tmp_path / "run" / "reconstructions.png").stat().st_size > 5_000
    cfg = tomllib.loads((tmp_path / "run" / "config.toml").read_text())
    assert cfg["representation"].startswith("spectrogram(") and cfg["data"]["fs"] == 8000.0


def test_embed_conv_ae_latent_dim(tmp_path, capsys):
    pytest.importorskip("torch")
    X = np.random.default_rng(2).normal(size=(16, 2, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / "z.parquet"
    code = main(["embed", str(tmp_path / "x.npy"), "--model", "conv_ae", "--latent-dim", "5", "-p", "filters=(4, 8)",
                 "--epochs", "1", "--no-progress", "--num-threads", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert [c for c in read_table(out).columns if c.startswith("z")] == [f"z{j}" for j in range(5)]


# --------------------------------------------------------------------------------------
# failures: one line on stderr, exit 2, no output file
# --------------------------------------------------------------------------------------
def _fails(args, capsys, out):
    code = main(["embed", *args, "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert not out.exists()
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    return lines[0]


def test_embed_unknown_model(events, tmp_path, capsys):
    err = _fails([str(events), "--model", "transformer"], capsys, tmp_path / "z.parquet")
    assert "unknown model" in err and "convlstm-ae" in err


def test_embed_without_torch_says_how_to_install(events, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    err = _fails([str(events), "--model", "convlstm-ae"], capsys, tmp_path / "z.parquet")
    assert "pip install 'wavelens[torch]'" in err


def test_embed_series_too_short(tmp_path, capsys):
    pytest.importorskip("torch")
    short = _write_events(tmp_path / "short", [200, 12, 220])
    err = _fails([str(short), "--model", "convlstm-ae", *TINY_LSTM, "--epochs", "1"], capsys, tmp_path / "z.parquet")
    assert "ev01" in err or "series 1" in err
    assert "at least 29 samples" in err  # kernel 5, strides (2, 2, 2): the receptive field


def test_embed_unwritable_output_fails_before_training(events, tmp_path, capsys):
    (tmp_path / "folder.parquet").mkdir()
    err = _fails([str(events), "--model", "convlstm-ae"], capsys, tmp_path / "z.xlsx")
    assert "suffix" in err
    code = main(["embed", str(events), "--model", "convlstm-ae", "--out", str(tmp_path / "folder.parquet")])
    assert code == 2 and "is a folder" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    err = _fails([str(events), "--model", "convlstm-ae"], capsys, tmp_path / "file" / "z.parquet")
    assert "not a folder" in err


def test_embed_latent_dim_refused_for_convlstm(events, tmp_path, capsys):
    pytest.importorskip("torch")
    err = _fails([str(events), "--model", "convlstm-ae", "--latent-dim", "3"], capsys, tmp_path / "z.parquet")
    assert "hidden_size" in err


def test_embed_unknown_model_param(events, tmp_path, capsys):
    pytest.importorskip("torch")
    err = _fails([str(events), "--model", "convlstm-ae", "-p", "depth=3"], capsys, tmp_path / "z.parquet")
    assert "'depth'" in err and "hidden_size" in err


def test_embed_model_dir_refuses_training_flags(trained, events, tmp_path, capsys):
    err = _fails([str(events), "--model-dir", str(trained / "run"), "--epochs", "3"], capsys, tmp_path / "z.parquet")
    assert "--epochs" in err


# --------------------------------------------------------------------------------------
# the run folder's report: status, clusters, latent figure, explorer
# --------------------------------------------------------------------------------------
def test_embed_run_folder_status_clusters_and_explorer(trained):
    import pandas as pd

    from wavelens.viz import read_explorer_data

    run = trained / "run"
    status = json.loads((run / "status.json").read_text())
    assert status["job"] == "embed" and status["status"] == "ok" and "error" not in status
    assert any(s.startswith("loaded 10 series") for s in status["steps"])
    assert any("clustered" in s for s in status["steps"])
    html = (run / "report.html").read_text()
    assert 'id="wl-explorer-data"' in html and "reconstructions.png" in html and "loss.png" in html
    # clustered (k by silhouette over 2..9: 10 series), every series in one cluster, one medoid each
    table = pd.read_parquet(run / "clusters.parquet")
    m = json.loads((run / "metrics.json").read_text())["clustering"]
    assert table["id"].tolist() == read_table(run / "embeddings.parquet")["id"].tolist()
    assert 2 <= m["k"] <= 9 and table["cluster"].nunique() == m["k"] and table["is_medoid"].sum() == m["k"]
    assert sum(m["sizes"]) == 10
    # latent dimension 12 > 3: PCA (3-D) and t-SNE (2-D) projections in the explorer
    ex = read_explorer_data(run)
    assert ex["ids"].tolist() == table["id"].tolist()
    assert {k: v.shape for k, v in ex["projections"].items()} == {"pca": (10, 3), "tsne": (10, 2)}
    assert np.array_equal(ex["columns"]["cluster"], table["cluster"].to_numpy(dtype=float))
    assert sorted(set(ex["columns"]["label"])) == ["noise", "quake"]
    assert np.isfinite(ex["columns"]["reconstruction_error"]).all()
    assert ex["time_unit"] == "s" and ex["wave"].shape[0] == 10
    assert (run / "latent.png").stat().st_size > 5_000


def test_embed_latent_3_is_the_explorer_space(tmp_path, capsys):
    pytest.importorskip("torch")
    from wavelens.viz import read_explorer_data

    rng = np.random.default_rng(3)
    t = np.arange(512) / 8000.0
    f0 = rng.choice([500.0, 2000.0], size=20)
    X = (np.sin(2 * np.pi * f0[:, None] * t) + 0.1 * rng.normal(size=(20, 512))).astype(np.float32)
    np.save(tmp_path / "x.npy", X[:, None, :])
    run = tmp_path / "run"
    code = main(["embed", str(tmp_path / "x.npy"), "--fs", "8000", "--model", "conv-vae", "--latent-dim", "3",
                 "--representation", "spectrogram(nperseg=32, noverlap=8, normalize='max')", "-p", "filters=(4, 8)",
                 "-p", "dense=8", "--epochs", "1", "--seed", "0", "--no-progress", "--num-threads", "1",
                 "--out", str(tmp_path / "z.parquet"), "--run-dir", str(run)])
    assert code == 0, capsys.readouterr().err
    ex = read_explorer_data(run)
    z = read_table(tmp_path / "z.parquet")[["z0", "z1", "z2"]].to_numpy()
    assert list(ex["projections"]) == ["latent"]  # no projection: the 3-D latent space itself
    np.testing.assert_allclose(ex["projections"]["latent"], z, rtol=1e-6, atol=1e-6)
    assert ex["freq_unit"] == "Hz" and np.allclose(ex["spec_fmax"], 4000.0)
    assert (run / "latent_3d.png").stat().st_size > 5_000
    assert json.loads((run / "status.json").read_text())["status"] == "ok"


def test_embed_failing_half_way_gets_a_failed_report(tmp_path, capsys):
    pytest.importorskip("torch")
    short = _write_events(tmp_path / "short", [200, 12, 220])
    run = tmp_path / "run"
    err = _fails([str(short), "--model", "convlstm-ae", *TINY_LSTM, "--epochs", "1", "--run-dir", str(run)], capsys,
                 tmp_path / "z.parquet")
    assert "at least 29 samples" in err
    status = json.loads((run / "status.json").read_text())
    assert status["status"] == "failed" and "at least 29 samples" in status["error"]
    assert status["steps"] and status["steps"][0].startswith("loaded 3 series")  # what it did before failing
    html = (run / "report.html").read_text()
    assert "failed" in html and "at least 29 samples" in html
    assert not (run / "embeddings.parquet").exists()
