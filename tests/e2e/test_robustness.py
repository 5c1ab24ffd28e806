"""Hostile input, crashes at the worst moments, and concurrent runs against one warehouse."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import threading

import polars as pl
import pytest

from tests.conftest import ROOT, SEEDS, run_ingest, table_glob

pytestmark = pytest.mark.usefixtures("prefect_harness")
SECRET = "TOP-SECRET-4242-never-in-output"
GOOD = (
    "<html><head><title>Good page</title></head><body><article><h1>Good page</h1>"
    + "".join(
        f"<p>Paragraph {i} of a perfectly ordinary article about the harbour, the ferries and the weather in spring.</p>"
        for i in range(8)
    )
    + "</article></body></html>"
)


def _truncated_gzip() -> bytes:
    lines = (
        json.dumps({"id": f"c{i}", "text": " ".join(os.urandom(3).hex() for _ in range(60))}).encode()
        for i in range(500)
    )
    blob = gzip.compress(b"\n".join(lines))
    return blob[: len(blob) // 2]


def hostile_corpus(d, secret_file) -> dict[str, str]:
    """Write one file per hostile case; returns {file name: what it is}."""
    d.mkdir()
    cases: dict[str, bytes] = {
        "empty.html": b"",
        "whitespace.txt": b"  \n\t \n",
        "image-named.html": b"\x89PNG\r\n\x1a\n" + os.urandom(2000),
        "binary.html": os.urandom(3000),
        "nul-bytes.html": GOOD.replace("harbour", "har\x00bour").encode(),
        "truncated.html": GOOD[: len(GOOD) // 2].encode(),
        "deep-nesting.html": (
            "<html><body>" + "<div>" * 30000 + "<p>deep text</p>" + "</div>" * 10 + "</body></html>"
        ).encode(),
        "too-large.html": b"<html><body><p>" + b"x " * 1_600_000 + b"</p></body></html>",
        "huge-line.txt": ("Huge line dump\n" + "word " * 400_000).encode(),
        "one-line.txt": ("word " * 400_000).encode(),
        "cp1252.html": GOOD.replace("harbour", "caf\u00e9 \u2014 \u201charbour\u201d").encode("cp1252"),
        "utf16-bom.html": GOOD.encode("utf-16"),
        "wrong-charset.html": GOOD.replace("<head>", '<head><meta charset="iso-8859-1">')
        .replace("harbour", "\u00fcber-harbour")
        .encode("utf-8"),
        "mojibake.txt": ("Mojibake title\n" + "The caf\u00e9 re-opened on Monday with a new menu, the owner said. " * 6)
        .encode("utf-8")
        .decode("cp1252", "replace")
        .encode("utf-8"),
        "xxe.html": (
            f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret_file}">'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
            '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><html><body><article><p>&xxe; &d;</p>'
            + "".join(
                f"<p>Entity test paragraph {i} with ordinary words about the city council meeting.</p>"
                for i in range(6)
            )
            + "</article></body></html>"
        ).encode(),
        "only-boilerplate.html": b"<html><body><article><p>Subscribe to our newsletter</p><p>Share on Facebook | Twitter</p>"
        b"<p>Please enter your comment!</p></article></body></html>",
        "only-script.html": b"<html><head><script>var x = 1;"
        + b"x++;" * 5000
        + b"</script></head><body></body></html>",
        "bomb.jsonl.gz": gzip.compress(b"\n" * 60_000_000, compresslevel=9),
        "corrupt.jsonl.gz": _truncated_gzip(),
        "mixed.jsonl": "\n".join(
            [
                json.dumps({"id": "ok-1", "url": "https://ok.example/1", "html": GOOD}),
                "{broken",
                "[]",
                json.dumps({"id": 3, "text": ["not", "a", "string"]}),
                json.dumps({"url": 5}),
                json.dumps("just a string"),
                json.dumps({"id": "ok-2", "text": "Ordinary body text. " * 20}),
            ]
        ).encode(),
        "we ird $(rm -rf) 'quote' \u00fcn\u00efc\u00f8de.html": GOOD.encode(),
    }
    warc = (SEEDS / "crawl.warc.gz").read_bytes()
    cases["broken.warc.gz"] = warc[: len(warc) - 200]
    for name, data in cases.items():
        (d / name).write_bytes(data)
    return {n: n for n in cases}


def test_hostile_corpus_never_sinks_the_run_and_loses_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    corpus = tmp_path / "hostile"
    cases = hostile_corpus(corpus, secret)
    wh = tmp_path / "wh"
    summary = run_ingest([corpus], wh, max_doc_mb=3, max_decompressed_mb=20)
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet")
    rej = pl.read_parquet(f"{wh}/current/rejects/*.parquet")
    assert summary.n_documents == art.height + rej.height
    # Every input file is accounted for in articles or rejects.
    seen = set(art["source"]) | set(rej["source"])
    for name in cases:
        assert str(corpus / name) in seen, name
    reason = {os.path.basename(s): r for s, r in rej.select("source", "reason").iter_rows()}
    assert reason["empty.html"] == "empty" and reason["whitespace.txt"] == "empty"
    assert reason["image-named.html"] == "binary" and reason["binary.html"] == "binary"
    assert reason["too-large.html"] == "too_large"
    assert reason["bomb.jsonl.gz"] == "too_large"
    assert reason["deep-nesting.html"] == "too_deep"
    assert reason["only-boilerplate.html"] in {"only_boilerplate", "too_short", "no_main_content"}
    assert reason["only-script.html"] in {"no_main_content", "too_short"}
    # Good documents come through intact, whatever their encoding or name.
    by_file = {os.path.basename(s): t for s, t in art.select("source", "text").iter_rows()}
    for name in (
        "nul-bytes.html",
        "cp1252.html",
        "utf16-bom.html",
        "we ird $(rm -rf) 'quote' \u00fcn\u00efc\u00f8de.html",
    ):
        assert "perfectly ordinary article" in by_file[name], name
    assert 'caf\u00e9 \u2014 "harbour"' in by_file["cp1252.html"]
    assert "\u00fcber-harbour" in by_file["wrong-charset.html"]
    assert "The caf\u00e9 re-opened" in by_file["mojibake.txt"]
    assert len(max(by_file["huge-line.txt"].split("\n"), key=len)) <= 100_000
    assert by_file["one-line.txt"].startswith("word word")  # one long line: body, not a headline
    good_lines = art.filter(pl.col("source") == str(corpus / "mixed.jsonl"))["source_id"].to_list()
    assert sorted(good_lines) == ["ok-1", "ok-2"]
    assert rej.filter(pl.col("source") == str(corpus / "mixed.jsonl")).height == 5
    corrupt = art.filter(pl.col("source") == str(corpus / "corrupt.jsonl.gz"))
    assert (
        corrupt.height > 0
        and "corrupt_file" in rej.filter(pl.col("source") == str(corpus / "corrupt.jsonl.gz"))["reason"].to_list()
    )
    assert art.filter(pl.col("source") == str(corpus / "broken.warc.gz")).height >= 1
    # External entities are never resolved: the secret file's content appears nowhere.
    for table in ("articles", "removed_lines", "rejects"):
        df = pl.read_parquet(table_glob(wh, table))
        for col, dtype in df.schema.items():
            if dtype == pl.String:
                assert not df[col].str.contains(SECRET, literal=True).any(), (table, col)


def _cli(args, env_extra=None, **kw):
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": PREFECT_API_URL.value(), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", *args, "--no-progress", "--workers", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kw,
    )


def _snapshot(wh) -> dict:
    out = {}
    for t, key in (
        ("articles", ["doc_id", "text", "cluster_id", "is_canonical"]),
        ("rejects", ["doc_id", "reason"]),
        ("removed_lines", ["doc_id", "position", "rule"]),
        ("duplicates", ["doc_id", "canonical_doc_id"]),
    ):
        df = pl.read_parquet(table_glob(wh, t)) if (wh / "current").exists() else pl.DataFrame()
        out[t] = sorted(df.select(key).rows()) if df.height else []
    return out


@pytest.fixture(scope="module")
def spark():
    """A local Spark session (pyspark from PyPI, Debian's JRE), as a downstream job would open one."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("newsclean-readers")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def _readers(wh, spark=None) -> dict[str, dict[str, int]]:
    """Row counts of every public table as each recommended reader sees it (README paths)."""
    import duckdb
    import pandas as pd
    import pyarrow.dataset as pads

    out: dict[str, dict[str, int]] = {}
    for t in ("articles", "duplicates", "removed_lines", "rejects", "runs"):
        glob, folder = table_glob(wh, t), f"{wh}/current/{t}"
        out[t] = {
            "polars": pl.scan_parquet(glob).select(pl.len()).collect().item(),
            "duckdb": duckdb.connect().execute(f"select count(*) from read_parquet('{glob}')").fetchone()[0],
            "pandas": len(pd.read_parquet(folder)),
            "pyarrow": pads.dataset(folder).count_rows(),
        }
        if spark is not None:
            out[t]["spark"] = spark.read.parquet(folder).count()
    return out


@pytest.fixture(scope="module")
def two_clean_runs(tmp_path_factory):
    """seeds/other, then all of seeds/, each in a run of its own: the state a crashed pair must reach."""
    tmp = tmp_path_factory.mktemp("clean")
    first = tmp / "first"
    shutil.copytree(SEEDS / "other", first)
    clean = tmp / "wh"
    assert _cli([str(first), "--warehouse", str(clean)]).returncode == 0
    assert _cli([str(SEEDS), "--warehouse", str(clean)]).returncode == 0
    return first, _snapshot(clean), {n: c["polars"] for n, c in _readers(clean).items()}


@pytest.mark.parametrize("point", ["before-commit", "commit:linked", "commit:moved", "commit:renamed"])
def test_readers_see_whole_runs_after_a_sigkill_mid_commit(tmp_path, point, two_clean_runs, spark):
    """A second run killed at each point of its commit: every reader still sees exactly the first run."""
    first, clean_tables, clean_counts = two_clean_runs
    wh = tmp_path / "wh"
    assert _cli([str(first), "--warehouse", str(wh)]).returncode == 0
    before = _readers(wh, spark)
    assert before["articles"] == dict.fromkeys(("polars", "duckdb", "pandas", "pyarrow", "spark"), 6)
    assert before["runs"]["spark"] == 1
    killed = _cli([str(SEEDS), "--warehouse", str(wh)], {"NEWSCLEAN_FAULT": point})
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _readers(wh, spark) == before  # before any recovery ran
    again = _cli([str(SEEDS), "--warehouse", str(wh)])
    assert again.returncode == 0, again.stderr[-2000:]
    assert _snapshot(wh) == clean_tables
    runs = pl.read_parquet(table_glob(wh, "runs"))
    crashed = runs.filter(pl.col("status") == "crashed")  # the killed run, recorded by the next one
    assert crashed.height == 1 and "without committing" in crashed["error"][0], runs
    assert {n: c["polars"] for n, c in _readers(wh).items()} == {**clean_counts, "runs": clean_counts["runs"] + 1}
    assert not (wh / "_batches").exists() or not any((wh / "_batches").iterdir())
    assert not (wh / "_scratch").exists() or not any((wh / "_scratch").iterdir())  # the killed run's too


def test_two_concurrent_runs_on_one_warehouse(tmp_path):
    wh = tmp_path / "wh"
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(_cli([str(SEEDS), "--warehouse", str(wh)]))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-1500:] for r in results]
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet")
    assert art["doc_id"].is_unique().all()
    runs = pl.read_parquet(f"{wh}/current/runs/*.parquet")
    assert runs.height == 2 and sorted(runs["n_articles"].to_list())[0] == 0
    # Counts stay right: each run saw every document; the second one skipped what the first stored.
    assert runs["n_documents"].to_list() == [runs["n_documents"][0]] * 2 and runs["n_documents"][0] >= 17
    assert sorted(runs["n_skipped"].to_list())[1] >= runs["n_articles"].sum()
    clean = tmp_path / "clean"
    assert _cli([str(SEEDS), "--warehouse", str(clean)]).returncode == 0
    assert _snapshot(wh) == _snapshot(clean)


