"""Unattended operation against a real `prefect server start`: alerts arrive, outages do not storm.

A local HTTP receiver stands in for Slack/Teams: `newsclean serve --notify URL` installs the
automations, and the test waits for the POSTs Prefect's server sends for a failed scheduled
run, a run alert (an idle inbox) and a dead `serve`. The catch-up test kills `serve` while a
per-minute schedule keeps creating runs, restarts it, and checks that one run did the work of
the missed ones, the others ended Cancelled with the reason, and the next run started on time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import SEEDS
from tests.prefect_stack import Stack, free_port


class Receiver:
    """An HTTP server on a free loopback port that keeps every POSTed JSON body."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(json.loads(data or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, *words: str, timeout: float = 120) -> dict:
        """The first body whose text holds every word, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in list(self.bodies):
                if all(w in body.get("text", "") for w in words):
                    return body
            time.sleep(0.5)
        pytest.fail(f"no alert with {words} in {timeout:g} s; received: {[b.get('text') for b in self.bodies]}")


def _wait_state(st: Stack, run_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = st.post("/flow_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}}).json()[0]
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    pytest.fail(f"run {run_id} did not finish in {timeout:g} s")


def test_alerts_arrive_for_a_failed_run_a_run_alert_and_a_dead_serve(tmp_path: Path) -> None:
    hook = Receiver()
    warehouse = tmp_path / "wh"
    with Stack(tmp_path) as st:
        dep = st.serve(
            "watched",
            "--paused",
            "--notify",
            hook.url,
            "--not-ready-minutes",
            "0.2",
            "--inputs",
            str(SEEDS),
            "--warehouse",
            str(warehouse),
            "--alert-idle-runs",
            "1",
        )
        # The same automations for a deployment made another way (`prefect deploy`): installed again, not doubled.
        cli = [sys.executable, "-m", "flows.cli", "alerts", "--notify", hook.url, "--not-ready-minutes", "0.2"]
        again = subprocess.run([*cli, "--deployment", "ingest/watched"], env=st.env, capture_output=True, text=True)
        assert again.returncode == 0 and "serve not ready" in again.stdout, again.stderr
        autos = st.post("/automations/filter", {}).json()
        assert sorted(a["name"] for a in autos) == [
            "newsclean watched: failed run", "newsclean watched: run alert", "newsclean watched: serve not ready",
        ]  # fmt: skip
        missing = subprocess.run([*cli, "--deployment", "nope"], env=st.env, capture_output=True, text=True)
        assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
        assert "no deployment ingest/nope" in missing.stderr
        # A run whose inbox is gone fails at once: the failed-run automation posts.
        gone = tmp_path / "inbox-gone"
        bad = st.create_run(dep["id"], {"parameters": {"params": {"inputs": [str(gone)], "warehouse": str(warehouse)}}})
        failed = _wait_state(st, bad["id"])  # named ingest-<run id> once it started
        assert failed["state"]["type"] == "FAILED"
        body = hook.wait_for(failed["name"], "Failed", str(warehouse), "input not found")
        assert f"/runs/flow-run/{bad['id']}" in body["text"]
        # Two runs of the same inbox: the second finds nothing new and raises inbox_idle.
        for _ in range(2):
            run = st.create_run(dep["id"])
            assert _wait_state(st, run["id"])["state"]["type"] == "COMPLETED"
        alert = hook.wait_for("inbox_idle", "no new or changed documents", str(warehouse))
        assert "/runs/flow-run/" in alert["text"]
        assert sum("inbox_idle" in b["text"] for b in hook.bodies) == 1  # the first run had new documents
        # Beside ingest, serve offers reclean/watched: triggered with other settings, it renews the stored articles.
        flows = {"flows": {"name": {"any_": ["reclean"]}}}
        rdep = st.post("/deployments/filter", {"deployments": {"name": {"any_": ["watched"]}}, **flows}).json()[0]
        params = {"params": {"warehouse": str(warehouse), "disabled_rules": ["subscribe"]}}
        renewed = _wait_state(st, st.create_run(rdep["id"], {"parameters": params})["id"])
        assert renewed["state"]["type"] == "COMPLETED"
        runs = pl.read_parquet(f"{warehouse}/current/runs/*.parquet")
        assert runs.filter(pl.col("kind") == "reclean").height == 1
        report = st.post("/artifacts/filter", {"artifacts": {"key": {"any_": ["reclean-report"]}}}).json()
        assert report and "stored documents derived again" in report[0]["data"]
        # serve dies: NOT_READY for 0.2 minutes -> the not-ready automation posts.
        st.kill_serve("watched")
        hook.wait_for("not running", "watched", str(warehouse), timeout=150)


def _due_late(st: Stack, dep_id: str) -> list[dict]:
    now = datetime.now().astimezone()
    return [
        r
        for r in st.runs_of(dep_id)
        if r["auto_scheduled"]
        and r["state"]["type"] == "SCHEDULED"
        and datetime.fromisoformat(r["expected_start_time"]) < now
    ]


def test_missed_runs_collapse_into_one_after_an_outage(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    args = ("--cron", "* * * * *", "--inputs", str(SEEDS), "--warehouse", str(warehouse))
    with Stack(tmp_path) as st:
        while datetime.now().second > 40:  # register and kill well before the first minute's run
            time.sleep(1)
        dep = st.serve("hourly", *args)
        st.kill_serve("hourly")  # the outage: the scheduler keeps creating runs, they turn Late
        deadline = time.monotonic() + 240
        while len(_due_late(st, dep["id"])) < 3 and time.monotonic() < deadline:
            time.sleep(2)
        missed = {r["id"] for r in _due_late(st, dep["id"])}
        assert len(missed) >= 3, st.runs_of(dep["id"])
        restarted = datetime.now().astimezone()
        st.serve("hourly", *args)
        finished = [_wait_state(st, i) for i in sorted(missed)]
        ran = [r for r in finished if r["state"]["type"] == "COMPLETED"]
        cancelled = [r for r in finished if r["state"]["type"] == "CANCELLED"]
        assert len(ran) == 1 and len(cancelled) == len(missed) - 1, [r["state"] for r in finished]
        assert all("catches up" in r["state"]["message"] and ran[0]["id"] in r["state"]["message"] for r in cancelled)
        # The next scheduled run (due after the restart) runs too, close to its time.
        deadline = time.monotonic() + 180
        on_time: list[dict] = []
        while not on_time and time.monotonic() < deadline:
            on_time = [
                r
                for r in st.runs_of(dep["id"])
                if r["auto_scheduled"]
                and datetime.fromisoformat(r["expected_start_time"]) > restarted
                and r["state"]["type"] == "COMPLETED"
            ]
            time.sleep(2)
        assert on_time, st.runs_of(dep["id"])
        first = min(on_time, key=lambda r: r["expected_start_time"])
        lag = datetime.fromisoformat(first["start_time"]) - datetime.fromisoformat(first["expected_start_time"])
        assert lag.total_seconds() < 45, lag
    runs = pl.read_parquet(f"{warehouse}/current/runs/*.parquet").sort("finished_at")
    articles = pl.read_parquet(f"{warehouse}/current/articles/*.parquet")
    assert runs.height >= 2 and runs["n_articles"][0] == articles.height > 0  # the catch-up did the work
    assert runs["n_articles"][1:].sum() == 0  # the runs after it found nothing new
