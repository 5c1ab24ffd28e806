"""Main-text and metadata extraction with trafilatura (settings from `ExtractConfig`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import trafilatura
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from cleaners.config import ExtractConfig
from cleaners.markup import NO_MARKUP, Markup, page_markup

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


def extract_html(html: str, url: str | None, cfg: ExtractConfig = ExtractConfig()) -> Extracted | None:
    """The page's main text and metadata, or None when trafilatura finds no main content.

    The page is parsed once; its link and role facts (`Markup`) are read from the tree before
    trafilatura works on its own copy of it.
    """
    tree = load_html(html)
    if tree is None:
        return None
    markup = page_markup(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        favor_precision=cfg.favor_precision,
        favor_recall=cfg.favor_recall,
        include_comments=cfg.include_comments,
        include_tables=cfg.include_tables,
        include_images=False,
        include_links=False,
        deduplicate=False,
        date_extraction_params=set_date_params(cfg.date_extensive_search),
    )
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        return None  # bare_extraction returns a Document unless asked for a dict
    return Extracted(
        text=str(doc.text),
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or url,
        markup=markup,
    )
