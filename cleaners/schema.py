"""THE table contract: every warehouse table's columns, dtypes and meaning.

Writers call `conform(df, table)` before writing; tests and the README read `TABLES`.
Bump `SCHEMA_VERSION` when a column changes meaning or type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa
from polars._typing import PolarsDataType

SCHEMA_VERSION = 5
"""Written into every snapshot (`_snapshot.json`); 3: cluster ids follow the whole cluster (re-labelled),
`duplicates.run_id` is the run of the duplicate article; 5: the raw store (`raw_records`, `raw_pages`),
which a version that does not know it would leave out of its next snapshot."""

UTC_TS = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class Column:
    """One column of the contract: name, type, meaning, nullability."""

    name: str
    dtype: pl.DataType
    doc: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    """One table of the contract: its columns, description and whether it is public."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    public: bool = True
    """Internal tables (band index, site profiles) serve later runs, not downstream readers."""

    @property
    def schema(self) -> pl.Schema:
        """The Polars schema of the table."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Column names in contract order."""
        return [c.name for c in self.columns]


def _t(name: str, doc: str, *cols: tuple[Any, ...], public: bool = True) -> Table:
    return Table(name, doc, tuple(Column(*c) for c in cols), public)


S, I32, I64, U64, F64, B = pl.String, pl.Int32, pl.Int64, pl.UInt64, pl.Float64, pl.Boolean

ARTICLES = _t(
    "articles",
    "One row per accepted document: the clean body plus metadata and its near-duplicate cluster.",
    (
        "doc_id",
        S,
        "Stable id: hash of (source, the record's own id if any, raw_hash); an unchanged record keeps "
        "it, changed bytes are a new document (a new version).",
        False,
    ),
    ("run_id", S, "Run that ingested the document.", False),
    ("source", S, "Absolute path of the input file.", False),
    ("source_id", S, "JSONL `id` or WARC-Record-ID; null for files without one."),
    ("locator", S, "Where in the file: `line:N`, `offset:N`, or `file` (null in rows written before schema 4)."),
    ("url", S, "Page URL (JSONL `url`, WARC target URI, or the page's canonical link)."),
    ("domain", S, "Host of `url` without `www.`; sites are profiled per domain (inputs without a URL: per folder)."),
    ("site_name", S, "Site name from page metadata (og:site_name, publisher), when the page has one."),
    ("title", S, "Headline (trafilatura metadata, or the first line of a .txt dump)."),
    ("author", S, "Byline (metadata, or a 'By NAME • DATE' line removed from the body)."),
    (
        "published_at",
        UTC_TS,
        "Publication time in UTC when known: the input's own field (any valid date), else "
        "page markup (meta tags, <time>, URL), else a dateline in the body (1990-2100 only).",
    ),
    (
        "published_precision",
        S,
        "`date` when the source gave a day only (then `published_at` is that day at 00:00 UTC), `datetime` "
        "when it gave a time too; null without a date.",
    ),
    ("language", S, "ISO 639-1 language of `text` (py3langid); null when the body is too short to tell."),
    ("page_type", S, "What the page is: `article`, or a type kept with `page_types` (see the README)."),
    ("page_type_score", F64, "P(article) from the page-type model; null for inputs without markup (text)."),
    (
        "extraction",
        S,
        "Which candidate body `text` was cleaned from: `trafilatura`, `readability` (the readability-lxml body "
        "trafilatura computes), `merged` (trafilatura's lines plus readability's the judge backs), or `text` for "
        "inputs without markup; chosen per page by the arbitration model. Null in rows written before this column.",
    ),
    (
        "text",
        S,
        "Clean, normalized article body; paragraphs separated by '\\n'. The body alone: the headline "
        "is in `title` (keep_headline puts it back as the first line where the page shows it).",
        False,
    ),
    (
        "n_words",
        I32,
        "Words in `text`: whitespace-separated tokens; in scripts written without spaces (Chinese, "
        "Japanese, Thai...) one word per 2 characters.",
        False,
    ),
    ("content_hash", S, "SHA-1 of `text` (exact-duplicate key).", False),
    (
        "raw_hash",
        S,
        "xxh3-128 of the record's raw bytes (file, JSON line or WARC payload): its content identity.",
        False,
    ),
    ("cluster_id", S, "Near-duplicate cluster: the doc_id of the cluster's canonical article.", False),
    ("is_canonical", B, "True for exactly one article per cluster.", False),
    ("ingested_at", UTC_TS, "When the run that wrote this row committed.", False),
    (
        "settings_fingerprint",
        S,
        "Fingerprint of the settings it was cleaned with (as in `runs`); null in rows written before this column.",
    ),
    (
        "cleaner_version",
        S,
        "Hash of the cleaning code it was cleaned with (the `cleaners` package and its models); null in rows "
        "written before this column. Rows of other settings or code are what `newsclean reclean` renews.",
    ),
)

