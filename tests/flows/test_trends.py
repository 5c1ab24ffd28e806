"""The trends artifact (flows/trends.py): runs and top sites read from a real warehouse, drawn to a PNG."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime, timedelta

import polars as pl

from cleaners.schema import empty
from flows import trends
from flows.warehouse import Warehouse
from tests.warehouse_rows import plain_row


def _run(wh: Warehouse, k: int, sites: dict[str, int], rejects: int) -> str:
    run_id = f"2026120{k}T000000Z-00000{k}"
    arts = [
        plain_row("articles", doc_id=f"{run_id}-{d}-{i}", run_id=run_id, domain=d, cluster_id=f"{run_id}-{d}-{i}")
        for d, n in sites.items()
        for i in range(n)
    ]
    when = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=k)
    runs = plain_row(
        "runs", run_id=run_id, finished_at=when, started_at=when, n_documents=len(arts) + rejects, n_skipped=0,
        n_articles=len(arts), n_duplicates=0, n_rejects=rejects, status="completed", kind="ingest",
    )  # fmt: skip
    wh.stage(run_id, "articles", pl.DataFrame(arts, schema=empty("articles").schema))
    wh.stage(run_id, "runs", pl.DataFrame([runs], schema=empty("runs").schema))
    wh.commit(run_id, {"run_id": run_id})
    return run_id


def test_trends_read_the_last_runs_and_the_top_sites(tmp_path, monkeypatch):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    monkeypatch.setattr(trends, "TOP_SITES", 2)
    ids = [
        _run(wh, 1, {"a.example": 3, "b.example": 1, "c.example": 2}, rejects=1),
        _run(wh, 2, {"a.example": 2, "c.example": 2}, rejects=0),
        _run(wh, 3, {"b.example": 1}, rejects=4),
    ]
    t = trends.frames(wh, n=2)  # the last two runs only
    assert t.runs["run_id"].to_list() == ids[1:]
    assert t.runs["n_rejects"].to_list() == [0, 4] and t.runs["new"].to_list() == [4, 5]
    assert sorted(set(t.sites["domain"])) == ["a.example", "c.example"]  # top 2 over those runs
    text = trends.markdown(t, trends.chart_png(t))
    assert "# Trends over the last 2 runs" in text
    assert f"| {ids[2]} | 2026-12-01 03:00 | 5 | 1 | 0 | 4 |" in text
    assert "| a.example | 2 | 0 |" in text and "| c.example | 2 | 0 |" in text
    png = base64.b64decode(re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)\)", text).group(1))
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (720, 440)


def test_an_empty_warehouse_still_draws(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_root()
    t = trends.frames(wh)
    assert t.runs.height == 0 and trends.chart_png(t).startswith(b"\x89PNG")
