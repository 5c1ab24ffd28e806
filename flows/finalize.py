"""Stage two: the run's batches -> site-line stripping -> dedup against history -> staged tables.

Streams: batch part files (a few thousand documents each) are processed one at a time, and
dedup works in parts of `DedupConfig.part_docs` documents (band keys staged per part) and reads
the finished bodies back in chunks, so memory holds per-document ids and assignments, one part's
band keys, never the whole run's text.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.articles import build_articles, duplicate_record_rejects, first_copies
from cleaners.config import Settings
from cleaners.dedup import History, dedup_in_parts
from cleaners.records import RejectReason
from cleaners.rules import SITE_RULE
from cleaners.schema import empty
from cleaners.sites import site_boilerplate, site_expr
from flows.batches import scan_parts
from flows.warehouse import STAGING, Warehouse, write_parquet_atomic

SITE_ROWS = 20


def _site_counts(
    final: pl.LazyFrame, assignments: pl.DataFrame, removed: pl.DataFrame, rejects: pl.DataFrame, ids: pl.DataFrame
) -> list[dict[str, Any]]:
    """Per-domain counts of this run (articles, duplicates, rejects, removed lines), largest first."""
    arts = final.select("doc_id", "domain").collect().join(assignments, on="doc_id")
    domains = ids.select("doc_id", "domain").unique("doc_id")
    per = arts.group_by("domain").agg(pl.len().alias("articles"), (~pl.col("is_canonical")).sum().alias("duplicates"))
    rej = rejects.join(domains, on="doc_id", how="left").group_by("domain").agg(pl.len().alias("rejects"))
    rem = removed.join(domains, on="doc_id", how="left").group_by("domain").agg(pl.len().alias("lines_removed"))
    out = (
        per.join(rej, on="domain", how="full", coalesce=True)
        .join(rem, on="domain", how="full", coalesce=True)
        .with_columns(pl.col("domain").fill_null("(no domain)"), pl.exclude("domain").fill_null(0))
        .sort(["articles", "rejects", "domain"], descending=[True, True, False])
        .head(SITE_ROWS)
    )
    return out.select("domain", "articles", "duplicates", "rejects", "lines_removed").to_dicts()


def finalize(
    wh: Warehouse,
    batch_dirs: list[Path],
    settings: Settings,
    run_id: str,
    refused: pl.DataFrame | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build and stage every table for the run; returns counts and per-step timings.

    `log` gets a line per dedup part of a large run (the flow passes its run logger).
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    doc_files = [p for d in batch_dirs for p in sorted((d / "docs").glob("*.parquet"))]
    # Batches skip stored records already; this catches a run that committed in the meantime.
    existing = wh.stored_ids().select("doc_id").unique().collect()
    ids = (
        scan_parts(batch_dirs, "docs")
        .select("doc_id", "domain", "page_hash", "date_error", "source", "locator")
        .with_row_index("ord")
        .collect()
    )
    rej_all = scan_parts(batch_dirs, "rejects").collect()
    if refused is not None and refused.height:
        # Refused before reading, they carry no content: one row per problem, not one per run.
        told = wh.scan("rejects").select("doc_id").collect()
        rej_all = pl.concat([rej_all, refused.join(told, on="doc_id", how="anti")], how="vertical_relaxed")
    n_seen = ids.height + rej_all.height
    keep, repeated = first_copies(ids, existing)
    # A batch turns a record it already cleaned into a duplicate_record reject before any work;
    # it shares the id of the copy that is kept, so it is not matched against the kept ids.
    repeat = pl.col("reason") == RejectReason.DUPLICATE_RECORD.value
    rejects = pl.concat(
        [
            rej_all.filter(~repeat)
            .join(existing, on="doc_id", how="anti")
            .join(keep.select("doc_id"), on="doc_id", how="anti")
            .unique("doc_id", keep="first", maintain_order=True),
            rej_all.filter(repeat),
        ]
    )
    n_skipped = n_seen - keep.height - rejects.height - repeated.height
    timings["load"] = time.perf_counter() - t

    # --- site-level boilerplate: this run's pages plus every earlier run's profile -------------
    t = time.perf_counter()
    pages = keep.select(site_expr().alias("domain"), "page_hash").unique()
    profile_now = (
        scan_parts(batch_dirs, "profile")
        .join(pages.lazy(), on=["domain", "page_hash"], how="semi")
        .unique(["domain", "line_hash", "page_hash"])
        .collect()
    )
    boiler = site_boilerplate(
        pl.concat(
            [
                wh.scan("site_lines").select("domain", "line_hash", "page_hash"),
                profile_now.lazy().select("domain", "line_hash", "page_hash"),
            ]
        ),
        settings.boilerplate.site_min_pages,
    )
    if SITE_RULE not in settings.boilerplate.rules:
        boiler = boiler.clear()  # switched off: profiles are still kept for later runs
    timings["site_profile"] = time.perf_counter() - t

    # --- per part: strip site lines, final bodies, too-short rejects --------------------------
    t = time.perf_counter()
    final_dir = wh.root / STAGING / run_id / "_final"
    shutil.rmtree(final_dir, ignore_errors=True)
    keep_ord = keep.select("ord")
    site_removed, extra_rejects, offset, n_final = [], [], 0, 0
    for k, f in enumerate(doc_files):
        raw = pl.read_parquet(f).with_row_index("ord", offset=offset)
        offset += raw.height
        if repeated.height:
            extra_rejects.append(duplicate_record_rejects(raw, repeated))
        part = raw.join(keep_ord, on="ord", how="semi").drop("ord")
        if not part.height:
            continue
        built = build_articles(part, boiler, settings.extract.min_words)
        site_removed.append(built.site_removed)
        extra_rejects.append(built.rejects)
        if built.articles.height:
            write_parquet_atomic(built.articles, final_dir / f"part-{k:05d}.parquet")
            n_final += built.articles.height
    rejects = pl.concat([rejects, *extra_rejects], how="vertical_relaxed")
    final = (
        pl.scan_parquet(str(final_dir / "*.parquet"))
        if n_final
        else pl.DataFrame(
            schema={
                "doc_id": pl.String,
                "text": pl.String,
                "published_at": pl.Datetime("us", "UTC"),
                "n_words": pl.Int32,
            }
        ).lazy()
    )
    # Removed lines of every document this run owns, articles and too-short rejects alike.
    removed = pl.concat(
        [
            scan_parts(batch_dirs, "removed").join(keep.lazy().select("doc_id"), on="doc_id", how="semi").collect(),
            *[r.with_columns(pl.col("position").cast(pl.Int32)) for r in site_removed],
        ]
    ).unique(["doc_id", "position"], keep="first", maintain_order=True)
    timings["finalize_text"] = time.perf_counter() - t

    # --- near-duplicates against this run and every earlier run -------------------------------
    t = time.perf_counter()
    history = History(
        bands=wh.scan("lsh_bands").select("doc_key", "band_key"),
        articles=wh.scan("articles").select("doc_id", "text", "cluster_id", "published_at", "n_words"),
    )

    parts = -(-n_final // settings.dedup.part_docs)

    def keep_bands(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
        path = wh.stage(run_id, "lsh_bands", bands.with_columns(pl.lit(run_id).alias("run_id")), part)
        if log is not None and parts > 1:
            log(f"near-duplicates: part {part + 1} of {parts} done ({time.perf_counter() - t:.0f} s)")
        return pl.scan_parquet(path)

    result = dedup_in_parts(
        final.select("doc_id", "text", "published_at", "n_words"), settings.dedup, history, keep_bands
    )
    timings["dedup"] = time.perf_counter() - t

    # --- stage tables --------------------------------------------------------------------------
    t = time.perf_counter()
    now = datetime.now(UTC)
    run = pl.lit(run_id)
    final_files = sorted(final_dir.glob("*.parquet")) if n_final else []
    for k, f in enumerate(final_files):
        articles = (
            pl.read_parquet(f)
            .join(result.assignments, on="doc_id", how="left")
            .with_columns(run.alias("run_id"), pl.lit(now).alias("ingested_at"))
            .drop("page_hash")  # column order comes from the contract (`conform` in `stage`)
        )
        wh.stage(run_id, "articles", articles, part=k)
    if not final_files:
        wh.stage(run_id, "articles", empty("articles"))
    sizes = result.assignments.group_by("cluster_id").len("size")
    top = sizes.sort(["size", "cluster_id"], descending=[True, False]).head(10)
    if n_final:
        # A cluster is shown with its canonical's title, else any member's that has one.
        members = final.select("doc_id", "title").collect().join(result.assignments, on="doc_id")
        titles = top.join(
            members.sort(pl.col("doc_id") != pl.col("cluster_id"))
            .group_by("cluster_id")
            .agg(pl.col("title").drop_nulls().first()),
            on="cluster_id",
            how="left",
        ).select(pl.col("cluster_id").alias("doc_id"), "title", "size")
        sites = _site_counts(final, result.assignments, removed, rejects, ids)
    else:
        titles = pl.DataFrame(schema={"doc_id": pl.String, "title": pl.String, "size": pl.UInt32})
        sites = []
    final_pages = (
        final.select(site_expr().alias("domain"), "page_hash").unique().collect() if n_final else pages.clear()
    )
    bad_dates = (
        keep.join(final.select("doc_id").collect(), on="doc_id", how="semi").filter(pl.col("date_error").is_not_null())
        if n_final
        else keep.clear()
    )
    shutil.rmtree(final_dir, ignore_errors=True)
    wh.stage(run_id, "duplicates", result.duplicates.with_columns(run.alias("run_id")))
    wh.stage_relabels(run_id, result.relabels, result.relabel_duplicates)
    wh.stage(run_id, "removed_lines", removed.with_columns(run.alias("run_id")))
    wh.stage(run_id, "rejects", rejects.with_columns(run.alias("run_id")))
    wh.stage(
        run_id,
        "site_lines",
        profile_now.join(final_pages, on=["domain", "page_hash"], how="semi").with_columns(run.alias("run_id")),
    )
    timings["write"] = time.perf_counter() - t

    return {
        "n_documents": n_seen,
        "n_bad_dates": bad_dates.height,
        "bad_dates": bad_dates.select("source", "locator", "date_error").head(20).rows(),
        "n_skipped": n_skipped,
        "n_articles": n_final,
        "n_duplicates": result.duplicates.height,
        "n_relabelled": result.relabels.height,
        "n_clusters": sizes.height,
        "n_rejects": rejects.height,
        "n_removed_lines": removed.height,
        "dedup": result.stats,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "reject_reasons": dict(rejects.group_by("reason").len().iter_rows()),
        "rules": dict(removed.group_by("rule").len().sort("len", descending=True).iter_rows()),
        "cluster_sizes": dict(sizes.group_by("size").len("clusters").sort("size").iter_rows()),
        "sites": sites,
        "largest_clusters": titles.sort(["size", "doc_id"], descending=[True, False])
        .select("doc_id", "title", "size")
        .rows(),
    }
