"""Clustering of embeddings: k-means, Gaussian mixtures and HDBSCAN, with k chosen for you."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..exceptions import ValidationError

__all__ = ["ClusterResult", "cluster_embeddings", "check_embeddings", "medoid_indices", "METHODS"]

METHODS = ("kmeans", "gmm", "hdbscan")
_CRITERION = {"kmeans": "silhouette", "gmm": "bic", "hdbscan": "silhouette"}
# rows per block when summing distances inside a cluster (bounds memory at ~block * m floats)
_BLOCK = 1024


@dataclass
class ClusterResult:
    """What :func:`cluster_embeddings` found.

    Attributes
    ----------
    labels : ndarray of int64, shape (n_series,)
        Cluster of each series, ``0 .. k-1``, numbered by decreasing size (ties: the
        cluster holding the earlier series first). HDBSCAN's noise points are ``-1``.
    k : int
        Number of clusters (noise not counted).
    method : str
        ``"kmeans"``, ``"gmm"`` or ``"hdbscan"``.
    criterion : str
        ``"silhouette"`` (kmeans, hdbscan; higher is better) or ``"bic"`` (gmm; lower
        is better).
    criterion_values : dict of int to float
        The criterion for every ``k`` tried (one entry when ``k`` was fixed; for
        hdbscan the silhouette of the clustering found, empty when it found one cluster).
    medoids : ndarray of int64, shape (k,)
        For each cluster, the index (into the rows of ``E``) of its medoid: the member
        whose summed Euclidean distance to the other members is smallest.
    sizes : ndarray of int64, shape (k,)
        Members per cluster.
    silhouette : float or None
        Mean silhouette of the final clustering (noise left out); None when it is
        undefined (a single cluster, or every point its own cluster).
    ids : ndarray of str, shape (n_series,)
        The ids of the rows (``"0", "1", ...`` when none were given).
    n_noise : int
        Series labelled noise (``-1``; hdbscan only).
    """

    labels: np.ndarray
    k: int
    method: str
    criterion: str
    criterion_values: dict[int, float]
    medoids: np.ndarray
    sizes: np.ndarray
    silhouette: float | None
    ids: np.ndarray = field(repr=False)
    n_noise: int = 0

    @property
    def medoid_ids(self) -> list[str]:
        """The ids of the medoids, cluster 0 first."""
        return [str(self.ids[i]) for i in self.medoids]

    def summary(self) -> str:
        """A small plain-text table: one row per cluster (size, medoid id)."""
        head = f"{self.method}: k = {self.k}"
        if self.silhouette is not None:
            head += f", silhouette = {self.silhouette:.3f}"
        if self.n_noise:
            head += f", noise = {self.n_noise}"
        rows = [head, f"{'cluster':>7}  {'size':>6}  medoid"]
        rows += [f"{c:>7}  {int(s):>6}  {self.medoid_ids[c]}" for c, s in enumerate(self.sizes)]
        if len(self.criterion_values) > 1:
            best = self.k
            vals = "  ".join(f"k={kk}: {v:.4g}{' *' if kk == best else ''}" for kk, v in self.criterion_values.items())
            rows.append(f"{self.criterion} by k: {vals}")
        return "\n".join(rows)


def check_embeddings(E: Any, ids: Sequence[Any] | None = None, *, caller: str = "embeddings") -> tuple[np.ndarray, np.ndarray]:
    """Check an embedding matrix and its ids; return them as float64 ``(n, d)`` and str ``(n,)``.

    Raises
    ------
    ValidationError
        Not 2-D, empty, non-numeric, ids of the wrong count, or rows holding NaN/inf
        (the ids of the first such rows are named).
    """
    try:
        a = np.asarray(E, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"{caller}: expected numbers (n_series, n_dims); found values that are not numeric ({err}).") from err
    if a.ndim == 1:
        a = a[:, np.newaxis]
    if a.ndim != 2:
        raise ValidationError(f"{caller}: expected a 2-D array (n_series, n_dims), found shape {a.shape!r}.")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValidationError(f"{caller}: the embedding matrix is empty (shape {a.shape!r}).")
    if ids is None:
        id_arr = np.array([str(i) for i in range(a.shape[0])], dtype=object)
    else:
        id_arr = np.array([str(i) for i in ids], dtype=object)
        if id_arr.shape[0] != a.shape[0]:
            raise ValidationError(f"{caller}: {id_arr.shape[0]} ids for {a.shape[0]} rows; give one id per row.")
    bad = np.flatnonzero(~np.isfinite(a).all(axis=1))
    if bad.size:
        named = ", ".join(repr(str(id_arr[i])) for i in bad[:5]) + (f" and {bad.size - 5} more" if bad.size > 5 else "")
        raise ValidationError(
            f"{caller}: {bad.size} of {a.shape[0]} rows hold NaN or inf (ids {named}); embeddings must be "
            "finite. Drop those rows or fix the step that computed them."
        )
    return a, id_arr


def _check_k(k: Any, k_range: Any, n: int, method: str) -> list[int]:
    """The list of k to try."""
    if isinstance(k, str):
        if k != "auto":
            raise ValidationError(f"cluster_embeddings: k must be 'auto' or an integer >= 2, found {k!r}.")
        try:
            lo, hi = (int(v) for v in k_range)
        except (TypeError, ValueError) as err:
            raise ValidationError(f"cluster_embeddings: k_range must be two integers (k_min, k_max), found {k_range!r}.") from err
        if lo < 2 or hi < lo:
            raise ValidationError(f"cluster_embeddings: k_range must satisfy 2 <= k_min <= k_max, found {k_range!r}.")
        if method == "kmeans":
            # the silhouette needs 2 <= k <= n - 1
            if n < lo + 1:
                raise ValidationError(
                    f"cluster_embeddings: cannot choose k in {lo}..{hi} by silhouette for {n} series (it needs at "
                    f"least k + 1 = {lo + 1} series). Give more series or a fixed k <= {n}."
                )
            hi = min(hi, n - 1)
        else:
            if n < lo:
                raise ValidationError(
                    f"cluster_embeddings: cannot cluster {n} series into at least {lo} clusters; give at least "
                    f"{lo} series or lower k_min."
                )
            hi = min(hi, n)
        return list(range(lo, hi + 1))
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise ValidationError(f"cluster_embeddings: k must be 'auto' or an integer >= 2, found {k!r}.")
    k = int(k)
    if k < 2:
        raise ValidationError(f"cluster_embeddings: k must be >= 2 (or 'auto'), found k={k}.")
    if k > n:
        raise ValidationError(
            f"cluster_embeddings: cannot cluster {n} series into k={k} clusters; k must be <= the number of "
            f"series ({n}). Lower k or give more series."
        )
    return [k]


def _silhouette(E: np.ndarray, labels: np.ndarray, random_state: Any) -> float | None:
    from sklearn.metrics import silhouette_score

    keep = labels >= 0
    n_lab = np.unique(labels[keep]).size
    if n_lab < 2 or n_lab > keep.sum() - 1:
        return None
    # exact up to 5000 points; a fixed-seed sample beyond (the full matrix is n^2)
    sample = None if keep.sum() <= 5000 else 5000
    rs = 0 if random_state is None else random_state
    return float(silhouette_score(E[keep], labels[keep], sample_size=sample, random_state=rs))


def medoid_indices(E: Any, labels: Any) -> np.ndarray:
    """For each cluster ``0 .. k-1``, the member with the smallest summed distance to the others.

    Parameters
    ----------
    E : array-like of shape (n_series, n_dims)
    labels : array-like of int, shape (n_series,)
        Clusters ``0 .. k-1``; negative labels (noise) are ignored.

    Returns
    -------
    ndarray of int64, shape (k,)
        Row indices into ``E``; ties go to the earlier row.
    """
    from scipy.spatial.distance import cdist

    E = np.asarray(E, dtype=np.float64)
    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    out = np.empty(k, dtype=np.int64)
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if members.size == 0:
            raise ValidationError(f"medoid_indices: cluster {c} has no members; labels must run 0..k-1 without gaps.")
        M = E[members]
        sums = np.concatenate([cdist(M[s:s + _BLOCK], M).sum(axis=1) for s in range(0, members.size, _BLOCK)])
        out[c] = members[int(np.argmin(sums))]
    return out


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Number clusters by decreasing size, ties by first appearance; keep -1 (noise)."""
    found = [c for c in np.unique(labels) if c >= 0]
    if not found:
        return labels.astype(np.int64)
    first = {c: int(np.flatnonzero(labels == c)[0]) for c in found}
    size = {c: int((labels == c).sum()) for c in found}
    order = sorted(found, key=lambda c: (-size[c], first[c]))
    mapping = {c: i for i, c in enumerate(order)}
    return np.array([mapping.get(c, -1) for c in labels.tolist()], dtype=np.int64)


