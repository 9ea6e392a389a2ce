"""report.html and explorer.npz, without a browser: sections, embedded images, no outside links."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from wavelens.cli._runfolder import RunFolder, current_run
from wavelens.datasets import make_vibration
from wavelens.exceptions import ValidationError
from wavelens.viz import read_explorer_data, save_figure, write_explorer_data, write_report
from wavelens.viz._style import new_figure


@pytest.fixture(scope="module")
def records():
    return make_vibration(30, n_times=1024, anomaly_fraction=0.3, random_state=3)


def _figure(path):
    fig, axes = new_figure(1, 1, figsize=(3, 2))
    axes[0, 0].plot(np.arange(10), np.arange(10) ** 2)
    axes[0, 0].set_xlabel("time (s)")
    save_figure(fig, path)


def _table(s):
    rng = np.random.default_rng(0)
    n = len(s)
    return pd.DataFrame({"id": s.ids[::-1], "cluster": rng.integers(0, 3, n), "score": rng.normal(size=n),
                         "pca_0": rng.normal(size=n), "pca_1": rng.normal(size=n), "pca_2": rng.normal(size=n),
                         "tsne_0": rng.normal(size=n), "tsne_1": rng.normal(size=n)})


def test_explorer_data_round_trip(tmp_path, records):
    tab = _table(records)
    path = write_explorer_data(tmp_path, records, table=tab, n_envelope=200, spec_shape=(32, 40))
    assert path.name == "explorer.npz"
    ex = read_explorer_data(tmp_path)
    n = len(records)
    assert ex["ids"].tolist() == list(records.ids)
    assert set(ex["projections"]) == {"pca", "tsne"}
    assert ex["projections"]["pca"].shape == (n, 3) and ex["projections"]["tsne"].shape == (n, 2)
    # rows matched by id: the table was given in reverse order
    order = {i: k for k, i in enumerate(tab["id"])}
    k0 = order[records.ids[0]]
    assert ex["projections"]["pca"][0, 0] == pytest.approx(tab["pca_0"].iloc[k0], rel=1e-6)
    assert ex["columns"]["cluster"][0] == tab["cluster"].iloc[k0]
    assert {"cluster", "score", "label", "anomaly"} <= set(ex["columns"])
    assert ex["wave"].shape == (n, 2, 200) and ex["wave"].dtype == np.uint8
    assert ex["spec"].shape == (n, 32, 40) and ex["spec"].dtype == np.uint8
    assert ex["time_unit"] == "s" and ex["freq_unit"] == "Hz"
    np.testing.assert_allclose(ex["duration"], 1024 / 1024.0)
    np.testing.assert_allclose(ex["spec_fmax"], 512.0)
    # the envelope brackets the series: dequantised min/max match the series' extremes
    x = records.to_numpy()[:, 0]
    np.testing.assert_allclose(ex["wave_range"][:, 0], x.min(axis=1), rtol=1e-6)
    np.testing.assert_allclose(ex["wave_range"][:, 1], x.max(axis=1), rtol=1e-6)
    assert (ex["wave"][:, 0] <= ex["wave"][:, 1]).all()


def test_explorer_spectrogram_finds_the_tone(tmp_path):
    fs, t = 1000.0, np.arange(2000) / 1000.0
    X = np.stack([np.sin(2 * np.pi * f * t) for f in (50.0, 200.0, 400.0)])[:, None, :]
    X[:, :, :] += 0.001 * np.random.default_rng(0).normal(size=X.shape)
    write_explorer_data(tmp_path, X, fs=fs, projections={"p": X[:, 0, :2]})
    spec = read_explorer_data(tmp_path)["spec"]
    peak_row = spec.mean(axis=2).argmax(axis=1)
    freqs = (peak_row + 0.5) / spec.shape[1] * fs / 2
    np.testing.assert_allclose(freqs, [50, 200, 400], atol=fs / 2 / spec.shape[1])


def test_explorer_constant_and_ragged_series(tmp_path):
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(1, 300)), np.zeros((1, 500)), np.full((1, 120), 3.0)]
    write_explorer_data(tmp_path, X, fs=100.0, projections={"p": rng.normal(size=(3, 2))})
    ex = read_explorer_data(tmp_path)
    np.testing.assert_allclose(ex["duration"], [3.0, 5.0, 1.2])
    assert (ex["spec"][1] == 0).all()  # an all-zero series: no spectrum, no NaN
    assert ex["wave_range"][2].tolist() == [3.0, 3.0]


def test_explorer_bad_input(tmp_path, records):
    with pytest.raises(ValidationError, match="no projection"):
        write_explorer_data(tmp_path, records)
    bad = np.zeros((len(records), 2))
    bad[4, 1] = np.nan
    with pytest.raises(ValidationError, match=f"NaN or inf for series '{records.ids[4]}'"):
        write_explorer_data(tmp_path, records, projections={"pca": bad})
    tab = _table(records).iloc[1:]
    with pytest.raises(ValidationError, match="not in the table's 'id' column"):
        write_explorer_data(tmp_path, records, table=tab)
    with pytest.raises(ValidationError, match="channel=2"):
        write_explorer_data(tmp_path, records, projections={"p": bad[:, :1].repeat(2, 1) * 0}, channel=2)
    with pytest.raises(ValidationError, match="no explorer data"):
        read_explorer_data(tmp_path / "elsewhere")


def _run_folder(path, records, *, fail=False):
    with RunFolder(path, job="test-job") as run:
        assert current_run() is run
        (path / "summary.json").write_text(json.dumps({"n_series": len(records), "fs": [1024.0]}))
        (path / "config.toml").write_text('[detector]\nname = "lof"\n')
        (path / "metrics.json").write_text(json.dumps({"roc_auc": 0.9312, "nested": {"k": 3}}))
        _figure(path / "roc.png")
        _figure(path / "extra_plot.png")
        run.caption("extra_plot.png", "An extra plot.")
        run.step("drew the figures")
        write_explorer_data(path, records, table=_table(records))
        run.step("wrote the explorer")
        run.note("a note for the reader")
        if fail:
            raise ValidationError("boom: series 'x' is broken")
    return run


def _external_refs(text):
    # plotly.js holds URL strings in its code; the page's own markup must reference nothing outside
    text = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S | re.I)
    return re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', text, flags=re.I)


def test_report_sections_images_and_no_outside_requests(tmp_path, records):
    run = _run_folder(tmp_path / "run", records)
    html = run.report_path.read_text()
    assert run.report_path == tmp_path / "run" / "report.html"
    for section in ("wl-header", "wl-summary", "wl-config", "wl-metrics", "wl-figures", "wl-explorer", "wl-files",
                    "wl-steps", "wl-notes"):
        assert f'id="{section}"' in html, section
    assert 'id="wl-status">ok<' in html and 'class="badge ok"' in html
    assert "0.9312" in html and "nested.k" in html and "name = &quot;lof&quot;" in html
    imgs = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(imgs) == 2 and all(src.startswith("data:image/png;base64,") for src in imgs)
    assert html.index('data-name="extra_plot.png"') < html.index('data-name="roc.png"')  # job-given order first
    assert "An extra plot." in html and "ROC curve" in html
    assert not _external_refs(html)
    assert "<script src" not in html.lower() and "<link" not in html.lower()
    # plotly.js inline and the explorer's data parse as JSON
    assert "plotly.js" in html.lower()
    blob = re.search(r'<script type="application/json" id="wl-explorer-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(blob)
    assert len(data["ids"]) == len(records) and set(data["projections"]) == {"pca", "tsne"}
    assert data["columns"]["cluster"]["kind"] == "cat" and data["columns"]["score"]["kind"] == "num"
    assert data["hover_columns"][:3] == ["cluster", "score", "label"]
    assert data["default_colour"] == "cluster"
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "ok" and status["steps"] == ["drew the figures", "wrote the explorer"]


def test_failed_run_gets_a_report_marked_failed(tmp_path, records):
    with pytest.raises(ValidationError, match="boom"):
        _run_folder(tmp_path / "run", records, fail=True)
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "failed" and "boom: series 'x' is broken" in status["error"]
    html = (tmp_path / "run" / "report.html").read_text()
    assert 'id="wl-status">failed<' in html and 'id="wl-error"' in html
    assert "boom: series &#x27;x&#x27; is broken" in html
    assert "Steps done before the failure" in html and "wrote the explorer" in html
    assert current_run() is None


def test_report_of_a_bare_folder_and_not_a_run_folder(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metrics.json").write_text(json.dumps({"roc_auc": 0.5}))
    html = write_report(tmp_path / "m").read_text()
    assert "no status.json" in html and 'id="wl-explorer"' not in html and "plotly" not in html.lower()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hi")
    with pytest.raises(ValidationError, match="is not a run folder"):
        write_report(tmp_path / "empty")
    with pytest.raises(ValidationError, match="does not exist"):
        write_report(tmp_path / "missing")
    with pytest.raises(ValidationError, match="is a file"):
        write_report(tmp_path / "empty" / "notes.txt")
    assert not (tmp_path / "empty" / "report.html").exists()


def test_explorer_metadata_with_its_own_id_field(tmp_path):
    # the LEELA files carry an integer `id` field of their own: it is metadata, not the series ids
    from wavelens.data import SignalSet

    rng = np.random.default_rng(2)
    s = SignalSet(rng.normal(size=(4, 1, 256)), fs=100.0, ids=[f"f.npy:{i}" for i in range(4)],
                  metadata=pd.DataFrame({"id": [7, 3, 9, 1], "station": ["HER", "HER", "MIL", "WAT"]}))
    write_explorer_data(tmp_path, s, projections={"p": rng.normal(size=(4, 2))})
    ex = read_explorer_data(tmp_path)
    assert list(ex["ids"]) == [f"f.npy:{i}" for i in range(4)]
    assert ex["columns"]["meta_id"].tolist() == [7.0, 3.0, 9.0, 1.0]
    assert ex["columns"]["station"].tolist() == ["HER", "HER", "MIL", "WAT"]


def test_explorer_large_group_processed_in_blocks(tmp_path):
    # more samples than one block holds: same result as series written one by one
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 1, 2**22)).astype(np.float32)
    write_explorer_data(tmp_path / "all", X, fs=1000.0, projections={"p": rng.normal(size=(5, 2))})
    one = [read_explorer_data(_one(tmp_path / f"s{i}", X[i:i + 1]))["spec"][0] for i in (0, 4)]
    spec = read_explorer_data(tmp_path / "all")["spec"]
    np.testing.assert_array_equal(spec[[0, 4]], np.stack(one))


def _one(d, x):
    write_explorer_data(d, x, fs=1000.0, projections={"p": np.zeros((1, 2)) + [[0.0, 1.0]]})
    return d