def _consistent(snapshot: str, reader: str) -> None:
    """One query on one resolved snapshot: clusters whole (one canonical each), duplicates of articles."""
    import duckdb
    import pandas as pd

    if reader == "polars":
        arts = pl.read_parquet(f"{snapshot}/articles/*.parquet", columns=["doc_id", "cluster_id", "is_canonical"])
        dups = pl.read_parquet(f"{snapshot}/duplicates/*.parquet", columns=["doc_id", "cluster_id"])
    elif reader == "duckdb":
        con = duckdb.connect()
        arts = pl.from_arrow(
            con.execute(
                f"select doc_id, cluster_id, is_canonical from read_parquet('{snapshot}/articles/*.parquet')"
            ).to_arrow_table()
        )
        dups = pl.from_arrow(
            con.execute(
                f"select doc_id, cluster_id from read_parquet('{snapshot}/duplicates/*.parquet')"
            ).to_arrow_table()
        )
    else:
        arts = pl.from_pandas(pd.read_parquet(f"{snapshot}/articles", columns=["doc_id", "cluster_id", "is_canonical"]))
        dups = pl.from_pandas(pd.read_parquet(f"{snapshot}/duplicates", columns=["doc_id", "cluster_id"]))
    canon = arts.group_by("cluster_id").agg(pl.col("is_canonical").sum().alias("n"))
    assert canon.filter(pl.col("n") != 1).height == 0, f"{reader}: a cluster without exactly one canonical"
    assert set(arts.filter(~pl.col("is_canonical"))["doc_id"]) == set(dups["doc_id"]), reader
    assert dups.join(arts, on=["doc_id", "cluster_id"], how="anti").height == 0, reader


