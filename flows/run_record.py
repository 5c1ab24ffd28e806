"""A run's own record: the summary it ends with, its `runs` row, and the run before it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

import cleaners
from cleaners.config import Settings
from flows.alerts import RecentRun
from flows.params import IngestParams
from flows.summaries import COUNTS, PreviousRun, RunSummary, StagedRun
from flows.warehouse import Warehouse


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


def previous_run(wh: Warehouse) -> PreviousRun | None:
    """Counts of the latest committed run (for the report's comparison), or None."""
    runs = wh.scan("runs").sort("finished_at").tail(1).collect()
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
    )


def stage_run_row(
    wh: Warehouse, summary: RunSummary, ctx: RunContext, settings: Settings, params: IngestParams
) -> None:
    """Stage the run's `runs` row."""
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
    }
    wh.stage(summary.run_id, "runs", pl.DataFrame([row]))


def recent_runs(wh: Warehouse, n: int) -> list[RecentRun]:
    """The last `n` committed runs, oldest first (for the run's alerts)."""
    runs = wh.scan("runs").sort("finished_at").tail(n).select("run_id", "n_documents", "n_skipped", "n_articles")
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
