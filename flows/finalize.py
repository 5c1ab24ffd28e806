"""Stage two: the run's batches -> site-line stripping -> dedup against history -> staged tables.

`finalize` is seven named steps, each reading what it needs once and timed by one `Timings`:

1. `load`: the batches' document ids and rejects; first copies, repeats, what is stored already;
2. `learn_site_lines`: this run's short lines plus every earlier run's -> the site boilerplate;
3. `build_parts`: per batch part file, site lines stripped, final bodies (scratch `final/`), rejects;
4. `find_duplicates`: MinHash/LSH against this run and the stored band index, in parts;
5. `stage_tables`: every table of the run into staging (articles joined to their clusters);
6. `stage_raw` (`flows/raw_store.py`): the raw records and new content of what the run stores;
7. `summarize`: the counts and the report's material (`StagedRun`).

Streams: batch part files (a few thousand documents each) are processed one at a time, and
dedup works in parts of `DedupConfig.part_docs` documents (band keys staged per part) and reads
the finished bodies back in chunks, so memory holds per-document ids and assignments, one part's
band keys, never the whole run's text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cleaners.articles import build_articles, duplicate_record_rejects, first_copies
from cleaners.config import Settings
from cleaners.dedup import DedupResult, History, dedup_in_parts
from cleaners.executor import Executor
from cleaners.records import ROUTINE_REASONS, RejectReason
from cleaners.rules import SITE_RULE
from cleaners.schema import empty
from cleaners.sites import site_boilerplate, site_expr
from flows.batches import scan_parts
from flows.dask_executor import dask_executor
from flows.raw_store import stage_raw
from flows.run_record import cleaner_version
from flows.summaries import ArticleChange, SiteCounts, StagedRun
from flows.warehouse import Warehouse, write_parquet_atomic

SITE_ROWS = 20
NO_DOMAIN = "(no domain)"
"""The site row of documents without a URL or folder."""
LARGEST_CLUSTERS = 10
REPORT_ARTICLES = 25
"""Most of a run's articles listed by name in its report."""
FINAL_SCHEMA = pl.Schema(
    [
        ("doc_id", pl.String()),
        ("text", pl.String()),
        ("published_at", pl.Datetime("us", "UTC")),
        ("n_words", pl.Int32()),
    ]
)
"""What dedup reads of a final body when the run has none."""


class Timings:
    """Seconds per named step: `with timings.step("load"): ...`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step `name`."""
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - t, 3)


@dataclass
class Loaded:
    """The batches' documents, read once: ids and places, which to keep, their rejects."""

    ids: pl.DataFrame
    """doc_id, domain, page_hash, date_error, source, locator, ord (row order over the part files)."""
    keep: pl.DataFrame
    repeated: pl.DataFrame
    rejects: pl.DataFrame
    n_seen: int
    n_skipped: int


@dataclass
class Bodies:
    """The run's final bodies (part files in scratch), their rejects and removed lines."""

    files: list[Path]
    metadata: pl.DataFrame
    """doc_id, title, domain, page_hash, published_at of every final body (read once)."""
    rejects: pl.DataFrame
    removed: pl.DataFrame

    def bodies(self) -> pl.LazyFrame:
        """doc_id, text, published_at, n_words of the final bodies, streamed from their files."""
        if not self.files:
            return pl.DataFrame(schema=FINAL_SCHEMA).lazy()
        return pl.scan_parquet([str(f) for f in self.files]).select(list(FINAL_SCHEMA))


def load(wh: Warehouse, batch_dirs: list[Path], refused: pl.DataFrame | None) -> Loaded:
    """Ids and rejects of every batch, the first copy of each new id, what is stored already."""
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
    n_seen = ids.height + rej_all.height
    n_skipped = n_seen - keep.height - rejects.height - repeated.height
    return Loaded(ids, keep, repeated, rejects, n_seen, n_skipped)


