"""Run maintenance (flows/maintenance.py): drop a run, compact, on real Parquet files."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from cleaners.schema import empty
from flows.maintenance import compact, drop_run
from flows.warehouse import Warehouse


def _no_name_reused(old: Path, new: Path) -> None:
    """Every file name of snapshot `old` that `new` also has is the same file (same inode)."""
    for f in old.rglob("*.parquet"):
        g = new / f.relative_to(old)
        if g.exists():
            assert os.stat(f).st_ino == os.stat(g).st_ino, f"{g.name} holds other bytes than before"


def _row(table: str, **values) -> dict:
    """A row of `table` with a plain value in every column (overridden by `values`)."""
    from datetime import UTC, datetime

    plain = {pl.String: "x", pl.Int32: 1, pl.Int64: 1, pl.Float64: 0.0, pl.Boolean: False}
    row = {}
    for name, dtype in empty(table).schema.items():
        row[name] = datetime(2024, 1, 1, tzinfo=UTC) if isinstance(dtype, pl.Datetime) else plain.get(dtype)
    return {**row, **values}


def _article(doc_id: str, run_id: str, cluster: str) -> dict:
    return _row("articles", doc_id=doc_id, run_id=run_id, text="t", cluster_id=cluster, is_canonical=doc_id == cluster)


def _commit(wh: Warehouse, run_id: str, arts: list[dict], dups: list[dict] | None = None) -> None:
    wh.stage(run_id, "articles", pl.DataFrame(arts, schema=empty("articles").schema))
    wh.stage(run_id, "duplicates", pl.DataFrame(dups or [], schema=empty("duplicates").schema))
    wh.stage(run_id, "runs", pl.DataFrame([_row("runs", run_id=run_id)], schema=empty("runs").schema))
    wh.commit(run_id, {"run_id": run_id})


def test_compact_streams_every_table_into_new_names_and_keeps_every_row(tmp_path):
    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    for k in range(5):
        _commit(wh, f"r{k}", [_article(f"d{k}{i}", f"r{k}", f"d{k}{i}") for i in range(3)])
    before = wh.read("articles").sort("doc_id")
    first = Path(os.path.realpath(root / "current"))
    counts = compact(wh, 4)
    assert counts["articles"] == (5, 4) and counts["runs"] == (5, 2)
    after = Path(os.path.realpath(root / "current"))
    assert sorted(p.name for p in (after / "articles").glob("*.parquet")) == [
        f"compact-{int(after.name):08d}-{k:05d}.parquet" for k in range(4)
    ]
    assert wh.read("articles").sort("doc_id").equals(before)
    _no_name_reused(first, after)
    # A second compact of the same table writes other names again, never the first one's.
    counts = compact(wh, 100)
    assert counts["articles"] == (4, 1)
    _no_name_reused(after, Path(os.path.realpath(root / "current")))
    # Dropping a run out of a compacted file rewrites it under a revised name.
    compacted = Path(os.path.realpath(root / "current"))
    assert drop_run(wh, "r2") == 4
    _no_name_reused(compacted, Path(os.path.realpath(root / "current")))
    assert sorted(wh.read("articles")["run_id"].unique()) == ["r0", "r1", "r3", "r4"]


@pytest.mark.parametrize("rows", [0, -1])
def test_compact_refuses_a_row_count_below_one_and_changes_nothing(tmp_path, rows):
    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    _commit(wh, "r1", [_article("a", "r1", "a")])
    _commit(wh, "r2", [_article("b", "r2", "b")])
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
        row = _row(
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
