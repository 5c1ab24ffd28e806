"""Typed summaries (flows/summaries.py): a batch's survives its done marker, a run's counts in one order."""

from __future__ import annotations

import json

from flows.manifest import FilePart
from flows.summaries import COUNTS, BatchSummary


def test_a_batch_summary_round_trips_through_its_done_marker_as_reused(tmp_path):
    s = BatchSummary(3, "k", 2, 2, 10, 1, 8, 1, {"empty": 1}, 4, (FilePart("/in/a", 0, 1, 5, 0),), 0.5)
    path = tmp_path / "_SUCCESS.json"
    path.write_text(json.dumps(s.data()))
    back = BatchSummary.read(path)
    assert back.reused and not s.reused
    assert back.file_parts == s.file_parts and back.reject_reasons == s.reject_reasons
    assert (back.documents, back.cleaned, back.rejected) == (10, 8, 1)


def test_the_counts_are_the_runs_table_columns():
    from cleaners.schema import TABLES

    assert set(COUNTS) <= set(TABLES["runs"].names)
