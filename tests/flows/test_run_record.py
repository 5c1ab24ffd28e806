"""A run's record (flows/run_record.py): the previous run's counts, the runs row in the contract."""

from __future__ import annotations

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
