"""Run maintenance on a warehouse: drop a committed run, compact the per-run files.

Both change the warehouse in one publish (`Warehouse.publish`), under the warehouse lock, after
removing what a crashed command left (`Warehouse.recover`). Neither reuses a file name for
other bytes: rewritten files take revised names, compacted files new ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.config import DedupConfig
from cleaners.dedup import dedup
from cleaners.schema import IDLE_RUN, TABLES, arrow_schema, empty
from flows.params import COMPACT_ROWS, check_idle_days, check_rows
from flows.warehouse import (
    COMPACT_PREFIX,
    Warehouse,
    apply_relabels,
    disk_error,
    fsync_file,
    rewrite,
    table_dir,
    write_parquet_atomic,
)


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
        shared = _shared_pages(wh, new, run_id)  # content the run stored first that other runs' records use
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
        for ref_run, pages in shared.partition_by("run_id", as_dict=True).items():
            dest = table_dir(new, "raw_pages") / f"{ref_run[0]}-kept-{seq:08d}.parquet"
            write_parquet_atomic(pages, dest, "raw_pages")
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


def _shared_pages(wh: Warehouse, snapshot: Path, run_id: str) -> pl.DataFrame:
    """The `raw_pages` rows `run_id` stored first whose content records of other runs refer to,
    handed to the earliest such run (so dropping a run never takes another run's raw pages)."""
    others = (
        wh.scan("raw_records", snapshot)
        .filter(pl.col("run_id") != run_id)
        .group_by("raw_hash")
        .agg(pl.col("run_id").min().alias("heir"))
    )
    return (
        wh.scan("raw_pages", snapshot)
        .filter(pl.col("run_id") == run_id)
        .join(others, on="raw_hash", how="inner")
        .with_columns(pl.col("heir").alias("run_id"))
        .drop("heir")
        .collect()
    )


COMPACT_BATCH_ROWS = 2_000
"""Rows read and written at a time while compacting: memory is bounded by this many rows (about
20 MB of real-length articles), whatever the table's size."""


def compact(wh: Warehouse, target_rows: int = COMPACT_ROWS, idle_days: int = 0) -> dict[str, tuple[int, int]]:
    """Merge each table's small per-run files into files of up to `target_rows` rows.

    Returns {table: (files before, files after)}. Rows are unchanged (the same rows, in file
    order), so every query gives the same result. Rows stream from the inputs to the outputs
    `COMPACT_BATCH_ROWS` at a time (each batch one row group), so memory does not grow with
    the table.

    Retention: with `idle_days` > 0, `runs` rows of runs that found nothing new (`IDLE_RUN`)
    and finished more than `idle_days` days ago are left out (the only rows compaction drops).
    """
    check_rows(target_rows)
    check_idle_days(idle_days)
    counts: dict[str, tuple[int, int]] = {}
    cutoff = datetime.now(UTC) - timedelta(days=idle_days)
    retention = {"runs": ~(IDLE_RUN & (pl.col("finished_at") < cutoff))} if idle_days else {}

    def merge(new: Path, seq: int) -> None:
        """Merge each table's files into files of up to `target_rows` rows."""
        for table in TABLES:
            d = table_dir(new, table)
            files = sorted(d.glob("*.parquet")) if d.is_dir() else []
            if len(files) <= 1 and table not in retention:
                counts[table] = (len(files), len(files))
                continue
            written = _stream_into(files, table, d, f"{COMPACT_PREFIX}{seq:08d}", target_rows, retention.get(table))
            for f in files:
                f.unlink()
            for path in written:
                path.rename(path.with_name(path.name.removeprefix(".")))
            counts[table] = (len(files), len(written))

    wh.publish(merge, {"action": "compact"})
    return counts


def _batches(files: list[Path], table: str, keep: pl.Expr | None = None) -> Iterator[pa.RecordBatch]:
    """The rows of `files` in order (those `keep` holds for), as record batches of the table's schema."""
    schema = TABLES[table].schema
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=COMPACT_BATCH_ROWS):
            df = pl.from_arrow(batch)
            assert isinstance(df, pl.DataFrame)
            missing = [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in df.columns]
            conformed = df.with_columns(missing).select(list(schema)).cast(pl.Schema(schema))
            frame = (conformed if keep is None else conformed.filter(keep)).to_arrow()
            yield from frame.cast(arrow_schema(table)).to_batches()


def _stream_into(
    files: list[Path], table: str, folder: Path, stem: str, target_rows: int, keep: pl.Expr | None = None
) -> list[Path]:
    """Write the rows of `files` to hidden `.<stem>-<k>.parquet` files of up to `target_rows` rows each."""
    schema = arrow_schema(table)
    out: list[Path] = []
    writer: pq.ParquetWriter | None = None
    in_file = 0

    def close() -> None:
        if writer is not None:
            writer.close()
            fsync_file(out[-1])

    try:
        for batch in _batches(files, table, keep):
            start = 0
            while start < batch.num_rows:
                if writer is None or in_file >= target_rows:
                    close()
                    out.append(folder / f".{stem}-{len(out):05d}.parquet")
                    writer = pq.ParquetWriter(out[-1], schema, compression="zstd", write_statistics=True)
                    in_file = 0
                take = min(batch.num_rows - start, target_rows - in_file)
                writer.write_batch(batch.slice(start, take), row_group_size=COMPACT_BATCH_ROWS)
                start, in_file = start + take, in_file + take
        close()
        writer = None
    except OSError as e:
        raise disk_error(e, out[-1] if out else folder) from None
    if not out:  # every input was empty: one empty file keeps the table's schema
        out.append(folder / f".{stem}-00000.parquet")
        write_parquet_atomic(empty(table), out[-1], table)
    return out
