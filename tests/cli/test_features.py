"""`wavelens features`: a table of features with ids from any input."""

import numpy as np

from wavelens.cli import main
from wavelens.io import read_table
from wavelens.testing import make_collection


def test_features_command(tmp_path, capsys):
    s = make_collection(12, 2, 512, fs=200.0, random_state=0)
    np.save(tmp_path / "x.npy", s.to_numpy())
    code = main(["features", str(tmp_path / "x.npy"), "--fs", "200", "--no-progress",
                 "-p", "detrend | statistics + band_power(edges=(0, 20, 50, 100))",
                 "--out", str(tmp_path / "f.parquet")])
    assert code == 0, capsys.readouterr().err
    assert "wrote 12 rows" in capsys.readouterr().out
    df = read_table(tmp_path / "f.parquet")
    assert len(df) == 12 and df["id"].tolist()[:2] == ["0", "1"]
    assert np.isfinite(df.drop(columns="id").to_numpy()).all()


def test_features_bad_pipeline_exit_2_no_output(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((3, 100)))
    code = main(["features", str(tmp_path / "x.npy"), "-p", "magic", "--out", str(tmp_path / "f.csv")])
    assert code == 2
    assert "unknown transform" in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()


def test_features_needs_fs_for_hz(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(3, 100)))
    code = main(["features", str(tmp_path / "x.npy"), "-p", "band_power(edges=(0, 10))",
                 "--out", str(tmp_path / "f.csv"), "--no-progress"])
    assert code == 2
    assert "fs" in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()
