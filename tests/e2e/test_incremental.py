"""Re-runs as an hourly schedule makes them: after inputs changed, were fixed, grew or stayed the same."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest

from tests.conftest import run_ingest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _story(topic: str, n: int = 8, extra: str = "") -> str:
    """A plain news body about `topic` (distinct wording per topic, so stories do not cluster)."""
    sents = [
        f"The {topic} committee met on day {i} to discuss the {topic} budget, the {topic} staff and "
        f"the {topic} schedule for the coming season number {i}."
        for i in range(n)
    ]
    return "\n".join(sents) + (f"\n{extra}" if extra else "")


def _page(title: str, body: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"


def _tables(wh) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        pl.read_parquet(f"{wh}/current/articles/*.parquet"),
        pl.read_parquet(f"{wh}/current/rejects/*.parquet"),
        pl.read_parquet(f"{wh}/current/runs/*.parquet").sort("started_at"),
    )


def test_changed_content_at_a_known_path_is_a_new_version(tmp_path):
    inbox, wh = tmp_path / "incoming", tmp_path / "wh"
    inbox.mkdir()
    latest = inbox / "latest.html"
    latest.write_text(_page("Harbour budget approved", _story("harbour")))
    first = run_ingest([inbox], wh)
    assert first.n_articles == 1
    # Unchanged: the file is skipped unread.
    again = run_ingest([inbox], wh)
    assert again.n_articles == 0 and again.n_files_skipped == 1 and again.n_skipped == 1
    # A correction of the same story at the same path: a new version, in the old version's cluster.
    latest.write_text(
        _page("Harbour budget approved", _story("harbour", extra="An earlier version misstated the date of the vote."))
    )
    fixed = run_ingest([inbox], wh)
    assert fixed.n_articles == 1 and fixed.n_skipped == 0
    # A different article overwritten onto the same path: ingested too, in a cluster of its own.
    latest.write_text(_page("Railway timetable changes", _story("railway")))
    other = run_ingest([inbox], wh)
    assert other.n_articles == 1
    art, _, runs = _tables(wh)
    assert art.height == 3 and art["source"].n_unique() == 1 and art["raw_hash"].n_unique() == 3
    v1, v2, v3 = (
        art.filter(pl.col("run_id") == r).row(0, named=True)
        for r in runs["run_id"].to_list()
        if art.filter(pl.col("run_id") == r).height
    )
    # Same cluster; by the canonical policy (no dates: the longer body) the correction leads it now.
    assert v1["cluster_id"] == v2["cluster_id"] == v2["doc_id"] and v2["is_canonical"] and not v1["is_canonical"]
    assert v3["cluster_id"] == v3["doc_id"] and v3["is_canonical"]
    assert runs["n_files_skipped"].to_list() == [0, 1, 0, 0]


def _current_problems(wh) -> list[tuple[str, str]]:
    """The README's current-problems query (docs/queries/current-problems.sql) run by DuckDB."""
    import duckdb

    from tests.conftest import ROOT

    sql = (ROOT / "docs" / "queries" / "current-problems.sql").read_text().replace("warehouse/current", f"{wh}/current")
    return sorted((os.path.basename(s), r) for s, _, _, r, *_ in duckdb.connect().execute(sql).fetchall())


def test_fixed_rejects_are_retried(tmp_path):
    inbox, wh = tmp_path / "incoming", tmp_path / "wh"
    inbox.mkdir()
    (inbox / "empty.html").write_text("")  # a file still being written
    (inbox / "feed.jsonl").write_text('{"id": "half", "text": "The harbour comm\n')  # a half-written line
    (inbox / "slow.txt").write_text("Budget vote\n" + _story("budget"))
    first = run_ingest([inbox], wh, max_extract_seconds=0.000001)  # a loaded machine: everything times out
    _, rej, _ = _tables(wh)
    assert dict(rej.select("source", "reason").iter_rows()) == {
        str(inbox / "empty.html"): "empty",
        str(inbox / "feed.jsonl"): "invalid_json",
        str(inbox / "slow.txt"): "timeout",
    }
    assert first.n_articles == 0
    problems = [("empty.html", "empty"), ("feed.jsonl", "invalid_json"), ("slow.txt", "timeout")]
    assert _current_problems(wh) == problems
    # Unchanged, not transient: never read again. Transient, unchanged: backs off (no new reject row
    # every hour) and is retried once retry_after_runs runs have passed, at once when it changes.
    second = run_ingest([inbox], wh, max_extract_seconds=0.000001)
    assert second.n_rejects == 0 and second.n_files_skipped == 3
    second = run_ingest([inbox], wh, max_extract_seconds=0.000001, retry_after_runs=2)
    assert second.n_rejects == 1 and second.reject_reasons == {"timeout": 1}
    second = run_ingest([inbox], wh, max_extract_seconds=0.000001, retry_after_runs=2)
    assert second.n_rejects == 0 and second.n_files_skipped == 3
    # Fixed: the file written out, the line completed, the machine calm again.
    (inbox / "empty.html").write_text(_page("Ferry line opens", _story("ferry")))
    (inbox / "feed.jsonl").write_text(json.dumps({"id": "half", "text": _story("fishing")}) + "\n")
    os.utime(inbox / "slow.txt")  # touched: changed, so retried at once
    third = run_ingest([inbox], wh)
    assert third.n_articles == 3 and third.n_rejects == 0
    art, rej, _ = _tables(wh)
    assert set(art["source"]) == {str(inbox / n) for n in ("empty.html", "feed.jsonl", "slow.txt")}
    # Nothing is lost: the old rejects stay as history of what happened; none is a current problem.
    assert rej.height == 4
    assert _current_problems(wh) == []
    assert run_ingest([inbox], wh).n_files_skipped == 3


