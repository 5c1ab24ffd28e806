"""Run maintenance (flows/maintenance.py): drop a run, compact, on real Parquet files."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from cleaners.schema import empty
from flows.maintenance import compact, drop_run
from flows.warehouse import Warehouse
from tests.warehouse_rows import article_row, commit_run, no_name_reused, plain_row


def test_compact_streams_every_table_into_new_names_and_keeps_every_row(tmp_path):
    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    for k in range(5):
        commit_run(wh, f"r{k}", [article_row(f"d{k}{i}", f"r{k}", f"d{k}{i}") for i in range(3)])
    before = wh.read("articles").sort("doc_id")
    first = Path(os.path.realpath(root / "current"))
    counts = compact(wh, 4)
    assert counts["articles"] == (5, 4) and counts["runs"] == (5, 2)
    after = Path(os.path.realpath(root / "current"))
    assert sorted(p.name for p in (after / "articles").glob("*.parquet")) == [
        f"compact-{int(after.name):08d}-{k:05d}.parquet" for k in range(4)
    ]
    assert wh.read("articles").sort("doc_id").equals(before)
    no_name_reused(first, after)
    # A second compact of the same table writes other names again, never the first one's.
    counts = compact(wh, 100)
    assert counts["articles"] == (4, 1)
    no_name_reused(after, Path(os.path.realpath(root / "current")))
    # Dropping a run out of a compacted file rewrites it under a revised name.
    compacted = Path(os.path.realpath(root / "current"))
    assert drop_run(wh, "r2") == 4
    no_name_reused(compacted, Path(os.path.realpath(root / "current")))
    assert sorted(wh.read("articles")["run_id"].unique()) == ["r0", "r1", "r3", "r4"]


@pytest.mark.parametrize("rows", [0, -1])
def test_compact_refuses_a_row_count_below_one_and_changes_nothing(tmp_path, rows):
    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    commit_run(wh, "r1", [article_row("a", "r1", "a")])
    commit_run(wh, "r2", [article_row("b", "r2", "b")])
    current = os.path.realpath(root / "current")
    with pytest.raises(ValueError, match="rows"):
        compact(wh, rows)
    assert os.path.realpath(root / "current") == current and wh.read("articles").height == 2
    assert not list((root / "_snapshots").glob(".tmp-*"))


def test_compact_with_retention_drops_only_old_no_op_runs_rows(tmp_path):
    from datetime import UTC, datetime, timedelta

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    now = datetime.now(UTC)
    runs = [  # (run_id, finished days ago, new documents, articles)
        ("r1", 40, 10, 8),  # old, did work: kept
        ("r2", 39, 0, 0),  # old no-op: dropped
        ("r3", 1, 0, 0),  # recent no-op: kept
        ("r4", 38, 0, 0),  # old, but failed: kept (its error matters)
    ]
    for run_id, days, new, arts in runs:
        row = plain_row(
            "runs", run_id=run_id, finished_at=now - timedelta(days=days), n_documents=new, n_skipped=0,
            n_articles=arts, n_rejects=0, status="failed" if run_id == "r4" else "completed",
        )  # fmt: skip
        wh.stage(run_id, "runs", pl.DataFrame([row], schema=empty("runs").schema))
        wh.commit(run_id, {"run_id": run_id})
    with pytest.raises(ValueError, match=r"idle-run retention must be in \[0, 100000\]"):
        compact(wh, idle_days=-1)
    compact(wh)  # no retention: every row stays
    assert wh.read("runs").height == 4
    compact(wh, idle_days=30)
    assert sorted(wh.read("runs")["run_id"]) == ["r1", "r3", "r4"]
