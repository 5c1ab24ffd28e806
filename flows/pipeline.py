"""The `ingest` Prefect flow: discover -> skip what is stored -> clean units in parallel -> dedup -> commit."""

# No `from __future__ import annotations`: Prefect reads the flow's parameter annotations at
# import time to build the parameter schema (the UI form).

import json
import os
import secrets
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ProcessPoolTaskRunner

import cleaners
from cleaners.config import Settings
from cleaners.records import Reject
from cleaners.schema import REJECTS_SCHEMA
from flows import claims, report
from flows.batches import Batch, plan_batches, process_batch
from flows.discovery import discover
from flows.finalize import finalize
from flows.lifetime import watch_parent
from flows.manifest import FilePart, Stats, manifest_rows, unchanged
from flows.params import IngestParams, ParameterError, preflight, validate
from flows.warehouse import Warehouse, fault_point, write_parquet_atomic

MAX_REJECT_LOGS = 20
RUN_PREFIX = "ingest-"
PROGRESS_ENV = "NEWSCLEAN_PROGRESS"
"""Set to 1 by `newsclean run` on a terminal: a progress bar (terminal-only, so not a flow parameter)."""
POLL_SECONDS = 2.0


@task(retries=2, retry_delay_seconds=2, task_run_name="clean-batch-{batch.index}", cache_policy=NO_CACHE)
def clean_batch(
    batch: Batch, settings: dict[str, Any], warehouse: str, known: str | None, progress: str | None
) -> dict[str, Any]:
    """Read and clean one unit of work (outputs reused if this batch finished before)."""
    wh = Warehouse(warehouse)
    return process_batch(
        batch,
        Settings.from_dict(settings),
        wh.batch_dir(batch.key),
        Path(known) if known else None,
        Path(progress) if progress else None,
    )


@task(retries=1, retry_delay_seconds=2, task_run_name="dedup-and-stage", cache_policy=NO_CACHE)
def dedup_and_stage(
    warehouse: str, batch_keys: list[str], settings: dict[str, Any], run_id: str, refused: list[Reject]
) -> dict[str, Any]:
    """Site-line stripping, near-duplicate clustering against history, staged tables."""
    wh = Warehouse(warehouse)
    return finalize(
        wh,
        [wh.batch_dir(k) for k in batch_keys],
        Settings.from_dict(settings),
        run_id,
        refused_rejects(refused),
        log=get_run_logger().info,
    )


def refused_rejects(refused: list[Reject]) -> pl.DataFrame:
    """Reject rows for files refused at discovery (links outside the input, bad names, unlistable folders)."""
    return pl.DataFrame([r.row() for r in refused], schema=REJECTS_SCHEMA)


def new_run_id(now: datetime | None = None) -> str:
    """A run id: UTC start time plus a random suffix (sorts by time)."""
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _local_workers(params: IngestParams, n_batches: int) -> int:
    """Processes worth starting: never more than there are batches."""
    return min(params.n_workers, max(n_batches, 1))


def _runner(params: IngestParams, n_batches: int):  # type: ignore[no-untyped-def]
    if params.dask_address:
        from prefect_dask.task_runners import DaskTaskRunner

        return DaskTaskRunner(address=params.dask_address)
    # Always processes, even for one worker: CPU-bound batches need them to scale, a crash in a
    # parser cannot take the flow down, and the per-document time limit (SIGALRM) needs the
    # main thread of a process.
    return ProcessPoolTaskRunner(
        max_workers=_local_workers(params, n_batches), initializer=watch_parent, initargs=(os.getpid(),)
    )


def _flow_run_name() -> str:
    """Prefect names each flow run after the newsclean run it is: `ingest-<run_id>`."""
    return RUN_PREFIX + new_run_id()


def _run_id_of_flow_run() -> str:
    """The run id in this flow run's name (a fresh one when the run was renamed by hand)."""
    from prefect.runtime import flow_run

    name = flow_run.name or ""
    return name[len(RUN_PREFIX) :] if name.startswith(RUN_PREFIX) and len(name) > len(RUN_PREFIX) + 16 else new_run_id()


