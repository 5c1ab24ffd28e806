"""Alerts out of the box: the Prefect automations `newsclean serve --notify URL` installs.

One webhook notification block (Prefect's Custom Webhook: Slack, Teams and generic receivers
all take a POSTed JSON `text`) and three automations on the served deployment:

- **failed run**: a run of the deployment ends Failed, Crashed or TimedOut;
- **serve not ready**: the deployment turned NOT_READY (nothing polls for its runs: `serve`
  died or lost the server) and stayed so for `not_ready_minutes`;
- **run alert**: a run emitted a `newsclean.alert.*` event (`flows.alerts`: rejects above a
  share, a site gone silent, an idle inbox).

Each message names the warehouse, the deployment, the run and the reason, with a link to the run
in the UI. Installing again replaces the automations of the same deployment (by name), so a
restarted `serve` never doubles them.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, cast
from uuid import UUID

if TYPE_CHECKING:
    from prefect.automations import Automation

NOT_READY_MINUTES = 5.0
"""Default minutes a deployment may stay NOT_READY before the alert (a restart takes less)."""
NOT_READY_RANGE = (0.0, 1440.0)


@dataclass(frozen=True)
class Notify:
    """Where alerts go and how patient the not-ready alert is."""

    url: str
    not_ready_minutes: float = NOT_READY_MINUTES

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"--notify needs an http(s) webhook URL like https://hooks.slack.com/..., got {self.url!r}"
            )
        lo, hi = NOT_READY_RANGE
        if not lo <= self.not_ready_minutes <= hi:
            raise ValueError(f"--not-ready-minutes must be in [{lo:g}, {hi:g}], got {self.not_ready_minutes:g}")


@dataclass(frozen=True)
class Target:
    """The served deployment the automations watch."""

    deployment_id: UUID
    name: str
    warehouse: str
    ui_url: str

    def run_link(self) -> str:
        """A Jinja expression for the link to the triggering flow run in the UI."""
        return f"{self.ui_url.rstrip('/')}/runs/flow-run/{{{{ flow_run.id }}}}"


def ui_base(api_url: str, explicit: str | None = None) -> str:
    """The UI's address: `explicit` (PREFECT_UI_URL as the operator set it), else the API's
    address without `/api`."""
    return explicit.rstrip("/") if explicit else re.sub(r"/api/?$", "", api_url.rstrip("/"))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "ingest"


def install(target: Target, notify: Notify) -> list[str]:
    """Save the webhook block and (re)create the three automations; returns their names."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(
        name=f"newsclean {target.name}",
        url=notify.url,
        json_data={"text": "{{subject}}\n{{body}}", "subject": "{{subject}}", "body": "{{body}}"},
        headers=None,
        cookies=None,
    )
    block_id = cast(UUID, block.save(f"newsclean-{_slug(target.name)}", overwrite=True))
    names = []
    for automation in _automations(target, notify, block_id):
        _delete_named(automation.name)
        automation.create()
        names.append(automation.name)
    return names


def _delete_named(name: str) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        for existing in client.read_automations_by_name(name):
            client.delete_automation(existing.id)


def _automations(target: Target, notify: Notify, block_id: UUID) -> list[Automation]:
    """The three automations, as Prefect models (not yet created)."""
    return [_failed_run(target, block_id), _not_ready(target, notify, block_id), _run_alert(target, block_id)]


def _where(target: Target) -> str:
    return f"warehouse {target.warehouse}, deployment {target.name}"


def _failed_run(target: Target, block_id: UUID) -> Automation:
    from prefect.automations import Automation, EventTrigger, Posture, SendNotification

    return Automation(
        name=f"newsclean {target.name}: failed run",
        description="A run of the served ingest deployment failed, crashed or timed out.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"},
            match_related={"prefect.resource.id": f"prefect.deployment.{target.deployment_id}"},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject=f"newsclean: run {{{{ flow_run.name }}}} {{{{ flow_run.state.name }}}} ({target.name})",
                body=(
                    f"{_where(target)}: run {{{{ flow_run.name }}}} ended {{{{ flow_run.state.name }}}}: "
                    f"{{{{ flow_run.state.message }}}} {target.run_link()}"
                ),
            )
        ],
    )


def _not_ready(target: Target, notify: Notify, block_id: UUID) -> Automation:
    from prefect.automations import Automation, EventTrigger, Posture, SendNotification

    dep = f"prefect.deployment.{target.deployment_id}"
    minutes = notify.not_ready_minutes
    if minutes > 0:  # NOT_READY and no READY again within the minutes
        trigger = EventTrigger(
            after={"prefect.deployment.not-ready"},
            expect={"prefect.deployment.ready"},
            match={"prefect.resource.id": dep},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(minutes=minutes),
        )
    else:
        trigger = EventTrigger(
            expect={"prefect.deployment.not-ready"}, match={"prefect.resource.id": dep}, posture=Posture.Reactive
        )
    return Automation(
        name=f"newsclean {target.name}: serve not ready",
        description="Nothing has polled the served deployment for its runs: `newsclean serve` is down.",
        trigger=trigger,
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject=f"newsclean: serve of {target.name} is not running",
                body=(
                    f"{_where(target)}: the deployment has been NOT_READY for {minutes:g} minutes: no `newsclean "
                    "serve` polls for its runs, so scheduled runs turn Late. Restart `newsclean serve` (see the "
                    f"runbook). {target.ui_url.rstrip('/')}/deployments/deployment/{target.deployment_id}"
                ),
            )
        ],
    )


def _run_alert(target: Target, block_id: UUID) -> Automation:
    from prefect.automations import Automation, EventTrigger, Posture, SendNotification

    return Automation(
        name=f"newsclean {target.name}: run alert",
        description="A run of the warehouse raised a newsclean alert (rejects, silent site, idle inbox).",
        trigger=EventTrigger(
            expect={"newsclean.alert.*"},
            match={"prefect.resource.id": f"newsclean.warehouse.{target.warehouse}"},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject=f"newsclean: {{{{ event.payload.kind }}}} ({target.name})",
                body=f"{{{{ event.payload.message }}}} (deployment {target.name}) {target.run_link()}",
            )
        ],
    )


def install_for(deployment: str, notify: Notify, api_url: str, ui_url: str | None = None) -> list[str]:
    """Install the alerts for an existing deployment (`ingest/NAME`, e.g. made by `prefect deploy`
    from prefect.yaml); its warehouse is read from the deployment's default parameters."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    full = deployment if "/" in deployment else f"ingest/{deployment}"
    with get_client(sync_client=True) as client:
        try:
            dep = client.read_deployment_by_name(full)
        except ObjectNotFound:
            raise ValueError(f"no deployment {full} on the server at {api_url} (see `prefect deployment ls`)") from None
    warehouse = ((dep.parameters or {}).get("params") or {}).get("warehouse")
    if not warehouse:
        raise ValueError(f"deployment {full} has no default `params.warehouse`: give its runs a warehouse first")
    target = Target(dep.id, dep.name, str(warehouse), ui_base(api_url, ui_url))
    return install(target, notify)