DUPLICATES = _t(
    "duplicates",
    "One row per non-canonical article: which canonical copy it duplicates and how closely.",
    ("doc_id", S, "The duplicate article.", False),
    ("cluster_id", S, "Its cluster (as in `articles`).", False),
    ("canonical_doc_id", S, "The cluster's canonical article.", False),
    ("similarity", F64, "Exact Jaccard of the two bodies' word-shingle sets.", False),
    ("containment", F64, "Exact overlap / size of the smaller shingle set.", False),
    ("run_id", S, "Run that ingested the duplicate article.", False),
)

REMOVED_LINES = _t(
    "removed_lines",
    "Every body line the cleaner dropped, with the rule that dropped it (the audit trail).",
    ("doc_id", S, "Article (or rejected document) the line came from.", False),
    ("position", I32, "0-based line index in the extracted, normalized body.", False),
    ("line", S, "The removed line.", False),
    ("rule", S, "Dotted rule name, e.g. `subscribe.prompt` or `site.repeated`.", False),
    ("run_id", S, "Run that removed it.", False),
)

REJECTS = _t(
    "rejects",
    "Every input that could not become an article, and why: nothing is silently lost.",
    ("doc_id", S, "Stable id of the document (same hash as `articles.doc_id`).", False),
    ("source", S, "Absolute path of the input file.", False),
    ("source_id", S, "JSONL `id` or WARC-Record-ID when known."),
    ("locator", S, "Where in the file: `line:N`, `offset:N`, or `file`.", False),
    ("stage", S, "Stage that rejected it: read, decode, extract or clean.", False),
    ("reason", S, "Machine-readable reason, e.g. `empty`, `not_html`, `too_short`.", False),
    ("detail", S, "Human-readable detail."),
    ("raw_hash", S, "xxh3-128 of the record's raw bytes; null when they could not be read (e.g. `unreadable`)."),
    ("page_type", S, "What the page is (`listing`, `forum`, `product` ...) for a `not_an_article` reject; else null."),
    ("page_type_score", F64, "For a `not_an_article` reject, 1 - P(article) from the page-type model."),
    ("run_id", S, "Run that rejected it.", False),
)

RUNS = _t(
    "runs",
    "One row per committed run: parameters, counts and timings.",
    ("run_id", S, "Run id (UTC start time + random suffix).", False),
    ("started_at", UTC_TS, "Start time.", False),
    ("finished_at", UTC_TS, "Commit time.", False),
    ("newsclean_version", S, "Library version.", False),
    ("settings_fingerprint", S, "Hash of every cleaning/dedup setting.", False),
    ("parameters", S, "Run parameters as JSON.", False),
    ("n_files", I64, "Input files read.", False),
    ("n_documents", I64, "Documents seen in the inputs.", False),
    ("n_skipped", I64, "Documents skipped because an earlier run already stored them.", False),
    ("n_articles", I64, "Rows added to `articles`.", False),
    ("n_duplicates", I64, "Rows added to `duplicates`.", False),
    ("n_clusters", I64, "Distinct clusters among this run's articles.", False),
    ("n_rejects", I64, "Rows added to `rejects`.", False),
    ("n_removed_lines", I64, "Rows added to `removed_lines`.", False),
    ("seconds", F64, "Wall time of the run.", False),
    (
        "n_files_skipped",
        I64,
        "Input files skipped unread: same path, size, mtime, ctime and inode as a file stored before.",
        False,
    ),
    ("n_bad_dates", I64, "Articles whose input `published_at` could not be parsed (logged; date then guessed).", False),
    ("flow_run_id", S, "Prefect flow-run id of the run."),
    ("deployment", S, "Prefect deployment that started the run (null for `newsclean run`)."),
    (
        "status",
        S,
        "`completed`; `failed` (the run stopped with an error before its commit; its counts are 0) or "
        "`crashed` (its process was killed; recorded by the next run). Null in rows written before "
        "this column: completed.",
    ),
    ("error", S, "Why a failed or crashed run stopped, in one line; null for completed runs."),
    ("cleaner_version", S, "Hash of the cleaning code of the run (as in `articles`); null before this column."),
    (
        "kind",
        S,
        "`ingest` (a run of inputs) or `reclean` (`newsclean reclean` derived the stored documents again "
        "from the raw store). Null in rows written before this column: ingest.",
    ),
)

