"""Connected components over verified duplicate edges and the canonical-copy policy."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cleaners.config import CANONICAL_ORDER


def components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of each node of an undirected graph given by edge lists."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def canonical_per_component(nodes: pl.DataFrame) -> pl.DataFrame:
    """(comp, canonical doc_id as cluster_id) for each component, by `config.CANONICAL_ORDER`.

    `nodes` needs the column comp and the policy's columns (doc_id, published_at, n_words).
    """
    return (
        nodes.sort(
            ["comp", *(c for c, _ in CANONICAL_ORDER)],
            descending=[False, *(d for _, d in CANONICAL_ORDER)],
            nulls_last=True,
        )
        .group_by("comp", maintain_order=True)
        .agg(pl.col("doc_id").first().alias("cluster_id"))
    )
