"""`wavelens cluster` through the real entry point: outputs, run folder, bad input."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from wavelens.cli import main
from wavelens.io import write_table


def _embeddings(tmp_path, name="emb.parquet", k=3, per=12, d=5, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * 10
    E = np.vstack([rng.normal(c, 0.3, size=(per, d)) for c in centres])
    y = np.repeat(np.arange(k), per)
    ids = [f"chunk_{i:03d}" for i in range(len(E))]
    path = write_table(tmp_path / name, E, ids=ids, prefix="z",
                       extra={"label": y, "score": rng.random(len(E)), "station": ["ABC"[i % 3] for i in range(len(E))]})
    return path, E, y, ids


def test_cluster_writes_table_beside_embeddings(tmp_path, capsys):
    path, E, y, ids = _embeddings(tmp_path)
    assert main(["cluster", str(path), "--projection", "pca,tsne", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "kmeans: k = 3" in out and "medoid" in out and "silhouette by k" in out
    table = pd.read_parquet(tmp_path / "emb_clusters.parquet")
    assert list(table.columns) == ["id", "cluster", "is_medoid", "pca_0", "pca_1", "tsne_0", "tsne_1",
                                   "label", "score", "station"]
    assert table["id"].tolist() == ids
    assert adjusted_rand_score(y, table["cluster"]) == 1.0
    assert table["is_medoid"].sum() == 3
    assert table.groupby("cluster")["is_medoid"].sum().tolist() == [1, 1, 1]
    for name in table["id"][table["is_medoid"]]:
        assert name in out
    # same seed → same table
    assert main(["cluster", str(path), "--projection", "pca,tsne", "--seed", "3", "--out",
                 str(tmp_path / "again.parquet")]) == 0
    pd.testing.assert_frame_equal(table, pd.read_parquet(tmp_path / "again.parquet"))


def test_cluster_gmm_fixed_k_3d_csv_out(tmp_path, capsys):
    path, E, y, ids = _embeddings(tmp_path, name="emb.csv", k=4, per=8)
    out = tmp_path / "c.csv"
    assert main(["cluster", str(path), "--method", "gmm", "--k", "4", "--projection", "pca", "--dims", "3",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"id": str})
    assert [c for c in table.columns if c.startswith("pca_")] == ["pca_0", "pca_1", "pca_2"]
    assert table["cluster"].nunique() == 4 and adjusted_rand_score(y, table["cluster"]) == 1.0
    assert "gmm: k = 4" in capsys.readouterr().out


def test_cluster_run_dir_and_config_reproduces(tmp_path, capsys):
    path, E, y, ids = _embeddings(tmp_path)
    run = tmp_path / "run"
    assert main(["cluster", str(path), "--k-max", "6", "--projection", "pca", "--run-dir", str(run)]) == 0
    for name in ("config.toml", "clusters.parquet", "metrics.json", "latent.png"):
        assert (run / name).is_file(), name
    assert (run / "latent.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["k"] == 3 and metrics["criterion"] == "silhouette"
    assert sorted(metrics["criterion_values"], key=int) == [str(k) for k in range(2, 7)]
    assert metrics["silhouette"] > 0.8 and metrics["sizes"] == [12, 12, 12]
    assert len(metrics["medoid_ids"]) == 3 and metrics["n_series"] == 36
    first = pd.read_parquet(run / "clusters.parquet")
    # the run folder's config.toml alone reproduces the run
    run2 = tmp_path / "run2"
    assert main(["cluster", "--config", str(run / "config.toml"), "--out", str(tmp_path / "x.parquet"),
                 "--run-dir", str(run2)]) == 0
    pd.testing.assert_frame_equal(first, pd.read_parquet(run2 / "clusters.parquet"))


def test_cluster_hdbscan(tmp_path, capsys):
    path, E, y, ids = _embeddings(tmp_path, per=15)
    assert main(["cluster", str(path), "--method", "hdbscan", "--projection", "none"]) == 0
    table = pd.read_parquet(tmp_path / "emb_clusters.parquet")
    assert adjusted_rand_score(y, table["cluster"]) == 1.0
    assert not any(c.startswith(("pca_", "tsne_")) for c in table.columns)


def _fails(args, capsys, *needles):
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("wavelens cluster: error:") and "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_cluster_bad_input(tmp_path, capsys):
    path, E, y, ids = _embeddings(tmp_path, per=2)  # 6 series
    out = tmp_path / "out.parquet"
    _fails(["cluster", str(path), "--k", "8", "--out", str(out)], capsys, "cannot cluster 6 series into k=8 clusters")
    _fails(["cluster", str(path), "--k", "1", "--out", str(out)], capsys, "--k must be >= 2")
    _fails(["cluster", str(path), "--k", "many", "--out", str(out)], capsys, "--k must be 'auto' or an integer")
    _fails(["cluster", str(path), "--method", "spectral", "--out", str(out)], capsys,
           "method must be one of ['kmeans', 'gmm', 'hdbscan'], found 'spectral'")
    _fails(["cluster", str(path), "--projection", "pca,mds", "--out", str(out)], capsys, "unknown projection(s) ['mds']")
    _fails(["cluster", str(path), "--dims", "4", "--out", str(out)], capsys, "--dims must be 2 or 3")
    assert not out.exists()  # no output from failed runs

    nan = tmp_path / "nan.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d"], "z0": [0.0, np.nan, 1.0, 2.0], "z1": [1.0, 2.0, 3.0, 4.0]}).to_csv(nan, index=False)
    _fails(["cluster", str(nan)], capsys, "1 of 4 rows hold NaN or inf (ids 'b')")
    noid = tmp_path / "noid.csv"
    pd.DataFrame({"name": ["a", "b"], "z0": [0.0, 1.0]}).to_csv(noid, index=False)
    _fails(["cluster", str(noid)], capsys, "no 'id' column")
    nonum = tmp_path / "nonum.csv"
    pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"]}).to_csv(nonum, index=False)
    _fails(["cluster", str(nonum)], capsys, "no numeric embedding columns")
    _fails(["cluster", str(tmp_path / "missing.parquet")], capsys, "no such file")
    assert not list(tmp_path.glob("*_clusters.parquet"))


def test_cluster_failure_keeps_previous_output_intact(tmp_path, capsys, monkeypatch):
    path, *_ = _embeddings(tmp_path)
    out = tmp_path / "c.parquet"
    assert main(["cluster", str(path), "--projection", "pca", "--out", str(out)]) == 0
    before = out.read_bytes()

    def half_written(self, target, *args, **kwargs):  # writes part of the file, then the disk fills up
        with open(target, "wb") as fh:
            fh.write(b"PAR1 partial")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_written)
    _fails(["cluster", str(path), "--projection", "pca", "--out", str(out)], capsys, "disk full")
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c.parquet")]


@pytest.mark.parametrize("flag", ["--help"])
def test_cluster_help_lists_options(flag, capsys):
    assert main(["cluster", flag]) == 0
    out = capsys.readouterr().out
    for opt in ("--method", "--k", "--projection", "--dims", "--seed", "--run-dir"):
        assert opt in out


def test_cluster_with_series_and_colour_columns(tmp_path, capsys):
    # the series behind the embeddings, stored in another order: matched by id
    rng = np.random.default_rng(0)
    fs, n_times = 200.0, 256
    t = np.arange(n_times) / fs
    freqs = np.repeat([5.0, 40.0], 10)
    X = (np.sin(2 * np.pi * freqs[:, None] * t) + 0.1 * rng.normal(size=(20, n_times)))[:, None, :]
    np.save(tmp_path / "x.npy", X.astype(np.float32))
    order = rng.permutation(20)
    E = np.c_[freqs, rng.normal(0, 0.5, size=(20, 2))][order]
    path = write_table(tmp_path / "emb.csv", E, ids=[str(i) for i in order], prefix="z",
                       extra={"label": (freqs[order] > 10).astype(int), "score": rng.random(20)})
    run = tmp_path / "run"
    assert main(["cluster", str(path), "--k", "2", "--projection", "pca", "--series", str(tmp_path / "x.npy"),
                 "--fs", str(fs), "--color", "label", "--color", "score", "--run-dir", str(run)]) == 0
    for name in ("latent.png", "latent_pca_by_label.png", "latent_pca_by_score.png", "cluster_examples.png"):
        assert (run / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    table = pd.read_parquet(run / "clusters.parquet")
    assert adjusted_rand_score(table["label"], table["cluster"]) == 1.0
    from wavelens import viz

    if hasattr(viz, "write_report"):  # the report (another module) with its explorer of these series
        assert (run / "report.html").is_file() and (run / "explorer.npz").is_file()
    cfg = (run / "config.toml").read_text()
    assert "series = " in cfg and "fs = 200.0" in cfg and 'color = ["label", "score"]' in cfg
    capsys.readouterr()
    _fails(["cluster", str(path), "--color", "station", "--run-dir", str(run)], capsys, "--color 'station': no such column")
    _fails(["cluster", str(path), "--color", "label"], capsys, "give --run-dir")
    np.save(tmp_path / "few.npy", X[:5].astype(np.float32))
    _fails(["cluster", str(path), "--series", str(tmp_path / "few.npy"), "--run-dir", str(run)], capsys,
           "holds 5 series but the embeddings 20")


def test_cluster_run_dir_status_and_report(tmp_path, capsys):
    path, *_ = _embeddings(tmp_path)
    run = tmp_path / "run"
    assert main(["cluster", str(path), "--projection", "pca", "--run-dir", str(run)]) == 0
    status = json.loads((run / "status.json").read_text())
    assert status["job"] == "cluster" and status["status"] == "ok"
    assert status["steps"][0].startswith("read 36 embeddings") and "k = 3" in status["steps"][1]
    html = (run / "report.html").read_text()
    assert "latent.png" in html and 'id="wl-status"' in html


def test_cluster_failing_half_way_gets_a_failed_report(tmp_path, capsys):
    path, *_ = _embeddings(tmp_path, k=2, per=3)  # 6 series, 8 clusters asked for
    run = tmp_path / "run"
    _fails(["cluster", str(path), "--k", "8", "--run-dir", str(run)], capsys, "cannot cluster 6 series into k=8")
    status = json.loads((run / "status.json").read_text())
    assert status["status"] == "failed" and "k=8" in status["error"]
    assert status["steps"] == ["read 6 embeddings × 5 dimensions from " + str(path)]  # what it did before failing
    html = (run / "report.html").read_text()
    assert "failed" in html and "cannot cluster 6 series into k=8" in html
    assert not (run / "clusters.parquet").exists() and not (tmp_path / "emb_clusters.parquet").exists()
