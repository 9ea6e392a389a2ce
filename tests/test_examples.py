"""Every example under examples/ runs end to end at a small size (so they never rot)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
LEELA = ROOT.parent / "shared" / "data" / "leela"


def _main(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / name / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


@pytest.mark.skipif(not LEELA.exists(), reason="the shared LEELA recordings are not beside this checkout")
def test_lightning_spectrograms(tmp_path):
    out = _main("lightning_spectrograms")(["--small", "--out", str(tmp_path), "--data", str(LEELA)])
    with np.load(out / "images.npz") as z:
        images = z["images"]
        assert images.shape == (120, 13, 18)
        assert np.isclose(images.max(axis=(1, 2)), 1.0).all()  # each divided by its own maximum
        assert set(z["station"].tolist()) == {"Herstmonceux", "Milford", "Watnall"}
    assert (out / "spectrograms.png").stat().st_size > 10_000


def test_tess_plot_images(tmp_path):
    out = _main("tess_plot_images")(["--small", "--out", str(tmp_path)])
    with np.load(out / "images.npz") as z:
        images = z["images"]
    assert images.shape == (50, 128, 128) and images.dtype == np.float32
    assert (images < 1).any(axis=(1, 2)).all()  # every spectrum drew something
    assert (out / "plot_images.png").exists()


def test_filterbank_classification(tmp_path):
    pytest.importorskip("aeon")
    out = _main("filterbank_classification")(["--small", "--out", str(tmp_path)])
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_features"] == 27
    assert m["accuracy"] > 0.9  # the tutorial's filter-bank features separate GunPoint
    assert (out / "pca_vs_lda.png").exists()


@pytest.mark.skipif(not LEELA.exists(), reason="the shared LEELA recordings are not beside this checkout")
def test_lightning_vae(tmp_path):
    pytest.importorskip("torch")
    from wavelens.io import read_table

    out = _main("lightning_vae")(["--small", "--out", str(tmp_path), "--data", str(LEELA)])
    df = read_table(out / "embeddings.parquet")
    assert len(df) == 120 and [c for c in df.columns if c.startswith("z")] == ["z0", "z1", "z2"]  # latent 3
    assert set(df["station"]) == {"Herstmonceux", "Milford", "Watnall"}
    assert np.isfinite(df[["z0", "z1", "z2"]].to_numpy()).all()
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs"] == 2 and m["image_shape"] == [13, 18] and m["seconds_per_epoch"] > 0
    assert (out / "latent_3d.png").stat().st_size > 10_000
    assert (out / "reconstructions.png").stat().st_size > 10_000
    assert (out / "model").is_dir()


def test_seismic_autoencoder(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("obspy")
    from wavelens.io import read_table

    out = _main("seismic_autoencoder")(["--small", "--out", str(tmp_path)])
    df = read_table(out / "embeddings.parquet")
    events = df[df["kind"] == "event"]
    assert len(events) == 6 and events["n_times"].nunique() == 6  # six real events, six different lengths
    assert len(df) == 6 + 24
    z = df[[c for c in df.columns if c.startswith("z")]].to_numpy()
    assert z.shape[1] == 2 * 16 and np.isfinite(z).all()  # num_layers × hidden_size of the --small network
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs"] == 2 and len(m["event_lengths"]) == 6
    assert (out / "seismic_embeddings.png").stat().st_size > 10_000


@pytest.mark.skipif(not LEELA.exists(), reason="the shared LEELA recordings are not beside this checkout")
def test_lightning_vae_run_folder_report(tmp_path):
    pytest.importorskip("torch")
    from wavelens.viz import read_explorer_data

    out = _main("lightning_vae")(["--small", "--out", str(tmp_path), "--data", str(LEELA)])
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "ok" and len(status["steps"]) == 4
    ex = read_explorer_data(out)
    z = pd_read(out)[["z0", "z1", "z2"]].to_numpy()
    assert list(ex["projections"]) == ["latent"]  # the 3-D latent space itself, rotatable in the report
    np.testing.assert_allclose(ex["projections"]["latent"], z, rtol=1e-5, atol=1e-6)
    assert set(ex["columns"]["station"]) == {"Herstmonceux", "Milford", "Watnall"}
    k = json.loads((out / "metrics.json").read_text())["clustering"]["k"]
    assert len(set(ex["columns"]["cluster"].tolist())) == k >= 2
    assert ex["freq_unit"] == "Hz" and ex["spec_fmax"].min() > 50_000  # fs ≈ 109 kHz
    html = (out / "report.html").read_text()
    for name in ("latent_3d.png", "latent_clusters_3d.png", "reconstructions.png", "loss.png"):
        assert name in html


def pd_read(out):
    from wavelens.io import read_table

    return read_table(out / "embeddings.parquet")
