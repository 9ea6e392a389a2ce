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
