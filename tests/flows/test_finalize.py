"""Stage two (flows/finalize.py) called directly, without Prefect: real batch outputs in, staged tables out."""

from __future__ import annotations

import json

import polars as pl

from cleaners.config import Settings
from flows.batches import plan_batches, process_batch
from flows.finalize import Timings, finalize
from flows.warehouse import STAGING, Warehouse

TAG = "Independent reporting from the waterfront since 1898."


def _story(topic: str) -> str:
    return "\n".join(f"The {topic} board met on day {i} to agree the {topic} budget for season {i}." for i in range(6))


def _batches(tmp_path, lines: list[dict], wh: Warehouse) -> list:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in lines))
    out = []
    for b in plan_batches([str(feed)], Settings()):
        process_batch(b, Settings(), wh.batch_dir(b.key))
        out.append(wh.batch_dir(b.key))
    return out


def test_finalize_strips_site_lines_clusters_copies_and_stages_every_table(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    wh.scratch("r1")
    rows = [
        {"id": f"p{i}", "url": f"https://harbour.example/{t}", "text": _story(t) + "\n" + TAG}
        for i, t in enumerate(["ferry", "fish", "budget", "pilots"])
    ]
    rows.append({"id": "copy", "url": "https://other.example/ferry", "text": _story("ferry")})  # a wire copy
    rows.append({"id": "short", "url": "https://harbour.example/x", "text": "Too short."})
    staged = finalize(wh, _batches(tmp_path, rows, wh), Settings(), "r1")
    assert (staged.n_documents, staged.n_articles, staged.n_rejects) == (6, 5, 1)
    assert staged.n_duplicates == 1 and staged.n_clusters == 4
    assert staged.reject_reasons == {"too_short": 1} and staged.rules.get("site.repeated") == 4
    assert set(staged.timings) == {"load", "site_profile", "finalize_text", "dedup", "write", "raw"}
    assert [s.domain for s in staged.sites][:2] == ["harbour.example", "other.example"]
    assert staged.largest_clusters[0][2] == 2
    arts = pl.read_parquet(wh.root / STAGING / "r1" / "articles" / "*.parquet")
    assert arts.height == 5 and not arts["text"].str.contains(TAG, literal=True).any()
    pair = arts.filter(pl.col("source_id").is_in(["p0", "copy"]))
    assert pair["cluster_id"].n_unique() == 1 and pair["is_canonical"].sum() == 1
    for table in ("duplicates", "removed_lines", "rejects", "site_lines", "lsh_bands"):
        assert list((wh.root / STAGING / "r1" / table).glob("*.parquet")), table
    assert not list((wh.root / "_scratch" / "r1" / "final").glob("*.parquet"))  # its own scratch, emptied


def test_timings_name_each_step():
    t = Timings()
    with t.step("a"):
        pass
    with t.step("b"):
        sum(range(1000))
    assert list(t.seconds) == ["a", "b"] and all(v >= 0 for v in t.seconds.values())
