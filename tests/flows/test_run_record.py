"""A run's record (flows/run_record.py): the previous run's counts, the runs row in the contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import polars as pl

from flows.params import validate
from flows.run_record import RunContext, previous_run, run_summary, stage_run_row
from flows.summaries import COUNTS, StagedRun
from flows.warehouse import STAGING, Warehouse


def _staged(n: int) -> StagedRun:
    return StagedRun(
        n_documents=n, n_skipped=0, n_articles=n - 1, n_duplicates=0, n_clusters=n - 1, n_rejects=1,
        n_removed_lines=2, n_bad_dates=0, n_relabelled=0, bad_dates=[], dedup={}, timings={"load": 0.1},
        reject_reasons={"too_short": 1}, rules={}, cluster_sizes={}, sites=[], largest_clusters=[],
    )  # fmt: skip


def test_a_committed_runs_row_is_the_next_runs_previous(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    assert previous_run(wh) is None
    ctx = RunContext("r1", str(wh.root), datetime.now(UTC), 0.0, None, None, 4, 0, 1, 3, [])
    summary = run_summary(ctx, _staged(10), 2, 1, units_skipped=2, timings={"clean": 1.0}, seconds=3.2, previous=None)
    assert summary.n_documents == 15 and summary.n_skipped == 5  # records skipped by units and by the manifest
    assert summary.timings == {"clean": 1.0, "load": 0.1}
    params = validate({"inputs": [str(tmp_path)], "warehouse": str(wh.root)})
    stage_run_row(wh, summary, ctx, params.settings(), params)
    row = pl.read_parquet(wh.root / STAGING / "r1" / "runs" / "*.parquet").row(0, named=True)
    assert {k: row[k] for k in COUNTS} == summary.counts()
    wh.commit("r1", summary.to_dict())
    prev = previous_run(wh)
    assert prev is not None and prev.run_id == "r1" and prev.counts == summary.counts()


def _logger():
    class Log:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def warning(self, fmt: str, *args: object) -> None:
            self.lines.append(fmt % args)

    return Log()


def test_a_failed_run_is_a_runs_row_with_its_error_and_publishes_nothing_it_staged(tmp_path):
    from flows.run_record import record_failure

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    params = validate({"inputs": [str(tmp_path)], "warehouse": str(wh.root)})
    ctx = RunContext("20261203T100000Z-aaaaaa", str(wh.root), datetime.now(UTC), 0.0, "fr-1", "hourly", 1, 0, 0, 0, [])
    wh.stage(ctx.run_id, "rejects", pl.DataFrame(schema=pl.Schema(wh.scan("rejects").collect_schema())))
    record_failure(wh, ctx, params, RuntimeError("disk\non fire"), _logger())
    runs = wh.read("runs")
    assert runs.select("run_id", "status", "error", "n_articles", "deployment").rows() == [
        (ctx.run_id, "failed", "RuntimeError: disk on fire", 0, "hourly")
    ]
    assert not (wh.root / STAGING / ctx.run_id).exists()
    assert previous_run(wh) is None  # a failed run is nobody's previous run


def test_a_failed_run_that_cannot_record_itself_only_warns(tmp_path):
    from flows.run_record import record_failure

    log = _logger()
    wh = Warehouse(tmp_path / "not-a-warehouse")  # never created: the lock cannot be taken
    params = validate({"inputs": [str(tmp_path)], "warehouse": str(tmp_path / "x")})
    ctx = RunContext("20261203T100000Z-bbbbbb", str(wh.root), datetime.now(UTC), 0.0, None, None, 0, 0, 0, 0, [])
    record_failure(wh, ctx, params, ValueError("bad"), log)
    assert log.lines and log.lines[0].startswith("could not record the failed run")


def test_crashed_rows_take_their_start_from_the_run_id():
    from flows.run_record import crashed_rows

    rows = crashed_rows(["20261203T090000Z-cccccc", "not-a-run", "20261203T100000Z-reclean-dddddd"], found_by="r9")
    assert rows.height == 2 and rows["status"][0] == "crashed" and "found by run r9" in rows["error"][0]
    assert rows["started_at"][0] == datetime(2026, 12, 3, 9, tzinfo=UTC)
    assert rows["kind"].to_list() == ["ingest", "reclean"]  # a killed re-clean is recorded as one


def test_runs_are_listed_since_a_run_or_a_time_failed_only_or_with_changes(tmp_path):
    import pytest

    from flows.run_record import RunFilter, crashed_rows, list_runs

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    for k, new in ((1, 5), (2, 0), (3, 2)):
        run_id = f"2026120{k}T000000Z-00000{k}"
        ctx = RunContext(run_id, str(wh.root), datetime(2026, 12, k, tzinfo=UTC), 0.0, None, None, 1, 0, 0, 0, [])
        staged = _staged(new + 1) if new else replace(_staged(1), n_documents=0, n_articles=0, n_rejects=0)
        summary = run_summary(ctx, staged, 1, 1, units_skipped=0, timings={}, seconds=1.0, previous=None)
        params = validate({"inputs": [str(tmp_path)], "warehouse": str(wh.root)})
        stage_run_row(wh, summary, ctx, params.settings(), params)
        if k == 3:
            wh.stage(run_id, "runs", crashed_rows(["20261202T120000Z-dddddd"], run_id), part=1)
        wh.commit(run_id, summary.to_dict())
    every = list_runs(wh, RunFilter.parse(None))
    assert every["run_id"].to_list() == [
        "20261201T000000Z-000001", "20261202T000000Z-000002", "20261202T120000Z-dddddd", "20261203T000000Z-000003",
    ]  # fmt: skip
    assert list_runs(wh, RunFilter.parse("20261202T120000Z-dddddd"))["run_id"].to_list()[0] == "20261202T120000Z-dddddd"
    assert list_runs(wh, RunFilter.parse("2026-12-02T06:00")).height == 2
    assert list_runs(wh, RunFilter.parse(None, failed=True))["status"].to_list() == ["crashed"]
    assert "20261202T000000Z-000002" not in list_runs(wh, RunFilter.parse(None, changes=True))["run_id"].to_list()
    with pytest.raises(ValueError, match="--since takes a run id or an ISO time"):
        RunFilter.parse("yesterday")
    with pytest.raises(ValueError, match="no run 20991201T000000Z-ffffff"):
        list_runs(wh, RunFilter.parse("20991201T000000Z-ffffff"))
