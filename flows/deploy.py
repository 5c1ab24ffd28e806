"""Serve the `ingest` flow as a deployment with a configurable, pausable cron schedule.

Everything a served run needs is checked before anything is registered (`check_serve`): a
configured and answering Prefect server, a valid cron and time zone, and run parameters that
pass the same validation and preflight as `newsclean run`. Each problem is one line naming the
fix.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from flows.automations import Notify
from flows.params import ParameterError, preflight, validate

DEFAULT_CRON = "0 * * * *"
DEFAULT_TIMEOUT_MINUTES = 55.0
"""Under the hourly schedule: a hung run fails (and frees the warehouse) before the next one is due."""
HEALTH_SECONDS = 5.0
POLL_SECONDS = 5.0
"""How often the served runner asks the server for due runs, at most (Prefect's default is 10 s;
PREFECT_RUNNER_POLL_FREQUENCY set lower wins)."""


class ServeError(ValueError):
    """Why `newsclean serve` cannot start, in one line that names the fix."""


@dataclass(frozen=True)
class Served:
    """A checked deployment: its name, schedule and the default parameters of its runs."""

    name: str
    cron: str
    timezone: str
    parameters: dict[str, Any]
    api_url: str


def deployment_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """The served defaults: every run parameter given (else the model's default), validated,
    with absolute paths (runs start in another directory)."""
    params = validate({"inputs": ["seeds"], **given})
    problems = preflight(params)
    if problems:
        raise ParameterError("; ".join(problems))
    data = params.model_dump()
    data.update(inputs=[os.path.abspath(p) for p in params.inputs], warehouse=os.path.abspath(params.warehouse))
    return {"params": data}


def check_server() -> str:
    """The configured Prefect API address, once its health check answers; else ServeError."""
    url = os.environ.get("PREFECT_API_URL", "")
    if not url:
        from prefect.settings import PREFECT_API_URL

        url = str(PREFECT_API_URL.value() or "")
    if not url:
        raise ServeError(
            "no Prefect server configured: schedules need one that keeps running; start it with "
            "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=HEALTH_SECONDS) as resp:
            if resp.status == 200 and json.loads(resp.read() or b"true") is not False:
                return url
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise ServeError(
            f"the Prefect server at {url} does not answer ({reason}); start it with `prefect server start` "
            "or set PREFECT_API_URL to the server's address"
        ) from None
    raise ServeError(f"the Prefect server at {url} is not healthy; restart it")


def check_serve(name: str, cron: str, timezone: str, given: dict[str, Any]) -> Served:
    """A deployment ready to serve, or ServeError naming the first thing to fix."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as e:
        what = "time zone" if "timezone" in str(e) else "cron schedule"
        value = timezone if what == "time zone" else cron
        raise ServeError(
            f"invalid {what} {value!r}: give five fields like '0 * * * *' (hourly) and an IANA zone like "
            "'Europe/Amsterdam'"
        ) from None
    try:
        parameters = deployment_parameters(given)
    except ParameterError as e:
        raise ServeError(str(e)) from None
    api_url = check_server()
    return Served(name, cron, timezone, parameters, api_url)


def _add_deployments(runner: Any, served: Served, paused: bool, timeout_minutes: float) -> UUID:
    """`ingest/NAME` on the cron and `reclean/NAME` by hand, one run at a time each; the ingest id."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.pipeline import ingest, reclean_stored

    warehouse = served.parameters["params"]["warehouse"]
    one = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    deployment_id = runner.add_flow(
        ingest.with_options(timeout_seconds=timeout_minutes * 60 if timeout_minutes > 0 else None),
        name=served.name,
        schedule=Cron(served.cron, timezone=served.timezone),
        paused=paused,
        parameters=served.parameters,
        description="Raw news pages in, clean deduplicated Parquet tables out. Parameters: see the form.",
        tags=["newsclean", f"warehouse:{warehouse}"],
        concurrency_limit=one,
    )
    runner.add_flow(
        reclean_stored,
        name=served.name,
        parameters=served.parameters,
        description="Derive every stored document again from the raw store with the form's settings "
        "(after an upgrade or a settings change). Triggered by hand; holds the warehouse lock while it works.",
        tags=["newsclean", "reclean", f"warehouse:{warehouse}"],
        concurrency_limit=one,
    )
    return cast(UUID, deployment_id)


def serve(
    served: Served,
    paused: bool = False,
    timeout_minutes: float = DEFAULT_TIMEOUT_MINUTES,
    notify: Notify | None = None,
    log: Callable[[str], None] = print,
) -> None:
    """Serve `ingest` (blocking): runs on the cron, and whenever triggered from the UI or API;
    beside it `reclean` (same name and defaults, no schedule), triggered by hand.

    A deployment-wide concurrency limit of one (ENQUEUE) makes a second trigger wait, shown as
    "AwaitingConcurrencySlot" in the UI, instead of racing the first for the warehouse lock;
    the catch-up keeper (`flows.catchup`) starts it as soon as the slot frees and collapses runs
    missed during an outage into one. With `notify`, the alert automations are installed first.
    """
    import asyncio

    from prefect.runner import Runner

    from flows.automations import Target, install, ui_base
    from flows.catchup import Keeper

    warehouse = served.parameters["params"]["warehouse"]
    from prefect.settings import PREFECT_RUNNER_POLL_FREQUENCY

    poll = min(POLL_SECONDS, float(PREFECT_RUNNER_POLL_FREQUENCY.value()))
    runner = Runner(name=served.name, pause_on_shutdown=False, query_seconds=poll)
    deployment_id = _add_deployments(runner, served, paused, timeout_minutes)
    if notify is not None:
        target = Target(
            deployment_id, served.name, warehouse, ui_base(served.api_url, os.environ.get("PREFECT_UI_URL"))
        )
        names = install(target, notify)
        log(f"alerts to {notify.url}: {', '.join(names)}")
    keeper = Keeper(deployment_id, log=log)
    keeper.tick()  # before polling: runs missed while serve was down collapse into one
    keeper.start()
    log(f"serving ingest/{served.name} on '{served.cron}' ({served.timezone}) and reclean/{served.name} -> {warehouse}")
    try:
        asyncio.run(runner.start())
    finally:
        keeper.stop()
