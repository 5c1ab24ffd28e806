"""Typed records (cleaners/records.py): one table of reject reasons, checked by the type checker."""

from __future__ import annotations

import subprocess
import sys

from cleaners.records import REASONS, TRANSIENT_REASONS, Reject, RejectReason, Stage, reject_table
from tests.conftest import ROOT


def test_every_reason_has_one_row_and_the_transient_set_comes_from_it():
    assert set(REASONS) == set(RejectReason)
    assert {r.value for r in RejectReason if r.transient} == TRANSIENT_REASONS
    assert {"unreadable", "timeout", "corrupt_file"} <= TRANSIENT_REASONS
    assert "bad_file_name" not in TRANSIENT_REASONS and "too_short" not in TRANSIENT_REASONS
    table = reject_table()
    for r in RejectReason:
        assert f"| `{r.value}` | {r.meaning} | {'yes' if r.transient else ''} |" in table


def test_a_reject_row_holds_the_reason_and_stage_as_their_values():
    r = Reject("/in/a.html", None, "file", Stage.READ, RejectReason.BAD_FILE_NAME, "rename it")
    row = r.row()
    assert row["reason"] == "bad_file_name" and type(row["reason"]) is str
    assert row["stage"] == "read" and row["doc_id"] == r.doc_id and row["raw_hash"] is None


def test_the_type_checker_refuses_a_reason_that_is_not_declared(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from cleaners.records import Reject, RejectReason, Stage\n"
        "ok = Reject('s', None, 'file', Stage.READ, RejectReason.EMPTY)\n"
        "bad = Reject('s', None, 'file', Stage.READ, 'emptyy')\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(probe)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stdout
    errors = [ln for ln in out.stdout.splitlines() if ": error:" in ln]
    assert len(errors) == 1 and "probe.py:3:" in errors[0] and "RejectReason" in errors[0], out.stdout
