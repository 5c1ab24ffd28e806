"""Run maintenance on a warehouse: drop a committed run, compact the per-run files.

Both change the warehouse in one publish (`Warehouse.publish`), under the warehouse lock, after
removing what a crashed command left (`Warehouse.recover`). Neither reuses a file name for
other bytes: rewritten files take revised names, compacted files new ones.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cleaners.config import DedupConfig
from cleaners.dedup import dedup
from cleaners.schema import TABLES
from flows.params import COMPACT_ROWS, check_rows
from flows.warehouse import COMPACT_PREFIX, Warehouse, apply_relabels, disk_error, fsync_file, rewrite, table_dir


def drop_run(wh: Warehouse, run_id: str, dedup_cfg: DedupConfig | None = None) -> int:
    """Remove a committed run from every table in one publish; returns the rows removed.

    The clusters its articles were in are clustered again from their remaining members
    (with `dedup_cfg`, default settings if None): a dropped canonical gets a successor by the
    policy, and a dropped document that bridged two groups no longer holds them together.
    """
    if run_id not in wh.committed_runs():
        raise KeyError(f"no committed run {run_id} in {wh.root}")
    removed = [0]
    touched = wh.scan("articles").filter(pl.col("run_id") == run_id).select("cluster_id").unique().collect()

    def drop(new: Path, seq: int) -> None:
        """Remove the run's rows from the new snapshot and re-cluster what it touched."""
        for table in TABLES:
            d = table_dir(new, table)
            for f in sorted(d.glob("*.parquet")) if d.is_dir() else []:
                if f.name.startswith(f"{run_id}-"):
                    removed[0] += pl.scan_parquet(f).select(pl.len()).collect().item()
                    f.unlink()
                elif f.name.startswith(COMPACT_PREFIX):
                    n = pl.scan_parquet(f).filter(pl.col("run_id") == run_id).select(pl.len()).collect().item()
                    if n:  # a compacted file holds rows of many runs: keep the others'
                        removed[0] += n
                        rewrite(f, pl.read_parquet(f).filter(pl.col("run_id") != run_id), seq)
        members = (
            wh.scan("articles", new)
            .filter(pl.col("cluster_id").is_in(touched["cluster_id"].implode()))
            .select("doc_id", "text", "published_at", "n_words", "cluster_id")
            .collect()
        )
        if members.height:
            again = dedup(members.drop("cluster_id"), dedup_cfg or DedupConfig())
            relabels = (
                again.assignments.join(members.select("doc_id", pl.col("cluster_id").alias("old")), on="doc_id")
                .filter(pl.col("cluster_id") != pl.col("old"))
                .drop("old")
            )
            apply_relabels(new, seq, relabels, again.duplicates)

    wh.publish(drop, {"action": "drop", "run_id": run_id})
    return removed[0]


def compact(wh: Warehouse, target_rows: int = COMPACT_ROWS) -> dict[str, tuple[int, int]]:
    """Merge each table's small per-run files into files of up to `target_rows` rows.

    Returns {table: (files before, files after)}. Rows are unchanged (the same rows, in file
    order), so every query gives the same result. Each output file is streamed from the
    inputs (Polars' streaming engine), so memory is bounded by row groups, not by the table.
    """
    check_rows(target_rows)
    counts: dict[str, tuple[int, int]] = {}

    def merge(new: Path, seq: int) -> None:
        """Merge each table's files into files of up to `target_rows` rows."""
        for table in TABLES:
            d = table_dir(new, table)
            files = sorted(d.glob("*.parquet")) if d.is_dir() else []
            if len(files) <= 1:
                counts[table] = (len(files), len(files))
                continue
            rows = pl.scan_parquet(files).select(pl.len()).collect().item()
            outputs = max(1, -(-rows // target_rows))
            scan = pl.scan_parquet([str(f) for f in files], schema=TABLES[table].schema, missing_columns="insert")
            tmp = []
            for k in range(outputs):
                path = d / f".{COMPACT_PREFIX}{seq:08d}-{k:05d}.parquet"
                try:
                    scan.slice(k * target_rows, target_rows).sink_parquet(path, compression="zstd", statistics=True)
                    fsync_file(path)
                    pl.read_parquet_schema(path)
                except (OSError, pl.exceptions.PolarsError) as e:
                    raise disk_error(e, path) from None
                tmp.append(path)
            for f in files:
                f.unlink()
            for path in tmp:
                path.rename(path.with_name(path.name.removeprefix(".")))
            counts[table] = (len(files), outputs)

    wh.publish(merge, {"action": "compact"})
    return counts
