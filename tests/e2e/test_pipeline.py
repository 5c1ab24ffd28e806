"""The real `ingest` flow on seeds/ under Prefect's test harness; tables read back from Parquet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as pads
import pytest

from cleaners.schema import TABLES
from flows.maintenance import compact
from flows.warehouse import Warehouse
from tests.conftest import ROOT, run_ingest, table_glob

pytestmark = pytest.mark.usefixtures("prefect_harness")
PUBLIC = [t for t, spec in TABLES.items() if spec.public]
WIRE_URLS = {
    "https://northsea-post.example/news/rotterdam-strike-ends",
    "https://dailyledger.example/markets/rotterdam-deal",
}


def _glob(wh, table):
    return table_glob(wh, table)


@pytest.fixture
def seeded(tmp_path, seeds_copy):
    wh = tmp_path / "warehouse"
    summary = run_ingest([seeds_copy], wh)
    return wh, seeds_copy, summary


def test_seed_run_writes_every_table_readable_by_polars_duckdb_pandas(seeded):
    wh, _, summary = seeded
    for table in PUBLIC + ["lsh_bands", "site_lines", "raw_records", "raw_pages"]:
        df = pl.read_parquet(_glob(wh, table))
        assert df.schema == TABLES[table].schema and df.height, table
        con = duckdb.connect()
        n, cols = (
            con.execute(f"select count(*) from read_parquet('{_glob(wh, table)}')").fetchone()[0],
            [d[0] for d in con.execute(f"select * from read_parquet('{_glob(wh, table)}') limit 0").description],
        )
        assert n == df.height and cols == TABLES[table].names, table
        folder = _glob(wh, table).removesuffix("/*.parquet")
        assert len(pd.read_parquet(folder)) == df.height, table
        assert pads.dataset(folder).count_rows() == df.height, table
    # A reader of the public tables never picks up internal ones: they live under _internal/.
    assert {p.name for p in (wh / "current").iterdir()} >= set(PUBLIC) | {"_internal"}
    articles = pl.read_parquet(_glob(wh, "articles"))
    rejects = pl.read_parquet(_glob(wh, "rejects"))
    assert summary.n_articles == articles.height and summary.n_rejects == rejects.height
    # Nothing is lost: every document read is an article or a reject.
    assert summary.n_documents == articles.height + rejects.height
    assert set(rejects["reason"]) == {"invalid_json", "missing_content", "unsupported_format"}  # + seeds/README.md
    runs = pl.read_parquet(_glob(wh, "runs"))
    assert runs.height == 1 and runs["n_articles"][0] == articles.height
    assert json.loads(runs["parameters"][0])["threshold"] == 0.5
    # Rows a data engineer expects: language, site name, content identity.
    assert set(articles["language"].drop_nulls()) == {"en"} and articles["language"].null_count() == 0
    assert articles["raw_hash"].null_count() == 0 and rejects["raw_hash"].null_count() == 0
    assert articles["site_name"].drop_nulls().len() >= 1


def test_seed_boilerplate_is_removed_and_audited(seeded):
    wh, seeds, _ = seeded
    art = pl.read_parquet(_glob(wh, "articles")).filter(pl.col("source").str.ends_with("000_44e51650d7198f83.txt"))
    assert art.height == 1
    row = art.row(0, named=True)
    assert row["title"].startswith("Hamas Solidifies Ties") and row["author"] == "TPS"
    assert str(row["published_at"].date()) == "2019-03-27"
    for junk in (
        "Subcribe to The Jewish Link Eblast",
        "Please enter your comment!",
        "Please enter your name here",
        "Photo by Kobi Richter/TPS",
        "By TPS",
    ):
        assert junk not in row["text"]
    assert row["text"].startswith("The Hamas terror organization")
    removed = pl.read_parquet(_glob(wh, "removed_lines")).filter(pl.col("doc_id") == row["doc_id"])
    assert dict(zip(removed["line"], removed["rule"])) == {
        "Photo by Kobi Richter/TPS on 27 March, 2019": "credit.photo",
        "By TPS • 27 March, 2019": "byline.by_date",
        "Subcribe to The Jewish Link Eblast": "subscribe.prompt",
        "Please enter your comment!": "comments.form",
        "Please enter your name here": "comments.form",
    }
    # A tagline repeated on every page of a site is learned as site boilerplate.
    site = pl.read_parquet(_glob(wh, "removed_lines")).filter(pl.col("rule") == "site.repeated")
    assert "The Harbour Times: independent reporting from the waterfront since 1898." in site["line"].to_list()


def test_syndicated_copies_share_one_cluster_with_one_canonical(seeded):
    wh, _, _ = seeded
    art = pl.read_parquet(_glob(wh, "articles"))
    wire = art.filter(pl.col("source").str.contains("/syndicated/") | pl.col("url").is_in(list(WIRE_URLS)))
    assert wire.height == 6
    assert wire["cluster_id"].n_unique() == 1
    assert wire["is_canonical"].sum() == 1
    canonical = wire.filter(pl.col("is_canonical")).row(0, named=True)
    assert canonical["doc_id"] == canonical["cluster_id"]
    others = art.join(wire.select("doc_id"), on="doc_id", how="anti")
    assert others.height >= 8
    assert others["cluster_id"].n_unique() == others.height and others["is_canonical"].all()
    dups = pl.read_parquet(_glob(wh, "duplicates"))
    assert set(dups["doc_id"]) == set(wire.filter(~pl.col("is_canonical"))["doc_id"])
    assert (dups["canonical_doc_id"] == canonical["doc_id"]).all()
    assert dups["similarity"].min() > 0.5 and dups["containment"].min() > 0.9


def test_rerun_of_same_input_adds_no_rows_and_new_copy_joins_old_cluster(seeded, tmp_path):
    wh, seeds, first = seeded
    before = {t: pl.read_parquet(_glob(wh, t)).height for t in PUBLIC if t != "runs"}
    again = run_ingest([seeds], wh)
    assert again.n_skipped == first.n_documents and again.n_articles == 0 and again.n_rejects == 0
    after = {t: pl.read_parquet(_glob(wh, t)).height for t in PUBLIC if t != "runs"}
    assert after == before
    assert pl.read_parquet(_glob(wh, "runs")).height == 2

    # Tomorrow: one more outlet runs the wire story; it must join the stored cluster, not lead a new one.
    art = pl.read_parquet(_glob(wh, "articles"))
    canonical = art.filter(pl.col("source").str.contains("/syndicated/") & pl.col("is_canonical")).row(0, named=True)
    new = tmp_path / "tomorrow"
    new.mkdir()
    body = canonical["text"].replace("Thursday", "Thursday, March 14,")
    (new / "feed.jsonl").write_text(
        json.dumps(
            {
                "id": "late-copy",
                "url": "https://late.example/port",
                "text": body,
                "published_at": "2024-03-15T00:00:00Z",  # after the stored copies: not the canonical
            }
        )
        + "\n"
    )
    third = run_ingest([new], wh)
    assert third.n_articles == 1 and third.n_duplicates == 1
    late = pl.read_parquet(_glob(wh, "articles")).filter(pl.col("source_id") == "late-copy").row(0, named=True)
    assert late["cluster_id"] == canonical["cluster_id"] and late["is_canonical"] is False
    dup = pl.read_parquet(_glob(wh, "duplicates")).filter(pl.col("doc_id") == late["doc_id"]).row(0, named=True)
    assert dup["canonical_doc_id"] == canonical["doc_id"] and dup["similarity"] > 0.8
    (listed,) = third.articles  # the report names it: new, and a copy of a stored story
    assert listed.domain == "late.example" and not listed.revised and not listed.canonical
    # The same feed file rewritten with an edited record: a new version of a stored input.
    (new / "feed.jsonl").write_text(json.dumps({"id": "late-copy", "url": "https://late.example/port",
                                                "text": body + " Updated with the union's statement."}) + "\n")  # fmt: skip
    fourth = run_ingest([new], wh)
    assert [(a.domain, a.revised) for a in fourth.articles] == [("late.example", True)]


def test_crash_leftovers_are_invisible_and_only_newsclean_files_are_removed(seeded):
    wh_path, seeds, _ = seeded
    wh = Warehouse(wh_path)
    committed = wh.read("articles").height
    # What a crash leaves: a half-built snapshot and a run's staged files, beside a user's own files.
    snap = next((wh_path / "_snapshots").iterdir())
    half = wh_path / "_snapshots" / ".tmp-00000099-4242"
    shutil.copytree(snap, half)
    staged = wh_path / "_staging" / "20990101T000000Z-dead00" / "articles"
    staged.mkdir(parents=True)
    shutil.copy(next((snap / "articles").glob("*.parquet")), staged / "part-00000.parquet")
    mine = [wh_path / "notes.md", wh_path / "_snapshots" / "README.txt", wh_path / "articles" / "drafts" / "x.md"]
    for f in mine:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("the user's own file")
    assert wh.read("articles").height == committed  # published scans ignore both
    assert pl.read_parquet(_glob(wh_path, "articles")).height == committed  # so do the README's globs
    removed = wh.recover()
    assert sorted(removed) == ["_snapshots/.tmp-00000099-4242", "_staging/20990101T000000Z-dead00"]
    assert not half.exists() and not staged.exists()
    assert all(f.read_text() == "the user's own file" for f in mine)
    # And the next run leaves them alone too.
    run_ingest([seeds], wh_path)
    assert all(f.read_text() == "the user's own file" for f in mine)


def test_invalid_parameters_fail_before_any_work(tmp_path):
    wh = tmp_path / "wh"
    with pytest.raises(Exception, match="threshold"):
        run_ingest([tmp_path], wh, threshold=1.5)
    assert not wh.exists()


def test_disabled_rules_reach_the_flow_and_site_learning(seeded, tmp_path, seeds_copy):
    wh0, _, _ = seeded
    wh = tmp_path / "wh-off"
    run_ingest([seeds_copy], wh, disabled_rules=["site", "subscribe"])
    rules = set(pl.read_parquet(_glob(wh, "removed_lines"))["rule"])
    assert not any(r.startswith(("site.", "subscribe.")) for r in rules)
    assert {"site.repeated", "subscribe.prompt"} <= set(pl.read_parquet(_glob(wh0, "removed_lines"))["rule"])
    tagline = "The Harbour Times: independent reporting from the waterfront since 1898."
    texts = pl.read_parquet(_glob(wh, "articles"))["text"].to_list()
    assert any(tagline in t for t in texts)
    # Site profiles are still stored, so switching the rule back on later has history to use.
    assert pl.read_parquet(_glob(wh, "site_lines")).height > 0
    with pytest.raises(Exception, match="no rule starts with"):
        run_ingest([seeds_copy], tmp_path / "wh-bad", disabled_rules=["nosuch"])


def _all_tables(wh) -> dict[str, list]:
    w = Warehouse(wh)
    return {t: sorted(w.read(t).rows(), key=repr) for t in TABLES}


def test_compact_merges_files_without_changing_any_query(seeded, tmp_path):
    wh, seeds, _ = seeded
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "feed.jsonl").write_text(
        json.dumps(
            {
                "id": "x",
                "url": "https://late.example/a",
                "text": " ".join(
                    f"Sentence {i} about the late edition and the evening ferry schedule." for i in range(6)
                ),
            }
        )
        + "\n"
    )
    run_ingest([extra], wh)
    before = _all_tables(wh)
    assert len(list((wh / "current" / "articles").glob("*.parquet"))) == 2
    counts = compact(Warehouse(wh))
    assert counts["articles"] == (2, 1) and counts["runs"] == (2, 1)
    assert _all_tables(wh) == before
    assert len(list((wh / "current" / "articles").glob("*.parquet"))) == 1


def test_runs_drop_removes_a_run_from_every_table_and_its_input_comes_back(seeded, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    wh, seeds, first = seeded
    after_first = _all_tables(wh)
    extra = tmp_path / "more"
    extra.mkdir()
    body = " ".join(f"Sentence {i} about the night shift at the container terminal." for i in range(6))
    art = pl.read_parquet(_glob(wh, "articles"))
    wire = art.filter(pl.col("source").str.contains("/syndicated/") & pl.col("is_canonical")).row(0, named=True)
    rows = [
        {"id": "y", "url": "https://late.example/b", "text": body},
        # An earlier-dated copy of the wire story: it becomes the canonical of the stored cluster.
        {"id": "w", "url": "https://early.example/w", "text": wire["text"], "published_at": "2024-01-01T00:00:00Z"},
    ]
    (extra / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    second = run_ingest([extra], wh)
    relabelled = pl.read_parquet(_glob(wh, "articles")).filter(pl.col("cluster_id") == wire["cluster_id"])
    assert relabelled.height == 0 and second.n_relabelled >= 6
    compact(Warehouse(wh))  # dropping works on compacted files too
    listing = subprocess.run(
        [sys.executable, "-m", "flows.cli", "runs", "--warehouse", str(wh)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert listing.returncode == 0 and first.run_id in listing.stdout and second.run_id in listing.stdout
    drop = subprocess.run(
        [sys.executable, "-m", "flows.cli", "runs", "drop", second.run_id, "--warehouse", str(wh)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert drop.returncode == 0, drop.stderr
    assert _all_tables(wh) == after_first  # the wire cluster has its old canonical and ids back
    # The dropped run's input is read again by the next run (its manifest rows went with it).
    again = run_ingest([extra], wh)
    assert again.n_articles == 2 and again.n_files_skipped == 0


def _dump(folder, name: str, story: str, tagline: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join(
        f"{story} sentence {i}: the harbour board met again on the wage deal for the pilots." for i in range(5)
    )
    (folder / f"{name}.txt").write_text(f"{story} headline\n{body}\n{tagline}\n")


def test_text_dumps_of_one_folder_learn_their_site_lines_across_runs(tmp_path):
    """Plain-text dumps have no URL, so no domain: their folder is their site. A tagline on
    three dumps of one folder is learned (and on a fourth dump in a later run); the same line
    in one dump of another folder stays."""
    tagline = "Harbour Weekly: news from the quay, every Friday since 1998."
    src, other, wh = tmp_path / "harbour-weekly", tmp_path / "elsewhere", tmp_path / "wh"
    for i, story in enumerate(["Cranes", "Pilots", "Ferries"]):
        _dump(src, f"dump-{i}", story, tagline)
    _dump(other, "dump-x", "Tugs", tagline)
    run_ingest([src, other], wh)
    removed = pl.read_parquet(_glob(wh, "removed_lines")).filter(pl.col("rule") == "site.repeated")
    art = pl.read_parquet(_glob(wh, "articles"))
    by_source = {os.path.basename(r["source"]): r["text"] for r in art.iter_rows(named=True)}
    assert removed["line"].to_list() == [tagline] * 3
    assert all(tagline not in by_source[f"dump-{i}.txt"] for i in range(3)) and tagline in by_source["dump-x.txt"]
    assert art["domain"].null_count() == art.height  # the folder is a site key, never a domain
    # A later run's dump of the same folder: the line is learned from the stored profile.
    _dump(src, "dump-3", "Dredgers", tagline)
    run_ingest([src], wh)
    text = pl.read_parquet(_glob(wh, "articles")).filter(pl.col("source").str.ends_with("dump-3.txt"))["text"][0]
    assert tagline not in text and text.startswith("Dredgers sentence 0")


def test_a_run_deduplicated_in_small_parts_writes_the_same_clusters(seeded, tmp_path):
    """`--dedup-part-docs 2`: the run's dedup in parts of two documents, band keys staged per part."""
    wh, seeds, summary = seeded
    small = tmp_path / "parts"
    parted = run_ingest([seeds], small, dedup_part_docs=2)
    n = summary.n_articles
    assert parted.dedup["parts"] == -(-n // 2) > 3
    cols = ["doc_id", "cluster_id", "is_canonical"]
    one = pl.read_parquet(_glob(wh, "articles")).select(cols).sort("doc_id")
    many = pl.read_parquet(_glob(small, "articles")).select(cols).sort("doc_id")
    assert many.rows() == one.rows()
    assert one["cluster_id"].n_unique() < one.height  # the wire copies are a cluster
    dup_cols = ["doc_id", "canonical_doc_id", "similarity"]
    assert (
        pl.read_parquet(_glob(small, "duplicates")).select(dup_cols).sort("doc_id").rows()
        == pl.read_parquet(_glob(wh, "duplicates")).select(dup_cols).sort("doc_id").rows()
    )
    bands = pl.read_parquet(_glob(small, "lsh_bands"))
    assert bands.select("doc_key", "band_key").sort(pl.all()).rows() == (
        pl.read_parquet(_glob(wh, "lsh_bands")).select("doc_key", "band_key").sort(pl.all()).rows()
    )
    assert len(list((small / "current" / "_internal" / "lsh_bands").glob("*.parquet"))) == parted.dedup["parts"]


def test_a_run_that_fails_is_in_runs_with_its_error_and_the_next_run_does_its_work(tmp_path, seeds_copy, monkeypatch):
    import flows.pipeline

    wh = tmp_path / "wh"

    def broken(*args, **kwargs):
        raise RuntimeError("dedup exploded")

    monkeypatch.setattr(flows.pipeline, "finalize", broken)
    with pytest.raises(Exception, match="dedup exploded"):
        run_ingest([seeds_copy], wh)
    runs = Warehouse(wh).read("runs")
    assert runs.select("status", "error", "n_articles").rows() == [("failed", "RuntimeError: dedup exploded", 0)]
    assert Warehouse(wh).read("articles").height == 0 and Warehouse(wh).read("rejects").height == 0
    listed = subprocess.run(
        [sys.executable, "-m", "flows.cli", "runs", "--warehouse", str(wh), "--failed", "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["status"] == "failed" and row["error"] == "RuntimeError: dedup exploded"
    monkeypatch.undo()
    summary = run_ingest([seeds_copy], wh)
    assert summary.n_articles > 0 and summary.previous is None  # the failed run is nobody's previous run
    statuses = Warehouse(wh).read("runs").sort("started_at")["status"].to_list()
    assert statuses == ["failed", "completed"]


def test_a_run_compacts_the_warehouse_once_a_table_passes_compact_files(tmp_path, seeds_copy):
    wh = tmp_path / "wh"
    first = tmp_path / "first"
    shutil.move(str(seeds_copy / "syndicated"), first)
    run_ingest([seeds_copy], wh, compact_files=1)
    before = Warehouse(wh).file_counts()
    assert before["articles"] == 1  # one run: nothing to compact yet
    summary = run_ingest([seeds_copy, first], wh, compact_files=1)
    assert summary.n_articles > 0
    w = Warehouse(wh)
    assert max(w.file_counts().values()) == 1  # two runs' files merged after the second commit
    assert w.read("runs").height == 2 and w.read("articles").height == sum(w.read("runs")["n_articles"])
