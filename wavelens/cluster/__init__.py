"""Clustering and 2-D/3-D projections of embeddings.

:func:`cluster_embeddings` groups embeddings with k-means, a Gaussian mixture or
HDBSCAN (k chosen by silhouette or BIC when ``k="auto"``) and finds each cluster's
medoid; :func:`project` maps them to 2 or 3 dimensions (PCA, t-SNE, UMAP);
:func:`read_embeddings` and :func:`cluster_table` read and write the tables that
``wavelens cluster`` works on.
"""

from ._cluster import METHODS, ClusterResult, cluster_embeddings, medoid_indices
from ._project import PROJECTIONS, project
from ._table import cluster_table, default_cluster_path, projection_columns, read_embeddings, write_cluster_table

__all__ = [
    "ClusterResult",
    "cluster_embeddings",
    "medoid_indices",
    "project",
    "read_embeddings",
    "cluster_table",
    "write_cluster_table",
    "default_cluster_path",
    "projection_columns",
    "METHODS",
    "PROJECTIONS",
]
