"""2-D and 3-D projections of embeddings: PCA, t-SNE and (when installed) UMAP."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._optional import import_optional
from ..exceptions import ValidationError
from ._cluster import check_embeddings

__all__ = ["project", "PROJECTIONS"]

PROJECTIONS = ("pca", "tsne", "umap")


def _seed(random_state: Any) -> Any:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return random_state


def project(
    E: Any,
    *,
    method: str = "pca",
    n_components: int = 2,
    random_state: Any = None,
    perplexity: float = 30.0,
    n_neighbors: int = 15,
) -> np.ndarray:
    """Project embeddings to 2 or 3 dimensions for looking at them.

    Parameters
    ----------
    E : array-like of shape (n_series, n_dims)
        Finite embeddings (rows with NaN/inf are rejected, their positions named).
    method : {"pca", "tsne", "umap"}, default="pca"
        PCA (``sklearn.decomposition.PCA``: centred, components ordered by variance,
        signs fixed by scikit-learn's convention); t-SNE (``sklearn.manifold.TSNE``,
        PCA initialisation); UMAP (``umap-learn``, the optional ``umap`` extra).
    n_components : {2, 3}, default=2
    random_state : int, numpy Generator or None, default=None
        Seeds t-SNE and UMAP (and randomised PCA solvers); same seed, same result.
    perplexity : float, default=30.0
        t-SNE perplexity, clipped to ``(n_series - 1) / 3`` (at least 1) for small
        collections, where scikit-learn would refuse it.
    n_neighbors : int, default=15
        UMAP neighbourhood, clipped to ``n_series - 1``.

    Returns
    -------
    ndarray of float64, shape (n_series, n_components)

    Raises
    ------
    ValidationError
        Unknown method, ``n_components`` not 2 or 3, fewer rows or dimensions than
        the projection needs.
    MissingDependencyError
        ``method="umap"`` without umap-learn installed (says how to install it).

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.cluster import project
    >>> E = np.random.default_rng(0).normal(size=(50, 8))
    >>> project(E, method="pca").shape
    (50, 2)
    """
    if not isinstance(method, str) or method.lower() not in PROJECTIONS:
        raise ValidationError(f"project: method must be one of {list(PROJECTIONS)!r}, found {method!r}.")
    method = method.lower()
    if isinstance(n_components, bool) or n_components not in (2, 3):
        raise ValidationError(f"project: n_components must be 2 or 3, found {n_components!r}.")
    X, _ = check_embeddings(E, caller="project")
    n, d = X.shape
    rs = _seed(random_state)
    if method == "pca":
        if min(n, d) < n_components:
            raise ValidationError(
                f"project: PCA to {n_components} components needs at least {n_components} series and "
                f"{n_components} dimensions, found {n} series × {d} dimensions. Use n_components=2 or more data."
            )
        from sklearn.decomposition import PCA

        P = PCA(n_components=n_components, random_state=rs).fit_transform(X)
    elif method == "tsne":
        if n < 4:
            raise ValidationError(f"project: t-SNE needs at least 4 series, found {n}. Use method='pca'.")
        from sklearn.manifold import TSNE

        perp = float(min(perplexity, max(1.0, (n - 1) / 3.0)))
        init = "pca" if d >= n_components else "random"
        P = TSNE(n_components=n_components, perplexity=perp, init=init, random_state=rs,
                 method="barnes_hut" if n_components <= 3 else "exact").fit_transform(X)
    else:
        umap = import_optional("umap", purpose="UMAP projections (project(method='umap'))")
        if n < 4:
            raise ValidationError(f"project: UMAP needs at least 4 series, found {n}. Use method='pca'.")
        nn = int(max(2, min(n_neighbors, n - 1)))
        # init="random" avoids the spectral start, which fails on tiny or disconnected graphs
        init = "spectral" if n > n_components + 1 + 10 else "random"
        # a seed makes UMAP single-threaded anyway; saying so silences its warning
        threads = {} if rs is None else {"n_jobs": 1}
        reducer = umap.UMAP(n_components=n_components, n_neighbors=nn, random_state=rs, init=init, **threads)
        P = reducer.fit_transform(X)
    P = np.asarray(P, dtype=np.float64)
    if not np.isfinite(P).all():  # pragma: no cover - defensive: never hand NaN onwards
        raise ValidationError(f"project: the {method} projection produced NaN/inf; check the embeddings for duplicates.")
    return P