def _fit_kmeans(E: np.ndarray, k: int, random_state: Any) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=random_state).fit_predict(E)


def _fit_gmm(E: np.ndarray, k: int, random_state: Any, covariance_type: str) -> tuple[np.ndarray, float]:
    from sklearn.mixture import GaussianMixture

    gm = GaussianMixture(n_components=k, covariance_type=covariance_type, n_init=3, reg_covar=1e-6,
                         random_state=random_state).fit(E)
    return gm.predict(E), float(gm.bic(E))


def cluster_embeddings(
    E: Any,
    *,
    method: str = "kmeans",
    k: int | str = "auto",
    k_range: tuple[int, int] = (2, 10),
    ids: Sequence[Any] | None = None,
    random_state: Any = None,
    covariance_type: str = "full",
    min_cluster_size: int = 5,
) -> ClusterResult:
    """Cluster embeddings, choosing the number of clusters when asked, and find each cluster's medoid.

    Parameters
    ----------
    E : array-like of shape (n_series, n_dims)
        One embedding per series; finite (rows with NaN/inf are rejected, their ids named).
    method : {"kmeans", "gmm", "hdbscan"}, default="kmeans"
        k-means (10 restarts); a Gaussian mixture (``covariance_type``, 3 restarts,
        labels = most probable component); or HDBSCAN (``sklearn.cluster.HDBSCAN``),
        which chooses its own number of clusters and may label points noise (-1).
    k : "auto" or int, default="auto"
        Number of clusters, ``2 <= k <= n_series``. ``"auto"`` tries every k in
        ``k_range`` and keeps the best: the highest mean silhouette for kmeans, the
        lowest BIC for gmm. hdbscan accepts only ``"auto"``.
    k_range : (int, int), default=(2, 10)
        Smallest and largest k tried by ``"auto"`` (inclusive); the upper end is
        clipped to what the number of series allows.
    ids : sequence, optional
        One id per row, used in messages and in :attr:`ClusterResult.medoid_ids`.
    random_state : int, numpy Generator or None, default=None
        Seeds k-means and the mixture; the same seed gives the same labels.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Mixture covariance (gmm only); "diag" suits high-dimensional embeddings
        with few series.
    min_cluster_size : int, default=5
        Smallest cluster HDBSCAN reports (hdbscan only).

    Returns
    -------
    ClusterResult
        ``labels`` (n_series,) int64, ``k``, ``criterion_values``, ``medoids`` (k,),
        ``sizes`` (k,), ``silhouette``.

    Raises
    ------
    ValidationError
        Unknown method, k < 2, more clusters than series (both numbers named),
        NaN/inf rows (ids named), hdbscan finding no cluster.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.cluster import cluster_embeddings
    >>> rng = np.random.default_rng(0)
    >>> E = np.vstack([rng.normal(c, 0.1, size=(20, 2)) for c in (0, 5, 10)])
    >>> res = cluster_embeddings(E, k="auto", random_state=0)
    >>> res.k, res.sizes.tolist()
    (3, [20, 20, 20])
    """
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValidationError(f"cluster_embeddings: method must be one of {list(METHODS)!r}, found {method!r}.")
    method = method.lower()
    E, id_arr = check_embeddings(E, ids)
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2**31 - 1))

    from threadpoolctl import threadpool_limits

    # k-means (OpenMP) and EM (many small BLAS calls) on thousands of points run 20-70x
    # slower multi-threaded when the cores are busy (measured on 3,465 x 3: k-means for
    # k = 2..10 7.4 s vs 0.28 s; a 10-component mixture on 3,465 x 16: 9.1 s vs 0.28 s), and
    # barely faster when they are idle: fit on one thread.
    with threadpool_limits(limits=1):
        return _cluster(E, id_arr, method, k, k_range, random_state, covariance_type, min_cluster_size)