def test_a_1987_wire_original_is_canonical_over_its_later_copies(tmp_path):
    feed = tmp_path / "archive.jsonl"
    original = _story("wire")
    rows = [
        {
            "id": "copy-b",
            "url": "https://b.example/x",
            "text": original + "\nReporting by a local desk.",
            "published_at": "1987-03-05T08:00:00Z",
        },
        {"id": "wire", "url": "https://wire.example/x", "text": original, "published_at": "1987-03-02T06:30:00Z"},
        {
            "id": "copy-a",
            "url": "https://a.example/x",
            "text": original + "\nMore on this story later today.",
            "published_at": "3 March 1987",
        },
        {"id": "bad-date", "url": "https://c.example/y", "text": _story("orchard"), "published_at": "sometime soon"},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = run_ingest([feed], tmp_path / "wh")
    art, _, runs = _tables(tmp_path / "wh")
    wire = art.filter(pl.col("source_id").is_in(["wire", "copy-a", "copy-b"]))
    assert wire["cluster_id"].n_unique() == 1 and wire["published_at"].dt.year().to_list() == [1987] * 3
    canonical = wire.filter(pl.col("is_canonical")).row(0, named=True)
    assert canonical["source_id"] == "wire"
    # An unparseable input date is counted and logged, never silently dropped; the article stays.
    assert summary.n_bad_dates == 1 and runs["n_bad_dates"].to_list() == [1]
    assert art.filter(pl.col("source_id") == "bad-date").height == 1


def test_jsonl_ids_of_different_types_and_locator_lookalikes_are_distinct_documents(tmp_path):
    feed = tmp_path / "ids.jsonl"
    recs = [
        {"id": 7, "text": _story("seven")},
        {"id": "7", "text": _story("string seven")},
        {"id": "line:4", "text": _story("lookalike")},
        {"text": _story("no id")},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    summary = run_ingest([feed], tmp_path / "wh")
    art, rej, _ = _tables(tmp_path / "wh")
    assert summary.n_articles == 4 and rej.height == 0 and art["doc_id"].n_unique() == 4
    assert sorted(art["source_id"].to_list(), key=str) == sorted(["7", "7", "line:4", None], key=str)


def test_a_growing_feed_processes_only_its_new_lines(tmp_path):
    feed = tmp_path / "hourly.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"url": f"https://x.example/{t}", "text": _story(t)}) + "\n"
            for t in ("alpha", "bravo", "charlie")
        )
    )
    assert run_ingest([feed], tmp_path / "wh").n_articles == 3
    with open(feed, "a") as fh:
        fh.write(json.dumps({"url": "https://x.example/delta", "text": _story("delta")}) + "\n")
    # A new line on top moves every other record: identity does not depend on the line number.
    feed.write_text(json.dumps({"url": "https://x.example/echo", "text": _story("echo")}) + "\n" + feed.read_text())
    summary = run_ingest([feed], tmp_path / "wh")
    assert summary.n_articles == 2 and summary.n_skipped == 3 and summary.n_files_skipped == 0
    os.utime(feed)  # touched, same bytes: read again, every record skipped before extraction
    touched = run_ingest([feed], tmp_path / "wh")
    assert touched.n_articles == 0 and touched.n_skipped == 5 and touched.n_rejects == 0


