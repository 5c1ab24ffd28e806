"""A real Prefect server and `newsclean serve`: a schedule left to fire, and the UI in headless Chromium.

Starts `prefect server start` on a free loopback port with a temporary PREFECT_HOME. One test
serves the `ingest` deployment on a one-minute cron and waits for a scheduled run to complete on
its own; the other opens the deployment in the UI, checks the Custom run form explains its
parameters and refuses an out-of-range threshold, runs it with `inputs` and `warehouse` typed
into the form, and checks the tables, the run's name and tags, and the report artifact.
Screenshots land in test-artifacts/ when something fails.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import httpx
import polars as pl
import pytest

from tests.conftest import ROOT, SEEDS
from tests.prefect_stack import Stack

pytestmark = pytest.mark.ui
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SHOTS = ROOT / "test-artifacts"


@pytest.fixture
def prefect_stack(tmp_path):
    """A real `prefect server start` on a free port; `serve(name, *args)` starts `newsclean serve`."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run .ci/system-deps.sh (apt-get install chromium)")
    with Stack(tmp_path) as stack:
        yield stack


def test_schedule_fires_unattended_and_writes_tables(prefect_stack):
    """Served with a one-minute cron, not paused: the scheduler creates runs and they complete on their own."""
    st = prefect_stack
    warehouse = st.tmp / "scheduled-warehouse"
    dep = st.serve(
        "every-minute", "--cron", "* * * * *", "--inputs", str(SEEDS / "syndicated"), "--warehouse", str(warehouse)
    )
    assert dep["paused"] is False and dep["schedules"][0]["active"] is True
    deadline = time.monotonic() + 240
    done: list[dict] = []
    while time.monotonic() < deadline and not done:
        runs = st.runs_of(dep["id"])
        done = [r for r in runs if r["auto_scheduled"] and r["state"]["type"] == "COMPLETED"]
        failed = [r for r in runs if r["state"]["type"] in ("FAILED", "CRASHED")]
        assert not failed, (st.tmp / "serve-every-minute.log").read_text()[-3000:]
        time.sleep(3)
    assert done, f"no scheduled run completed in 240 s: {[(r['name'], r['state']['type']) for r in runs]}"
    run = done[0]
    assert run["name"].startswith("ingest-") and f"warehouse:{warehouse}" in run["tags"]
    art = pl.read_parquet(f"{warehouse}/current/articles/*.parquet")
    assert art.height == 4 and art["cluster_id"].n_unique() == 1
    rows = pl.read_parquet(f"{warehouse}/current/runs/*.parquet")
    first = rows.sort("started_at").row(0, named=True)
    assert first["deployment"] == "every-minute"
    assert first["flow_run_id"] in {r["id"] for r in st.runs_of(dep["id"]) if r["auto_scheduled"]}

    # Two more triggers at once: the deployment's concurrency limit makes one wait visibly.
    ids = [st.create_run(dep["id"])["id"] for _ in range(2)]
    deadline = time.monotonic() + 240
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = {i: httpx.get(f"{st.api}/flow_runs/{i}", timeout=10).json()["state"]["type"] for i in ids}
        if all(v in ("COMPLETED", "FAILED", "CRASHED") for v in states.values()):
            break
        time.sleep(2)
    assert set(states.values()) == {"COMPLETED"}, states
    names = {
        i: [h["name"] for h in httpx.get(f"{st.api}/flow_run_states/", params={"flow_run_id": i}, timeout=10).json()]
        for i in ids
    }
    assert any("AwaitingConcurrencySlot" in n for n in names.values()), names
    # The waiting one started within seconds of the slot freeing (Prefect alone retries every 30 s).
    done = sorted((httpx.get(f"{st.api}/flow_runs/{i}", timeout=10).json() for i in ids), key=lambda r: r["start_time"])
    gap = datetime.fromisoformat(done[1]["start_time"]) - datetime.fromisoformat(done[0]["end_time"])
    assert gap.total_seconds() < 15, gap


