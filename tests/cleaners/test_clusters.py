"""Components and the canonical policy (cleaners/clusters.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from cleaners.clusters import canonical_per_component, components


def test_components_of_an_undirected_edge_list():
    labels = components(6, np.array([0, 1, 4]), np.array([1, 2, 3]))
    assert labels[0] == labels[1] == labels[2] and labels[3] == labels[4] and len(set(labels)) == 3
    assert len(components(0, np.array([], dtype=np.int64), np.array([], dtype=np.int64))) == 0


def test_the_canonical_is_the_earliest_then_the_longest_then_the_smallest_id():
    day = lambda d: datetime(2024, 1, d, tzinfo=UTC)  # noqa: E731
    nodes = pl.DataFrame(
        {
            "comp": [0, 0, 0, 1, 1, 2, 2],
            "doc_id": ["b", "a", "c", "x", "y", "p", "q"],
            "published_at": [day(3), day(2), None, None, None, day(1), day(1)],
            "n_words": [900, 100, 5000, 10, 20, 50, 50],
        },
        schema_overrides={"published_at": pl.Datetime("us", "UTC")},
    )
    got = dict(canonical_per_component(nodes).iter_rows())
    # dated beats undated whatever its length; without dates the longer body; ties: smaller id
    assert got == {0: "a", 1: "y", 2: "p"}
