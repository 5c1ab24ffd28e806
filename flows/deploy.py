"""Serve the `ingest` flow as a deployment with a configurable, pausable cron schedule."""

from __future__ import annotations

import os
from typing import Any

from flows.params import ParameterError, preflight, validate

DEFAULT_CRON = "0 * * * *"
DEFAULT_TIMEOUT_MINUTES = 55.0
"""Under the hourly schedule: a hung run fails (and frees the warehouse) before the next one is due."""


def deployment_parameters(inputs: list[str], warehouse: str) -> dict[str, Any]:
    """The served defaults: validated, with absolute paths (runs start in another directory)."""
    params = validate({"inputs": inputs, "warehouse": warehouse})
    problems = preflight(params)
    if problems:
        raise ParameterError("; ".join(problems))
    data = params.model_dump()
    data.update(inputs=[os.path.abspath(p) for p in params.inputs], warehouse=os.path.abspath(params.warehouse))
    return {"params": data}


def serve(
    name: str = "scheduled",
    cron: str = DEFAULT_CRON,
    paused: bool = False,
    inputs: list[str] | None = None,
    warehouse: str = "warehouse",
    timeout_minutes: float = DEFAULT_TIMEOUT_MINUTES,
) -> None:
    """Serve `ingest` (blocking): runs on `cron`, and whenever triggered from the UI or API.

    Default parameters are validated first, so a bad default never reaches the scheduler. A
    deployment-wide concurrency limit of one (ENQUEUE) makes a second trigger wait, shown as
    "AwaitingConcurrencySlot" in the UI, instead of racing the first for the warehouse lock.
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    from flows.pipeline import ingest

    parameters = deployment_parameters(inputs or ["seeds"], warehouse)
    flow = ingest.with_options(timeout_seconds=timeout_minutes * 60 if timeout_minutes > 0 else None)
    flow.serve(
        name=name,
        cron=cron,
        paused=paused,
        parameters=parameters,
        description="Raw news pages in, clean deduplicated Parquet tables out. Parameters: see the form.",
        tags=["newsclean", f"warehouse:{parameters['params']['warehouse']}"],
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        pause_on_shutdown=False,
    )
