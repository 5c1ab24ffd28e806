"""Extraction (cleaners/extract.py): markup read before trafilatura, fragments, the metadata kept."""

from __future__ import annotations

import pytest

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.records import CleanDoc, RawDoc
from tests.conftest import DATA, SEEDS


def test_extract_reads_markup_before_trafilatura():
    from cleaners.extract import extract_html

    html = (
        "<html><body><article>"
        + "<p>Body sentence of the article with enough words to keep.</p>" * 5
        + '<p><a href="/x">Antwerp braces for a wave of diverted container ships</a></p></article></body></html>'
    )
    ex = extract_html(html, "https://example.org/a")
    assert ex is not None and ex.markup.is_link("Antwerp braces for a wave of diverted container ships")


def test_an_html_fragment_is_extracted_like_the_whole_page():
    """A fragment with one top-level block (no <html>: a feed's `content:encoded`, a page saved
    from its first <div>) is refused by trafilatura's sanity check; it is wrapped and extracted."""
    from trafilatura.utils import load_html

    paragraphs = [
        f"Dockworkers in Rotterdam voted on day {i} to accept the new wage deal offered by the terminal operators."
        for i in range(1, 5)
    ]
    fragment = '<div id="main"><div class="story">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div>"
    assert load_html(fragment) is None  # what newsclean used to reject as no_main_content
    doc = clean_document(RawDoc("feed.jsonl", "1", "line:1", html=fragment), Settings())
    whole = clean_document(RawDoc("page.html", None, "file", html=f"<html><body>{fragment}</body></html>"), Settings())
    assert isinstance(doc, CleanDoc) and doc.lines == whole.lines == paragraphs


def _html_pages() -> list[tuple[str, str]]:

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
