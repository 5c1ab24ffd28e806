"""`newsclean reclean`: derive every stored document again from the raw store, with the current
code and the given settings, in one atomic publish.

The stored records (`raw_records` + `raw_pages`, see `flows/raw_store.py`) are cleaned, their
site lines learned and their near-duplicates clustered exactly as one fresh ingest of the same
records with these settings would (`finalize` on a scratch warehouse), and the derived tables
(`articles`, `duplicates`, `removed_lines`, `lsh_bands`, `site_lines` and the rejects of stored
records) are replaced by the result in one publish; older snapshots keep theirs. Each row keeps
the run that ingested its document, so `runs drop` still removes that run's documents. Rejects
of records that never became a document (unreadable files, invalid JSON lines) and repeats
within a file stay as they are; the file manifest, the raw store and earlier `runs` rows stay;
the re-clean adds its own `runs` row (`kind` = `reclean`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cleaners.config import Settings
from cleaners.dedup import doc_key_expr
from cleaners.records import RawDoc, RejectReason
from cleaners.schema import conform, with_new_columns
from cleaners.sites import site_expr
from flows.batches import UNITS_PER_WORKER, clean_docs, scan_parts
from flows.finalize import finalize
from flows.lifetime import watch_parent
from flows.params import IngestParams
from flows.raw_store import iter_raw
from flows.run_record import RECLEAN_MARK, RunContext, run_summary, stage_run_row
from flows.summaries import Recleaned, StagedRun
from flows.warehouse import COMPACT_PREFIX, SCRATCH, STAGING, Warehouse, move_staged, table_dir, write_parquet_atomic

DERIVED = ("articles", "duplicates", "removed_lines", "rejects", "lsh_bands", "site_lines")
"""The tables a re-clean derives again (rejects only for records the raw store holds)."""
CHUNK_DOCS = 2000
"""Most stored records cleaned into one scratch batch (bounds the memory of the cleaning step)."""
MIN_CHUNK_DOCS = 50
"""Fewest records a scratch batch holds: below it a worker's start-up outweighs the work."""


def stored_records(wh: Warehouse) -> pl.DataFrame:
    """The raw records of every document still stored (an article or a reject), one per doc_id."""
    stored = pl.concat([wh.scan("articles").select("doc_id"), wh.scan("rejects").select("doc_id")]).unique()
    return (
        wh.scan("raw_records")
        .join(stored, on="doc_id", how="semi")
        .unique("doc_id", keep="first", maintain_order=True)
        .collect()
    )


def no_raw_pages(wh: Warehouse) -> str | None:
    """Why `wh` cannot be re-cleaned (it keeps no raw pages), in one line; None when it can."""
    if wh.files("raw_pages"):
        return None
    return f"{wh.root} keeps no raw pages (its runs used --no-keep-raw): nothing to re-clean"


def stale_articles(wh: Warehouse, fingerprint: str, version: str) -> int:
    """Stored articles cleaned with other settings or another cleaner version (or before either was recorded)."""
    fp, cv = pl.col("settings_fingerprint"), pl.col("cleaner_version")
    stale = fp.is_null() | cv.is_null() | (fp != fingerprint) | (cv != version)
    return int(wh.scan("articles").filter(stale).select(pl.len()).collect().item())