LSH_BANDS = _t(
    "lsh_bands",
    "Internal: one row per (article, LSH band) so later runs find candidates by join.",
    ("doc_key", U64, "`doc_id` as an unsigned integer.", False),
    ("band_key", U64, "Hash of (band index, the band's MinHash rows).", False),
    ("run_id", S, "Run that stored it.", False),
    public=False,
)

SITE_LINES = _t(
    "site_lines",
    "Internal: short lines seen per domain and page, to learn site-wide boilerplate across runs.",
    ("domain", S, "Site the line was seen on: the page's domain, or `folder:` + the input file's folder.", False),
    ("line_hash", U64, "Hash of the normalized line.", False),
    (
        "page_hash",
        U64,
        "The page's content: hash of its longest body line (a repost under another headline is the "
        "same page), else of its title, else doc_id.",
        False,
    ),
    ("line", S, "The line itself (for inspection).", False),
    ("run_id", S, "Run that saw it.", False),
    public=False,
)

FILES = _t(
    "files",
    "Internal: the manifest of input files a run read completely, so unchanged files are skipped unread.",
    ("source", S, "Absolute path of the input file.", False),
    ("size", I64, "Size in bytes when the run read it.", False),
    ("mtime_ns", I64, "Modification time (ns) when the run read it.", False),
    ("ctime_ns", I64, "Status-change time (ns): a rewrite with the same size and mtime (`cp -p`) changes it."),
    ("inode", I64, "Inode number: a file replaced by another (`rsync -a`, `mv`) has a new one."),
    ("n_records", I64, "Records (documents and rejects) the file held.", False),
    ("n_transient", I64, "Rejects of the file that may pass (corrupt, unreadable, timeout): retried later."),
    ("run_id", S, "Run that read it.", False),
    public=False,
)

RAW_RECORDS = _t(
    "raw_records",
    "Internal: every stored document's place and its input's own fields, to derive it again from `raw_pages`.",
    ("doc_id", S, "The document (as in `articles` or `rejects`).", False),
    ("raw_hash", S, "Its content in `raw_pages`.", False),
    ("source", S, "Input file.", False),
    ("source_id", S, "The record's own id in its input (JSON Lines `id`, WARC record id)."),
    ("locator", S, "Where in the input file (line number, WARC offset, or `file`).", False),
    ("url", S, "URL the input gave."),
    ("fmt", S, "Input format the record was read as (`html`, `txt`).", False),
    ("key", S, "Identity key of the record's own id ('' when it has none; see `doc_id`).", False),
    ("published_at", S, "The input's own `published_at` field, as given."),
    ("title", S, "The input's own `title` field, as given."),
    ("run_id", S, "Run that stored it.", False),
    public=False,
)

RAW_PAGES = _t(
    "raw_pages",
    "Internal: the raw content of every stored document, once per `raw_hash` (zstd-compressed Parquet).",
    ("raw_hash", S, "xxh3-128 of the record's raw bytes (as in `articles.raw_hash`).", False),
    (
        "content_kind",
        S,
        "`html_bytes` (a file or WARC payload, as read), `html_str` or `text` (UTF-8 of the input's string).",
        False,
    ),
    ("content", pl.Binary, "The content.", False),
    ("run_id", S, "Run that stored it first (a later run that reads the same bytes refers to this row).", False),
    public=False,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (ARTICLES, DUPLICATES, REMOVED_LINES, REJECTS, RUNS, LSH_BANDS, SITE_LINES, FILES, RAW_RECORDS, RAW_PAGES)
}


class SchemaError(ValueError):
    """A frame does not match its table's contract."""


COMPLETED_RUN = pl.col("status").fill_null("completed") == "completed"
"""`runs` rows of runs that committed their data (failed and crashed runs are rows too)."""
INGEST_RUN = COMPLETED_RUN & (pl.col("kind").fill_null("ingest") == "ingest")
"""Completed runs of inputs, not re-cleans: what reports, trends and alerts compare a run with."""
IDLE_RUN = (
    COMPLETED_RUN
    & (pl.col("n_documents") == pl.col("n_skipped"))
    & (pl.col("n_rejects") == 0)
    & (pl.col("n_articles") == 0)
)
"""`runs` rows of runs that found nothing new: no document, article or reject added."""


