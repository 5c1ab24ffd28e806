"""What the page's markup says about a line of extracted text.

trafilatura returns flat text, so a line no longer knows whether it was a link or sat in a
caption. Before extraction we read two facts from the parsed page, keyed by the element's
normalized text:

- `links`: texts of `<a>` elements. A headline-shaped line that is a whole link, at the end
  of the body, is a teaser for another article ("Related" lists without a heading).
- `hints`: texts of elements whose class or id names a boilerplate role (caption, credit,
  newsletter, related, share ...), and of every text block inside a pop-up, modal or cookie
  banner. A line equal to such an element's whole text is that element.

Matching is on whole element texts only: a body paragraph that merely contains a link keeps
its other words, so it never equals the link's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml.etree import XPath
from lxml.html import HtmlElement

from cleaners.config import NormalizeConfig
from cleaners.normalize import normalize_line

# class/id fragments naming a boilerplate role -> the hint kind recorded in the rule name.
_ROLE = re.compile(
    r"(?<![a-z])(?:(?P<caption>(?:fig|wp-|image-?|img-?|photo-?|media-?)?caption|bildunterschrift|legende|legend)"
    r"|(?P<credit>credits?|copyright|bildnachweis|photographer)"
    r"|(?P<newsletter>newsletter|subscribe|subscription|signup|sign-up|optin|opt-in|paywall)"
    r"|(?P<related>related|teaser-?list|read-?more|more-?(?:stories|articles|news)|recommend\w*)"
    r"|(?P<share>share|sharing|social|follow-?us))",
    re.IGNORECASE,
)
_MAX_KEY_CHARS = 400
_MAX_BLOCK_CHARS = 5000
_MAX_ELEMENTS = 200_000

# Page furniture that is never the article: pop-ups, modals, cookie and consent banners.
# trafilatura (or its fallback extractors) sometimes takes a pop-up's paragraphs into the body;
# every block of text inside such a container becomes a `markup.popup` hint.
_FURNITURE = re.compile(
    r"(?:^|[-_\s])(?:popup|pop-up|popmake|pum|modal|interstitial|cookie|cookies|consent|gdpr)(?:$|[-_\s])",
    re.IGNORECASE,
)
# Containers whose every text block is boilerplate of one kind. Measured: "related" and
# "newsletter"/"paywall" containers often wrap the article itself (a paywalled body, a teaser
# list around the story), so only pop-up furniture qualifies.
_CONTAINERS = ((_FURNITURE, "popup"),)
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "dt", "figcaption", "pre"}
_MAX_FURNITURE_SHARE = 0.4
_NOT_CONTAINERS = {"html", "body", "script", "style", "link", "meta"}
MIN_LINK_WORDS = 4
"""Shortest link text recorded: teasers (`markup.teaser`) are headline-shaped, 4+ words."""


# Keys skip mojibake repair (ftfy is the slow step and pages have hundreds of links); lines
# are already repaired, and quotes, dashes, Unicode form and spaces are unified on both sides.
_KEY_NORM = NormalizeConfig(fix_mojibake=False)


def text_key(text: str) -> str:
    """Comparable form of a line or an element's text: normalized, case-folded, no list dash."""
    t = normalize_line(text, _KEY_NORM).casefold()
    if t.startswith("- "):
        t = t[2:]
    return t


@dataclass(frozen=True, slots=True)
class Markup:
    """Element-level evidence from a page's HTML: link texts and boilerplate hints by text."""

    links: frozenset[str] = frozenset()
    hints: dict[str, str] = field(default_factory=dict)

    def is_link(self, line: str) -> bool:
        """Whether the line is the whole text of a link on the page."""
        return text_key(line) in self.links

    def hint(self, line: str) -> str | None:
        """The boilerplate kind of the element whose whole text is `line`, if any."""
        return self.hints.get(text_key(line))


NO_MARKUP = Markup()


def _text(el: HtmlElement) -> str:
    return " ".join(" ".join(el.itertext()).split())


def page_markup(tree: HtmlElement) -> Markup:
    """Link texts and role-hinted element texts of a parsed page (read-only).

    Only the elements that can give evidence are visited (links, and elements with a class
    or id, found by lxml in C), in document order, among the first `_MAX_ELEMENTS` elements.
    """
    links: set[str] = set()
    hints: dict[str, str] = {}
    containers: list[tuple[HtmlElement, str]] = []
    if tree.xpath("count(descendant-or-self::*)") > _MAX_ELEMENTS:
        return _page_markup_capped(tree)
    for el in tree.iter("a"):
        _add_link(el, links)
    for el in _NAMED(tree):
        _add_named(el, hints, containers)
    if containers:
        _container_blocks(tree, containers, hints)
    return Markup(frozenset(links), hints)


_NAMED = XPath("descendant-or-self::*[not(self::a)][@class or @id]")


def _add_link(el: HtmlElement, links: set[str]) -> None:
    t = _text(el)
    # Only headline-shaped links are ever looked up (teasers have 4+ words).
    if t and len(t) <= _MAX_KEY_CHARS and t.count(" ") >= MIN_LINK_WORDS - 1:
        links.add(text_key(t))


def _add_named(el: HtmlElement, hints: dict[str, str], containers: list[tuple[HtmlElement, str]]) -> None:
    """Record an element whose class/id names a role (a hint) or pop-up furniture (a container)."""
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if len(names) < 4:
        return
    container, role = _name_kinds(names)
    if container is not None and el.tag not in _NOT_CONTAINERS:
        containers.append((el, container))
    if role is None:
        return
    t = _text(el)
    if t and len(t) <= _MAX_KEY_CHARS and " " in t:  # one-word lines are never matched
        hints.setdefault(text_key(t), role)


@lru_cache(maxsize=1 << 16)
def _name_kinds(names: str) -> tuple[str | None, str | None]:
    """(container kind, role kind) that a class/id string names; pages repeat class names a lot."""
    container = next((kind for pattern, kind in _CONTAINERS if pattern.search(names)), None)
    m = _ROLE.search(names)
    return container, None if m is None else (m.lastgroup or "role")


def _page_markup_capped(tree: HtmlElement) -> Markup:
    """`page_markup` of a page with more than `_MAX_ELEMENTS` elements: one pass over the first ones."""
    links: set[str] = set()
    hints: dict[str, str] = {}
    containers: list[tuple[HtmlElement, str]] = []
    for n, el in enumerate(tree.iter()):
        if n >= _MAX_ELEMENTS:
            break
        if not isinstance(el.tag, str):
            continue
        if el.tag == "a":
            _add_link(el, links)
        else:
            _add_named(el, hints, containers)
    if containers:
        _container_blocks(tree, containers, hints)
    return Markup(frozenset(links), hints)


def _container_blocks(tree: HtmlElement, containers: list[tuple[HtmlElement, str]], hints: dict[str, str]) -> None:
    """Hint every text block inside pop-up/modal/cookie containers as `popup`.

    A container is spared when it holds a headline (<h1>) or a large share of the page's
    words, so a site that names its article wrapper "modal-article" keeps its article.
    """
    total = max(1, len(" ".join(tree.itertext()).split()))
    seen: set[int] = set()
    for box, kind in containers:
        if id(box) in seen or box.find(".//h1") is not None:
            continue
        if len(" ".join(box.itertext()).split()) > _MAX_FURNITURE_SHARE * total:
            continue
        for el in box.iter():
            seen.add(id(el))
            if el.tag in _BLOCKS:
                t = _text(el)
                if t and len(t) <= _MAX_BLOCK_CHARS:
                    hints[text_key(t)] = kind
