"""No catch-up storms: missed scheduled runs collapse into one, queued runs start when the slot frees.

While `serve` is down, Prefect's scheduler keeps creating the deployment's runs and they turn
Late; on restart the runner would execute every one of them in turn, each a full run that
finds the work of the one before already done, and the next real run starts late. A newsclean
run always reads everything new since the last one, so one run does the work of all missed
ones. `serve` therefore looks at the deployment's due runs before it starts polling, and every
few seconds after (`Keeper`):

- of the auto-scheduled runs that are due (Late, or waiting for the concurrency slot), the
  newest is kept and the others end Cancelled with a one-line reason; runs someone triggered by
  hand are never cancelled;
- when no run is Pending or Running, a run waiting for the deployment's concurrency slot (which
  Prefect's server retries only every 30 s) is made due now, so it starts within a poll.

`plan` is the decision, on plain records; `Keeper` applies it through the Prefect client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

KEEP_SECONDS = 3.0
"""How often `serve` looks at its deployment's due runs."""
AWAITING = "AwaitingConcurrencySlot"


@dataclass(frozen=True)
class DueRun:
    """A run of the deployment as the plan reads it."""

    id: UUID
    name: str
    state_type: str  # SCHEDULED, PENDING, RUNNING
    state_name: str
    expected_start: datetime
    auto_scheduled: bool


@dataclass(frozen=True)
class Plan:
    """What to do now: runs to cancel (with the run kept for them) and runs to start now."""

    cancel: list[DueRun]
    kept: DueRun | None
    wake: list[DueRun]


def plan(runs: list[DueRun], now: datetime) -> Plan:
    """Keep the newest due auto-scheduled run, cancel the older ones; wake a waiting run when idle."""
    active = any(r.state_type in ("PENDING", "RUNNING") for r in runs)
    waiting = [r for r in runs if r.state_type == "SCHEDULED"]
    due_auto = sorted(
        (r for r in waiting if r.auto_scheduled and (r.expected_start <= now or r.state_name == AWAITING)),
        key=lambda r: r.expected_start,
    )
    kept = due_auto[-1] if due_auto else None
    cancel = due_auto[:-1]
    wake: list[DueRun] = []
    if not active:
        queued = [r for r in waiting if r.state_name == AWAITING and r not in cancel]
        wake = sorted(queued, key=lambda r: r.expected_start)[:1]
    return Plan(cancel, kept, wake)


def reason(kept: DueRun) -> str:
    """The one line a cancelled missed run ends with."""
    return (
        f"missed while serve was down or busy: the run due at {kept.expected_start:%Y-%m-%d %H:%M:%S %Z} "
        f"(flow run {kept.id}) catches up for it "
        "(each run reads everything new since the last one)"
    )


class Keeper:
    """Applies `plan` to one deployment's runs, once (`tick`) or every KEEP_SECONDS in a thread."""

    def __init__(self, deployment_id: UUID, log: Any = None) -> None:
        self.deployment_id = deployment_id
        self.log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _runs(self, client: Any) -> list[DueRun]:
        from prefect.client.schemas.filters import (
            FlowRunFilter,
            FlowRunFilterDeploymentId,
            FlowRunFilterNextScheduledStartTime,
            FlowRunFilterState,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType

        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[self.deployment_id]),
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING])
                ),
                # due runs and runs waiting for the slot (retried 30 s on), not the schedule's future
                next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(
                    before_=datetime.now(UTC) + timedelta(minutes=5)  # type: ignore[arg-type]
                ),
            ),
            limit=200,
        )
        return [
            DueRun(
                r.id,
                r.name,
                r.state.type.value,
                r.state.name or "",
                (r.next_scheduled_start_time or r.expected_start_time or datetime.now(UTC)),
                bool(r.auto_scheduled),
            )
            for r in runs
            if r.state is not None
        ]

    def tick(self) -> Plan:
        """Look once and act: cancel the superseded missed runs, wake a waiting run."""
        from prefect.client.orchestration import get_client
        from prefect.states import Cancelled, Scheduled

        now = datetime.now(UTC)
        with get_client(sync_client=True) as client:
            todo = plan(self._runs(client), now)
            for run in todo.cancel:
                assert todo.kept is not None
                client.set_flow_run_state(run.id, Cancelled(message=reason(todo.kept)))
            for run in todo.wake:
                client.set_flow_run_state(run.id, Scheduled(scheduled_time=now, name="Scheduled"), force=True)
        if todo.cancel and todo.kept and self.log:
            self.log(f"{len(todo.cancel)} missed scheduled runs cancelled: {todo.kept.name} catches up for them")
        return todo

    def _loop(self) -> None:
        while not self._stop.wait(KEEP_SECONDS):
            try:
                self.tick()
            except Exception as e:  # the server may be restarting; the next tick tries again
                if self.log:
                    self.log(f"catch-up check failed ({type(e).__name__}: {e}); trying again")

    def start(self) -> None:
        """Keep looking in a daemon thread until `stop`."""
        self._thread = threading.Thread(target=self._loop, name="newsclean-catchup", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
