"""The raw store: every record a run stores, kept so it can be cleaned again.

A batch writes one raw row per record it cleans (`cleaners.raw.raw_row`); `stage_raw` stages
the rows of the documents the run stores (articles and rejects alike) into `raw_records`, and
their content into `raw_pages` once per `raw_hash` (not again when an earlier run or another
file of this run stored the same bytes). `read_raw` rebuilds the `RawDoc`s of stored documents.
Memory is bounded by one batch part file: the stored hashes are looked up, never all read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from cleaners.raw import RECORD_FIELDS, raw_doc
from cleaners.records import RawDoc
from flows.summaries import RawStaged
from flows.warehouse import Warehouse


def stage_raw(wh: Warehouse, run_id: str, batch_dirs: list[Path], doc_ids: pl.Series) -> RawStaged:
    """Stage the raw records of `doc_ids` (the run's new articles and rejects) and their new content."""
    files = [p for d in batch_dirs for p in sorted((d / "raw").glob("*.parquet"))]
    wanted = doc_ids.unique().implode()
    run = pl.lit(run_id).alias("run_id")
    staged_hashes: set[str] = set()
    records = pages = size = 0
    for k, f in enumerate(files):
        raw = pl.scan_parquet(f).filter(pl.col("doc_id").is_in(wanted)).collect().unique("doc_id", maintain_order=True)
        if not raw.height:
            continue
        wh.stage(run_id, "raw_records", raw.drop("content_kind", "content").with_columns(run), part=k)
        fresh = raw.unique("raw_hash", maintain_order=True).filter(~pl.col("raw_hash").is_in(list(staged_hashes)))
        stored = stored_hashes(wh, fresh["raw_hash"])
        fresh = fresh.filter(~pl.col("raw_hash").is_in(stored.implode()))
        if fresh.height:
            wh.stage(run_id, "raw_pages", fresh.select("raw_hash", "content_kind", "content").with_columns(run), part=k)
            staged_hashes.update(fresh["raw_hash"].to_list())
        records += raw.height
        pages += fresh.height
        size += int(fresh["content"].bin.size().sum() or 0) if fresh.height else 0
    return RawStaged(records, pages, size)


def stored_hashes(wh: Warehouse, hashes: pl.Series) -> pl.Series:
    """Those of `hashes` whose content `raw_pages` holds already (a filtered scan, not a full read)."""
    if not hashes.len():
        return pl.Series("raw_hash", [], pl.String)
    return (
        wh.scan("raw_pages")
        .select("raw_hash")
        .filter(pl.col("raw_hash").is_in(hashes.implode()))
        .unique()
        .collect()["raw_hash"]
    )


READ_ROWS = 256
"""Raw pages read at a time from one `raw_pages` file (bounds the memory of reading them back)."""


def iter_raw(wh: Warehouse, records: pl.DataFrame, snapshot: Path | None = None) -> Iterator[RawDoc]:
    """The `RawDoc`s of `records` (`raw_records` rows), reading each `raw_pages` file once, a few
    pages at a time; a record whose content is not stored is left out."""
    fields = records.select(RECORD_FIELDS)
    for f in wh.files("raw_pages", snapshot):
        in_file = pl.scan_parquet(f).select("raw_hash").collect()
        wanted = fields.join(in_file, on="raw_hash", how="semi")  # one pass over the records a file
        if not wanted.height:
            continue
        columns = ["raw_hash", "content_kind", "content"]
        for batch in pq.ParquetFile(f).iter_batches(batch_size=READ_ROWS, columns=columns):
            pages = pl.from_arrow(batch)
            assert isinstance(pages, pl.DataFrame)
            for row in wanted.join(pages, on="raw_hash", how="inner").iter_rows(named=True):
                yield raw_doc(row)


def read_raw(wh: Warehouse, doc_ids: list[str] | None = None, snapshot: Path | None = None) -> Iterator[RawDoc]:
    """The stored documents (all, or those of `doc_ids`) rebuilt as the `RawDoc`s they were read as."""
    records = wh.scan("raw_records", snapshot)
    if doc_ids is not None:
        records = records.filter(pl.col("doc_id").is_in(doc_ids))
    yield from iter_raw(wh, records.unique("doc_id", keep="first", maintain_order=True).collect(), snapshot)
