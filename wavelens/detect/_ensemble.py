"""Ensembles: several detectors, their scores put on one scale and averaged."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from ..data import CollectionMeta
from ..exceptions import ValidationError
from ._base import BaseDetector, _check_choice

__all__ = ["EnsembleDetector"]

_COMBINES = ("rank", "zscore")


def _zscores(scores: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Scores standardised with the mean and standard deviation of the training scores.

    A member whose training scores are all equal (standard deviation 0, or below the
    rounding error of their mean) is only centred: dividing by zero would make its
    scores infinite.
    """
    mean = float(train.mean())
    std = float(train.std())
    if not std > 1e-12 * max(abs(mean), 1.0):
        std = 1.0
    return (scores - mean) / std


def _percentiles(scores: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of each score among the training scores, in [0, 1]."""
    ordered = np.sort(train)
    below = np.searchsorted(ordered, scores, side="left")
    not_above = np.searchsorted(ordered, scores, side="right")
    return (below + not_above) / (2.0 * len(ordered))


class EnsembleDetector(BaseDetector):
    """Average of several detectors, each on a common scale fixed by its training scores.

    Every member is cloned and fitted on the same normal series. To combine scores on
    different scales, each member's scores are mapped with that member's own training
    scores, so the score of a series never depends on the other series scored with it:

    ``"rank"``
        The mid-rank percentile of the score among the member's training scores (0:
        below all of them, 1: above all of them), averaged over members. Robust to
        heavy tails and to members whose scores have no common unit. Series with the
        same average rank (typically several series above every training score of
        every member) are ordered by their average standardised score, added as a
        term smaller than any difference of average ranks.
    ``"zscore"``
        ``(score - mean) / std`` with the mean and standard deviation of the member's
        training scores, averaged over members. A member whose training scores are all
        equal is only centred (standard deviation taken as 1).

    Parameters
    ----------
    detectors : list of BaseDetector
        At least one wavelens detector (a representation per member is set on the
        member, e.g. with :class:`~wavelens.detect.FeatureDetector`).
    combine : {"rank", "zscore"}, default="rank"
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_`` from the combined training scores.

    Attributes
    ----------
    detectors_ : list of BaseDetector
        The fitted members.
    decision_scores_ : ndarray of float64, shape (n_train,)
        The members' training scores, combined.
    threshold_, labels_, n_channels_, n_times_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> from wavelens.detect import EnsembleDetector, FeatureDetector, IForest, LOF
    >>> from wavelens.testing import make_collection, plant_anomalies
    >>> train = make_collection(n_series=40, n_times=256, random_state=0)
    >>> ens = EnsembleDetector([
    ...     FeatureDetector("statistics", detector=LOF(n_neighbors=5)),
    ...     FeatureDetector("statistics + spectral_summary", detector=IForest(random_state=0)),
    ... ])
    >>> test, _ = plant_anomalies(make_collection(n_series=10, n_times=256, random_state=1),
    ...                           kind="burst", indices=[7], random_state=0)
    >>> int(ens.fit(train).decision_function(test).argmax())
    7
    """

    def __init__(self, detectors, *, combine="rank", contamination=0.1):
        self.detectors = detectors
        self.combine = combine
        self.contamination = contamination

    def _caller(self) -> str:
        n = len(self.detectors) if isinstance(self.detectors, (list, tuple)) else "?"
        return f"EnsembleDetector({n} detectors, combine={self.combine!r})"

    def _members(self) -> list[BaseDetector]:
        caller = self._caller()
        if not isinstance(self.detectors, (list, tuple)) or len(self.detectors) == 0:
            raise ValidationError(
                f"{caller}: detectors must be a non-empty list of wavelens detectors, found "
                f"{self.detectors!r}."
            )
        for i, det in enumerate(self.detectors):
            if not isinstance(det, BaseDetector):
                raise ValidationError(
                    f"{caller}: detectors[{i}] must be a wavelens detector (e.g. LOF(), "
                    f"make_detector('iforest')), found {type(det).__name__}."
                )
        return list(self.detectors)

    def get_tags(self) -> dict[str, Any]:
        """Ragged input only if every member accepts it; the longest minimum length."""
        tags = super().get_tags()
        members = self.detectors if isinstance(self.detectors, (list, tuple)) else []
        member_tags = [d.get_tags() for d in members if isinstance(d, BaseDetector)]
        if member_tags:
            tags["capability:ragged"] = all(t.get("capability:ragged", False) for t in member_tags)
            tags["min_length"] = max(int(t.get("min_length", 1)) for t in member_tags)
            tags["stochastic"] = any(t.get("stochastic", False) for t in member_tags)
        return tags

    def _combine(self, member_scores: list[np.ndarray]) -> np.ndarray:
        z = np.mean([_zscores(s, d.decision_scores_) for s, d in zip(member_scores, self.detectors_)], axis=0)
        if self.combine == "zscore":
            return z
        ranks = np.mean([_percentiles(s, d.decision_scores_) for s, d in zip(member_scores, self.detectors_)], axis=0)
        # the smallest non-zero difference between two average mid-rank percentiles is
        # 1 / (2 * n_train * n_members); the tie-break stays below half of it
        step = 1.0 / (2.0 * len(self.detectors_[0].decision_scores_) * len(self.detectors_))
        return ranks + 0.25 * step * (0.5 + np.arctan(z) / np.pi)

    def _fit(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        _check_choice(self.combine, "combine", _COMBINES, self._caller())
        X = meta.signal_set if meta.signal_set is not None else data
        self.detectors_ = [clone(d).fit(X) for d in self._members()]
        return self._combine([d.decision_scores_ for d in self.detectors_])

    def _score(self, data: Any, meta: CollectionMeta) -> np.ndarray:
        X = meta.signal_set if meta.signal_set is not None else data
        return self._combine([d.decision_function(X) for d in self.detectors_])

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        from ._classic import KNN, IForest
        from ._dtw import DTWKNN
        from ._feature import FeatureDetector

        return [
            {
                "detectors": [
                    FeatureDetector("statistics", detector=KNN(n_neighbors=3)),
                    FeatureDetector("statistics", detector=IForest(n_estimators=50, random_state=0)),
                ],
                "combine": "rank",
            },
            {
                "detectors": [FeatureDetector("statistics", detector=KNN(n_neighbors=3)), DTWKNN(n_neighbors=2)],
                "combine": "zscore",
            },
        ]
