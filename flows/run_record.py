"""A run's own record: the summary it ends with, its `runs` row, and the run before it."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

import cleaners
from cleaners.config import Settings
from cleaners.schema import INGEST_RUN, empty
from flows.alerts import RecentRun
from flows.params import IngestParams
from flows.summaries import COUNTS, PreviousRun, RunSummary, StagedRun
from flows.warehouse import Warehouse

FAILURE_LOCK_SECONDS = 30.0
"""How long a failed run waits for the warehouse lock to record itself."""


@dataclass(frozen=True)
class RunContext:
    """What the run knows before it stages anything: who it is, where, what it read."""

    run_id: str
    warehouse: str
    started: datetime
    t0: float
    flow_run_id: str | None
    deployment: str | None
    n_files: int
    n_refused: int
    n_files_skipped: int
    n_records_skipped: int
    missing_inputs: list[str]


@functools.cache
def cleaner_version() -> str:
    """Hash of the cleaning code: every module and model file of the `cleaners` package.

    Any change to what the library does (a rule, a model, a normalizer) changes it, so stored
    articles cleaned by other code can be told apart from current ones.
    """
    root = Path(cleaners.__file__).parent
    digest = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:16]


def previous_run(wh: Warehouse) -> PreviousRun | None:
    """Counts of the latest committed run (for the report's comparison), or None."""
    runs = wh.scan("runs").filter(INGEST_RUN).sort("finished_at").tail(1).collect()
    if not runs.height:
        return None
    row = runs.row(0, named=True)
    return PreviousRun(row["run_id"], {k: int(row.get(k) or 0) for k in COUNTS})


def run_summary(
    ctx: RunContext,
    staged: StagedRun,
    n_batches: int,
    workers: int | None,
    units_skipped: int,
    timings: dict[str, float],
    seconds: float,
    previous: PreviousRun | None,
) -> RunSummary:
    """The run's summary: the staged counts plus what the flow saw before staging."""
    skipped = units_skipped + ctx.n_records_skipped
    return RunSummary(
        run_id=ctx.run_id,
        warehouse=ctx.warehouse,
        n_files=ctx.n_files,
        n_refused=ctx.n_refused,
        n_files_skipped=ctx.n_files_skipped,
        n_batches=n_batches,
        workers=workers,
        missing_inputs=ctx.missing_inputs,
        flow_run_id=ctx.flow_run_id,
        deployment=ctx.deployment,
        n_documents=staged.n_documents + skipped,
        n_skipped=staged.n_skipped + skipped,
        n_articles=staged.n_articles,
        n_duplicates=staged.n_duplicates,
        n_clusters=staged.n_clusters,
        n_rejects=staged.n_rejects,
        n_removed_lines=staged.n_removed_lines,
        n_bad_dates=staged.n_bad_dates,
        n_relabelled=staged.n_relabelled,
        seconds=round(seconds, 3),
        timings={**timings, **staged.timings},
        reject_reasons=staged.reject_reasons,
        rules=staged.rules,
        cluster_sizes=staged.cluster_sizes,
        sites=staged.sites,
        largest_clusters=staged.largest_clusters,
        dedup=staged.dedup,
        bad_dates=staged.bad_dates,
        previous=previous,
        articles=staged.articles,
    )


def stage_run_row(
    wh: Warehouse,
    summary: RunSummary,
    ctx: RunContext,
    settings: Settings,
    params: IngestParams,
    kind: str = "ingest",
) -> None:
    """Stage the run's `runs` row (`kind`: `ingest`, or `reclean` for `newsclean reclean`)."""
    row = {
        "run_id": summary.run_id,
        "started_at": ctx.started,
        "finished_at": datetime.now(UTC),
        "newsclean_version": cleaners.__version__,
        "settings_fingerprint": settings.fingerprint(),
        "parameters": json.dumps(params.model_dump()),
        "n_files": summary.n_files,
        **summary.counts(),
        "seconds": summary.seconds,
        "n_files_skipped": summary.n_files_skipped,
        "flow_run_id": summary.flow_run_id,
        "deployment": summary.deployment,
        "status": "completed",
        "error": None,
        "cleaner_version": cleaner_version(),
        "kind": kind,
    }
    wh.stage(summary.run_id, "runs", pl.DataFrame([row], schema=empty("runs").schema))


RECLEAN_MARK = "-reclean-"
"""In the run id of a re-clean (`<UTC time>-reclean-<suffix>`), so a killed one is recorded as one."""


def _stopped_row(
    run_id: str, started: datetime, status: str, error: str, parameters: str, fingerprint: str
) -> dict[str, object]:
    """A `runs` row for a run that committed nothing: its counts 0, its status and error."""
    row: dict[str, object] = dict.fromkeys(empty("runs").columns, 0)
    row.update(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        newsclean_version=cleaners.__version__,
        settings_fingerprint=fingerprint,
        parameters=parameters,
        seconds=0.0,
        flow_run_id=None,
        deployment=None,
        status=status,
        error=error,
        kind="reclean" if RECLEAN_MARK in run_id else "ingest",
    )
    return row


def record_failure(wh: Warehouse, ctx: RunContext, params: IngestParams, error: BaseException, logger: Any) -> None:
    """Commit a `failed` row for this run (and nothing else it staged); never raises."""
    message = " ".join(f"{type(error).__name__}: {error}".split())[:2000]
    if not wh.root.is_dir():  # never create a warehouse just to say a run failed
        logger.warning("could not record the failed run in `runs`: no warehouse at %s", wh.root)
        return
    try:
        with wh.lock(timeout=FAILURE_LOCK_SECONDS):
            wh.recover()  # drops what this run staged: a failed run publishes no data
            row = _stopped_row(
                ctx.run_id,
                ctx.started,
                "failed",
                message,
                json.dumps(params.model_dump()),
                params.settings().fingerprint(),
            )
            row.update(flow_run_id=ctx.flow_run_id, deployment=ctx.deployment, seconds=time.perf_counter() - ctx.t0)
            wh.stage(ctx.run_id, "runs", pl.DataFrame([row], schema=empty("runs").schema))
            wh.commit(ctx.run_id, {"run_id": ctx.run_id, "status": "failed", "error": message})
    except Exception as e:  # recording is best effort: the run's own error is what matters
        logger.warning("could not record the failed run in `runs`: %s: %s", type(e).__name__, e)


def crashed_rows(run_ids: list[str], found_by: str) -> pl.DataFrame:
    """`crashed` rows for runs whose process died before their commit (found by `recover`)."""
    rows = []
    for run_id in run_ids:
        try:
            started = datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            continue  # not a newsclean run id
        error = (
            f"the run's process ended without committing (killed, out of memory or power loss); found by run {found_by}"
        )
        rows.append(_stopped_row(run_id, started, "crashed", error, "{}", ""))
    return pl.DataFrame(rows, schema=empty("runs").schema)


def recent_runs(wh: Warehouse, n: int) -> list[RecentRun]:
    """The last `n` committed runs, oldest first (for the run's alerts)."""
    runs = (
        wh.scan("runs")
        .filter(INGEST_RUN)
        .sort("finished_at")
        .tail(n)
        .select("run_id", "n_documents", "n_skipped", "n_articles")
    )
    return [
        RecentRun(r["run_id"], int(r["n_documents"] or 0) - int(r["n_skipped"] or 0), int(r["n_articles"] or 0))
        for r in runs.collect().to_dicts()
    ]


def site_articles(wh: Warehouse, run_ids: list[str]) -> dict[str, int]:
    """Articles per domain that the given runs stored (for the silent-site alert)."""
    if not run_ids:
        return {}
    per = (
        wh.scan("articles")
        .filter(pl.col("run_id").is_in(run_ids) & pl.col("domain").is_not_null())
        .group_by("domain")
        .agg(pl.len().alias("n"))
        .collect()
    )
    return dict(zip(per["domain"].to_list(), per["n"].to_list(), strict=True))


@dataclass(frozen=True)
class RunFilter:
    """Which `runs` rows `newsclean runs` lists."""

    since: datetime | None = None
    since_run: str | None = None
    failed: bool = False
    changes: bool = False

    @classmethod
    def parse(cls, since: str | None, failed: bool = False, changes: bool = False) -> RunFilter:
        """From the CLI: `since` is a run id (20261201T080000Z-...) or an ISO date/time (UTC if naive)."""
        if not since:
            return cls(failed=failed, changes=changes)
        if len(since) > 16 and since[8] == "T" and since[15] == "Z":
            return cls(since_run=since, failed=failed, changes=changes)
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            raise ValueError(f"--since takes a run id or an ISO time like 2026-12-01T08:00, got {since!r}") from None
        return cls(since=when if when.tzinfo else when.replace(tzinfo=UTC), failed=failed, changes=changes)


def list_runs(wh: Warehouse, f: RunFilter) -> pl.DataFrame:
    """`runs` rows, oldest first, filtered; `status` and `kind` filled in for rows older than the columns."""
    filled = [pl.col("status").fill_null("completed"), pl.col("kind").fill_null("ingest")]
    runs = wh.scan("runs").with_columns(filled).sort("started_at")
    if f.since_run is not None:
        start = runs.filter(pl.col("run_id") == f.since_run).select("started_at").collect()
        if not start.height:
            raise ValueError(f"no run {f.since_run} in {wh.root} (see `newsclean runs`)")
        runs = runs.filter(pl.col("started_at") >= start.item())
    if f.since is not None:
        runs = runs.filter(pl.col("started_at") >= f.since)
    if f.failed:
        runs = runs.filter(pl.col("status") != "completed")
    if f.changes:
        runs = runs.filter(
            (pl.col("status") != "completed")
            | (pl.col("n_documents") > pl.col("n_skipped"))
            | (pl.col("n_rejects") > 0)
        )
    return runs.collect()
