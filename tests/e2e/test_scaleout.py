"""Batches on an existing Dask cluster (prefect-dask's DaskTaskRunner) give the same tables."""

import polars as pl
import pytest

from tests.conftest import SEEDS, run_ingest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _tables(wh):
    art = pl.read_parquet(f"{wh}/current/articles/*.parquet").sort("doc_id")
    return art.select("doc_id", "text", "cluster_id", "is_canonical").rows(), pl.read_parquet(
        f"{wh}/current/rejects/*.parquet"
    ).sort("doc_id").select("doc_id", "reason").rows()


def test_dask_cluster_and_process_pool_match_a_single_worker(tmp_path):
    from distributed import LocalCluster

    local = run_ingest([SEEDS], tmp_path / "one", workers=1, batch_files=3)
    multi = run_ingest([SEEDS], tmp_path / "two", workers=2, batch_files=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_ingest([SEEDS], tmp_path / "dask", dask_address=cluster.scheduler_address, batch_files=3)
    assert multi.n_batches == dask.n_batches == 5 and multi.workers == 2
    assert local.n_articles == multi.n_articles == dask.n_articles > 10
    assert _tables(tmp_path / "one") == _tables(tmp_path / "two") == _tables(tmp_path / "dask")


def _wire_feed(folder, seed: int, stories: int = 24) -> list:
    """JSONL feeds of news bodies (words of the seed article) in 1-4 outlets' versions each: whole,
    trimmed, with an update line; one file per outlet and story, so runs can split them."""
    import json

    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = [w for p in SEEDS.rglob("*.txt") for w in p.read_text().split() if w.isalpha()]
    files = []
    for s in range(stories):
        words = [vocab[int(k)] for k in rng.integers(0, len(vocab), 320)]
        body = "\n".join(" ".join(words[i : i + 16]) + "." for i in range(0, len(words), 16))
        lines = body.split("\n")
        versions = [body, "\n".join(lines[: len(lines) * 2 // 3]), "Updated with new figures.\n" + body, body]
        for v, text in enumerate(versions[: int(rng.integers(1, 5))]):
            path = folder / f"story{s:02d}-outlet{v}.jsonl"
            row = {"id": f"{s}-{v}", "url": f"https://outlet{v}.example/news/{s}", "text": text}
            path.write_text(json.dumps(row) + "\n")
            files.append(path)
    return files


def _dedup_tables(wh) -> dict[str, list]:
    from tests.conftest import table_glob

    def rows(table: str, cols: list[str]) -> list:
        df = pl.read_parquet(table_glob(wh, table)).select(cols)
        return df.with_columns(pl.selectors.float().round(9)).sort(cols).rows()

    return {
        "articles": rows("articles", ["doc_id", "text", "cluster_id", "is_canonical"]),
        "duplicates": rows("duplicates", ["doc_id", "cluster_id", "canonical_doc_id", "similarity", "containment"]),
        "lsh_bands": rows("lsh_bands", ["doc_key", "band_key"]),
    }


def test_dedup_on_a_dask_cluster_gives_the_local_tables_and_runs_on_its_workers(tmp_path, monkeypatch):
    """A real cluster (`dask scheduler` and two `dask worker` processes): two runs, the second
    against the first's history, in several dedup parts; sketching, the band join and verification
    run as cluster tasks, and articles, duplicates and the band index equal the local runs'."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from distributed import Client

    import cleaners.dedup

    # Small tasks, so a test-sized run is split into several of each kind (the flow runs in this process).
    monkeypatch.setattr(cleaners.dedup, "SKETCH_TASK_DOCS", 8)
    monkeypatch.setattr(cleaners.dedup, "PAIR_TASK", 4)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = _wire_feed(inbox, seed=7)
    runs = [files[0::2], files[1::2]]
    dask_bin = str(Path(sys.executable).parent / "dask")
    sched_file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [
                dask_bin,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask_bin, "worker", "--scheduler-file", str(sched_file), "--nthreads", "1", "--no-dashboard"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        with Client(scheduler_file=str(sched_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            workers = set(client.scheduler_info()["workers"])
            client.get_task_stream()  # installs the scheduler's task-stream record
            start = time.time()
            for part in runs:
                run_ingest(part, tmp_path / "local", dedup_part_docs=12)
            dask_runs = [
                run_ingest(part, tmp_path / "dask", dedup_part_docs=12, dask_address=client.scheduler.address)
                for part in runs
            ]
            stream = client.get_task_stream(start=start)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    local, dask = _dedup_tables(tmp_path / "local"), _dedup_tables(tmp_path / "dask")
    assert dask_runs[1].n_relabelled > 0  # the second run joined copies stored by the first: history mattered
    assert len(local["duplicates"]) > 5 and local == dask
    ran: dict[str, set[str]] = {}
    for t in stream:
        ran.setdefault(str(t["key"]).split("-")[0], set()).add(t["worker"])
    for prefix in ("sketch_texts", "band_hits", "pair_similarity"):
        assert prefix in ran, sorted(ran)
        assert ran[prefix] <= workers
    assert set().union(*ran.values()) == workers  # both workers took dedup tasks
