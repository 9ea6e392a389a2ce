"""Pipelines from text specs, and feature tables computed chunk by chunk."""

import numpy as np
import pytest
from sklearn.pipeline import FeatureUnion, Pipeline

from wavelens import ValidationError
from wavelens.io import read_table
from wavelens.pipeline import build_pipeline, compute_features, set_fs
from wavelens.testing import make_collection
from wavelens.transforms import BandPower, Detrend, statistics


def test_spec_builds_stages_and_unions():
    pipe = build_pipeline("detrend(kind='constant') | statistics + band_power(edges=(0, 10, 20))", fs=100.0)
    assert isinstance(pipe, Pipeline) and len(pipe.steps) == 2
    assert isinstance(pipe.steps[0][1], Detrend) and pipe.steps[0][1].kind == "constant"
    union = pipe.steps[1][1]
    assert isinstance(union, FeatureUnion)
    bp = dict(union.transformer_list)["band_power"]
    assert isinstance(bp, BandPower) and bp.edges == (0, 10, 20) and bp.fs == 100.0


def test_pipeline_output_equals_the_functions():
    s = make_collection(6, 2, 256, random_state=0)
    F = build_pipeline("statistics").fit_transform(s)
    np.testing.assert_allclose(F, statistics(s), rtol=1e-6)
    G = build_pipeline("Statistics + statistics").fit_transform(s)
    assert G.shape == (6, 2 * F.shape[1])


@pytest.mark.parametrize(
    "spec, match",
    [
        ("nonsense", "unknown transform; valid names: .*'statistics'"),
        ("statistics(bogus=1)", r"unknown parameter\(s\) \['bogus'\]"),
        ("statistics(1)", "arguments must be named"),
        ("detrend | ", "stage 2 is empty"),
        ("statistics(kind=open('x'))", "must be a literal"),
        ("statistics((", "unbalanced"),
        ("", "non-empty spec"),
    ],
)
def test_bad_specs(spec, match):
    with pytest.raises(ValidationError, match=match):
        build_pipeline(spec)


def test_set_fs_reaches_nested_steps():
    pipe = build_pipeline("detrend | band_power(edges=(0, 5)) + statistics")
    set_fs(pipe, 50.0)
    assert dict(pipe.steps[1][1].transformer_list)["band_power"].fs == 50.0


def _write_rows(path, X):
    np.savetxt(path, X, fmt="%.7g")


def test_compute_features_chunked_equals_whole(tmp_path):
    s = make_collection(23, 1, 300, random_state=1)
    X = s.to_numpy()[:, 0]
    _write_rows(tmp_path / "rows.txt", X)
    n, k = compute_features(tmp_path / "rows.txt", pipeline="statistics", out=tmp_path / "f.parquet",
                            fs=100.0, chunk_size=5)
    df = read_table(tmp_path / "f.parquet")
    assert (n, k) == (23, df.shape[1] - 1) and df["id"].tolist() == [str(i) for i in range(23)]
    ref = statistics(np.loadtxt(tmp_path / "rows.txt").astype(np.float32))
    np.testing.assert_allclose(df.drop(columns="id").to_numpy(), ref, rtol=1e-5, atol=1e-6)


def test_compute_features_per_window(tmp_path):
    s = make_collection(3, 1, 1000, random_state=2)
    np.save(tmp_path / "x.npy", s.to_numpy())
    n, _ = compute_features(tmp_path / "x.npy", pipeline="statistics", out=tmp_path / "w.csv", window=256, step=128)
    df = read_table(tmp_path / "w.csv")
    per_series = 1 + (1000 - 256) // 128
    assert n == 3 * per_series == len(df)
    assert df["id"].iloc[1] == "0@128" and df["series_id"].iloc[-1] == "2"
    assert df["start"].tolist()[:3] == [0, 128, 256]


def test_compute_features_failure_leaves_no_file(tmp_path):
    X = np.random.default_rng(0).normal(size=(10, 200))
    X[7, 3] = np.nan  # chunk 2 fails: the table of chunk 1 must not survive
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(ValidationError, match=r"series 2 .*NaN"):
        compute_features(tmp_path / "x.npy", pipeline="statistics", out=tmp_path / "f.parquet", chunk_size=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.npy"]
