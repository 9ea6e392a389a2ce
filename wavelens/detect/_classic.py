"""Classic detectors on rows of numbers (flattened series or feature matrices).

Each works alone on a feature matrix ``(n_series, n_features)`` or on an equal-length
collection, whose series it flattens into rows of raw samples; compose one with a
representation, scaling and PCA through :class:`~wavelens.detect.FeatureDetector`.
On raw rows of oscillating signals a flat series (a dead sensor) lies at the centre of
the data, where distance- and density-based detectors call it normal: give them
features in which flatness stands out (``"statistics"``, ``"spectral_summary"``, ...).
For the same reason the common check that a planted flat series ranks first runs on
each of these detectors through :class:`~wavelens.detect.FeatureDetector` (their own
``_get_test_params`` is empty); ``tests/detect`` runs every other common check on them
directly.

scikit-learn-backed (negated in :class:`~wavelens.detect._adapters._SklearnAdapter`):
:class:`LOF`, :class:`IForest`, :class:`OCSVM`. In NumPy/SciPy: :class:`KNN`,
:class:`PCAResidual`, :class:`Mahalanobis`, :class:`KPCAResidual`.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import linalg
from sklearn.ensemble import IsolationForest
from sklearn.metrics.pairwise import pairwise_kernels
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.svm import OneClassSVM

from ..exceptions import ValidationError
from ._adapters import _SklearnAdapter
from ._base import _check_choice, _check_int, _MatrixDetector

__all__ = ["LOF", "IForest", "OCSVM", "KNN", "PCAResidual", "Mahalanobis", "KPCAResidual"]

# Components whose variance is below this fraction of the largest one are treated as
# empty (rounding noise): dividing by their scale would amplify noise without bound.
_RELATIVE_RANK_TOL = 1e-10


# --------------------------------------------------------------------------------------
# scikit-learn-backed
# --------------------------------------------------------------------------------------
class LOF(_SklearnAdapter):
    """Local outlier factor (novelty mode): how much sparser a series' neighbourhood is.

    The score is the local outlier factor, about 1 inside the data and larger for
    series in sparser regions than their neighbours. scikit-learn's
    :class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True`` and exact
    (brute-force) neighbour search computes it.

    Parameters
    ----------
    n_neighbors : int, default=20
        Neighbours that define a neighbourhood, >= 1 and below the number of training
        series.
    metric : str, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances`.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    estimator_ : sklearn.neighbors.LocalOutlierFactor
    decision_scores_ : ndarray of float64, shape (n_train,)
        Leave-one-out factors of the training series (scikit-learn's
        ``-negative_outlier_factor_``).
    threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import LOF
    >>> rng = np.random.default_rng(0)
    >>> det = LOF(n_neighbors=10).fit(rng.standard_normal((100, 3)))
    >>> det.decision_function(np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 6.0]])).round(1)
    array([1. , 6.4])
    """

    def __init__(self, n_neighbors=20, *, metric="euclidean", contamination=0.1):
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.contamination = contamination

    def _caller(self) -> str:
        return f"LOF(n_neighbors={self.n_neighbors!r})"

    def _make_estimator(self, F: np.ndarray) -> LocalOutlierFactor:
        k = _check_int(self.n_neighbors, "n_neighbors", self._caller(), 1)
        self._check_n_train(len(F), k + 1, f"n_neighbors={k} plus the series itself")
        return LocalOutlierFactor(n_neighbors=k, metric=self.metric, algorithm="brute", novelty=True)

    def _raw_training_scores(self, estimator: Any, F: np.ndarray) -> np.ndarray:
        # in-sample scores would count each series as its own neighbour
        return estimator.negative_outlier_factor_

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


class IForest(_SklearnAdapter):
    """Isolation forest: series that random axis-parallel splits isolate quickly.

    The score is scikit-learn's anomaly score ``2 ** (-mean path length / c(n))``,
    in (0, 1]: about 0.5 or less inside the data, near 1 for isolated series.

    Parameters
    ----------
    n_estimators : int, default=100
        Trees in the forest.
    max_samples : int, float or "auto", default="auto"
        Training series drawn per tree (``"auto"``: min(256, n_train)).
    max_features : int or float, default=1.0
        Features drawn per tree.
    random_state : int, RandomState or None, default=None
        Seed of the forest; the same seed gives the same scores.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    estimator_ : sklearn.ensemble.IsolationForest
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import IForest
    >>> rng = np.random.default_rng(0)
    >>> det = IForest(n_estimators=50, random_state=0).fit(rng.standard_normal((200, 3)))
    >>> s = det.decision_function(np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 6.0]]))
    >>> bool(s[1] > det.threshold_ > s[0])
    True
    """

    _tags = {"stochastic": True}

    def __init__(self, n_estimators=100, *, max_samples="auto", max_features=1.0, random_state=None,
                 contamination=0.1):
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.random_state = random_state
        self.contamination = contamination

    def _caller(self) -> str:
        return f"IForest(n_estimators={self.n_estimators!r})"

    def _make_estimator(self, F: np.ndarray) -> IsolationForest:
        n = _check_int(self.n_estimators, "n_estimators", self._caller(), 1)
        return IsolationForest(
            n_estimators=n,
            max_samples=self.max_samples,
            max_features=self.max_features,
            random_state=self.random_state,
        )

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


class OCSVM(_SklearnAdapter):
    """One-class SVM: distance outside the boundary learnt around the training series.

    The score is minus scikit-learn's ``score_samples`` (the kernel expansion of the
    boundary function): higher outside the support of the training data.

    Parameters
    ----------
    kernel : {"rbf", "linear", "poly", "sigmoid"}, default="rbf"
    nu : float, default=0.5
        In (0, 1]: upper bound on the fraction of training margin errors.
    gamma : "scale", "auto" or float, default="scale"
        Kernel coefficient (``"scale"``: ``1 / (n_features * X.var())``).
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    estimator_ : sklearn.svm.OneClassSVM
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import OCSVM
    >>> rng = np.random.default_rng(0)
    >>> det = OCSVM(nu=0.1).fit(rng.standard_normal((200, 3)))
    >>> s = det.decision_function(np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 6.0]]))
    >>> bool(s[1] > det.threshold_ > s[0])
    True
    """

    def __init__(self, kernel="rbf", *, nu=0.5, gamma="scale", contamination=0.1):
        self.kernel = kernel
        self.nu = nu
        self.gamma = gamma
        self.contamination = contamination

    def _caller(self) -> str:
        return f"OCSVM(kernel={self.kernel!r}, nu={self.nu!r})"

    def _make_estimator(self, F: np.ndarray) -> OneClassSVM:
        caller = self._caller()
        _check_choice(self.kernel, "kernel", ("rbf", "linear", "poly", "sigmoid"), caller)
        if isinstance(self.nu, bool) or not isinstance(self.nu, Real) or not 0.0 < self.nu <= 1.0:
            raise ValidationError(f"{caller}: nu must be a number in (0, 1], found {self.nu!r}.")
        return OneClassSVM(kernel=self.kernel, nu=float(self.nu), gamma=self.gamma)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


# --------------------------------------------------------------------------------------
# NumPy / SciPy
# --------------------------------------------------------------------------------------
# Query rows whose candidate neighbours are re-measured at once (bounds the temporary
# (rows, candidates, features) arrays to about 4 M values, 32 MB).
_EXACT_BLOCK_VALUES = 1 << 22


def _nearest_distances(reference: np.ndarray, query: np.ndarray | None, k: int) -> np.ndarray:
    """Exact Euclidean distances to the ``k`` nearest reference rows, sorted, ``(n_query, k)``.

    With ``query=None`` the reference rows are the queries and each is left out of its
    own neighbours. Candidates come from a fast matrix-product search; their distances
    are then recomputed from the differences, because the product form loses the small
    distances to rounding (a row's distance to itself comes out near 1e-8, not 0) and
    its rounding depends on how many rows are scored together.
    """
    n_ref = len(reference)
    n_candidates = min(n_ref - (query is None), 2 * k + 5)
    nn = NearestNeighbors(n_neighbors=n_candidates, algorithm="brute").fit(reference)
    _, candidates = nn.kneighbors(query)
    rows = reference if query is None else query
    out = np.empty((len(rows), k))
    block = max(1, _EXACT_BLOCK_VALUES // (n_candidates * reference.shape[1]))
    for a in range(0, len(rows), block):
        b = min(a + block, len(rows))
        diff = reference[candidates[a:b]] - rows[a:b, np.newaxis, :]
        exact = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        out[a:b] = np.sort(exact, axis=1)[:, :k]
    return out


class KNN(_MatrixDetector):
    """Distance to the nearest training series (Euclidean; mean or largest of k).

    Parameters
    ----------
    n_neighbors : int, default=5
        k, >= 1 and below the number of training series.
    method : {"mean", "max"}, default="mean"
        Score as the mean of the k distances, or the k-th (largest) one.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    X_fit_ : ndarray of float64, shape (n_train, n_features)
        The training rows.
    decision_scores_ : ndarray of float64, shape (n_train,)
        Leave-one-out: each training series against the others.
    threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import KNN
    >>> train = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> KNN(n_neighbors=2).fit(train).decision_function(np.array([[1.5], [10.0]]))
    array([0.5, 7.5])
    """

    def __init__(self, n_neighbors=5, *, method="mean", contamination=0.1):
        self.n_neighbors = n_neighbors
        self.method = method
        self.contamination = contamination

    def _caller(self) -> str:
        return f"KNN(n_neighbors={self.n_neighbors!r})"

    def _k(self) -> int:
        _check_choice(self.method, "method", ("mean", "max"), self._caller())
        return _check_int(self.n_neighbors, "n_neighbors", self._caller(), 1)

    def _reduce(self, distances: np.ndarray) -> np.ndarray:
        return distances.mean(axis=1) if self.method == "mean" else distances[:, -1]

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        k = self._k()
        self._check_n_train(len(F), k + 1, f"n_neighbors={k} plus the series itself")
        self.X_fit_ = F
        return self._reduce(_nearest_distances(F, None, k))

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        return self._reduce(_nearest_distances(self.X_fit_, F, self._k()))

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


def _full_pca(F: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, principal axes (rows) and variances of the non-empty components of ``F``."""
    mean = F.mean(axis=0)
    _, s, vt = linalg.svd(F - mean, full_matrices=False, lapack_driver="gesdd")
    variance = s**2 / max(len(F) - 1, 1)
    keep = variance > _RELATIVE_RANK_TOL * (variance[0] if variance.size and variance[0] > 0 else 1.0)
    # the sign of each axis is fixed (largest loading positive) so results do not hinge on LAPACK
    vt = vt[keep]
    signs = np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])
    return mean, vt * signs[:, np.newaxis], variance[keep]


def _n_kept(n_components: Any, variance: np.ndarray, caller: str, *, allow_none: bool) -> int:
    """How many leading components ``n_components`` (int, fraction or None) keeps."""
    rank = len(variance)
    if rank == 0:
        raise ValidationError(
            f"{caller}: the training rows are all identical, so they have no principal "
            "components. Fit on varied normal series."
        )
    if n_components is None and allow_none:
        return rank
    if isinstance(n_components, Integral) and not isinstance(n_components, bool):
        if not 1 <= n_components <= rank:
            raise ValidationError(
                f"{caller}: n_components={n_components!r} but the training rows span only {rank} "
                f"component(s) with non-zero variance (at most n_train - 1 and n_features). Use "
                f"n_components <= {rank}, a fraction of variance such as 0.9, or more training series."
            )
        return int(n_components)
    if isinstance(n_components, Real) and not isinstance(n_components, bool) and 0.0 < n_components < 1.0:
        ratio = np.cumsum(variance) / variance.sum()
        return int(min(np.searchsorted(ratio, float(n_components)) + 1, rank))
    accepted = "an integer >= 1, a fraction of variance in (0, 1)" + (" or None" if allow_none else "")
    raise ValidationError(f"{caller}: n_components must be {accepted}, found {n_components!r}.")


def _fit_principal_axes(det: Any, F: np.ndarray, why: str, *, allow_none: bool) -> np.ndarray:
    """Set ``det.mean_``, ``components_`` and ``n_components_`` from the training rows ``F``.

    ``det`` is a PCA-based detector with an ``n_components`` parameter; returns the
    variances of the kept components.
    """
    det._check_n_train(len(F), 2, why)
    mean, axes, variance = _full_pca(F)
    k = _n_kept(det.n_components, variance, det._caller(), allow_none=allow_none)
    det.mean_, det.components_, det.n_components_ = mean, axes[:k], k
    return variance[:k]


class PCAResidual(_MatrixDetector):
    """PCA reconstruction error: what the leading principal components cannot explain.

    The score is the squared Euclidean distance between a row and its projection on
    the first ``n_components`` principal axes of the training rows.

    Parameters
    ----------
    n_components : int or float, default=0.9
        Components kept: an integer, or the fraction of the training variance they
        must explain (in (0, 1)).
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    mean_ : ndarray of float64, shape (n_features,)
    components_ : ndarray of float64, shape (n_components_, n_features)
        Orthonormal principal axes, as rows.
    n_components_ : int
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import PCAResidual
    >>> t = np.random.default_rng(0).standard_normal(100)
    >>> train = np.c_[t, 2 * t]                      # every row on the line y = 2x
    >>> det = PCAResidual(n_components=1).fit(train)
    >>> det.decision_function(np.array([[1.0, 2.0], [2.0, -1.0]])).round(3)
    array([0., 5.])
    """

    def __init__(self, n_components=0.9, *, contamination=0.1):
        self.n_components = n_components
        self.contamination = contamination

    def _caller(self) -> str:
        return f"PCAResidual(n_components={self.n_components!r})"

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        _fit_principal_axes(self, F, "to estimate principal axes", allow_none=False)
        return self._score_matrix(F)

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        centred = F - self.mean_
        residual = centred - (centred @ self.components_.T) @ self.components_
        return np.einsum("ij,ij->i", residual, residual)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


class Mahalanobis(_MatrixDetector):
    """Mahalanobis distance to the training mean, in the whitened PCA space.

    The rows are projected on the leading principal axes of the training rows and each
    coordinate is divided by its standard deviation; the score is the Euclidean norm
    there. Components without variance are left out (they cannot be whitened), so a
    deviation that lies entirely outside the kept components is invisible here;
    :class:`PCAResidual` measures exactly that part.

    Parameters
    ----------
    n_components : int, float or None, default=None
        Components kept: an integer, a fraction of the training variance (in (0, 1)),
        or None for every component with non-zero variance.
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    mean_ : ndarray of float64, shape (n_features,)
    components_ : ndarray of float64, shape (n_components_, n_features)
    scales_ : ndarray of float64, shape (n_components_,)
        Standard deviation of the training rows along each axis.
    n_components_ : int
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import Mahalanobis
    >>> train = np.random.default_rng(0).standard_normal((2000, 2)) * [1.0, 10.0]
    >>> s = Mahalanobis().fit(train).decision_function(np.array([[3.0, 0.0], [0.0, 3.0]]))
    >>> bool(s[0] > 2.5 > 0.5 > s[1])                # 3 sd away vs 0.3 sd away
    True
    """

    def __init__(self, n_components=None, *, contamination=0.1):
        self.n_components = n_components
        self.contamination = contamination

    def _caller(self) -> str:
        return f"Mahalanobis(n_components={self.n_components!r})"

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        self.scales_ = np.sqrt(_fit_principal_axes(self, F, "to estimate a covariance", allow_none=True))
        return self._score_matrix(F)

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        z = ((F - self.mean_) @ self.components_.T) / self.scales_
        return np.sqrt(np.einsum("ij,ij->i", z, z))

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector


_KPCA_KERNELS = ("rbf", "laplacian", "poly", "linear", "cosine")


class KPCAResidual(_MatrixDetector):
    """Kernel PCA reconstruction error, measured in the kernel's feature space.

    With ``phi`` the kernel's feature map, centred on the training rows, the score is
    ``||phi(x)||^2 - ||P phi(x)||^2``: the squared distance between ``phi(x)`` and its
    projection on the first ``n_components`` kernel principal axes (Hoffmann, 2007,
    "Kernel PCA for novelty detection"). It is computed exactly with the kernel trick;
    nothing is mapped back to the input space.

    Parameters
    ----------
    n_components : int, default=10
        Kernel principal components kept, >= 1 (at most the number of training series
        with a non-zero eigenvalue).
    kernel : {"rbf", "laplacian", "poly", "linear", "cosine"}, default="rbf"
    gamma : float, optional
        Kernel coefficient; by default ``1 / (n_features * var)`` for "rbf" and "poly"
        and ``1 / (n_features * std)`` for "laplacian", from the training rows.
    degree : int, default=3
        Degree of "poly".
    coef0 : float, default=1.0
        Constant of "poly".
    contamination : float, default=0.1
        In (0, 0.5]; sets ``threshold_``.

    Attributes
    ----------
    X_fit_ : ndarray of float64, shape (n_train, n_features)
    gamma_ : float or None
        The kernel coefficient used (None for "linear" and "cosine").
    scaled_alphas_ : ndarray of float64, shape (n_train, n_components_)
        Eigenvectors of the centred training kernel divided by the square roots of
        their eigenvalues: projections are ``centred_kernel @ scaled_alphas_``.
    kernel_row_means_ : ndarray of float64, shape (n_train,)
    kernel_mean_ : float
        Means of the training kernel matrix, for centring.
    n_components_ : int
    decision_scores_, threshold_, labels_, n_channels_, n_times_, n_features_in_
        As in :class:`~wavelens.detect.BaseDetector`.

    Notes
    -----
    Fitting solves a dense ``n_train × n_train`` eigenproblem (deterministic, cubic
    in ``n_train``); scoring needs the kernel between new and training rows.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.detect import KPCAResidual
    >>> angle = np.random.default_rng(0).uniform(0, 2 * np.pi, 200)
    >>> ring = np.c_[np.cos(angle), np.sin(angle)]   # normal rows lie on a circle
    >>> det = KPCAResidual(n_components=8, gamma=2.0).fit(ring)
    >>> s = det.decision_function(np.array([[0.0, 1.0], [0.0, 0.0]]))
    >>> bool(s[1] > det.threshold_ > s[0])           # the centre of the ring is abnormal
    True
    """

    def __init__(self, n_components=10, *, kernel="rbf", gamma=None, degree=3, coef0=1.0,
                 contamination=0.1):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.contamination = contamination

    def _caller(self) -> str:
        return f"KPCAResidual(n_components={self.n_components!r}, kernel={self.kernel!r})"

    def _kernel_params(self) -> dict[str, Any]:
        if self.kernel in ("rbf", "laplacian"):
            return {"gamma": self.gamma_}
        if self.kernel == "poly":
            return {"gamma": self.gamma_, "degree": self.degree, "coef0": self.coef0}
        return {}

    def _self_similarity(self, F: np.ndarray) -> np.ndarray:
        """k(x, x) of every row, without the full kernel matrix."""
        if self.kernel in ("rbf", "laplacian"):
            return np.ones(len(F))
        sq = np.einsum("ij,ij->i", F, F)
        if self.kernel == "linear":
            return sq
        if self.kernel == "poly":
            return (self.gamma_ * sq + self.coef0) ** self.degree
        return (sq > 0).astype(np.float64)  # cosine: a zero row is normalised to zero

    def _fit_matrix(self, F: np.ndarray) -> np.ndarray:
        caller = self._caller()
        _check_choice(self.kernel, "kernel", _KPCA_KERNELS, caller)
        n_components = _check_int(self.n_components, "n_components", caller, 1)
        if self.kernel == "poly":
            _check_int(self.degree, "degree", caller, 1)
            if isinstance(self.coef0, bool) or not isinstance(self.coef0, Real):
                raise ValidationError(f"{caller}: coef0 must be a number, found {self.coef0!r}.")
        self._check_n_train(len(F), 2, "to estimate kernel principal axes")
        if self.kernel in ("linear", "cosine"):
            self.gamma_ = None
        elif self.gamma is None:
            spread = F.std() if self.kernel == "laplacian" else F.var()
            self.gamma_ = 1.0 / (F.shape[1] * spread) if spread > 0 else 1.0 / F.shape[1]
        elif isinstance(self.gamma, bool) or not isinstance(self.gamma, Real) or not self.gamma > 0:
            raise ValidationError(f"{caller}: gamma must be a positive number or None, found {self.gamma!r}.")
        else:
            self.gamma_ = float(self.gamma)
        self.X_fit_ = F
        K = pairwise_kernels(F, metric=self.kernel, **self._kernel_params())
        self.kernel_row_means_ = K.mean(axis=0)
        self.kernel_mean_ = float(self.kernel_row_means_.mean())
        Kc = K - self.kernel_row_means_[np.newaxis, :] - self.kernel_row_means_[:, np.newaxis] + self.kernel_mean_
        eigvals, eigvecs = linalg.eigh(Kc)
        order = np.argsort(eigvals)[::-1]
        eigvals, eigvecs = eigvals[order], eigvecs[:, order]
        rank = int(np.sum(eigvals > _RELATIVE_RANK_TOL * max(eigvals[0], 0.0))) if eigvals[0] > 0 else 0
        if n_components > rank:
            raise ValidationError(
                f"{caller}: n_components={n_components} but the centred training kernel has only "
                f"{rank} non-zero eigenvalue(s). Use n_components <= {max(rank, 1)}, another "
                "gamma, or more (and more varied) training series."
            )
        self.n_components_ = n_components
        vecs = eigvecs[:, :n_components]
        vecs = vecs * np.sign(vecs[np.argmax(np.abs(vecs), axis=0), np.arange(n_components)])
        self.scaled_alphas_ = vecs / np.sqrt(eigvals[:n_components])
        return self._residual(F, K)

    def _score_matrix(self, F: np.ndarray) -> np.ndarray:
        return self._residual(F, pairwise_kernels(F, self.X_fit_, metric=self.kernel, **self._kernel_params()))

    def _residual(self, F: np.ndarray, K: np.ndarray) -> np.ndarray:
        row_means = K.mean(axis=1)
        Kc = K - row_means[:, np.newaxis] - self.kernel_row_means_[np.newaxis, :] + self.kernel_mean_
        projections = Kc @ self.scaled_alphas_
        norm_sq = self._self_similarity(F) - 2.0 * row_means + self.kernel_mean_
        return np.maximum(norm_sq - np.einsum("ij,ij->i", projections, projections), 0.0)

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return []  # see the module docstring: the planted check runs through FeatureDetector