def _tag_flow_run(wh: Warehouse, logger: Any) -> tuple[str | None, str | None]:
    """Tag the Prefect flow run with its warehouse (and deployment); returns (flow_run_id, deployment)."""
    from prefect.runtime import deployment, flow_run

    fr_id = flow_run.id
    dep = deployment.name
    if not fr_id:
        return None, dep
    tags = set(flow_run.tags or []) | {"newsclean", f"warehouse:{wh.root}"}
    if dep:
        tags.add(f"deployment:{dep}")
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.update_flow_run(fr_id, tags=sorted(tags))
    except Exception as e:  # tags are a convenience; they must never fail a run
        logger.warning("could not tag flow run %s: %s", fr_id, e)
    return str(fr_id), dep


@flow(
    name="ingest",
    description="Raw news pages in, clean deduplicated Parquet tables out.",
    flow_run_name=_flow_run_name,
    validate_parameters=False,
)
def ingest(params: IngestParams = IngestParams()) -> dict[str, Any]:
    """Ingest the inputs into the warehouse and return the run summary."""
    logger = get_run_logger()
    p = validate(params)  # one-line ParameterError naming the field and the fix
    problems = preflight(p)
    if problems:
        raise ParameterError("; ".join(problems))
    settings = p.settings()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    run_id = _run_id_of_flow_run()
    wh = Warehouse(p.warehouse)
    wh.ensure_root()
    flow_run_id, deployment = _tag_flow_run(wh, logger)

    found = discover(p.inputs, p.allow_outside_links)
    all_files, refused, missing = found.files, found.refused, found.missing
    for m in missing:
        logger.warning("no input matches %s", m)
    stats = Stats.of(all_files)
    skipped = unchanged(wh, stats, p.retry_after_runs)
    files = [f for f in all_files if f not in skipped.files]
    n_files_skipped, n_records_skipped = len(skipped.files), skipped.records
    scratch = wh.scratch(run_id)
    try:
        known = scratch / "known.parquet"
        write_parquet_atomic(wh.stored_ids().filter(pl.col("source").is_in(files)).collect(), known)
        batches = plan_batches(
            files,
            settings,
            target_bytes=p.batch_mb << 20,
            max_files=p.batch_files,
            workers=1 if p.dask_address else p.n_workers,
        )
        logger.info(
            "run %s: %d files (%d unchanged since an earlier run, %d refused before reading) in %d work units -> %s",
            run_id,
            len(all_files),
            n_files_skipped,
            len(refused),
            len(batches),
            wh.root,
        )
        for b in batches:
            claims.claim(wh.batch_dir(b.key), run_id)
        summaries, batches_wall = _run_batches(p, batches, settings, wh, known, scratch, run_id, logger)
        with wh.lock(
            timeout=p.lock_timeout, on_wait=lambda: logger.info("waiting for another run's lock on %s", wh.root)
        ):
            rolled_back = wh.recover()
            if rolled_back:
                logger.warning("removed what a crashed run left: %s", ", ".join(rolled_back))
            previous = _previous_run(wh)
            counts = dedup_and_stage(str(wh.root), [b.key for b in batches], settings.to_dict(), run_id, refused)
            finished = datetime.now(UTC)
            n_batch_skipped = sum(s.get("skipped", 0) for s in summaries)
            summary: dict[str, Any] = {
                "run_id": run_id,
                "warehouse": str(wh.root),
                "n_files": len(all_files),
                "n_refused_links": len(refused),
                "n_files_skipped": n_files_skipped,
                "n_batches": len(batches),
                "workers": None if p.dask_address else _local_workers(p, len(batches)),
                "missing_inputs": missing,
                "flow_run_id": flow_run_id,
                "deployment": deployment,
                **counts,
            }
            summary["n_documents"] = counts["n_documents"] + n_batch_skipped + n_records_skipped
            summary["n_skipped"] = counts["n_skipped"] + n_batch_skipped + n_records_skipped
            summary["seconds"] = round(time.perf_counter() - t0, 3)
            summary["previous"] = previous
            summary["timings"] = {
                "clean_batches_wall": round(batches_wall, 3),
                "clean_batches_cpu": round(sum(s["seconds"] for s in summaries), 3),
                **counts["timings"],
            }
            _stage_run_row(wh, run_id, started, finished, settings, p, summary)
            parts = [FilePart(**fp) for s in summaries for fp in s.get("file_parts", [])]
            wh.stage(run_id, "files", manifest_rows(run_id, parts, stats))
            fault_point("before-commit")
            wh.commit(run_id, summary)
            for b in batches:
                claims.release(wh.batch_dir(b.key), run_id)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for source, loc, err in counts.get("bad_dates", []):
        logger.warning("unparseable published_at in %s [%s]: %s (date guessed from the page)", source, loc, err)
    _log_rejects(logger, wh, run_id)
    create_table_artifact(
        report.stage_rows(summary), key="ingest-counts", description=f"Counts per stage, run {run_id}"
    )
    create_markdown_artifact(report.markdown(summary), key="ingest-report", description=f"Report of run {run_id}")
    _emit_events(summary, wh)
    logger.info(report.terminal(summary))
    return summary


