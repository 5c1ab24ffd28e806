"""Stage two: the run's batches -> site-line stripping -> dedup against history -> staged tables."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from cleaners.boilerplate import site_boilerplate, strip_site_lines
from cleaners.config import Settings
from cleaners.dedup import History, dedup
from flows.batches import scan_parts
from flows.warehouse import Warehouse


def _sha1(texts: pl.Series) -> pl.Series:
    return pl.Series([hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts.to_list()],
                     dtype=pl.String)


def finalize(wh: Warehouse, batch_dirs: list[Path], settings: Settings, run_id: str) -> dict:
    """Build and stage every table for the run; returns counts and per-step timings."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    existing = pl.concat([wh.scan("articles").select("doc_id"), wh.scan("rejects").select("doc_id")]).unique()
    docs_all = scan_parts(batch_dirs, "docs").collect()
    rej_all = scan_parts(batch_dirs, "rejects").collect()
    n_seen = docs_all.height + rej_all.height
    docs = docs_all.join(existing.collect(), on="doc_id", how="anti")
    rejects = rej_all.join(existing.collect(), on="doc_id", how="anti")
    # The same id twice in this run's inputs (e.g. a JSONL `id` repeated): first one wins.
    dup_ids = docs.filter(pl.col("doc_id").is_duplicated() & ~pl.col("doc_id").is_first_distinct())
    docs = docs.unique("doc_id", keep="first", maintain_order=True)
    rejects = rejects.unique("doc_id", keep="first", maintain_order=True).join(docs.select("doc_id"), on="doc_id", how="anti")
    n_skipped = n_seen - docs.height - rejects.height - dup_ids.height
    removed = scan_parts(batch_dirs, "removed").collect().join(docs.select("doc_id"), on="doc_id", how="semi").unique(
        ["doc_id", "position"], keep="first", maintain_order=True)
    timings["load"] = time.perf_counter() - t

    # --- site-level boilerplate: this run's pages plus every earlier run's profile -------------
    t = time.perf_counter()
    profile_now = (
        scan_parts(batch_dirs, "profile").collect()
        .join(docs.select("domain", "page_hash").unique(), on=["domain", "page_hash"], how="semi")
        .unique(["domain", "line_hash", "page_hash"])
    )
    history_profile = wh.scan("site_lines").select("domain", "line_hash", "page_hash")
    boiler = site_boilerplate(
        pl.concat([history_profile, profile_now.lazy().select("domain", "line_hash", "page_hash")]),
        settings.boilerplate.site_min_pages,
    )
    docs, site_removed = strip_site_lines(docs, boiler)
    removed = pl.concat([removed, site_removed.with_columns(pl.col("position").cast(pl.Int32))])
    timings["site_lines"] = time.perf_counter() - t

    # --- final bodies; too-short ones become rejects -------------------------------------------
    t = time.perf_counter()
    docs = docs.with_columns(pl.col("lines").list.join("\n").alias("text")).with_columns(
        pl.col("text").str.count_matches(r"\S+").cast(pl.Int32).alias("n_words")
    )
    short = docs.filter(pl.col("n_words") < settings.extract.min_words)
    docs = docs.filter(pl.col("n_words") >= settings.extract.min_words)
    rejects = pl.concat([
        rejects,
        short.select(
            "doc_id", "source", "source_id", "locator", pl.lit("clean").alias("stage"),
            pl.when(pl.col("n_words") == 0).then(pl.lit("only_boilerplate")).otherwise(pl.lit("too_short")).alias("reason"),
            pl.format("{} words after cleaning < min_words {}", pl.col("n_words"), pl.lit(settings.extract.min_words)).alias("detail"),
        ),
        dup_ids.select("doc_id", "source", "source_id", "locator", pl.lit("read").alias("stage"),
                       pl.lit("duplicate_id").alias("reason"), pl.lit("same id as an earlier record in this run").alias("detail")),
    ], how="vertical_relaxed")
    docs = docs.with_columns(_sha1(docs["text"]).alias("content_hash"))
    timings["finalize_text"] = time.perf_counter() - t

    # --- near-duplicates against this run and every earlier run -------------------------------
    t = time.perf_counter()
    history = History(
        bands=wh.scan("lsh_bands").select("doc_key", "band_key"),
        articles=wh.scan("articles").select("doc_id", "text", "cluster_id", "published_at", "n_words"),
    )
    result = dedup(docs.select("doc_id", "text", "published_at", "n_words"), settings.dedup, history)
    timings["dedup"] = time.perf_counter() - t

    # --- stage tables --------------------------------------------------------------------------
    t = time.perf_counter()
    now = datetime.now(timezone.utc)
    run = pl.lit(run_id)
    articles = docs.join(result.assignments, on="doc_id", how="left").select(
        "doc_id", run.alias("run_id"), "source", "source_id", "url", "domain", "title", "author", "published_at",
        "text", "n_words", "content_hash", "cluster_id", "is_canonical", pl.lit(now).alias("ingested_at"),
    )
    wh.stage(run_id, "articles", articles)
    wh.stage(run_id, "duplicates", result.duplicates.with_columns(run.alias("run_id")))
    wh.stage(run_id, "removed_lines", removed.with_columns(run.alias("run_id")))
    wh.stage(run_id, "rejects", rejects.with_columns(run.alias("run_id")))
    wh.stage(run_id, "lsh_bands", result.bands.with_columns(run.alias("run_id")))
    wh.stage(run_id, "site_lines", profile_now.join(docs.select("domain", "page_hash").unique(),
                                                   on=["domain", "page_hash"], how="semi")
             .with_columns(run.alias("run_id")))
    timings["write"] = time.perf_counter() - t

    n_clusters = articles["cluster_id"].n_unique() if articles.height else 0
    return {
        "n_documents": n_seen,
        "n_skipped": n_skipped,
        "n_articles": articles.height,
        "n_duplicates": result.duplicates.height,
        "n_clusters": n_clusters,
        "n_rejects": rejects.height,
        "n_removed_lines": removed.height,
        "dedup": result.stats,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "reject_reasons": dict(rejects.group_by("reason").len().iter_rows()),
        "rules": dict(removed.group_by("rule").len().sort("len", descending=True).iter_rows()),
        "cluster_sizes": dict(articles.group_by("cluster_id").len("size").group_by("size").len("clusters")
                              .sort("size").iter_rows()) if articles.height else {},
        "largest_clusters": articles.filter(pl.col("is_canonical")).join(
            articles.group_by("cluster_id").len(), on="cluster_id").sort("len", descending=True)
            .head(10).select("cluster_id", "title", "len").rows() if articles.height else [],
    }
