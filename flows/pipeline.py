"""The `ingest` Prefect flow: discover -> skip what is stored -> clean units in parallel -> dedup -> commit."""

# No `from __future__ import annotations`: Prefect reads the flow's parameter annotations at
# import time to build the parameter schema (the UI form).

import dataclasses
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed

from cleaners.config import Settings
from cleaners.records import Reject
from cleaners.schema import REJECTS_SCHEMA
from flows import claims, prefect_io
from flows.batches import Batch, plan_batches
from flows.discovery import discover
from flows.finalize import finalize
from flows.maintenance import compact
from flows.manifest import Stats, manifest_rows, unchanged
from flows.params import IngestParams, ParameterError, preflight, validate
from flows.reclean import no_raw_pages, reclean, stale_articles
from flows.run_record import (
    RunContext,
    cleaner_version,
    crashed_rows,
    previous_run,
    record_failure,
    run_summary,
    stage_run_row,
)
from flows.summaries import STALE_NOTE, Recleaned, RunSummary, StagedRun
from flows.units import local_workers, run_units
from flows.warehouse import SCRATCH, Warehouse, fault_point, write_parquet_atomic


@task(retries=1, retry_delay_seconds=2, task_run_name="dedup-and-stage", cache_policy=NO_CACHE)
def dedup_and_stage(
    warehouse: str,
    batch_keys: list[str],
    settings: Settings,
    run_id: str,
    refused: list[Reject],
    keep_raw: bool,
    dask_address: str = "",
) -> StagedRun:
    """Site-line stripping, near-duplicate clustering against history (its pieces on the Dask
    cluster at `dask_address`, if any), staged tables, raw pages."""
    wh = Warehouse(warehouse)
    rows = pl.DataFrame([r.row() for r in refused], schema=REJECTS_SCHEMA)
    batch_dirs = [wh.batch_dir(k) for k in batch_keys]
    log = get_run_logger().info
    return finalize(wh, batch_dirs, settings, run_id, rows, log=log, keep_raw=keep_raw, dask_address=dask_address)


@dataclass(frozen=True)
class Inputs:
    """The run's input files after discovery and the manifest: what to read, what was refused."""

    all_files: list[str]
    to_read: list[str]
    refused: list[Reject]
    missing: list[str]
    stats: Stats
    n_files_skipped: int
    n_records_skipped: int


def take_inputs(wh: Warehouse, p: IngestParams, logger: Any) -> Inputs:
    """Discover the inputs and leave out the files the manifest says are unchanged."""
    found = discover(p.inputs, p.allow_outside_links)
    for m in found.missing:
        logger.warning("no input matches %s", m)
    stats = Stats.of(found.files)
    skipped = unchanged(wh, stats, p.retry_after_runs)
    to_read = [f for f in found.files if f not in skipped.files]
    return Inputs(found.files, to_read, found.refused, found.missing, stats, len(skipped.files), skipped.records)


def _checked(params: IngestParams | dict[str, Any]) -> IngestParams:
    p = validate(params)  # one-line ParameterError naming the field and the fix
    problems = preflight(p)
    if problems:
        raise ParameterError("; ".join(problems))
    return p


@flow(
    name="ingest",
    description="Raw news pages in, clean deduplicated Parquet tables out.",
    flow_run_name=prefect_io.flow_run_name,
    validate_parameters=False,
)
def ingest(params: IngestParams = IngestParams()) -> RunSummary:
    """Ingest the inputs into the warehouse and return the run summary."""
    logger = get_run_logger()
    try:
        p = _checked(params)
    except ParameterError as e:  # one line in the run log and the run's state, no traceback
        logger.error("newsclean: %s", e)
        return Failed(message=str(e))  # type: ignore[return-value]
    settings = p.settings()
    started, t0 = datetime.now(UTC), time.perf_counter()
    run_id = prefect_io.run_id_of_flow_run()
    wh = Warehouse(p.warehouse)
    wh.ensure_root()
    flow_run_id, deployment = prefect_io.tag_flow_run(wh, logger)
    inputs = take_inputs(wh, p, logger)
    ctx = RunContext(
        run_id,
        str(wh.root),
        started,
        t0,
        flow_run_id,
        deployment,
        len(inputs.all_files),
        len(inputs.refused),
        inputs.n_files_skipped,
        inputs.n_records_skipped,
        inputs.missing,
    )
    scratch = wh.scratch(run_id)
    try:
        batches = _plan(wh, p, settings, inputs, scratch / "known.parquet", logger, run_id)
        done = run_units(p, batches, settings, wh, scratch / "known.parquet", scratch, logger)
        with wh.lock(
            timeout=p.lock_timeout, on_wait=lambda: logger.info("waiting for another run's lock on %s", wh.root)
        ):
            summary = _stage_and_commit(wh, p, settings, ctx, inputs, batches, done, logger)
    except Exception as e:
        record_failure(wh, ctx, p, e, logger)  # a `failed` row in `runs`, nothing else published
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    prefect_io.publish(summary, wh, p.alert_rules(), logger)
    return summary


