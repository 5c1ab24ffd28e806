"""The warehouse on disk (flows/warehouse.py) and its maintenance (flows/maintenance.py), on real
Parquet files: publish, relabel, recover, adopt, drop, compact."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from flows.maintenance import drop_run
from flows.warehouse import STAGING, Warehouse, check_root
from tests.warehouse_rows import article_row, commit_run, no_name_reused


def test_publish_relabel_and_drop_keep_old_snapshots_and_foreign_files(tmp_path):
    root = tmp_path / "wh"
    root.mkdir()
    wh = Warehouse(root)
    wh.ensure_root()
    (root / "notes.txt").write_text("mine")
    commit_run(
        wh,
        "r1",
        [article_row("a", "r1", "a"), article_row("b", "r1", "a")],
        [
            {
                "doc_id": "b",
                "cluster_id": "a",
                "canonical_doc_id": "a",
                "similarity": 0.9,
                "containment": 1.0,
                "run_id": "r1",
            }
        ],
    )
    first = os.path.realpath(root / "current")
    # Run 2 brings an earlier copy "0": stored rows of run 1 are re-labelled in the same publish.
    relabels = pl.DataFrame({"doc_id": ["a", "b"], "cluster_id": ["0", "0"], "is_canonical": [False, False]})
    moved = pl.DataFrame(
        {
            "doc_id": ["a", "b"],
            "cluster_id": ["0", "0"],
            "canonical_doc_id": ["0", "0"],
            "similarity": [0.9, 0.8],
            "containment": [1.0, 1.0],
        }
    )
    wh.stage_relabels("r2", relabels, moved)
    commit_run(wh, "r2", [article_row("0", "r2", "0")])
    arts = wh.read("articles").sort("doc_id")
    assert arts.select("doc_id", "cluster_id", "is_canonical", "run_id").rows() == [
        ("0", "0", True, "r2"),
        ("a", "0", False, "r1"),
        ("b", "0", False, "r1"),
    ]
    dups = wh.read("duplicates").sort("doc_id")
    assert dups.select("doc_id", "canonical_doc_id", "run_id").rows() == [("a", "0", "r1"), ("b", "0", "r1")]
    # The superseded snapshot still holds what readers saw before (files were replaced, not edited),
    # and no name it published now holds other bytes: rewritten files have revised names.
    old = pl.read_parquet(f"{first}/articles/*.parquet").sort("doc_id")
    assert old["cluster_id"].to_list() == ["a", "a"]
    no_name_reused(Path(first), Path(os.path.realpath(root / "current")))
    # Dropping run 2 removes its rows and re-clusters what it touched: run 1's rows are whole again
    # ("a" and "b" have the same text "t", so they are one cluster, canonical "a").
    assert drop_run(wh, "r2") == 2  # its article and its runs row
    back = wh.read("articles").sort("doc_id").select("doc_id", "cluster_id", "is_canonical").rows()
    assert back == [("a", "a", True), ("b", "a", False)]
    assert wh.read("duplicates").select("doc_id", "canonical_doc_id").rows() == [("b", "a")]
    assert (root / "notes.txt").read_text() == "mine"


def test_recover_removes_only_newsclean_leftovers(tmp_path):
    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    commit_run(wh, "r1", [article_row("a", "r1", "a")])
    (root / STAGING / "crashed" / "articles").mkdir(parents=True)
    (root / STAGING / "crashed" / "articles" / "part-00000.parquet").write_bytes(b"half")
    (root / "_snapshots" / ".tmp-00000009-1").mkdir()
    mine = root / "README-mine.md"
    mine.write_text("keep")
    removed = wh.recover()
    assert removed and not (root / STAGING / "crashed").exists()
    assert not (root / "_snapshots" / ".tmp-00000009-1").exists()
    assert mine.read_text() == "keep" and wh.read("articles").height == 1
    with pytest.raises(KeyError):
        drop_run(wh, "never-ran")


def test_internal_tables_stay_out_of_public_globs(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    wh.stage("r1", "lsh_bands", pl.DataFrame({"doc_key": [1], "band_key": [2], "run_id": ["r1"]}))
    commit_run(wh, "r1", [article_row("a", "r1", "a")])
    public = {p.name for p in Path(tmp_path / "wh" / "current").iterdir()}
    assert "lsh_bands" not in public and "_internal" in public
    assert wh.read("lsh_bands").height == 1


def test_snapshots_record_their_schema_version_and_a_newer_one_is_not_written_over(tmp_path):
    from cleaners.schema import SCHEMA_VERSION
    from flows.warehouse import ForeignRoot, check_root

    root = tmp_path / "wh"
    wh = Warehouse(root)
    wh.ensure_root()
    commit_run(wh, "r1", [article_row("a", "r1", "a")])
    info = root / "current" / "_snapshot.json"
    assert json.loads(info.read_text())["schema_version"] == SCHEMA_VERSION
    assert check_root(root) is None
    newer = json.loads(info.read_text()) | {"schema_version": SCHEMA_VERSION + 1}
    info.write_text(json.dumps(newer))
    assert "newer newsclean" in (check_root(root) or "")
    with pytest.raises(ForeignRoot, match="newer newsclean"):
        commit_run(wh, "r2", [article_row("b", "r2", "b")])
    assert wh.read("articles").height == 1


def test_only_a_marked_or_empty_folder_becomes_a_warehouse(tmp_path):
    lookalike = tmp_path / "mine"
    (lookalike / "_staging").mkdir(parents=True)
    (lookalike / "_staging" / "notes.txt").write_text("my notes")
    (lookalike / "current").write_text("my current list")
    problem = check_root(lookalike)
    assert problem is not None and "did not create" in problem and "current" in problem
    empty_dir = tmp_path / "new"
    empty_dir.mkdir()
    (empty_dir / ".gitkeep").write_text("")
    assert check_root(empty_dir) is None
    wh = Warehouse(empty_dir)
    wh.ensure_root()
    (empty_dir / "anything").write_text("x")
    assert check_root(empty_dir) is None  # marked: newsclean's own


def test_columns_the_contract_says_are_never_null_are_required_in_parquet(tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    from cleaners.schema import TABLES
    from flows.maintenance import compact

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    for k in range(2):
        commit_run(wh, f"r{k}", [article_row(f"d{k}", f"r{k}", f"d{k}")])
    for stage in ("per run", "compacted"):
        snap = os.path.realpath(tmp_path / "wh" / "current")
        for table in ("articles", "runs"):
            f = sorted(Path(snap, table).glob("*.parquet"))[0]
            want = {c.name: c.nullable for c in TABLES[table].columns}
            assert {x.name: x.nullable for x in pq.read_schema(f)} == want, (stage, table)
            kinds = dict(duckdb.sql(f"select name, repetition_type from parquet_schema('{f}')").fetchall())
            assert all(kinds[name] == ("OPTIONAL" if nullable else "REQUIRED") for name, nullable in want.items())
        compact(wh)


def test_a_run_that_adds_no_rows_publishes_no_empty_files_once_a_table_has_one(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    commit_run(wh, "r1", [])  # the first run: an empty file, so every table's folder exists for readers
    assert wh.file_counts()["articles"] == 1 and wh.file_counts()["duplicates"] == 1
    commit_run(wh, "r2", [article_row("a", "r2", "a")])
    commit_run(wh, "r3", [])  # a no-op run
    counts = wh.file_counts()
    assert counts["articles"] == 2 and counts["duplicates"] == 1 and counts["runs"] == 3
    assert wh.read("articles")["doc_id"].to_list() == ["a"]
    assert sorted(wh.read("runs")["run_id"]) == ["r1", "r2", "r3"]


def test_relabelling_an_article_file_written_before_the_cleaned_with_columns_fills_them_with_nulls(tmp_path):
    from cleaners.schema import empty
    from flows.warehouse import apply_relabels, table_dir

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    commit_run(wh, "r1", [article_row("a", "r1", "a"), article_row("b", "r1", "b")])
    (old,) = table_dir(wh.snapshot(), "articles").glob("*.parquet")
    legacy = pl.read_parquet(old).drop("settings_fingerprint", "cleaner_version")  # as an older version wrote it
    old.unlink()
    legacy.write_parquet(old)
    relabels = pl.DataFrame({"doc_id": ["b"], "cluster_id": ["a"], "is_canonical": [False]})
    dups = pl.DataFrame(schema=empty("duplicates").schema)
    wh.publish(lambda new, seq: apply_relabels(new, seq, relabels, dups), {"action": "test"})
    arts = wh.read("articles").sort("doc_id")
    assert arts["cluster_id"].to_list() == ["a", "a"] and arts["settings_fingerprint"].null_count() == 2
