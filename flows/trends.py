"""The `newsclean-trends` artifact: articles, duplicates and rejects per run and per top site.

Read from the warehouse after each commit (`frames`), drawn with matplotlib (`chart_png`) and
published as one Markdown artifact (`markdown`): the chart inline as a PNG, and the numbers
behind it as tables, so an hourly run's history is one click away in the Prefect UI.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import polars as pl

from cleaners.schema import INGEST_RUN
from flows.warehouse import Warehouse

TREND_RUNS = 48
"""Runs the trends look back over (two days of hourly runs)."""
TOP_SITES = 5
"""Sites drawn one line each: those with the most articles over the trend's runs."""
TABLE_RUNS = 12
"""Most recent runs listed in the table under the chart."""


@dataclass(frozen=True)
class Trends:
    """The runs (oldest first: run_id, finished_at, new, n_articles, n_duplicates, n_rejects)
    and the top sites' articles per run (run_id, domain, articles)."""

    runs: pl.DataFrame
    sites: pl.DataFrame


def frames(wh: Warehouse, n: int = TREND_RUNS) -> Trends:
    """The last `n` committed runs and their top sites, read from the warehouse."""
    runs = (
        wh.scan("runs")
        .filter(INGEST_RUN)
        .sort("finished_at")
        .tail(n)
        .select(
            "run_id",
            "finished_at",
            (pl.col("n_documents") - pl.col("n_skipped")).alias("new"),
            "n_articles",
            "n_duplicates",
            "n_rejects",
        )
        .collect()
    )
    per_site = (
        wh.scan("articles")
        .filter(pl.col("run_id").is_in(runs["run_id"].to_list()) & pl.col("domain").is_not_null())
        .group_by("run_id", "domain")
        .agg(pl.len().alias("articles"))
        .collect()
    )
    top = (
        per_site.group_by("domain")
        .agg(pl.col("articles").sum())
        .sort(["articles", "domain"], descending=[True, False])
        .head(TOP_SITES)["domain"]
    )
    return Trends(runs, per_site.filter(pl.col("domain").is_in(top.to_list())))


def chart_png(t: Trends) -> bytes:
    """Two panels over the runs: articles, duplicates and rejects; articles of the top sites."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    x = list(range(t.runs.height))
    labels = [f"{ts:%m-%d %H:%M}" for ts in t.runs["finished_at"]]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True, constrained_layout=True)
    for col, name in (("n_articles", "articles"), ("n_duplicates", "duplicates"), ("n_rejects", "rejects")):
        top.plot(x, t.runs[col].to_list(), marker="o", markersize=3, label=name)
    top.set_ylabel("per run")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    top.set_title(f"newsclean: the last {t.runs.height} runs", fontsize=10)
    order = {r: i for i, r in enumerate(t.runs["run_id"].to_list())}
    for domain in sorted(set(t.sites["domain"].to_list())):
        s = t.sites.filter(pl.col("domain") == domain)
        counts = dict(zip(s["run_id"].to_list(), s["articles"].to_list(), strict=True))
        bottom.plot(x, [counts.get(r, 0) for r in order], marker=".", label=domain)
    bottom.set_ylabel("articles per site")
    if t.sites.height:
        bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    step = max(1, len(x) // 8)
    bottom.set_xticks(x[::step], labels[::step], rotation=30, fontsize=7)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def markdown(t: Trends, png: bytes) -> str:
    """The artifact: the chart inline, the latest runs and the top sites as tables."""
    out = [
        f"# Trends over the last {t.runs.height} runs",
        "",
        f"![articles, duplicates and rejects per run](data:image/png;base64,{base64.b64encode(png).decode()})",
        "",
        "| run | finished (UTC) | new documents | articles | duplicates | rejects |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in t.runs.tail(TABLE_RUNS).reverse().iter_rows(named=True):
        out.append(
            f"| {r['run_id']} | {r['finished_at']:%Y-%m-%d %H:%M} | {r['new']} | {r['n_articles']} "
            f"| {r['n_duplicates']} | {r['n_rejects']} |"
        )
    if t.sites.height:
        totals = t.sites.group_by("domain").agg(pl.col("articles").sum()).sort("articles", descending=True)
        last = t.runs["run_id"][-1]
        latest = dict(t.sites.filter(pl.col("run_id") == last).select("domain", "articles").iter_rows())
        out += ["", "| site | articles over these runs | in the last run |", "|---|---:|---:|"]
        out += [f"| {d} | {n} | {latest.get(d, 0)} |" for d, n in totals.iter_rows()]
    return "\n".join(out) + "\n"
