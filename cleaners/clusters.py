"""Connected components over verified duplicate edges and the canonical-copy policy."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of each node of an undirected graph given by edge lists."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


CANONICAL_ORDER = (
    "earliest `published_at` (unknown dates last), then the longest body (`n_words`), then the smallest `doc_id`"
)


def canonical_per_component(nodes: pl.DataFrame) -> pl.DataFrame:
    """(comp, canonical doc_id) for each component, by CANONICAL_ORDER.

    `nodes` needs columns comp, doc_id, published_at, n_words.
    """
    return (
        nodes.sort(
            ["comp", "published_at", "n_words", "doc_id"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .group_by("comp", maintain_order=True)
        .agg(pl.col("doc_id").first().alias("cluster_id"))
    )
