"""What a run says to Prefect (flows/prefect_io.py): run ids that sort by time and name flow runs."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.prefect_io import RUN_PREFIX, flow_run_name, new_run_id, run_id_of_flow_run


def test_run_ids_sort_by_start_time_and_flow_runs_are_named_after_them():
    early = new_run_id(datetime(2026, 1, 1, 8, 0, tzinfo=UTC))
    late = new_run_id(datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    assert early.startswith("20260101T080000Z-") and early < late
    assert flow_run_name().startswith(RUN_PREFIX) and len(flow_run_name()) == len(RUN_PREFIX) + len(early)
    assert new_run_id() != new_run_id()  # the random suffix tells runs of one second apart


def test_outside_a_flow_run_a_fresh_run_id_is_made():
    rid = run_id_of_flow_run()
    assert len(rid) == len(new_run_id()) and rid[8] == "T"
