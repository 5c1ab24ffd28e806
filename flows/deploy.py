"""Serve the `ingest` flow as a deployment with a configurable, pausable cron schedule."""

from __future__ import annotations

import os

from flows.params import IngestParams

DEFAULT_CRON = "0 * * * *"


def serve(name: str = "scheduled", cron: str = DEFAULT_CRON, paused: bool = False,
          inputs: list[str] | None = None, warehouse: str = "warehouse", limit: int | None = 1) -> None:
    """Serve `ingest` (blocking): runs on `cron`, and whenever triggered from the UI or API.

    Default parameters are validated first, so a bad default never reaches the scheduler.
    `limit=1` runs one ingest at a time from this server (runs lock the warehouse anyway).
    """
    from flows.pipeline import ingest

    params = IngestParams(inputs=inputs or ["seeds"], warehouse=warehouse)
    defaults = {"inputs": [os.path.abspath(p) for p in params.inputs], "warehouse": os.path.abspath(params.warehouse)}
    ingest.serve(
        name=name,
        cron=cron,
        paused=paused,
        parameters=defaults,
        description="Raw news pages in, clean deduplicated Parquet tables out. Parameters: see the form.",
        tags=["newsclean"],
        limit=limit,
        pause_on_shutdown=False,
    )
