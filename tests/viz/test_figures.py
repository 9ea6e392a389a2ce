"""wavelens.viz figures: each draws what it promises, with titles, units, legends; saves to PNG."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.image import AxesImage

from wavelens.data import SignalSet
from wavelens.exceptions import ValidationError
from wavelens.viz import (
    plot_cluster_examples,
    plot_confusion,
    plot_latent,
    plot_line_images,
    plot_loss_curves,
    plot_pr,
    plot_reconstructions,
    plot_roc,
    plot_score_histograms,
    plot_series_spectrograms,
    plot_window_scores,
    save_figure,
)

PNG = b"\x89PNG\r\n\x1a\n"


def _saves(fig, tmp_path, name="f.png"):
    path = save_figure(fig, tmp_path / name)
    assert path.read_bytes()[:8] == PNG


def _colorbars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def _main_axes(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]


def _legend_texts(ax):
    leg = ax.get_legend()
    assert leg is not None
    return [t.get_text() for t in leg.get_texts()]


def _tone_bursts(n=6, fs=1000.0, n_times=512, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_times) / fs
    freqs = np.where(np.arange(n) % 2 == 0, 50.0, 200.0)
    X = np.sin(2 * np.pi * freqs[:, None] * t) + 0.1 * rng.normal(size=(n, n_times))
    return X[:, None, :].astype(np.float32), freqs


def test_plot_latent_categorical_2d_with_noise_and_medoids(tmp_path):
    rng = np.random.default_rng(0)
    P = rng.normal(size=(40, 2))
    labels = np.repeat([0, 1, 2, -1], 10)
    fig = plot_latent(P, color=labels, highlight=[0, 10, 20], ids=[f"id{i}" for i in range(40)], axis_name="PCA")
    (ax,) = _main_axes(fig)
    assert _legend_texts(ax) == ["noise (n=10)", "0 (n=10)", "1 (n=10)", "2 (n=10)", "medoid"]
    assert ax.get_legend().get_title().get_text() == "cluster"
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 5  # noise + 3 clusters + medoid stars
    assert sum(len(c.get_offsets()) for c in scatters[:4]) == 40
    assert matplotlib.colors.to_hex(scatters[0].get_facecolor()[0]) == "#999999"
    assert ax.get_xlabel() == "PCA 1" and ax.get_ylabel() == "PCA 2"
    assert "coloured by cluster" in ax.get_title()
    assert [t.get_text() for t in ax.texts] == ["id0", "id10", "id20"]
    assert not _colorbars(fig)
    _saves(fig, tmp_path)


def test_plot_latent_numeric_colour_gets_colorbar_and_3d(tmp_path):
    rng = np.random.default_rng(1)
    P = rng.normal(size=(50, 3))
    fig = plot_latent(P, color=rng.random(50), color_name="score", title="lightning latent")
    (ax,) = _main_axes(fig)
    assert ax.name == "3d" and ax.get_zlabel() == "dimension 3"
    assert ax.get_title() == "lightning latent"
    (cb,) = _colorbars(fig)
    assert cb.get_ylabel() == "score"
    assert ax.get_legend() is None
    _saves(fig, tmp_path)
    # dims=2 of a 3-D latent: plain axes
    fig2 = plot_latent(P, dims=2, color=np.array(["a", "b"] * 25), color_name="station")
    (ax2,) = _main_axes(fig2)
    assert ax2.name == "rectilinear" and _legend_texts(ax2) == ["a (n=25)", "b (n=25)"]


def test_plot_latent_rejects_bad_shapes():
    with pytest.raises(ValidationError, match="one value per point"):
        plot_latent(np.zeros((5, 2)), color=[1, 2])
    with pytest.raises(ValidationError, match=r"shape \(n_series, 2\)"):
        plot_latent(np.zeros(5))
    with pytest.raises(ValidationError, match="NaN"):
        plot_latent(np.array([[0, 1], [np.nan, 2.0]]))


def test_plot_cluster_examples_rows_medoid_first(tmp_path):
    X, freqs = _tone_bursts(n=9)
    labels = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0])
    fig = plot_cluster_examples(SignalSet(X, fs=1000.0, ids=[f"s{i}" for i in range(9)]), labels,
                                medoids=[4, 3], per_cluster=3)
    axes = _main_axes(fig)
    assert len(axes) == 6 and all(len(ax.lines) == 1 for ax in axes)
    assert axes[0].get_title() == "cluster 0 (n=5): s4 — medoid"
    assert axes[3].get_title() == "cluster 1 (n=4): s3 — medoid"
    assert all(ax.get_xlabel() == "time (s)" for ax in axes)
    assert axes[0].lines[0].get_xdata()[-1] == pytest.approx(511 / 1000.0)
    # a small cluster leaves panels empty (hidden), noise gets its own row
    fig = plot_cluster_examples(X, np.array([0, 0, 0, 0, 0, 0, 0, 1, -1]), per_cluster=2)
    titles = [ax.get_title() for ax in _main_axes(fig)]
    assert titles == ["cluster 0 (n=7): 0", "cluster 0 (n=7): 6", "cluster 1 (n=1): 7", "noise (n=1): 8"]
    assert _main_axes(fig)[0].get_xlabel() == "time (samples)"
    _saves(fig, tmp_path)
    with pytest.raises(ValidationError, match="3 labels for 9 series"):
        plot_cluster_examples(X, [0, 1, 0])


def test_plot_series_spectrograms_units(tmp_path):
    X, _ = _tone_bursts(n=3)
    fig = plot_series_spectrograms(X, fs=1000.0, ids=["a", "b", "c"])
    axes = [ax for ax in _main_axes(fig)]
    assert len(axes) == 6 and len(_colorbars(fig)) == 3
    assert axes[0].get_xlabel() == "time (s)" and axes[1].get_ylabel() == "frequency (Hz)"
    assert axes[0].get_title() == "a"
    assert _colorbars(fig)[0].get_ylabel() == "power (dB)"
    # the 50 Hz tone peaks near 50 Hz in its spectrogram
    mesh = axes[1].collections[0]
    arr = mesh.get_array().reshape(len(mesh.get_coordinates()) - 1, -1)
    _saves(fig, tmp_path)
    assert arr.shape[0] > 1
    with pytest.raises(ValidationError, match="out of range"):
        plot_series_spectrograms(X, indices=[5])


def test_plot_reconstructions_series_and_images(tmp_path):
    X, _ = _tone_bursts(n=5)
    X_hat = X * 0.9
    fig = plot_reconstructions(X, X_hat, fs=1000.0, n=3)
    axes = _main_axes(fig)
    assert len(axes) == 3 and all(len(ax.lines) == 2 for ax in axes)
    assert _legend_texts(axes[0]) == ["input", "reconstruction"]
    assert "RMSE" in axes[0].get_title() and axes[0].get_xlabel() == "time (s)"
    _saves(fig, tmp_path)
    imgs = np.random.default_rng(0).random((4, 1, 13, 18))
    fig = plot_reconstructions(imgs, imgs[:, :, ::-1], indices=[0, 2])
    axes = _main_axes(fig)
    assert len(axes) == 4 and all(isinstance(ax.images[0], AxesImage) for ax in axes)
    assert axes[0].get_title() == "0: input" and axes[1].get_title().startswith("0: reconstruction (RMSE")
    assert axes[0].images[0].get_array().shape == (13, 18)
    assert len(_colorbars(fig)) == 1 and axes[0].get_ylabel() == "frequency bin"
    _saves(fig, tmp_path, "img.png")
    with pytest.raises(ValidationError, match="must match"):
        plot_reconstructions(imgs, imgs[:2])


def test_plot_roc_and_pr_with_auc_in_legend(tmp_path):
    from wavelens.evaluate import pr_auc, roc_auc

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(40), np.ones(10)].astype(int)
    s = rng.normal(size=50) + 1.5 * y
    fig = plot_roc(y, s)
    (ax,) = _main_axes(fig)
    assert _legend_texts(ax) == [f"AUC = {roc_auc(y, s):.3f}", "chance (AUC = 0.5)"]
    assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    assert "10 abnormal / 50 series" in ax.get_title()
    _saves(fig, tmp_path)
    fig = plot_roc(y, {"lof": s, "iforest": -s})
    assert _legend_texts(_main_axes(fig)[0])[:2] == [f"lof (AUC = {roc_auc(y, s):.3f})",
                                                     f"iforest (AUC = {roc_auc(y, -s):.3f})"]
    fig = plot_pr(y, s)
    (ax,) = _main_axes(fig)
    assert _legend_texts(ax) == [f"PR AUC = {pr_auc(y, s):.3f}", "chance (0.200)"]
    assert ax.get_xlabel() == "recall" and ax.get_ylabel() == "precision"
    _saves(fig, tmp_path, "pr.png")
    with pytest.raises(ValidationError, match="3 labels but 50 scores"):
        plot_roc([0, 1, 0], s)


def test_plot_score_histograms(tmp_path):
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=200), rng.normal(0.5, 1, size=60)
    y = (np.arange(60) < 10).astype(int)
    fig = plot_score_histograms(train, test, labels=y, threshold=1.5)
    (ax,) = _main_axes(fig)
    assert _legend_texts(ax) == ["train (n=200)", "test normal (n=50)", "test abnormal (n=10)", "threshold = 1.5"]
    assert len([p for p in ax.patches]) == 150  # 3 histograms × 50 bins
    assert ax.get_xlabel().startswith("anomaly score") and ax.get_ylabel() == "density"
    _saves(fig, tmp_path)
    fig = plot_score_histograms(None, test)
    assert _legend_texts(_main_axes(fig)[0]) == ["test (n=60)"]
    with pytest.raises(ValidationError, match="test score 3 is nan"):
        plot_score_histograms(train, np.r_[test[:3], np.nan])


def test_plot_window_scores_strip_locates_the_anomaly(tmp_path):
    fs, n_times, window = 100.0, 2000, 200
    rng = np.random.default_rng(0)
    x = rng.normal(size=n_times)
    x[1200:1400] += 6 * np.sin(np.arange(200))
    starts = np.arange(0, n_times - window + 1, 100)
    scores = np.array([np.abs(x[s:s + window]).mean() for s in starts])
    point = np.zeros(n_times, int)
    point[1200:1400] = 1
    fig = plot_window_scores(x, scores, starts=starts, window=window, fs=fs, point_labels=point)
    ax, strip = _main_axes(fig)
    assert strip.get_xlabel() == "time (s)" and ax.get_ylabel() == "amplitude"
    assert len(_colorbars(fig)) == 1 and _colorbars(fig)[0].get_ylabel() == "window score"
    img = strip.images[0].get_array()
    assert img.shape == (1, n_times) and not np.ma.is_masked(img)
    peak = int(np.argmax(img[0]))
    assert 1200 <= peak < 1400
    assert any("highest window score" in t for t in _legend_texts(ax))
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # labelled span shaded
    _saves(fig, tmp_path)
    # uncovered tail is masked, not filled with a made-up score
    fig = plot_window_scores(x[:1000], scores[:3], starts=starts[:3], window=window)
    tail = _main_axes(fig)[1].images[0].get_array()
    assert np.ma.getmaskarray(tail)[0, 500:].all() and not np.ma.getmaskarray(tail)[0, :400].any()
    with pytest.raises(ValidationError, match="one start per window"):
        plot_window_scores(x, scores, starts=starts[:-1], window=window)


def test_plot_loss_curves(tmp_path):
    hist = [{"epoch": e, "train_loss": 100.0 / e, "val_loss": 120.0 / e + (e - 6) ** 2} for e in range(1, 11)]
    fig = plot_loss_curves(hist)
    (ax,) = _main_axes(fig)
    labels = _legend_texts(ax)
    assert labels[:2] == ["train loss", "validation loss"] and labels[2] == "best validation (epoch 7: 18.14)"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and "10 epochs" in ax.get_title()
    assert ax.get_yscale() == "linear"
    _saves(fig, tmp_path)
    fig = plot_loss_curves({"train_loss": [1000.0, 10.0, 1.0]})
    (ax,) = _main_axes(fig)
    assert ax.get_yscale() == "log" and _legend_texts(ax) == ["train loss"]
    with pytest.raises(ValidationError, match="needs a 'train_loss'"):
        plot_loss_curves([{"epoch": 1, "loss": 1.0}])


def test_plot_line_images(tmp_path):
    from wavelens.transforms import plot_image

    y = np.sin(np.linspace(0, 6, 200))[None, :] * np.arange(1, 6)[:, None]
    imgs = plot_image(y, nbins=32, ylim=(-5, 5))
    fig = plot_line_images(imgs, labels=["a", "b", "c", "d", "e"], ncols=3)
    axes = _main_axes(fig)
    assert len(axes) == 5 and [ax.get_title() for ax in axes] == list("abcde")
    assert axes[0].images[0].get_array().shape == (32, 32)
    assert "32 × 32 pixels" in fig.get_suptitle()
    _saves(fig, tmp_path)
    with pytest.raises(ValidationError, match="2 labels for 5 images"):
        plot_line_images(imgs, labels=["a", "b"])


def test_plot_confusion(tmp_path):
    yt = np.array(["calm", "calm", "angry", "sad", "sad", "sad"])
    yp = np.array(["calm", "sad", "angry", "sad", "sad", "calm"])
    fig = plot_confusion(yt, yp)
    (ax,) = _main_axes(fig)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["angry", "calm", "sad"]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert cells[(2, 2)] == "2" and cells[(1, 2)] == "1" and cells[(0, 0)] == "1"
    assert "accuracy 0.667" in ax.get_title() and ax.get_xlabel() == "predicted class"
    assert _colorbars(fig)[0].get_ylabel() == "series"
    _saves(fig, tmp_path)
    fig = plot_confusion(yt, yp, labels=["calm", "sad", "angry", "bored"], normalize="true")
    (ax,) = _main_axes(fig)
    texts = [t.get_text() for t in ax.texts]
    assert "0.67" in texts and "nan" not in texts  # the absent class is 0, not NaN
