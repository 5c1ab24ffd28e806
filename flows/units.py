"""Work units on the task runner: one `clean-batch` task per batch, their progress and their logs.

Local runs use worker processes (`ProcessPoolTaskRunner`): extraction holds the GIL, and a
process keeps a crashing parser away from the flow. An input that is one small unit is cleaned
in the flow's own process. Progress (bytes read, documents done) is polled from small files the
workers write, for the Prefect progress artifact and the terminal bar.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ProcessPoolTaskRunner

from cleaners.config import Settings
from flows import report
from flows.batches import Batch, process_batch
from flows.lifetime import watch_parent
from flows.params import IngestParams
from flows.summaries import BatchSummary
from flows.warehouse import Warehouse

PROGRESS_ENV = "NEWSCLEAN_PROGRESS"
"""Set to 1 by `newsclean run` on a terminal: a progress bar (terminal-only, so not a flow parameter)."""
POLL_SECONDS = 2.0
INLINE_MAX_BYTES = 1 << 20
"""A run whose input is one unit of at most this many bytes is cleaned in the flow's process."""


@task(retries=2, retry_delay_seconds=2, task_run_name="clean-batch-{batch.index}", cache_policy=NO_CACHE)
def clean_batch(
    batch: Batch, settings: Settings, warehouse: str, known: str | None, progress: str | None
) -> BatchSummary:
    """Read and clean one unit of work (outputs reused if this batch finished before)."""
    wh = Warehouse(warehouse)
    return process_batch(
        batch, settings, wh.batch_dir(batch.key), Path(known) if known else None, Path(progress) if progress else None
    )


@dataclass(frozen=True)
class UnitsDone:
    """The finished units' summaries and the stage's wall time."""

    summaries: list[BatchSummary]
    wall: float

    @property
    def cpu(self) -> float:
        """Seconds the units spent, summed over workers."""
        return sum(s.seconds for s in self.summaries)

    @property
    def skipped(self) -> int:
        """Records the units skipped as stored."""
        return sum(s.skipped for s in self.summaries)


def local_workers(params: IngestParams, n_batches: int) -> int:
    """Processes worth starting: never more than there are batches."""
    return min(params.n_workers, max(n_batches, 1))


def _runner(params: IngestParams, n_batches: int):  # type: ignore[no-untyped-def]
    if params.dask_address:
        from prefect_dask.task_runners import DaskTaskRunner

        return DaskTaskRunner(address=params.dask_address)
    # Always processes, even for one worker: CPU-bound batches need them to scale, a crash in a
    # parser cannot take the flow down, and the per-document time limit (SIGALRM) needs the
    # main thread of a process. Workers exit when the command that started them dies.
    return ProcessPoolTaskRunner(
        max_workers=local_workers(params, n_batches), initializer=watch_parent, initargs=(os.getpid(),)
    )


def _inline(params: IngestParams, batches: list[Batch]) -> bool:
    """Whether to clean in the flow's own process: one small unit, local, on the main thread."""
    return (
        len(batches) == 1
        and batches[0].size <= INLINE_MAX_BYTES
        and not params.dask_address
        and threading.current_thread() is threading.main_thread()
    )


class _Progress:
    """The run's progress: the Prefect progress artifact and, on a terminal, a bar."""

    def __init__(self, batches: list[Batch], run_id: str, folder: Path) -> None:
        self.total = max(sum(b.size for b in batches), 1)
        self.n = len(batches)
        self.folder = folder
        artifact = create_progress_artifact(progress=0.0, description=f"Input read and cleaned, run {run_id}")
        assert isinstance(artifact, UUID)  # the sync call (the flow is sync) returns the id, not a coroutine
        self.artifact = artifact
        self.bar = report.ProgressBar(self.total) if os.environ.get(PROGRESS_ENV) == "1" else None
        self.shown = -1.0

    def file(self, b: Batch) -> str:
        """The progress file a unit writes."""
        return str(self.folder / f"{b.index}.json")

    def show(self, done_bytes: int, done_docs: int, units_done: int, running: list[Batch]) -> None:
        """Advance the artifact and the bar by what finished units and running ones have read."""
        live_bytes, live_docs = _live_progress(self.folder, running)
        pct = round(100.0 * min(1.0, (done_bytes + live_bytes) / self.total), 1)
        if pct != self.shown:
            update_progress_artifact(self.artifact, progress=pct)
            self.shown = pct
        if self.bar:
            self.bar.update(done_bytes + live_bytes, done_docs + live_docs, units_done, self.n)

    def finish(self) -> None:
        """The stage is done: 100 %, bar closed."""
        if self.bar:
            self.bar.stop()
        if self.shown < 100.0:
            update_progress_artifact(self.artifact, progress=100.0)


def run_units(
    params: IngestParams,
    batches: list[Batch],
    settings: Settings,
    wh: Warehouse,
    known: Path,
    scratch: Path,
    logger: Any,
) -> UnitsDone:
    """Run the units on the task runner (largest first) and log each as it finishes."""
    t0 = time.perf_counter()
    progress = _Progress(batches, scratch.name, scratch / "progress")
    if _inline(params, batches):
        # One small unit: cleaned in the flow's own process (main thread, so the per-document
        # time limit holds), saving a worker process's start-up and imports (~3 s).
        b = batches[0]
        s = clean_batch(b, settings, str(wh.root), str(known), progress.file(b))
        _log_unit(logger, s, b, len(batches))
        progress.finish()
        return UnitsDone([s], time.perf_counter() - t0)
    summaries: list[BatchSummary] = []
    with _runner(params, len(batches)) as runner:
        futures = {
            runner.submit(
                clean_batch,
                {
                    "batch": b,
                    "settings": settings,
                    "warehouse": str(wh.root),
                    "known": str(known),
                    "progress": None if params.dask_address else progress.file(b),
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
                done_docs += s.documents
                _log_unit(logger, s, futures[fut], len(batches))
            pending = list(not_done)
            progress.show(done_bytes, done_docs, len(summaries), [futures[f] for f in pending])
    progress.finish()
    return UnitsDone(summaries, time.perf_counter() - t0)


def _log_unit(logger: Any, s: BatchSummary, b: Batch, n: int) -> None:
    """One log line per finished unit, with its counts."""
    logger.info(
        "unit %d/%d (%s): %d documents, %d skipped as stored, %d cleaned, %d rejected%s",
        s.batch + 1,
        n,
        _unit_label(b),
        s.documents,
        s.skipped,
        s.cleaned,
        s.rejected,
        " (reused)" if s.reused else "",
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
