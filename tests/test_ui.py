"""End to end in a real browser: prefect server + `newsclean serve` + the Prefect UI in headless Chromium.

Starts `prefect server start` on a free loopback port with a temporary PREFECT_HOME, serves the
`ingest` deployment, then in the UI opens the deployment, starts a *custom run* with `inputs`
and `warehouse` typed into the parameter form, waits for Completed, and checks the tables and
the report artifact. Screenshots land in test-artifacts/ when something fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import polars as pl
import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.ui
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
SHOTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process we started, and its children, by its PID's process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def prefect_stack(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run .ci/ui-deps.sh (apt-get install chromium)")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_UI_API_URL": api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PYTHONPATH": str(ROOT)}
    procs = []
    server = _start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                    env, tmp_path / "server.log")
    procs.append(server)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(1)
        else:
            pytest.fail("prefect server did not become healthy in 180 s")
        default_wh = tmp_path / "default-warehouse"
        serve = _start([sys.executable, "-m", "flows.cli", "serve", "--name", "ui-test", "--paused",
                        "--inputs", str(SEEDS), "--warehouse", str(default_wh)], env, tmp_path / "serve.log")
        procs.append(serve)
        dep = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and dep is None:
            r = httpx.post(f"{api}/deployments/filter", json={"deployments": {"name": {"any_": ["ui-test"]}}}, timeout=5)
            dep = r.json()[0] if r.status_code == 200 and r.json() else None
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(1)
        assert dep, "deployment ui-test never appeared"
        yield {"api": api, "ui": f"http://127.0.0.1:{port}", "deployment": dep, "tmp": tmp_path,
               "default_wh": default_wh}
    finally:
        for p in reversed(procs):
            _stop(p)


def test_custom_run_from_the_ui_completes_and_writes_tables(prefect_stack, request):
    from playwright.sync_api import expect, sync_playwright

    st = prefect_stack
    dep = st["deployment"]
    fixture = SEEDS / "syndicated"
    warehouse = st["tmp"] / "ui-warehouse"
    assert dep["paused"] is True and dep["schedules"][0]["schedule"]["cron"] == "0 * * * *"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{st['ui']}/deployments/deployment/{dep['id']}")
            expect(page.get_by_text("ui-test").first).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Run", exact=True).click()
            page.get_by_text("Custom run").click()
            expect(page.get_by_text("Parameters").first).to_be_visible(timeout=30_000)
            boxes = page.locator("textarea")
            expect(boxes.first).to_have_value(str(SEEDS), timeout=30_000)  # the served default
            boxes.nth(0).fill(str(fixture))
            expect(boxes.nth(1)).to_have_value(str(st["default_wh"]))
            boxes.nth(1).fill(str(warehouse))
            page.get_by_role("button", name="Submit").click()
            final = page.get_by_text(re.compile(r"^(Completed|Failed|Crashed|Cancelled)$")).first
            expect(final).to_be_visible(timeout=300_000)
            assert final.inner_text() == "Completed", (st["tmp"] / "serve.log").read_text()[-3000:]
            page.screenshot(path=str(st["tmp"] / "completed.png"))
        except Exception:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()

    # The run used the parameters typed into the form: its tables are in the custom warehouse.
    art = pl.read_parquet(f"{warehouse}/articles/**/*.parquet")
    assert art.height == 4 and art["cluster_id"].n_unique() == 1 and art["is_canonical"].sum() == 1
    assert not st["default_wh"].exists()
    runs = httpx.post(f"{st['api']}/flow_runs/filter", json={"deployments": {"id": {"any_": [dep["id"]]}}}, timeout=10).json()
    assert [r["state"]["type"] for r in runs] == ["COMPLETED"]
    arts = httpx.post(f"{st['api']}/artifacts/filter",
                      json={"artifacts": {"key": {"any_": ["ingest-report", "ingest-counts"]}}}, timeout=10).json()
    by_key = {a["key"]: a for a in arts}
    assert "Largest clusters" in by_key["ingest-report"]["data"]
    assert "Rotterdam" in by_key["ingest-report"]["data"]
    assert by_key["ingest-counts"]["type"] == "table"
