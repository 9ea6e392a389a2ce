"""standardize="series": each series (each channel of it) scaled by its own statistics.

Seismic windows span 23 to 10,900 counts; one global mean/std leaves the quiet ones at
zero. These tests pin the contract of per-series scaling: the embedding is
amplitude-free, ``reconstruct`` answers in the input's units, ``reconstruction_error``
in each series' own units, constant channels stay finite, the mode survives save/load
(and old models, saved with ``standardize=true``, still load as global).
"""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wavelens.data import SignalSet  # noqa: E402
from wavelens.exceptions import ValidationError  # noqa: E402
from wavelens.models import AutoencoderEmbedder, CNNClassifier, ReconstructionDetector  # noqa: E402
from wavelens.testing import make_collection  # noqa: E402

FAST = {"epochs": 3, "batch_size": 4, "num_threads": 1, "random_state": 0}
LSTM = {"conv_channels": (4, 8, 8), "hidden_size": 8, "num_layers": 2}


@pytest.fixture(scope="module")
def spread():
    """Ragged 2-channel series whose amplitudes span 23 to 10,900 (log-uniform), with offsets."""
    base = make_collection(12, n_channels=2, n_times=300, ragged=True, random_state=3)
    rng = np.random.default_rng(0)
    gains = np.exp(rng.uniform(np.log(23), np.log(10_900), size=len(base)))
    data = [(np.asarray(base[i], dtype=np.float64) * g + rng.normal(0, 50, size=(2, 1))).astype(np.float32)
            for i, g in enumerate(gains)]
    return SignalSet(data, fs=100.0, ids=[f"ev{i}" for i in range(len(data))])


@pytest.fixture(scope="module")
def series_model(spread):
    return AutoencoderEmbedder(model_params=LSTM, standardize="series", **FAST).fit(spread)


def _scaled(s, factor, shift=0.0):
    return SignalSet([np.asarray(s[i], dtype=np.float64) * factor + shift for i in range(len(s))], fs=s.fs, ids=s.ids)


def test_embedding_is_amplitude_free(series_model, spread):
    Z = series_model.transform(spread)
    assert series_model.standardize_ == "series"
    np.testing.assert_array_equal(series_model.input_mean_, 0.0)
    np.testing.assert_array_equal(series_model.input_scale_, 1.0)
    Z_loud = series_model.transform(_scaled(spread, 1000.0))
    Z_shift = series_model.transform(_scaled(spread, 1.0, shift=-3.0e4))
    np.testing.assert_allclose(Z_loud, Z, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(Z_shift, Z, rtol=1e-3, atol=1e-4)
    # the global model does see amplitude: its embeddings of 1000× the data differ
    glob = AutoencoderEmbedder(model_params=LSTM, standardize="global", **FAST).fit(spread)
    assert not np.allclose(glob.transform(_scaled(spread, 1000.0)), glob.transform(spread), atol=1e-2)
    # a series embeds alike alone and among others of other amplitudes
    alone = series_model.transform([np.asarray(spread[5])])
    np.testing.assert_allclose(alone[0], Z[5], rtol=1e-4, atol=1e-5)


def test_reconstruct_in_original_units_error_in_scaled_units(series_model, spread):
    rec = series_model.reconstruct(spread)
    assert isinstance(rec, SignalSet) and list(rec.ids) == list(spread.ids)
    err = series_model.reconstruction_error(spread)
    assert err.shape == (len(spread),) and np.isfinite(err).all()
    for i in range(len(spread)):
        x = np.asarray(spread[i], dtype=np.float64)
        r = np.asarray(rec[i], dtype=np.float64)
        assert r.shape == x.shape and np.asarray(rec[i]).dtype == np.float32
        # in the input's units: the reconstruction sits at the series' level and scale
        np.testing.assert_allclose(r.mean(axis=1), x.mean(axis=1), atol=2.0 * x.std(axis=1).max())
        # the error is the MSE in each channel's own standard deviations
        own = (((r - x) / x.std(axis=1, keepdims=True)) ** 2).mean()
        np.testing.assert_allclose(err[i], own, rtol=2e-3)
    # scaling the input scales the reconstruction, and leaves the error unchanged
    rec_loud = series_model.reconstruct(_scaled(spread, 1000.0))
    for i in (0, 7):
        np.testing.assert_allclose(rec_loud[i], 1000.0 * np.asarray(rec[i], dtype=np.float64),
                                   rtol=1e-3, atol=1e-3 * 1000 * np.abs(rec[i]).max())
    np.testing.assert_allclose(series_model.reconstruction_error(_scaled(spread, 1000.0)), err, rtol=1e-3)


def test_constant_channels_stay_finite():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 2, 128)).astype(np.float32)
    X[0, 1] = 7.0      # a dead channel at an offset
    X[1] = 0.0         # a fully silent series
    emb = AutoencoderEmbedder("conv-ae", {"filters": (4, 4), "latent_dim": 4}, standardize="series", **FAST).fit(X)
    assert np.isfinite(emb.history_[-1]["train_loss"])
    Z, rec, err = emb.transform(X), emb.reconstruct(X), emb.reconstruction_error(X)
    assert np.isfinite(Z).all() and np.isfinite(rec).all() and np.isfinite(err).all()
    # scale 1 for a constant channel: it is only centred, so its reconstruction stays near its value
    assert abs(float(rec[0, 1].mean()) - 7.0) < 5.0 and abs(float(rec[1].mean())) < 5.0


