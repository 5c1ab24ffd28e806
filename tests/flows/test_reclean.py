"""The re-clean (flows/reclean.py) on real batches and commits, without Prefect.

The invariant: re-cleaning a warehouse with settings S gives the same articles, duplicates,
removed lines, rejects, band index and site lines (every column but run ids and timestamps) as
one fresh ingest of the same inputs with S, whatever runs and settings stored them first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from flows.batches import plan_batches, process_batch
from flows.finalize import finalize
from flows.maintenance import drop_run
from flows.params import IngestParams
from flows.reclean import DERIVED, reclean
from flows.warehouse import Warehouse
from tests.warehouse_rows import no_name_reused, plain_row

PROMO = "Subscribe to our newsletter for free updates."
TAG = "Independent reporting from the waterfront since 1898."


def _story(topic: str) -> str:
    return "\n".join(f"The {topic} board met on day {i} to agree the {topic} budget for season {i}." for i in range(6))


def _ingest(wh: Warehouse, run_id: str, files: list[str], params: IngestParams) -> None:
    settings = params.settings()
    wh.scratch(run_id)
    dirs = []
    for b in plan_batches(files, settings):
        process_batch(b, settings, wh.batch_dir(b.key))
        dirs.append(wh.batch_dir(b.key))
    finalize(wh, dirs, settings, run_id, keep_raw=params.keep_raw)
    wh.stage(run_id, "runs", pl.DataFrame([plain_row("runs", run_id=run_id)]))
    wh.commit(run_id, {"run_id": run_id})


def _inputs(tmp_path: Path) -> tuple[list[str], list[str]]:
    """Two feeds of one site (its tagline on every page), a wire copy, a short page, a broken line."""
    d = tmp_path / "in"
    d.mkdir()
    first = [
        {"id": f"h{i}", "url": f"https://harbour.example/{t}", "text": f"{_story(t)}\n{PROMO * (i == 0)}\n{TAG}"}
        for i, t in enumerate(["ferry", "fish", "budget"])
    ]
    second = [
        {"id": "h3", "url": "https://harbour.example/pilots", "text": f"{_story('pilots')}\n{TAG}"},
        {"id": "wire", "url": "https://other.example/ferry", "text": _story("ferry")},
        {"id": "short", "url": "https://harbour.example/x", "text": f"Too short.\n{PROMO}"},
    ]
    a, b = d / "a.jsonl", d / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in first))
    b.write_text("".join(json.dumps(r) + "\n" for r in second) + "{not json\n")
    return [str(a)], [str(b)]


def _tables(wh: Warehouse) -> dict[str, list]:
    out = {}
    for table in DERIVED:
        df = wh.read(table).drop("run_id", "ingested_at", strict=False)
        out[table] = sorted(df.rows(), key=repr)
    return out


def test_reclean_gives_what_a_fresh_ingest_with_the_new_settings_gives(tmp_path):
    a, b = _inputs(tmp_path)
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    old = IngestParams(warehouse=str(wh.root))
    _ingest(wh, "r1", a, old)
    _ingest(wh, "r2", b, old)
    assert not wh.read("articles")["text"].str.contains(PROMO, literal=True).any()

    new = IngestParams(warehouse=str(wh.root), disabled_rules=["subscribe"], min_words=3)
    before = Path(os.path.realpath(wh.root / "current"))
    done = reclean(wh, new, log=lambda _: None)
    fresh = Warehouse(tmp_path / "fresh")
    fresh.ensure_root()
    _ingest(fresh, "f1", a + b, IngestParams(warehouse=str(fresh.root), disabled_rules=["subscribe"], min_words=3))

    assert _tables(wh) == _tables(fresh)
    arts = wh.read("articles")
    promo = arts.filter(pl.col("text").str.contains(PROMO, literal=True))
    assert sorted(promo["source_id"]) == ["h0", "short"]  # the rule is off; "short" is long enough now
    assert not arts["text"].str.contains(TAG, literal=True).any()  # site lines learned again, across both runs
    assert done.n_records == 6 and done.n_changed == 2
    assert set(arts["run_id"]) == {"r1", "r2"}  # rows keep the run that ingested their document
    runs = wh.read("runs")
    assert runs.filter(pl.col("run_id") == done.run_id)["kind"].to_list() == ["reclean"]
    assert wh.read("rejects").filter(pl.col("reason") == "invalid_json").height == 1  # kept as it was
    no_name_reused(before, Path(os.path.realpath(wh.root / "current")))  # the old snapshot keeps its files


def test_reclean_with_unchanged_settings_changes_no_row_and_a_run_can_still_be_dropped(tmp_path):
    a, b = _inputs(tmp_path)
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    params = IngestParams(warehouse=str(wh.root))
    _ingest(wh, "r1", a + b, params)
    before = _tables(wh)
    done = reclean(wh, params, log=lambda _: None)
    assert done.n_changed == 0 and _tables(wh) == before
    drop_run(wh, "r1")
    assert wh.read("articles").height == 0 and wh.read("raw_records").height == 0


def test_a_run_counts_the_stored_articles_of_other_settings_until_a_reclean_renews_them(tmp_path):
    from flows.reclean import stale_articles
    from flows.run_record import cleaner_version

    a, b = _inputs(tmp_path)
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    _ingest(wh, "r1", a + b, IngestParams(warehouse=str(wh.root)))
    new = IngestParams(warehouse=str(wh.root), min_words=3)
    current = (new.settings().fingerprint(), cleaner_version())
    n = wh.read("articles").height
    assert stale_articles(wh, *current) == n  # cleaned with the old min_words
    assert stale_articles(wh, IngestParams().settings().fingerprint(), cleaner_version()) == 0
    assert stale_articles(wh, current[0], "other code") == n
    reclean(wh, new, log=lambda _: None)
    assert stale_articles(wh, *current) == 0
    assert set(wh.read("articles")["settings_fingerprint"]) == {current[0]}


def test_rows_without_a_raw_page_are_kept_as_they_are(tmp_path):
    a, b = _inputs(tmp_path)
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    _ingest(wh, "r1", a, IngestParams(warehouse=str(wh.root), keep_raw=False))
    _ingest(wh, "r2", b, IngestParams(warehouse=str(wh.root)))
    kept = wh.read("articles").filter(pl.col("run_id") == "r1").sort("doc_id")
    lines = []
    done = reclean(
        wh, IngestParams(warehouse=str(wh.root), min_words=3, disabled_rules=["subscribe"]), log=lines.append
    )
    assert done.n_records == 3  # r2's records: r1 kept no raw pages
    after = wh.read("articles")
    assert after.filter(pl.col("run_id") == "r1").sort("doc_id").equals(kept)  # untouched, nothing lost
    assert after.filter(pl.col("source_id") == "short").height == 1  # r2's short page is an article now
    assert any("have no raw page" in line and "kept as they are" in line for line in lines)


def test_two_workers_give_the_tables_one_worker_gives(tmp_path):
    feed = tmp_path / "in" / "many.jsonl"
    feed.parent.mkdir()
    topics = [f"topic{i}" for i in range(120)]
    feed.write_text(
        "".join(
            json.dumps({"id": t, "url": f"https://site{i % 3}.example/{t}", "text": _story(t) + f"\n{TAG}"}) + "\n"
            for i, t in enumerate(topics)
        )
    )
    out = {}
    for workers in (1, 2):
        wh = Warehouse(tmp_path / f"wh{workers}")
        wh.ensure_root()
        _ingest(wh, "r1", [str(feed)], IngestParams(warehouse=str(wh.root)))
        reclean(wh, IngestParams(warehouse=str(wh.root), workers=workers, min_words=5), log=lambda _: None)
        out[workers] = _tables(wh)
    assert out[1] == out[2] and len(out[2]["articles"]) == 120