def _run_batches(
    p: IngestParams,
    batches: list[Batch],
    settings: Settings,
    wh: Warehouse,
    known: Path,
    scratch: Path,
    run_id: str,
    logger: Any,
) -> tuple[list[dict[str, Any]], float]:
    """Run the units on the task runner; progress (bytes, documents) is polled from the workers."""
    summaries: list[dict[str, Any]] = []
    total = max(sum(b.size for b in batches), 1)
    progress_id = create_progress_artifact(progress=0.0, description=f"Input read and cleaned, run {run_id}")
    assert isinstance(progress_id, UUID)  # the sync call (the flow is sync) returns the id, not a coroutine
    bar = report.ProgressBar(total) if os.environ.get(PROGRESS_ENV) == "1" else None
    prog_dir = scratch / "progress"
    t_batches = time.perf_counter()
    shown = -1.0
    if _inline(p, batches):
        # One small unit: cleaned in the flow's own process (main thread, so the per-document
        # time limit holds), saving a worker process's start-up and imports (~3 s).
        b = batches[0]
        s = clean_batch(b, settings.to_dict(), str(wh.root), str(known), str(prog_dir / f"{b.index}.json"))
        _log_unit(logger, s, b, len(batches))
        update_progress_artifact(progress_id, progress=100.0)
        return [s], time.perf_counter() - t_batches
    with _runner(p, len(batches)) as runner:
        futures = {
            runner.submit(
                clean_batch,
                {
                    "batch": b,
                    "settings": settings.to_dict(),
                    "warehouse": str(wh.root),
                    "known": str(known),
                    "progress": None if p.dask_address else str(prog_dir / f"{b.index}.json"),
                },
            ): b
            # Largest first: the units left at the end are the small ones, so no core waits long.
            for b in sorted(batches, key=lambda b: -b.work)
        }
        pending = list(futures)
        done_bytes = done_docs = 0
        while pending:
            finished, not_done = wait(pending, timeout=POLL_SECONDS)
            for fut in finished:
                s = fut.result()
                summaries.append(s)
                done_bytes += futures[fut].size
                done_docs += s["documents"]
                _log_unit(logger, s, futures[fut], len(batches))
            pending = list(not_done)
            live_bytes, live_docs = _live_progress(prog_dir, [futures[f] for f in pending])
            pct = round(100.0 * min(1.0, (done_bytes + live_bytes) / total), 1)
            if pct != shown:
                update_progress_artifact(progress_id, progress=pct)
                shown = pct
            if bar:
                bar.update(done_bytes + live_bytes, done_docs + live_docs, len(summaries), len(batches))
    if bar:
        bar.stop()
    if shown < 100.0:
        update_progress_artifact(progress_id, progress=100.0)
    return summaries, time.perf_counter() - t_batches


INLINE_MAX_BYTES = 1 << 20
"""A run whose input is one unit of at most this many bytes is cleaned in the flow's process."""


def _inline(p: IngestParams, batches: list[Batch]) -> bool:
    """Whether to clean in the flow's own process: one small unit, local, on the main thread."""
    return (
        len(batches) == 1
        and batches[0].size <= INLINE_MAX_BYTES
        and not p.dask_address
        and threading.current_thread() is threading.main_thread()
    )


