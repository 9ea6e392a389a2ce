"""`wavelens demo`: score, embed, cluster and report on the simulated fleet."""

import json

import numpy as np
import pandas as pd
import pytest

from wavelens.cli import main
from wavelens.viz import read_explorer_data


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    code = main(["demo", "--out", str(out), "--small", "--no-torch"])
    assert code == 0
    return out


def test_demo_run_folder(demo_run, capsys):
    names = {p.name for p in demo_run.iterdir()}
    assert {"status.json", "summary.json", "config.toml", "metrics.json", "scores.txt", "embeddings.parquet",
            "clusters.parquet", "explorer.npz", "report.html", "series.png", "scores.png", "roc.png",
            "latent.png", "clusters.png"} <= names
    summary = json.loads((demo_run / "summary.json").read_text())
    assert summary["n_series"] == 120 and summary["labels"] == {"0": 90, "1": 30}
    metrics = json.loads((demo_run / "metrics.json").read_text())
    assert metrics["n_test"] == 60 and metrics["n_abnormal"] == 30 and metrics["roc_auc"] > 0.8
    assert 4 <= metrics["clustering"]["k"] <= 10
    assert metrics["embedding"]["embedder"].startswith("PCA(")
    scores = np.loadtxt(demo_run / "scores.txt")
    assert scores.shape == (60,) and np.isfinite(scores).all()
    tab = pd.read_parquet(demo_run / "clusters.parquet")
    assert len(tab) == 120 and {"id", "cluster", "is_medoid", "pca_0", "pca_2", "score", "kind"} <= set(tab.columns)
    assert tab["is_medoid"].sum() == metrics["clustering"]["k"]
    ex = read_explorer_data(demo_run)
    assert ex["ids"].size == 120 and ex["projections"]["pca"].shape == (120, 3)
    status = json.loads((demo_run / "status.json").read_text())
    assert status["status"] == "ok" and len(status["steps"]) == 5
    assert any("PCA" in n for n in status["notes"])  # the report says the autoencoder was not used
    html = (demo_run / "report.html").read_text()
    assert 'id="wl-explorer"' in html and "--no-torch" in html


def test_demo_is_deterministic(demo_run, tmp_path):
    assert main(["demo", "--out", str(tmp_path / "again"), "--small", "--no-torch"]) == 0
    a = pd.read_parquet(demo_run / "clusters.parquet")
    b = pd.read_parquet(tmp_path / "again" / "clusters.parquet")
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_array_equal(np.loadtxt(demo_run / "scores.txt"), np.loadtxt(tmp_path / "again" / "scores.txt"))


def test_demo_with_the_autoencoder(tmp_path, capsys):
    pytest.importorskip("torch")
    assert main(["demo", "--out", str(tmp_path / "run"), "--small", "--epochs", "3"]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert "Autoencoder" in metrics["embedding"]["embedder"]
    assert (tmp_path / "run" / "loss.png").stat().st_size > 5000
    assert "report:" in capsys.readouterr().out
