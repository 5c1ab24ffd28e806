"""Article rows (cleaners/articles.py): first copies, repeats, site lines stripped, short bodies rejected."""

from __future__ import annotations

import polars as pl

from cleaners.articles import ARTICLE_FIELDS, build_articles, duplicate_record_rejects, first_copies
from cleaners.schema import DOCS_SCHEMA

BODY = [f"Sentence number {i} tells the reader what the harbour council decided about the ferry." for i in range(5)]


def _docs(rows: list[dict]) -> pl.DataFrame:
    base = {k: None for k in DOCS_SCHEMA}
    full = []
    for r in rows:
        lines = r.get("lines", BODY)
        full.append(
            {
                **base,
                "source": "feed.jsonl",
                "domain": "harbour.example",
                "positions": list(range(len(lines))),
                "line_hashes": [hash(x) & 0xFFFF for x in lines],
                "page_hash": 1,
                **r,
                "lines": lines,
            }
        )
    return pl.DataFrame(full, schema=DOCS_SCHEMA)


def test_first_copies_keep_the_first_of_each_new_id_and_name_the_repeats():
    ids = pl.DataFrame({"doc_id": ["a", "b", "a", "c", "a"], "ord": [0, 1, 2, 3, 4]})
    kept, repeated = first_copies(ids, pl.DataFrame({"doc_id": ["c"]}))
    assert kept["ord"].to_list() == [0, 1] and repeated["ord"].to_list() == [2, 4]
    part = _docs([{"doc_id": "a"}, {"doc_id": "b"}, {"doc_id": "a"}]).with_row_index("ord")
    rej = duplicate_record_rejects(part, pl.DataFrame({"ord": [2]}, schema={"ord": pl.UInt32}))
    assert rej.select("doc_id", "stage", "reason").rows() == [("a", "read", "duplicate_record")]


def test_build_articles_strips_site_lines_counts_words_and_rejects_short_or_empty_bodies():
    tagline = "The Harbour Times, since 1898."
    docs = _docs(
        [
            {"doc_id": "long", "lines": [*BODY, tagline], "line_hashes": [1, 2, 3, 4, 5, 99]},
            {"doc_id": "short", "lines": ["Only a few words here."], "line_hashes": [7]},
            {"doc_id": "empty", "lines": [tagline], "line_hashes": [99]},
            {"doc_id": "ja", "lines": ["東京都は二十五日、港湾の再開発計画を発表した。" * 3], "line_hashes": [8]},
        ]
    )
    site = pl.DataFrame(
        {"domain": ["harbour.example"], "line_hash": [99]}, schema={"domain": pl.String, "line_hash": pl.UInt64}
    )
    built = build_articles(docs, site, min_words=20)
    arts = {r["doc_id"]: r for r in built.articles.iter_rows(named=True)}
    assert built.articles.columns == ARTICLE_FIELDS
    assert set(arts) == {"long", "ja"}
    assert arts["long"]["text"] == "\n".join(BODY) and arts["long"]["n_words"] == 5 * len(BODY[0].split())
    assert len(arts["long"]["content_hash"]) == 40
    assert arts["ja"]["n_words"] >= 20  # one word per two characters of an unspaced script
    assert built.site_removed.select("doc_id", "line", "rule").rows() == [("long", tagline, "site.repeated")]
    # The tagline is all of "empty": site learning never takes most of a body, so it stays, and
    # the body is too short; "short" is too short; a body with no words is only boilerplate.
    reasons = dict(built.rejects.select("doc_id", "reason").iter_rows())
    assert reasons == {"short": "too_short", "empty": "too_short"}
    nothing = build_articles(_docs([{"doc_id": "x", "lines": [], "line_hashes": []}]), site, min_words=0)
    assert nothing.articles.height == 0 and nothing.rejects["reason"].to_list() == ["only_boilerplate"]
