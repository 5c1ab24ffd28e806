"""Rows and commits for warehouse tests: real Parquet files through `Warehouse.stage`/`commit`."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from cleaners.schema import empty
from flows.warehouse import Warehouse


def no_name_reused(old: Path, new: Path) -> None:
    """Every file name of snapshot `old` that `new` also has is the same file (same inode)."""
    for f in old.rglob("*.parquet"):
        g = new / f.relative_to(old)
        if g.exists():
            assert os.stat(f).st_ino == os.stat(g).st_ino, f"{g.name} holds other bytes than before"


def plain_row(table: str, **values) -> dict:
    """A row of `table` with a plain value in every column (overridden by `values`)."""
    from datetime import UTC, datetime

    plain = {pl.String: "x", pl.Int32: 1, pl.Int64: 1, pl.Float64: 0.0, pl.Boolean: False}
    row = {}
    for name, dtype in empty(table).schema.items():
        row[name] = datetime(2024, 1, 1, tzinfo=UTC) if isinstance(dtype, pl.Datetime) else plain.get(dtype)
    return {**row, **values}


def article_row(doc_id: str, run_id: str, cluster: str) -> dict:
    return plain_row(
        "articles", doc_id=doc_id, run_id=run_id, text="t", cluster_id=cluster, is_canonical=doc_id == cluster
    )


def commit_run(wh: Warehouse, run_id: str, arts: list[dict], dups: list[dict] | None = None) -> None:
    wh.stage(run_id, "articles", pl.DataFrame(arts, schema=empty("articles").schema))
    wh.stage(run_id, "duplicates", pl.DataFrame(dups or [], schema=empty("duplicates").schema))
    wh.stage(run_id, "runs", pl.DataFrame([plain_row("runs", run_id=run_id)], schema=empty("runs").schema))
    wh.commit(run_id, {"run_id": run_id})
