"""The per-document chain (cleaners/document.py): the reasons a page gets, on pages made here."""

from __future__ import annotations

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