def empty(table: str) -> pl.DataFrame:
    """An empty frame with the table's exact schema."""
    return pl.DataFrame(schema=TABLES[table].schema)


def arrow_schema(table: str) -> pa.Schema:
    """The table's Arrow schema with the contract's nullability: a column the contract says is
    never null is written `required` in Parquet, so DuckDB, pyarrow and Spark see it too."""
    spec = TABLES[table]
    fields = empty(table).to_arrow().schema
    return pa.schema([fields.field(c.name).with_nullable(c.nullable) for c in spec.columns])


def with_new_columns(df: pl.DataFrame, table: str) -> pl.DataFrame:
    """`df` (rows of a file written before some nullable columns existed) with those columns as nulls."""
    spec = TABLES[table]
    added = [pl.lit(None, c.dtype).alias(c.name) for c in spec.columns if c.nullable and c.name not in df.columns]
    return df.with_columns(added) if added else df


def conform(df: pl.DataFrame, table: str) -> pl.DataFrame:
    """Select, order and cast `df`'s columns to the table contract; fail loudly on drift."""
    spec = TABLES[table]
    missing = [c for c in spec.names if c not in df.columns]
    extra = [c for c in df.columns if c not in spec.names]
    if missing or extra:
        raise SchemaError(f"{table}: missing columns {missing}, unexpected columns {extra}")
    out = df.select([pl.col(c.name).cast(c.dtype, strict=True) for c in spec.columns])
    required = [c.name for c in spec.columns if not c.nullable]
    if out.height and required:
        nulls = out.select(pl.col(required).null_count()).row(0, named=True)
        bad = {k: v for k, v in nulls.items() if v}
        if bad:
            raise SchemaError(f"{table}: nulls in non-nullable columns {bad}")
    return out


def markdown() -> str:
    """The contract as Markdown (pasted into the README; a test keeps them in sync)."""
    parts = []
    for t in TABLES.values():
        kind = "" if t.public else " (internal)"
        parts.append(f"#### `{t.name}`{kind}\n\n{t.doc}\n\n| column | type | null | meaning |\n|---|---|---|---|")
        for c in t.columns:
            parts.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else 'no'} | {c.doc} |")
        parts.append("")
    return "\n".join(parts)


# --- intermediate frames: what a batch writes and finalize reads (not published) -----------------

DOCS_SCHEMA: dict[str, PolarsDataType] = {
    "doc_id": pl.String,
    "source": pl.String,
    "source_id": pl.String,
    "locator": pl.String,
    "url": pl.String,
    "domain": pl.String,
    "title": pl.String,
    "author": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "published_precision": pl.String,
    "lines": pl.List(pl.String),
    "positions": pl.List(pl.Int32),
    "line_hashes": pl.List(pl.UInt64),
    "page_hash": pl.UInt64,
    "raw_hash": pl.String,
    "site_name": pl.String,
    "language": pl.String,
    "date_error": pl.String,
    "page_type": pl.String,
    "page_type_score": pl.Float64,
    "extraction": pl.String,
}
REMOVED_SCHEMA: dict[str, PolarsDataType] = {
    "doc_id": pl.String,
    "position": pl.Int32,
    "line": pl.String,
    "rule": pl.String,
}
REJECTS_SCHEMA: dict[str, PolarsDataType] = {
    "doc_id": pl.String,
    "source": pl.String,
    "source_id": pl.String,
    "locator": pl.String,
    "stage": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "raw_hash": pl.String,
    "page_type": pl.String,
    "page_type_score": pl.Float64,
}
PROFILE_SCHEMA: dict[str, PolarsDataType] = {
    "domain": pl.String,
    "line_hash": pl.UInt64,
    "page_hash": pl.UInt64,
    "line": pl.String,
}
RAW_SCHEMA: dict[str, PolarsDataType] = {
    **{c.name: c.dtype for c in RAW_RECORDS.columns if c.name != "run_id"},
    **{c.name: c.dtype for c in RAW_PAGES.columns if c.name in ("content_kind", "content")},
}
"""A batch's raw rows: the `raw_records` columns but `run_id`, with the page's content beside them."""
KINDS: dict[str, dict[str, PolarsDataType]] = {  # batch output kind -> its schema
    "docs": DOCS_SCHEMA,
    "removed": REMOVED_SCHEMA,
    "rejects": REJECTS_SCHEMA,
    "profile": PROFILE_SCHEMA,
    "raw": RAW_SCHEMA,
}