def test_save_load_round_trip_records_the_mode(series_model, spread, tmp_path):
    folder = series_model.save(tmp_path / "m")
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["input"]["standardize"] == "series" and cfg["params"]["standardize"] == "series"
    back = AutoencoderEmbedder.load(folder)
    assert back.standardize_ == "series"
    np.testing.assert_array_equal(back.transform(spread), series_model.transform(spread))
    np.testing.assert_array_equal(back.reconstruct(spread)[3], series_model.reconstruct(spread)[3])


def test_models_saved_before_the_modes_load_as_global(spread, tmp_path):
    glob = AutoencoderEmbedder(model_params=LSTM, standardize=True, **FAST).fit(spread)
    assert glob.standardize_ == "global"
    folder = glob.save(tmp_path / "old")
    cfg = json.loads((folder / "config.json").read_text())
    del cfg["input"]["standardize"]  # what an older wavelens wrote
    assert cfg["params"]["standardize"] is True
    (folder / "config.json").write_text(json.dumps(cfg))
    back = AutoencoderEmbedder.load(folder)
    assert back.standardize_ == "global"
    np.testing.assert_array_equal(back.transform(spread), glob.transform(spread))


@pytest.mark.parametrize("value, mode", [(True, "global"), ("global", "global"), ("SERIES", "series"),
                                         (False, "none"), (None, "none"), ("none", "none")])
def test_accepted_values(value, mode):
    X = make_collection(6, n_channels=1, n_times=64, random_state=0).to_numpy() * 500.0 + 20.0
    emb = AutoencoderEmbedder("conv-ae", {"filters": (4,), "latent_dim": 2}, standardize=value,
                              **{**FAST, "epochs": 1}).fit(X)
    assert emb.standardize_ == mode
    if mode == "none":
        np.testing.assert_array_equal(emb.input_scale_, 1.0)
    if mode == "global":
        assert emb.input_scale_[0] > 100


@pytest.mark.parametrize("bad", ["per-series", 2, "std", 1.0])
def test_bad_value_is_a_clear_error(bad):
    X = make_collection(6, n_channels=1, n_times=64, random_state=0)
    with pytest.raises(ValidationError, match=r"standardize must be 'global'.*'series'.*'none'.*found"):
        AutoencoderEmbedder("conv-ae", {"filters": (4,)}, standardize=bad, **FAST).fit(X)
    with pytest.raises(ValidationError, match="standardize"):
        CNNClassifier("cnn1d", standardize=bad, **FAST).fit(X.to_numpy(), np.arange(6) % 2)


def test_streaming_fit_scales_each_series(tmp_path):
    X = make_collection(24, n_channels=2, n_times=200, random_state=0).to_numpy()
    X = X * np.geomspace(23, 10_900, len(X))[:, None, None]
    path = tmp_path / "big.npy"
    np.save(path, X.astype(np.float32))
    a = AutoencoderEmbedder(model_params=LSTM, standardize="series", **FAST).fit(str(path), chunk_size=5,
                                                                                buffer_size=8)
    assert a.standardize_ == "series"
    np.testing.assert_array_equal(a.input_mean_, 0.0)
    np.testing.assert_array_equal(a.input_scale_, 1.0)
    Z = a.transform(str(path))
    assert Z.shape == (24, 16) and np.isfinite(Z).all()
    np.testing.assert_allclose(a.transform(X * 1000.0), a.transform(X), rtol=1e-4, atol=1e-5)
    assert np.isfinite([h["train_loss"] for h in a.history_]).all()


def test_detector_and_classifier_share_the_scaling():
    X = make_collection(16, n_channels=1, n_times=128, random_state=2).to_numpy()
    gains = np.geomspace(23, 10_900, len(X))[:, None, None]
    det = ReconstructionDetector("conv-ae", {"filters": (4, 4)}, standardize="series", **FAST).fit(X * gains)
    assert det.embedder_.standardize_ == "series"
    np.testing.assert_allclose(det.decision_function(X * 1000.0), det.decision_function(X), rtol=1e-3)
    y = np.arange(len(X)) % 2
    clf = CNNClassifier("cnn1d", standardize="series", **FAST).fit(X * gains, y)
    np.testing.assert_allclose(clf.predict_proba(X * 37.0), clf.predict_proba(X), rtol=1e-4, atol=1e-6)


def test_cli_embed_standardize_flag(tmp_path, capsys):
    """``wavelens embed --standardize series`` reaches the model and the run folder's config."""
    from wavelens.cli import main

    X = make_collection(8, n_channels=2, n_times=128, random_state=4).to_numpy()
    X = (X * np.geomspace(23, 10_900, len(X))[:, None, None]).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    args = ["embed", str(tmp_path / "x.npy"), "--model", "conv-ae", "-p", "filters=(4, 4)", "--latent-dim", "3",
            "--epochs", "1", "--batch-size", "4", "--seed", "0", "--no-progress", "--num-threads", "1"]
    code = main([*args, "--standardize", "series", "--out", str(tmp_path / "e.parquet"), "--run-dir", str(tmp_path / "run")])
    assert code == 0
    assert 'standardize = "series"' in (tmp_path / "run" / "config.toml").read_text()
    saved = json.loads((tmp_path / "run" / "model" / "config.json").read_text())
    assert saved["input"]["standardize"] == "series"
    capsys.readouterr()
    code = main([*args, "--standardize", "per-trace", "--out", str(tmp_path / "f.parquet")])
    err = capsys.readouterr().err
    assert code == 2 and "--standardize must be global, series or none, found 'per-trace'" in err
    assert not (tmp_path / "f.parquet").exists()
