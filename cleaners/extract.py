"""Main-text and metadata extraction with trafilatura (settings from `ExtractConfig`)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from cleaners.author import page_author
from cleaners.candidates import capture_readability, element_text
from cleaners.config import ExtractConfig
from cleaners.markup import NO_MARKUP, Markup, page_markup
from cleaners.page_features import main_text_features, page_features, url_features

NOISY_LOGGERS = ("trafilatura", "htmldate")
"""Libraries that log every page they find empty at WARNING; newsclean records those as rejects,
so an application may quiet them (`quiet_library_logs`; the library itself never does)."""


def quiet_library_logs() -> None:
    """Raise the extraction libraries' loggers to ERROR (for applications, e.g. the flow's workers)."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class Extracted:
    """trafilatura's main text and metadata of one page, with the page's markup hints."""

    text: str
    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    url: str | None
    markup: Markup = NO_MARKUP
    page: dict[str, float] = field(default_factory=dict)
    """What kind of page it is, as evidence (`cleaners.page_features`)."""
    readability_text: str = ""
    """The readability-lxml body trafilatura computed inside its call, one block a line
    (`cleaners.candidates`): the second candidate body."""


PARSER_DEPTH = 255
"""Nesting at which libxml2's HTML parser stops descending: deeper elements are dropped."""


class TooDeep(ValueError):
    """A page nested past the parser's depth: what lies deeper was dropped, so no text was found."""


def _reaches_depth(tree: HtmlElement, depth: int) -> bool:
    stack = [(tree, 0)]
    while stack:
        el, d = stack.pop()
        if d >= depth:
            return True
        stack.extend((child, d + 1) for child in el)
    return False


def extract_html(
    html: str, url: str | None, cfg: ExtractConfig = ExtractConfig(), with_date: bool = True
) -> Extracted | None:
    """The page's main text and metadata, or None when trafilatura finds no main content
    (TooDeep when that is because the page nests deeper than the parser reads).

    The page is parsed once; its link and role facts (`Markup`) are read from the tree before
    trafilatura works on its own copy of it. `with_date=False` skips the date search (the
    input has its own date).
    """
    tree = load_html(html)
    if tree is None:
        # A fragment (no "html" in its first bytes: a feed's `content:encoded`, a page saved
        # from its first <div> or <table>) with fewer than two top-level blocks is refused by
        # trafilatura's sanity check; its documented remedy is to wrap the fragment.
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        return None
    markup = page_markup(tree)
    page = page_features(tree)  # before extraction: trafilatura prunes the tree it reads
    date_params = set_date_params(cfg.date_extensive_search)
    meta = page_metadata(tree, url, date_params, with_date)
    with capture_readability() as readability:
        doc = _bare_extraction(tree, url or meta.url, cfg, date_params)
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        if _reaches_depth(tree, PARSER_DEPTH):
            raise TooDeep(f"nested {PARSER_DEPTH}+ elements deep: the parser drops what lies deeper")
        return None  # bare_extraction returns a Document unless asked for a dict
    text = str(doc.text)
    return Extracted(
        text=text,
        title=meta.title or None,
        author=meta.author or None,
        date=meta.date or None,
        sitename=meta.sitename or None,
        url=meta.url or url,
        markup=markup,
        page=page | url_features(url or meta.url) | main_text_features(page, text),
        readability_text=element_text(readability[0]) if readability else "",
    )


def _bare_extraction(tree: HtmlElement, url: str | None, cfg: ExtractConfig, date_params: dict[str, Any]) -> Any:
    """trafilatura's main-text extraction of the parsed page, newsclean's options."""
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        favor_precision=cfg.favor_precision,
        favor_recall=cfg.favor_recall,
        include_comments=cfg.include_comments,
        include_tables=cfg.include_tables,
        include_images=False,
        include_links=False,
        deduplicate=False,
        date_extraction_params=date_params,
    )


def page_metadata(tree: HtmlElement, url: str | None, date_params: dict[str, Any], with_date: bool = True) -> Document:
    """trafilatura's `extract_metadata` without categories, tags and license.

    newsclean keeps title, author, date, site name and URL; the three fields it drops cost
    about a third of trafilatura's metadata time. Step for step the same calls (the author
    search as `cleaners.author` runs it), so the kept fields are equal (tests/cleaners/test_extract.py
    compares with `extract_metadata`).
    """
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    with contextlib.suppress(Exception):  # as trafilatura: a bug in its JSON-LD parser loses only that source
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = page_author(tree)  # = trafilatura's extract_author, about 2x faster
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if with_date:
        metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata
