"""wavelens.cluster: clustering with chosen k, medoids, projections, embedding tables."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sklearn.metrics import adjusted_rand_score

from wavelens.cluster import (
    cluster_embeddings,
    cluster_table,
    default_cluster_path,
    medoid_indices,
    project,
    read_embeddings,
    write_cluster_table,
)
from wavelens.exceptions import MissingDependencyError, ValidationError
from wavelens.io import write_table


def blobs(k=4, per=25, d=6, spread=0.25, seed=0, sizes=None):
    """Well-separated Gaussian blobs: centres on a scaled simplex-like grid."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    centres *= 8.0 / np.linalg.norm(centres - centres.mean(0), axis=1, keepdims=True).min()
    sizes = sizes or [per] * k
    E = np.vstack([rng.normal(c, spread, size=(s, d)) for c, s in zip(centres, sizes)])
    y = np.repeat(np.arange(k), sizes)
    return E, y


@pytest.mark.parametrize("method", ["kmeans", "gmm", "hdbscan"])
def test_separated_blobs_recovered_with_auto_k(method):
    E, y = blobs(k=4, per=25, d=5)
    kw = {"covariance_type": "diag"} if method == "gmm" else {}
    res = cluster_embeddings(E, method=method, k="auto", random_state=0, **kw)
    assert res.k == 4
    assert adjusted_rand_score(y, res.labels) == 1.0
    assert res.labels.dtype == np.int64 and res.labels.shape == (100,)
    assert res.sizes.tolist() == [25, 25, 25, 25]
    assert res.n_noise == 0
    assert res.silhouette is not None and res.silhouette > 0.8
    assert res.criterion == {"kmeans": "silhouette", "gmm": "bic", "hdbscan": "silhouette"}[method]


def test_auto_k_finds_planted_k_and_reports_every_criterion():
    E, y = blobs(k=3, per=30, d=4, seed=3)
    km = cluster_embeddings(E, method="kmeans", k="auto", k_range=(2, 7), random_state=1)
    assert km.k == 3 and sorted(km.criterion_values) == [2, 3, 4, 5, 6, 7]
    assert max(km.criterion_values, key=km.criterion_values.get) == 3  # silhouette: highest wins
    gm = cluster_embeddings(E, method="gmm", k="auto", k_range=(2, 7), random_state=1)
    assert gm.k == 3 and min(gm.criterion_values, key=gm.criterion_values.get) == 3  # BIC: lowest wins
    assert adjusted_rand_score(y, gm.labels) == 1.0


def test_fixed_k_and_clusters_numbered_by_size():
    E, y = blobs(k=3, sizes=[10, 40, 20], d=3, seed=5)
    res = cluster_embeddings(E, method="kmeans", k=3, random_state=0)
    assert res.k == 3 and list(res.criterion_values) == [3]
    assert res.sizes.tolist() == [40, 20, 10]
    assert (res.labels[y == 1] == 0).all() and (res.labels[y == 0] == 2).all()


def test_medoid_belongs_to_cluster_and_minimises_summed_distance():
    E, _ = blobs(k=3, per=15, d=4, spread=1.0, seed=7)
    ids = [f"s{i:03d}" for i in range(len(E))]
    res = cluster_embeddings(E, k=3, random_state=0, ids=ids)
    assert res.medoids.shape == (3,)
    for c, m in enumerate(res.medoids):
        members = np.flatnonzero(res.labels == c)
        assert m in members
        sums = cdist(E[members], E[members]).sum(axis=1)
        assert sums[members.tolist().index(m)] == pytest.approx(sums.min())
    assert res.medoid_ids == [ids[m] for m in res.medoids]
    text = res.summary()
    assert "k = 3" in text and res.medoid_ids[0] in text


def test_medoid_indices_blocked_matches_brute_force():
    rng = np.random.default_rng(0)
    E = rng.normal(size=(2300, 3))  # > one block of 1024 rows
    labels = (E[:, 0] > 0).astype(int)
    got = medoid_indices(E, labels)
    for c in (0, 1):
        members = np.flatnonzero(labels == c)
        assert got[c] == members[np.argmin(cdist(E[members], E[members]).sum(1))]


