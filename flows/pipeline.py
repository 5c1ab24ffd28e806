"""The `ingest` Prefect flow: plan batches -> clean them in parallel -> dedup -> atomic commit."""

# No `from __future__ import annotations` here: Prefect builds the parameter model from the
# real `Annotated[...]` objects of the flow signature (string annotations fail to resolve).

import json
import secrets
import shutil
import time
from datetime import datetime, timezone
from typing import Annotated

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact, update_progress_artifact
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner
from pydantic import Field, ValidationError

import cleaners
from cleaners.config import Settings
from flows import report
from flows.batches import Batch, plan_batches, process_batch
from flows.finalize import finalize
from flows.params import IngestParams
from flows.sources import discover
from flows.warehouse import Warehouse, fault_point

MAX_REJECT_LOGS = 20


@task(retries=2, retry_delay_seconds=2, task_run_name="clean-batch-{batch.index}")
def clean_batch(batch: Batch, settings: dict, warehouse: str) -> dict:
    """Read and clean one batch of files (outputs reused if this batch finished before)."""
    wh = Warehouse(warehouse)
    return process_batch(batch, Settings.from_dict(settings), wh.batch_dir(batch.key))


@task(retries=1, retry_delay_seconds=2, task_run_name="dedup-and-stage")
def dedup_and_stage(warehouse: str, batch_keys: list[str], settings: dict, run_id: str) -> dict:
    """Site-line stripping, near-duplicate clustering against history, staged tables."""
    wh = Warehouse(warehouse)
    return finalize(wh, [wh.batch_dir(k) for k in batch_keys], Settings.from_dict(settings), run_id)


def _local_workers(params: IngestParams, n_batches: int) -> int:
    """Processes worth starting: never more than there are batches."""
    return min(params.n_workers, max(n_batches, 1))


def _runner(params: IngestParams, n_batches: int):
    if params.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=params.dask_address)
    # Always processes, even for one worker: CPU-bound batches need them to scale, a crash in a
    # parser cannot take the flow down, and the per-document time limit (SIGALRM) needs the
    # main thread of a process.
    return ProcessPoolTaskRunner(max_workers=_local_workers(params, n_batches))