def test_japanese_and_chinese_pages_are_articles_and_an_empty_body_never_is(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    ja = (
        "東京都は二十五日、港湾の再開発計画を発表した。新しい岸壁と倉庫を整備し、貨物の取扱量を十年で二倍にすることを目指す。"
        "計画には市民のための公園や遊歩道も含まれ、地元の商店街からは期待の声が上がっている。"
    )
    zh = "上海港今天宣布新的扩建计划，预计在未来十年内将集装箱吞吐量提高一倍，并新建三个深水泊位。当地居民和企业对此表示欢迎。"
    (inbox / "ja.html").write_text(_page("港湾計画を発表", ja), encoding="utf-8")
    (inbox / "zh.html").write_text(_page("上海港扩建计划", zh), encoding="utf-8")
    (inbox / "only-boilerplate.html").write_text(
        "<html><body><article><p>Subscribe to our newsletter</p><p>Share on Facebook | Twitter</p>"
        "<p>Please enter your comment!</p></article></body></html>"
    )
    summary = run_ingest([inbox], tmp_path / "wh", min_words=0)
    art, rej, _ = _tables(tmp_path / "wh")
    langs = dict(zip(art["source"].str.split("/").list.last(), art["language"]))
    assert langs == {"ja.html": "ja", "zh.html": "zh"}
    assert art["n_words"].min() >= 20  # about one word per two characters: above the default min_words too
    # min_words=0 still never makes an empty article: the empty body is a reject with its reason.
    assert rej["reason"].to_list() in (["only_boilerplate"], ["no_main_content"]) and summary.n_articles == 2


def _partition(wh) -> tuple[set[frozenset[str]], dict[str, tuple[str, bool]]]:
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet")
    groups = art.group_by("cluster_id").agg(pl.col("doc_id"))
    labels = dict(zip(art["doc_id"], zip(art["cluster_id"], art["is_canonical"])))
    return {frozenset(g) for g in groups["doc_id"].to_list()}, labels


def test_one_run_or_three_runs_in_any_order_give_the_same_clusters(tmp_path):
    from tests.conftest import SEEDS

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    words = _story("ferry", n=16).split()
    half = len(words) // 2
    # Two halves of one story (nothing in common) and the whole story, which bridges them.
    for name, text, date in [
        ("head", " ".join(words[:half]), "2024-03-14T08:00:00Z"),
        ("tail", " ".join(words[half:]), "2024-03-14T09:00:00Z"),
        ("whole", " ".join(words), "2024-03-13T07:00:00Z"),  # earliest: the canonical
    ]:
        (inbox / f"{name}.jsonl").write_text(
            json.dumps({"id": name, "url": f"https://{name}.example/ferry", "text": text, "published_at": date}) + "\n"
        )
    files = sorted(p for p in SEEDS.rglob("*") if p.is_file()) + sorted(inbox.iterdir())
    run_ingest(files, tmp_path / "one")
    one, one_labels = _partition(tmp_path / "one")
    assert any(len(g) >= 3 for g in one)  # the seeds' wire story and the bridged ferry story

    # The same files in three runs, last first: the wire copies spread over the runs, the two
    # halves stored as two clusters before the whole story arrives and bridges them.
    rest = [f for f in files if f.parent != inbox]
    split = [rest[k::3] for k in range(3)]
    split[2].append(inbox / "head.jsonl")
    split[1].append(inbox / "tail.jsonl")
    split[0].append(inbox / "whole.jsonl")
    summaries = [run_ingest(part, tmp_path / "three") for part in reversed(split)]
    assert summaries[-1].n_relabelled >= 2  # at least head and tail moved into the whole story's cluster
    three, three_labels = _partition(tmp_path / "three")
    assert three == one
    assert three_labels == one_labels  # same canonical (the policy over the whole cluster), same ids
    art = pl.read_parquet(f"{tmp_path}/three/current/articles/*.parquet")
    ferry = art.filter(pl.col("source_id").is_in(["head", "tail", "whole"]))
    assert ferry.height == 3 and ferry["cluster_id"].n_unique() == 1
    assert ferry.filter(pl.col("is_canonical"))["source_id"].to_list() == ["whole"]
    dups = pl.read_parquet(f"{tmp_path}/three/current/duplicates/*.parquet")
    assert set(dups["doc_id"]) == {d for d, (_, canon) in three_labels.items() if not canon}
    assert dups["doc_id"].n_unique() == dups.height
    assert (dups.join(art, on="doc_id")["cluster_id"] == dups["canonical_doc_id"]).all()