def test_readers_that_resolve_current_once_never_tear_across_relabels_compacts_and_drops(tmp_path):
    """The README's reading rule, held while runs relabel stored clusters, compact and drop rewrite files."""
    import pyarrow.dataset as pads

    from flows.maintenance import compact, drop_run
    from flows.warehouse import Warehouse

    wh = tmp_path / "wh"
    run_ingest([SEEDS], wh)
    wire = (
        pl.read_parquet(table_glob(wh, "articles"))
        .filter(pl.col("source").str.contains("/syndicated/") & pl.col("is_canonical"))
        .row(0, named=True)
    )
    early = tmp_path / "early"
    early.mkdir()
    (early / "feed.jsonl").write_text(
        json.dumps({"id": "w", "url": "https://early.example/w", "text": wire["text"], "published_at": "2001-01-01"})
        + "\n"
    )
    opened = pads.dataset(os.path.realpath(wh / "current" / "articles"))  # opened before the relabel
    stop, reads, errors = threading.Event(), [0], []

    def read_loop() -> None:
        readers = ("polars", "duckdb", "pandas")
        while not stop.is_set():
            snapshot = os.path.realpath(wh / "current")  # resolved once per query
            try:
                _consistent(snapshot, readers[reads[0] % 3])
                reads[0] += 1
            except Exception as e:
                errors.append(f"{type(e).__name__}: {e}")
                return

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        second = run_ingest([early], wh)
        assert second.n_relabelled >= 3  # stored rows of the wire cluster moved to the early copy
        w = Warehouse(wh)
        with w.lock():
            compact(w)
        with w.lock():
            drop_run(w, second.run_id)
        run_ingest([early], wh)
    finally:
        stop.set()
        reader.join()
    assert errors == [] and reads[0] >= 20, (errors, reads[0])
    # A dataset opened before the relabel reads its own snapshot's files whole afterwards.
    assert opened.to_table().num_rows == opened.count_rows() > 0


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (needs root and mount rights, as in CI), almost filled."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root with mount rights)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.parametrize("free_kb", [150, 400, 700])
def test_a_full_disk_is_named_in_one_line_and_readers_keep_the_last_run(tmp_path, small_disk, free_kb):
    import random

    rng = random.Random(free_kb)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(40):  # pages whose bodies do not compress away: the run needs ~1 MB of disk
        paras = "".join("<p>" + " ".join(f"{rng.getrandbits(40):x}" for _ in range(60)) + ".</p>" for _ in range(30))
        (inbox / f"{i:03d}.html").write_text(f"<html><body><article><h1>Page {i}</h1>{paras}</article></body></html>")
    wh = small_disk / "wh"
    assert _cli([str(SEEDS / "syndicated"), "--warehouse", str(wh)]).returncode == 0
    before = _snapshot(wh)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - (free_kb << 10)))
    out = _cli([str(inbox), "--warehouse", str(wh)])
    assert out.returncode == 1, out.stdout[-500:]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("newsclean: run failed: no space left on the device") and "free space" in last, last
    assert _snapshot(wh) == before
