"""Cleaned documents -> article rows: the run's first copy of each record, site lines out, length rules.

Pure frame functions (no I/O) that `flows/finalize.py` applies part by part: which records
are new (`first_copies`), the rejects for repeats (`duplicate_record_rejects`), and the
article rows of one part of cleaned documents (`build_articles`: site-learned lines removed,
text joined, words counted, too-short bodies rejected, content hashed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from cleaners.language import n_words_expr
from cleaners.records import RejectReason, Stage
from cleaners.schema import ARTICLES
from cleaners.sites import strip_site_lines

RUN_LEVEL = ("run_id", "cluster_id", "is_canonical", "ingested_at", "settings_fingerprint", "cleaner_version")
"""`articles` columns set when the run is staged; the others are built per document (ARTICLE_FIELDS)."""
ARTICLE_FIELDS = [c for c in ARTICLES.names if c not in RUN_LEVEL] + ["page_hash"]
"""Columns of an article row before dedup (`page_hash` is kept for the site-line profile)."""


def content_hash(texts: pl.Series) -> pl.Series:
    """SHA-1 hex of each body (the `content_hash` column)."""
    return pl.Series(
        [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts.to_list()], dtype=pl.String
    )


def reject_rows(df: pl.DataFrame, stage: Stage, reason: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    """Reject rows (the batch `rejects` frame) for the documents of `df`."""
    return df.select(
        "doc_id",
        "source",
        "source_id",
        "locator",
        pl.lit(stage.value).alias("stage"),
        reason.alias("reason"),
        detail.alias("detail"),
        "raw_hash",
        "page_type",
        "page_type_score",
    )


def first_copies(ids: pl.DataFrame, stored: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, repeated) rows of `ids` (doc_id, ord, ...): not stored yet, first copy of each doc_id wins.

    The same record twice in one run's inputs (an identical JSON line, or a JSONL `id`
    repeated with the same bytes) is one document; the later copies are `repeated`.
    """
    fresh = ids.join(stored, on="doc_id", how="anti")
    kept = fresh.unique("doc_id", keep="first", maintain_order=True)
    repeated = fresh.join(kept.select("ord"), on="ord", how="anti")
    return kept, repeated


def duplicate_record_rejects(part: pl.DataFrame, repeated: pl.DataFrame) -> pl.DataFrame:
    """`duplicate_record` rejects for the rows of `part` (with `ord`) that repeat an earlier record."""
    again = part.join(repeated.select("ord"), on="ord", how="semi")
    return reject_rows(
        again,
        Stage.READ,
        pl.lit(RejectReason.DUPLICATE_RECORD.value),
        pl.lit(RejectReason.DUPLICATE_RECORD.meaning),
    )


@dataclass(frozen=True)
class Built:
    """One part's article rows, the site lines removed from them, and the too-short rejects."""

    articles: pl.DataFrame
    site_removed: pl.DataFrame
    rejects: pl.DataFrame


def build_articles(docs: pl.DataFrame, site_lines: pl.DataFrame, min_words: int) -> Built:
    """Article rows (ARTICLE_FIELDS) of cleaned documents (the batch `docs` frame).

    Site-learned lines (`site_lines`: domain, line_hash) are removed, the body is the kept
    lines joined by newlines, `n_words` counts words (scripts without spaces: one per two
    characters), and a body under `min_words` words, or empty whatever `min_words` says, is a
    `too_short` / `only_boilerplate` reject instead of an article.
    """
    docs, site_removed = strip_site_lines(docs, site_lines)
    docs = docs.with_columns(pl.col("lines").list.join("\n").alias("text")).with_columns(
        n_words_expr("text").alias("n_words")
    )
    too_short = (pl.col("n_words") < min_words) | (pl.col("n_words") == 0)
    short = docs.filter(too_short)
    rejects = reject_rows(
        short,
        Stage.CLEAN,
        pl.when(pl.col("n_words") == 0)
        .then(pl.lit(RejectReason.ONLY_BOILERPLATE.value))
        .otherwise(pl.lit(RejectReason.TOO_SHORT.value)),
        pl.format("{} words after cleaning < min_words {}", pl.col("n_words"), pl.lit(min_words)),
    )
    articles = docs.filter(~too_short)
    articles = articles.with_columns(content_hash(articles["text"]).alias("content_hash")).select(ARTICLE_FIELDS)
    return Built(articles, site_removed, rejects)
