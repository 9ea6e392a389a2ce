"""`wavelens inspect` through the real entry point (`wavelens demo`: tests/cli/test_demo.py)."""

import json
import subprocess
import sys

import numpy as np

from wavelens.cli import main


def test_inspect_npy_with_plot_and_json(tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(7, 2, 300)).astype(np.float32)
    X[2] = 1.5
    X[4, 0, 10] = np.nan
    np.save(tmp_path / "x.npy", X)
    code = main(["inspect", str(tmp_path / "x.npy"), "--fs", "250", "--plot", str(tmp_path / "f.png"),
                 "--json", str(tmp_path / "s.json")])
    out = capsys.readouterr().out
    assert code == 0
    assert "series with NaN/inf" in out and "1: 4" in out
    assert "constant series" in out and "1: 2" in out
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["n_series"] == 7 and summary["n_channels"] == 2 and summary["fs"] == [250.0]
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_inspect_errors_are_one_line_exit_2(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "wavelens inspect: error:" in err and "no such file" in err
    assert "Traceback" not in err
    assert main(["inspect", str(tmp_path), "-o", "novalue"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_inspect_failure_leaves_no_partial_output(tmp_path, capsys):
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY garbage")
    code = main(["inspect", str(tmp_path / "bad.npy"), "--json", str(tmp_path / "s.json"),
                 "--plot", str(tmp_path / "f.png")])
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npy"]


def test_usage_error_exit_2(capsys):
    assert main(["inspect"]) == 2


def test_python_dash_m(tmp_path):
    r = subprocess.run([sys.executable, "-m", "wavelens", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "inspect" in r.stdout
