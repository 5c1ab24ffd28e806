"""The raw store (flows/raw_store.py) on real batches and commits, without Prefect: every stored
document can be rebuilt exactly, its content is stored once, dropping a run keeps others' pages."""

from __future__ import annotations

import json

import polars as pl

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.records import CleanDoc
from flows.batches import plan_batches, process_batch
from flows.finalize import finalize
from flows.maintenance import drop_run
from flows.raw_store import read_raw
from flows.sources import read_file
from flows.warehouse import Warehouse
from tests.warehouse_rows import plain_row


def _story(topic: str) -> str:
    return "\n".join(f"The {topic} board met on day {i} to agree the {topic} budget for season {i}." for i in range(6))


def _html(topic: str) -> bytes:
    paras = "".join(f"<p>{line}</p>" for line in _story(topic).splitlines())
    return f"<html><head><title>{topic}</title></head><body><article>{paras}</article></body></html>".encode()


def _run(wh: Warehouse, run_id: str, files: list[str], keep_raw: bool = True):
    wh.scratch(run_id)
    dirs = []
    for b in plan_batches(files, Settings()):
        process_batch(b, Settings(), wh.batch_dir(b.key))
        dirs.append(wh.batch_dir(b.key))
    staged = finalize(wh, dirs, Settings(), run_id, keep_raw=keep_raw)
    wh.stage(run_id, "runs", pl.DataFrame([plain_row("runs", run_id=run_id)]))
    wh.commit(run_id, {"run_id": run_id})
    return staged


def _inputs(tmp_path):
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    rows = [
        {"id": "p1", "url": "https://harbour.example/ferry", "html": _html("ferry").decode(), "title": "Ferry"},
        {"id": 7, "url": "https://harbour.example/fish", "text": _story("fish"), "published_at": "2024-05-01"},
        {"id": "short", "url": "https://harbour.example/x", "text": "Too short."},  # a reject is kept too
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    page = tmp_path / "in" / "pilots.html"
    page.write_bytes(_html("pilots"))
    note = tmp_path / "in" / "budget.txt"
    note.write_text(_story("budget"), encoding="utf-8")
    return [str(feed), str(page), str(note)]


def test_every_stored_document_is_rebuilt_exactly_and_cleans_to_its_stored_article(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    files = _inputs(tmp_path)
    staged = _run(wh, "r1", files)
    arts, rejects = wh.read("articles"), wh.read("rejects")
    assert (arts.height, rejects.height) == (4, 1)
    assert staged.raw is not None and (staged.raw.records, staged.raw.pages) == (5, 5)
    originals = {d.doc_id: d for f in files for d in read_file(f, Settings().limits)}
    rebuilt = {d.doc_id: d for d in read_raw(wh)}
    assert set(rebuilt) == set(arts["doc_id"]) | set(rejects["doc_id"])
    assert all(rebuilt[k] == originals[k] for k in rebuilt)  # field for field, bytes as bytes
    for row in arts.iter_rows(named=True):
        again = clean_document(rebuilt[row["doc_id"]], Settings())
        assert isinstance(again, CleanDoc) and row["title"] == again.title
        assert row["text"].split("\n")[0] in again.lines  # the stored article's first line, cleaned again


def test_content_is_stored_once_per_hash_and_a_dropped_run_leaves_other_runs_pages(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    first = tmp_path / "a" / "pilots.html"
    first.parent.mkdir()
    first.write_bytes(_html("pilots"))
    _run(wh, "r1", [str(first)])
    copy = tmp_path / "b" / "pilots.html"  # the same bytes in another folder: another document
    copy.parent.mkdir()
    copy.write_bytes(_html("pilots"))
    staged = _run(wh, "r2", [str(copy)])
    assert staged.raw is not None and (staged.raw.records, staged.raw.pages) == (1, 0)
    assert wh.read("raw_records").height == 2 and wh.read("raw_pages").height == 1
    drop_run(wh, "r1")  # r1 stored the content first; r2's record still needs it
    pages = wh.read("raw_pages")
    assert pages.height == 1 and pages["run_id"].to_list() == ["r2"]
    assert [d.source for d in read_raw(wh)] == [str(copy)]
    drop_run(wh, "r2")
    assert wh.read("raw_pages").height == 0 and wh.read("raw_records").height == 0


def test_keep_raw_off_stores_no_raw_rows(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    staged = _run(wh, "r1", _inputs(tmp_path), keep_raw=False)
    assert staged.raw is None and wh.read("articles").height == 4
    assert wh.read("raw_records").height == 0 and wh.read("raw_pages").height == 0
    assert list(read_raw(wh)) == []
