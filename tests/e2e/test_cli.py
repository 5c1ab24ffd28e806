"""The `newsclean` command as a user runs it: a subprocess with its own embedded Prefect server."""

import json
import os
import subprocess
import sys

import polars as pl

from tests.conftest import ROOT

EXE = [sys.executable, "-m", "flows.cli"]


def _run(args, cwd, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(EXE + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kw)


def test_help_explains_every_option(tmp_path):
    out = _run(["run", "--help"], tmp_path)
    assert out.returncode == 0
    for opt in (
        "--warehouse",
        "--threshold",
        "--containment",
        "--workers",
        "--batch-mb",
        "--min-words",
        "--site-min-pages",
        "--dask-address",
        "--no-progress",
        "--json",
        "--keep-headline",
        "--disable-rule",
    ):
        assert opt in out.stdout
    assert "range (0.0, 1.0]" in out.stdout and "unit: MB" in out.stdout  # bounds and units from the model
    top = _run(["--help"], tmp_path)
    assert top.returncode == 0 and "explain" in top.stdout and "schema" in top.stdout


def test_bad_arguments_exit_2_without_running(tmp_path):
    out = _run(["run", str(ROOT / "seeds"), "--threshold", "2"], tmp_path)
    assert out.returncode == 2 and "threshold" in out.stderr and "range (0.0, 1.0]" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1  # one line naming the field and the fix
    assert not (tmp_path / "warehouse").exists()


def test_run_seeds_then_explain(tmp_path):
    out = _run(["run", str(ROOT / "seeds"), "--no-progress"], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "articles" in out.stdout and "rejects" in out.stdout
    wh = tmp_path / "warehouse"  # the default warehouse is ./warehouse
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet")
    doc = art.filter(pl.col("source").str.ends_with(".txt")).row(0, named=True)
    exp = _run(["explain", doc["doc_id"]], tmp_path)
    assert exp.returncode == 0
    assert "subscribe.prompt" in exp.stdout and "Subcribe to The Jewish Link Eblast" in exp.stdout
    assert doc["text"].splitlines()[0] in exp.stdout
    assert f"body from:  {doc['extraction']}" in exp.stdout and doc["extraction"] == "text"  # a dump: no candidates
    # A rule switched off reaches the stored articles: reclean derives them again from the raw store.
    rc = _run(["reclean", "--disable-rule", "subscribe", "--json"], tmp_path)
    assert rc.returncode == 0, rc.stderr[-3000:]
    done = json.loads(rc.stdout)
    rejects = pl.read_parquet(f"{wh}/current/rejects/*.parquet")
    assert art.height <= done["n_records"] <= art.height + rejects.height  # unreadable inputs have no raw page
    assert 1 <= done["n_changed"] < art.height  # only the pages with a subscribe line changed
    again = pl.read_parquet(f"{wh}/current/articles/*.parquet").filter(pl.col("doc_id") == doc["doc_id"])
    assert "Subcribe to The Jewish Link Eblast" in again["text"].item()
    kinds = pl.read_parquet(f"{wh}/current/runs/*.parquet", missing_columns="insert")["kind"].to_list()
    assert sorted(kinds) == ["ingest", "reclean"]
    # A run with other settings than the stored articles' says so in one line, naming the fix.
    rerun = _run(["run", str(ROOT / "seeds"), "--no-progress"], tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    note = f"{art.height} stored articles were cleaned with other settings or another cleaner version"
    assert note in rerun.stdout and "newsclean reclean" in rerun.stdout


def test_reclean_of_a_warehouse_without_raw_pages_says_so_in_one_line(tmp_path):
    from flows.warehouse import Warehouse
    from tests.warehouse_rows import article_row, commit_run

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    commit_run(wh, "r1", [article_row("a", "r1", "a")])
    out = _run(["reclean", "--warehouse", str(wh.root)], tmp_path)
    assert out.returncode == 2 and "no raw pages" in out.stderr and "--no-keep-raw" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    missing = _run(["reclean", "--warehouse", str(tmp_path / "nowhere")], tmp_path)
    assert missing.returncode == 2 and "no warehouse" in missing.stderr


def test_maintenance_commands_refuse_bad_rows_missing_and_read_only_warehouses_in_one_line(tmp_path):
    from tests.conftest import unprivileged

    for rows in ("0", "-1"):
        out = _run(["compact", "--rows", rows, "--warehouse", str(tmp_path / "wh")], tmp_path)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and "--rows must be in [1," in out.stderr
    for cmd in (["runs"], ["compact"], ["runs", "drop", "r1"]):
        out = _run([*cmd, "--warehouse", str(tmp_path / "nowhere")], tmp_path)
        assert out.returncode == 2 and out.stderr.startswith(f"newsclean: no warehouse at {tmp_path / 'nowhere'}")
    assert _run(["run", str(ROOT / "seeds" / "syndicated"), "--no-progress"], tmp_path).returncode == 0
    wh = tmp_path / "warehouse"
    assert _run(["runs"], tmp_path).returncode == 0
    import polars as pl

    run_id = pl.read_parquet(f"{wh}/current/runs/*.parquet")["run_id"][0]
    for path in [wh, *wh.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o555)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for cmd in (["compact"], ["runs", "drop", run_id]):
            out = subprocess.run(
                unprivileged([*EXE, *cmd, "--warehouse", str(wh)]),
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
            )
            assert out.returncode == 1, out.stderr
            assert "not writable" in out.stderr and "Traceback" not in out.stderr and out.stderr.count("\n") == 1
    finally:
        for path in [wh, *wh.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
    assert _run(["runs", "drop", run_id], tmp_path).returncode == 0  # writable again: it works


def test_missing_input_and_unwritable_warehouse_exit_2_before_any_work(tmp_path):
    missing = _run(["run", str(tmp_path / "does-not-exist"), "--warehouse", str(tmp_path / "wh")], tmp_path)
    assert missing.returncode == 2 and f"input not found: {tmp_path / 'does-not-exist'}" in missing.stderr
    assert not (tmp_path / "wh").exists()
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        out = _run(["run", str(ROOT / "seeds"), "--warehouse", str(locked / "wh")], tmp_path)
    finally:
        locked.chmod(0o700)
    if os.geteuid() != 0:  # root may write anywhere; the check is then the writable path itself
        assert out.returncode == 2 and f"warehouse is not writable: {locked / 'wh'}" in out.stderr
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    out = _run(["run", str(ROOT / "seeds"), "--warehouse", str(a_file)], tmp_path)
    assert out.returncode == 2 and f"warehouse is not a directory: {a_file}" in out.stderr
    assert "Traceback" not in out.stderr


def test_clean_one_page_prints_text_and_reasons(tmp_path):
    import json

    page = ROOT / "tests" / "data" / "golden" / "pages" / "subscribe_paywall.html"
    out = _run(["clean", str(page), "--explain", "--keep-headline"], tmp_path)
    assert out.returncode == 0
    text, _, audit = out.stdout.partition("--- removed lines")
    assert text.startswith("Harbour pilots win new contract") and "Subscribe to" not in text
    assert "subscribe.prompt" in audit and "Subscribe to The Harbour Times newsletter" in audit
    assert "--- body from: " in text  # which candidate body was kept, and why
    as_json = json.loads(_run(["clean", str(page), "--json"], tmp_path).stdout)  # the default: body only
    assert as_json["extraction"] in {"trafilatura", "readability", "merged"}
    assert as_json["extraction_why"].startswith(as_json["extraction"])
    assert as_json["author"] == "Jane Roe" and not as_json["text"].startswith("Harbour pilots")
    assert {r["rule"] for r in as_json["removed"]} >= {"byline.by", "subscribe.prompt", "title.headline"}
    # A page with no article: exit 1 and the reason; stdin works too.
    bad = _run(["clean", "-"], tmp_path, input="<html><body></body></html>")
    assert bad.returncode == 1 and "no_main_content" in bad.stderr
    assert _run(["clean", str(tmp_path / "missing.html")], tmp_path).returncode == 2


def test_clean_reads_every_record_of_jsonl_and_warc_and_a_closed_pipe_is_quiet(tmp_path):
    import json

    feed = _run(["clean", str(ROOT / "seeds" / "feed.jsonl"), "--json"], tmp_path)
    records = [json.loads(line) for line in feed.stdout.splitlines()]
    assert feed.returncode == 0 and len(records) >= 3
    assert records[0]["record"] == "line:1" and records[0]["source_id"] == "feed-001" and records[0]["text"]
    assert any(r.get("rejected") for r in records)  # the feed's bad lines say why, one object each
    warc = _run(["clean", str(ROOT / "seeds" / "crawl.warc.gz")], tmp_path)
    assert warc.returncode == 0 and warc.stdout.count("=== offset:") == 2 and "binary" not in warc.stdout + warc.stderr
    for cmd in (["schema"], ["clean", str(ROOT / "seeds" / "feed.jsonl")]):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        piped = subprocess.run(
            " ".join([sys.executable, "-m", "flows.cli", *cmd]) + " | head -1",
            shell=True,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert piped.stdout.count("\n") == 1 and "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


def test_a_warehouse_on_a_pseudo_file_system_is_refused_at_once(tmp_path):
    out = _run(["run", str(ROOT / "seeds"), "--warehouse", "/proc/newsclean-warehouse"], tmp_path)
    assert out.returncode == 2 and "pseudo file system" in out.stderr and out.stderr.count("\n") == 1


def test_serve_without_a_server_or_with_a_bad_cron_says_so_at_once(tmp_path):
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    for args, message in (
        (["--cron", "0 * * * *"], "no Prefect server configured"),
        (["--cron", "61 * * * *"], "invalid cron schedule '61 * * * *'"),
        (["--min-words", "-3"], "min_words"),
    ):
        t = time.monotonic()
        out = subprocess.run(
            [*EXE, "serve", "--inputs", str(ROOT / "seeds"), "--warehouse", str(tmp_path / "wh"), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 2 and message in out.stderr, out.stderr[-500:]
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
        assert time.monotonic() - t < 30  # at once, not after a server start-up timeout