@flow(name="ingest", description="Raw news pages in, clean deduplicated Parquet tables out.")
def ingest(
    inputs: Annotated[list[str], Field(description=IngestParams.model_fields["inputs"].description)] = ["seeds"],  # noqa: B006
    warehouse: Annotated[str, Field(description=IngestParams.model_fields["warehouse"].description)] = "warehouse",
    threshold: Annotated[float, Field(description=IngestParams.model_fields["threshold"].description)] = 0.5,
    containment: Annotated[float, Field(description=IngestParams.model_fields["containment"].description)] = 0.8,
    workers: Annotated[int, Field(description=IngestParams.model_fields["workers"].description)] = 0,
    batch_mb: Annotated[int, Field(description=IngestParams.model_fields["batch_mb"].description)] = 64,
    batch_files: Annotated[int, Field(description=IngestParams.model_fields["batch_files"].description)] = 2000,
    min_words: Annotated[int, Field(description=IngestParams.model_fields["min_words"].description)] = 20,
    site_min_pages: Annotated[int, Field(description=IngestParams.model_fields["site_min_pages"].description)] = 3,
    disabled_rules: Annotated[list[str], Field(description=IngestParams.model_fields["disabled_rules"].description)] = [],  # noqa: B006
    keep_headline: Annotated[bool, Field(description=IngestParams.model_fields["keep_headline"].description)] = True,
    dask_address: Annotated[str | None, Field(description=IngestParams.model_fields["dask_address"].description)] = None,
    max_doc_mb: Annotated[float, Field(description=IngestParams.model_fields["max_doc_mb"].description)] = 20.0,
    max_decompressed_mb: Annotated[float, Field(description=IngestParams.model_fields["max_decompressed_mb"].description)] = 2000.0,
    max_extract_seconds: Annotated[float, Field(description=IngestParams.model_fields["max_extract_seconds"].description)] = 30.0,
    progress: Annotated[bool, Field(description="Show a progress bar on the terminal.")] = False,
) -> dict:
    """Ingest INPUTS into the warehouse and return the run summary."""
    logger = get_run_logger()
    try:
        params = IngestParams(inputs=inputs, warehouse=warehouse, threshold=threshold, containment=containment,
                              workers=workers, batch_mb=batch_mb, batch_files=batch_files, min_words=min_words,
                              site_min_pages=site_min_pages, keep_headline=keep_headline, disabled_rules=disabled_rules, dask_address=dask_address,
                              max_doc_mb=max_doc_mb, max_decompressed_mb=max_decompressed_mb,
                              max_extract_seconds=max_extract_seconds)
    except ValidationError as e:
        raise ValueError(f"invalid ingest parameters:\n{e}") from None
    settings = params.settings()
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    wh = Warehouse(params.warehouse)

    files, ignored, missing = discover(params.inputs)
    for m in missing:
        logger.warning("input not found: %s", m)
    if not files and missing:
        raise FileNotFoundError(f"no input found: {', '.join(missing)}")
    batches = plan_batches(files, settings, target_bytes=params.batch_mb << 20, max_files=params.batch_files)
    logger.info("run %s: %d files (%d ignored) in %d batches -> %s", run_id, len(files), len(ignored),
                len(batches), wh.root)

    summaries: list[dict] = []
    progress_id = create_progress_artifact(progress=0.0, description=f"Batches cleaned for run {run_id}")
    bar = _bar(len(batches)) if progress else None
    t_batches = time.perf_counter()
    with _runner(params, len(batches)) as runner:
        futures = [runner.submit(clean_batch, {"batch": b, "settings": settings.to_dict(), "warehouse": str(wh.root)})
                   for b in batches]
        for fut in as_completed(futures):
            s = fut.result()
            summaries.append(s)
            update_progress_artifact(progress_id, progress=100.0 * len(summaries) / max(len(batches), 1))
            if bar:
                bar[0].advance(bar[1])
            logger.info("batch %d: %d documents, %d cleaned, %d rejected%s", s["batch"], s["documents"],
                        s["cleaned"], s["rejected"], " (reused)" if s.get("reused") else "")
    if bar:
        bar[0].stop()
    batches_wall = time.perf_counter() - t_batches

    with wh.lock(timeout=params.lock_timeout, on_wait=lambda: logger.info("waiting for another run's lock on %s", wh.root)):
        rolled_back = wh.recover()
        if rolled_back:
            logger.warning("rolled back %d uncommitted partitions of a crashed run", len(rolled_back))
        counts = dedup_and_stage(str(wh.root), [b.key for b in batches], settings.to_dict(), run_id)
        finished = datetime.now(timezone.utc)
        summary = {
            "run_id": run_id, "warehouse": str(wh.root), "n_files": len(files), "n_ignored": len(ignored),
            "n_batches": len(batches), "workers": None if params.dask_address else _local_workers(params, len(batches)),
            "missing_inputs": missing, **counts, "seconds": round(time.perf_counter() - t0, 3),
        }
        summary["timings"] = {"clean_batches_wall": round(batches_wall, 3),
                             "clean_batches_cpu": round(sum(s["seconds"] for s in summaries), 3), **counts["timings"]}
        _stage_run_row(wh, run_id, started, finished, settings, params, summary)
        fault_point("before-commit")
        wh.commit(run_id, summary)
    for b in batches:
        shutil.rmtree(wh.batch_dir(b.key), ignore_errors=True)

    _log_rejects(logger, wh, run_id)
    create_table_artifact(report.stage_rows(summary), key="ingest-counts", description=f"Counts per stage, run {run_id}")
    create_markdown_artifact(report.markdown(summary), key="ingest-report", description=f"Report of run {run_id}")
    logger.info(report.terminal(summary))
    return summary


def _stage_run_row(wh, run_id, started, finished, settings: Settings, params: IngestParams, summary: dict) -> None:
    row = {
        "run_id": run_id, "started_at": started, "finished_at": finished, "newsclean_version": cleaners.__version__,
        "settings_fingerprint": settings.fingerprint(), "parameters": json.dumps(params.model_dump()),
        "n_files": summary["n_files"], "n_documents": summary["n_documents"], "n_skipped": summary["n_skipped"],
        "n_articles": summary["n_articles"], "n_duplicates": summary["n_duplicates"], "n_clusters": summary["n_clusters"],
        "n_rejects": summary["n_rejects"], "n_removed_lines": summary["n_removed_lines"],
        "seconds": float(summary["seconds"]),
    }
    wh.stage(run_id, "runs", pl.DataFrame([row]))


def _log_rejects(logger, wh: Warehouse, run_id: str) -> None:
    rej = wh.scan("rejects").filter(pl.col("run_id") == run_id).select("source", "locator", "stage", "reason", "detail")
    rows = rej.head(MAX_REJECT_LOGS).collect().rows()
    total = rej.select(pl.len()).collect().item()
    for source, loc, stage, reason, detail in rows:
        logger.warning("rejected %s [%s] at %s: %s (%s)", source, loc, stage, reason, detail)
    if total > len(rows):
        logger.warning("... and %d more rejects: see the rejects table for run %s", total - len(rows), run_id)


def _bar(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(TextColumn("cleaning batches"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    p.start()
    return p, p.add_task("batches", total=total)
