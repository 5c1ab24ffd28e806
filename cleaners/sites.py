"""Site-level learning: lines repeated across many pages of one domain are boilerplate (`site.repeated`).

Polars frames across a run's documents and the warehouse's history: each page contributes
its short lines to a per-domain profile (`site_profile_rows`), a line seen on enough distinct
pages is learned (`site_boilerplate`), and learned lines are removed from the run's
documents (`strip_site_lines`), never more than SITE_MAX_SHARE of one article.

A page's site is its domain; an input without a URL (a plain-text dump, a JSON Lines record
with no `url`) has none, so its site is the folder its file is in (`site_of`): dumps of one
source kept in one folder learn their repeated lines like the pages of one domain do.
"""

from __future__ import annotations

import re

import polars as pl
import xxhash

from cleaners.rules import SITE_RULE


class _DigitsToZero(dict[int, str]):
    """A str.translate table: a character for which str.isdigit() holds -> "0", any other -> itself.

    Filled as characters are seen (one Python call per distinct character, then C lookups), so
    no process pays for a table of all of Unicode.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = "0" if ch.isdigit() else ch
        self[code] = out
        return out


_DIGITS_TO_ZERO = _DigitsToZero()


def line_key(line: str) -> int:
    """Stable 64-bit key of a line, insensitive to case and digits (dates, counters).

    Keys are stored (`site_lines`), so this must never change: case-fold, every `isdigit`
    character to "0", xxh3-64 of the UTF-8.
    """
    folded = line.casefold().translate(_DIGITS_TO_ZERO)
    return xxhash.xxh3_64_intdigest(folded.encode("utf-8", "surrogatepass"))


PAGE_KEY_MIN_WORDS = 12
SITE_MAX_SHARE = 0.5
"""Site learning never removes more than this share of one article's words: if the lines it
learned would, the article keeps them all (they are its body, reposted, not boilerplate)."""


def page_key(title: str | None, lines: list[str], fallback: int) -> int:
    """Which page a line was seen on, for counting a line's pages: the page's content, not its URL.

    The longest body line (of 12+ words) stands for the content: boilerplate lines are short, and
    a story reposted under another headline or URL keeps its longest paragraph, so the reposts
    count as one page and their body is never learned as site boilerplate. Pages without such
    a line fall back to the title, then to `fallback` (the document's own key).
    """
    longest = max(lines, key=len, default="")
    if longest.count(" ") + 1 >= PAGE_KEY_MIN_WORDS:
        return line_key("body:" + longest)
    return line_key("title:" + title) if title else fallback


FOLDER_SITE = "folder:"
"""Prefix of the site of an input without a URL: the folder of its file (`site_of`)."""
_LAST_PART = r"/[^/]*$"


def site_of(domain: str | None, source: str) -> str:
    """The site a page is profiled under: its domain, else `folder:` + its file's folder."""
    return domain or FOLDER_SITE + re.sub(_LAST_PART, "", source)


def site_expr() -> pl.Expr:
    """`site_of` over a frame's `domain` and `source` columns."""
    folder = pl.lit(FOLDER_SITE) + pl.col("source").str.replace(_LAST_PART, "")
    return pl.when(pl.col("domain").fill_null("") != "").then(pl.col("domain")).otherwise(folder)


def site_profile_rows(site: str, page_key: int, lines: list[str], max_words: int) -> list[tuple[str, int, int, str]]:
    """(site, line_hash, page_hash, line) for each short line of one page, deduplicated (the
    profile's `domain` column holds the site, see `site_of`)."""
    seen: set[int] = set()
    rows = []
    for line in lines:
        if line.count(" ") + 1 > max_words:
            continue
        k = line_key(line)
        if k not in seen:
            seen.add(k)
            rows.append((site, k, page_key, line))
    return rows


def site_boilerplate(profile: pl.LazyFrame | pl.DataFrame, min_pages: int) -> pl.DataFrame:
    """(domain, line_hash) pairs seen on at least `min_pages` distinct pages of that domain."""
    return (
        profile.lazy()
        .group_by("domain", "line_hash")
        .agg(pl.col("page_hash").n_unique().alias("n_pages"))
        .filter(pl.col("n_pages") >= min_pages)
        .select("domain", "line_hash")
        .collect()
    )


def strip_site_lines(docs: pl.DataFrame, boiler: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Remove site-boilerplate lines from `docs` (doc_id, domain, source, lines, positions, line_hashes),
    matched to `boiler` (domain = the site, see `site_of`, line_hash).

    Returns the docs with `lines`/`positions` filtered and the removed rows
    (doc_id, position, line, rule).
    """
    exploded = (
        docs.select("doc_id", site_expr().alias("_site"), "lines", "positions", "line_hashes")
        .explode("lines", "positions", "line_hashes")
        .drop_nulls("lines")
        .join(
            boiler.with_columns(pl.lit(True).alias("_boiler")),
            left_on=["_site", "line_hashes"],
            right_on=["domain", "line_hash"],
            how="left",
        )
    )
    # A document whose learned lines would be most of its words keeps them all (SITE_MAX_SHARE).
    words = pl.col("lines").str.count_matches(r"\S+")
    share = exploded.group_by("doc_id").agg(
        (words.filter(pl.col("_boiler").fill_null(False)).sum() / words.sum().clip(lower_bound=1)).alias("_share")
    )
    exploded = exploded.join(share, on="doc_id", how="left").with_columns(
        pl.when(pl.col("_share") > SITE_MAX_SHARE).then(pl.lit(None)).otherwise(pl.col("_boiler")).alias("_boiler")
    )
    removed = exploded.filter(pl.col("_boiler").fill_null(False)).select(
        "doc_id",
        pl.col("positions").alias("position"),
        pl.col("lines").alias("line"),
        pl.lit(SITE_RULE).alias("rule"),
    )
    kept = (
        exploded.filter(~pl.col("_boiler").fill_null(False))
        .group_by("doc_id", maintain_order=True)
        .agg(pl.col("lines"), pl.col("positions"), pl.col("line_hashes"))
    )
    out = (
        docs.drop("lines", "positions", "line_hashes")
        .join(kept, on="doc_id", how="left")
        .with_columns(
            pl.col("lines").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("positions").fill_null(pl.lit([], dtype=pl.List(pl.Int32))),
            pl.col("line_hashes").fill_null(pl.lit([], dtype=pl.List(pl.UInt64))),
        )
    )
    return out, removed
