"""`wavelens detect` end to end through the real entry point, on small files."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from wavelens.cli import main
from wavelens.datasets import make_vibration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("detect")
    train = make_vibration(40, n_times=4096 + 1024, mains=0.4, random_state=1)
    test = make_vibration(30, n_times=4096 + 1024, anomaly_fraction=0.2, random_state=2)
    np.save(d / "train.npy", train.to_numpy()[:, 0])
    np.save(d / "test.npy", test.to_numpy()[:, 0])
    np.savetxt(d / "labels.txt", test.labels, fmt="%d")
    return d, test


def _run(args, d, tmp_path, extra=()):
    return main(["detect", "--train", str(d / "train.npy"), "--test", str(d / "test.npy"), "--fs", "1024",
                 "--out", str(tmp_path / "s.txt"), *args, *extra])


def test_scores_labels_run_dir_and_model_reload(data, tmp_path, capsys):
    d, test = data
    code = _run(["--labels", str(d / "labels.txt"), "--run-dir", str(tmp_path / "run")], d, tmp_path)
    cap = capsys.readouterr()
    assert code == 0, cap.err
    scores = np.loadtxt(tmp_path / "s.txt")
    assert scores.shape == (30,) and np.isfinite(scores).all()
    assert "ROC AUC" in cap.out and "PR AUC" in cap.out and "fitting" in cap.err
    run = tmp_path / "run"
    assert {"config.toml", "model", "scores.txt", "metrics.json", "scores.png", "roc.png"} <= {
        p.name for p in run.iterdir()}
    m = json.loads((run / "metrics.json").read_text())
    assert m["n_test"] == 30 and 0.8 < m["roc_auc"] <= 1.0 and 0 < m["pr_auc"] <= 1.0
    # the constant (dead-sensor) row gets a finite score above every normal row
    kinds = np.asarray(test.metadata["anomaly"])
    assert scores[kinds == "constant"].min() > scores[kinds == ""].max()
    # --model reloads the saved detector: identical scores, no --train
    code = main(["detect", "--model", str(run), "--test", str(d / "test.npy"), "--fs", "1024",
                 "--out", str(tmp_path / "s2.txt")])
    assert code == 0, capsys.readouterr().err
    np.testing.assert_array_equal(np.loadtxt(tmp_path / "s2.txt"), scores)
    # the run's config.toml reproduces the run
    code = main(["detect", "--config", str(run / "config.toml"), "--out", str(tmp_path / "s3.txt")])
    assert code == 0, capsys.readouterr().err
    np.testing.assert_allclose(np.loadtxt(tmp_path / "s3.txt"), scores)


def test_named_detector_and_config(data, tmp_path, capsys):
    d, _ = data
    assert _run(["--detector", "iforest"], d, tmp_path) == 0
    assert np.loadtxt(tmp_path / "s.txt").shape == (30,)
    (tmp_path / "c.toml").write_text(
        'representation = "statistics"\npca = 3\nwhiten = true\n[detector]\nname = "lof"\nn_neighbors = 5\n')
    assert _run(["--config", str(tmp_path / "c.toml")], d, tmp_path) == 0
    assert np.isfinite(np.loadtxt(tmp_path / "s.txt")).all()


@pytest.mark.parametrize("args, message", [
    (["--detector", "nope"], "unknown detector 'nope'; valid names"),
    (["--labels", "LABELS_SHORT"], "5 labels for 30 test series"),
    (["--labels", "LABELS_BAD"], "must be 0 (normal) or 1 (abnormal), found 2.0"),
    (["--labels", "no_such_column"], "no such file, and not a label column"),
    (["--config", "BAD_TOML"], "not valid TOML"),
    (["--step", "10"], "--step and --aggregate need --window N"),
])
def test_bad_inputs_exit_2_and_leave_no_scores(data, tmp_path, capsys, args, message):
    d, _ = data
    np.savetxt(tmp_path / "short.txt", np.zeros(5), fmt="%d")
    np.savetxt(tmp_path / "bad.txt", np.r_[np.zeros(29), 2], fmt="%d")
    (tmp_path / "bad.toml").write_text("detector = [unclosed\n")
    subst = {"LABELS_SHORT": str(tmp_path / "short.txt"), "LABELS_BAD": str(tmp_path / "bad.txt"),
             "BAD_TOML": str(tmp_path / "bad.toml")}
    code = _run([subst.get(a, a) for a in args], d, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "wavelens detect: error:" in err and "Traceback" not in err
    assert not (tmp_path / "s.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".s.txt")]


def test_shape_mismatch(data, tmp_path, capsys):
    d, _ = data
    np.save(tmp_path / "short.npy", np.random.default_rng(0).normal(size=(5, 1000)).astype(np.float32))
    np.save(tmp_path / "two.npy", np.random.default_rng(0).normal(size=(5, 2, 5120)).astype(np.float32))
    for bad, message in (("short.npy", "without --window every series must have one length"),
                         ("two.npy", "has 1 channel(s) but --test")):
        code = main(["detect", "--train", str(d / "train.npy"), "--test", str(tmp_path / bad), "--fs", "1024",
                     "--out", str(tmp_path / "s.txt")])
        assert code == 2 and message in capsys.readouterr().err
        assert not (tmp_path / "s.txt").exists()


def test_missing_test_and_model_conflicts(data, tmp_path, capsys):
    d, _ = data
    assert main(["detect", "--train", str(d / "train.npy"), "--out", str(tmp_path / "s.txt")]) == 2
    assert "--test is required" in capsys.readouterr().err
    assert main(["detect", "--model", str(tmp_path), "--train", str(d / "train.npy"), "--test",
                 str(d / "test.npy"), "--out", str(tmp_path / "s.txt")]) == 2
    assert "give no --train" in capsys.readouterr().err


def test_windowed_scoring_and_window_scores(data, tmp_path, capsys):
    d, _ = data
    code = _run(["--window", "1024", "--aggregate", "max", "--labels", str(d / "labels.txt"),
                 "--window-scores", str(tmp_path / "w.csv")], d, tmp_path)
    cap = capsys.readouterr()
    assert code == 0, cap.err
    scores = np.loadtxt(tmp_path / "s.txt")
    assert scores.shape == (30,) and "ROC AUC" in cap.out
    from wavelens.io import read_table

    w = read_table(tmp_path / "w.csv")
    assert w.columns.tolist() == ["id", "score", "series", "start"]
    assert len(w) == 30 * 5  # 5120 samples: windows of 1024 at 0, 1024, ..., 4096
    # the series score is the max of its window scores (--aggregate max)
    np.testing.assert_allclose(w.groupby("series")["score"].max().to_numpy(), scores, rtol=1e-12)
    # --window-scores without windows is refused, and no scores file is left
    code = _run(["--window-scores", str(tmp_path / "w2.csv")], d, tmp_path, extra=["--out", str(tmp_path / "s2.txt")])
    assert code == 2 and "--window-scores needs --window" in capsys.readouterr().err
    assert not (tmp_path / "s2.txt").exists()


def test_within_series_with_per_sample_labels(tmp_path, capsys):
    # a periodic series (period 50) with one distorted stretch, labelled per sample
    t = np.arange(6000)
    x = np.sin(2 * np.pi * t / 50) + 0.05 * np.random.default_rng(0).standard_normal(t.size)
    label = np.zeros(t.size, dtype=int)
    label[3000:3100] = 1
    x[3000:3100] += 1.5 * np.sin(2 * np.pi * t[3000:3100] / 13)
    np.savetxt(tmp_path / "ecg.csv", np.column_stack([x, label]), fmt=["%.6f", "%d"], delimiter=",")
    code = main(["detect", "--test", str(tmp_path / "ecg.csv"), "--format", "text-columns", "-o", "label_column=1",
                 "--out", str(tmp_path / "p.txt")])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    scores = np.loadtxt(tmp_path / "p.txt")
    assert scores.shape == (6000,) and np.isfinite(scores).all()
    assert 3000 <= int(np.argmax(scores)) < 3100 + 75  # inside the planted stretch (or its trailing window)
    auc = float(cap.out.split("ROC AUC")[1].split()[0])
    assert auc > 0.95 and "/ 6000 samples" in cap.out


def test_helicopter_example_small(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("example_helicopter", ROOT / "examples" / "helicopter" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(["--small", "--out", str(tmp_path), "--configs", "default", "pca_lof", "stft_centroid_lof"])
    summary = json.loads((out / "summary.json").read_text())
    assert all(v["status"] == "ok" for v in summary.values()), summary
    assert summary["default"]["roc_auc"] > 0.9
    assert summary["default"]["roc_auc"] > summary["pca_lof"]["roc_auc"]


def test_run_dir_explorer_shows_what_the_detector_sees(data, tmp_path, capsys):
    from wavelens.viz import read_explorer_data

    d, test = data
    run = tmp_path / "run"
    code = _run(["--labels", str(d / "labels.txt"), "--run-dir", str(run)], d, tmp_path)
    assert code == 0, capsys.readouterr().err
    status = json.loads((run / "status.json").read_text())
    assert status["status"] == "ok" and any("the detector's features" in n for n in status["notes"])
    ex = read_explorer_data(run)
    scores = np.loadtxt(tmp_path / "s.txt")
    from wavelens.io import load

    assert ex["ids"].tolist() == [str(i) for i in load(d / "test.npy").ids]  # one point per test series, in order
    assert {k: v.shape for k, v in ex["projections"].items()} == {"pca": (30, 3), "tsne": (30, 2)}
    np.testing.assert_allclose(ex["columns"]["score"], scores)
    np.testing.assert_array_equal(ex["columns"]["label"], test.labels)
    assert sorted(ex["columns"]["rank"].astype(int)) == list(range(1, 31))
    assert ex["columns"]["rank"][int(np.argmax(scores))] == 1
    assert ex["time_unit"] == "s" and np.allclose(ex["spec_fmax"], 512.0)
    html = (run / "report.html").read_text()
    for name in ("roc.png", "pr.png", "scores.png"):
        assert name in html
    assert 'id="wl-explorer-data"' in html


def test_run_dir_reconstruction_detector_draws_reconstructions(data, tmp_path, capsys):
    pytest.importorskip("torch")
    from wavelens.viz import read_explorer_data

    d, test = data
    (tmp_path / "vae.toml").write_text(
        '[detector]\nname = "reconstruction:conv-vae"\nrepresentation = "spectrogram(nperseg=256, noverlap=128)"\n'
        'epochs = 2\nbatch_size = 16\nrandom_state = 0\nnum_threads = 1\n\n'
        '[detector.model_params]\nfilters = [4, 8]\ndense = 8\nlatent_dim = 4\n')
    run = tmp_path / "run"
    code = _run(["--config", str(tmp_path / "vae.toml"), "--labels", str(d / "labels.txt"), "--run-dir", str(run)],
                d, tmp_path)
    assert code == 0, capsys.readouterr().err
    assert (run / "reconstructions.png").stat().st_size > 10_000
    status = json.loads((run / "status.json").read_text())
    assert "reconstructions.png" in status["figures"]
    assert any("latent embedding (4 dimensions)" in n for n in status["notes"])
    assert read_explorer_data(run)["projections"]["pca"].shape == (30, 3)
