"""What a run says to Prefect: its name and tags, its artifacts, its events, its log lines.

Each flow run is named `ingest-<run_id>` and tagged `newsclean`, `warehouse:<path>` (and
`deployment:<name>`); it publishes the `ingest-counts` table, the `ingest-report` Markdown
artifact and `newsclean-trends` (a chart and tables over the last runs), and emits
`newsclean.run.completed`, `newsclean.rejects.jumped` and `newsclean.alert.<kind>` events.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import polars as pl

from flows import report, trends
from flows.alerts import SITE_HISTORY_RUNS, Alert, AlertRules, run_alerts
from flows.run_record import recent_runs, site_articles
from flows.summaries import Recleaned, RunSummary
from flows.warehouse import Warehouse

RUN_PREFIX = "ingest-"
MAX_REJECT_LOGS = 20


def new_run_id(now: datetime | None = None) -> str:
    """A run id: UTC start time plus a random suffix (sorts by time)."""
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def flow_run_name() -> str:
    """Prefect names each flow run after the newsclean run it is: `ingest-<run_id>`."""
    return RUN_PREFIX + new_run_id()


def run_id_of_flow_run() -> str:
    """The run id in this flow run's name (a fresh one when the run was renamed by hand)."""
    from prefect.runtime import flow_run

    name = flow_run.name or ""
    return name[len(RUN_PREFIX) :] if name.startswith(RUN_PREFIX) and len(name) > len(RUN_PREFIX) + 16 else new_run_id()


def tag_flow_run(wh: Warehouse, logger: Any) -> tuple[str | None, str | None]:
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


def publish(summary: RunSummary, wh: Warehouse, rules: AlertRules, logger: Any) -> list[Alert]:
    """After the commit: warnings for bad dates and rejects, the artifacts, the events and
    alerts, the summary line. Returns the run's alerts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    for source, loc, err in summary.bad_dates:
        logger.warning("unparseable published_at in %s [%s]: %s (date guessed from the page)", source, loc, err)
    _log_rejects(logger, wh, summary.run_id)
    create_table_artifact(
        report.stage_rows(summary), key="ingest-counts", description=f"Counts per stage, run {summary.run_id}"
    )
    create_markdown_artifact(
        report.markdown(summary), key="ingest-report", description=f"Report of run {summary.run_id}"
    )
    _publish_trends(wh, summary.run_id, logger)
    alerts = _alerts(summary, wh, rules)
    for alert in alerts:
        logger.warning("alert (%s): %s", alert.kind.value, alert.message)
    _emit_events(summary, wh, alerts)
    logger.info(report.terminal(summary))
    return alerts


def publish_reclean(done: Recleaned, wh: Warehouse, logger: Any) -> None:
    """After a re-clean: its report artifact and its summary line."""
    from prefect.artifacts import create_markdown_artifact

    text = "\n".join(
        [
            f"# newsclean reclean `{done.run_id}`",
            "",
            f"Warehouse: `{wh.root}`",
            "",
            "| count | value |",
            "|---|---:|",
            f"| stored documents derived again | {done.n_records} |",
            f"| articles | {done.n_articles} |",
            f"| rejects | {done.n_rejects} |",
            f"| articles changed (text, new, or now a reject) | {done.n_changed} |",
            f"| seconds | {done.seconds:.1f} |",
        ]
    )
    create_markdown_artifact(text + "\n", key="reclean-report", description=f"Report of re-clean {done.run_id}")
    logger.info(done.line())


def _publish_trends(wh: Warehouse, run_id: str, logger: Any) -> None:
    """The `newsclean-trends` artifact: the chart and tables over the last runs."""
    from prefect.artifacts import create_markdown_artifact

    try:
        t = trends.frames(wh)
        text = trends.markdown(t, trends.chart_png(t))
    except Exception as e:  # a chart must never fail a committed run
        logger.warning("could not draw the trends artifact: %s: %s", type(e).__name__, e)
        return
    create_markdown_artifact(text, key="newsclean-trends", description=f"Trends up to run {run_id}")


def _alerts(summary: RunSummary, wh: Warehouse, rules: AlertRules) -> list[Alert]:
    recent = [r for r in recent_runs(wh, SITE_HISTORY_RUNS + 1) if r.run_id != summary.run_id]
    return run_alerts(summary, recent, site_articles(wh, [r.run_id for r in recent]), rules)


def _emit_events(summary: RunSummary, wh: Warehouse, alerts: list[Alert]) -> None:
    """A Prefect event per run with its counts, one when the reject share jumps, one per alert
    (the automations of `serve --notify` send those)."""
    from prefect.events import emit_event

    resource = {"prefect.resource.id": f"newsclean.warehouse.{wh.root}", "prefect.resource.name": str(wh.root)}
    payload = {"run_id": summary.run_id, **summary.counts()}
    emit_event(event="newsclean.run.completed", resource=resource, payload=payload)
    jump = report.reject_jump(summary)
    if jump:
        emit_event(event="newsclean.rejects.jumped", resource=resource, payload={"run_id": summary.run_id, **jump})
    for alert in alerts:
        emit_event(
            event=alert.event,
            resource=resource,
            payload={"run_id": summary.run_id, "kind": alert.kind.value, "message": alert.message},
        )


def _log_rejects(logger: Any, wh: Warehouse, run_id: str) -> None:
    rej = wh.scan("rejects").filter(pl.col("run_id") == run_id).select("source", "locator", "stage", "reason", "detail")
    rows = rej.head(MAX_REJECT_LOGS).collect().rows()
    total = rej.select(pl.len()).collect().item()
    for source, loc, stage, reason, detail in rows:
        logger.warning("rejected %s [%s] at %s: %s (%s)", source, loc, stage, reason, detail)
    if total > len(rows):
        logger.warning("... and %d more rejects: see the rejects table for run %s", total - len(rows), run_id)
