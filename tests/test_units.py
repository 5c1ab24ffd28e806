"""Unit tests of the flow's pieces without Prefect: article building, batch planning and
processing, and the warehouse (publish, relabel, recover, drop) on real Parquet files."""

from __future__ import annotations

import json

import polars as pl
import pytest

from cleaners.articles import ARTICLE_FIELDS, build_articles, duplicate_record_rejects, first_copies
from cleaners.config import Settings
from cleaners.schema import DOCS_SCHEMA
from flows.batches import MIN_UNIT_BYTES, PARTS_PER_WORKER, UNITS_PER_WORKER, plan_batches, process_batch, scan_parts

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


# --- cleaners/articles.py ------------------------------------------------------------------------


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


# --- flows/batches.py ----------------------------------------------------------------------------


def test_plan_batches_spreads_an_inbox_over_the_workers_and_splits_one_big_file(tmp_path):
    small = []
    for i in range(16):
        p = tmp_path / f"f{i:02d}.jsonl"
        p.write_bytes(b"x" * (MIN_UNIT_BYTES // 2))
        small.append(str(p))
    plan = plan_batches(small, Settings(), workers=2)
    assert len(plan) >= 2 * UNITS_PER_WORKER // 2  # both workers get work
    assert sorted(u.path for b in plan for u in b.units) == small  # every file exactly once
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"y" * (MIN_UNIT_BYTES * 16))
    parts = plan_batches([str(big)], Settings(), workers=2)
    assert len(parts) == 2 * PARTS_PER_WORKER and {(u.part, u.parts) for b in parts for u in b.units} == {
        (k, len(parts)) for k in range(len(parts))
    }
    # Ordering weighs a part by its share of the file, a whole file by its size.
    assert parts[0].work == parts[0].size / len(parts) and plan[0].work == plan[0].size
    # The key changes with the file's bytes (a re-run after an edit never reuses old outputs).
    before = parts[0].key
    big.write_bytes(b"z" * (MIN_UNIT_BYTES * 16 + 1))
    assert plan_batches([str(big)], Settings(), workers=2)[0].key != before


def test_process_batch_cleans_skips_known_ids_and_reuses_a_finished_batch(tmp_path):
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"id": "a", "url": "https://harbour.example/a", "text": "\n".join(BODY)},
        {"id": "b", "url": "https://harbour.example/b", "text": "Too short."},
        "not json",
    ]
    feed.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    (batch,) = plan_batches([str(feed)], Settings())
    out = tmp_path / "out"
    summary = process_batch(batch, Settings(), out)
    assert summary.documents == 3 and summary.cleaned == 2 and summary.rejected == 1
    docs = scan_parts([out], "docs").collect()
    assert sorted(docs["source_id"].to_list()) == ["a", "b"]
    assert scan_parts([out], "rejects").collect()["reason"].to_list() == ["invalid_json"]
    assert process_batch(batch, Settings(), out).reused is True
    # Ids an earlier run stored are skipped before any cleaning.
    known = tmp_path / "known.parquet"
    docs.select("doc_id", "source").write_parquet(known)
    again = process_batch(batch, Settings(), tmp_path / "out2", known=known)
    assert again.skipped == 2 and again.cleaned == 0


def test_a_record_repeated_in_a_batch_is_rejected_before_it_is_cleaned(tmp_path):
    feed = tmp_path / "feed.jsonl"
    line = json.dumps({"url": "https://harbour.example/a", "text": "\n".join(BODY)})
    feed.write_text("\n".join([line] * 5 + [json.dumps({"id": "x", "text": "\n".join(BODY)})]) + "\n")
    (batch,) = plan_batches([str(feed)], Settings())
    summary = process_batch(batch, Settings(), tmp_path / "out")
    assert summary.cleaned == 2 and summary.rejected == 4
    rej = scan_parts([tmp_path / "out"], "rejects").collect()
    docs = scan_parts([tmp_path / "out"], "docs").collect()
    assert rej["reason"].unique().to_list() == ["duplicate_record"]
    assert rej["locator"].to_list() == ["line:2", "line:3", "line:4", "line:5"]
    assert set(rej["doc_id"]) == {docs.filter(pl.col("locator") == "line:1")["doc_id"][0]}


def test_a_knob_has_one_default_and_one_bound_that_config_cli_and_form_share():
    from cleaners.config import ConfigError, DedupConfig, ExtractConfig, knob_info
    from flows.params import IngestParams, ParameterError, validate

    with pytest.raises(ConfigError, match=r"DedupConfig.threshold must be <= 1.0, got 1.5"):
        DedupConfig(threshold=1.5)
    with pytest.raises(ConfigError, match=r"ExtractConfig.min_words must be >= 0"):
        ExtractConfig(min_words=-1)
    schema = IngestParams.model_json_schema()["properties"]
    for cls, name in [(DedupConfig, "threshold"), (ExtractConfig, "min_words")]:
        default, description, _, bounds = knob_info(cls, name)
        assert schema[name]["default"] == default and schema[name]["description"].startswith(description)
        for op, key in [("gt", "exclusiveMinimum"), ("ge", "minimum"), ("le", "maximum")]:
            if op in bounds:
                assert schema[name][key] == bounds[op]
    with pytest.raises(ParameterError, match="threshold"):
        validate({"threshold": 1.7})


def _html_pages() -> list[tuple[str, str]]:
    from tests.conftest import DATA, SEEDS

    paths = sorted((DATA / "golden" / "pages").glob("*.html")) + sorted(SEEDS.rglob("*.htm*"))
    return [(p.name, p.read_text(errors="replace")) for p in paths]


@pytest.mark.parametrize("name,html", _html_pages(), ids=[n for n, _ in _html_pages()])
def test_page_metadata_equals_trafilaturas_for_the_fields_kept(name, html):
    """newsclean's metadata step is trafilatura's `extract_metadata` minus categories, tags and license."""
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    from cleaners.extract import page_metadata

    params = set_date_params(False)
    ours = page_metadata(load_html(html), "https://example.org/a", params)
    theirs = extract_metadata(load_html(html), "https://example.org/a", params)
    fields = ("title", "author", "date", "sitename", "url")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert any(getattr(ours, f) for f in ("title", "author", "date"))


def test_a_record_with_its_own_date_skips_the_page_date_search_and_keeps_its_date():
    """The page's date search runs only when the input has no usable date of its own."""
    from cleaners.config import Settings
    from cleaners.document import clean_document
    from cleaners.extract import extract_html
    from cleaners.records import RawDoc

    body = "".join(
        f"<p>Paragraph {i} of the council story tells what the port plans to build next year.</p>" for i in range(8)
    )
    page = f'<html><head><meta property="article:published_time" content="2021-05-04"></head><body><article>{body}</article></body></html>'
    with_search = extract_html(page, "https://example.org/a")
    without = extract_html(page, "https://example.org/a", with_date=False)
    assert with_search is not None and without is not None
    assert with_search.date == "2021-05-04" and without.date is None
    assert with_search.text == without.text
    for given, expected in (("2024-03-14T08:00:00Z", "2024-03-14"), (None, "2021-05-04"), ("not a date", "2021-05-04")):
        raw = RawDoc("feed.jsonl", "r1", "jsonl", url="https://example.org/a", html=page.encode(), published_at=given)
        doc = clean_document(raw, Settings())
        assert str(doc.published_at.date()) == expected, given
