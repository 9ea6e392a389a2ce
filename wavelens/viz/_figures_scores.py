"""Figures of anomaly scores and classifications: ROC, PR, histograms, window-score strips, confusion."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..exceptions import ValidationError
from ._style import PALETTE, new_figure

__all__ = ["plot_roc", "plot_pr", "plot_score_histograms", "plot_window_scores", "plot_confusion"]


def _score_sets(scores: Any) -> dict[str, np.ndarray]:
    """One array of scores, or a mapping name -> scores (several detectors on one plot)."""
    if isinstance(scores, Mapping):
        if not scores:
            raise ValidationError("scores: the mapping of detector name to scores is empty.")
        return {str(k): np.asarray(v) for k, v in scores.items()}
    return {"": np.asarray(scores)}


def _curve_label(name: str, what: str, value: float) -> str:
    return f"{name} ({what} = {value:.3f})" if name else f"{what} = {value:.3f}"


def plot_roc(y: Any, scores: Any, *, title: str | None = None):
    """ROC curve(s) with the area under each in the legend.

    Parameters
    ----------
    y : array-like of shape (n_series,)
        1 = abnormal, 0 = normal; both must occur.
    scores : array-like of shape (n_series,) or mapping of str to array-like
        Higher = more abnormal. A mapping draws one curve per detector.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a curve per score set plus the chance diagonal; AUC (from
        :func:`wavelens.evaluate.roc_auc`) in each legend entry.
    """
    from sklearn.metrics import roc_curve

    from ..evaluate import roc_auc

    sets = _score_sets(scores)
    fig, axes = new_figure(1, 1, figsize=(4.6, 4.4))
    ax = axes[0, 0]
    for j, (name, s) in enumerate(sets.items()):
        auc = roc_auc(y, s)  # validates labels and scores, naming the problem
        fpr, tpr, _ = roc_curve(np.asarray(y).astype(np.int64), s.astype(np.float64))
        ax.plot(fpr, tpr, lw=1.6, color=PALETTE[j % len(PALETTE)], label=_curve_label(name, "AUC", auc))
    ax.plot([0, 1], [0, 1], ls="--", lw=1, color="0.6", label="chance (AUC = 0.5)")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    n_pos = int(np.asarray(y).astype(np.int64).sum())
    ax.set_title(title or f"ROC ({n_pos} abnormal / {len(np.asarray(y))} series)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_pr(y: Any, scores: Any, *, title: str | None = None):
    """Precision–recall curve(s) with average precision (PR AUC) in the legend.

    Parameters
    ----------
    y : array-like of shape (n_series,)
        1 = abnormal, 0 = normal; at least one 1.
    scores : array-like of shape (n_series,) or mapping of str to array-like
        Higher = more abnormal.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a step curve per score set and the chance level (the fraction of
        abnormal series) as a dashed line; PR AUC from :func:`wavelens.evaluate.pr_auc`.
    """
    from sklearn.metrics import precision_recall_curve

    from ..evaluate import pr_auc

    sets = _score_sets(scores)
    fig, axes = new_figure(1, 1, figsize=(4.6, 4.4))
    ax = axes[0, 0]
    yy = np.asarray(y).astype(np.int64)
    for j, (name, s) in enumerate(sets.items()):
        ap = pr_auc(y, s)
        precision, recall, _ = precision_recall_curve(yy, s.astype(np.float64))
        ax.step(recall, precision, where="post", lw=1.6, color=PALETTE[j % len(PALETTE)],
                label=_curve_label(name, "PR AUC", ap))
    prevalence = float(yy.mean())
    ax.axhline(prevalence, ls="--", lw=1, color="0.6", label=f"chance ({prevalence:.3f})")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(title or f"precision–recall ({int(yy.sum())} abnormal / {yy.size} series)")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _finite_scores(a: Any, name: str) -> np.ndarray:
    s = np.asarray(a, dtype=np.float64).ravel()
    bad = np.flatnonzero(~np.isfinite(s))
    if bad.size:
        raise ValidationError(f"plot_score_histograms: {name} score {int(bad[0])} is {float(s[bad[0]])!r}; scores must be finite.")
    return s


def plot_score_histograms(
    train_scores: Any,
    test_scores: Any,
    *,
    labels: Any = None,
    bins: int = 50,
    threshold: float | None = None,
    title: str | None = None,
):
    """Histograms of anomaly scores: training (normal) beside test, test split by label if known.

    Parameters
    ----------
    train_scores : array-like of shape (n_train,) or None
        Scores of the training series (``decision_scores_``).
    test_scores : array-like of shape (n_test,)
    labels : array-like of shape (n_test,), optional
        0/1 per test series: then "test normal" and "test abnormal" are drawn apart.
    bins : int, default=50
        Shared bins over the range of all scores.
    threshold : float, optional
        Drawn as a vertical dashed line (e.g. the detector's ``threshold_``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes, densities, one histogram per group, counts in the legend.
    """
    test = _finite_scores(test_scores, "test")
    parts: list[tuple[str, np.ndarray]] = []
    if train_scores is not None:
        parts.append(("train", _finite_scores(train_scores, "train")))
    if labels is None:
        parts.append(("test", test))
    else:
        yy = np.asarray(labels)
        if yy.shape != test.shape:
            raise ValidationError(f"plot_score_histograms: {yy.size} labels for {test.size} test scores.")
        parts += [("test normal", test[yy == 0]), ("test abnormal", test[yy == 1])]
    parts = [(k, v) for k, v in parts if v.size]
    allv = np.concatenate([v for _, v in parts])
    lo, hi = float(allv.min()), float(allv.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, int(bins) + 1)
    fig, axes = new_figure(1, 1, figsize=(6.4, 3.4))
    ax = axes[0, 0]
    colours = {"train": PALETTE[0], "test": PALETTE[1], "test normal": PALETTE[2], "test abnormal": PALETTE[3]}
    for name, v in parts:
        ax.hist(v, bins=edges, density=True, alpha=0.55, color=colours[name], label=f"{name} (n={v.size})")
    if threshold is not None:
        ax.axvline(float(threshold), ls="--", color="black", lw=1, label=f"threshold = {float(threshold):.3g}")
    ax.set_xlabel("anomaly score (higher = more abnormal)")
    ax.set_ylabel("density")
    ax.set_title(title or "anomaly scores, train vs test")
    ax.legend(fontsize=8)
    return fig


def _per_sample_scores(window_scores: np.ndarray, starts: np.ndarray, window: int, n_times: int) -> np.ndarray:
    """Each sample's score: the maximum over the windows that cover it (NaN where none does)."""
    out = np.full(n_times, -np.inf)
    order = np.argsort(window_scores, kind="stable")  # later (higher) writes win: a max without np.maximum.at
    for j in order:
        s = int(starts[j])
        out[max(s, 0):min(s + window, n_times)] = window_scores[j]
    out[np.isneginf(out)] = np.nan
    return out


def plot_window_scores(
    series: Any,
    window_scores: Any,
    *,
    starts: Any,
    window: int,
    fs: float | None = None,
    point_labels: Any = None,
    title: str | None = None,
):
    """A long series with, under it, a heat strip of its window scores: where the anomaly is.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_channels, n_times)
        The series (all channels are drawn); NaN shows as gaps.
    window_scores : array-like of shape (n_windows,)
        Score of each window, higher = more abnormal (e.g. from
        ``WindowedDetector.window_scores``), finite.
    starts : array-like of int, shape (n_windows,)
        First sample of each window.
    window : int
        Window length in samples.
    fs : float, optional
        Sampling rate in Hz: time axis in seconds (samples otherwise).
    point_labels : array-like of shape (n_times,), optional
        1 on samples known to be abnormal: shaded on the series panel.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing the time axis (series above, strip below) and a colorbar;
        each sample of the strip shows the highest score of the windows covering it,
        and the best-scoring window is outlined on the series.
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis]
    if x.ndim != 2:
        raise ValidationError(f"plot_window_scores: series must be (n_times,) or (n_channels, n_times), found {x.shape!r}.")
    n_times = x.shape[1]
    w = np.asarray(window_scores, dtype=np.float64).ravel()
    st = np.asarray(starts).astype(np.int64).ravel()
    if w.size == 0 or st.shape != w.shape:
        raise ValidationError(f"plot_window_scores: {w.size} window scores but {st.size} starts; give one start per window.")
    if not np.isfinite(w).all():
        bad = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValidationError(f"plot_window_scores: window score {bad} is {float(w[bad])!r}; scores must be finite.")
    if int(window) < 1 or st.min() < 0 or st.max() >= n_times:
        raise ValidationError(
            f"plot_window_scores: window={window!r} and starts in {int(st.min())}..{int(st.max())} do not fit a series "
            f"of {n_times} samples (starts must lie in 0..{n_times - 1})."
        )
    scale = float(fs) if fs else 1.0
    unit = "time (s)" if fs else "time (samples)"
    t = np.arange(n_times) / scale
    fig, axes = new_figure(2, 1, figsize=(9.0, 3.8), sharex=True, height_ratios=[3, 1])
    ax, strip = axes[0, 0], axes[1, 0]
    for c in range(x.shape[0]):
        ax.plot(t, x[c], lw=0.6, color=PALETTE[c % len(PALETTE)], label=f"channel {c}" if x.shape[0] > 1 else None)
    if point_labels is not None:
        pl = np.asarray(point_labels).ravel()
        if pl.size != n_times:
            raise ValidationError(f"plot_window_scores: {pl.size} point labels for a series of {n_times} samples.")
        ax.fill_between(t, 0, 1, where=pl.astype(bool), transform=ax.get_xaxis_transform(), color=PALETTE[3],
                        alpha=0.2, step="mid", label="labelled abnormal")
    best = int(np.argmax(w))
    ax.axvspan(st[best] / scale, min(st[best] + int(window), n_times) / scale, fill=False, edgecolor="black",
               lw=1.2, ls="--", label=f"highest window score ({w[best]:.3g})")
    ax.set_ylabel("amplitude")
    ax.set_title(title or f"window scores along the series ({w.size} windows of {int(window)} samples)")
    ax.legend(loc="upper right", fontsize=8)
    per_sample = _per_sample_scores(w, st, int(window), n_times)
    img = strip.imshow(np.ma.masked_invalid(per_sample)[np.newaxis, :], aspect="auto", cmap="magma",
                       extent=(0, n_times / scale, 0, 1), interpolation="nearest", origin="lower")
    strip.set_yticks([])
    strip.set_xlabel(unit)
    strip.set_ylabel("score")
    fig.colorbar(img, ax=strip, label="window score", aspect=8, pad=0.01)
    return fig


def plot_confusion(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    normalize: str | None = None,
    title: str | None = None,
):
    """Confusion matrix as a heat map, every cell annotated.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_series,)
        True and predicted classes.
    labels : sequence, optional
        Classes, in the order of the rows/columns; default the sorted union of both.
    normalize : {None, "true", "pred", "all"}, default=None
        Counts, or fractions over each true class (rows), each predicted class
        (columns) or everything (as ``sklearn.metrics.confusion_matrix``).
    title : str, optional
        Default: the accuracy and the number of series.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with an image of the matrix and a colorbar.
    """
    from sklearn.metrics import confusion_matrix

    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    if yt.shape != yp.shape or yt.ndim != 1:
        raise ValidationError(f"plot_confusion: y_true and y_pred must be 1-D of equal length, found {yt.shape!r} and {yp.shape!r}.")
    if normalize not in (None, "true", "pred", "all"):
        raise ValidationError(f"plot_confusion: normalize must be None, 'true', 'pred' or 'all', found {normalize!r}.")
    classes = list(labels) if labels is not None else sorted(set(yt.tolist()) | set(yp.tolist()), key=str)
    # a class absent from both makes an all-zero row: its "true" fraction is 0, not 0/0
    with np.errstate(invalid="ignore", divide="ignore"):
        cm = confusion_matrix(yt, yp, labels=classes, normalize=normalize)
    cm = np.nan_to_num(cm)
    k = len(classes)
    fig, axes = new_figure(1, 1, figsize=(max(3.8, 0.55 * k + 2.6), max(3.4, 0.5 * k + 2.0)))
    ax = axes[0, 0]
    img = ax.imshow(cm, cmap="Blues", vmin=0)
    fig.colorbar(img, ax=ax, label="fraction" if normalize else "series")
    hi = cm.max() if cm.size else 0
    for i in range(k):
        for j in range(k):
            v = cm[i, j]
            ax.text(j, i, f"{v:.2f}" if normalize else f"{int(v)}", ha="center", va="center", fontsize=8,
                    color="white" if hi and v > hi / 2 else "black")
    ax.set_xticks(range(k), [str(c) for c in classes], rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), [str(c) for c in classes])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    acc = float((yt == yp).mean()) if yt.size else 0.0
    ax.set_title(title or f"confusion matrix (accuracy {acc:.3f}, n = {yt.size})")
    return fig