def test_custom_run_form_explains_refuses_and_runs(prefect_stack, request):
    from playwright.sync_api import expect, sync_playwright

    st = prefect_stack
    default_wh = st.tmp / "default-warehouse"
    dep = st.serve("ui-test", "--paused", "--inputs", str(SEEDS), "--warehouse", str(default_wh))
    fixture = SEEDS / "syndicated"
    warehouse = st.tmp / "ui-warehouse"
    assert dep["paused"] is True and dep["schedules"][0]["schedule"]["cron"] == "0 * * * *"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{st.ui}/deployments/deployment/{dep['id']}")
            expect(page.get_by_text("ui-test").first).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Run", exact=True).click()
            page.get_by_text("Custom run").click()
            expect(page.get_by_text("Parameters").first).to_be_visible(timeout=30_000)
            # Every parameter explains itself: description, bounds and unit.
            expect(
                page.get_by_text("Verified Jaccard at or above which two bodies are the same story. (range (0.0, 1.0])")
            ).to_be_visible()
            expect(page.get_by_text(re.compile(r"unit: MB"))).to_have_count(3)
            # Grouped, titled in words, the common ones first.
            titles = [
                "Inputs and warehouse · Inputs",
                "Near-duplicates · Similarity threshold",
                "Cleaning · Fewest words in an article (words)",
                "Work units · Largest work unit (MB)",
                "Limits · Longest wait for the warehouse lock (seconds)",
            ]
            ys = []
            for title in titles:
                label = page.get_by_text(re.compile("^" + re.escape(title) + r"( \(Optional\))?$")).first
                expect(label).to_be_visible()
                ys.append(label.bounding_box()["y"])
            assert ys == sorted(ys), list(zip(titles, ys, strict=True))
            expect(page.get_by_text("Progress", exact=True)).to_have_count(0)  # terminal-only: not in the form
            boxes = page.locator("textarea")
            expect(boxes.first).to_have_value(str(SEEDS), timeout=30_000)  # the served default
            boxes.nth(0).fill(str(fixture))
            expect(boxes.nth(1)).to_have_value(str(default_wh))
            boxes.nth(1).fill(str(warehouse))
            threshold = page.locator("input[type=number]").first
            expect(threshold).to_have_value("0.5")
            # Out of range: refused by the server before any run exists.
            threshold.fill("1.7")
            page.get_by_role("button", name="Submit").click()
            expect(
                page.get_by_text(re.compile(r"params\.threshold.*1\.7 is greater than the maximum of 1")).first
            ).to_be_visible(timeout=30_000)
            assert st.runs_of(dep["id"]) == []
            threshold.fill("0.5")
            threshold.blur()  # the form commits a number on change; a click racing the edit once submitted nothing
            expect(threshold).to_have_value("0.5")
            page.get_by_role("button", name="Submit").click()
            deadline = time.monotonic() + 30
            while not st.runs_of(dep["id"]) and time.monotonic() < deadline:
                time.sleep(1)
            if not st.runs_of(dep["id"]):  # still on the form: submit once more (never twice a run)
                page.get_by_role("button", name="Submit").click()
            final = page.get_by_text(re.compile(r"^(Completed|Failed|Crashed|Cancelled)$")).first
            expect(final).to_be_visible(timeout=300_000)
            assert final.inner_text() == "Completed", (st.tmp / "serve-ui-test.log").read_text()[-3000:]
            page.screenshot(path=str(st.tmp / "completed.png"))
            # The trends artifact shows its chart (an inline PNG) in the UI.
            (trend,) = st.post("/artifacts/filter", {"artifacts": {"key": {"any_": ["newsclean-trends"]}}}).json()
            assert "data:image/png;base64," in trend["data"]
            page.goto(f"{st.ui}/artifacts/artifact/{trend['id']}")
            chart = page.locator("img[alt^='articles, duplicates and rejects']").first
            expect(chart).to_be_visible(timeout=60_000)
            assert chart.evaluate("img => img.naturalWidth") == 720
            expect(page.get_by_text("Trends over the last 1 runs")).to_be_visible()
        except Exception:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()

    # The run used the parameters typed into the form: its tables are in the custom warehouse.
    art = pl.read_parquet(f"{warehouse}/current/articles/*.parquet")
    assert art.height == 4 and art["cluster_id"].n_unique() == 1 and art["is_canonical"].sum() == 1
    assert not default_wh.exists()
    runs = st.runs_of(dep["id"])
    assert [r["state"]["type"] for r in runs] == ["COMPLETED"]
    # The flow run is named after the newsclean run, tagged with its warehouse, and the runs table points back.
    row = pl.read_parquet(f"{warehouse}/current/runs/*.parquet").row(0, named=True)
    assert runs[0]["name"] == f"ingest-{row['run_id']}" and f"warehouse:{warehouse}" in runs[0]["tags"]
    assert row["flow_run_id"] == runs[0]["id"] and row["deployment"] == "ui-test"
    arts = httpx.post(
        f"{st.api}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["ingest-report", "ingest-counts"]}}},
        timeout=10,
    ).json()
    by_key = {a["key"]: a for a in arts}
    assert "Largest clusters" in by_key["ingest-report"]["data"]
    assert "Rotterdam" in by_key["ingest-report"]["data"] and "Per site" in by_key["ingest-report"]["data"]
    assert by_key["ingest-counts"]["type"] == "table"
    # The run's event, with its counts, is on the server for automations to match (events arrive async).
    payloads: list[dict] = []
    deadline = time.monotonic() + 60
    while not payloads and time.monotonic() < deadline:
        events = httpx.post(
            f"{st.api}/events/filter", json={"filter": {"event": {"name": ["newsclean.run.completed"]}}}, timeout=10
        ).json()
        payloads = [e["payload"] for e in events.get("events", []) if e["payload"].get("run_id") == row["run_id"]]
        time.sleep(1 if not payloads else 0)
    assert payloads and payloads[0]["n_articles"] == 4 and payloads[0]["n_rejects"] == 0
    # A run started through the API with invalid parameters fails with one line naming the field.
    bad = st.create_run(
        dep["id"],
        {
            "parameters": {"params": {"inputs": [str(fixture)], "warehouse": str(warehouse), "min_words": -3}},
            "enforce_parameter_schema": False,
        },
    )
    deadline = time.monotonic() + 120
    state = {}
    while time.monotonic() < deadline:
        state = httpx.get(f"{st.api}/flow_runs/{bad['id']}", timeout=10).json()["state"]
        if state["type"] in ("FAILED", "CRASHED", "COMPLETED"):
            break
        time.sleep(2)
    assert state["type"] == "FAILED" and "min_words" in state["message"], state
    logs: list[dict] = []
    deadline = time.monotonic() + 60
    while not any("min_words" in entry["message"] for entry in logs) and time.monotonic() < deadline:
        time.sleep(1)  # run logs reach the server in batches
        logs = st.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [bad["id"]]}}}).json()
    assert any("min_words" in entry["message"] for entry in logs), logs
    assert not any("Traceback" in entry["message"] for entry in logs), logs