def _log_unit(logger: Any, s: dict[str, Any], b: Batch, n: int) -> None:
    """One log line per finished unit, with its counts."""
    logger.info(
        "unit %d/%d (%s): %d documents, %d skipped as stored, %d cleaned, %d rejected%s",
        s["batch"] + 1,
        n,
        _unit_label(b),
        s["documents"],
        s.get("skipped", 0),
        s["cleaned"],
        s["rejected"],
        " (reused)" if s.get("reused") else "",
    )


def _unit_label(b: Batch) -> str:
    first = b.units[0]
    name = os.path.basename(first.path)
    if first.parts > 1:
        return f"{name} part {first.part + 1}/{first.parts}"
    return name if len(b.units) == 1 else f"{name} +{len(b.units) - 1} files"


def _live_progress(prog_dir: Path, running: list[Batch]) -> tuple[int, int]:
    """Bytes and documents done so far by units still running (from their progress files)."""
    nbytes = ndocs = 0
    for b in running:
        try:
            d = json.loads((prog_dir / f"{b.index}.json").read_text())
        except (OSError, ValueError):
            continue
        nbytes += min(int(d.get("bytes", 0)), b.size)
        ndocs += int(d.get("documents", 0))
    return nbytes, ndocs


def _previous_run(wh: Warehouse) -> dict[str, Any] | None:
    """Counts of the latest committed run (for the report's comparison), or None."""
    runs = wh.scan("runs").sort("finished_at").tail(1).collect()
    if not runs.height:
        return None
    cols = ["run_id", "n_documents", "n_articles", "n_duplicates", "n_rejects", "n_removed_lines", "n_skipped"]
    return {k: v for k, v in runs.select(cols).row(0, named=True).items()}


def _stage_run_row(
    wh: Warehouse,
    run_id: str,
    started: datetime,
    finished: datetime,
    settings: Settings,
    params: IngestParams,
    summary: dict[str, Any],
) -> None:
    row = {
        "run_id": run_id,
        "started_at": started,
        "finished_at": finished,
        "newsclean_version": cleaners.__version__,
        "settings_fingerprint": settings.fingerprint(),
        "parameters": json.dumps(params.model_dump()),
        "n_files": summary["n_files"],
        "n_documents": summary["n_documents"],
        "n_skipped": summary["n_skipped"],
        "n_articles": summary["n_articles"],
        "n_duplicates": summary["n_duplicates"],
        "n_clusters": summary["n_clusters"],
        "n_rejects": summary["n_rejects"],
        "n_removed_lines": summary["n_removed_lines"],
        "seconds": float(summary["seconds"]),
        "n_files_skipped": summary["n_files_skipped"],
        "n_bad_dates": summary["n_bad_dates"],
        "flow_run_id": summary["flow_run_id"],
        "deployment": summary["deployment"],
    }
    wh.stage(run_id, "runs", pl.DataFrame([row]))


def _emit_events(summary: dict[str, Any], wh: Warehouse) -> None:
    """A Prefect event per run with its counts, and one when the reject share jumps (for automations)."""
    from prefect.events import emit_event

    resource = {"prefect.resource.id": f"newsclean.warehouse.{wh.root}", "prefect.resource.name": str(wh.root)}
    counts = {
        k: summary[k]
        for k in (
            "n_documents",
            "n_articles",
            "n_duplicates",
            "n_rejects",
            "n_skipped",
            "n_removed_lines",
            "n_bad_dates",
        )
    }
    emit_event(event="newsclean.run.completed", resource=resource, payload={"run_id": summary["run_id"], **counts})
    jump = report.reject_jump(summary)
    if jump:
        emit_event(event="newsclean.rejects.jumped", resource=resource, payload={"run_id": summary["run_id"], **jump})


def _log_rejects(logger: Any, wh: Warehouse, run_id: str) -> None:
    rej = wh.scan("rejects").filter(pl.col("run_id") == run_id).select("source", "locator", "stage", "reason", "detail")
    rows = rej.head(MAX_REJECT_LOGS).collect().rows()
    total = rej.select(pl.len()).collect().item()
    for source, loc, stage, reason, detail in rows:
        logger.warning("rejected %s [%s] at %s: %s (%s)", source, loc, stage, reason, detail)
    if total > len(rows):
        logger.warning("... and %d more rejects: see the rejects table for run %s", total - len(rows), run_id)