def test_same_seed_same_labels_and_projections():
    E, _ = blobs(k=5, per=12, d=8, spread=2.0, seed=11)
    a = cluster_embeddings(E, method="gmm", random_state=42)
    b = cluster_embeddings(E, method="gmm", random_state=42)
    assert np.array_equal(a.labels, b.labels) and a.criterion_values == b.criterion_values
    for m in ("pca", "tsne"):
        np.testing.assert_array_equal(project(E, method=m, random_state=3), project(E, method=m, random_state=3))


def test_hdbscan_marks_noise_and_rejects_fixed_k():
    E, y = blobs(k=2, per=30, d=2, spread=0.2, seed=2)
    E = np.vstack([E, [[40.0, 40.0], [-40.0, 40.0]]])  # two far outliers
    res = cluster_embeddings(E, method="hdbscan", min_cluster_size=5)
    assert res.k == 2 and res.n_noise >= 2
    assert (res.labels[-2:] == -1).all()
    assert res.sizes.sum() + res.n_noise == len(E)
    assert all(res.labels[m] >= 0 for m in res.medoids)
    with pytest.raises(ValidationError, match="hdbscan chooses the number of clusters"):
        cluster_embeddings(E, method="hdbscan", k=3)


def test_bad_input_errors_are_clear():
    E, _ = blobs(k=2, per=3, d=3)
    with pytest.raises(ValidationError, match=r"cannot cluster 6 series into k=8 clusters"):
        cluster_embeddings(E, k=8)
    with pytest.raises(ValidationError, match=r"k must be >= 2"):
        cluster_embeddings(E, k=1)
    with pytest.raises(ValidationError, match=r"method must be one of \['kmeans', 'gmm', 'hdbscan'\], found 'dbscan'"):
        cluster_embeddings(E, method="dbscan")
    with pytest.raises(ValidationError, match=r"k_range"):
        cluster_embeddings(E, k_range=(1, 4))
    with pytest.raises(ValidationError, match=r"3 series"):
        cluster_embeddings(E[:3], k="auto", k_range=(3, 5))
    bad = E.copy()
    bad[1, 0] = np.nan
    bad[4, 2] = np.inf
    with pytest.raises(ValidationError, match=r"2 of 6 rows hold NaN or inf \(ids 'b', 'e'\)"):
        cluster_embeddings(bad, ids=list("abcdef"))


def test_auto_k_range_clipped_to_small_collections():
    E, y = blobs(k=2, per=3, d=2, spread=0.05)
    res = cluster_embeddings(E, k="auto", random_state=0)  # range 2..10 clipped to 2..5
    assert sorted(res.criterion_values) == [2, 3, 4, 5] and res.k == 2


def test_projection_shapes_and_pca_matches_sklearn():
    from sklearn.decomposition import PCA

    E, _ = blobs(k=3, per=10, d=7)
    for n_components in (2, 3):
        P = project(E, method="pca", n_components=n_components)
        assert P.shape == (30, n_components) and P.dtype == np.float64
        np.testing.assert_allclose(P, PCA(n_components).fit_transform(E), atol=1e-10)
    T = project(E, method="tsne", n_components=3, random_state=0)
    assert T.shape == (30, 3) and np.isfinite(T).all()
    # tiny n: perplexity is clipped instead of refused
    assert project(E[:6], method="tsne", random_state=0).shape == (6, 2)


def test_projection_errors():
    E, _ = blobs(k=2, per=5, d=2)
    with pytest.raises(ValidationError, match="n_components must be 2 or 3"):
        project(E, n_components=4)
    with pytest.raises(ValidationError, match="PCA to 3 components needs .* 2 dimensions"):
        project(E, n_components=3)
    with pytest.raises(ValidationError, match=r"method must be one of \['pca', 'tsne', 'umap'\]"):
        project(E, method="mds")
    with pytest.raises(ValidationError, match="t-SNE needs at least 4 series"):
        project(E[:3], method="tsne")


