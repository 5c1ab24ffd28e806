"""Work units on the runner (flows/units.py): how many workers, how a unit is named, live progress."""

from __future__ import annotations

import json

from flows.batches import Batch, Unit
from flows.params import validate
from flows.units import _live_progress, _unit_label, local_workers


def test_never_more_workers_than_units():
    p = validate({"inputs": ["seeds"], "workers": 4})
    assert local_workers(p, 2) == 2 and local_workers(p, 9) == 4 and local_workers(p, 0) == 1


def test_a_unit_is_named_after_its_first_file_and_part():
    assert _unit_label(Batch(0, (Unit("/in/a.html"), Unit("/in/b.html")), "k")) == "a.html +1 files"
    assert _unit_label(Batch(1, (Unit("/in/big.jsonl", 2, 4, 100),), "k")) == "big.jsonl part 3/4"


def test_live_progress_reads_running_units_files_and_caps_them_at_their_size(tmp_path):
    a, b = Batch(0, (Unit("/a", size=100),), "ka"), Batch(1, (Unit("/b", size=50),), "kb")
    (tmp_path / "0.json").write_text(json.dumps({"bytes": 40, "documents": 3}))
    (tmp_path / "1.json").write_text(json.dumps({"bytes": 999, "documents": 7}))
    assert _live_progress(tmp_path, [a, b]) == (90, 10)
    (tmp_path / "1.json").write_text("{half")  # a file being rewritten is skipped, not fatal
    assert _live_progress(tmp_path, [a, b]) == (40, 3)
