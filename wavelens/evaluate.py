"""How good are anomaly scores? ROC AUC, PR AUC (average precision) and precision@k.

Every function takes binary ``labels`` (1 = abnormal, 0 = normal) and ``scores``
(higher = more abnormal, the wavelens convention), one per series, and checks them
the same way: equal counts (both named when they differ), 0/1 labels (the other
values named), finite scores (the first bad one named), and both classes present
where the metric needs them. Ties between scores are handled exactly and without
depending on the order of the series.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata

from .exceptions import ValidationError

__all__ = ["roc_auc", "pr_auc", "precision_at_k"]


def _check(labels: Any, scores: Any, caller: str, *, need_negatives: bool) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    s = np.asarray(scores)
    if y.ndim != 1 or s.ndim != 1:
        raise ValidationError(
            f"{caller}: labels and scores must be 1-D, one value per series; found shapes {y.shape!r} "
            f"and {s.shape!r}."
        )
    if len(y) != len(s):
        raise ValidationError(
            f"{caller}: got {len(y)} labels but {len(s)} scores; pass one label and one score per "
            "series, in the same order."
        )
    if len(y) == 0:
        raise ValidationError(f"{caller}: labels and scores are empty (0 series).")
    if y.dtype == bool:
        y = y.astype(np.int64)
    if y.dtype.kind not in "biuf":
        raise ValidationError(
            f"{caller}: labels must be 0 (normal) or 1 (abnormal), found values of dtype {y.dtype!r} "
            f"such as {y[:3].tolist()!r}. Map your anomaly class to 1 and the rest to 0."
        )
    bad = np.setdiff1d(np.unique(y), [0, 1])
    if bad.size:
        raise ValidationError(
            f"{caller}: labels must be 0 (normal) or 1 (abnormal), found other values "
            f"{bad[:5].tolist()!r}. Map your anomaly class to 1 and the rest to 0."
        )
    if s.dtype.kind not in "biuf":
        raise ValidationError(f"{caller}: scores must be numbers, found dtype {s.dtype!r}.")
    s = s.astype(np.float64)
    nonfinite = np.flatnonzero(~np.isfinite(s))
    if nonfinite.size:
        i = int(nonfinite[0])
        raise ValidationError(
            f"{caller}: score {i} is {float(s[i])!r}; scores must be finite. Fix the step that computed it."
        )
    y = y.astype(np.int64)
    n_pos = int(y.sum())
    if n_pos == 0 or (need_negatives and n_pos == len(y)):
        which = "abnormal (1)" if n_pos == 0 else "normal (0)"
        raise ValidationError(
            f"{caller}: the labels hold no {which} series ({n_pos} of {len(y)} are 1), so the metric "
            "is undefined. Evaluate on a set with both kinds."
        )
    return y, s


def roc_auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve: the chance that an abnormal series outscores a normal one.

    Computed from the ranks of the scores (Mann–Whitney U): a tie between an abnormal
    and a normal series counts one half. Equals
    :func:`sklearn.metrics.roc_auc_score`.

    Parameters
    ----------
    labels : array-like of shape (n_series,)
        1 for abnormal series, 0 for normal ones (bool accepted); both must occur.
    scores : array-like of shape (n_series,)
        Finite; higher = more abnormal.

    Returns
    -------
    float
        In [0, 1]; 0.5 is chance level, 1 a perfect ranking.

    Raises
    ------
    ValidationError
        Different counts (both named), non-binary labels (the values named), a
        non-finite score, or only one class present.

    Examples
    --------
    >>> from wavelens.evaluate import roc_auc
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, s = _check(labels, scores, "roc_auc", need_negatives=True)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    ranks = rankdata(s, method="average")
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def pr_auc(labels: Any, scores: Any) -> float:
    """Area under the precision–recall curve, as average precision.

    ``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct score thresholds, highest
    first, where ``P_n`` and ``R_n`` are the precision and recall of flagging every
    series scored at least the n-th threshold (tied series enter together). Equals
    :func:`sklearn.metrics.average_precision_score`. Unlike ROC AUC its chance level
    is the fraction of abnormal series, so it shows how clean the top of the ranking
    is when anomalies are rare.

    Parameters
    ----------
    labels : array-like of shape (n_series,)
        1 for abnormal series, 0 for normal ones (bool accepted); at least one 1.
    scores : array-like of shape (n_series,)
        Finite; higher = more abnormal.

    Returns
    -------
    float
        In (0, 1].

    Raises
    ------
    ValidationError
        As :func:`roc_auc`, or no abnormal series.

    Examples
    --------
    >>> from wavelens.evaluate import pr_auc
    >>> round(pr_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y, s = _check(labels, scores, "pr_auc", need_negatives=False)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    # the last position of every run of equal scores is a threshold
    ends = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s_sorted) - 1]
    tp = np.cumsum(y_sorted)[ends]
    flagged = ends + 1
    precision = tp / flagged
    recall = tp / tp[-1]
    gains = np.diff(np.r_[0.0, recall])
    return float(np.sum(gains * precision))


def precision_at_k(labels: Any, scores: Any, k: int | None = None) -> float:
    """Fraction of abnormal series among the ``k`` highest scores.

    Parameters
    ----------
    labels : array-like of shape (n_series,)
        1 for abnormal series, 0 for normal ones (bool accepted); at least one 1.
    scores : array-like of shape (n_series,)
        Finite; higher = more abnormal.
    k : int, optional
        How many top-scored series to inspect, in [1, n_series]; default the number of
        abnormal series (then precision@k equals recall@k: "R-precision").

    Returns
    -------
    float
        In [0, 1]. When series tied at the k-th score straddle the cut, they count
        in proportion (the expected precision over every order of the tied series),
        so the result does not depend on the order of the input.

    Raises
    ------
    ValidationError
        As :func:`pr_auc`, or ``k`` out of range.

    Examples
    --------
    >>> from wavelens.evaluate import precision_at_k
    >>> precision_at_k([0, 1, 0, 1, 0], [0.9, 0.8, 0.1, 0.7, 0.2], k=2)
    0.5
    >>> precision_at_k([0, 1, 1, 0], [0.5, 0.9, 0.5, 0.1])   # k = 2 abnormal; a tie at the cut
    0.75
    """
    y, s = _check(labels, scores, "precision_at_k", need_negatives=False)
    n = len(y)
    if k is None:
        k = int(y.sum())
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValidationError(f"precision_at_k: k must be an integer in [1, {n}] (the number of series), found {k!r}.")
    kth = np.sort(s)[::-1][k - 1]
    above = s > kth
    tied = s == kth
    n_tied_taken = k - int(above.sum())
    expected_hits = y[above].sum() + n_tied_taken * y[tied].mean()
    return float(expected_hits / k)