def test_umap_missing_gives_install_hint(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_umap(name, *args, **kwargs):
        if name == "umap" or name.startswith("umap."):
            raise ImportError("No module named 'umap'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_umap)
    monkeypatch.delitem(__import__("sys").modules, "umap", raising=False)
    E, _ = blobs(k=2, per=5, d=3)
    with pytest.raises(MissingDependencyError, match=r"pip install 'wavelens\[umap\]'"):
        project(E, method="umap")


def test_embedding_table_round_trip(tmp_path):
    E, y = blobs(k=3, per=8, d=4)
    ids = [f"chunk_{i}" for i in range(len(E))]
    path = write_table(tmp_path / "emb.parquet", E, ids=ids, prefix="z",
                       extra={"label": y, "station": ["A", "B"] * 12, "score": np.linspace(0, 1, 24)})
    got_ids, got_E, extra = read_embeddings(path)
    assert got_ids.tolist() == ids
    np.testing.assert_array_equal(got_E, E)
    assert list(extra.columns) == ["label", "station", "score"]
    res = cluster_embeddings(got_E, k=3, ids=got_ids, random_state=0)
    table = cluster_table(res, {"pca": project(got_E)}, extra)
    assert list(table.columns) == ["id", "cluster", "is_medoid", "pca_0", "pca_1", "label", "station", "score"]
    assert table["is_medoid"].sum() == 3
    assert default_cluster_path(path) == tmp_path / "emb_clusters.parquet"
    out = write_cluster_table(tmp_path / "c.csv", table)
    back = pd.read_csv(out, dtype={"id": str})
    assert back["id"].tolist() == ids and back["cluster"].tolist() == res.labels.tolist()


def test_embedding_table_column_rules(tmp_path):
    # e-prefixed columns, then plain numeric columns (descriptive ones left out)
    pd.DataFrame({"id": ["a", "b", "c"], "e1": [1.0, 2, 3], "e0": [0.0, 1, 2], "note": ["x", "y", "z"]}).to_csv(
        tmp_path / "e.csv", index=False)
    _, E, extra = read_embeddings(tmp_path / "e.csv")
    np.testing.assert_array_equal(E, [[0, 1], [1, 2], [2, 3]])  # numbered order, not file order
    assert list(extra.columns) == ["note"]
    pd.DataFrame({"id": ["a", "b"], "u": [1.0, 2.0], "v": [3, 4], "label": [0, 1], "pca_0": [0.1, 0.2]}).to_csv(
        tmp_path / "n.csv", index=False)
    _, E, extra = read_embeddings(tmp_path / "n.csv")
    assert E.shape == (2, 2) and list(extra.columns) == ["label", "pca_0"]


def test_embedding_table_errors(tmp_path):
    pd.DataFrame({"name": ["a"], "z0": [1.0]}).to_csv(tmp_path / "noid.csv", index=False)
    with pytest.raises(ValidationError, match=r"noid.csv.*no 'id' column"):
        read_embeddings(tmp_path / "noid.csv")
    pd.DataFrame({"id": ["a", "b"], "station": ["x", "y"], "label": [0, 1]}).to_csv(tmp_path / "nonum.csv", index=False)
    with pytest.raises(ValidationError, match="no numeric embedding columns"):
        read_embeddings(tmp_path / "nonum.csv")
    pd.DataFrame({"id": ["a", "b", "c"], "z0": [1.0, np.nan, 2.0], "z1": [0.0, 1.0, np.inf]}).to_parquet(
        tmp_path / "nan.parquet")
    with pytest.raises(ValidationError, match=r"2 of 3 rows hold NaN or inf \(ids 'b', 'c'\)"):
        read_embeddings(tmp_path / "nan.parquet")
    pd.DataFrame({"id": ["a", "a"], "z0": [1.0, 2.0]}).to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(ValidationError, match="occurs more than once"):
        read_embeddings(tmp_path / "dup.csv")
    with pytest.raises(ValidationError, match="no such file"):
        read_embeddings(tmp_path / "missing.parquet")


def test_umap_projection_when_installed():
    pytest.importorskip("umap")
    E, y = blobs(k=3, per=15, d=6, seed=4)
    P = project(E, method="umap", n_components=2, random_state=0)
    assert P.shape == (45, 2) and P.dtype == np.float64 and np.isfinite(P).all()
    np.testing.assert_array_equal(P, project(E, method="umap", n_components=2, random_state=0))
    # the blobs stay apart: k-means on the 2-D map recovers them
    assert adjusted_rand_score(y, cluster_embeddings(P, k=3, random_state=0).labels) == 1.0