def _cluster(E: np.ndarray, id_arr: np.ndarray, method: str, k: Any, k_range: Any, random_state: Any,
             covariance_type: str, min_cluster_size: int) -> ClusterResult:
    n = E.shape[0]
    values: dict[int, float] = {}
    if method == "hdbscan":
        if k != "auto":
            raise ValidationError(
                f"cluster_embeddings: hdbscan chooses the number of clusters itself; pass k='auto', found k={k!r} "
                "(use method='kmeans' or 'gmm' for a fixed k)."
            )
        from sklearn.cluster import HDBSCAN

        mcs = int(min_cluster_size)
        if mcs < 2:
            raise ValidationError(f"cluster_embeddings: min_cluster_size must be >= 2, found {min_cluster_size!r}.")
        if n < mcs:
            raise ValidationError(
                f"cluster_embeddings: hdbscan with min_cluster_size={mcs} needs at least {mcs} series, found {n}."
            )
        labels = _relabel(HDBSCAN(min_cluster_size=mcs, copy=True).fit_predict(E))
        if labels.max() < 0:
            raise ValidationError(
                f"cluster_embeddings: hdbscan labelled all {n} series noise (no cluster of at least "
                f"min_cluster_size={mcs} dense points). Lower min_cluster_size or use method='kmeans'."
            )
        sil = _silhouette(E, labels, random_state)
        k_best = int(labels.max()) + 1
        if sil is not None:
            values[k_best] = sil
    else:
        ks = _check_k(k, k_range, n, method)
        fits: dict[int, np.ndarray] = {}
        for kk in ks:
            if method == "kmeans":
                lab = _fit_kmeans(E, kk, random_state)
                s = _silhouette(E, lab, random_state)
                # a degenerate fit (duplicate points: fewer distinct clusters than asked) ranks last
                values[kk] = -1.0 if s is None else s
            else:
                lab, values[kk] = _fit_gmm(E, kk, random_state, covariance_type)
            fits[kk] = lab
        if method == "kmeans":
            k_best = max(values, key=lambda kk: (values[kk], -kk))
        else:
            k_best = min(values, key=lambda kk: (values[kk], kk))
        labels = _relabel(fits[k_best])
        sil = _silhouette(E, labels, random_state)
        k_best = int(labels.max()) + 1  # a mixture may leave a component empty
    sizes = np.bincount(labels[labels >= 0], minlength=k_best).astype(np.int64)
    return ClusterResult(
        labels=labels,
        k=k_best,
        method=method,
        criterion=_CRITERION[method],
        criterion_values={int(kk): float(v) for kk, v in values.items()},
        medoids=medoid_indices(E, labels),
        sizes=sizes,
        silhouette=sil,
        ids=id_arr,
        n_noise=int((labels < 0).sum()),
    )
