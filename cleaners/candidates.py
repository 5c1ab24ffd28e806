"""A page's candidate bodies: trafilatura's, readability's (computed inside trafilatura's own
call, captured rather than discarded), and resiliparse's main-content text as a judge.

trafilatura's non-fast extraction runs readability-lxml on every page
(`trafilatura.external.compare_extraction` calls `try_readability`) and keeps that result only
when its own looks deficient. `capture_readability()` keeps the first result of the call it wraps,
so the second candidate costs no second parse. resiliparse's main-content extraction (a few
milliseconds a page, a different algorithm) judges the two: it is never a body itself.

`merge_lines` builds the third candidate: trafilatura's lines plus the readability lines it
lacks that the judge backs, each placed after the nearest line both candidates share.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import trafilatura.external as _external
from lxml.html import HtmlElement

_CAPTURED: ContextVar[list[HtmlElement] | None] = ContextVar("newsclean_readability", default=None)
_original_try_readability = _external.try_readability


def _capturing_try_readability(htmlinput: HtmlElement) -> HtmlElement:
    """trafilatura's `try_readability`, its result also kept when a capture is open."""
    result = _original_try_readability(htmlinput)
    captured = _CAPTURED.get()
    if captured is not None:
        captured.append(result)
    return result


_external.try_readability = _capturing_try_readability  # same result; trafilatura's calls also feed a capture


@contextmanager
def capture_readability() -> Iterator[list[HtmlElement]]:
    """Collect the readability trees trafilatura computes inside the block (first: the main call's)."""
    kept: list[HtmlElement] = []
    token = _CAPTURED.set(kept)
    try:
        yield kept
    finally:
        _CAPTURED.reset(token)


_BLOCKS = frozenset(
    (
        *("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "div", "section"),
        *("article", "br", "tr", "dd", "dt", "figcaption", "header", "footer", "ul", "ol", "table", "main", "aside"),
    )
)
_SKIP = frozenset(("script", "style", "noscript"))


def element_text(tree: HtmlElement | None) -> str:
    """The text of a readability tree, one block (paragraph, heading, list item, cell) a line."""
    if tree is None:
        return ""
    parts: list[str] = []

    def walk(el: HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            parts.append(el.tail or "")
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        parts.append(el.text or "")
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        parts.append(el.tail or "")

    walk(tree)
    return "".join(parts)


def judge_text(html: str) -> str:
    """resiliparse's main-content text of the page ("" when it fails on the page)."""
    from resiliparse.extract.html2text import extract_plain_text

    try:
        return str(extract_plain_text(html, main_content=True))
    except Exception:  # a page that breaks the judge leaves the choice to the other evidence
        return ""


_TOKEN = re.compile(r"\w+")

Shingles = frozenset[tuple[str, ...]]


def shingles(text: str) -> Shingles:
    """Word 3-grams of `text`, lower-cased (a text of fewer words is one shingle)."""
    toks = _TOKEN.findall(text.lower())
    if len(toks) < 3:
        return frozenset([tuple(toks)]) if toks else frozenset()
    return frozenset(zip(toks, toks[1:], toks[2:], strict=False))


def support(line: str, other: Shingles) -> float:
    """Share of the line's shingles found in `other` (1.0 for a line without words)."""
    own = shingles(line)
    return len(own & other) / len(own) if own else 1.0


MIN_SUPPORT = 0.5
"""A line is backed by a text when at least half of its shingles are in it."""


def extra_lines(primary: Sequence[str], secondary: Sequence[str], judge: Shingles) -> list[str]:
    """Lines of `secondary` that `primary` lacks and the judge backs, in their order."""
    have = shingles("\n".join(primary))
    return [ln for ln in secondary if support(ln, have) < MIN_SUPPORT and support(ln, judge) >= MIN_SUPPORT]


def merge_lines(primary: Sequence[str], secondary: Sequence[str], extra: Sequence[str]) -> list[str]:
    """`primary` with the `extra` lines of `secondary` inserted, each after the last line before it
    in `secondary` that `primary` holds too (at the top when there is none); `primary`'s order kept."""
    where = {ln: i for i, ln in enumerate(primary)}
    wanted = set(extra)
    after: dict[int, list[str]] = {}
    anchor = -1
    for ln in secondary:
        if ln in where:
            anchor = where[ln]
        elif ln in wanted:
            after.setdefault(anchor, []).append(ln)
            wanted.discard(ln)
    out = list(after.get(-1, []))
    for i, ln in enumerate(primary):
        out.append(ln)
        out.extend(after.get(i, []))
    return out
