"""The per-document chain (cleaners/document.py): the reasons a page gets, on pages made here."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.config import Settings
from cleaners.document import MAX_HEADLINE_CHARS, clean_document
from cleaners.records import CleanDoc, RawDoc, Reject

SENTENCE = "The harbour board met on Tuesday to agree the pilots' new wage deal after weeks of talks. "


def test_a_page_nested_past_the_parsers_depth_is_too_deep_not_without_content():
    deep = "<html><body>" + "<div>" * 20_000 + f"<p>{SENTENCE * 5}</p>" + "</div>" * 10 + "</body></html>"
    out = clean_document(RawDoc("deep.html", None, "file", html=deep.encode()), Settings())
    assert isinstance(out, Reject) and out.reason == "too_deep" and "255" in out.detail
    shallow = "<html><body>" + "<div>" * 50 + f"<p>{SENTENCE * 5}</p>" + "</div>" * 50 + "</body></html>"
    assert isinstance(clean_document(RawDoc("ok.html", None, "file", html=shallow.encode()), Settings()), CleanDoc)


def test_a_script_only_page_is_still_without_main_content():
    page = "<html><head><script>" + "x++;" * 5000 + "</script></head><body></body></html>"
    out = clean_document(RawDoc("script.html", None, "file", html=page.encode()), Settings())
    assert isinstance(out, Reject) and out.reason == "no_main_content"


def test_a_text_dump_that_is_one_long_line_is_all_body():
    one_line = SENTENCE * 40
    assert len(one_line) > MAX_HEADLINE_CHARS
    out = clean_document(RawDoc("dump.txt", None, "file", text=one_line, fmt="txt"), Settings())
    assert isinstance(out, CleanDoc) and out.title is None and out.text.startswith("The harbour board")
    titled = clean_document(RawDoc("d.txt", None, "file", text="Pilots agree deal\n" + one_line, fmt="txt"), Settings())
    assert isinstance(titled, CleanDoc) and titled.title == "Pilots agree deal"


def _txt(text: str):
    return clean_document(RawDoc("t.txt", None, "file", text=text, fmt="txt"), Settings())


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=2000))
def test_clean_document_is_idempotent(text):
    first = _txt("Title\n" + text)
    if not hasattr(first, "lines"):
        return  # rejected (e.g. empty): nothing to clean twice
    second = _txt("Title\n" + first.text)
    assert getattr(second, "lines", []) == first.lines


def test_keep_headline_setting_reaches_clean_document():
    from flows.params import IngestParams

    title = "Dockworkers end strike in Rotterdam"
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        + "<p>Dockworkers at the port returned to work on Tuesday after unions agreed on a new wage deal.</p>" * 3
        + "</article></body></html>"
    )
    raw = RawDoc("p.html", None, "file", url="https://example.org/a", html=html)
    kept = clean_document(raw, IngestParams(inputs=["x"], keep_headline=True).settings())
    dropped = clean_document(raw, IngestParams(inputs=["x"]).settings())  # the default: body only
    assert kept.title == dropped.title == title
    assert kept.lines[0] == title
    assert title not in dropped.lines and [r.rule for r in dropped.removed] == ["title.headline"]


def test_dates_come_from_markup_or_dateline_not_from_stray_years():
    from tests.data.make_golden import PAGES, render

    assert render(PAGES / "byline_dateline.html")[1]["published_at"].startswith("2023-03-03")
    # "© 2024" in the footer is not a publication date.
    assert render(PAGES / "cookies_copyright_ads.html")[1]["published_at"] is None


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
    for own, expected in (("2024-03-14T08:00:00Z", "2024-03-14"), (None, "2021-05-04"), ("not a date", "2021-05-04")):
        raw = RawDoc("feed.jsonl", "r1", "jsonl", url="https://example.org/a", html=page.encode(), published_at=own)
        doc = clean_document(raw, Settings())
        assert str(doc.published_at.date()) == expected, given


def test_a_date_only_published_at_is_marked_as_a_date():
    body = "\n".join([SENTENCE] * 4)
    day = clean_document(
        RawDoc("f.jsonl", "a", "line:1", text=body, published_at="2024-03-14", fmt="jsonl"), Settings()
    )
    when = clean_document(
        RawDoc("f.jsonl", "b", "line:2", text=body, published_at="2024-03-14T08:30:00+01:00", fmt="jsonl"), Settings()
    )
    none = clean_document(RawDoc("f.jsonl", "c", "line:3", text=body, fmt="jsonl"), Settings())
    assert isinstance(day, CleanDoc) and day.published_precision == "date"
    assert day.published_at is not None and day.published_at.hour == 0
    assert isinstance(when, CleanDoc) and when.published_precision == "datetime"
    assert isinstance(none, CleanDoc) and none.published_at is None and none.published_precision is None
