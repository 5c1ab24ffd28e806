"""Catch-up plan (flows/catchup.py): missed scheduled runs collapse into the newest, waiting runs wake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from flows.catchup import AWAITING, DueRun, plan, reason

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _run(minutes_ago: float, state: str = "SCHEDULED", name: str = "Late", auto: bool = True) -> DueRun:
    return DueRun(uuid4(), f"run-{minutes_ago}", state, name, NOW - timedelta(minutes=minutes_ago), auto)


def test_missed_auto_runs_collapse_into_the_newest():
    runs = [_run(m) for m in (17, 5, 1, 9)]
    todo = plan(runs, NOW)
    assert todo.kept == runs[2]
    assert sorted(r.id for r in todo.cancel) == sorted(r.id for r in (runs[0], runs[1], runs[3]))
    assert str(todo.kept.id) in reason(todo.kept) and "2026-12-03 13:59:00 UTC" in reason(todo.kept)


def test_runs_triggered_by_hand_and_future_runs_are_never_cancelled():
    manual = _run(3, auto=False)
    future = _run(-30, name="Scheduled")
    late = [_run(4), _run(2)]
    todo = plan([manual, future, *late], NOW)
    assert todo.cancel == [late[0]] and todo.kept == late[1]
    assert plan([manual, future], NOW).cancel == []


def test_a_waiting_run_wakes_only_when_no_run_holds_the_slot():
    waiting = _run(-0.5, name=AWAITING, auto=False)  # Prefect retries it 30 s on
    assert plan([waiting], NOW).wake == [waiting]
    busy = _run(2, state="RUNNING", name="Running")
    assert plan([waiting, busy], NOW).wake == []


def test_during_a_long_run_one_due_run_stays_queued():
    running = _run(180, state="RUNNING", name="Running")
    queued = [_run(120, name=AWAITING), _run(60, name=AWAITING), _run(0.2)]
    todo = plan([running, *queued], NOW)
    assert todo.kept == queued[2] and set(todo.cancel) == set(queued[:2]) and todo.wake == []