def learn_site_lines(
    wh: Warehouse, batch_dirs: list[Path], keep: pl.DataFrame, settings: Settings
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(this run's profile rows of kept pages, the site boilerplate lines: domain, line_hash).

    A line is boilerplate on a site when it is on `site_min_pages` distinct pages of it, this
    run's and every earlier run's together.
    """
    pages = keep.select(site_expr().alias("domain"), "page_hash").unique()
    profile = (
        scan_parts(batch_dirs, "profile")
        .join(pages.lazy(), on=["domain", "page_hash"], how="semi")
        .unique(["domain", "line_hash", "page_hash"])
        .collect()
    )
    boiler = site_boilerplate(
        pl.concat(
            [
                wh.scan("site_lines").select("domain", "line_hash", "page_hash"),
                profile.lazy().select("domain", "line_hash", "page_hash"),
            ]
        ),
        settings.boilerplate.site_min_pages,
    )
    if SITE_RULE not in settings.boilerplate.rules:
        boiler = boiler.clear()  # switched off: profiles are still kept for later runs
    return profile, boiler


def build_parts(batch_dirs: list[Path], loaded: Loaded, boiler: pl.DataFrame, min_words: int, out: Path) -> Bodies:
    """Per batch part file: the kept documents' final bodies (written to `out`), rejects, removed lines."""
    shutil.rmtree(out, ignore_errors=True)
    keep_ord = loaded.keep.select("ord")
    site_removed, rejects, files, meta = [], [loaded.rejects], [], []
    offset = 0
    for k, f in enumerate(p for d in batch_dirs for p in sorted((d / "docs").glob("*.parquet"))):
        raw = pl.read_parquet(f).with_row_index("ord", offset=offset)
        offset += raw.height
        if loaded.repeated.height:
            rejects.append(duplicate_record_rejects(raw, loaded.repeated))
        part = raw.join(keep_ord, on="ord", how="semi").drop("ord")
        if not part.height:
            continue
        built = build_articles(part, boiler, min_words)
        site_removed.append(built.site_removed.with_columns(pl.col("position").cast(pl.Int32)))
        rejects.append(built.rejects)
        if built.articles.height:
            files.append(out / f"part-{k:05d}.parquet")
            write_parquet_atomic(built.articles, files[-1])
            meta.append(built.articles.select("doc_id", "title", "domain", "source", "page_hash", "published_at"))
    # Removed lines of every document this run owns, articles and too-short rejects alike.
    removed = pl.concat(
        [
            scan_parts(batch_dirs, "removed")
            .join(loaded.keep.lazy().select("doc_id"), on="doc_id", how="semi")
            .collect(),
            *site_removed,
        ]
    ).unique(["doc_id", "position"], keep="first", maintain_order=True)
    metadata = (
        pl.concat(meta)
        if meta
        else pl.DataFrame(
            schema={
                "doc_id": pl.String,
                "title": pl.String,
                "domain": pl.String,
                "source": pl.String,
                "page_hash": pl.UInt64,
                "published_at": pl.Datetime("us", "UTC"),
            }
        )
    )
    return Bodies(files, metadata, pl.concat(rejects, how="vertical_relaxed"), removed)


def find_duplicates(
    wh: Warehouse,
    built: Bodies,
    settings: Settings,
    run_id: str,
    log: Callable[[str], None] | None,
    executor: Executor | None = None,
) -> DedupResult:
    """Clusters of the final bodies against this run and every stored article, in parts.

    With an `executor` (a Dask cluster) the history's band files are joined one group of files a
    task, so they are given one scan each.
    """
    stored: pl.LazyFrame | list[pl.LazyFrame] = wh.scan("lsh_bands")
    if executor is not None:
        stored = wh.file_scans("lsh_bands") or stored
    history = History(
        bands=stored,
        articles=wh.scan("articles").select("doc_id", "text", "cluster_id", "published_at", "n_words"),
    )
    parts = -(-built.metadata.height // settings.dedup.part_docs)
    t = time.perf_counter()

    def keep_bands(bands: pl.DataFrame, part: int) -> pl.LazyFrame:
        path = wh.stage(run_id, "lsh_bands", bands.with_columns(pl.lit(run_id).alias("run_id")), part)
        if log is not None and parts > 1:
            log(f"near-duplicates: part {part + 1} of {parts} done ({time.perf_counter() - t:.0f} s)")
        return pl.scan_parquet(path)

    return dedup_in_parts(built.bodies(), settings.dedup, history, keep_bands, executor)


def stage_tables(
    wh: Warehouse,
    run_id: str,
    built: Bodies,
    result: DedupResult,
    profile: pl.DataFrame,
    rejects: pl.DataFrame,
    cleaned_with: tuple[str, str] = ("", ""),
) -> None:
    """Write every table of the run to staging; relabels of stored articles go with them.

    `cleaned_with` is (settings fingerprint, cleaner version), written on every article row.
    """
    run = pl.lit(run_id).alias("run_id")
    now = pl.lit(datetime.now(UTC)).alias("ingested_at")
    fingerprint, version = cleaned_with
    how = [pl.lit(fingerprint).alias("settings_fingerprint"), pl.lit(version).alias("cleaner_version")]
    for k, f in enumerate(built.files):
        articles = pl.read_parquet(f).join(result.assignments, on="doc_id", how="left").with_columns(run, now, *how)
        wh.stage(run_id, "articles", articles.drop("page_hash"), part=k)  # columns in contract order
    if not built.files:
        wh.stage(run_id, "articles", empty("articles"))
    final_pages = built.metadata.select(site_expr().alias("domain"), "page_hash").unique()
    wh.stage(run_id, "duplicates", result.duplicates.with_columns(run))
    wh.stage_relabels(run_id, result.relabels, result.relabel_duplicates)
    wh.stage(run_id, "removed_lines", built.removed.with_columns(run))
    wh.stage(run_id, "rejects", rejects.with_columns(run))
    wh.stage(run_id, "site_lines", profile.join(final_pages, on=["domain", "page_hash"], how="semi").with_columns(run))


def _site_counts(built: Bodies, result: DedupResult, rejects: pl.DataFrame, ids: pl.DataFrame) -> list[SiteCounts]:
    """Per-domain counts of this run (articles, duplicates, rejects, removed lines), largest first."""
    no_domain = pl.col("domain").fill_null(NO_DOMAIN)
    arts = built.metadata.select("doc_id", "domain").join(result.assignments, on="doc_id").with_columns(no_domain)
    domains = ids.select("doc_id", "domain").unique("doc_id")
    per = arts.group_by("domain").agg(pl.len().alias("articles"), (~pl.col("is_canonical")).sum().alias("duplicates"))
    routine = pl.col("reason").is_in(sorted(ROUTINE_REASONS))
    rej = (
        rejects.join(domains, on="doc_id", how="left")
        .with_columns(no_domain)
        .group_by("domain")
        .agg(pl.len().alias("rejects"), (~routine).sum().alias("failed"))
    )
    rem = (
        built.removed.join(domains, on="doc_id", how="left")
        .with_columns(no_domain)
        .group_by("domain")
        .agg(pl.len().alias("lines_removed"))
    )
    out = (
        per.join(rej, on="domain", how="full", coalesce=True)
        .join(rem, on="domain", how="full", coalesce=True)
        .with_columns(pl.exclude("domain").fill_null(0))
        .sort(["articles", "rejects", "domain"], descending=[True, True, False])
        .head(SITE_ROWS)
    )
    return [
        SiteCounts(**r)
        for r in out.select("domain", "articles", "duplicates", "rejects", "failed", "lines_removed").to_dicts()
    ]


def _largest_clusters(built: Bodies, result: DedupResult) -> list[tuple[str, str | None, int]]:
    """The largest clusters with a title: the canonical's, else any member's that has one."""
    sizes = result.assignments.group_by("cluster_id").len("size")
    top = sizes.sort(["size", "cluster_id"], descending=[True, False]).head(LARGEST_CLUSTERS)
    members = built.metadata.select("doc_id", "title").join(result.assignments, on="doc_id")
    titles = top.join(
        members.sort(pl.col("doc_id") != pl.col("cluster_id"))
        .group_by("cluster_id")
        .agg(pl.col("title").drop_nulls().first()),
        on="cluster_id",
        how="left",
    )
    rows = titles.sort(["size", "cluster_id"], descending=[True, False]).select("cluster_id", "title", "size").rows()
    return [(str(c), t, int(n)) for c, t, n in rows]


def article_changes(wh: Warehouse, built: Bodies, result: DedupResult) -> list[ArticleChange]:
    """Up to REPORT_ARTICLES of the run's articles, new versions of stored inputs first (read
    before the run's own rows are published)."""
    if not built.metadata.height:
        return []
    sources = built.metadata["source"].unique().to_list()
    stored = wh.scan("articles").filter(pl.col("source").is_in(sources)).select("source").unique().collect()
    rows = (
        built.metadata.select("doc_id", "title", "domain", "source")
        .join(result.assignments.select("doc_id", "is_canonical"), on="doc_id", how="left")
        .with_columns(pl.col("source").is_in(stored["source"].to_list()).alias("revised"))
        .sort(["revised", "domain", "title"], descending=[True, False, False], nulls_last=True)
        .head(REPORT_ARTICLES)
    )
    return [
        ArticleChange(r["title"], r["domain"], r["source"], bool(r["revised"]), r["is_canonical"] is not False)
        for r in rows.iter_rows(named=True)
    ]


def summarize(
    loaded: Loaded,
    built: Bodies,
    result: DedupResult,
    rejects: pl.DataFrame,
    timings: Timings,
    articles: list[ArticleChange] | None = None,
) -> StagedRun:
    """The staged run's counts and the report's material."""
    sizes = result.assignments.group_by("cluster_id").len("size")
    bad_dates = loaded.keep.join(built.metadata.select("doc_id"), on="doc_id", how="semi").filter(
        pl.col("date_error").is_not_null()
    )
    return StagedRun(
        n_documents=loaded.n_seen,
        n_skipped=loaded.n_skipped,
        n_articles=built.metadata.height,
        n_duplicates=result.duplicates.height,
        n_clusters=sizes.height,
        n_rejects=rejects.height,
        n_removed_lines=built.removed.height,
        n_bad_dates=bad_dates.height,
        n_relabelled=result.relabels.height,
        bad_dates=[
            (str(s), str(lc), str(e))
            for s, lc, e in bad_dates.select("source", "locator", "date_error").head(20).rows()
        ],
        dedup=dict(result.stats),
        timings=dict(timings.seconds),
        reject_reasons=dict(rejects.group_by("reason").len().iter_rows()),
        rules=dict(built.removed.group_by("rule").len().sort("len", descending=True).iter_rows()),
        cluster_sizes=dict(sizes.group_by("size").len("clusters").sort("size").iter_rows()),
        sites=_site_counts(built, result, rejects, loaded.ids) if built.files else [],
        largest_clusters=_largest_clusters(built, result) if built.files else [],
        articles=articles or [],
    )


def finalize(
    wh: Warehouse,
    batch_dirs: list[Path],
    settings: Settings,
    run_id: str,
    refused: pl.DataFrame | None = None,
    log: Callable[[str], None] | None = None,
    keep_raw: bool = True,
    dask_address: str = "",
) -> StagedRun:
    """Build and stage every table for the run; returns its counts and per-step timings.

    `log` gets a line per dedup part of a large run (the flow passes its run logger);
    `keep_raw` stages the raw records and content of every document the run stores;
    `dask_address` runs dedup's sketching, history join and verification on that cluster.
    """
    timings = Timings()
    with timings.step("load"):
        loaded = load(wh, batch_dirs, refused)
    with timings.step("site_profile"):
        profile, boiler = learn_site_lines(wh, batch_dirs, loaded.keep, settings)
    with timings.step("finalize_text"):
        built = build_parts(batch_dirs, loaded, boiler, settings.extract.min_words, wh.scratch(run_id) / "final")
    with timings.step("dedup"), dask_executor(dask_address) as executor:
        result = find_duplicates(wh, built, settings, run_id, log, executor)
    with timings.step("write"):
        changes = article_changes(wh, built, result)
        cleaned_with = (settings.fingerprint(), cleaner_version())
        stage_tables(wh, run_id, built, result, profile, built.rejects, cleaned_with)
    raw = None
    if keep_raw:
        with timings.step("raw"):
            stored = pl.concat([built.metadata["doc_id"], built.rejects["doc_id"]])
            raw = stage_raw(wh, run_id, batch_dirs, stored)
    summary = dataclasses.replace(summarize(loaded, built, result, built.rejects, timings, changes), raw=raw)
    for f in built.files:
        f.unlink(missing_ok=True)
    return summary