def _plan(
    wh: Warehouse, p: IngestParams, settings: Settings, inputs: Inputs, known: Any, logger: Any, run_id: str
) -> list[Batch]:
    """Write the stored ids of the files to read, plan the work units and claim their outputs."""
    write_parquet_atomic(wh.stored_ids().filter(pl.col("source").is_in(inputs.to_read)).collect(), known)
    workers = 1 if p.dask_address else p.n_workers
    batches = plan_batches(inputs.to_read, settings, p.batch_mb << 20, p.batch_files, workers)
    logger.info(
        "run %s: %d files (%d unchanged since an earlier run, %d refused before reading) in %d work units -> %s",
        run_id,
        len(inputs.all_files),
        inputs.n_files_skipped,
        len(inputs.refused),
        len(batches),
        wh.root,
    )
    for b in batches:
        claims.claim(wh.batch_dir(b.key), run_id)
    return batches


def _stage_and_commit(
    wh: Warehouse,
    p: IngestParams,
    settings: Settings,
    ctx: RunContext,
    inputs: Inputs,
    batches: list[Batch],
    done: Any,
    logger: Any,
) -> RunSummary:
    """Under the warehouse lock: recover, dedup and stage every table, publish the run."""
    rolled_back = wh.recover()
    if rolled_back:
        logger.warning("removed what a crashed run left: %s", ", ".join(rolled_back))
    crashed = [r.split("/", 1)[1] for r in rolled_back if r.startswith(SCRATCH + "/")]
    if crashed:
        wh.stage(ctx.run_id, "runs", crashed_rows(crashed, ctx.run_id), part=1)
    previous = previous_run(wh)
    stale = stale_articles(wh, settings.fingerprint(), cleaner_version())
    if stale:
        logger.warning(STALE_NOTE.format(n=stale))
    staged = dedup_and_stage(
        str(wh.root), [b.key for b in batches], settings, ctx.run_id, inputs.refused, p.keep_raw, p.dask_address
    )
    summary = run_summary(
        ctx,
        staged,
        n_batches=len(batches),
        workers=None if p.dask_address else local_workers(p, len(batches)),
        units_skipped=done.skipped,
        timings={"clean_batches_wall": round(done.wall, 3), "clean_batches_cpu": round(done.cpu, 3)},
        seconds=time.perf_counter() - ctx.t0,
        previous=previous,
    )
    summary = dataclasses.replace(summary, n_stale=stale)
    stage_run_row(wh, summary, ctx, settings, p)
    parts = [fp for s in done.summaries for fp in s.file_parts]
    wh.stage(ctx.run_id, "files", manifest_rows(ctx.run_id, parts, inputs.stats))
    fault_point("before-commit")
    wh.commit(ctx.run_id, summary.to_dict())
    for b in batches:
        claims.release(wh.batch_dir(b.key), ctx.run_id)
    _housekeeping(wh, p, logger)
    return summary


@flow(
    name="reclean",
    description="Derive every stored document again from the warehouse's raw store with these settings.",
    validate_parameters=False,
)
def reclean_stored(params: IngestParams = IngestParams()) -> Recleaned:
    """`newsclean reclean` as a flow: the same parameters as `ingest` (its inputs are not read)."""
    logger = get_run_logger()
    try:
        p = validate(params)
        wh = Warehouse(p.warehouse)
        if (why := no_raw_pages(wh)) is not None:
            raise ParameterError(why)
    except ParameterError as e:
        logger.error("newsclean: %s", e)
        return Failed(message=str(e))  # type: ignore[return-value]
    done = reclean(wh, p, log=logger.info)
    prefect_io.publish_reclean(done, wh, logger)
    return done


def _housekeeping(wh: Warehouse, p: IngestParams, logger: Any) -> None:
    """Still under the lock: compact when a table passed `compact_files` files."""
    counts = wh.file_counts()
    table, most = max(counts.items(), key=lambda kv: kv[1])
    if p.compact_files and most > p.compact_files:
        t = time.perf_counter()
        merged = compact(wh, idle_days=p.idle_run_days)
        after = sum(n for _, n in merged.values())
        logger.info(
            "compacted the warehouse (%s had %d files, more than compact_files=%d): %d files -> %d in %.1f s",
            table, most, p.compact_files, sum(counts.values()), after, time.perf_counter() - t,
        )  # fmt: skip
