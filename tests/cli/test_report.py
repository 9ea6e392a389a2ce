"""`wavelens report` and the run folders of `wavelens detect --run-dir` (status.json + report.html)."""

import json

import numpy as np

from wavelens.cli import main
from wavelens.datasets import make_vibration


def test_report_command_rebuilds_the_report(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"roc_auc": 0.875}))
    (run / "config.toml").write_text("pca = 10\n")
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert "report:" in out and str(run / "report.html") in out
    html = (run / "report.html").read_text()
    assert "0.875" in html and "pca = 10" in html
    assert main(["report", str(run), "--out", str(tmp_path / "elsewhere.html")]) == 0
    assert (tmp_path / "elsewhere.html").stat().st_size > 1000


def test_report_command_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    assert main(["report", str(tmp_path / "photos")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wavelens report: error:" in err and "is not a run folder" in err
    assert not (tmp_path / "photos" / "report.html").exists()
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _detect_data(tmp_path):
    train = make_vibration(20, n_times=2048, mains=0.4, random_state=1)
    test = make_vibration(16, n_times=2048, anomaly_fraction=0.25, random_state=2)
    np.save(tmp_path / "train.npy", train.to_numpy()[:, 0])
    np.save(tmp_path / "test.npy", test.to_numpy()[:, 0])
    np.savetxt(tmp_path / "labels.txt", test.labels, fmt="%d")


def test_detect_run_dir_gets_status_and_report(tmp_path, capsys):
    _detect_data(tmp_path)
    code = main(["detect", "--train", str(tmp_path / "train.npy"), "--test", str(tmp_path / "test.npy"), "--fs",
                 "1024", "--out", str(tmp_path / "s.txt"), "--labels", str(tmp_path / "labels.txt"),
                 "--run-dir", str(tmp_path / "run")])
    assert code == 0, capsys.readouterr().err
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["job"] == "detect" and status["status"] == "ok" and status["seconds"] >= 0
    html = (tmp_path / "run" / "report.html").read_text()
    assert 'id="wl-status">ok<' in html and 'data-name="roc.png"' in html and 'data-name="scores.png"' in html
    assert "roc_auc" in html and "[detector]" in html


def test_detect_failing_half_way_still_gets_a_failed_report(tmp_path, capsys):
    _detect_data(tmp_path)
    (tmp_path / "bad_labels.txt").write_text("0\n1\n")  # 2 labels for 16 test series: fails after loading
    code = main(["detect", "--train", str(tmp_path / "train.npy"), "--test", str(tmp_path / "test.npy"), "--fs",
                 "1024", "--out", str(tmp_path / "s.txt"), "--labels", str(tmp_path / "bad_labels.txt"),
                 "--run-dir", str(tmp_path / "run")])
    assert code == 2
    assert "2 labels for 16 test series" in capsys.readouterr().err
    assert not (tmp_path / "s.txt").exists()
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "failed" and "2 labels for 16 test series" in status["error"]
    html = (tmp_path / "run" / "report.html").read_text()
    assert 'id="wl-status">failed<' in html and "2 labels for 16 test series" in html
