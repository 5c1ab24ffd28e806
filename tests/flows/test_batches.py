"""Work units (flows/batches.py) without Prefect: planning, reading and cleaning a batch, reuse."""

from __future__ import annotations

import contextlib
import gzip
import json
import os

import polars as pl

from cleaners.config import Settings
from flows.batches import MIN_UNIT_BYTES, PARTS_PER_WORKER, UNITS_PER_WORKER, plan_batches, process_batch, scan_parts

BODY = [f"Sentence number {i} tells the reader what the harbour council decided about the ferry." for i in range(5)]


def test_plan_batches_spreads_an_inbox_over_the_workers_and_splits_one_big_file(tmp_path):
    small = []
    for i in range(16):
        p = tmp_path / f"f{i:02d}.jsonl"
        p.write_bytes(b"x" * (MIN_UNIT_BYTES // 2))
        small.append(str(p))
    plan = plan_batches(small, Settings(), workers=2)
    assert len(plan) >= 2 * UNITS_PER_WORKER // 2  # both workers get work
    assert sorted(u.path for b in plan for u in b.units) == small  # every file exactly once
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"y" * (MIN_UNIT_BYTES * 16))
    parts = plan_batches([str(big)], Settings(), workers=2)
    assert len(parts) == 2 * PARTS_PER_WORKER and {(u.part, u.parts) for b in parts for u in b.units} == {
        (k, len(parts)) for k in range(len(parts))
    }
    # Ordering weighs a part by its share of the file, a whole file by its size.
    assert parts[0].work == parts[0].size / len(parts) and plan[0].work == plan[0].size
    # The key changes with the file's bytes (a re-run after an edit never reuses old outputs).
    before = parts[0].key
    big.write_bytes(b"z" * (MIN_UNIT_BYTES * 16 + 1))
    assert plan_batches([str(big)], Settings(), workers=2)[0].key != before


def test_process_batch_cleans_skips_known_ids_and_reuses_a_finished_batch(tmp_path):
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"id": "a", "url": "https://harbour.example/a", "text": "\n".join(BODY)},
        {"id": "b", "url": "https://harbour.example/b", "text": "Too short."},
        "not json",
    ]
    feed.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    (batch,) = plan_batches([str(feed)], Settings())
    out = tmp_path / "out"
    summary = process_batch(batch, Settings(), out)
    assert summary.documents == 3 and summary.cleaned == 2 and summary.rejected == 1
    docs = scan_parts([out], "docs").collect()
    assert sorted(docs["source_id"].to_list()) == ["a", "b"]
    assert scan_parts([out], "rejects").collect()["reason"].to_list() == ["invalid_json"]
    assert process_batch(batch, Settings(), out).reused is True
    # Ids an earlier run stored are skipped before any cleaning.
    known = tmp_path / "known.parquet"
    docs.select("doc_id", "source").write_parquet(known)
    again = process_batch(batch, Settings(), tmp_path / "out2", known=known)
    assert again.skipped == 2 and again.cleaned == 0


def test_a_record_repeated_in_a_batch_is_rejected_before_it_is_cleaned(tmp_path):
    feed = tmp_path / "feed.jsonl"
    line = json.dumps({"url": "https://harbour.example/a", "text": "\n".join(BODY)})
    feed.write_text("\n".join([line] * 5 + [json.dumps({"id": "x", "text": "\n".join(BODY)})]) + "\n")
    (batch,) = plan_batches([str(feed)], Settings())
    summary = process_batch(batch, Settings(), tmp_path / "out")
    assert summary.cleaned == 2 and summary.rejected == 4
    rej = scan_parts([tmp_path / "out"], "rejects").collect()
    docs = scan_parts([tmp_path / "out"], "docs").collect()
    assert rej["reason"].unique().to_list() == ["duplicate_record"]
    assert rej["locator"].to_list() == ["line:2", "line:3", "line:4", "line:5"]
    assert set(rej["doc_id"]) == {docs.filter(pl.col("locator") == "line:1")["doc_id"][0]}


def test_a_unit_reports_progress_while_it_runs(tmp_path):
    """The progress file advances during a unit (the flow polls it for the bar and the artifact)."""
    import threading
    import time as _time

    from cleaners.config import Settings
    from flows.batches import PROGRESS_EVERY_DOCS, Batch, Unit, process_batch

    p = tmp_path / "feed.jsonl"
    p.write_text(
        "\n".join(
            json.dumps({"id": i, "text": f"Paragraph {i} about the harbour and the ferry. " * 6})
            for i in range(6 * PROGRESS_EVERY_DOCS)
        )
        + "\n"
    )
    prog = tmp_path / "progress.json"
    seen: list[int] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            with contextlib.suppress(OSError, ValueError):
                seen.append(json.loads(prog.read_text())["documents"])
            _time.sleep(0.005)

    t = threading.Thread(target=watch)
    t.start()
    try:
        summary = process_batch(
            Batch(0, (Unit(str(p), 0, 1, p.stat().st_size),), "k"), Settings(), tmp_path / "out", progress=prog
        )
    finally:
        stop.set()
        t.join()
    final = json.loads(prog.read_text())
    assert final == {"bytes": p.stat().st_size, "documents": summary.documents} and summary.documents == 600
    assert len({n for n in seen if 0 < n < 600}) >= 3  # several updates before the end


def test_a_file_that_inflates_like_a_bomb_is_never_split(tmp_path):
    from flows.batches import plan_batches
    from flows.sources import MAX_SPLIT_RATIO, gzip_ratio

    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\n" * 400_000_000, compresslevel=9))
    text = tmp_path / "feed.jsonl.gz"
    lines = (json.dumps({"id": i, "text": os.urandom(300).hex()}) for i in range(6000))
    text.write_bytes(gzip.compress("\n".join(lines).encode()))
    assert gzip_ratio(str(bomb)) > MAX_SPLIT_RATIO > gzip_ratio(str(text))
    plan = plan_batches([str(bomb), str(text)], Settings(), target_bytes=256 << 10, workers=2)
    parts = {u.path: u.parts for b in plan for u in b.units}
    assert parts[str(bomb)] == 1 and parts[str(text)] > 1
    # A file that would inflate past the budget once per part gets fewer parts.
    limits = {**Settings().to_dict()["limits"], "max_decompressed_bytes": 10 << 20}
    tight = Settings.from_dict({**Settings().to_dict(), "limits": limits})
    plan = plan_batches([str(text)], tight, target_bytes=256 << 10, workers=2)
    (n,) = {u.parts for b in plan for u in b.units}
    inflated = gzip_ratio(str(text)) * text.stat().st_size
    assert n == int((10 << 20) // inflated) >= 2 and n * inflated <= 10 << 20 < (n + 1) * inflated