def _chunks(docs: Iterator[RawDoc], size: int) -> Iterator[list[RawDoc]]:
    chunk: list[RawDoc] = []
    for d in docs:
        chunk.append(d)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def chunk_size(n_records: int, workers: int) -> int:
    """Records per scratch batch: enough batches to keep every worker busy, at most CHUNK_DOCS."""
    return max(MIN_CHUNK_DOCS, min(CHUNK_DOCS, -(-n_records // (workers * UNITS_PER_WORKER))))


def _clean_all(docs: Iterator[RawDoc], settings: Settings, outs: Iterator[Path], workers: int, size: int) -> None:
    """Clean the records in batches of `size` on `workers` processes (in this one when 1); at
    most two batches a worker wait in memory."""
    if workers <= 1:
        for chunk in _chunks(docs, size):
            clean_docs(chunk, settings, next(outs))
        return
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that holds Polars' threads
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        pending: set[Future[int]] = set()
        for chunk in _chunks(docs, size):
            pending.add(pool.submit(clean_docs, chunk, settings, next(outs)))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    f.result()
        for f in pending:
            f.result()


def rebuild(
    wh: Warehouse, records: pl.DataFrame, settings: Settings, run_id: str, workers: int = 1, dask_address: str = ""
) -> tuple[Warehouse, StagedRun, list[Path]]:
    """Clean every stored record into a scratch warehouse and commit it there (empty history);
    cleaning on `workers` local processes, dedup on the Dask cluster at `dask_address` if given."""
    scratch = Warehouse(wh.scratch(run_id) / "rebuild")
    scratch.ensure_root()
    size = chunk_size(records.height, workers)
    n_chunks = -(-records.height // size)
    workers = min(workers, n_chunks)
    dirs = [scratch.batch_dir(f"reclean-{k:05d}") for k in range(n_chunks)]
    _clean_all(iter_raw(wh, records), settings, iter(dirs), workers, size)
    dirs = [d for d in dirs if d.exists()]
    staged = finalize(scratch, dirs, settings, run_id, keep_raw=False, dask_address=dask_address)
    scratch.commit(run_id, {"run_id": run_id})
    return scratch, staged, dirs


def _owners(records: pl.DataFrame, batch_dirs: list[Path]) -> dict[str, pl.DataFrame]:
    """The run that ingested each document, keyed the way each derived table names it."""
    by_doc = records.select("doc_id", "run_id")
    by_key = by_doc.select(doc_key_expr().alias("doc_key"), "run_id")
    pages = (
        scan_parts(batch_dirs, "docs")
        .select(site_expr().alias("domain"), "page_hash", "doc_id")
        .collect()
        .join(by_doc, on="doc_id")
        .group_by("domain", "page_hash")
        .agg(pl.col("run_id").min())
    )
    return {"doc_id": by_doc, "doc_key": by_key, "page": pages}


def _remap(df: pl.DataFrame, table: str, owners: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """`df` (rows of the scratch warehouse) with each row's run_id set to its document's ingest run."""
    if table == "lsh_bands":
        on, owner = ["doc_key"], owners["doc_key"]
    elif table == "site_lines":
        on, owner = ["domain", "page_hash"], owners["page"]
    else:
        on, owner = ["doc_id"], owners["doc_id"]
    out = df.drop("run_id").join(owner, on=on, how="left", maintain_order="left")
    return conform(out, table)


def _kept(df: pl.DataFrame, table: str, covered: pl.DataFrame, pages: pl.DataFrame) -> pl.DataFrame:
    """The rows of a stored file a re-clean does not derive again: rows of documents it did not
    rebuild (no raw record: `--no-keep-raw`, unreadable inputs), and repeats within a file."""
    if table == "lsh_bands":
        return df.join(covered.select("doc_key"), on="doc_key", how="anti")
    if table == "site_lines":
        return df.join(pages, on=["domain", "page_hash"], how="anti")
    kept = df.join(covered.select("doc_id"), on="doc_id", how="anti")
    if table == "rejects":
        repeats = df.filter(pl.col("reason") == RejectReason.DUPLICATE_RECORD.value)
        kept = pl.concat([kept, repeats.join(kept.select("doc_id"), on="doc_id", how="anti")])
    return kept


def publish_rebuild(wh: Warehouse, scratch: Warehouse, records: pl.DataFrame, dirs: list[Path], run_id: str) -> None:
    """Replace the rows of the rebuilt documents by the scratch warehouse's (their runs kept),
    keep every other row, and add the staged runs row: one publish."""
    owners = _owners(records, dirs)
    rebuilt = pl.concat([scratch.scan("articles").select("doc_id"), scratch.scan("rejects").select("doc_id")])
    covered = rebuilt.unique().collect().with_columns(doc_key_expr().alias("doc_key"))
    pages = owners["page"].select("domain", "page_hash")

    def change(new: Path, seq: int) -> None:
        for table in DERIVED:
            dest = table_dir(new, table)
            frames = []
            for f in sorted(dest.glob("*.parquet")):
                frames.append(conform(with_new_columns(_kept(pl.read_parquet(f), table, covered, pages), table), table))
                f.unlink()  # a hard link of the unpublished snapshot; earlier snapshots keep theirs
            frames += [_remap(pl.read_parquet(f), table, owners) for f in scratch.files(table)]
            for k, df in enumerate(frames):
                if df.height:
                    write_parquet_atomic(df, dest / f"{COMPACT_PREFIX}{seq:08d}-{k:05d}.parquet", table)
        move_staged(wh.root / STAGING / run_id, new, run_id)

    wh.publish(change, {"action": "reclean", "run_id": run_id})


def reclean(wh: Warehouse, params: IngestParams, log: Callable[[str], None] = print) -> Recleaned:
    """Derive every stored document again with `params`' settings; one publish, under the lock."""
    settings = params.settings()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + RECLEAN_MARK + uuid.uuid4().hex[:6]
    started, t0 = datetime.now(UTC), time.perf_counter()
    with wh.lock(timeout=params.lock_timeout):
        wh.recover()
        try:
            return _reclean(wh, params, settings, run_id, started, t0, log)
        finally:
            shutil.rmtree(wh.root / SCRATCH / run_id, ignore_errors=True)


def _reclean(
    wh: Warehouse,
    params: IngestParams,
    settings: Settings,
    run_id: str,
    started: datetime,
    t0: float,
    log: Callable[[str], None],
) -> Recleaned:
    records = stored_records(wh)
    before = wh.scan("articles").select("doc_id", "content_hash").collect()
    log(f"re-cleaning {records.height} stored documents of {wh.root} with settings {settings.fingerprint()}")
    scratch, staged, dirs = rebuild(wh, records, settings, run_id, params.n_workers, params.dask_address)
    n_stored = before.height + wh.scan("rejects").select(pl.len()).collect().item()
    if n_stored > staged.n_documents:
        log(
            f"{n_stored - staged.n_documents} stored rows have no raw page (runs with --no-keep-raw, unreadable "
            "inputs, repeats): kept as they are"
        )
    after = scratch.scan("articles").select("doc_id", "content_hash").collect()
    changed = after.join(before, on=["doc_id", "content_hash"], how="anti").height
    changed += before.join(after, on="doc_id", how="anti").height
    ctx = RunContext(run_id, str(wh.root), started, t0, None, None, 0, 0, 0, 0, [])
    summary = run_summary(
        ctx, staged, n_batches=len(dirs), workers=1, units_skipped=0, timings=staged.timings,
        seconds=time.perf_counter() - t0, previous=None,
    )  # fmt: skip
    stage_run_row(wh, summary, ctx, settings, params, kind="reclean")
    publish_rebuild(wh, scratch, records, dirs, run_id)
    return Recleaned(run_id, records.height, staged.n_articles, staged.n_rejects, changed, time.perf_counter() - t0)
