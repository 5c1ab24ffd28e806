"""The page's author from its markup: trafilatura's `extract_author` in one pass over the elements.

When the meta tags and JSON-LD name no author, trafilatura prunes a copy of the page with two
XPaths and tries three more in order; their class/id tests are EXSLT `re:test` calls, and the
five evaluations cost about a fifth of newsclean's cleaning time. Here the same tests (the same
patterns, through Python's `re` as lxml's EXSLT does) run in one walk per step, skipping
elements without attributes. The elements pruned and tried, their order and the text rules are
trafilatura's: tests/cleaners/test_author.py checks the selections against trafilatura's XPaths on
generated elements and pages, and the author against `extract_author`.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim
from trafilatura.xml import delete_element

_SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
# trafilatura's own `re:test` patterns (lxml evaluates EXSLT regexes with Python's `re`, so
# `search` with the same pattern is the same test).
_SPECIFIC_CLASS = re.compile("author-?name|AuthorName|authorName")
_GENERIC_ID = re.compile("author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_LAST_ID = re.compile("[Aa]uthor")
_LAST_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    "print|category|meta-date|meta-reviewer"
)


def _rel_me(el: HtmlElement) -> bool:
    """XPath `rel='me'`: a child element <rel> whose text is 'me' (sic in trafilatura)."""
    return any("".join(c.itertext()) == "me" for c in el.iterchildren("rel"))


def _specific(el: HtmlElement, tag: str, get: Any, cls: str, rel_children: bool) -> bool:
    """AUTHOR_XPATHS[0]."""
    if tag == "author":
        return True
    return tag in _SPECIFIC_TAGS and (
        get("rel") == "author"
        or get("id") == "author"
        or cls == "author"
        or get("itemprop") == "author name"
        or get("data-testid") in ("AuthorCard", "AuthorURL")
        or _SPECIFIC_CLASS.search(cls) is not None
        or (rel_children and _rel_me(el))
    )


def _generic(tag: str, ident: str, cls: str, itemprop: str) -> bool:
    """AUTHOR_XPATHS[1]."""
    return tag in _GENERIC_TAGS and (
        cls in ("byline", "username", "byl", "BBL")
        or "author" in itemprop
        or _GENERIC_ID.search(ident) is not None
        or _GENERIC_CLASS.search(cls) is not None
    )


def _last_resort(get: Any, ident: str, cls: str, itemprop: str) -> bool:
    """AUTHOR_XPATHS[2]."""
    return (
        "Byline" in (get("data-component") or "")
        or "author" in itemprop
        or _LAST_ID.search(ident) is not None
        or _LAST_CLASS.search(cls) is not None
    )


def _discarded(el: HtmlElement) -> bool:
    """AUTHOR_DISCARD_XPATHS[0], for an element `_DISCARD_GATE` selected (its tag is checked there)."""
    get = el.get
    ident, cls = get("id") or "", get("class") or ""
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or _DISCARD_ID.search(ident) is not None
        or _DISCARD_CLASS.search(cls) is not None
        or "Figure" in (get("data-component") or "")
    )


_WITH_ATTRIBUTES = XPath("//*[@id or @class or @itemprop or @rel or @data-testid or @data-component or rel]|//author")
"""The only elements the author tests can select (libxml2 filters; Python sees only these)."""
_ANY_REL = XPath("boolean(//rel)")
_DISCARD_GATE = XPath(".//*[self::a or self::div or self::section or self::span][@id or @class or @data-component]")
"""The elements AUTHOR_DISCARD_XPATHS[0] can select: its four tags, with an attribute it tests."""


def author_candidates(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]]:
    """The elements each of trafilatura's three AUTHOR_XPATHS selects, in document order."""
    found: tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]] = ([], [], [])
    rel_children = bool(_ANY_REL(tree))
    for el in _WITH_ATTRIBUTES(tree):
        tag = el.tag
        get = el.get
        ident, cls, itemprop = get("id") or "", get("class") or "", get("itemprop") or ""
        if _specific(el, tag, get, cls, rel_children):
            found[0].append(el)
        if _generic(tag, ident, cls, itemprop):
            found[1].append(el)
        if _last_resort(get, ident, cls, itemprop):
            found[2].append(el)
    return found


def prune_for_author(tree: HtmlElement) -> HtmlElement:
    """`tree` without what trafilatura's AUTHOR_DISCARD_XPATHS remove (tails kept), in place."""
    for el in [e for e in _DISCARD_GATE(tree) if _discarded(e)]:
        delete_element(el)
    for el in list(tree.iter("time", "figure")):
        delete_element(el)
    return tree


def page_author(tree: HtmlElement) -> str | None:
    """The author named in the page's markup, as trafilatura's `extract_author` finds it.

    One pass over the elements in Python instead of five XPath evaluations: the same elements
    are pruned and tried in the same order, the first with 3-119 characters of text wins.
    """
    for candidates in author_candidates(prune_for_author(deepcopy(tree))):
        for el in candidates:
            content = trim(" ".join(el.itertext()))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None
